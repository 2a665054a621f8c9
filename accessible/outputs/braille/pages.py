"""Braille pages: lines of a fixed width, pages of a fixed height, as an embosser prints.

Layout, after the usual practice of Chinese braille books: a title page (the title
centred, then the date and the braille system); each chapter starts a new page with
its heading centred; a section heading stands on its own line after a blank line; a
paragraph's first line is indented two cells; words are separated by one blank cell
and never split across lines unless a word is longer than a line (then it breaks
between syllables). Line 1 of every page after the title page carries the page
number at its right end (number sign and digits), and the text fills the lines below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from .cells import BLANK
from .translate import Word, number_cells

BlockKind = Literal["chapter", "section", "paragraph"]
PARAGRAPH_INDENT = 2
MIN_CELLS, MAX_CELLS = 20, 100
MIN_LINES, MAX_LINES = 5, 100


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Page:
    number: int  # 0 for the title page
    rows: tuple[str, ...]  # Unicode braille, no trailing blanks, at most `lines` rows


@dataclass(frozen=True)
class Chapter:
    """The pages of one chapter (a PEF section); the title page is a chapter of its own."""

    title: str
    pages: tuple[Page, ...]


def fill(words: Iterable[Word], width: int, indent: int = 0) -> list[str]:
    """Words into lines of at most ``width`` cells (the first line indented)."""
    lines: list[str] = []
    line = BLANK * indent
    for word in words:
        cells = "".join(p.cells for p in word)
        sep = BLANK if line.strip(BLANK) else ""
        if len(line) + len(sep) + len(cells) <= width:
            line += sep + cells
            continue
        if line.strip(BLANK):
            lines.append(line)
            line = ""
        if len(cells) <= width:
            line = cells
            continue
        for piece in word:  # a word longer than a line breaks between its pieces
            rest = piece.cells
            if len(line) + len(rest) > width and line:
                lines.append(line)
                line = ""
            while len(line) + len(rest) > width:  # a piece longer than a line: cut it
                take = width - len(line)
                lines.append(line + rest[:take])
                line, rest = "", rest[take:]
            line += rest
    if line.strip(BLANK):
        lines.append(line)
    return lines


def centred(lines: list[str], width: int) -> list[str]:
    return [BLANK * ((width - len(line)) // 2) + line for line in lines]


def page_number(n: int) -> str:
    return number_cells(str(n))


class _Pager:
    def __init__(self, cells: int, lines: int, first: int) -> None:
        self.cells, self.lines = cells, lines
        self.number = first
        self.pages: list[Page] = []
        self.rows: list[str] = []

    @property
    def room(self) -> int:
        return self.lines - 1 - len(self.rows)  # line 1 holds the page number

    def new_page(self) -> None:
        if self.rows:
            number = page_number(self.number)
            head = BLANK * (self.cells - len(number)) + number
            self.pages.append(Page(self.number, (head, *(r.rstrip(BLANK) for r in self.rows))))
            self.number += 1
            self.rows = []

    def add(self, rows: list[str], *, keep: int = 0, gap: bool = False) -> None:
        """Place rows; ``keep`` of them (plus ``gap``, a blank line before) must share a page."""
        if gap and self.rows:
            if self.room < 1 + keep:
                self.new_page()
            else:
                self.rows.append("")
        elif self.room < keep:
            self.new_page()
        for row in rows:
            if self.room < 1:
                self.new_page()
            self.rows.append(row)


def paginate(title_rows: list[str], chapters: list[tuple[str, list[Block]]], cells: int, lines: int) -> tuple[Chapter, ...]:
    """The title page, then each chapter from a new page, numbered from 1."""
    top = max(0, (lines - len(title_rows)) // 3)
    out = [Chapter("", (Page(0, tuple([""] * top + [r.rstrip(BLANK) for r in title_rows])[:lines]),))]
    number = 1
    for title, blocks in chapters:
        pager = _Pager(cells, lines, number)
        for block in blocks:
            if block.kind == "chapter":
                rows = centred(fill(block.words, cells), cells)
                pager.add(rows + [""], keep=len(rows) + 2)
            elif block.kind == "section":
                rows = fill(block.words, cells, PARAGRAPH_INDENT)
                pager.add(rows, keep=len(rows) + 1, gap=True)  # never a heading alone at a page's foot
            else:
                pager.add(fill(block.words, cells, PARAGRAPH_INDENT))
        pager.new_page()
        if pager.pages:
            out.append(Chapter(title, tuple(pager.pages)))
            number = pager.number
    return tuple(out)

