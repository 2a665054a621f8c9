"""Codes in quotes, digit by digit: “323” 三二三, “5・18” 五一八, “3·15” 三一五; and the
same month·day names of events without quotes: 5·12地震 五一二地震, 3·15晚会.

Only a quote that holds nothing but digits (with dots between) is a code name; short
ones (“1”) and quotes with words (“中国制造2025”, “1+27”) are left to other rules.
A middle dot (not a full stop: 3.15 is a decimal) between a month and a day names
an event anywhere.
"""

from __future__ import annotations

import re

from .cardinal import say_digits
from .rule import Rule, Said, split

_OPEN, _CLOSE = "“\"「『‘'", "”\"」』’'"


def _code(m: re.Match[str]) -> Said | None:
    code = m.group()
    if code.isdigit() and len(code) < 3:
        return None
    # the dot of “5・18” is not said: it joins the digits before it
    return [(t, "" if k % 2 else say_digits(t)) for k, t in enumerate(split(code, "[·・•.]"))]


RULES = (
    Rule.of("code", rf"(?<=[{_OPEN}])\d+(?:[·・•.]\d+)*(?=[{_CLOSE}])", _code),
    Rule.of("code", r"(?<![\d.·・•])(?:1[0-2]|0?[1-9])[·・•](?:[12]\d|3[01]|0?[1-9])(?![\d.·・•])", _code),
)
