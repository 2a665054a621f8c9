"""Codes in quotes, digit by digit: “323” 三二三, “5・18” 五一八, “3·15” 三一五.

Only a quote that holds nothing but digits (with dots between) is a code name; short
ones (“1”) and quotes with words (“中国制造2025”, “1+27”) are left to other rules.
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


RULES = (Rule.of("code", rf"(?<=[{_OPEN}])\d+(?:[·・•.]\d+)*(?=[{_CLOSE}])", _code),)
