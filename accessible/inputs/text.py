"""Plain text as received: decoded, HTML pasted into it recognized, hard line wraps undone.

Reports arrive in several encodings, copied from web pages (watermarks, photo
captions), copied out of PDFs (lines broken at the page width, ASCII commas for
Chinese ones), sometimes pasted several times over. The shared stages of `clean`
undo all of that and say what they removed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..errors import InputError
from .clean import PAGE_MARKS, clean_lines
from .decode import decode
from .document import Document

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_text(data: bytes, p: Path) -> Document:
    """Decode and clean a text file's bytes; raise `InputError` if unusable."""
    text, encoding = decode(data, p)
    if not text.strip():
        raise InputError(f"{p}: the file is empty")
    head = text[:100_000]
    if len(_CONTROL.findall(head)) > len(head) // 100:  # a few stray ones are cleaned later
        raise InputError(f"{p}: binary data (control characters), not a text document")
    if is_web_page(head):
        from .html import read_html

        return read_html(data, p)
    return clean(text, encoding)


# A saved or pasted page: a doctype or <html> first, or the tags of a page's head and body.
_PAGE_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S)
_PAGE_PARTS = re.compile(r"<(?:head|body|meta|script|div|nav)\b", re.I)


def is_web_page(text: str) -> bool:
    """Whether ``text`` is a web page's source rather than text with a few tags pasted in."""
    return bool(_PAGE_START.match(text)) or len({m.group().lower() for m in _PAGE_PARTS.finditer(text)}) >= 3


def clean(text: str, encoding: str = "utf-8") -> Document:
    """The text-only part of `read_text` (no file, no logging)."""
    text, removed = strip_html(PAGE_MARKS.sub("", text))
    lines, notes = clean_lines(text, layout=True)
    return Document("\n".join(line for line in lines if line), encoding, tuple(removed + notes))


_HTML_TAG = re.compile(r"</?(?:p|br|div|span|strong|b|i|em|font|img|a|table|tr|td|h[1-6]|li|ul|ol)\b[^<>\n]{0,300}>", re.I)
_HTML_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li|tr)>", re.I)
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")


def strip_html(text: str) -> tuple[str, list[str]]:
    """Text with a few tags pasted in: tags out (paragraph ends kept), entities decoded."""
    notes = []
    tags = len(_HTML_TAG.findall(text))
    if tags:
        text = _HTML_TAG.sub("", _HTML_BREAK.sub("\n", text))
        notes.append(f"removed {tags} HTML tags")
    if _HTML_ENTITY.search(text):
        text = html.unescape(text)
    return text, notes
