"""Road and route numbers, digit by digit: 106国道 一零六国道, 307省道."""

from __future__ import annotations

from .cardinal import say_digits
from .rule import Rule

RULES = (Rule.of("code", r"(?<![\d.])\d+(?=国道|省道|县道|乡道)", lambda m: say_digits(m.group())),)
