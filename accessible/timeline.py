"""The one timeline: when each sentence and each word of a chapter is heard in its audio file.

The assembler places every clip in a chapter (`Placed`: the clip's engine timings made
absolute); this module turns those placements into what every output shows — the EPUB's
media overlays, the captions, the web page's data, the chapter marks and the timings
JSON of `accessible synth`. Nothing else works out a word's time, so they all agree.
Times are whole milliseconds of the chapter file (what SMIL, WebVTT and the page use).

A clip's timings cut the sentence text into *units*, each said at once: one syllable's
character, or a written token the speech layer rewrote (``18.7`` said 十八点七, ``:`` said
比), or a whole expression said in another order (``8.2%`` 百分之八点二). Words are made of
units by one rule:
- *punctuation*: a unit nobody says (no duration, no letter or digit) is in no word; it
  is the gap between words, and its time (the pause) stays with the word before it;
- *grouping*: neighbouring units form one word when one of the sentence's words
  (`Sentence.words`) covers both and neither holds a digit — a voice that times every
  syllable still lights 地区 as one word, while every written number keeps its own;
- a unit that cannot be shown on its own (no duration, or starting in the same
  millisecond as the word before) joins the word before it, so every word has a time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from .errors import OutputError
from .model import Chapter, ChapterTrack, Placed, Sentence, Timing


def ms(seconds: float) -> int:
    """Seconds to whole milliseconds: the one rounding every output uses."""
    return round(seconds * 1000)


@dataclass(frozen=True, slots=True)  # a chapter has tens of thousands
class Word:
    """A stretch of a sentence's text (``[text_start, text_end)``) and when it is said (ms)."""

    text_start: int
    text_end: int
    start: int  # its first sound
    end: int  # its last sound ends


@dataclass(frozen=True)
class Utterance:
    """A sentence as heard: its clip's place in the chapter file (ms) and its words."""

    sentence: Sentence
    start: int
    end: int
    words: tuple[Word, ...]

    def text(self, word: Word) -> str:
        return self.sentence.text[word.text_start : word.text_end]

    def tiles(self, begin: int, end: int) -> tuple[tuple[Word, int, int], ...]:
        """The words' shares of ``[begin, end)`` (the sentence's share of the chapter):
        the first from ``begin``, each other from its first sound, each until the next
        one starts — so a pause stays with the word before it and nothing is skipped."""
        if not self.words:
            return ()
        bounds = [begin] + [min(max(w.start, begin), end) for w in self.words[1:]] + [end]
        return tuple(zip(self.words, bounds, bounds[1:]))


@dataclass(frozen=True)
class Timeline:
    chapter_id: str
    duration: int  # ms: the chapter file's length
    utterances: tuple[Utterance, ...]  # reading order
    strays: tuple[str, ...] = ()  # placed sentence ids the chapter does not have

    def tiles(self) -> tuple[tuple[Utterance, int, int], ...]:
        """The sentences' shares of the whole file: each from its start until the next
        starts (the first from 0, the last until the end), so together they tile it; a
        sentence placed at the same instant as the next one has no share and is left out."""
        starts = [0] + [min(u.start, self.duration) for u in self.utterances[1:]] + [self.duration]
        return tuple((u, b, e) for u, b, e in zip(self.utterances, starts, starts[1:]) if e > b)

    def start_of(self, sentence_id: str) -> int | None:
        return next((u.start for u in self.utterances if u.sentence.id == sentence_id), None)


def chapter_timeline(chapter: Chapter, track: ChapterTrack) -> Timeline:
    """The timeline of a chapter from its track (placements as the assembler counted them).

    Placed sentences the chapter does not have are listed in `Timeline.strays` (each
    output decides how bad that is); placements out of reading order are a broken
    track: `OutputError`.
    """
    known = {s.id for s in chapter.sentences()}
    return Timeline(
        chapter.id,
        ms(track.duration),
        tuple(chapter_utterances(chapter, track)),
        tuple(sid for sid in track.sentences.ids if sid not in known),
    )


def chapter_utterances(chapter: Chapter, track: ChapterTrack) -> Iterator[Utterance]:
    """The utterances of `chapter_timeline`, made one at a time, for an output that needs
    no more than one sentence at a time (captions); the order is checked at once."""
    placements = track.sentences
    index = {sid: i for i, sid in enumerate(placements.ids)}
    sentences = [(s, index[s.id]) for s in chapter.sentences() if s.id in index]
    starts = [placements.spans[2 * i] for _, i in sentences]
    if any(b < a for a, b in zip(starts, starts[1:])):
        raise OutputError(f"chapter {chapter.id}: its audio is not in reading order; rebuild the audio")
    return (utterance(s, placements[i]) for s, i in sentences)  # each `Placed` made and dropped in turn


def utterance(sentence: Sentence, placed: Placed) -> Utterance:
    start, end = ms(placed.start), ms(placed.end)
    return Utterance(sentence, start, end, words(sentence, placed.timings, start, end))


def _says_something(text: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in text)


def words(sentence: Sentence, timings: Iterable[Timing], start: int, end: int) -> tuple[Word, ...]:
    """The sentence's words from its timings (absolute seconds), inside ``[start, end)`` ms;
    see the module docstring for the rule."""
    text = sentence.text
    lexical = [-1] * len(text)  # text index -> index of the Sentence.words word holding it
    for k, (a, b) in enumerate(sentence.words):
        for i in range(max(a, 0), min(b, len(text))):
            lexical[i] = k
    units = sorted(
        (max(t.text_start, 0), min(t.text_end, len(text)), ms(t.start), ms(t.end))
        for t in timings
        if min(t.text_end, len(text)) > max(t.text_start, 0)
    )
    groups: list[list[int]] = []  # [text_start, text_end, start, end] per word
    last: tuple[int, int] | None = None  # the text span of the previous unit
    for a, b, t0, t1 in units:
        heard = t1 > t0
        if not heard and not _says_something(text[a:b]):
            continue  # punctuation
        t0, t1 = min(max(t0, start), end), min(max(t1, start), end)
        if groups and a < groups[-1][1]:  # overlapping units: not ours to split
            joins = True
        elif groups and last is not None:
            group = groups[-1]
            shown = t1 > t0 and t0 > group[2] and t0 < end
            same_word = bool({lexical[i] for i in range(*last)} & {lexical[i] for i in range(a, b)} - {-1})
            digits = any(c.isdigit() for c in text[last[0] : last[1]] + text[a:b])
            joins = not shown or group[3] <= group[2] or (same_word and not digits)
        else:
            joins = False
        if joins:
            g = groups[-1]
            groups[-1] = [g[0], max(g[1], b), min(g[2], t0), max(g[3], t1)]
        else:
            groups.append([a, b, t0, t1])
        last = (a, b)
    return tuple(Word(*g) for g in groups)


def as_json(timeline: Timeline) -> dict[str, Any]:
    """The timeline as plain data (seconds to the millisecond), for `accessible synth`."""

    def seconds(value: int) -> float:
        return value / 1000

    return {
        "chapter": timeline.chapter_id,
        "duration": seconds(timeline.duration),
        "sentences": [
            {
                "id": u.sentence.id,
                "text": u.sentence.text,
                "start": seconds(u.start),
                "end": seconds(u.end),
                "words": [
                    {"text": u.text(w), "span": [w.text_start, w.text_end], "start": seconds(w.start), "end": seconds(w.end)}
                    for w in u.words
                ],
            }
            for u in timeline.utterances
        ],
    }


def timelines(chapters: Sequence[Chapter], tracks: Iterable[ChapterTrack]) -> dict[str, Timeline]:
    """The timeline of every chapter that has a track, by chapter id."""
    by_id = {c.id: c for c in chapters}
    return {t.chapter_id: chapter_timeline(by_id[t.chapter_id], t) for t in tracks if t.chapter_id in by_id}
