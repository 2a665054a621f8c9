"""Telephone and hotline numbers, digit by digit with 1 read 幺: 961890 九六幺八九零.

A digit string is a phone number when 热线/电话/专线/拨打/尾号 … stand just before it,
when 热线/电话/专线/服务台 follow within a few characters (开通961890群众服务热线), when
it is shaped like one (0318-2123456, a mobile 13912345678, +86 138 0013 8000), or
when it is a 123xx government service line (12345, 12306). A count (3000个热线) is
not. Each group of digits is a part; the dash or space between groups is a pause.
"""

from __future__ import annotations

import re

from .cardinal import say_digits
from .rule import HAN, Rule, Said, counted_after, preceded_by, split

_BEFORE = ("热线", "电话", "专线", "拨打", "号码", "热线电话", "尾号", "尾号是", "尾号为", "手机", "手机号", "传真")
_AFTER = "热线|专线|电话|服务台|服务平台"
_CUE = preceded_by(_BEFORE, ":", " ")
_GROUPS = r"\d(?:[\d-]| (?=\d))+\d"  # digits, groups joined by - or one space


def _phone(m: re.Match[str]) -> Said | None:
    if counted_after(m.string, m.end()):
        return None
    return [(t, "" if k % 2 else say_digits(t, yao=True)) for k, t in enumerate(split(m.group(), "[- ]"))]


def _international(m: re.Match[str]) -> Said:
    tokens = split(m.group()[1:], r"[\s-]+")
    said = [(t, "" if k % 2 else say_digits(t, yao=True)) for k, t in enumerate(tokens)]
    return [("+" + said[0][0], "加" + said[0][1]), *said[1:]]


RULES = (
    Rule.of("telephone", r"(?<![A-Za-z0-9+])\+\d{1,3}(?:[\s-]\d{1,5}){1,5}(?![\d.])|(?<![A-Za-z0-9+])\+\d{7,15}(?![\d.])", _international),
    Rule.of("telephone", rf"{_CUE}{_GROUPS}(?![\d.])", _phone),
    Rule.of("telephone", rf"(?<![\d.])\d{{3,}}(?![\d.])(?=[{HAN}]{{0,6}}?(?:{_AFTER}))", _phone),
    Rule.of("telephone", r"(?<![\d.])(?:0\d{2,3}-\d{7,8}|1[3-9]\d{9}|123\d\d)(?![\d.%‰])", _phone),
    Rule.of("telephone", r"(?<=\d转)\d{1,6}(?![\d.])", _phone),  # an extension: 0318-2123456转8001
)
