"""Units after a number: symbols spelled out (10km 十公里, 35万m² 三十五万平方米) and / read
每 (87微克/立方米).

The number itself is read by the number rules, which look at the unit (data/units.txt)
to choose 两. A new unit is one line in that file.
"""

from __future__ import annotations

from functools import cache

from . import tables
from .rule import Rule, grouped, preceded_by, units


@cache
def _spelled() -> dict[str, str]:
    return {w: s for w, s in units().items() if w != s}


def _rules() -> tuple[Rule, ...]:
    counters = tables.words("measure_words.txt") | frozenset(units())
    return (
        Rule.of("measure", rf"(?:(?<=\d)|(?<=\d[万亿千]))\s?(?:{tables.alternation(_spelled())})(?![A-Za-z])",
                lambda m: _spelled()[m.group().strip()]),
        Rule.of("measure", rf"{preceded_by(counters)}(/)({tables.alternation(counters)})",
                lambda m: grouped(m, "每", _spelled().get(m.group(2), m.group(2)))),
    )


RULES = _rules()
