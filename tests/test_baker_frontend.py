"""The Baker front end: pinyin -> Baker symbols, prosody marks, chunking of long sentences."""

from __future__ import annotations

import pytest

from accessible.engines.baker_frontend import MAX_SYLLABLES, NO_SYLLABLE, WORD_MARK, Mapper, plan
from accessible.engines.litert_model import MAPPER_FILE, asset_dir
from accessible.speech import read_sentence


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Mapper.from_json((asset_dir() / MAPPER_FILE).read_bytes())


def symbols(mapper: Mapper, ids) -> list[str]:
    names = {i: s for s, i in mapper.symbol_to_id.items()}
    return [names[i] for i in ids]


@pytest.mark.parametrize(
    "pinyin, phones",
    [
        ("zhong1", ("zh", "ong1")),
        ("hang2", ("h", "ang2")),
        ("yi1", ("^", "i1")),  # zero initial
        ("wu3", ("^", "u3")),
        ("yu2", ("^", "v2")),
        ("lv4", ("l", "v4")),
        ("lü4", ("l", "v4")),
        ("nve4", ("n", "ve4")),
        ("shi4", ("sh", "iii4")),
        ("si1", ("s", "ii1")),
        ("de5", ("d", "e5")),
        ("de", ("d", "e5")),  # no tone number: neutral
        ("n2", ("^", "en2")),  # 嗯
        ("huar1", ("h", "ua1", "er5")),  # erhua
        ("xyz3", ()),
    ],
)
def test_syllable_to_baker_symbols(mapper: Mapper, pinyin: str, phones: tuple[str, ...]) -> None:
    assert mapper.phones(pinyin) == phones


def test_one_clause_follows_the_corpus_conventions(mapper: Mapper) -> None:
    text = "农业农村改革走在全省前列。"
    chunks = plan(read_sentence(text), text, mapper)
    assert len(chunks) == 1
    seq = symbols(mapper, chunks[0].ids)
    assert seq[0] == "sil" and seq[-2:] == ["sil", "eos"]
    assert seq[1:5] == ["n", "ong2", "#0", "^"]  # 农业: one word, #0 inside
    assert WORD_MARK in seq  # between words
    syllables = [s for s in seq if s[-1].isdigit() and not s.startswith("#")]
    assert len(syllables) == len(text) - 1  # every character but the full stop
    # owners: every initial/final belongs to a syllable, marks and sil to none
    for name, owner in zip(seq, chunks[0].owners):
        assert (owner == NO_SYLLABLE) == (name in ("sil", "eos") or name.startswith("#"))


def test_clauses_are_chunks_and_lists_get_a_break(mapper: Mapper) -> None:
    text = "在省委、省政府和市委的正确领导下，全市经济社会发展取得显著成就。"
    chunks = plan(read_sentence(text), text, mapper)
    assert len(chunks) == 2
    assert chunks[0].pause_after and not chunks[1].pause_after
    assert "#3" in symbols(mapper, chunks[0].ids)  # 、


def test_punctuation_only_says_nothing(mapper: Mapper) -> None:
    assert plan(read_sentence("！！……"), "！！……", mapper) == ()


def test_long_stretch_without_punctuation_is_split_evenly_at_words(mapper: Mapper) -> None:
    text = "推进供给侧结构性改革" * 200  # 2,000 characters, no punctuation
    reading = read_sentence(text)
    chunks = plan(reading, text, mapper)
    sizes = [len({o for o in c.owners if o != NO_SYLLABLE}) for c in chunks]
    assert sum(sizes) == len(reading.syllables)
    assert max(sizes) <= MAX_SYLLABLES and min(sizes) >= MAX_SYLLABLES // 2
    assert not any(c.pause_after for c in chunks)  # no punctuation: no clause pauses
    # cuts fall between words, never inside one
    word_of = {}
    for w, (a, b) in enumerate(reading.words):
        for i in range(a, b):
            word_of[i] = w
    for left, right in zip(chunks, chunks[1:]):
        last = max(o for o in left.owners if o != NO_SYLLABLE)
        first = min(o for o in right.owners if o != NO_SYLLABLE)
        assert word_of[reading.syllables[last].spoken] != word_of[reading.syllables[first].spoken]


def test_a_stretch_with_hardly_any_word_boundary_is_still_split(mapper: Mapper) -> None:
    from accessible.model import Reading, Syllable

    text = "一" * 300
    # one word boundary only, at 250: the cuts cannot all wait for it
    reading = Reading(text, tuple((i, i + 1) for i in range(300)), tuple(Syllable("yi1", i) for i in range(300)), ((0, 250), (250, 300)))
    chunks = plan(reading, text, mapper)
    sizes = [len({o for o in c.owners if o != NO_SYLLABLE}) for c in chunks]
    assert sum(sizes) == 300 and max(sizes) <= MAX_SYLLABLES * 5 // 3
