"""Captions: WebVTT and SRT from sentence placements (pure functions, no audio)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from accessible.outputs.captions import cues, to_srt, to_webvtt
from accessible.model import Chapter, Paragraph, Placed, Section, Sentence, Timing

_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)[.,](\d\d\d)")


@dataclass(frozen=True)
class Parsed:
    id: str
    start: float
    end: float
    text: str


def _seconds(stamp: str) -> float:
    h, m, s, ms = (int(g) for g in _TIME.fullmatch(stamp).groups())
    return h * 3600 + m * 60 + s + ms / 1000


def _blocks(text: str) -> list[list[str]]:
    return [b.splitlines() for b in text.strip().split("\n\n")]


def parse_vtt(text: str) -> list[Parsed]:
    """A strict reader for what we write: header, then id / timing / one text line per cue."""
    blocks = _blocks(text)
    assert blocks[0] == ["WEBVTT"]
    found = []
    for cue_id, timing, *lines in blocks[1:]:
        start, arrow, end = timing.split(" ")
        assert arrow == "-->" and len(lines) == 1
        plain = re.sub(r"<[^>]*>", "", lines[0]).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        found.append(Parsed(cue_id, _seconds(start), _seconds(end), plain))
    return found


def parse_srt(text: str) -> list[Parsed]:
    found = []
    for n, (index, timing, *lines) in enumerate(_blocks(text), 1):
        assert index == str(n) and len(lines) == 1
        start, arrow, end = timing.split(" ")
        assert arrow == "-->"
        found.append(Parsed(index, _seconds(start), _seconds(end), lines[0]))
    return found


def _chapter() -> Chapter:
    s1 = Sentence("c01-s00-p001-t001", "GDP增长8.2%。", words=((0, 3), (3, 5), (5, 9), (9, 10)))
    s2 = Sentence("c01-s00-p001-t002", "<a>&b", words=((0, 3), (3, 4), (4, 5)))
    head = Sentence("c01-h", "一、回顾")
    return Chapter("c01", 1, "body", head, (Section("c01-s00", 0, None, (Paragraph("c01-s00-p001", (s1, s2)),)),))


def _placed() -> list[Placed]:
    timings = (Timing(3.7, 4.0, 0, 3), Timing(4.0, 4.4, 3, 5), Timing(4.4, 5.6, 5, 9))
    return [
        Placed("c01-h", 0.5, 1.2345),
        Placed("c01-s00-p001-t001", 2.2345, 5.8, timings),
        Placed("c01-s00-p001-t002", 3723.5, 3724.25),
    ]


def test_one_cue_per_sentence_with_the_original_text():
    cue_list = cues(_chapter(), _placed())
    assert [c.text for c in cue_list] == ["一、回顾", "GDP增长8.2%。", "<a>&b"]
    assert [(c.start, c.end) for c in cue_list] == [(p.start, p.end) for p in _placed()]


def test_webvtt_times_ids_and_escaping():
    text = to_webvtt(cues(_chapter(), _placed()))
    assert text.startswith("WEBVTT\n\nc01-h\n00:00:00.500 --> 00:00:01.234\n一、回顾\n")
    assert "01:02:03.500 --> 01:02:04.250\n&lt;a&gt;&amp;b\n" in text
    assert [c.text for c in parse_vtt(text)] == ["一、回顾", "GDP增长8.2%。", "<a>&b"]


def test_srt_numbers_cues_and_uses_commas():
    parsed = parse_srt(to_srt(cues(_chapter(), _placed())))
    assert [(c.id, c.start, c.end) for c in parsed] == [("1", 0.5, 1.234), ("2", 2.234, 5.8), ("3", 3723.5, 3724.25)]
    assert parsed[1].text == "GDP增长8.2%。"


def test_word_level_webvtt_stamps_each_word_inside_its_cue():
    text = to_webvtt(cues(_chapter(), _placed()), words=True)
    cue = text.split("\n\n")[2].splitlines()
    # Words start at their timings; "8.2%" is inside the third timing, "。" has none
    # and falls back to the sentence start, which is not inside the cue: no stamp.
    assert cue[2] == "GDP<00:00:04.000>增长<00:00:04.400>8.2%。"
    assert parse_vtt(text)[1].text == "GDP增长8.2%。"


def test_word_pieces_keep_text_the_words_do_not_cover():
    # jieba's spans skip the leading dash; the word captions still show every character.
    s = Sentence("c00-s00-p001-t001", "――2017年4月", words=((2, 7), (7, 9)))
    chapter = Chapter("c00", 0, "front", None, (Section("c00-s00", 0, None, (Paragraph("c00-s00-p001", (s,)),)),))
    placed = [Placed(s.id, 1.0, 3.0, (Timing(1.1, 2.0, 2, 7), Timing(2.0, 2.9, 7, 9)))]
    cue = cues(chapter, placed)[0]
    assert "".join(word for _, word in cue.words) == s.text
    assert cue.words[1] == (2.0, "4月")
    assert to_webvtt([cue], words=True).splitlines()[-1] == "――2017年<00:00:02.000>4月"
