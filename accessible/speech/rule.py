"""What every reading rule is made of, and the context tests they share.

A rule is a regex over the *view* of a sentence (the text with full-width digits,
letters and signs folded to ASCII, same length, so offsets carry over) and a
function that says the match in words, or returns None to let later rules try.
Context before the match is tested with lookbehinds or in the function (it gets
the match, whose ``.string`` is the whole view); the match itself is what is
replaced, so the origin map stays exact.

A rule says its match token by token, as (written, spoken) parts in written order
whose written pieces spell the match: ``18.7:51.7`` is 18.7 十八点七, : 比, 51.7
五十一点七. Each spoken character then maps to its own token, so the parts can be
highlighted and timed one by one. A plain string says the whole match as one unit,
which is right only for one token or where the spoken order differs from the written
one (8.2% 百分之八点二). A silent piece ("-" inside a phone number, the 00 of 2:00)
joins the part before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterable, Sequence

from . import tables

# Full-width ASCII forms (U+FF01–FF5E) and a few look-alikes folded one-for-one, so
# offsets do not move. The full-width comma stays: in Chinese text it separates list
# items, except between full-width digits (１，２３４), see view().
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if c != ord("，")}
_FOLD |= {ord(a): ord(b) for a, b in zip("−﹪∶︰﹕〜", "-%:::~")}
_WIDE_THOUSANDS = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")


def view(text: str) -> str:
    """The text rules match against: same length, full-width forms made ASCII."""
    return _WIDE_THOUSANDS.sub(",", text).translate(_FOLD)


@dataclass(frozen=True)
class Part:
    """Original text [start, end) said as ``spoken`` (never empty)."""

    start: int
    end: int
    spoken: str


@dataclass(frozen=True)
class Rewrite:
    """One expression of the original read in words, part by part (contiguous, in order)."""

    parts: tuple[Part, ...]
    kind: str  # the rule that read it ("percent", "lexicon", "unknown" …)
    pinyin: tuple[str, ...] = ()  # lexicon pinyin for the spoken text, if given

    @property
    def start(self) -> int:
        return self.parts[0].start

    @property
    def end(self) -> int:
        return self.parts[-1].end

    @property
    def spoken(self) -> str:
        return "".join(p.spoken for p in self.parts)


Said = str | Sequence[tuple[str, str]]  # one unit, or (written, spoken) parts
Say = Callable[[re.Match[str]], "Said | None"]


def parts_of(start: int, written: str, said: Said) -> tuple[Part, ...]:
    """The parts of ``said`` placed at ``start``; silent pieces join the part before them
    (the first one, the part after). () when nothing at all is said."""
    if isinstance(said, str):
        return (Part(start, start + len(written), said),) if said else ()
    if "".join(w for w, _ in said) != written or any(s and not w for w, s in said):
        raise ValueError(f"parts {list(said)!r} do not spell {written!r}, or say what is not written")
    cuts: list[tuple[int, int, str]] = []
    pos = start
    for piece, spoken in said:
        pos += len(piece)
        if spoken:
            cuts.append((cuts[-1][1] if cuts else start, pos, spoken))
        elif cuts:
            cuts[-1] = (cuts[-1][0], pos, cuts[-1][2])
    return tuple(Part(*cut) for cut in cuts)


def grouped(m: re.Match[str], *spoken: str) -> list[tuple[str, str]]:
    """Parts from a match whose groups tile it in order: group i is said ``spoken[i-1]``."""
    return [(m.group(i) or "", s) for i, s in enumerate(spoken, 1)]


def split(written: str, separator: str) -> list[str]:
    """``written`` cut at each match of ``separator`` (a regex), separators kept:
    tokens and separators alternate, starting with a token."""
    return re.split(f"({separator})", written)


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


def preceded_by(words: Iterable[str], *between: str) -> str:
    """A regex test that the match starts right after one of ``words``, each maybe
    followed by one of ``between`` (lookbehinds, one per width, as Python needs)."""
    tails = ("", *between)
    return "(?:" + "|".join(f"(?<={re.escape(w + t)})" for w in sorted(words) for t in tails) + ")"


def units() -> dict[str, str]:
    return tables.pairs("units.txt")


@cache
def _counter() -> re.Pattern[str]:
    return re.compile(tables.alternation(tables.words("measure_words.txt") | frozenset(units())))


def counted_after(text: str, pos: int) -> bool:
    """Whether text[pos:] starts with a measure word or unit: the number before is a count.
    来 (about) counts only before one (十来个), not as a verb (拨打12306来咨询)."""
    m = _counter().match(text, pos)
    return m is not None and (m.group() != "来" or _counter().match(text, m.end()) is not None)
