"""What every reading rule is made of, and the context tests they share.

A rule is a regex over the *view* of a sentence (the text with full-width digits,
letters and signs folded to ASCII, same length, so offsets carry over) and a
function that says the match in words, or returns None to let later rules try.
Context before the match is tested with lookbehinds or in the function (it gets
the match, whose ``.string`` is the whole view); the match itself is what is
replaced, so the origin map stays exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Callable

from . import tables

# Full-width forms (and a few look-alikes) folded one-for-one, so offsets do not move.
_FOLD = {0xFF10 + i: ord("0") + i for i in range(10)}
_FOLD |= {0xFF21 + i: ord("A") + i for i in range(26)}
_FOLD |= {0xFF41 + i: ord("a") + i for i in range(26)}
_FOLD |= {ord(a): ord(b) for a, b in zip("％＋－．／：～−﹪", "%+-./:~-%")}


def view(text: str) -> str:
    """The text rules match against: same length, full-width forms made ASCII."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Rewrite:
    """One span of the original read as ``spoken`` (never empty)."""

    start: int
    end: int
    spoken: str
    kind: str  # the rule that read it ("percent", "lexicon", "unknown" …)
    pinyin: tuple[str, ...] = ()  # lexicon pinyin for the spoken text, if given


Say = Callable[[re.Match[str]], "str | None"]


@dataclass(frozen=True)
class Rule:
    kind: str  # what the rule reads ("date", "percent" …); kept on each rewrite
    pattern: re.Pattern[str]
    say: Say

    @classmethod
    def of(cls, kind: str, pattern: str, say: Say) -> "Rule":
        return cls(kind, re.compile(pattern), say)


# A number as written: thousands separators, then an optional decimal part. Rules put
# (?<![\d.]) in front so they never start inside another number.
INTEGER = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+"
NUMBER = rf"(?:{INTEGER})(?:\.\d+)?"
HAN = "\u3400-\u9fff"


def units() -> dict[str, str]:
    return tables.pairs("units.txt")


@cache
def _counter() -> re.Pattern[str]:
    return re.compile(tables.alternation(tables.words("measure_words.txt") | frozenset(units())))


def counted_after(text: str, pos: int) -> bool:
    """Whether text[pos:] starts with a measure word or unit: the number before is a count."""
    return _counter().match(text, pos) is not None
