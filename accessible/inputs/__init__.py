"""Ingest: a document as received (bytes of some format) becomes clean text.

One reader per input format, chosen by the file's content (its name's extension only
breaks a tie): plain text (`text`), PDF (`pdf`), Word .docx (`docx`), web pages
(`html`) and EPUB (`epub`). Each hands the segmenter a `Document` with the same
guarantees (decoded, boilerplate and repeated copies removed, every removal reported)
plus what the format itself says of the structure: headings, print pages, metadata.
Readers are imported only for the format at hand, so reading a text file never loads
the PDF or HTML libraries.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from .decode import CJK, read_bytes
from .document import Block, Document, Heading, PageBreak

__all__ = ["read_document", "Document", "Block", "Heading", "PageBreak", "SUFFIXES"]

log = logging.getLogger("accessible")

# A name ending in one of these is a web page when the content leaves it open.
WEB_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
# The names documents usually have, for a search of a folder (a file named on its own is
# read whatever its name, by its content).
SUFFIXES = frozenset({".txt", ".text", ".md", ".pdf", ".docx", ".epub"}) | WEB_SUFFIXES

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.xls; save it as .docx)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"ID3", "an MP3 file"),
    (b"RIFF", "a RIFF (WAV/AVI/WebP) file"),
    (b"{\\rtf", "an RTF file (save it as .docx)"),
)


def read_document(path: str | Path) -> Document:
    """Read, decode and clean the document at ``path``; raise `InputError` if unusable."""
    p = Path(path)
    data = read_bytes(p)
    doc = _reader(data, p)(data, p)
    if not CJK.search(doc.text):
        raise InputError(f"{p}: no Chinese text found (is this the right file?)")
    log.debug("%s: %d bytes read as %s, %d characters of clean text", p, len(data), doc.format, len(doc.text))
    for note in doc.removed:
        log.warning(note)
    return doc


def _reader(data: bytes, p: Path) -> Callable[[bytes, Path], Document]:
    if b"%PDF-" in data[:1024]:  # the header may follow a little junk
        from .pdf import read_pdf

        return read_pdf
    if data.startswith(b"PK\x03\x04"):
        return _zip_reader(data, p)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{p}: this is {what}, not a document this tool reads (text, PDF, .docx, web page, EPUB)")
    if p.suffix.lower() in WEB_SUFFIXES:
        from .html import read_html

        return read_html
    from .text import read_text

    return read_text


def _zip_reader(data: bytes, p: Path) -> Callable[[bytes, Path], Document]:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputError(f"{p}: a damaged ZIP archive (or .docx/.epub): {e}") from None
    if "META-INF/container.xml" in names or "mimetype" in names:
        from .epub import read_epub

        return read_epub
    if "word/document.xml" in names:
        from .docx import read_docx

        return read_docx
    raise InputError(f"{p}: this is a ZIP archive, not a Word .docx or an EPUB")
