"""Captions per chapter, from its timeline: WebVTT and SRT, and a word-level WebVTT.

A cue shows a piece of one sentence (its original text) while it is heard. A sentence
that would stay up longer than `MAX_MS` or take more than two lines of `LINE`
characters is split at its clause marks (`Sentence.clauses`: after ，、：), and a clause
still too long between its words; pieces are packed greedily up to those limits. The
pieces of a sentence tile its time: each starts with its first word's first sound. The
word-level WebVTT stamps every word inside its cue with the timeline's time for it
(karaoke style), so word cues keep their exact times.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..fsio import write_text_if_changed
from ..layout import Layout
from ..model import Book, ChapterTrack
from ..timeline import Utterance, chapter_utterances

MAX_MS = 7000  # a cue longer than this is split: reading speed, not listening speed
LINE = 20  # characters per caption line (Chinese subtitles run 15-20); two lines per cue
SUFFIXES = (".vtt", ".srt")  # every file of the captions folder ends with one of these

_VTT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True, slots=True)
class Cue:
    id: str  # the sentence id (with ".1", ".2"… for the pieces of a split sentence)
    start: int  # ms
    end: int
    text: str
    words: tuple[tuple[int, str], ...] = ()  # the text in pieces, each from a word on, with the ms it starts


def _pieces(u: Utterance) -> list[tuple[int, int]]:
    """Where the sentence's text is cut into cues: ``[start, end)`` spans tiling it."""
    text = u.sentence.text
    starts = sorted((w.text_start, w.start) for w in u.words)
    offsets = [i for i, _ in starts]

    def heard_from(offset: int) -> int:
        """When the text from ``offset`` on starts to be heard (the sentence's end if never)."""
        k = bisect.bisect_left(offsets, offset)
        return starts[k][1] if k < len(starts) else u.end

    def fits(a: int, b: int) -> bool:
        return b - a <= 2 * LINE and heard_from(b) - (u.start if a == 0 else heard_from(a)) <= MAX_MS

    def has_words(a: int, b: int) -> bool:
        return bisect.bisect_left(offsets, a) < bisect.bisect_left(offsets, b)

    clauses = [0, *(c for c in u.sentence.clauses if 0 < c < len(text)), len(text)]
    atoms: list[tuple[int, int]] = []  # clauses, and the words of a clause that does not fit
    for a, b in zip(clauses, clauses[1:]):
        cuts = [a, b] if fits(a, b) else [a, *offsets[bisect.bisect_right(offsets, a) : bisect.bisect_left(offsets, b)], b]
        atoms += zip(cuts, cuts[1:])
    pieces: list[tuple[int, int]] = []
    for a, b in atoms:
        if pieces and (fits(pieces[-1][0], b) or not has_words(a, b)):
            pieces[-1] = (pieces[-1][0], b)
        else:
            pieces.append((a, b))
    return pieces


def sentence_cues(u: Utterance) -> list[Cue]:
    """The cues of one sentence: one, or one per piece when it is too long to read at once."""
    text = u.sentence.text
    pieces = _pieces(u)
    bounds = [u.start] + [next((w.start for w in u.words if w.text_start >= a), u.end) for a, _ in pieces[1:]] + [u.end]
    cues = []
    for k, ((a, b), start, end) in enumerate(zip(pieces, bounds, bounds[1:]), 1):
        stamps = [(w.text_start, w.start) for w in u.words if a <= w.text_start < b and start < w.start < end]
        cuts = [a, *(offset for offset, _ in stamps), b]
        pieces_of_text = zip([start, *(ms for _, ms in stamps)], (text[x:y] for x, y in zip(cuts, cuts[1:])))
        words = tuple((at, piece) for at, piece in pieces_of_text if piece)
        cue_id = u.sentence.id if len(pieces) == 1 else f"{u.sentence.id}.{k}"
        cues.append(Cue(cue_id, start, end, text[a:b], words))
    return cues


def cues(utterances: Iterable[Utterance]) -> list[Cue]:
    return [cue for u in utterances for cue in sentence_cues(u)]


def _clock(ms: int, separator: str) -> str:
    ms = max(0, ms)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _one_line(text: str) -> str:
    # A blank line ends a cue in both formats, and "-->" would start a timing line.
    return " ".join(text.split()).replace("-->", "->")


def _karaoke(cue: Cue) -> str:
    """Cue text with ``<hh:mm:ss.mmm>`` before each word heard after the cue begins (each
    strictly inside the cue and after the one before, as WebVTT requires)."""
    parts: list[str] = []
    for at, piece in cue.words:
        if at > cue.start:
            parts.append(f"<{_clock(at, '.')}>")
        parts.append(_one_line(piece).translate(_VTT_ESCAPES))
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


def caption_paths(layout: Layout, stem: str) -> dict[str, Path]:
    return {
        "vtt": layout.captions_dir / f"{stem}.vtt",
        "srt": layout.captions_dir / f"{stem}.srt",
        "words.vtt": layout.captions_dir / f"{stem}.words.vtt",
    }


def write_captions(book: Book, tracks: Iterable[ChapterTrack], layout: Layout) -> list[Path]:
    """Write every chapter's captions (sentence WebVTT, SRT, word-level WebVTT) from its
    timeline; files that would not change are left untouched, and caption files of
    chapters that are gone are removed. Returns the paths, in book order."""
    by_id = {t.chapter_id: t for t in tracks}
    written: list[Path] = []
    for chapter in book.chapters:  # one chapter's cues at a time, one sentence's words, one file's text
        track = by_id.get(chapter.id)
        if track is None:
            continue
        cue_list = cues(chapter_utterances(chapter, track))
        for kind, path in caption_paths(layout, layout.chapter_stem(chapter)).items():
            write_text_if_changed(path, to_srt(cue_list) if kind == "srt" else to_webvtt(cue_list, words=kind == "words.vtt"))
            written.append(path)
    if layout.captions_dir.is_dir():
        for old in layout.captions_dir.iterdir():
            if old.is_file() and old.name.endswith(SUFFIXES) and old not in written:
                old.unlink()
    return written
