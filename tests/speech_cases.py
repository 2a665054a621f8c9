"""The `written => spoken` case files of the speech rules (tests/data/speech/*.txt), and the
polyphone tables whose sentences mark the characters they test (`read_marked`).

In the rules' files a ``|`` marks where one part of an expression ends and the next
begins, on both sides: ``18.7|:|51.7 => 十八点七|比|五十一点七`` says 18.7 is read
十八点七, the colon 比 and 51.7 五十一点七, each on its own (see `rule.Part`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CASES = Path(__file__).parent / "data" / "speech"
MARK = "|"


def read_cases(path: Path) -> list[tuple[str, str]]:
    """Lines ``written => spoken``; ``#`` comments and blank lines skipped."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            written, sep, spoken = line.partition(" => ")
            assert sep, f"{path.name}: no ' => ' in {line!r}"
            cases.append((written.strip(), spoken.strip()))
    return cases


def unmark(text: str) -> tuple[str, tuple[int, ...]]:
    """The text without its ``|`` marks, and where they stood in it."""
    pieces = text.split(MARK)
    cuts, pos = [], 0
    for piece in pieces[:-1]:
        pos += len(piece)
        cuts.append(pos)
    return "".join(pieces), tuple(cuts)


@dataclass(frozen=True)
class Marked:
    """A sentence with characters marked 【like this】 and the pinyin each must get."""

    text: str  # the sentence, marks removed
    marks: tuple[tuple[int, str], ...]  # (index in text, tone-number syllable)


def read_marked(path: Path) -> list[Marked]:
    """Lines ``sentence with 【X】 => pinyin of each marked character, in order``."""
    cases = []
    for written, spoken in read_cases(path):
        parts = re.split(r"【(.)】", written)
        expected = spoken.split()
        text, marks = parts[0], []
        for char, rest in zip(parts[1::2], parts[2::2]):
            marks.append(len(text))
            text += char + rest
        assert len(marks) == len(expected) > 0, f"{path.name}: {len(marks)} mark(s), {len(expected)} syllable(s) in {written!r}"
        cases.append(Marked(text, tuple(zip(marks, expected))))
    return cases
