"""A small synthetic book with speech-like clips, for the audio and caption tests.

Each spoken character is one "syllable": a burst of harmonic tone plus noise under a
smooth envelope, 40 ms of silence between syllables, 20 ms of silence at both ends of a
clip. The true onset of speech in every clip is known, which the sync tests check.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from accessible.model import Book, Chapter, Clip, Paragraph, Section, Sentence, Timing

SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
RATE = 24000
EDGE = 0.02  # silence at both ends of a synthetic clip
SYLLABLE = 0.16
GAP = 0.04


def speechlike(syllables: int, seed: int, rate: int = RATE) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = round(SYLLABLE * rate)
    t = np.arange(n) / rate
    envelope = np.sin(np.pi * np.arange(n) / (n - 1)) ** 2
    parts = [np.zeros(round(EDGE * rate))]
    for i in range(syllables):
        f0 = rng.uniform(110, 260)
        voiced = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6))
        parts += [envelope * (0.25 * voiced + 0.05 * rng.standard_normal(n)) * rng.uniform(0.5, 1.0)]
        parts += [np.zeros(round((GAP if i < syllables - 1 else EDGE) * rate))]
    return np.concatenate(parts)


def make_clip(text: str, seed: int, rate: int = RATE, gain: float = 1.0) -> Clip:
    samples = speechlike(len(text), seed, rate) * gain
    pcm = np.clip(np.rint(samples * 32767), -32768, 32767).astype("<i2").tobytes()
    timings = tuple(
        Timing(EDGE + i * (SYLLABLE + GAP), EDGE + i * (SYLLABLE + GAP) + SYLLABLE, i, i + 1) for i in range(len(text))
    )
    return Clip(pcm, rate, timings)


def _sentence(sid: str, text: str) -> Sentence:
    # Two-character words: enough for the word-level captions.
    words = tuple((i, min(i + 2, len(text))) for i in range(0, len(text), 2))
    return Sentence(sid, text, words=words)


def _para(cid: str, sid: int, pid: int, texts: list[str]) -> Paragraph:
    prefix = f"{cid}-s{sid:02d}-p{pid:03d}"
    return Paragraph(prefix, tuple(_sentence(f"{prefix}-t{i:03d}", t) for i, t in enumerate(texts, 1)))


def make_book() -> Book:
    """Front matter and two chapters; the second has two titled sections."""
    front = Chapter(
        "c00", 0, "front", None,
        (Section("c00-s00", 0, None, (_para("c00", 0, 1, ["二〇一七年四月七日", "各位代表："]),)),),
    )  # fmt: skip
    one = Chapter(
        "c01", 1, "body", _sentence("c01-h", "一、回顾"),
        (Section("c01-s00", 0, None, (_para("c01", 0, 1, ["经济平稳增长。", "民生改善。"]), _para("c01", 0, 2, ["成绩来之不易。"]))),),
    )  # fmt: skip
    two = Chapter(
        "c02", 2, "body", _sentence("c02-h", "二、任务"),
        (
            Section("c02-s00", 0, None, (_para("c02", 0, 1, ["总体要求如下。"]),)),
            Section("c02-s01", 1, _sentence("c02-s01-h", "（一）转型"), (_para("c02", 1, 1, ["加快转型升级。", "培育新动能。"]),)),
            Section("c02-s02", 2, _sentence("c02-s02-h", "（二）民生"), (_para("c02", 2, 1, ["办好民生实事。"]),)),
        ),
    )  # fmt: skip
    return Book("测试报告", (front, one, two), author="测试市人民政府", date="2017-04-07")


def make_clips(book: Book, seed: int = 0) -> dict[str, Clip]:
    return {s.id: make_clip(s.text, seed + n) for n, s in enumerate(book.sentences())}


def _first(section: Section, sentences: int) -> Section:
    kept: list[Paragraph] = []
    left = sentences
    for paragraph in section.paragraphs:
        if left <= 0:
            break
        kept.append(replace(paragraph, sentences=paragraph.sentences[:left]))
        left -= len(kept[-1].sentences)
    return replace(section, paragraphs=tuple(kept))


def excerpt(book: Book, chapters: int = 3, sections: int = 3, sentences: int = 2) -> Book:
    """The first sentences of the first sections of the first chapters, ids unchanged."""
    return replace(
        book,
        chapters=tuple(
            replace(c, sections=tuple(_first(s, sentences) for s in c.sections[:sections])) for c in book.chapters[:chapters]
        ),
    )


def real_voice_excerpt() -> tuple[Book, dict[str, Clip]]:
    """A short excerpt of the sample report, spoken by the offline voice (skips the test
    when the voice cannot run here)."""
    import pytest

    baker = pytest.importorskip("accessible.engines.baker")
    from accessible.segment import load_book
    from accessible.speech import read_book
    from accessible.voices import load_voice

    engine = baker.BakerEngine()
    if reason := engine.available():
        pytest.skip(reason)
    book = read_book(excerpt(load_book(SAMPLE)))
    voice = load_voice("baker")
    return book, {s.id: engine.synthesize(s, voice) for s in book.sentences()}


def lag_and_similarity(decoded: np.ndarray, source: np.ndarray) -> tuple[int, float]:
    """Cross-correlation peak (lag in samples of decoded vs source) and the correlation there."""
    a, b = decoded.astype(np.float64), source.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    corr = np.fft.irfft(np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n)), n)
    lag = int(np.argmax(corr))
    lag = lag if lag < n // 2 else lag - n
    m = min(len(a), len(b))
    return lag, float(np.dot(a[:m], b[:m]) / np.sqrt(np.dot(a[:m], a[:m]) * np.dot(b[:m], b[:m])))
