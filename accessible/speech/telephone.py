"""Telephone and hotline numbers, digit by digit with 1 read 幺: 961890 九六幺八九零.

A digit string is a phone number when 热线/电话/专线/拨打 stand just before it, when
热线/电话/专线/服务台 follow within a few characters (开通961890群众服务热线), or when
it is shaped like one (0318-2123456, a mobile 13912345678). A count (3000个热线)
is not.
"""

from __future__ import annotations

import re

from .cardinal import say_digits
from .rule import HAN, Rule, Said, counted_after, split

_BEFORE = ("热线", "电话", "专线", "拨打", "号码", "热线电话")
_AFTER = "热线|专线|电话|服务台|服务平台"
_CUE = "(?:" + "|".join(f"(?<={w}{c})" for w in _BEFORE for c in ("", ":", " ")) + ")"


def _phone(m: re.Match[str]) -> Said | None:
    if counted_after(m.string, m.end()):
        return None
    # each group of digits is a part; the dash between groups is a pause, not a word
    return [(t, "" if k % 2 else say_digits(t, yao=True)) for k, t in enumerate(split(m.group(), "-"))]


RULES = (
    Rule.of("telephone", rf"{_CUE}\d[\d-]{{1,}}\d(?![\d.])", _phone),
    Rule.of("telephone", rf"(?<![\d.])\d{{3,}}(?![\d.])(?=[{HAN}]{{0,6}}?(?:{_AFTER}))", _phone),
    Rule.of("telephone", r"(?<![\d.])(?:0\d{2,3}-\d{7,8}|1[3-9]\d{9})(?![\d.])", _phone),
)
