"""Braille cells: dot numbers, Unicode braille (U+2800–U+283F) and North American
Braille ASCII (the character set of .brf files and embossers)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

BLANK = "\u2800"

# Braille ASCII: the character for each 6-dot cell, indexed by its dot bits (dot 1 = 1,
# dot 2 = 2, dot 3 = 4, dot 4 = 8, dot 5 = 16, dot 6 = 32), as embossers read .brf files.
_ASCII = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
_TO_ASCII = {chr(0x2800 + bits): c for bits, c in enumerate(_ASCII)}
_FROM_ASCII = {c: u for u, c in _TO_ASCII.items()}


def cell(dots: str) -> str:
    """``"145"`` → ``⠙``; ``"0"`` is the blank cell."""
    bits = 0
    for d in dots:
        if d != "0":
            bits |= 1 << (int(d) - 1)
    return chr(0x2800 + bits)


def cells(spec: str) -> str:
    """``"5-23"`` → ``⠐⠆``: cells separated by hyphens, as braille tables write them."""
    return "".join(cell(d) for d in spec.split("-"))


def dots(c: str) -> str:
    """``⠙`` → ``"145"`` (``"0"`` for the blank cell)."""
    bits = ord(c) - 0x2800
    return "".join(str(d + 1) for d in range(8) if bits >> d & 1) or "0"


def to_ascii(text: str) -> str:
    """Unicode braille (6-dot) → Braille ASCII; other characters (newlines) pass."""
    return "".join(_TO_ASCII.get(c, c) for c in text)


def from_ascii(text: str) -> str:
    return "".join(_FROM_ASCII.get(c, c) for c in text)


def data_lines(name: str) -> list[list[str]]:
    """The tab-separated fields of each line of a table in ``braille/data/`` (``#`` comments)."""
    text = files("accessible.outputs.braille").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def table(name: str) -> dict[str, str]:
    """``key<TAB>dots`` lines as key → cells."""
    return {key: cells(spec) for key, spec in data_lines(name)}
