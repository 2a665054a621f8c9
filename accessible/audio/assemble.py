"""The one assembler: a chapter's clips end to end, with the voice profile's pauses.

`reading_plan` says which sentence comes next and what silence follows it; `assemble`
turns a plan and its clips into blocks of PCM and each sentence's place (counted in
samples, so exact). Every chapter file, the M4B and `accessible synth`'s WAV are made
from what it returns, so they all hold the same audio at the same times.
"""

from __future__ import annotations

import json
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np

from ..errors import ClipError, OutputError
from ..fsio import atomic_path, write_text
from ..layout import Layout, chapter_label
from ..model import Book, Chapter, ChapterTrack, Clip, Placed, Sentence, Timing
from ..synth import select_chapters
from ..timeline import as_json, chapter_timeline
from ..voices import Pauses, Voice

LEAD_IN = 0.5  # s of silence before a chapter's first word
# A clip that starts or ends on a non-zero sample clicks against the silence around it
# (seen on the sample: 4 of 471 offline-voice clips end in sound); a few milliseconds of
# fade at both ends remove the click and move nothing.
EDGE_FADE = 0.003

Plan = Sequence[tuple[Sentence, float]]  # each sentence in reading order, with the silence after it


def reading_plan(chapter: Chapter, pauses: Pauses) -> list[tuple[Sentence, float]]:
    """Every sentence of the chapter in reading order, with the silence that follows it.

    After a heading: ``heading``; the end of a section (before the next section's heading)
    is a larger break than a paragraph and gets ``heading`` too; the end of a paragraph:
    ``paragraph``; otherwise ``sentence``. The last sentence is followed by its share of
    the ``chapter`` pause (the rest is the next file's lead-in), at least a paragraph pause.
    """
    plan: list[tuple[Sentence, float]] = []
    if chapter.heading:
        plan.append((chapter.heading, pauses.heading))
    for section in chapter.sections:
        if section.heading:
            if plan:
                plan[-1] = (plan[-1][0], max(plan[-1][1], pauses.heading))
            plan.append((section.heading, pauses.heading))
        for paragraph in section.paragraphs:
            last = len(paragraph.sentences) - 1
            plan += [(s, pauses.paragraph if i == last else pauses.sentence) for i, s in enumerate(paragraph.sentences)]
    if plan:
        plan[-1] = (plan[-1][0], max(pauses.chapter - LEAD_IN, pauses.paragraph))
    return plan


@dataclass(frozen=True)
class Assembly:
    """A chapter's audio before loudness normalization, and where each sentence lies in it.

    The audio itself is not held: `blocks` reads the clips again, one at a time, so a
    chapter of any length costs the memory of one clip (the clip cache's mapping reads
    from disk on demand)."""

    plan: tuple[tuple[Sentence, float], ...]
    clips: Mapping[str, Clip]
    sample_rate: int
    placed: tuple[Placed, ...]
    length: int  # samples, the lead-in and every clip and pause

    @property
    def duration(self) -> float:
        return self.length / self.sample_rate

    def blocks(self) -> Iterator[np.ndarray]:
        """int16 mono in playing order: the lead-in, then each clip (faded) with its pause after it."""
        rate = self.sample_rate
        yield np.zeros(round(LEAD_IN * rate), dtype="<i2")
        for sentence, pause in self.plan:
            samples = _faded(np.frombuffer(self.clips[sentence.id].pcm, dtype="<i2"), round(EDGE_FADE * rate))
            yield np.concatenate([samples, np.zeros(round(pause * rate), dtype="<i2")])

    @property
    def pcm(self) -> np.ndarray:
        """The whole chapter as one int16 array (for short chapters and tests)."""
        return np.concatenate(list(self.blocks()))

    def float_blocks(self) -> Iterator[np.ndarray]:
        """`blocks` as float32 in [-1, 1)."""
        for block in self.blocks():
            yield block * np.float32(1 / 32768.0)


def _faded(samples: np.ndarray, n: int) -> np.ndarray:
    n = min(n, len(samples) // 2)
    if n == 0:
        return samples
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
    out = samples.copy()
    out[:n] = np.rint(samples[:n] * ramp)
    out[-n:] = np.rint(samples[-n:] * ramp[::-1])
    return out


def assemble(plan: Plan, clips: Mapping[str, Clip]) -> Assembly:
    """The plan's clips in order after the lead-in, each followed by its pause; placements
    counted in samples (exact). `ClipError` when a clip is missing."""
    rate = next((c.sample_rate for c in (clips.get(s.id) for s, _ in plan) if c), 0)
    pos = round(LEAD_IN * rate)
    placed: list[Placed] = []
    for sentence, pause in plan:
        clip = clips.get(sentence.id)
        if clip is None:
            raise ClipError(f"the clip of {sentence.id} is missing", (sentence.id,))
        n = len(clip.pcm) // 2
        start, end = pos / rate, (pos + n) / rate
        timings = tuple(Timing(start + t.start, start + t.end, t.text_start, t.text_end) for t in clip.timings)
        placed.append(Placed(sentence.id, start, end, timings))
        pos += n + round(pause * rate)
    return Assembly(tuple(plan), clips, rate, tuple(placed), pos)


@dataclass(frozen=True)
class ChapterFiles:
    wav: Path
    timings: Path
    duration: float


def write_chapter_wav(chapter: Chapter, clips: Mapping[str, Clip], pauses: Pauses, folder: Path, stem: str) -> ChapterFiles:
    """``folder/stem.wav`` (the chapter as assembled, before loudness normalization) and
    ``folder/stem.timings.json`` (its timeline: every sentence's and word's time in it)."""
    assembly = assemble(reading_plan(chapter, pauses), clips)
    rate = assembly.sample_rate or 24000
    wav_path, json_path = folder / f"{stem}.wav", folder / f"{stem}.timings.json"
    with atomic_path(wav_path) as tmp:
        try:
            out = wave.open(str(tmp), "wb")
        except OSError as e:
            raise OutputError(f"cannot write {wav_path}: {e}") from None
        with out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            for block in assembly.blocks():
                out.writeframes(block.tobytes())
    track = ChapterTrack(chapter.id, chapter_label(chapter), wav_path.name, assembly.duration, assembly.placed)
    document = {"title": track.title, "audio": track.path, "sample_rate": rate, **as_json(chapter_timeline(chapter, track))}
    write_text(json_path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return ChapterFiles(wav_path, json_path, assembly.duration)


def write_chapters(book: Book, clips: Mapping[str, Clip], voice: Voice, out_dir: Path, chapters: Sequence[int] | None = None) -> list[ChapterFiles]:
    """Chapter WAVs and timings under ``out_dir/<book>/wav/`` for ``chapters`` (default: all with speech)."""
    layout = Layout.for_book(book, out_dir)
    return [
        write_chapter_wav(chapter, clips, voice.pauses, layout.root / "wav", layout.chapter_stem(chapter))
        for chapter in select_chapters(book, chapters)
        if next(chapter.sentences(), None) is not None
    ]
