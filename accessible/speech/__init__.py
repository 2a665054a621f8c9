"""The speech stage: how each sentence is said.

`read_sentence` turns a sentence into its spoken form (numbers, dates, ratios, codes
in words, as a Mandarin news reader says them), its pinyin (polyphones fixed, tone
sandhi applied, every syllable one the offline voice knows) and a map from each
spoken character back to the original text. `read_book` does it for a whole book.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Iterable

from ..model import Book, Reading, Sentence
from .lexicon import Lexicon, load_lexicon
from .normalize import Normalized, normalize
from .pinyin import corrected_words, reading_of
from .ruby import ruby
from .syllables import is_syllable, tone_marks

__all__ = [
    "Lexicon",
    "Normalized",
    "corrected_words",
    "is_syllable",
    "load_lexicon",
    "normalize",
    "read_book",
    "read_sentence",
    "read_texts",
    "ruby",
    "tone_marks",
]

log = logging.getLogger("accessible")


def read_sentence(text: str, lexicon: Lexicon | None = None) -> Reading:
    """The spoken form, pinyin and origin map of one sentence; never raises on odd text."""
    return reading_of(normalize(text, lexicon))


def read_texts(texts: Iterable[str], lexicon: Lexicon | None = None) -> dict[str, Reading]:
    """Each distinct text's reading (`read_sentence`); one warning for what no rule knew."""
    readings: dict[str, Reading] = {}
    unknown = 0
    for text in texts:
        if text not in readings:
            normalized = normalize(text, lexicon)
            unknown += len(normalized.unknown)
            readings[text] = reading_of(normalized)
    if unknown:
        log.warning(
            "%d expression(s) matched no reading rule (numbers read digit by digit, signs not said); "
            "see them with `accessible read FILE --warn`", unknown
        )
    return readings


def read_book(book: Book, lexicon: Lexicon | None = None) -> Book:
    """The book with a `Reading` on every sentence (each distinct text is read once)."""
    readings = read_texts((s.text for s in book.sentences()), lexicon)
    return book.map_sentences(lambda sentence: replace(sentence, reading=readings[sentence.text]))
