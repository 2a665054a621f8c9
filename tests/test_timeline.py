"""The one timeline: words from a clip's timings, and the shares of the audio each output shows."""

from __future__ import annotations

from array import array

import pytest

from accessible.errors import OutputError
from accessible.model import Chapter, ChapterTrack, Paragraph, Placed, Placements, Section, Sentence, Timing
from accessible.segment import word_spans
from accessible.timeline import Word, chapter_timeline, utterance


def _words(text: str, timings: list[tuple[float, float, int, int]], words=None) -> list[tuple[str, int, int]]:
    s = Sentence("c01-s00-p001-t001", text, words=word_spans(text) if words is None else words)
    u = utterance(s, Placed(s.id, 0.0, 10.0, tuple(Timing(*t) for t in timings)))
    return [(u.text(w), w.start, w.end) for w in u.words]


def test_syllables_group_into_words_and_punctuation_is_no_word():
    text = "地区生产总值增长8.2%。"
    syllables = [(i * 0.2, i * 0.2 + 0.2, i, i + 1) for i in range(8)] + [(1.6, 2.6, 8, 12), (2.6, 2.6, 12, 13)]
    assert _words(text, syllables) == [
        ("地区", 0, 400), ("生产总值", 400, 1200), ("增长", 1200, 1600), ("8.2%", 1600, 2600)
    ]  # fmt: skip


def test_every_written_number_is_a_word_of_its_own():
    # the fine origin map times each token: 18.7 十八点七, : 比, 51.7 五十一点七 …
    text = "比例为18.7:51.7:29.6，PM2.5下降。"
    units = [(0.0, 0.2, 0, 1), (0.2, 0.4, 1, 2), (0.4, 0.6, 2, 3), (0.6, 1.4, 3, 7), (1.4, 1.6, 7, 8),
             (1.6, 2.6, 8, 12), (2.6, 2.8, 12, 13), (2.8, 3.8, 13, 17), (3.8, 3.8, 17, 18),
             (4.0, 4.2, 18, 19), (4.2, 4.4, 19, 20), (4.4, 5.0, 20, 23), (5.0, 5.2, 23, 24), (5.2, 5.4, 24, 25),
             (5.4, 5.4, 25, 26)]  # fmt: skip
    assert [w for w, _, _ in _words(text, units)] == ["比例", "为", "18.7", ":", "51.7", ":", "29.6", "PM", "2.5", "下降"]
    # one jieba word ("2-3" is one) does not join numbers either
    assert [w for w, _, _ in _words("2-3倍", [(0, 0.2, 0, 1), (0.2, 0.4, 1, 2), (0.4, 0.6, 2, 3), (0.6, 0.8, 3, 4)])] == [
        "2", "-", "3", "倍"
    ]  # fmt: skip


def test_an_expression_timed_as_one_unit_stays_one_word():
    assert _words("18.7:51.7", [(0.0, 2.0, 0, 9)]) == [("18.7:51.7", 0, 2000)]


def test_a_unit_that_cannot_be_shown_alone_joins_the_word_before():
    # "P" with no time of its own (an online voice's events often skip a letter)
    units = [(0.1, 0.5, 0, 2), (0.5, 0.5, 2, 3), (0.5, 0.7, 3, 4), (0.7002, 0.9, 4, 5)]
    assert _words("GDP增长", units, words=()) == [("GDP", 100, 500), ("增", 500, 700), ("长", 700, 900)]
    # "增" lasting less than a millisecond
    assert _words("GDP增长", [(0.1, 0.5, 0, 3), (0.5, 0.5004, 3, 4), (0.5004, 0.9, 4, 5)], words=()) == [
        ("GDP增", 100, 500), ("长", 500, 900)
    ]  # fmt: skip


def _chapter() -> Chapter:
    sentences = (Sentence("c01-s00-p001-t001", "经济增长。", ((0, 2), (2, 4))), Sentence("c01-s00-p001-t002", "好。", ((0, 1),)))
    return Chapter("c01", 1, "body", Sentence("c01-h", "一、回顾", ((1, 3),)), (Section("c01-s00", 0, None, (Paragraph("c01-s00-p001", sentences),)),))


def _track(*placed: Placed, duration: float = 5.0) -> ChapterTrack:
    return ChapterTrack("c01", "一、回顾", "a.mp3", duration, placed)


def test_sentences_tile_the_file_and_words_tile_their_sentence():
    chapter = _chapter()
    first = (Timing(1.05, 1.3, 0, 1), Timing(1.3, 1.6, 1, 2), Timing(1.6, 1.8, 2, 3), Timing(1.8, 2.0, 3, 4), Timing(2.0, 2.0, 4, 5))
    timeline = chapter_timeline(chapter, _track(
        Placed("c01-h", 0.5, 0.9, (Timing(0.5, 0.5, 0, 2), Timing(0.55, 0.9, 2, 4))),
        Placed("c01-s00-p001-t001", 1.0, 2.05, first),
        Placed("c01-s00-p001-t002", 2.6, 2.9, (Timing(2.65, 2.85, 0, 1), Timing(2.85, 2.85, 1, 2))),
    ))  # fmt: skip
    assert [(u.sentence.id, b, e) for u, b, e in timeline.tiles()] == [
        ("c01-h", 0, 1000), ("c01-s00-p001-t001", 1000, 2600), ("c01-s00-p001-t002", 2600, 5000)
    ]  # fmt: skip
    sentence = timeline.utterances[1]
    assert sentence.words == (Word(0, 2, 1050, 1600), Word(2, 4, 1600, 2000))
    # the first word from the sentence's start, the pause after the last one stays with it
    assert [(sentence.text(w), b, e) for w, b, e in sentence.tiles(1000, 2600)] == [("经济", 1000, 1600), ("增长", 1600, 2600)]
    assert timeline.start_of("c01-s00-p001-t002") == 2600 and timeline.start_of("c09") is None


def test_strays_are_listed_and_disorder_is_an_error():
    chapter = _chapter()
    timeline = chapter_timeline(chapter, _track(Placed("c01-h", 0.5, 0.9), Placed("c01-zz", 1.0, 2.0)))
    assert timeline.strays == ("c01-zz",) and [u.sentence.id for u in timeline.utterances] == ["c01-h"]
    with pytest.raises(OutputError, match="not in reading order"):
        chapter_timeline(chapter, _track(Placed("c01-h", 1.5, 1.9), Placed("c01-s00-p001-t001", 0.2, 1.0)))


def test_a_track_keeps_its_placements_packed_and_gives_them_back_as_placed():
    placed = (Placed("c01-h", 0.5, 1.25, (Timing(0.5, 0.75, 0, 1), Timing(0.75, 1.25, 1, 3))), Placed("c01-s00-p001-t001", 2.0, 2.5))
    packed = _track(*placed).sentences
    assert isinstance(packed, Placements) and len(packed.times) == 4
    assert tuple(packed) == placed and packed[-1] == placed[-1] and packed[:1] == placed[:1]
    assert _track(*placed) == _track(*placed) != _track(*placed[:1])
    with pytest.raises(IndexError):
        packed[2]
    with pytest.raises(ValueError, match="do not fit"):  # two timings said, one given
        Placements(("c01-h",), array("d", [0.0, 1.0]), array("q", [0, 2]), array("d", [0.0, 1.0]), array("i", [0, 1]))
