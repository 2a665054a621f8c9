"""Ranges: 3-5年 三到五年, 1-2个 一到两个, 2－4个 两到四个, 3至5年 三至五年.

Both ends take the counting reading of what follows (两 before a measure word).
A written dash is read 到; 至/到 are kept as written.
"""

from __future__ import annotations

import re

from .cardinal import counts, say_number
from .rule import NUMBER, Rule, Said, grouped

_LINK = {"-": "到", "~": "到", "—": "到", "–": "到", "至": "至", "到": "到"}


def _range(m: re.Match[str]) -> Said:
    counted = counts(m)
    low, link, high = m.group(1), m.group(2).strip(), m.group(3)
    return grouped(m, say_number(low, counted=counted), _LINK[link], say_number(high, counted=counted))


RULES = (
    Rule.of("range", rf"(?<![\d.])({NUMBER})(\s*(?:-|~|—|–|至|到)\s*)({NUMBER})(?![\d.]|\s*[%‰:])", _range),
)
