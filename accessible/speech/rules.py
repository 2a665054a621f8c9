"""The ordered rule list: where two rules match at the same place, the earlier wins.

Most specific first: numbers whose reading the context fixes (phones, road codes,
quoted codes, dates, times) before the general number shapes, plain amounts last
but one, and the digit-by-digit fallback last, so no digit is ever left unread.
"""

from __future__ import annotations

from . import cardinal, clock, codes, date, fallback, fraction, letters, measure, percent, quoted, ranges, ratio, signs, telephone
from .rule import Rule

RULES: tuple[Rule, ...] = (
    *telephone.RULES,
    *codes.RULES,
    *quoted.RULES,
    *date.RULES,
    *clock.RULES,
    *ratio.RULES,
    *percent.RULES,
    *ranges.RULES,
    *fraction.RULES,
    *measure.RULES,
    *letters.RULES,
    *signs.RULES,
    *cardinal.RULES,
    *fallback.RULES,
)
