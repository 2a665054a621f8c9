"""Signs: “1+27” 一加二十七, 互联网+ 互联网加, “1+N” 一加N, ±0.5 正负零点五, -5% 负百分之五,
7×24小时 七乘二十四小时."""

from __future__ import annotations

import re

from .cardinal import say_number
from .rule import HAN, NUMBER, Rule, Said, split


def _sum(m: re.Match[str]) -> Said:
    tokens = split(m.group(), r"\s*\+\s*")
    return [(t, "加" if k % 2 else say_number(t)) for k, t in enumerate(tokens)]


RULES = (
    Rule.of("sign", rf"(?<![\d.])(?:{NUMBER})(?:\s*\+\s*(?:{NUMBER}))+(?![\d.])", _sum),
    Rule.of("sign", rf"(?<=[{HAN}A-Za-z\d”’」』)）])\+", lambda m: "加"),
    Rule.of("sign", r"(?<=\d)\s*×\s*(?=\d)", lambda m: "乘"),
    Rule.of("sign", r"±", lambda m: "正负"),
    Rule.of("sign", r"(?<![\dA-Za-z.)）])-(?=\d)", lambda m: "负"),
)
