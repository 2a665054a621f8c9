"""The book model every stage reads and writes.

Flow: segment builds a `Book` of `Sentence`s; the speech stage returns the same book
with a `Reading` on every sentence; an engine turns one sentence into a `Clip`;
the assembler places clips in chapter files (`ChapterTrack`); packagers read those.

Offsets are Python string indices (code points) into `Sentence.text`, half-open
``[start, end)``. Times are seconds (float).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Literal, Sequence, overload

Span = tuple[int, int]


@dataclass(frozen=True)
class Syllable:
    """One syllable the voice says: tone-number pinyin (``hang2``; neutral tone ``5``)."""

    pinyin: str  # as said, after tone sandhi (一 yi2 before a fourth tone)
    spoken: int  # index of the spoken character it is read from
    # The dictionary tone after the polyphone decision, before sandhi: what pinyin
    # ruby and braille write (一定 is said yi2 ding4 but written yī dìng).
    citation: str = ""

    @property
    def written(self) -> str:
        return self.citation or self.pinyin


@dataclass(frozen=True)
class Reading:
    """How a sentence is said: spoken form, pinyin, and a map back to the original."""

    spoken: str
    # origin[i] is the span of Sentence.text that spoken character i reads; the spoken
    # characters of one written token share its span ("18.7:51.7" -> 十八点七 map to
    # "18.7", 比 to ":", 五十一点七 to "51.7"); a token said out of written order is
    # one span ("8.2%" -> 百分之八点二 all map to "8.2%").
    origin: tuple[Span, ...]
    syllables: tuple[Syllable, ...]
    words: tuple[Span, ...]  # word spans over `spoken` (prosody boundaries)

    def pinyin(self) -> str:
        return " ".join(s.pinyin for s in self.syllables)


@dataclass(frozen=True)
class Sentence:
    id: str  # "c03-s02-p004-t007"; headings "c03-h" and "c03-s02-h"
    text: str  # exactly as shown in the book (cleaned original)
    words: tuple[Span, ...] = ()  # jieba word spans over `text` (word-level sync)
    clauses: tuple[int, ...] = ()  # offsets after ，、： where a long sentence may be split
    reading: Reading | None = None


@dataclass(frozen=True)
class Paragraph:
    id: str  # "c03-s02-p004"
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Section:
    id: str  # "c03-s02"; "c03-s00" holds a chapter's paragraphs before its first section
    number: int  # 0 for the untitled lead-in
    heading: Sentence | None
    paragraphs: tuple[Paragraph, ...]

    @property
    def title(self) -> str:
        return self.heading.text if self.heading else ""


ChapterKind = Literal["front", "body"]


@dataclass(frozen=True)
class Chapter:
    id: str  # "c00" is the front matter, "c01"… the chapters
    number: int
    kind: ChapterKind
    heading: Sentence | None
    sections: tuple[Section, ...]

    @property
    def title(self) -> str:
        return self.heading.text if self.heading else ""

    def sentences(self) -> Iterator[Sentence]:
        """Every sentence in reading order, headings included."""
        if self.heading:
            yield self.heading
        for section in self.sections:
            if section.heading:
                yield section.heading
            for paragraph in section.paragraphs:
                yield from paragraph.sentences


@dataclass(frozen=True)
class PageMark:
    """A print page of the source starts in sentence ``sentence_id`` at ``offset`` of its text.

    A page that starts inside a sentence does not split it: the sentence is read whole
    and the mark sits where the page's text starts (at a word boundary when shown).
    """

    sentence_id: str
    offset: int
    number: str  # the page's own number as printed ("12")


@dataclass(frozen=True)
class Book:
    title: str
    chapters: tuple[Chapter, ...]  # the front matter first when there is one
    author: str = ""
    date: str = ""  # ISO date when known ("2017-04-07")
    language: str = "zh-CN"
    pages: tuple[PageMark, ...] = ()  # print pages of the source, in reading order
    page_source: str = ""  # the edition the pages come from ("report.pdf, 36 pages")

    def sentences(self) -> Iterator[Sentence]:
        for chapter in self.chapters:
            yield from chapter.sentences()

    def map_sentences(self, fn: Callable[[Sentence], Sentence]) -> "Book":
        """A copy of the book with ``fn(sentence)`` in place of every sentence."""

        def section(s: Section) -> Section:
            return replace(
                s,
                heading=fn(s.heading) if s.heading else None,
                paragraphs=tuple(
                    replace(p, sentences=tuple(fn(t) for t in p.sentences)) for p in s.paragraphs
                ),
            )

        return replace(
            self,
            chapters=tuple(
                replace(
                    c,
                    heading=fn(c.heading) if c.heading else None,
                    sections=tuple(section(s) for s in c.sections),
                )
                for c in self.chapters
            ),
        )


@dataclass(frozen=True)
class Timing:
    """When a span of the original sentence text is spoken."""

    start: float
    end: float
    text_start: int
    text_end: int


@dataclass(frozen=True)
class Clip:
    """One synthesized sentence: mono 16-bit PCM and the timing of its original text."""

    pcm: bytes  # signed 16-bit little-endian, mono
    sample_rate: int
    timings: tuple[Timing, ...]  # monotonic, inside the clip, covering the sentence text

    @property
    def duration(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate

    def misfit(self, text: str) -> str | None:
        """Why this cannot be the clip of a sentence reading ``text``; None when it can."""
        if not self.pcm or len(self.pcm) % 2:
            return "not 16-bit PCM"
        if not 8000 <= self.sample_rate <= 48000:
            return f"sample rate {self.sample_rate} Hz"
        last = 0.0
        for t in self.timings:
            if not (last - 1e-6 <= t.start <= t.end <= self.duration + 1e-3 and 0 <= t.text_start <= t.text_end <= len(text)):
                return "timings outside the clip or the text"
            last = t.start
        return None


@dataclass(frozen=True)
class Placed:
    """A sentence's place inside its chapter audio file (times as read off the final file)."""

    sentence_id: str
    start: float
    end: float
    timings: tuple[Timing, ...] = ()  # absolute times in the chapter file


@dataclass(frozen=True)
class Placements(Sequence[Placed]):
    """A chapter's placements, packed: each `Placed` is made when it is asked for.

    A chapter holds one per sentence and one timing per syllable: as objects a 3-hour
    chapter's (2,000 sentences, 41,000 timings) took 7.5 MB and as the manifest's JSON
    dicts three times that; packed, 24 bytes a timing. Sentence ``i`` is ``ids[i]`` from
    ``spans[2i]`` to ``spans[2i+1]`` (s), its timings are rows ``bounds[i]`` to
    ``bounds[i+1]`` of ``times`` (start, end: s) and ``texts`` (text start, end)."""

    ids: tuple[str, ...] = ()
    spans: array[float] = field(default_factory=lambda: array("d"))
    bounds: array[int] = field(default_factory=lambda: array("q", [0]))
    times: array[float] = field(default_factory=lambda: array("d"))
    texts: array[int] = field(default_factory=lambda: array("i"))

    def __post_init__(self) -> None:
        n, m = len(self.ids), len(self.texts) // 2
        fits = len(self.spans) == 2 * n and len(self.bounds) == n + 1 and len(self.times) == len(self.texts) == 2 * m
        if not fits or self.bounds[0] != 0 or self.bounds[-1] != m or any(a > b for a, b in zip(self.bounds, self.bounds[1:])):
            raise ValueError("placements whose parts do not fit together")

    @classmethod
    def of(cls, placed: Iterable[Placed]) -> "Placements":
        ids: list[str] = []
        spans, bounds, times, texts = array("d"), array("q", [0]), array("d"), array("i")
        for p in placed:
            ids.append(p.sentence_id)
            spans.extend((p.start, p.end))
            for t in p.timings:
                times.extend((t.start, t.end))
                texts.extend((t.text_start, t.text_end))
            bounds.append(len(texts) // 2)
        return cls(tuple(ids), spans, bounds, times, texts)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, i: int) -> Placed: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Placed, ...]: ...

    def __getitem__(self, i: int | slice) -> Placed | tuple[Placed, ...]:
        if isinstance(i, slice):
            return tuple(self[k] for k in range(*i.indices(len(self))))
        i = range(len(self))[i]  # IndexError past the end, as a tuple's
        times, texts = self.times, self.texts
        rows = range(2 * self.bounds[i], 2 * self.bounds[i + 1], 2)
        timings = tuple(Timing(times[k], times[k + 1], texts[k], texts[k + 1]) for k in rows)
        return Placed(self.ids[i], self.spans[2 * i], self.spans[2 * i + 1], timings)


@dataclass(frozen=True)
class ChapterTrack:
    chapter_id: str
    title: str
    path: str  # relative to the book's output folder, e.g. "audio/01-本届政府工作回顾.mp3"
    duration: float
    # Any sequence of `Placed` given here is packed (tests and tools give tuples).
    sentences: Placements = field(default_factory=Placements)

    def __post_init__(self) -> None:
        if not isinstance(self.sentences, Placements):
            object.__setattr__(self, "sentences", Placements.of(self.sentences))
