"""Tone-number syllables: which ones the offline voice knows, and their tone-mark spelling."""

from __future__ import annotations

import re

from . import tables

_FORM = re.compile(r"([a-z]+)([1-5])")
_MARKS = {"a": "āáǎà", "e": "ēéěè", "i": "īíǐì", "o": "ōóǒò", "u": "ūúǔù", "v": "ǖǘǚǜ"}


def is_syllable(pinyin: str) -> bool:
    """``hang2``, ``de5``: a toneless syllable the Baker voice knows plus a tone 1–5."""
    m = _FORM.fullmatch(pinyin)
    return m is not None and m.group(1) in tables.words("syllables.txt")


def tone_marks(pinyin: str) -> str:
    """``hang2`` → ``háng``, ``lv4`` → ``lǜ``, ``de5`` → ``de`` (for ruby text and proofreading)."""
    m = _FORM.fullmatch(pinyin)
    if m is None:
        return pinyin
    base, tone = m.group(1), int(m.group(2))
    if tone == 5:
        return base.replace("v", "ü")
    # The mark goes on a or e if present, on the o of ou, else on the last vowel.
    vowels = [i for i, c in enumerate(base) if c in _MARKS]
    if not vowels:
        return base
    at = next((i for i in vowels if base[i] in "ae"), None)
    if at is None:
        at = base.index("o") if "ou" in base else vowels[-1]
    marked = base[:at] + _MARKS[base[at]][tone - 1] + base[at + 1 :]
    return marked.replace("v", "ü")
