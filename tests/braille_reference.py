"""liblouis as the independent reference for our braille, and what the comparison needs.

liblouis (Debian liblouis-bin + liblouis-data, installed by `make system`) translates
Chinese with its own dictionary: ``zhcn-cbs.ctb`` writes common braille (国家通用盲文),
``zh-chn.ctb`` current braille. It does not separate words, so cells are compared with
blank cells left out on both sides, aligned by difflib.
"""

from __future__ import annotations

import collections
import difflib
import re
import shutil
import subprocess
import unicodedata
from functools import cache

import pytest

from accessible.outputs.braille.cells import BLANK

TABLES = "/usr/share/liblouis/tables"

needs_liblouis = pytest.mark.skipif(
    shutil.which("lou_translate") is None, reason="liblouis (lou_translate) is not installed: run `make system` as root"
)


def liblouis(lines: list[str], table: str = "zhcn-cbs.ctb") -> list[str]:
    """liblouis's braille for each line (Unicode braille; one call for all lines)."""
    done = subprocess.run(
        ["lou_translate", "--forward", table], input="\n".join(lines) + "\n",
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    out = done.stdout.split("\n")
    assert len(out) >= len(lines), done.stderr
    return out[: len(lines)]


def agreement(ours: str, reference: str) -> tuple[int, int]:
    """(cells that agree, cells compared): blank cells dropped, then aligned."""
    a, b = ours.replace(BLANK, ""), reference.replace(BLANK, "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()), max(len(a), len(b))


def _toned(reading: str) -> tuple[str, int]:
    plain = unicodedata.normalize("NFD", reading)
    tone = next((t for mark, t in (("\u0304", 1), ("\u0301", 2), ("\u030c", 3), ("\u0300", 4)) if mark in plain), 5)
    return "".join(c for c in plain if not unicodedata.combining(c)), tone


@cache
def polyphones() -> frozenset[str]:
    """Characters read two ways in common words: across pypinyin's phrase dictionary (an
    independent source, not our reading table) a second toned reading covers at least 5 %
    of the character's phrases (and three of them). 一 and 不 change only by sandhi,
    which braille does not write, so they are not counted."""
    from pypinyin.phrases_dict import phrases_dict

    counts: dict[str, collections.Counter[tuple[str, int]]] = collections.defaultdict(collections.Counter)
    for phrase, readings in phrases_dict.items():
        if len(readings) == len(phrase):
            for char, (reading, *_) in zip(phrase, readings):
                syllable = _toned(reading)
                if syllable[1] != 5:
                    counts[char][syllable] += 1
    found = set()
    for char, seen in counts.items():
        common = seen.most_common(2)
        if len(common) == 2 and common[1][1] >= max(3, 0.05 * sum(seen.values())):
            found.add(char)
    return frozenset(found - set("一不"))


def clauses(text: str) -> list[str]:
    """The pieces of a text between sentence and clause punctuation."""
    return [c for c in re.split(r"[，。；：、！？\n]", text) if c.strip()]
