"""Numbers next to Latin letters: PM2.5 PM二点五, G107 G一零七, H7N9 H七N九, 4A级 四A级, 3D 三D.

The letters stay in the spoken form (the pinyin stage gives them syllables). After a
letter, a decimal is a decimal, one or two digits a number (PM10, G20), three or more
a code (G107). Before a letter, a number (4A, 5G) unless it is a unit (10km).

Letters are spelled one by one, right for abbreviations (GDP, PPP). A word of four
or more letters with a small letter in it (iPhone, Windows) is most likely a word
the voice will spell oddly: it is kept as written and flagged "unknown" for
`accessible read --warn` (a lexicon entry can say it).
"""

from __future__ import annotations

import re

from .cardinal import say_digits, say_integer, say_number
from .rule import NUMBER, Rule, counted_after


def _after_letter(m: re.Match[str]) -> str:
    number = m.group()
    if "." in number or len(number) <= 2:
        return say_number(number)
    return say_digits(number)


def _before_letter(m: re.Match[str]) -> str | None:
    return None if counted_after(m.string, m.end()) else say_integer(m.group())


RULES = (
    Rule.of("letters", rf"(?<=[A-Za-z])(?:{NUMBER})(?![\d.]\d)", _after_letter),
    Rule.of("letters", r"(?<![\d.A-Za-z])\d+(?=[A-Za-z])", _before_letter),
    Rule.of("unknown", r"(?<![A-Za-z])(?=[A-Za-z]{4})[A-Z]*[a-z][A-Za-z]*(?![A-Za-z])", lambda m: m.group()),
)
