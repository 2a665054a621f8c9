"""Clock times: 10:30 十点三十分, 8:05 八点零五分, 2:00 两点.

Two integer fields, an hour up to 24 and minutes 00–59, are a time unless the words
just before speak of a ratio (比, 比例, 比重 …); then ratio.py reads it. The colon
says 点; :00 and the colon before the seconds go unsaid, with the part before them.
"""

from __future__ import annotations

import re

from .cardinal import say_digits, say_integer
from .rule import Rule, Said, grouped

_RATIO_WORDS = re.compile(r"比|结构|配比|之比")


def _time(m: re.Match[str]) -> Said | None:
    if _RATIO_WORDS.search(m.string, max(0, m.start() - 8), m.start()):
        return None
    hour, minute, second = m.group(1), m.group(3), m.group(5)
    said_minute = ""
    if minute != "00" or second:
        said_minute = (say_digits(minute) if minute.startswith("0") else say_integer(minute)) + "分"
    said_second = say_integer(second) + "秒" if second else ""
    return grouped(m, say_integer(hour, counted=True), "点", said_minute, "", said_second)


RULES = (Rule.of("time", r"(?<![\d.:])([01]?\d|2[0-4])(:)([0-5]\d)(?:(:)([0-5]\d))?(?![\d.:])", _time),)
