"""Powers and scientific notation: 10^5 十的五次方, 10⁵ 十的五次方, 1e10 一乘十的十次方,
3.5E-4 三点五乘十的负四次方. Each written token is a part (1 | e | 10)."""

from __future__ import annotations

import re

from .cardinal import say_integer, say_number
from .rule import NUMBER, Rule, Said, grouped

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def _exponent(written: str) -> str:
    digits = written.translate(_SUPERSCRIPT)
    sign = "负" if digits.startswith("-") else ""
    return sign + say_integer(digits.lstrip("+-")) + "次方"


def _scientific(m: re.Match[str]) -> Said:
    return grouped(m, say_number(m.group(1)), "乘十的", _exponent(m.group(3)))


def _power(m: re.Match[str]) -> Said:
    return grouped(m, say_number(m.group(1)), "的", _exponent(m.group(3)))


def _superscript(m: re.Match[str]) -> Said:
    return grouped(m, say_number(m.group(1)), "的" + _exponent(m.group(2)))


RULES = (
    Rule.of("power", rf"(?<![A-Za-z\d.])({NUMBER})([eE])([+-]?\d{{1,3}})(?![A-Za-z\d.])", _scientific),
    Rule.of("power", rf"(?<![\d.])({NUMBER})(\s*\^\s*)([+-]?\d{{1,3}})(?![\d.])", _power),
    Rule.of("power", rf"(?<![\d.])({NUMBER})([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)", _superscript),
)
