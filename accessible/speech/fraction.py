"""Fractions: 1/3 三分之一, 2/3 三分之二, 1 / 2 二分之一 (one unit: the denominator is said first)."""

from __future__ import annotations

import re

from .cardinal import say_integer
from .rule import Rule


def _fraction(m: re.Match[str]) -> str | None:
    numerator, denominator = m.group(1), m.group(2)
    if int(denominator) == 0:
        return None
    return f"{say_integer(denominator)}分之{say_integer(numerator)}"


RULES = (Rule.of("fraction", r"(?<![\d./])(\d+)\s*/\s*(\d+)(?![\d./])", _fraction),)
