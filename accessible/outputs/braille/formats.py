"""The three files of a braille edition, from its pages.

- BRF: Braille ASCII for embossers; rows end in CR LF, every page ends in a form feed.
- PEF 1.0 (DAISY's Portable Embosser Format, namespace http://www.daisy.org/ns/2008/pef):
  volumes of sections (one per chapter, each starting on a new page) of pages of rows
  in Unicode braille.
- TXT: Unicode braille without pagination, one paragraph or heading per line, for
  refreshable braille displays and screen readers.
"""

from __future__ import annotations

import hashlib
from typing import Sequence
from xml.sax.saxutils import escape

from .cells import BLANK, to_ascii
from .pages import Chapter

PEF_NS = "http://www.daisy.org/ns/2008/pef"
DC_NS = "http://purl.org/dc/elements/1.1/"
PEF_FORMAT = "application/x-pef+xml"


def brf(chapters: Sequence[Chapter]) -> str:
    pages = [page for chapter in chapters for page in chapter.pages]
    return "".join("\r\n".join(to_ascii(row) for row in page.rows) + "\r\n\f" for page in pages)


def volumes(chapters: Sequence[Chapter], max_pages: int) -> list[list[Chapter]]:
    """Chapters grouped into volumes of at most ``max_pages`` pages (a longer chapter
    makes a volume of its own); volumes break between chapters only."""
    out: list[list[Chapter]] = [[]]
    size = 0
    for chapter in chapters:
        n = len(chapter.pages)
        if out[-1] and size + n > max_pages:
            out.append([])
            size = 0
        out[-1].append(chapter)
        size += n
    return out


def pef(
    chapters: Sequence[Chapter],
    *,
    title: str,
    language: str,
    date: str,
    description: str,
    cols: int,
    rows: int,
    max_pages: int,
) -> str:
    # The identifier names the edition, not the run: rebuilding the same book in the same
    # system gives the same file.
    ident = hashlib.sha256(f"{title}\n{description}".encode()).hexdigest()[:16]
    meta = [
        f"<dc:format>{PEF_FORMAT}</dc:format>",
        f"<dc:identifier>accessible-{ident}</dc:identifier>",
        f"<dc:title>{escape(title)}</dc:title>",
        f"<dc:language>{escape(language)}</dc:language>",
        f"<dc:description>{escape(description)}</dc:description>",
        *([f"<dc:date>{escape(date)}</dc:date>"] if date else []),
    ]
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<pef version="2008-1" xmlns="{PEF_NS}">',
        f'<head><meta xmlns:dc="{DC_NS}">',
        *("  " + m for m in meta),
        "</meta></head>",
        "<body>",
    ]
    for volume in volumes(chapters, max_pages):
        out.append(f'<volume cols="{cols}" rows="{rows}" rowgap="0" duplex="false">')
        for chapter in volume:
            out.append("<section>")
            for page in chapter.pages:
                out.append("<page>" + "".join(f"<row>{row}</row>" if row else "<row/>" for row in page.rows) + "</page>")
            out.append("</section>")
        out.append("</volume>")
    out += ["</body>", "</pef>", ""]
    return "\n".join(out)


def txt(lines: Sequence[str]) -> str:
    return "\n".join(line.rstrip(BLANK) for line in lines) + "\n"
