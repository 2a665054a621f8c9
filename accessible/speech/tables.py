"""Word tables of the speech stage, read once from ``accessible/speech/data/``.

A table is a text file: ``#`` starts a comment, blank lines are skipped, fields are
separated by a tab (or, for one-word-per-field lists, by any whitespace).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Iterable


def lines(name: str) -> list[str]:
    text = files("accessible.speech").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def words(name: str) -> frozenset[str]:
    """Every whitespace-separated entry of a word-list file."""
    return frozenset(w for line in lines(name) for w in line.split())


@cache
def pairs(name: str) -> dict[str, str]:
    """``written<TAB>spoken`` lines (spoken defaults to written)."""
    table: dict[str, str] = {}
    for line in lines(name):
        written, _, spoken = line.partition("\t")
        table[written.strip()] = spoken.strip() or written.strip()
    return table


@cache
def syllables(name: str) -> dict[str, tuple[str, ...]]:
    """``word syllable syllable …`` lines: a word and its tone-number pinyin."""
    table: dict[str, tuple[str, ...]] = {}
    for line in lines(name):
        word, *pinyin = line.split()
        table[word] = tuple(pinyin)
    return table


def alternation(entries: Iterable[str]) -> str:
    """A regex alternation of literal entries, longest first (so 平方公里 beats 公里)."""
    return "|".join(re.escape(e) for e in sorted(entries, key=lambda e: (-len(e), e)))
