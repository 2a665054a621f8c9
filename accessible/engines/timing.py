"""From "when was each spoken character said" to timings over the original sentence text.

Any engine that knows when parts of the spoken form are said (Baker: each syllable
from the duration output; an online voice: its word-boundary events) turns them into
`Timing`s here, through `Reading.origin`, so every engine's clips obey the same rules:
sorted, non-overlapping, inside the clip, and covering every character of the text.
Characters nobody says (punctuation, spaces) get a zero-length span at the time of
the speech before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..model import Reading, Timing


@dataclass(frozen=True)
class Said:
    """Spoken characters [spoken_start, spoken_end) were said from ``start`` to ``end`` seconds."""

    spoken_start: int
    spoken_end: int
    start: float
    end: float


def original_timings(text: str, reading: Reading, said: Iterable[Said], duration: float) -> tuple[Timing, ...]:
    """Timings covering ``text`` in order, from what was said when (in speaking order)."""
    units: list[list[float]] = []  # [text_start, text_end, start, end], text spans disjoint and sorted
    for event in said:
        spans = [reading.origin[i] for i in range(event.spoken_start, event.spoken_end) if i < len(reading.origin)]
        spans = [(min(a, len(text)), min(b, len(text))) for a, b in spans]
        spans = [s for s in spans if s[1] > s[0]]
        if not spans:
            continue
        lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
        start, end = _clamp(event.start, duration), _clamp(event.end, duration)
        unit = [lo, hi, start, max(start, end)]
        # A span that reaches back into earlier units (an expression read out of
        # order, or several spoken characters reading one original span) merges with them.
        while units and unit[0] < units[-1][1]:
            last = units.pop()
            unit = [min(last[0], unit[0]), max(last[1], unit[1]), min(last[2], unit[2]), max(last[3], unit[3])]
        if units and unit[2] < units[-1][3]:
            unit[2] = units[-1][3]
            unit[3] = max(unit[3], unit[2])
        units.append(unit)

    timings: list[Timing] = []
    position, clock = 0, units[0][2] if units else 0.0
    for a, b, start, end in units:
        lo, hi = int(a), int(b)
        if lo > position:  # unsaid characters before this unit
            timings.append(Timing(clock, clock, position, lo))
        timings.append(Timing(start, end, lo, hi))
        position, clock = hi, end
    if position < len(text):
        timings.append(Timing(clock, clock, position, len(text)))
    return tuple(timings)


def _clamp(t: float, duration: float) -> float:
    return min(max(t, 0.0), duration)
