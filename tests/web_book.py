"""Books, timings and real MP3s for the web page tests.

A small hand-built book (three chapters, polyphones with readings) and timings laid out
the way the audio stage reports them; the chapter MP3s are sine tones of the right
length made with the bundled ffmpeg, so the browser really plays and seeks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jieba
from pypinyin import Style, pinyin

from accessible.layout import Layout
from accessible.outputs.smil import Sync
from accessible.outputs.web import write_web
from accessible.model import (
    Book,
    Chapter,
    ChapterTrack,
    Paragraph,
    Placed,
    Reading,
    Section,
    Sentence,
    Syllable,
    Timing,
)

from epub_fakes import tone_mp3

LEAD = 0.15  # silence before the first sentence of a chapter
GAP = 0.3  # silence between sentences
PER_CHAR = 0.11  # seconds per character
MIN_SENTENCE = 0.7


def sentence(sid: str, text: str) -> Sentence:
    """A sentence with jieba words and a phrase-aware reading (as the speech layer gives)."""
    words = [(start, end) for _, start, end in jieba.tokenize(text)]
    syllables = []
    for run in re.finditer(r"[\u4e00-\u9fff]+", text):  # pinyin() returns one reading per Han character
        for i, (py,) in enumerate(pinyin(run.group(), style=Style.TONE3, neutral_tone_with_five=True)):
            syllables.append(Syllable(py, run.start() + i))
    reading = Reading(
        spoken=text,
        origin=tuple((i, i + 1) for i in range(len(text))),
        syllables=tuple(syllables),
        words=tuple(words),
    )
    return Sentence(sid, text, words=tuple(words), reading=reading)


def _paragraph(pid: str, *texts: str) -> Paragraph:
    return Paragraph(pid, tuple(sentence(f"{pid}-t{i:03d}", t) for i, t in enumerate(texts, 1)))


def small_book() -> Book:
    front = Chapter(
        "c00",
        0,
        "front",
        None,
        (Section("c00-s00", 0, None, (_paragraph("c00-s00-p001", "各位代表："), _paragraph("c00-s00-p002", "现在，我代表市人民政府，向大会报告工作。"))),),
    )
    one = Chapter(
        "c01",
        1,
        "body",
        sentence("c01-h", "一、过去一年的工作"),
        (Section("c01-s00", 0, None, (_paragraph("c01-s00-p001", "我们去银行办理业务。", "全市经济稳步增长。", "生态环境持续改善。"),)),),
    )
    two = Chapter(
        "c02",
        2,
        "body",
        sentence("c02-h", "二、今后的工作"),
        (
            Section("c02-s01", 1, sentence("c02-s01-h", "（一）推进项目建设。"), (_paragraph("c02-s01-p001", "重新调整产业结构。", "着力改善民生。"),)),
            Section("c02-s02", 2, sentence("c02-s02-h", "（二）加强自身建设。"), (_paragraph("c02-s02-p001", "供给侧改革取得进展。"),)),
        ),
    )
    return Book(title="示例市政府工作报告", chapters=(front, one, two), author="示例", date="2017-04-07")


def placed(s: Sentence, start: float) -> Placed:
    """A sentence spoken from ``start``: its words share its time in proportion to length."""
    duration = max(MIN_SENTENCE, len(s.text) * PER_CHAR)
    spoken = [(a, b) for a, b in s.words if any("\u4e00" <= c <= "\u9fff" or c.isalnum() for c in s.text[a:b])]
    per = duration / max(1, sum(b - a for a, b in spoken))
    timings, t = [], start
    for a, b in spoken:
        timings.append(Timing(round(t, 3), round(t + (b - a) * per, 3), a, b))
        t += (b - a) * per
    return Placed(s.id, start, round(start + duration, 3), tuple(timings))


def timed_tracks(book: Book, layout: Layout, *, audio_seconds: float | None = None) -> list[ChapterTrack]:
    """Tracks for every chapter, with MP3s written where the audio stage puts them.

    ``audio_seconds`` makes every MP3 that long whatever the timings say (pages that are
    only opened, never played)."""
    tracks = []
    for number, chapter in enumerate(book.chapters):
        t, rows = LEAD, []
        for s in chapter.sentences():
            p = placed(s, round(t, 3))
            rows.append(p)
            t = p.end + GAP
        duration = round(t, 3)
        path = layout.chapter_audio(chapter)
        tone_mp3(path, audio_seconds or duration, 330 + 110 * number)
        tracks.append(ChapterTrack(chapter.id, chapter.title, path.relative_to(layout.root).as_posix(), duration, tuple(rows)))
    return tracks


@dataclass(frozen=True)
class BuiltWeb:
    book: Book
    layout: Layout
    tracks: list[ChapterTrack]
    index: Path


def build_web(book: Book, out_dir: Path, *, sync: Sync = "word", audio_seconds: float | None = None) -> BuiltWeb:
    """The book's listen-along page under ``out_dir``, with timed tracks and their MP3s."""
    layout = Layout.for_book(book, out_dir)
    tracks = timed_tracks(book, layout, audio_seconds=audio_seconds)
    return BuiltWeb(book, layout, tracks, write_web(book, tracks, layout, sync=sync, voice_name="标贝女声"))
