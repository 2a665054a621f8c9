"""Amounts of money with a currency sign or code: ￥13.5 十三点五元, $1.5万 一点五万美元,
HKD 13.5 十三点五港元, 13.5 USD 十三点五美元 (data/currencies.txt).

The currency is said after the amount, as a news reader does; a sign written before
the amount makes the whole expression one unit (the spoken order differs), a code
written after it is a part of its own. Where the currency is also written out after
the amount (￥85.6亿元, $3万美元) the sign goes unsaid. The amount counts (两美元).
"""

from __future__ import annotations

import re
from functools import cache

from . import tables
from .cardinal import say_number
from .rule import NUMBER, Rule, Said, grouped


@cache
def currencies() -> dict[str, str]:
    return tables.pairs("currencies.txt")


_SCALE = r"(?:万亿|[万亿千])?"


def _before(m: re.Match[str]) -> Said:
    sign, number, scale = m.group(1), m.group(2), m.group(3)
    if _named().match(m.string, m.end()):
        return grouped(m, "", say_number(number, counted=True), scale)
    return say_number(number, counted=True) + scale + currencies()[sign]


@cache
def _named() -> re.Pattern[str]:
    """A currency written out in words: 元, 美元, 元人民币 …"""
    return re.compile(tables.alternation({"元", *currencies().values()}))


def _after(m: re.Match[str]) -> Said:
    return grouped(m, say_number(m.group(1), counted=True), m.group(2), currencies()[m.group(3).strip()])


def _rules() -> tuple[Rule, ...]:
    signs = tables.alternation(currencies())
    codes = tables.alternation(c for c in currencies() if c.isalpha())
    return (
        Rule.of("money", rf"(?<![A-Za-z])({signs})\s?({NUMBER})({_SCALE})", _before),
        Rule.of("money", rf"(?<![\d.])({NUMBER})({_SCALE})(\s?(?:{codes}))(?![A-Za-z])", _after),
    )


RULES = _rules()
