"""Media overlays: which text element is highlighted during which part of a chapter's audio.

Times are the timeline's whole milliseconds, so the SMIL clips, the per-overlay and the
total ``media:duration`` add up exactly. The clips of a chapter tile its audio file from 0
to its end: a sentence's clip runs from the moment it starts to the moment the next
one starts, so the pause after a sentence stays with it; with word sync its words tile
it the same way. Reading systems play only what the clips cover, so gaps would cut the
pauses out of the listening.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import quoteattr

from ..errors import OutputError
from ..timeline import Timeline, Utterance
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


def chapter_cues(timeline: Timeline, sync: Sync = "sentence") -> tuple[Cue, ...]:
    """The cues of one chapter in reading order, tiling its audio file (see `Timeline.tiles`)."""
    if timeline.strays:
        raise OutputError(
            f"chapter {timeline.chapter_id}: its audio places sentences the text does not have "
            f"({', '.join(sorted(timeline.strays)[:3])}); rebuild the audio"
        )
    return tuple(
        Cue(u.sentence.id, begin, end, _word_pars(u, begin, end) if sync == "word" else ())
        for u, begin, end in timeline.tiles()
    )


def _word_pars(utterance: Utterance, begin: int, end: int) -> tuple[Cue, ...]:
    return tuple(
        Cue(word_id(utterance.sentence.id, i), b, e) for i, (_, b, e) in enumerate(utterance.tiles(begin, end)) if e > b
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
