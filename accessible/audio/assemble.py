"""The one assembler: a chapter's clips end to end, with the voice profile's pauses.

`reading_plan` says which sentence comes next and what silence follows it; `assemble`
turns a plan and its clips into blocks of PCM and each sentence's place (counted in
samples, so exact). Every chapter file, the M4B and `accessible synth`'s WAV are made
from what it returns, so they all hold the same audio at the same times.

A chapter is cut into parts of a few minutes, each encoded on its own and joined without
encoding again (encoding.py), so an edit encodes again only the part it falls in. A part
begins after a long pause (the end of a paragraph or a heading) once the part before holds
`PART_CHARS` characters, or after any sentence's pause once it holds three times that (a
text without paragraphs): the cuts follow the text, so an edit elsewhere does not move them.
Every part lasts a whole number of `PART_GRAIN` samples (the pause at its end is lengthened
to make it so), so every part starts on a frame of both codecs, and a part whose own
sentences did not change holds the same samples wherever it lies. The placements count
that silence: the timeline stays the one source of times.
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
from ..model import Book, Chapter, ChapterTrack, Clip, Placed, Placements, Sentence, Timing
from ..synth import select_chapters
from ..timeline import as_json, chapter_timeline
from ..voices import Pauses, Voice

LEAD_IN = 0.5  # s of silence before a chapter's first word
# lcm of the codecs' frames (MP3: 1152 samples, 576 below 32 kHz; AAC: 1024).
PART_GRAIN = 9216
PART_CHARS = 600  # about two minutes of speech
# The pauses a cut may fall in: a paragraph's end, not a sentence's, in the voice profiles;
# at least a sentence's for a text without paragraphs. The seam must be silent for the MP3
# encoder's delay and a frame (1105 + 1152 samples at 24 kHz: under 0.1 s). A profile with
# shorter pauses gets one part a chapter.
SEAM_PAUSE = 0.6
SEAM_PAUSE_MIN = 0.2
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
    gaps: tuple[int, ...]  # samples of silence after each plan entry (a part's last lengthened)
    clips: Mapping[str, Clip]
    sample_rate: int
    placed: Placements
    length: int  # samples, the lead-in and every clip and pause
    parts: tuple["Part", ...]

    @property
    def duration(self) -> float:
        return self.length / self.sample_rate

    def blocks(self, part: "Part | None" = None) -> Iterator[np.ndarray]:
        """int16 mono in playing order (of the whole chapter, or of ``part``): the lead-in,
        then each clip (faded) with its pause after it."""
        rate = self.sample_rate
        first, stop = (part.first, part.stop) if part else (0, len(self.plan))
        if first == 0:
            yield np.zeros(round(LEAD_IN * rate), dtype="<i2")
        for (sentence, _), gap in zip(self.plan[first:stop], self.gaps[first:stop]):
            samples = _faded(np.frombuffer(self.clips[sentence.id].pcm, dtype="<i2"), round(EDGE_FADE * rate))
            yield np.concatenate([samples, np.zeros(gap, dtype="<i2")])

    @property
    def pcm(self) -> np.ndarray:
        """The whole chapter as one int16 array (for short chapters and tests)."""
        return np.concatenate(list(self.blocks()))

    def float_blocks(self, part: "Part | None" = None) -> Iterator[np.ndarray]:
        """`blocks` as float32 in [-1, 1)."""
        for block in self.blocks(part):
            yield block * np.float32(1 / 32768.0)


@dataclass(frozen=True)
class Part:
    """Plan entries ``first`` to ``stop`` (exclusive), played from sample ``start`` for ``length``."""

    first: int
    stop: int
    start: int
    length: int  # a multiple of PART_GRAIN


def part_starts(plan: Plan) -> list[int]:
    """The plan entries that begin a part (see the module docstring)."""
    starts, chars = [0], 0
    for i, (sentence, _) in enumerate(plan):
        pause = plan[i - 1][1] if i else 0.0
        if (chars >= PART_CHARS and pause >= SEAM_PAUSE) or (chars >= 3 * PART_CHARS and pause >= SEAM_PAUSE_MIN):
            starts.append(i)
            chars = 0
        chars += len(sentence.text)
    return starts


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
    """The plan's clips in order after the lead-in, each followed by its pause (the last of
    each part lengthened to end the part on `PART_GRAIN`); placements counted in samples
    (exact). `ClipError` when a clip is missing."""
    rate = next((c.sample_rate for c in (clips.get(s.id) for s, _ in plan) if c), 0)
    pos = round(LEAD_IN * rate)
    gaps: list[int] = []
    parts: list[Part] = []
    starts = part_starts(plan) if rate else [0]

    def placed() -> Iterator[Placed]:  # one at a time, packed as they come
        nonlocal pos
        for first, stop in zip(starts, [*starts[1:], len(plan)]):
            part_start = 0 if first == 0 else pos
            for i in range(first, stop):
                sentence, pause = plan[i]
                clip = clips.get(sentence.id)
                if clip is None:
                    raise ClipError(f"the clip of {sentence.id} is missing", (sentence.id,))
                n = len(clip.pcm) // 2
                start, end = pos / rate, (pos + n) / rate
                timings = tuple(Timing(start + t.start, start + t.end, t.text_start, t.text_end) for t in clip.timings)
                yield Placed(sentence.id, start, end, timings)
                gap = round(pause * rate)
                if i == stop - 1:  # the part ends on the grain: its last pause takes the rest
                    gap += -(pos + n + gap - part_start) % PART_GRAIN
                gaps.append(gap)
                pos += n + gap
            parts.append(Part(first, stop, part_start, pos - part_start))

    placements = Placements.of(placed())
    return Assembly(tuple(plan), tuple(gaps), clips, rate, placements, pos, tuple(parts))


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
