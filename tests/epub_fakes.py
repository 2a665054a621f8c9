"""Books and chapter audio made by hand, so the EPUB writer and checker can be tested
without the voice: real MP3 files (sine tones from the bundled ffmpeg) and tracks whose
sentence times tile them the way the audio stage's do."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

from accessible.outputs.check import audio_seconds
from accessible.layout import Layout
from accessible.model import Book, Chapter, ChapterTrack, Paragraph, Placed, Section, Sentence, Timing


def sentence(sid: str, text: str, words: bool = True) -> Sentence:
    spans, pos = [], 0
    for chunk in _chunks(text):
        spans.append((pos, pos + len(chunk)))
        pos += len(chunk)
    return Sentence(sid, text, tuple(spans) if words else ())


_PUNCTUATION = "，。；：、！？“”（）"


def _chunks(text: str) -> list[str]:
    """Two-character 'words', punctuation on its own (like jieba's spans)."""
    out, cur = [], ""
    for ch in text:
        if ch in _PUNCTUATION:
            if cur:
                out.append(cur)
            out.append(ch)
            cur = ""
        else:
            cur += ch
            if len(cur) == 2:
                out.append(cur)
                cur = ""
    if cur:
        out.append(cur)
    return out


def small_book(title: str = "测试市政府工作报告") -> Book:
    """A front page and two chapters, the second with two sections."""
    front = Chapter(
        "c00",
        0,
        "front",
        None,
        (Section("c00-s00", 0, None, (Paragraph("c00-s00-p001", (sentence("c00-s00-p001-t001", "各位代表："),)),)),),
    )
    c1 = Chapter(
        "c01",
        1,
        "body",
        sentence("c01-h", "一、过去一年工作回顾"),
        (
            Section(
                "c01-s00",
                0,
                None,
                (
                    Paragraph(
                        "c01-s00-p001",
                        (
                            sentence("c01-s00-p001-t001", "过去一年，经济增长百分之八点二。"),
                            sentence("c01-s00-p001-t002", "人民生活持续改善。"),
                        ),
                    ),
                ),
            ),
        ),
    )
    c2 = Chapter(
        "c02",
        2,
        "body",
        sentence("c02-h", "二、今年工作安排"),
        tuple(
            Section(
                f"c02-s0{n}",
                n,
                sentence(f"c02-s0{n}-h", f"（{'一二'[n - 1]}）第{'一二'[n - 1]}项任务"),
                (Paragraph(f"c02-s0{n}-p001", (sentence(f"c02-s0{n}-p001-t001", "坚持稳中求进，推动高质量发展。"),)),),
            )
            for n in (1, 2)
        ),
    )
    return Book(title, (front, c1, c2), author="测试市人民政府", date="2017-04-07")


def tone_mp3(path: Path, seconds: float, frequency: int = 330) -> None:
    """Write a mono 24 kHz MP3 tone of ``seconds``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v", "error", "-y",
            "-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=24000:duration={seconds:.3f}",
            "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", str(path),
        ],
        check=True,
    )  # fmt: skip


def fake_tracks(book: Book, out_dir: Path, per_char: float = 0.02, pause: float = 0.1) -> list[ChapterTrack]:
    """One MP3 per chapter with a sentence every ``per_char`` s per character plus ``pause``."""
    layout = Layout.for_book(book, out_dir)
    tracks = []
    for chapter in book.chapters:
        placed, t = [], 0.05
        for s in chapter.sentences():
            # like an engine's: each character said in turn, punctuation unsaid (no duration)
            timings = tuple(
                Timing(t + i * per_char, t + (i + (ch not in _PUNCTUATION)) * per_char, i, i + 1) for i, ch in enumerate(s.text)
            )
            end = t + len(s.text) * per_char
            placed.append(Placed(s.id, t, end, timings))
            t = end + pause
        if not placed:
            continue
        path = layout.chapter_audio(chapter)
        tone_mp3(path, t)
        duration = audio_seconds(path)  # as ffmpeg plays it, a little longer than asked
        tracks.append(
            ChapterTrack(chapter.id, chapter.title, path.relative_to(layout.root).as_posix(), duration, tuple(placed))
        )
    return tracks
