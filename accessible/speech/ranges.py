"""Ranges: 3-5年 三到五年, 1-2个 一到两个, 2－4个 两到四个, 3至5年 三至五年,
3.5万—4万 三点五万到四万.

Both ends take the counting reading of what follows (两 before a measure word).
A written dash is read 到; 至/到 are kept as written. The first end may carry its
own 万/亿 when the second does too. A dash left between two expressions other rules
read (2015年-2017年, 8:30-17:30) is a range too.
"""

from __future__ import annotations

import re

from .cardinal import counts, say_number
from .rule import NUMBER, Rule, Said, grouped

_LINK = {"-": "到", "~": "到", "—": "到", "——": "到", "–": "到", "至": "至", "到": "到"}


def _range(m: re.Match[str]) -> Said | None:
    scale = m.group(2) or ""
    if scale and not m.string.startswith(scale, m.end()):
        return None  # 3万-5: not a range of ten thousands
    counted = counts(m)
    low, link, high = m.group(1), m.group(3).strip(), m.group(4)
    return grouped(m, say_number(low, counted=counted or bool(scale)), scale, _LINK[link],
                   say_number(high, counted=counted))


RULES = (
    Rule.of("range", rf"(?<![\d.])({NUMBER})([万亿千])?(\s*(?:-|~|——|—|–|至|到)\s*)({NUMBER})(?![\d.]|\s*[%‰:])", _range),
    Rule.of("range", r"(?<=[\d年月日号时分秒%‰])\s*(?:-|~|——|—|–)\s*(?=\d)", lambda m: "到"),
)
