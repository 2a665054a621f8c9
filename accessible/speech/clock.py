"""Clock times: 10:30 十点三十分, 8:05 八点零五分, 2:00 两点, 8:00 a.m. 上午八点, 3pm 下午三点.

Two integer fields, an hour up to 24 and minutes 00–59, are a time unless the words
just before speak of a ratio (比, 比例, 比重 …); then ratio.py reads it. The colon
says 点; :00 and the colon before the seconds go unsaid, with the part before them.
am/pm is said first (上午/下午), so a time with it is one unit; after a word that
already says the time of day (晚上9:30 PM) it goes unsaid.
"""

from __future__ import annotations

import re

from .cardinal import say_digits, say_integer
from .rule import Rule, Said, grouped

_RATIO_WORDS = re.compile(r"比|结构|配比|之比")
_HOUR = r"(?<![\d.:])([01]?\d|2[0-4])"
_MINUTES = r"(:)([0-5]\d)(?:(:)([0-5]\d))?"
_MERIDIEM = {"a": "上午", "p": "下午"}
_TIME_OF_DAY = re.compile(r"(?:上午|下午|中午|晚上|早上|早晨|凌晨|傍晚|夜间|夜里)\s*$")


def _pieces(m: re.Match[str]) -> list[str] | None:
    """What each group of the clock says, or None in a ratio's context."""
    if _RATIO_WORDS.search(m.string, max(0, m.start() - 8), m.start()):
        return None
    hour, minute, second = m.group(1), m.group(3), m.group(5)
    if minute is None:  # 3pm
        return [say_integer(hour, counted=True) + "点", "", "", "", ""]
    said_minute = ""
    if minute != "00" or second:
        said_minute = (say_digits(minute) if minute[0] == "0" != minute[1] else say_integer(minute)) + "分"
    said_second = say_integer(second) + "秒" if second else ""
    return [say_integer(hour, counted=True), "点", said_minute, "", said_second]


def _time(m: re.Match[str]) -> Said | None:
    pieces = _pieces(m)
    return grouped(m, *pieces) if pieces else None


def _time_of_day(m: re.Match[str]) -> Said | None:
    pieces = _pieces(m)
    if pieces is None:
        return None
    if _TIME_OF_DAY.search(m.string, max(0, m.start() - 4), m.start()):
        return grouped(m, *pieces, "")
    return _MERIDIEM[m.group(6).strip()[0].lower()] + "".join(pieces)


RULES = (
    Rule.of("time", rf"{_HOUR}(?:{_MINUTES})?(\s?[aApP]\.?[mM]\.?)(?![A-Za-z\d])", _time_of_day),
    Rule.of("time", rf"{_HOUR}{_MINUTES}(?![\d.:])", _time),
)
