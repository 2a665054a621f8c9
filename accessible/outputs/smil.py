"""Media overlays: which text element is highlighted during which part of a chapter's audio.

Times are whole milliseconds so that the SMIL clips, the per-overlay and the total
``media:duration`` add up exactly. The clips of a chapter tile its audio file from 0
to its end: a sentence's clip runs from the moment it starts to the moment the next
one starts, so the pause after a sentence stays with it. Reading systems play only
what the clips cover, so gaps would cut the pauses out of the listening.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import quoteattr

from ..errors import OutputError
from ..model import Chapter, ChapterTrack, Placed, Sentence
from .xhtml import word_id

Sync = Literal["sentence", "word"]
SYNC_MODES: tuple[Sync, ...] = ("sentence", "word")


@dataclass(frozen=True)
class Cue:
    """One element of the text shown while ``[begin, end)`` ms of the audio plays."""

    target: str  # element id in the chapter's XHTML
    begin: int
    end: int
    words: tuple["Cue", ...] = ()  # word sync: the sentence's words, tiling [begin, end)


def clock(ms: int) -> str:
    """A SMIL/OPF clock value, ``H:MM:SS.mmm``."""
    seconds, milli = divmod(ms, 1000)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{sec:02d}.{milli:03d}"


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _word_cues(sentence: Sentence, placed: Placed, begin: int, end: int) -> tuple[Cue, ...]:
    """Words timed from the sentence's syllable timings, tiling the sentence's clip.

    A word with no timing (punctuation) gets no cue; a word that starts together with
    the next one is too short to show and is dropped.
    """
    targets: list[str] = []
    starts: list[int] = []
    for i, (ws, we) in enumerate(sentence.words):
        times = [t.start for t in placed.timings if t.text_start < we and t.text_end > ws]
        if times:
            targets.append(word_id(sentence.id, i))
            starts.append(min(max(_ms(min(times)), starts[-1] if starts else begin), end))
    if not targets:
        return ()
    bounds = [begin] + starts[1:] + [end]
    return tuple(Cue(t, b, e) for t, b, e in zip(targets, bounds, bounds[1:]) if e > b)


def chapter_cues(chapter: Chapter, track: ChapterTrack, sync: Sync = "sentence") -> tuple[Cue, ...]:
    """The cues of one chapter in reading order, tiling ``[0, track.duration]``."""
    by_id = {p.sentence_id: p for p in track.sentences}
    sentences = [s for s in chapter.sentences() if s.id in by_id]
    stray = set(by_id) - {s.id for s in sentences}
    if stray:
        raise OutputError(
            f"chapter {chapter.id}: its audio places sentences the text does not have ({', '.join(sorted(stray)[:3])}); "
            "rebuild the audio"
        )
    placed = [by_id[s.id] for s in sentences]
    if any(b.start < a.start for a, b in zip(placed, placed[1:])):
        raise OutputError(f"chapter {chapter.id}: its audio is not in reading order; rebuild the audio")
    total = _ms(track.duration)
    bounds = [0] + [min(_ms(p.start), total) for p in placed[1:]] + [total]
    return tuple(
        Cue(sentence.id, begin, end, _word_cues(sentence, p, begin, end) if sync == "word" else ())
        for sentence, p, begin, end in zip(sentences, placed, bounds, bounds[1:])
        if end > begin  # a sentence placed at the same instant as the next one cannot be shown
    )


def overlay_ms(cues: tuple[Cue, ...]) -> int:
    """The overlay's duration: the sum of its clips."""
    return sum(sum(w.end - w.begin for w in c.words) if c.words else c.end - c.begin for c in cues)


def _par(cue: Cue, text: str, audio: str, indent: str) -> str:
    return (
        f'{indent}<par id="par-{cue.target}"><text src={quoteattr(f"{text}#{cue.target}")}/>'
        f'<audio src={quoteattr(audio)} clipBegin="{clock(cue.begin)}" clipEnd="{clock(cue.end)}"/></par>\n'
    )


def render_smil(cues: tuple[Cue, ...], *, text: str, audio: str) -> str:
    """A SMIL 3.0 media overlay document; ``text`` and ``audio`` are hrefs relative to it."""
    body = []
    for cue in cues:
        if cue.words:
            body.append(f'  <seq id="seq-{cue.target}" epub:textref={quoteattr(f"{text}#{cue.target}")}>\n')
            body.extend(_par(w, text, audio, "    ") for w in cue.words)
            body.append("  </seq>\n")
        else:
            body.append(_par(cue, text, audio, "  "))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
        f"<body epub:textref={quoteattr(text)}>\n" + "".join(body) + "</body>\n</smil>\n"
    )
