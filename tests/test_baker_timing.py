"""Spoken-form times -> timings over the original text (shared by every engine)."""

from __future__ import annotations

from accessible.engines.timing import Said, original_timings
from accessible.model import Reading, Syllable, Timing


def covers(text: str, timings: tuple[Timing, ...], duration: float) -> None:
    assert timings[0].text_start == 0 and timings[-1].text_end == len(text)
    for a, b in zip(timings, timings[1:]):
        assert a.text_end == b.text_start
        assert a.end <= b.start + 1e-9
    for t in timings:
        assert 0 <= t.start <= t.end <= duration


def test_spelled_out_number_is_one_unit_and_punctuation_is_instant() -> None:
    text = "增长8.2%。"
    spoken = "增长百分之八点二。"
    origin = ((0, 1), (1, 2)) + ((2, 6),) * 6 + ((6, 7),)
    reading = Reading(spoken, origin, tuple(Syllable("x1", i) for i in range(8)), ((0, 2), (2, 8)))
    said = [Said(i, i + 1, 0.2 * i, 0.2 * i + 0.2) for i in range(8)]
    timings = original_timings(text, reading, said, 1.7)
    covers(text, timings, 1.7)
    assert [(t.text_start, t.text_end) for t in timings] == [(0, 1), (1, 2), (2, 6), (6, 7)]
    assert timings[2].start == 0.4 and timings[2].end == 1.6
    assert timings[3].start == timings[3].end == 1.6  # the full stop, at the end of the speech


def test_leading_punctuation_and_nothing_said() -> None:
    text = "（一）总则"
    reading = Reading(text, tuple((i, i + 1) for i in range(5)), (), ())
    said = [Said(1, 2, 0.05, 0.3), Said(3, 4, 0.3, 0.6), Said(4, 5, 0.6, 0.9)]
    timings = original_timings(text, reading, said, 1.0)
    covers(text, timings, 1.0)
    assert timings[0] == Timing(0.05, 0.05, 0, 1)
    silent = original_timings("！！", Reading("！！", ((0, 1), (1, 2)), (), ()), (), 0.1)
    assert silent == (Timing(0.0, 0.0, 0, 2),)


def test_out_of_order_origin_merges_and_times_stay_inside_the_clip() -> None:
    text = "ABCD"
    reading = Reading("abcd", ((2, 3), (0, 1), (1, 2), (3, 4)), (), ())
    said = [Said(i, i + 1, 0.3 * i, 0.3 * i + 0.3) for i in range(4)]
    timings = original_timings(text, reading, said, 1.0)  # the last event ends at 1.2: clamped
    covers(text, timings, 1.0)
    assert [(t.text_start, t.text_end) for t in timings] == [(0, 3), (3, 4)]
