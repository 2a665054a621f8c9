"""Integers and decimals in words: 1011 一千零一十一, 2个 两个, 13.0 十三点零.

The functions here are the vocabulary every other rule speaks with; the rule at the
end reads a number that no more specific rule claimed (an amount or a count).
News-reader style for 两: a lone 2 before a measure word or unit (两个, 两亿元) and
a leading 2 before 千/万/亿 (两千, 两万三千七百八十七); 二 elsewhere (二百, 十二, 第二).
"""

from __future__ import annotations

import re

from .rule import NUMBER, Rule, counted_after

DIGITS = "零一二三四五六七八九"
_PLACES = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
_GROUPS = ("", "万", "亿", "万亿")
MAX_DIGITS = 16  # up to 万亿 groups; longer runs are read digit by digit


def say_digits(digits: str, *, yao: bool = False) -> str:
    """Digit by digit: 106 一零六; with ``yao`` the 1 of phone numbers is 幺."""
    out = "".join(DIGITS[int(d)] for d in digits if d.isdigit())
    return out.replace("一", "幺") if yao else out


def _group(n: int) -> str:
    """0 < n < 10000, with inner zeros read once: 1011 一千零一十一."""
    out: list[str] = []
    zero = False
    for place, unit in _PLACES:
        d = n // place % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[d] + unit)
    return "".join(out)


def say_integer(digits: str, *, counted: bool = False) -> str:
    """An integer in words; ``counted``: a measure word follows (2个 两个)."""
    digits = digits.replace(",", "")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        return say_digits(digits)
    n = int(digits)
    if n == 0:
        return "零"
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    parts: list[str] = []
    gap = False
    for i in reversed(range(len(groups))):
        g = groups[i]
        if g == 0:
            gap = bool(parts)
            continue
        if parts and (gap or g < 1000):
            parts.append("零")
        gap = False
        parts.append(_group(g) + _GROUPS[i])
    text = "".join(parts)
    if text.startswith("一十"):
        text = text[1:]
    if text.startswith("二") and (text[1:2] in ("千", "万", "亿") or (counted and text == "二")):
        text = "两" + text[1:]
    return text


def say_number(number: str, *, counted: bool = False) -> str:
    """An integer or decimal as written (``1,413.4``); decimals never take 两."""
    whole, dot, fraction = number.partition(".")
    if not dot:
        return say_integer(whole, counted=counted)
    return say_integer(whole) + "点" + say_digits(fraction)


def counts(m: re.Match[str]) -> bool:
    """Whether the matched number counts something: a measure word or unit follows, no 第 before."""
    text = m.string
    return counted_after(text, m.end()) and not text.endswith("第", 0, m.start())


def _cardinal(m: re.Match[str]) -> str | None:
    number = m.group()
    if len(number.partition(".")[0].replace(",", "").lstrip("0")) > MAX_DIGITS:
        return None  # too long for an amount: the fallback spells it out and warns
    if len(number) > 1 and number.startswith("0") and "." not in number:
        return say_digits(number)  # 007, 0318: a code, not an amount
    return say_number(number, counted=counts(m))


RULES = (Rule.of("cardinal", rf"(?<![\d.])(?:{NUMBER})(?!\d|\.\d)", _cardinal),)
