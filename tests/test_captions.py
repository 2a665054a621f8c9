"""Captions: WebVTT and SRT from the timeline (pure functions, no audio)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from accessible.model import Chapter, ChapterTrack, Paragraph, Placed, Section, Sentence, Timing
from accessible.outputs.captions import LINE, MAX_MS, Cue, cues, to_srt, to_webvtt
from accessible.timeline import chapter_timeline

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
    s1 = Sentence("c01-s00-p001-t001", "GDP增长8.2%。", words=((0, 3), (3, 5), (5, 9)))
    s2 = Sentence("c01-s00-p001-t002", "<a>&b", words=((0, 3), (3, 4), (4, 5)))
    head = Sentence("c01-h", "一、回顾")
    return Chapter("c01", 1, "body", head, (Section("c01-s00", 0, None, (Paragraph("c01-s00-p001", (s1, s2)),)),))


def _placed() -> list[Placed]:
    timings = (Timing(3.7, 4.0, 0, 3), Timing(4.0, 4.4, 3, 5), Timing(4.4, 5.6, 5, 9), Timing(5.6, 5.6, 9, 10))
    return [
        Placed("c01-h", 0.5, 1.2345),
        Placed("c01-s00-p001-t001", 2.2345, 5.8, timings),
        Placed("c01-s00-p001-t002", 3723.5, 3724.25),
    ]


def _cues(chapter: Chapter, placed: list[Placed]) -> list[Cue]:
    return cues(chapter_timeline(chapter, ChapterTrack(chapter.id, chapter.title, "a.mp3", 4000.0, tuple(placed))).utterances)


def test_one_cue_per_sentence_with_the_original_text():
    cue_list = _cues(_chapter(), _placed())
    assert [c.text for c in cue_list] == ["一、回顾", "GDP增长8.2%。", "<a>&b"]
    assert [(c.start, c.end) for c in cue_list] == [(round(p.start * 1000), round(p.end * 1000)) for p in _placed()]


def test_webvtt_times_ids_and_escaping():
    text = to_webvtt(_cues(_chapter(), _placed()))
    assert text.startswith("WEBVTT\n\nc01-h\n00:00:00.500 --> 00:00:01.234\n一、回顾\n")
    assert "01:02:03.500 --> 01:02:04.250\n&lt;a&gt;&amp;b\n" in text
    assert [c.text for c in parse_vtt(text)] == ["一、回顾", "GDP增长8.2%。", "<a>&b"]


def test_srt_numbers_cues_and_uses_commas():
    parsed = parse_srt(to_srt(_cues(_chapter(), _placed())))
    assert [(c.id, c.start, c.end) for c in parsed] == [("1", 0.5, 1.234), ("2", 2.234, 5.8), ("3", 3723.5, 3724.25)]
    assert parsed[1].text == "GDP增长8.2%。"


def test_word_level_webvtt_stamps_each_word_at_its_first_sound():
    text = to_webvtt(_cues(_chapter(), _placed()), words=True)
    cue = text.split("\n\n")[2].splitlines()
    # Every word starts where the timeline says, the first one too (the clip starts in
    # silence); the unsaid full stop stays with the word before it.
    assert cue[2] == "<00:00:03.700>GDP<00:00:04.000>增长<00:00:04.400>8.2%。"
    assert parse_vtt(text)[1].text == "GDP增长8.2%。"


def test_word_pieces_keep_text_the_words_do_not_cover():
    # The leading dashes are said by nobody; the word captions still show every character.
    s = Sentence("c00-s00-p001-t001", "――2017年4月", words=((2, 6), (6, 7), (7, 8), (8, 9)))
    chapter = Chapter("c00", 0, "front", None, (Section("c00-s00", 0, None, (Paragraph("c00-s00-p001", (s,)),)),))
    placed = [Placed(s.id, 1.0, 3.0, (Timing(1.0, 1.0, 0, 2), Timing(1.1, 2.0, 2, 7), Timing(2.0, 2.9, 7, 9)))]
    cue = _cues(chapter, placed)[0]
    assert "".join(word for _, word in cue.words) == s.text
    assert cue.words == ((1000, "――"), (1100, "2017年"), (2000, "4月"))
    assert to_webvtt([cue], words=True).splitlines()[-1] == "――<00:00:01.100>2017年<00:00:02.000>4月"


def _long(text: str, clauses: tuple[int, ...], seconds_per_char: float) -> tuple[Chapter, list[Placed]]:
    """One sentence, each character a word said in turn (punctuation unsaid)."""
    s = Sentence("c01-s00-p001-t001", text, words=tuple((i, i + 1) for i in range(len(text))), clauses=clauses)
    chapter = Chapter("c01", 1, "body", None, (Section("c01-s00", 0, None, (Paragraph("c01-s00-p001", (s,)),)),))
    timings = tuple(
        Timing(i * seconds_per_char, (i + (c not in "，。")) * seconds_per_char, i, i + 1) for i, c in enumerate(text)
    )
    return chapter, [Placed(s.id, 0.0, len(text) * seconds_per_char, timings)]


def test_a_long_sentence_is_split_at_its_clause_marks_and_the_pieces_tile_it():
    clause = "推进供给侧结构性改革，"  # 11 characters
    text = clause * 7 + "全面深化改革。"
    offsets = tuple(11 * (k + 1) for k in range(7))
    chapter, placed = _long(text, offsets, 0.2)
    pieces = _cues(chapter, placed)
    assert [c.id for c in pieces] == [f"c01-s00-p001-t001.{k}" for k in range(1, len(pieces) + 1)]
    assert "".join(c.text for c in pieces) == text
    assert all(c.text.endswith(("，", "。")) for c in pieces)  # cut after a clause mark
    assert all(len(c.text) <= 2 * LINE and c.end - c.start <= MAX_MS for c in pieces)
    assert [c.text for c in pieces][:2] == [clause * 3, clause * 3]  # packed up to the limits
    assert pieces[0].start == 0 and pieces[-1].end == len(text) * 200
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:]))
    assert pieces[1].start == 33 * 200  # when its first word is heard


def test_a_slow_sentence_is_split_by_time_and_a_clause_too_long_between_words():
    chapter, placed = _long("三次产业比例为十八点七比五十一点七比二十九点六，增长。", (24,), 0.4)
    pieces = _cues(chapter, placed)
    # the first clause alone lasts 9.6 s: cut between words, the rest packed with the next clause
    assert [c.text for c in pieces] == ["三次产业比例为十八点七比五十一点七", "比二十九点六，增长。"]
    assert pieces[0].end == pieces[1].start == 17 * 400
    assert "".join(c.text for c in pieces) == chapter.sections[0].paragraphs[0].sentences[0].text
    words = to_webvtt(pieces, words=True)
    assert all(parse.end - parse.start <= MAX_MS / 1000 for parse in parse_vtt(words))


def test_karaoke_stamps_are_the_timeline_word_starts():
    chapter, placed = _long("推进供给侧结构性改革，全面深化改革。" * 4, tuple(range(11, 72, 9)), 0.3)
    timeline = chapter_timeline(chapter, ChapterTrack("c01", "", "a.mp3", 30.0, tuple(placed)))
    stamps = [
        int(h) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + int(f)
        for h, m, s, f in re.findall(r"<(\d\d):(\d\d):(\d\d)\.(\d\d\d)>", to_webvtt(cues(timeline.utterances), words=True))
    ]
    firsts = {c.start for c in cues(timeline.utterances)}  # a piece's first word starts with the cue: no stamp
    assert stamps == [w.start for w in timeline.utterances[0].words if w.start not in firsts]
    assert len(firsts) == 4 and len(stamps) == len(timeline.utterances[0].words) - 4


def test_a_five_thousand_character_sentence_becomes_readable_cues_quickly():
    text = ("经" * 49 + "，") * 100  # clauses of 50 characters: each one too long for a cue
    chapter, placed = _long(text, tuple(range(50, 5000, 50)), 0.2)
    started = time.perf_counter()
    pieces = _cues(chapter, placed)
    assert time.perf_counter() - started < 2
    assert "".join(c.text for c in pieces) == text and len(pieces) >= 5000 / (2 * LINE)
    assert all(len(c.text) <= 2 * LINE and c.end - c.start <= MAX_MS for c in pieces)
