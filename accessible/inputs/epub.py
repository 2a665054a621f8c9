"""EPUB (without audio, or with: the output EPUB is ours either way): the spine's documents
in reading order, their h1–h6 as heading levels, their print page marks
(epub:type="pagebreak") as the book's pages, the package's title, creator and date."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..errors import InputError
from .clean import clean_blocks
from .document import Block, Document
from .meta import source_metadata

_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"


def read_epub(data: bytes, p: Path) -> Document:
    """Read an EPUB's text in spine order; raise `InputError` if damaged or DRM-protected."""
    import lxml.etree
    import lxml.html

    from .html import _blocks

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if "META-INF/encryption.xml" in archive.namelist() and b"EncryptedData" in archive.read("META-INF/encryption.xml"):
            raise InputError(f"{p}: the EPUB is encrypted (DRM): it cannot be read")
        container = lxml.etree.fromstring(archive.read("META-INF/container.xml"))
        rootfile = container.find(f".//{_CONTAINER}rootfile")
        opf_path = rootfile.get("full-path") if rootfile is not None else None
        if not opf_path:
            raise InputError(f"{p}: a damaged EPUB (no package document)")
        opf = lxml.etree.fromstring(archive.read(opf_path))
        manifest = {item.get("id"): item for item in opf.iter(f"{_OPF}item")}
        base = posixpath.dirname(opf_path)
        blocks: list[Block] = []
        notes: list[str] = []
        for itemref in opf.iter(f"{_OPF}itemref"):
            item = manifest.get(itemref.get("idref"))
            if item is None or itemref.get("linear") == "no" or "nav" in (item.get("properties") or "").split():
                continue
            if item.get("media-type") not in ("application/xhtml+xml", "text/html"):
                continue
            name = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
            page = lxml.html.document_fromstring(archive.read(name))
            body = page.find(".//body")
            if body is None:
                continue
            for element in list(body.iter("script", "style", "nav")):
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)
            found, note = _blocks(body)
            blocks += found
            notes += note
    except InputError:
        raise
    except (zipfile.BadZipFile, KeyError, lxml.etree.XMLSyntaxError, ValueError, OSError) as e:
        raise InputError(f"{p}: a damaged EPUB ({type(e).__name__}: {e})") from None
    meta = source_metadata(_dc(opf, "title"), _dc(opf, "creator"), _dc(opf, "date"))
    blocks = _levels(blocks, meta["title"])
    # an EPUB made from a print edition marks its pages; the edition is its dc:source
    source = _dc(opf, "source") or f"{meta['title'] or p.name}（EPUB 所标页码）"
    pages = any(b.pages for b in blocks)
    doc = clean_blocks(blocks, encoding="", format="epub", page_source=source if pages else "", **meta)
    return replace(doc, removed=tuple(notes) + doc.removed)


def _dc(opf: Any, name: str) -> str:
    found = opf.find(f".//{_DC}{name}")
    return (found.text or "").strip() if found is not None else ""


def _levels(blocks: list[Block], title: str) -> list[Block]:
    """h1–h6 to levels counted from the book's highest heading; a first heading that is the
    book's title is the title (level 0)."""
    used = sorted({b.level for b in blocks if b.level is not None})
    if not used:
        return blocks
    top = used[0]
    out = [replace(b, level=b.level - top + 1) if b.level is not None else b for b in blocks]
    if out and title and out[0].text.strip() == title:
        out[0] = replace(out[0], level=0)
    return out
