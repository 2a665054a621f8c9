"""Whatever no rule knew, read digit by digit so it stays audible, and flagged
("unknown") for `accessible read --warn`: 3.14.15 三点一四点一五, very long digit runs,
1/0 一斜杠零 (no fraction has a zero below the line)."""

from __future__ import annotations

import re

from .cardinal import say_digits
from .rule import Rule, Said, split


def _dotted(m: re.Match[str]) -> Said:
    return [(t, "点" if k % 2 else say_digits(t)) for k, t in enumerate(split(m.group(), r"\."))]


RULES = (
    Rule.of("unknown", r"\d+(?:\.\d+){2,}", _dotted),
    Rule.of("unknown", r"\d+", lambda m: say_digits(m.group())),
    Rule.of("unknown", r"(?<=\d)\s*/\s*(?=\d)", lambda m: "斜杠"),
)
