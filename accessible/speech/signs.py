"""Signs whose reading depends on their neighbours: “1+27” 一加二十七, 互联网+ 互联网加,
“1+N” 一加N, -5% 负百分之五, -百分之1 负百分之一, 2<=4 二小于等于四, 票数>100 票数大于一百,
1#楼 一号楼. Signs read the same anywhere (= ≥ × ±) are in data/symbols.txt."""

from __future__ import annotations

import re

from .cardinal import say_number
from .rule import HAN, NUMBER, Rule, Said, split

_COMPARE = {"<=": "小于等于", ">=": "大于等于", "<": "小于", ">": "大于"}


def _sum(m: re.Match[str]) -> Said:
    tokens = split(m.group(), r"\s*\+\s*")
    return [(t, "加" if k % 2 else say_number(t)) for k, t in enumerate(tokens)]


RULES = (
    Rule.of("sign", rf"(?<![\d.])(?:{NUMBER})(?:\s*\+\s*(?:{NUMBER}))+(?![\d.])", _sum),
    Rule.of("sign", rf"(?<=[{HAN}A-Za-z\d”’」』)）])\+", lambda m: "加"),
    Rule.of("sign", r"(?<![\dA-Za-z.)）])-(?=\d|百分之|千分之)", lambda m: "负"),
    # < and > are brackets too (<<规划>>): a comparison only before a number
    Rule.of("sign", rf"(?<=[{HAN}A-Za-z\d%‰)）])\s*(<=|>=|<|>)\s*(?=[-+]?\d)", lambda m: _COMPARE[m.group(1)]),
    Rule.of("sign", r"(?<=\d)#", lambda m: "号"),
)
