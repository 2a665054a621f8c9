"""Numbers written as one character: Ⅳ 四, ① 一, ⑴ 一, ㈠ 一, ½ 二分之一, 3½ 三又二分之一,
and ○ between Chinese numerals read 零 (二○一七年: a circle typed for 〇).

Unicode gives each such character its value, so no table is needed: circled,
parenthesized and Roman numerals, vulgar fractions, super- and subscript digits.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from .cardinal import say_integer
from .rule import Rule, Said, grouped

# Latin-1 (²½), super/subscripts, number forms, enclosed alphanumerics, dingbats, CJK enclosed
_BLOCKS = ((0x80, 0x100), (0x2070, 0x20A0), (0x2150, 0x2190), (0x2460, 0x2500), (0x2776, 0x2794),
           (0x3220, 0x3230), (0x3248, 0x3260), (0x3280, 0x328A), (0x32B1, 0x32C0))
_ODD = "⅟↉"  # "numerator one" and "zero thirds": parts of fractions, not numbers


def _value(c: str) -> Fraction:
    return Fraction(unicodedata.numeric(c)).limit_denominator(1000)


def _characters() -> tuple[str, str]:
    """(integer characters, fraction characters)."""
    found = [chr(c) for a, b in _BLOCKS for c in range(a, b)
             if unicodedata.numeric(chr(c), None) is not None and chr(c) not in _ODD]
    return ("".join(c for c in found if _value(c).denominator == 1),
            "".join(c for c in found if _value(c).denominator != 1))


def say_value(value: Fraction) -> str:
    if value.denominator == 1:
        return say_integer(str(value.numerator))
    return f"{say_integer(str(value.denominator))}分之{say_integer(str(value.numerator))}"


def _fraction(m: re.Match[str]) -> Said:
    whole = m.group(1)
    said = say_value(_value(m.group(2)))
    return grouped(m, say_integer(whole), "又" + said) if whole else said


_INTEGERS, _FRACTIONS = _characters()
_HAN_DIGITS = "零〇一二三四五六七八九十"

RULES = (
    Rule.of("numeral", rf"(?<![\d.])(\d+)?([{_FRACTIONS}])", _fraction),
    Rule.of("numeral", f"[{_INTEGERS}]", lambda m: say_value(_value(m.group()))),
    Rule.of("numeral", f"(?<=[{_HAN_DIGITS}○])○|○(?=[{_HAN_DIGITS}○])", lambda m: "零"),
)
