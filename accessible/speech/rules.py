"""The ordered rule list: where two rules match at the same place, the earlier wins.

Most specific first: addresses, then numbers whose reading the context fixes
(phones, codes, quoted codes, money, dates, powers, scores, times) before the
general number shapes, plain amounts after those, the digit-by-digit fallback next,
and last the signs: read from their table, or flagged, so nothing is left unread
without a warning.
"""

from __future__ import annotations

from . import (cardinal, clock, codes, date, fallback, fraction, letters, measure, money, numerals, percent, power,
               quoted, ranges, ratio, score, signs, symbols, telephone, url)
from .rule import Rule

RULES: tuple[Rule, ...] = (
    *url.RULES,
    *telephone.RULES,
    *codes.RULES,
    *quoted.RULES,
    *money.RULES,
    *date.RULES,
    *power.RULES,
    *score.RULES,
    *clock.RULES,
    *ratio.RULES,
    *percent.RULES,
    *ranges.RULES,
    *fraction.RULES,
    *measure.RULES,
    *letters.RULES,
    *numerals.RULES,
    *signs.RULES,
    *cardinal.RULES,
    *fallback.RULES,
    *symbols.RULES,
)
