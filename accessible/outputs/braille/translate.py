"""A sentence in Chinese braille: syllables from the speech layer's reading, numbers,
letters and punctuation from the original text.

Each Han character the voice read as itself gets the syllable the voice used, in its
written form (`Syllable.written`: the polyphone decision, before tone sandhi; 一 and
不 in their own tone). Digits, Latin letters and signs are written from the original
text as braille writes them (`2017年` is ⠼⠃⠚⠁⠛, not 二零一七); anything else the
speech layer rewrote (℃ said 摄氏度, a symbol with no braille sign) is written as the
syllables it was read with, so nothing is dropped.

Words follow the speech layer's words (jieba), joined the way Chinese braille
writes them together (分词连写): a neutral-tone particle (的 了 们 着 过 吗 …), a
one-syllable place word (上 下 中 内 外 …) and a measure word after a numeral go with
the word before; 不 goes with a one-syllable word after it. Punctuation sticks to
its word; numbers and letters stand apart from the syllables around them (a blank
cell), so a syllable after digits is not read as more digits.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ...errors import OutputError
from ...model import Sentence
from .cells import cells, data_lines
from .syllable import System, syllable_cells

log = logging.getLogger("accessible")

Kind = Literal["syllable", "number", "letters", "close", "open", "join"]

NUMBER_SIGN = cells("3456")
_DECIMAL_POINT = cells("3")
_THOUSANDS = cells("2")
_RATIO = cells("25")
_CAPITAL = cells("6")
_LETTER = cells("56")  # a lowercase Latin letter follows
# GF 0019-2018's abbreviations (简写字), for the reading each stands for.
_ABBREVIATIONS = {("的", "de5"): cells("145"), ("么", "me5"): cells("134"), ("你", "ni3"): cells("1345"),
                  ("他", "ta1"): cells("2345"), ("她", "ta1"): cells("2345-1"), ("它", "ta1"): cells("4-2345")}
_PLACE_WORDS = frozenset("上下中内外里前后间旁")
_HAN_NUMERALS = frozenset("零〇一二三四五六七八九十百千万亿两几半多")


@dataclass(frozen=True)
class Piece:
    """Cells that are never split across lines, and what they are."""

    cells: str
    kind: Kind


Word = tuple[Piece, ...]


@dataclass(frozen=True)
class _Token:
    piece: Piece
    offset: int  # in the original text
    char: str = ""  # the Han character a syllable writes
    pinyin: str = ""  # the syllable's pinyin


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or c == "〇"


@cache
def _marks() -> tuple[tuple[str, Piece], ...]:
    entries = [(mark, Piece(cells(spec), place)) for mark, spec, place in data_lines("marks.txt")]  # type: ignore[arg-type]
    return tuple(sorted(entries, key=lambda e: -len(e[0])))


def _mark_at(text: str, i: int) -> tuple[str, Piece] | None:
    return next(((m, p) for m, p in _marks() if text.startswith(m, i)), None)


def _writable(seen: str, per_char: list[str | None]) -> bool:
    """Whether braille writes this (viewed) text itself: digits, letters, known marks,
    and Han characters whose syllable is known."""
    i = 0
    while i < len(seen):
        if per_char[i] or seen[i].isspace():
            i += 1
        elif found := _sign(seen, i):
            i = found[1]
        else:
            return False
    return True


@dataclass(frozen=True)
class _Said:
    per_char: list[str | None]  # per original character: its syllable, if read as itself
    instead: dict[int, tuple[int, tuple[str, ...]]]  # rewritten span start -> (end, syllables said)


def _said(sentence: Sentence) -> _Said:
    reading = sentence.reading
    if reading is None:
        raise OutputError(f"sentence {sentence.id} has no reading: braille needs the speech stage first")
    text = sentence.text
    said = {s.spoken: s.written for s in reading.syllables}
    per_char: list[str | None] = [None] * len(text)
    instead: dict[int, tuple[int, tuple[str, ...]]] = {}
    k = 0
    while k < len(reading.spoken):
        span = reading.origin[k]
        end = k
        while end < len(reading.spoken) and reading.origin[end] == span:
            end += 1
        start, stop = span
        if reading.spoken[k:end] == text[start:stop]:
            for j in range(k, end):
                per_char[start + j - k] = said.get(j)
        else:
            instead[start] = (stop, tuple(said[j] for j in range(k, end) if j in said))
            # Han characters kept inside a rewrite (the 年 of 2017年) are found in order
            # in what was said, and keep their syllables.
            pos = k
            for run in _HAN_RUN.finditer(text, start, stop):
                found = reading.spoken.find(run.group(), pos, end)
                if found < 0:
                    break
                for t in range(len(run.group())):
                    per_char[run.start() + t] = said.get(found + t)
                pos = found + len(run.group())
        k = end
    return _Said(per_char, instead)


def char_syllables(sentence: Sentence) -> list[str | None]:
    """Per original character, the written syllable the voice read it with (None where
    the character was not read as itself: digits, letters, rewritten spans)."""
    return _said(sentence).per_char


def _fallback(char: str) -> str:
    # A Han character the voice said no syllable for: braille still needs one, so the
    # dictionary reading.
    from pypinyin import Style, lazy_pinyin  # see _tokens: not loaded by a rebuild that reuses the edition

    return lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True)[0]


def _syllable(char: str, pinyin: str, system: System) -> str:
    if system == "common" and (char, pinyin) in _ABBREVIATIONS:
        return _ABBREVIATIONS[(char, pinyin)]
    return syllable_cells(pinyin, system)


_HAN_RUN = re.compile("[\u3400-\u9fff〇]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LETTERS = re.compile(r"[A-Za-z]+")


@cache
def _alphabet() -> dict[str, str]:
    return {letter: cells(spec) for letter, spec in data_lines("letters.txt")}


def number_cells(digits: str) -> str:
    """``2017`` → ``⠼⠃⠚⠁⠛``; a decimal point and thousands separators inside."""
    signs = {".": _DECIMAL_POINT, ",": _THOUSANDS, "0": _alphabet()["j"]}
    return NUMBER_SIGN + "".join(signs.get(c) or _alphabet()["abcdefghi"[int(c) - 1]] for c in digits)


def _letters(run: str) -> str:
    body = "".join(_alphabet()[c.lower()] for c in run)
    if run.isupper():
        return (_CAPITAL * 2 if len(run) > 1 else _CAPITAL) + body
    if run[0].isupper() and run[1:].islower():
        return _CAPITAL + body
    # mixed case: each capital marked, a lowercase start announced
    marked = "".join((_CAPITAL if c.isupper() else "") + _alphabet()[c.lower()] for c in run)
    return marked if run[0].isupper() else _LETTER + marked


def translate(sentence: Sentence, system: System = "common") -> tuple[Word, ...]:
    """The sentence as braille words (written with one blank cell between them)."""
    return _words(_tokens(sentence, system), _word_starts(sentence))


def _tokens(sentence: Sentence, system: System) -> list[_Token]:
    # The speech layer is imported when a sentence is translated, not with this module: a
    # rebuild that reuses the edition never loads it (seconds: pypinyin, jieba).
    from ...speech.rule import view

    text = sentence.text
    seen = view(text)
    said = _said(sentence)
    tokens: list[_Token] = []

    def syllables(offset: int, pinyin: tuple[str, ...]) -> None:
        tokens.extend(_Token(Piece(syllable_cells(p, system), "syllable"), offset, "", p) for p in pinyin)

    i = 0
    while i < len(text):
        c = seen[i]
        rewritten = said.instead.get(i)
        if rewritten and not _writable(seen[i : rewritten[0]], said.per_char[i : rewritten[0]]):
            syllables(i, rewritten[1])  # 摄氏度 for ℃ has a sign, but ① or ² has none
            i = rewritten[0]
        elif _is_han(c):
            pinyin = said.per_char[i] or _fallback(c)
            tokens.append(_Token(Piece(_syllable(c, pinyin, system), "syllable"), i, c, pinyin))
            i += 1
        elif found := _sign(seen, i):
            tokens.extend(_Token(piece, i) for piece in found[0])
            i = found[1]
        elif c.isspace():
            tokens.append(_Token(Piece("", "join"), i))  # a word break with no cells
            i += 1
        else:
            log.debug("braille: no sign for %r in %s", c, sentence.id)
            i += 1
    return tokens


def _sign(seen: str, i: int) -> tuple[tuple[Piece, ...], int] | None:
    """A number, a run of Latin letters or a mark at ``seen[i]``: its pieces and where it ends."""
    if m := _NUMBER.match(seen, i):
        if seen[m.end() : m.end() + 1] == ":" and seen[m.end() + 1 : m.end() + 2].isdigit():  # 18.7:51.7
            return (Piece(number_cells(m.group()), "number"), Piece(_RATIO, "join")), m.end() + 1
        return (Piece(number_cells(m.group()), "number"),), m.end()
    if m := _LETTERS.match(seen, i):
        return (Piece(_letters(m.group()), "letters"),), m.end()
    if found := _mark_at(seen, i):
        return (found[1],), i + len(found[0])
    # Ⅲ, ①, ² and the like: braille writes what they stand for (III, 1, 2)
    folded = unicodedata.normalize("NFKC", seen[i])
    pieces: list[Piece] = []
    at = 0
    while folded != seen[i] and at < len(folded) and (inner := _sign(folded, at)) is not None:
        pieces += inner[0]
        at = inner[1]
    return (tuple(pieces), i + 1) if pieces and at == len(folded) else None


def _word_starts(sentence: Sentence) -> set[int]:
    """Offsets of the original text where one of the speech layer's words begins."""
    reading = sentence.reading
    assert reading is not None
    return {reading.origin[s][0] for s, _ in reading.words}


def _words(tokens: list[_Token], starts: set[int]) -> tuple[Word, ...]:
    words: list[list[_Token]] = []
    glue = True  # the next piece goes into the current word (at the start, after an opening mark)
    for n, token in enumerate(tokens):
        piece = token.piece
        if not piece.cells:  # a space in the text
            glue = False
            continue
        previous = words[-1][-1].piece if words else None
        if previous is None:
            new = True
        elif piece.kind == "open":
            new = not glue and previous.kind != "join"
        elif piece.kind in ("close", "join") or previous.kind == "join" or glue:
            new = False
        elif previous.kind in ("number", "letters"):
            new = piece.kind == "syllable"  # a blank, so the syllable is not read as digits
        elif previous.kind == "close" or piece.kind in ("number", "letters"):
            new = True  # digits and letters stand apart from the syllables before them
        else:
            new = token.offset in starts and not (piece.kind == "syllable" and _joins(words[-1], tokens, n, starts))
        if new:
            words.append([])
        words[-1].append(token)
        glue = piece.kind == "open"
    return tuple(tuple(t.piece for t in w) for w in words)


def _joins(before: list[_Token], tokens: list[_Token], n: int, starts: set[int]) -> bool:
    """Whether the word starting at token n is written together with the word before
    it (分词连写)."""
    last = before[-1]
    if last.piece.kind != "syllable":
        return False
    end = n + 1
    while end < len(tokens) and tokens[end].piece.kind == "syllable" and tokens[end].offset not in starts:
        end += 1
    if end - n != 1:
        return False
    token = tokens[n]
    if token.pinyin.endswith("5"):
        return True  # 的 了 们 着 过 吗 呢: neutral-tone particles and suffixes
    if token.char in _PLACE_WORDS:
        return True  # 会上 国内 城乡间
    if token.char in _measure_words() and last.char in _HAN_NUMERALS:
        return True  # 三项 一批
    return last.char == "不" and len(before) == 1  # 不好 不是


@cache
def _measure_words() -> frozenset[str]:
    from ...speech import tables as speech_tables

    return frozenset(w for w in speech_tables.words("measure_words.txt") if len(w) == 1)
