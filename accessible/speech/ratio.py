"""Ratios: 18.7:51.7:29.6 十八点七比五十一点七比二十九点六 (full-width ： too)."""

from __future__ import annotations

import re

from .cardinal import say_number
from .rule import NUMBER, Rule


def _ratio(m: re.Match[str]) -> str:
    return "比".join(say_number(part.strip()) for part in m.group().split(":"))


RULES = (Rule.of("ratio", rf"(?<![\d.:])(?:{NUMBER})(?:\s*:\s*(?:{NUMBER}))+(?![\d.:])", _ratio),)
