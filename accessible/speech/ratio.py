"""Ratios: 18.7:51.7:29.6 十八点七比五十一点七比二十九点六 (full-width ： too)."""

from __future__ import annotations

import re

from .cardinal import say_number
from .rule import NUMBER, Rule, Said, split


def _ratio(m: re.Match[str]) -> Said:
    tokens = split(m.group(), r"\s*:\s*")
    return [(t, "比" if k % 2 else say_number(t)) for k, t in enumerate(tokens)]


RULES = (Rule.of("ratio", rf"(?<![\d.:])(?:{NUMBER})(?:\s*:\s*(?:{NUMBER}))+(?![\d.:])", _ratio),)
