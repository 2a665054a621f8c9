"""Scores in a sports context: 2-1 二比一, 0:1 零比一, 2/2 二比二 (data/sports.txt).

A pair of small integers joined by - : or / is a score when a sports word stands in
the same clause and no measure word or date word follows (组建球队2-3支 is a range,
足球赛1-11月 months). A clock time (下午3:00比赛) stays a time unless a score word
comes just before it.
"""

from __future__ import annotations

import re
from functools import cache

from . import tables
from .cardinal import say_integer
from .rule import Rule, Said, counted_after, grouped

_CLOCK = re.compile(r"([01]?\d|2[0-4]):[0-5]\d")
_JUST_BEFORE = re.compile(r"(?:比分|比分为|以|战成|打成|比分定格在)\s*$")
_CLAUSE_END = re.compile(r"[，。；！？!?;\n]")
_DATE_WORD = re.compile(r"\s*[年月日号时]")


@cache
def _sports() -> re.Pattern[str]:
    return re.compile(tables.alternation(tables.words("sports.txt")))


def _score(m: re.Match[str]) -> Said | None:
    text = m.string
    ends = [e.start() for e in _CLAUSE_END.finditer(text)]
    start = max((e + 1 for e in ends if e < m.start()), default=0)
    end = min((e for e in ends if e >= m.end()), default=len(text))
    if not _sports().search(text, start, end) or counted_after(text, m.end()) or _DATE_WORD.match(text, m.end()):
        return None
    if _CLOCK.fullmatch(m.group().replace(" ", "")) and not _JUST_BEFORE.search(text, 0, m.start()):
        return None
    return grouped(m, say_integer(m.group(1)), "比", say_integer(m.group(3)))


RULES = (Rule.of("score", r"(?<![\d.:/-])(\d{1,3})(\s*[-:/]\s*)(\d{1,3})(?![\d.:/%‰-])", _score),)
