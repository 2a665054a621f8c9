"""Word .docx: paragraphs and tables of the body in order, headings from their styles.

The Title style makes the title, Heading 1, 2 … (or 标题 1, 2 …, or an outline level)
the chapters and sections; headings written as plain numbered paragraphs (一、 （一）)
are found by the text rules as in any text, also when Word numbers them itself (the
list numbering is written out as Word shows it: "一、", "（二）", "3."). Headers and footers are not read (they
are not in the body). Print pages are kept where Word recorded them: the breaks it
found when it last laid the document out (``w:lastRenderedPageBreak``), else the page
breaks the author put in.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import InputError
from .clean import clean_blocks
from .document import Block, Document
from .meta import source_metadata
from .tables import table_rows

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.I)


def read_docx(data: bytes, p: Path) -> Document:
    """Read a .docx file's body; raise `InputError` if it is damaged or locked."""
    import docx  # imported here: reading text files never pays for it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(f"{p}: a damaged Word document ({e})") from None
    except Exception as e:  # lxml and python-docx raise many kinds on broken parts
        raise InputError(f"{p}: a damaged Word document ({type(e).__name__}: {e})") from None
    styles = {s.style_id: s for s in document.styles}
    numbering = _Numbering(document, styles)
    body = document.element.body
    rendered = any(True for _ in body.iter(f"{_W}lastRenderedPageBreak"))
    items: list[tuple[str, int | None, list[int]]] = []  # (text, level, page breaks at offsets)
    tables = 0
    for element in _body_items(body):
        if element.tag == f"{_W}tbl":
            rows = table_rows(_table(element))
            tables += bool(rows)
            items += [(row, None, []) for row in rows]
        else:
            text, breaks = _paragraph(element, rendered, styles)
            label = numbering.label(element)
            items.append((label + text, _level(element, styles), [b + len(label) if b else 0 for b in breaks]))
    blocks: list[Block] = []
    page = 1
    pages_seen = any(breaks for _, _, breaks in items)
    for text, level, breaks in items:
        marks = []
        if pages_seen and not blocks:
            marks.append((0, "1"))
        for offset in breaks:
            page += 1
            marks.append((offset, str(page)))
        blocks.append(Block(text, level, tuple(marks)))
    props = document.core_properties
    meta = source_metadata(props.title or "", props.author or "", props.created.isoformat() if props.created else "")
    doc = clean_blocks(
        blocks,
        encoding="",
        format="docx",
        page_source=f"{meta['title'] or p.name}（Word，{page} 页）" if pages_seen else "",
        **meta,
    )
    if tables:
        doc = _with_note(doc, f"read {tables} table(s) row by row, each cell with its column's header")
    return doc


def _with_note(doc: Document, note: str) -> Document:
    from dataclasses import replace

    return replace(doc, removed=(note, *doc.removed))


def _body_items(element: Any) -> Iterator[Any]:
    """Paragraphs and tables in reading order, looking inside content controls (w:sdt)."""
    for child in element.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_items(content)


def _paragraph(p: Any, rendered: bool, styles: dict[str, Any]) -> tuple[str, list[int]]:
    """The paragraph's text and the offsets where a new page starts in it."""
    text: list[str] = []
    breaks: list[int] = []
    length = 0
    if not rendered and _before_page(p, styles):
        breaks.append(0)
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}lastRenderedPageBreak", f"{_W}cr"):
        tag = el.tag
        if tag == f"{_W}t":
            text.append(el.text or "")
            length += len(el.text or "")
        elif tag == f"{_W}lastRenderedPageBreak":
            breaks.append(length)
        elif tag == f"{_W}br" and el.get(f"{_W}type") == "page":
            if not rendered:
                breaks.append(length)
        elif tag == f"{_W}tab":
            text.append(" ")
            length += 1
    return "".join(text), sorted(set(breaks))


def _before_page(p: Any, styles: dict[str, Any]) -> bool:
    ppr = p.find(f"{_W}pPr")
    flag = ppr.find(f"{_W}pageBreakBefore") if ppr is not None else None
    return flag is not None and flag.get(f"{_W}val", "true") not in ("0", "false")


def _style_id(p: Any) -> str | None:
    ppr = p.find(f"{_W}pPr")
    style = ppr.find(f"{_W}pStyle") if ppr is not None else None
    return style.get(f"{_W}val") if style is not None else None


def _outline(element: Any) -> int | None:
    ppr = element.find(f"{_W}pPr")
    level = ppr.find(f"{_W}outlineLvl") if ppr is not None else None
    value = level.get(f"{_W}val") if level is not None else None
    return int(value) if value is not None and value.isdigit() and int(value) < 9 else None


def _level(p: Any, styles: dict[str, Any]) -> int | None:
    """0 for the Title style, n for Heading n (or an outline level n-1), None for body text."""
    if (own := _outline(p)) is not None:
        return own + 1
    style = styles.get(_style_id(p) or "")
    while style is not None:
        name = style.name or ""
        if _TITLE_STYLE.match(name):
            return 0
        if m := _HEADING_STYLE.match(name):
            return int(m.group(1))
        if (level := _outline(style.element)) is not None:
            return level + 1
        style = style.base_style
    return None


def _table(tbl: Any) -> list[list[str]]:
    rows = []
    for tr in tbl.iter(f"{_W}tr"):
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            cells.append("".join(t.text or "" for t in tc.iter(f"{_W}t")))
        rows.append(cells)
    return rows


_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """一 … 九十九 as Word's chineseCounting writes them (larger numbers as digits)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "chineseLegalSimplified": _chinese,
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "ideographDigital": lambda n: "".join(_CN_DIGITS[int(d)] for d in str(n)),
    "lowerLetter": lambda n: chr(ord("a") + (n - 1) % 26),
    "upperLetter": lambda n: chr(ord("A") + (n - 1) % 26),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
}


class _Numbering:
    """Word's own list numbering, written out as it shows it (bullets are not read)."""

    def __init__(self, document: Any, styles: dict[str, Any]) -> None:
        self.styles = styles
        self.lists: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> level -> (format, text, start)
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {a.get(f"{_W}abstractNumId"): a for a in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            definition = abstract.get(ref.get(f"{_W}val")) if ref is not None else None
            if definition is None:
                continue
            levels = {}
            for lvl in definition.iter(f"{_W}lvl"):
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText"), int(_val(lvl, "start") or 1)
                )
            self.lists[num.get(f"{_W}numId")] = levels

    def _num(self, p: Any) -> tuple[str, int] | None:
        for element in self._chain(p):
            ppr = element.find(f"{_W}pPr")
            numpr = ppr.find(f"{_W}numPr") if ppr is not None else None
            if numpr is not None:
                num_id = _val(numpr, "numId")
                return (num_id, int(_val(numpr, "ilvl") or 0)) if num_id and num_id != "0" else None
        return None

    def _chain(self, p: Any) -> Iterator[Any]:
        yield p
        style = self.styles.get(_style_id(p) or "")
        while style is not None:
            yield style.element
            style = style.base_style

    def label(self, p: Any) -> str:
        """The number Word shows before paragraph ``p`` ("一、"), counting on; "" for none."""
        found = self._num(p)
        levels = self.lists.get(found[0]) if found else None
        if not found or not levels or found[1] not in levels:
            return ""
        num_id, level = found
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[level] = counters[level] + 1 if counters[level] else levels[level][2]
        for deeper in range(level + 1, 9):
            counters[deeper] = 0
        fmt, text, _ = levels[level]
        if fmt not in _FORMATS or not text:
            return ""  # bullets and pictures are not read

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            kind = levels.get(k, levels[level])[0]
            return _FORMATS.get(kind, str)(counters[k] or levels.get(k, levels[level])[2])

        return re.sub(r"%([1-9])", number, text)


def _val(element: Any, name: str) -> str:
    found = element.find(f"{_W}{name}")
    return found.get(f"{_W}val", "") if found is not None else ""
