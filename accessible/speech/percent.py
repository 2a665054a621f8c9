"""Percentages and per-mille: 8.2% 百分之八点二, 100% 百分之百, 1‰ 千分之一, 5%-8%.

8.2% is one unit (百分之 is said before the number it follows); in a range each end
is its own part, and a sign written once (5-8%) is said with both ends.
"""

from __future__ import annotations

import re

from .cardinal import say_number
from .rule import NUMBER, Rule, Said, grouped

_PER = {"%": "百分之", "‰": "千分之"}


def say_percent(number: str, sign: str) -> str:
    return _PER[sign] + ("百" if sign == "%" and number == "100" else say_number(number))


def _percent(m: re.Match[str]) -> str:
    return say_percent(m.group(1), m.group(2))


def _range(m: re.Match[str]) -> Said:
    low, sign = m.group(1).rstrip("%‰"), m.group(4)
    return grouped(m, say_percent(low, sign), "到", say_percent(m.group(3), sign), "")


RULES = (
    Rule.of("percent", rf"(?<![\d.])({NUMBER}[%‰]?)(\s*(?:-|~|—|–|至|到)\s*)({NUMBER})([%‰])", _range),
    Rule.of("percent", rf"(?<![\d.])({NUMBER})\s*([%‰])", _percent),
)
