"""Signs said as words wherever they stand (data/symbols.txt: = 等于, ≥ 大于等于, & 和,
α 阿尔法), and the last resort for the rest.

Whatever is neither a character the voice can say (Han, Latin letters, digits) nor a
pause (data/silent.txt: punctuation, bullets) nor read by an earlier rule is kept as
written, which the voice cannot say, and flagged as "unknown" so that `accessible read
--warn` lists it: a sign that silently drops out of the audio (a ￥ before an amount)
is a bug a proofreader must see.
"""

from __future__ import annotations

import re
from functools import cache

from . import tables
from .rule import HAN, Rule

_SAYABLE = rf"\sA-Za-z0-9{HAN}\uf900-\ufaff\U00020000-\U0003134f〇"


@cache
def symbols() -> dict[str, str]:
    return tables.pairs("symbols.txt")


def unsaid() -> str:
    """A regex class of the characters that are neither sayable nor silent."""
    silent = "".join(re.escape(c) for c in sorted(tables.words("silent.txt")))
    return f"[^{_SAYABLE}{silent}]"


RULES = (
    Rule.of("symbol", tables.alternation(symbols()), lambda m: symbols()[m.group()]),
    Rule.of("unknown", unsaid() + "+", lambda m: m.group()),
)
