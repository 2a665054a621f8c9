"""What every reader hands the segmenter: clean text plus what the source itself says
about its structure (headings with their levels, print pages, title, author, date)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageBreak:
    """A print page starts at ``offset`` of `Document.text`; ``number`` is its own label ("12")."""

    offset: int
    number: str


@dataclass(frozen=True)
class Heading:
    """Line ``line`` of `Document.text` is a heading by the source's own markup or type.

    ``level`` 0 is the document's title, 1 the highest heading below it, and so on.
    """

    line: int
    level: int


@dataclass(frozen=True)
class Document:
    text: str  # clean text: one paragraph (or heading) per line, no blank lines
    encoding: str  # the encoding the bytes were decoded from ("utf-8", "gb18030", …); "" for binary formats
    removed: tuple[str, ...] = ()  # one description per kind of removal, as warned
    format: str = "text"  # text, pdf, docx, html, epub
    headings: tuple[Heading, ...] = ()
    pages: tuple[PageBreak, ...] = ()
    page_source: str = ""  # the edition the page numbers come from, for the EPUB's pageBreakSource
    title: str = ""  # from the source's metadata (a title line in the text is the segmenter's business)
    author: str = ""
    date: str = ""  # ISO date


@dataclass(frozen=True)
class Block:
    """One paragraph or heading as a reader found it, before the shared cleaning."""

    text: str
    level: int | None = None  # heading level (see `Heading`); None for body text
    pages: tuple[tuple[int, str], ...] = ()  # (offset in text, page number) of print pages starting here
