"""One tone-number pinyin syllable (``zhang3``, ``lv4``, ``de5``) in Chinese braille.

A syllable is written initial + final + tone, each one cell (GF 0019-2018 keeps the
cells of 现行盲文): zhi/chi/shi/ri/zi/ci/si write the initial alone, y/w spellings are
undone (yan = ian, wu = u, yu = ü), and after j/q/x a u is ü. Common braille writes
the tone except the one tone per initial its table omits (data/tones.txt); current
braille writes no tone.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from .cells import cells, data_lines

System = Literal["common", "current"]
SYSTEMS: tuple[System, ...] = ("common", "current")

_FORM = re.compile(r"(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw]?)([a-zü]*?)([1-5])")
_BUZZ = {"zh", "ch", "sh", "r", "z", "c", "s"}  # their -i is written by the initial alone
_Y = {"i": "i", "a": "ia", "e": "ie", "ao": "iao", "ou": "iou", "an": "ian", "in": "in", "ang": "iang",
      "ing": "ing", "ong": "iong", "u": "v", "ue": "ve", "uan": "van", "un": "vn", "o": "io"}
_W = {"u": "u", "a": "ua", "o": "uo", "ai": "uai", "ei": "uei", "an": "uan", "en": "uen", "ang": "uang",
      "eng": "ueng"}
_SHORT = {"iu": "iou", "ui": "uei", "un": "uen"}


@cache
def _parts() -> dict[str, dict[str, str]]:
    kinds: dict[str, dict[str, str]] = {"initial": {}, "final": {}, "tone": {}}
    for kind, key, spec in data_lines("syllables.txt"):
        kinds[kind][key] = cells(spec)
    return kinds


@cache
def _omitted() -> tuple[dict[str, str], dict[str, str]]:
    """Omitted tone by initial ("-" for none), and by whole toneless syllable."""
    by_initial: dict[str, str] = {}
    by_syllable: dict[str, str] = {}
    for keys, tone in data_lines("tones.txt"):
        for key in keys.split():
            if key in _parts()["initial"] or key == "-":
                by_initial[key] = tone
            else:
                by_syllable[key] = tone
    return by_initial, by_syllable


def split(pinyin: str) -> tuple[str, str, int] | None:
    """``zhuang4`` → ("zh", "uang", 4); ``yue4`` → ("", "ve", 4); None if not a syllable."""
    m = _FORM.fullmatch(pinyin.replace("ü", "v"))
    if m is None:
        return None
    initial, final, tone = m.group(1), m.group(2).replace("ü", "v"), int(m.group(3))
    if initial == "y":
        initial, final = "", _Y.get(final, "")
    elif initial == "w":
        initial, final = "", _W.get(final, "")
    elif initial in ("j", "q", "x") and final.startswith("u"):
        final = "v" + final[1:]
    elif initial in _BUZZ and final == "i":
        final = ""
    final = _SHORT.get(final, final) if initial else final
    if final == "uen" and initial in ("j", "q", "x"):
        final = "vn"
    if not final and initial not in _BUZZ or final and final not in _parts()["final"]:
        return None
    return initial, final, tone


def syllable_cells(pinyin: str, system: System = "common") -> str:
    """The braille of one syllable; "" when ``pinyin`` is not a Mandarin syllable."""
    parts = split(pinyin)
    if parts is None:
        return ""
    initial, final, tone = parts
    table = _parts()
    body = table["initial"].get(initial, "") + table["final"].get(final, "")
    if system == "current" or tone == 5 or _tone_omitted(pinyin, initial, tone):
        return body
    return body + table["tone"][str(tone)]


def _tone_omitted(pinyin: str, initial: str, tone: int) -> bool:
    by_initial, by_syllable = _omitted()
    rule = by_syllable.get(pinyin[:-1].replace("ü", "v"), by_initial[initial or "-"])
    return rule == "*" or rule == str(tone)
