"""Captions per chapter: WebVTT and SRT, one cue per sentence with its original text.

Cue times are the sentence placements of the chapter file (exact, see audio.py). The
word-level WebVTT adds an inline timestamp before every word (karaoke style), from the
word spans of the text and the clip's timings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..fsio import write_text
from ..layout import Layout
from ..model import Chapter, Placed, Sentence, Timing

_VTT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True)
class Cue:
    id: str  # the sentence id, so a cue can be linked to the text
    start: float
    end: float
    text: str
    words: tuple[tuple[float, str], ...] = ()  # (start time, word) in reading order


def _time_at(offset: int, timings: Sequence[Timing]) -> float | None:
    """When character ``offset`` of the original text is spoken (None if no timing covers it)."""
    for t in timings:
        if t.text_start <= offset < t.text_end:
            share = (offset - t.text_start) / (t.text_end - t.text_start)
            return t.start + share * (t.end - t.start)
        if t.text_start > offset:
            return t.start  # an untimed gap (punctuation): the next spoken part
    return None


def _words(sentence: Sentence, placed: Placed) -> tuple[tuple[float, str], ...]:
    """(start time, text) per word; the pieces tile the whole text (whatever lies between
    words, such as punctuation, stays with the word before it)."""
    if not sentence.words or not placed.timings:
        return ()
    starts = sorted({start for start, _ in sentence.words})
    starts[0] = 0
    ends = starts[1:] + [len(sentence.text)]
    words = []
    for start, end in zip(starts, ends):
        at = _time_at(start, placed.timings)
        words.append((placed.start if at is None else at, sentence.text[start:end]))
    return tuple(words)


def cues(chapter: Chapter, placed: Sequence[Placed]) -> list[Cue]:
    """One cue per placed sentence, with the sentence text as shown in the book."""
    by_id = {s.id: s for s in chapter.sentences()}
    return [Cue(p.sentence_id, p.start, p.end, by_id[p.sentence_id].text, _words(by_id[p.sentence_id], p)) for p in placed]


def _clock(seconds: float, separator: str) -> str:
    ms = max(0, round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _one_line(text: str) -> str:
    # A blank line ends a cue in both formats, and "-->" would start a timing line.
    return " ".join(text.split()).replace("-->", "->")


def _karaoke(cue: Cue) -> str:
    """Cue text with ``<hh:mm:ss.mmm>`` before each word; a timestamp must lie strictly
    inside the cue and after the previous one, so the ones that would not are left out."""
    parts: list[str] = []
    last = cue.start
    for at, word in cue.words:
        stamp = round(at, 3)
        if parts and last < stamp < cue.end:
            parts.append(f"<{_clock(stamp, '.')}>")
            last = stamp
        parts.append(_one_line(word).translate(_VTT_ESCAPES))
    return "".join(parts)


def to_webvtt(cue_list: Sequence[Cue], *, words: bool = False) -> str:
    blocks = ["WEBVTT"]
    for cue in cue_list:
        text = _karaoke(cue) if words and cue.words else _one_line(cue.text).translate(_VTT_ESCAPES)
        blocks.append(f"{cue.id}\n{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n{text}")
    return "\n\n".join(blocks) + "\n"


def to_srt(cue_list: Sequence[Cue]) -> str:
    blocks = [
        f"{n}\n{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}\n{_one_line(cue.text)}" for n, cue in enumerate(cue_list, 1)
    ]
    return "\n\n".join(blocks) + "\n"


def caption_paths(layout: Layout, chapter: Chapter) -> dict[str, Path]:
    stem = layout.chapter_stem(chapter)
    return {
        "vtt": layout.captions_dir / f"{stem}.vtt",
        "srt": layout.captions_dir / f"{stem}.srt",
        "words.vtt": layout.captions_dir / f"{stem}.words.vtt",
    }


def write_captions(layout: Layout, chapter: Chapter, placed: Sequence[Placed]) -> list[Path]:
    """Write the chapter's captions (sentence WebVTT, SRT, word-level WebVTT); return the paths."""
    cue_list = cues(chapter, placed)
    paths = caption_paths(layout, chapter)
    texts = {"vtt": to_webvtt(cue_list), "srt": to_srt(cue_list), "words.vtt": to_webvtt(cue_list, words=True)}
    for kind, path in paths.items():
        write_text(path, texts[kind])
    return list(paths.values())
