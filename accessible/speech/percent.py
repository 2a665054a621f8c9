"""Percentages and per-mille: 8.2% 百分之八点二, 100% 百分之百, 1‰ 千分之一, 5%-8%."""

from __future__ import annotations

import re

from .cardinal import say_number
from .rule import NUMBER, Rule

_PER = {"%": "百分之", "‰": "千分之"}


def say_percent(number: str, sign: str) -> str:
    return _PER[sign] + ("百" if sign == "%" and number == "100" else say_number(number))


def _percent(m: re.Match[str]) -> str:
    return say_percent(m.group(1), m.group(2))


def _range(m: re.Match[str]) -> str:
    low, high, sign = m.group(1), m.group(2), m.group(3)
    return f"{say_percent(low, sign)}到{say_percent(high, sign)}"


RULES = (
    Rule.of("percent", rf"(?<![\d.])({NUMBER})[%‰]?\s*(?:-|~|—|–|至|到)\s*({NUMBER})([%‰])", _range),
    Rule.of("percent", rf"(?<![\d.])({NUMBER})\s*([%‰])", _percent),
)
