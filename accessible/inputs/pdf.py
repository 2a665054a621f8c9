"""PDF with a text layer, read as a person reads the printed page.

The text layer (pdfplumber, on pdfminer.six) gives characters with their positions and
fonts. From those: lines are joined back into paragraphs by their layout (an indented
line or a short line before it, a wider gap, a change of font), also across a page
break when the last line of a page runs to the margin and the next page goes on
unindented; running headers and footers (text that repeats at the top or bottom of the
pages) and page numbers (``- 12 -``, ``第 12 页``) are dropped, the page numbers kept
as the print pages of the book; headings are marked by a larger or bolder font than
the body's; ruled tables are read row by row, each cell with its column's header.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from .clean import clean_blocks
from .document import Block, Document
from .meta import source_metadata
from .tables import table_rows

log = logging.getLogger("accessible")

# Page numbers as printed: "- 12 -", "—12—", "第 12 页", "第12页 共36页", "12/36", "12".
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－―⸺·•]*(?:第\s*)?(?P<n>\d{1,4})(?:\s*页)?(?:\s*(?:/|共)\s*\d{1,4}\s*页?)?[\s\-—–－―⸺·•]*$"
)
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[。！？；!?;：:][”’」』）)]*$")
_BOLD = re.compile(r"bold|heavy|black|semibold|demi|hei|黑|小标宋|xbs|biaosong|fzdbs", re.I)
_HEADING_MAX = 50  # characters: a heading is a short paragraph
# A space between two Chinese characters of a line is the page's spacing (justified or
# letter-spaced text), not a space in the text.
_LAYOUT_SPACE = re.compile(r"(?<=[\u3400-\u9fff，。、；：？！“”（）《》]) +(?=[\u3400-\u9fff，。、；：？！“”（）《》])")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def style(self) -> tuple[float, bool]:
        return (round(self.size * 2) / 2, self.bold)


@dataclass
class _Paragraph:
    lines: list[_Line]
    pages: list[tuple[int, str]] = field(default_factory=list)  # (offset, page number)
    table: bool = False

    @property
    def text(self) -> str:
        text = ""
        for line in self.lines:
            text += _join(text, line.text)
        return text

    @property
    def style(self) -> tuple[float, bool]:
        return Counter(line.style for line in self.lines for _ in line.text).most_common(1)[0][0]


def _join(before: str, line: str) -> str:
    """A line as it continues the text before it: Latin words broken at a line end get their space."""
    if before[-1:].isascii() and before[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum():
        return " " + line
    return line


@dataclass(frozen=True)
class _Page:
    number: int  # physical, 1-based
    lines: tuple[_Line, ...]  # body lines, top to bottom (tables as one-line paragraphs beside them)
    tables: tuple[tuple[float, tuple[str, ...]], ...]  # (top, rows read out)
    label: str | None  # the printed page number, when there is one
    height: float
    images: int


def read_pdf(data: bytes, p: Path) -> Document:
    """Read a PDF's text layer; raise `InputError` for a damaged, locked, scanned or empty one."""
    import pdfplumber  # imported here: reading text files never pays for it
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font-table chatter on every page
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        metadata = dict(pdf.metadata or {})
        pages = [_read_page(page) for page in pdf.pages]
    except Exception as e:  # pdfminer raises many kinds on broken files; pdfplumber wraps them
        cause = e.args[0] if e.args and isinstance(e.args[0], Exception) else e
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(cause).lower():
            raise InputError(f"{p}: the PDF is encrypted (it needs a password): save an unprotected copy first") from None
        raise InputError(f"{p}: a damaged PDF ({type(cause).__name__}{': ' if str(cause) else ''}{cause})") from None
    if not pages:
        raise InputError(f"{p}: the PDF has no pages")
    pages, notes = _drop_running_lines(pages)
    # what is left once running headers, footers and page numbers are gone is the text
    textless = [pg for pg in pages if not pg.lines and not pg.tables]
    if len(textless) == len(pages):
        if any(pg.images for pg in pages):
            raise InputError(f"{p}: the PDF has no text layer (scanned pages): it needs OCR first")
        raise InputError(f"{p}: the PDF has no text")
    scans = [pg.number for pg in textless if pg.images]
    if scans:
        notes.append(f"pages {_numbers(scans)} have no text layer (scanned images) and are not read: they need OCR first")
    labels = _labels(pages)
    paragraphs = _paragraphs(pages, labels)
    blocks, tables = _blocks(paragraphs)
    notes += tables
    meta = _metadata(metadata)
    doc = clean_blocks(
        blocks,
        encoding="",
        format="pdf",
        page_source=f"{meta.get('title') or p.name}（PDF，{len(pages)} 页）",
        **meta,
    )
    return replace(doc, removed=tuple(notes) + doc.removed)


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8])
    return shown + (", …" if len(numbers) > 8 else "")


# --- one page ------------------------------------------------------------------


def _font_name(name: str) -> str:
    """Font names arrive as "ABCDEF+SimHei" or with GBK bytes escaped ("#BA#DA#CC#E5" is 黑体)."""
    name = name.split("+", 1)[-1]
    if "#" in name:
        try:
            raw = re.sub(r"#([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), name).encode("latin-1")
            name = raw.decode("gb18030")
        except (UnicodeError, ValueError):
            pass
    return name


def _line(found: dict[str, Any]) -> _Line | None:
    chars = [c for c in found["chars"] if c["text"].strip()]
    if not chars:
        return None
    size = statistics.median(c["size"] for c in chars)
    bold = Counter(bool(_BOLD.search(_font_name(c["fontname"]))) for c in chars).most_common(1)[0][0]
    text = _LAYOUT_SPACE.sub("", found["text"].strip())
    return _Line(text, found["x0"], found["x1"], found["top"], found["bottom"], size, bold)


def _read_page(page: Any) -> _Page:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    lines = [line for found in text_page.extract_text_lines(return_chars=True) if (line := _line(found))]
    read_tables = tuple((t.bbox[1], table_rows(t.extract())) for t in tables)
    return _Page(page.page_number, tuple(lines), tuple(t for t in read_tables if t[1]), None, float(page.height), len(page.images))


# --- running headers, footers and page numbers ---------------------------------------


def _running_key(line: _Line) -> tuple[str, int]:
    """A running header or footer comes back at the same height with the same text (numbers aside)."""
    return _DIGITS.sub("#", re.sub(r"\s+", "", line.text)), round(line.top / 4)


def _drop_running_lines(pages: list[_Page]) -> tuple[list[_Page], list[str]]:
    """Drop page numbers and text repeated at the top or bottom of the pages; keep the numbers."""
    zone = 2  # lines at each end of a page that may be a header or a footer
    ends = [
        sorted({*range(min(zone, len(pg.lines))), *range(max(len(pg.lines) - zone, 0), len(pg.lines))}) for pg in pages
    ]
    seen = Counter(key for pg, indexes in zip(pages, ends) for key in {_running_key(pg.lines[i]) for i in indexes})
    running = {key for key, n in seen.items() if n >= max(2, round(0.4 * len(pages)))}
    out, numbers, headers = [], 0, Counter[str]()
    for page, indexes in zip(pages, ends):
        label = None
        dropped = set()
        for index in indexes:
            line = page.lines[index]
            number = _PAGE_NUMBER.match(line.text)
            if number and _is_margin(line, page):
                label = label or number.group("n")
            elif _running_key(line) in running:
                headers[line.text] += 1
            else:
                continue
            dropped.add(index)
        numbers += label is not None
        keep = tuple(line for i, line in enumerate(page.lines) if i not in dropped)
        out.append(replace(page, lines=keep, label=label))
    notes = [f"removed running header or footer {text!r} ({n} pages)" for text, n in headers.items()]
    if numbers:
        notes.append(f"removed the page numbers of {numbers} pages (kept as the book's print pages)")
    return out, notes


def _is_margin(line: _Line, page: _Page) -> bool:
    """In the top or bottom sixth of the page: a bare number elsewhere is text (a table's, a list's)."""
    return line.bottom < page.height / 6 or line.top > page.height * 5 / 6


def _labels(pages: list[_Page]) -> list[str]:
    """Each page's own number: as printed, else counted on from the printed ones, else its place."""
    offsets = Counter(int(pg.label) - i for i, pg in enumerate(pages) if pg.label and pg.label.isdigit())
    if not offsets:
        return [str(pg.number) for pg in pages]
    shift = offsets.most_common(1)[0][0]
    return [pg.label or str(i + shift) for i, pg in enumerate(pages)]


# --- paragraphs ------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    left: float
    right: float
    size: float  # the body's font size
    pitch: float  # the body's line spacing
    style: tuple[float, bool]  # the body's (size, bold)


def _layout(pages: list[_Page]) -> _Layout:
    lines = [line for page in pages for line in page.lines]
    style = Counter(line.style for line in lines for _ in line.text).most_common(1)[0][0]
    body = [line for line in lines if line.style == style] or lines
    size = style[0] or 10.0
    left = Counter(round(line.x0) for line in body).most_common(1)[0][0]
    right = max(Counter(round(line.x1) for line in body).most_common(3))[0]
    gaps = Counter(
        round(b.top - a.top)
        for page in pages
        for a, b in zip(page.lines, page.lines[1:])
        if a.style == b.style == style and 0 < b.top - a.top < 3 * size
    )
    pitch = gaps.most_common(1)[0][0] if gaps else 1.5 * size
    return _Layout(float(left), float(right), size, float(pitch), style)


def _paragraphs(pages: list[_Page], labels: list[str]) -> list[_Paragraph]:
    """Lines (and tables) of all pages in reading order, joined into paragraphs."""
    layout = _layout([pg for pg in pages if pg.lines] or pages)
    out: list[_Paragraph] = []
    for page, label in zip(pages, labels):
        items: list[tuple[float, _Line | tuple[str, ...]]] = [(line.top, line) for line in page.lines]
        items += [(top, rows) for top, rows in page.tables]
        items.sort(key=lambda item: item[0])
        page_started = False
        previous: _Line | None = None
        for _, item in items:
            if isinstance(item, tuple):  # a table: one paragraph per row, never joined
                for row in item:
                    out.append(_Paragraph([_Line(row, 0, 0, 0, 0, layout.size, False)], table=True))
                    if not page_started:
                        out[-1].pages.append((0, label))
                        page_started = True
                previous = None
                continue
            if out and not out[-1].table and _continues(out[-1], previous, item, layout):
                paragraph = out[-1]
                offset = len(paragraph.text) + len(_join(paragraph.text, item.text)) - len(item.text)
                paragraph.lines.append(item)
            else:
                paragraph = _Paragraph([item])
                out.append(paragraph)
                offset = 0
            if not page_started:
                paragraph.pages.append((offset, label))
                page_started = True
            previous = item
        if not page_started and out:  # a page with nothing read on it starts where the next text does
            out[-1].pages.append((len(out[-1].text), label))
    return out


def _continues(paragraph: _Paragraph, previous: _Line | None, line: _Line, layout: _Layout) -> bool:
    """Whether ``line`` goes on with ``paragraph`` (``previous`` is None at the top of a page)."""
    last = paragraph.lines[-1]
    if last.style != line.style:
        return False
    indent = line.x0 - layout.left
    # a centered paragraph (a dateline) wrapped: its first line runs to the margin
    centered = abs(indent - (layout.right - line.x1)) < layout.size
    if centered and last.x1 >= layout.right - 1.5 * layout.size and not _SENTENCE_END.search(last.text):
        indent = 0
    if last.style != layout.style:  # a heading of several lines: same font, close together, no indent change
        return previous is not None and line.top - last.bottom < layout.pitch and abs(line.x0 - last.x0) < layout.size
    if indent > 0.8 * layout.size or _SENTENCE_END.search(last.text) and last.x1 < layout.right - layout.size:
        return False
    if last.x1 < layout.right - 1.5 * layout.size:  # the line before ended short of the margin
        return False
    if previous is not None and line.top - last.top > 1.6 * layout.pitch:  # a wider gap
        return False
    return True


# --- blocks ------------------------------------------------------------------------


def _blocks(paragraphs: list[_Paragraph]) -> tuple[list[Block], list[str]]:
    """Paragraphs as blocks, headings marked by their font: larger or bolder than the body's."""
    if not paragraphs:
        return [], []
    body = Counter(line.style for p in paragraphs if not p.table for line in p.lines for _ in line.text).most_common(1)
    body_style = body[0][0] if body else (0.0, False)
    headings = [_is_heading(p, body_style) for p in paragraphs]
    styles = sorted({p.style for p, h in zip(paragraphs, headings) if h}, key=lambda s: (-s[0], not s[1]))
    # The document's title: its first paragraph, alone in the largest heading font.
    titled = headings[0] and paragraphs[0].style == styles[0] and sum(q.style == styles[0] for q in paragraphs) == 1
    level = {style: n for n, style in enumerate(styles[1:] if titled else styles, 1)}
    blocks = []
    for n, (p, heading) in enumerate(zip(paragraphs, headings)):
        number = 0 if titled and n == 0 else level.get(p.style) if heading else None
        blocks.append(Block(p.text, number, tuple(p.pages)))
    rows = sum(p.table for p in paragraphs)
    notes = [f"read {rows} table rows one by one, each cell with its column's header"] if rows else []
    return blocks, notes


def _is_heading(p: _Paragraph, body: tuple[float, bool]) -> bool:
    if p.table or len(p.text) > _HEADING_MAX or _SENTENCE_END.search(p.text[:-1] or "x"):
        return False
    size, bold = p.style
    return size >= body[0] + 1 or (bold and not body[1] and size >= body[0] - 0.5)


# --- metadata --------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        for encoding in ("utf-16", "utf-8", "gb18030"):
            try:
                return value.decode(encoding).strip()
            except UnicodeDecodeError:
                continue
        return ""
    return str(value or "").strip()


def _metadata(info: dict[str, Any]) -> dict[str, str]:
    return source_metadata(_text(info.get("Title")), _text(info.get("Author")), _text(info.get("CreationDate")).removeprefix("D:"))
