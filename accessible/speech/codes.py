"""Codes read digit by digit: road numbers (106国道 一零六国道, 307省道), standard numbers
(ISO 9001 ISO九零零一, GB/T 19001-2016; prefixes in data/standards.txt) and postcodes
(邮编053000)."""

from __future__ import annotations

import re

from . import tables
from .cardinal import say_digits
from .rule import Rule, Said, preceded_by, split

_SIGN = {"-": "杠", "—": "杠", ".": "点", ":": "冒号"}


def _standard(m: re.Match[str]) -> Said:
    return [(t, _SIGN[t] if k % 2 else say_digits(t)) for k, t in enumerate(split(m.group(), "[-—.:]"))]


RULES = (
    Rule.of("code", r"(?<![\d.])\d+(?=国道|省道|县道|乡道)", lambda m: say_digits(m.group())),
    Rule.of("code", rf"{preceded_by(tables.words('standards.txt'), ' ')}\d+(?:[-—.:]\d+)*(?![\d.])", _standard),
    Rule.of("code", rf"{preceded_by(('邮编', '邮政编码'), ':', ' ')}\d{{6}}(?!\d)", lambda m: say_digits(m.group())),
)
