"""The speech stage: how each sentence is said.

`read_sentence` turns a sentence into its spoken form (numbers, dates, ratios, codes
in words, as a Mandarin news reader says them), its pinyin (polyphones fixed, tone
sandhi applied, every syllable one the offline voice knows) and a map from each
spoken character back to the original text. `read_book` does it for a whole book.
"""

from __future__ import annotations

import logging
from dataclasses import replace

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
    "ruby",
    "tone_marks",
]

log = logging.getLogger("accessible")


def read_sentence(text: str, lexicon: Lexicon | None = None) -> Reading:
    """The spoken form, pinyin and origin map of one sentence; never raises on odd text."""
    return reading_of(normalize(text, lexicon))


def read_book(book: Book, lexicon: Lexicon | None = None) -> Book:
    """The book with a `Reading` on every sentence (each distinct text is read once)."""
    readings: dict[str, Reading] = {}
    unknown = 0

    def read(sentence: Sentence) -> Sentence:
        nonlocal unknown
        if sentence.text not in readings:
            normalized = normalize(sentence.text, lexicon)
            unknown += len(normalized.unknown)
            readings[sentence.text] = reading_of(normalized)
        return replace(sentence, reading=readings[sentence.text])

    book = book.map_sentences(read)
    if unknown:
        log.warning(
            "%d expression(s) matched no reading rule (numbers read digit by digit, signs not said); "
            "see them with `accessible read FILE --warn`", unknown
        )
    return book
