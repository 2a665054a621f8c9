"""The accessible EPUB 3: chapter pages, media overlays, navigation, cover, metadata.

ebooklib assembles the package (OPF, nav, NCX, zip); the content documents and SMIL are
rendered by `xhtml` and `smil` and passed through untouched. The file is written
atomically, and only when its inputs changed (their digest is kept beside it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

from ebooklib import epub
from lxml import etree

from . import cover as cover_mod
from . import smil, xhtml
from ..errors import OutputError
from ..fsio import Stamp, atomic_path, write_text
from ..layout import Layout, chapter_label
from ..model import Book, Chapter, ChapterTrack
from ..timeline import chapter_timeline
from ..voices import Voice

log = logging.getLogger("accessible")

CSS = "style.css"
COVER_IMAGE = "images/cover.png"
COVER_PAGE = "cover.xhtml"
NAV_PAGE = "nav.xhtml"
_SOURCES = ("epub.py", "xhtml.py", "smil.py", "cover.py", "../timeline.py", "../speech/ruby.py")
# No EPUB 2 guide (its types differ from EPUB 3 landmarks) and not ebooklib's page list: it
# would invent one from every id with an epub:type; ours comes from the book's print pages.
_WRITER_OPTIONS = {"epub2_guide": False, "epub3_pages": False, "landmark_title": "导览"}

ACCESSIBILITY_SUMMARY = (
    "本电子书符合 EPUB 无障碍 1.1 与 WCAG 2.1 AA 级要求：全文为可缩放、可重排的文字，"
    "按章节结构标注标题层级，提供目录与导航地标，阅读顺序与朗读顺序一致；"
    "全书配有合成语音朗读，文字与语音逐句同步高亮，可只听、只读或边听边读。"
    "封面图片仅作装饰或附有替代文字，无闪烁、动画或其他已知危害。"
)


@dataclass(frozen=True)
class EpubResult:
    path: Path
    written: bool  # False: the existing file was already built from the same inputs
    duration: float  # seconds of synchronized audio (the total media:duration)


def doc_name(chapter: Chapter) -> str:
    return f"{chapter.id}.xhtml"


def _audio_name(chapter: Chapter) -> str:
    # ASCII names inside the container: some reading systems mishandle others
    return f"audio/{chapter.id}.mp3"


def book_identifier(book: Book) -> str:
    """A UUID that stays the same across rebuilds of the same report (title and date)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'accessible:{book.title}|{book.date}')}"


class _Page(epub.EpubHtml):
    """A content document rendered by us: ebooklib would re-parse and rewrite it."""

    def get_content(self, default: object = None) -> bytes:  # noqa: ARG002 - ebooklib's signature
        return self.content


class _Writer(epub.EpubWriter):
    """ebooklib's writer with ``xml:lang`` on the package, media stored uncompressed, and
    the book's print pages as the nav's page-list."""

    page_list = ""

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        nav: bytes = super()._get_nav(item)
        return nav.replace(b"</body>", self.page_list.encode() + b"</body>", 1) if self.page_list else nav

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
        super()._write_opf_file(root)

    def _write_items(self) -> None:
        folder = self.book.FOLDER_NAME
        for item in self.book.get_items():
            name = f"{folder}/{item.file_name}"
            if isinstance(item, epub.EpubNcx):
                self.out.writestr(name, self._get_ncx())
            elif isinstance(item, epub.EpubNav):
                self.out.writestr(name, self._get_nav(item))
            elif item.media_type.startswith(("audio/", "image/")):  # already compressed
                self.out.writestr(name, item.get_content(), compress_type=zipfile.ZIP_STORED)
            else:
                self.out.writestr(name, item.get_content())


def _meta(book: epub.EpubBook, prop: str, value: str, refines: str | None = None) -> None:
    attrs = {"property": prop}
    if refines:
        attrs["refines"] = refines
    book.add_metadata(None, "meta", value, attrs)


def _accessibility(book: epub.EpubBook) -> None:
    for mode in ("textual", "auditory"):
        _meta(book, "schema:accessMode", mode)
    for sufficient in ("textual", "auditory", "textual,auditory"):
        _meta(book, "schema:accessModeSufficient", sufficient)
    for feature in (
        "synchronizedAudioText",
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
        "alternativeText",
    ):
        _meta(book, "schema:accessibilityFeature", feature)
    _meta(book, "schema:accessibilityHazard", "none")
    _meta(book, "schema:accessibilitySummary", ACCESSIBILITY_SUMMARY)
    _meta(book, "dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA")
    # The claim rests on this tool's automated checks (EPUBCheck and `accessible check`).
    _meta(book, "a11y:certifiedBy", "accessible（自动生成并经 EPUBCheck 校验）")


def _pages(pkg: epub.EpubBook, book: Book, chapters: Sequence[Chapter]) -> str:
    """The nav's page-list, and the metadata that says the book has print pages and where from."""
    if not book.pages:
        return ""
    doc_of = {s.id: doc_name(c) for c in chapters for s in c.sentences()}
    items = "".join(
        f'<li><a href="{doc_of[mark.sentence_id]}#{ident}">{escape(mark.number)}</a></li>'
        for mark, ident in zip(book.pages, xhtml.page_ids(book))
        if mark.sentence_id in doc_of
    )
    for feature in ("pageBreakMarkers", "pageNavigation"):
        _meta(pkg, "schema:accessibilityFeature", feature)
    _meta(pkg, "pageBreakSource", book.page_source or "none")
    return f'<nav epub:type="page-list" id="page-list" hidden="hidden"><h2>页码</h2><ol>{items}</ol></nav>\n'


def _read_audio(root: Path, track: ChapterTrack) -> bytes:
    try:
        return (root / track.path).read_bytes()
    except OSError as e:
        raise OutputError(f"cannot read chapter audio {root / track.path}: {e.strerror or e}") from None


def _toc_entry(chapter: Chapter) -> object:
    link = epub.Link(doc_name(chapter), chapter_label(chapter), chapter.id)
    sections = [
        epub.Link(f"{doc_name(chapter)}#{s.id}", s.title, s.id) for s in chapter.sections if s.heading is not None
    ]
    return (link, sections) if sections and chapter.kind == "body" else link


def _readable_chapters(book: Book) -> list[Chapter]:
    chapters = []
    for chapter in book.chapters:
        if next(chapter.sentences(), None) is None:
            log.warning("chapter %s (%s) has no text; left out of the EPUB", chapter.id, chapter_label(chapter))
        else:
            chapters.append(chapter)
    if not chapters:
        raise OutputError(f"{book.title}: no chapter has any text; no EPUB written")
    return chapters


def build_package(
    book: Book, tracks: Sequence[ChapterTrack], root: Path, *, voice: Voice, sync: smil.Sync = "sentence", ruby: bool = False
) -> tuple[epub.EpubBook, int, str]:
    """The ebooklib book, the total overlay duration in ms and the nav's page-list (nothing is written)."""
    if sync not in smil.SYNC_MODES:
        raise OutputError(f"unknown sync mode {sync!r}; use one of {', '.join(smil.SYNC_MODES)}")
    chapters = _readable_chapters(book)
    by_chapter = {t.chapter_id: t for t in tracks}
    pkg = epub.EpubBook()
    pkg.set_identifier(book_identifier(book))
    pkg.set_title(book.title)
    pkg.set_language(book.language)
    if book.author:
        pkg.add_author(book.author)
    if book.date:
        pkg.add_metadata("DC", "date", book.date)
    _accessibility(pkg)
    page_list = _pages(pkg, book, chapters)

    style = pkg.add_item(epub.EpubItem(uid="style", file_name=CSS, media_type="text/css", content=xhtml.STYLESHEET))
    art = cover_mod.render_cover(book.title)
    pkg.set_cover(COVER_IMAGE, art.png, create_page=False)
    cover_page = pkg.add_item(
        _Page(
            uid="cover",
            file_name=COVER_PAGE,
            title="封面",
            content=xhtml.cover_page(book, image=COVER_IMAGE, css=CSS, title_on_image=art.title_drawn).encode(),
        )
    )

    pages, total_ms = [], 0
    marks = xhtml.page_marks(book)
    for chapter in chapters:
        track = by_chapter.get(chapter.id)
        timeline = chapter_timeline(chapter, track) if track is not None else None
        words = {u.sentence.id: u.words for u in timeline.utterances} if timeline and sync == "word" else {}
        page = _Page(
            uid=f"page-{chapter.id}",
            file_name=doc_name(chapter),
            title=chapter_label(chapter),
            content=xhtml.chapter_page(book, chapter, css=CSS, view=xhtml.View(words, ruby, marks)).encode(),
        )
        if track is None or timeline is None:
            log.warning("chapter %s (%s) has no audio; its page is not synchronized", chapter.id, chapter_label(chapter))
        else:
            cues = smil.chapter_cues(timeline, sync)
            overlay_id = f"mo-{chapter.id}"
            pkg.add_item(
                epub.EpubItem(
                    uid=f"audio-{chapter.id}",
                    file_name=_audio_name(chapter),
                    media_type="audio/mpeg",
                    content=_read_audio(root, track),
                )
            )
            smil_doc = smil.render_smil(cues, text=f"../{doc_name(chapter)}", audio=f"../{_audio_name(chapter)}")
            pkg.add_item(epub.EpubSMIL(uid=overlay_id, file_name=f"smil/{chapter.id}.smil", content=smil_doc.encode()))
            page.media_overlay = overlay_id
            ms = smil.overlay_ms(cues)
            _meta(pkg, "media:duration", smil.clock(ms), f"#{overlay_id}")
            total_ms += ms
        pages.append(pkg.add_item(page))

    if total_ms:
        _meta(pkg, "media:duration", smil.clock(total_ms))
        _meta(pkg, "media:narrator", f"合成语音：{voice.description or voice.name}")
        _meta(pkg, "media:active-class", xhtml.ACTIVE_CLASS)

    nav = pkg.add_item(epub.EpubNav(title="目录"))
    nav.add_item(style)
    pkg.add_item(epub.EpubNcx())
    pkg.toc = [_toc_entry(c) for c in chapters]
    body = next((p for p, c in zip(pages, chapters) if c.kind == "body"), pages[0])
    pkg.guide = [
        {"type": "cover", "href": COVER_PAGE, "title": "封面"},
        {"type": "toc", "href": f"{NAV_PAGE}#id", "title": "目录"},
        {"type": "bodymatter", "href": body.file_name, "title": "正文"},
    ]
    pkg.spine = [cover_page, nav, *pages]
    return pkg, total_ms, page_list


def inputs_digest(book: Book, tracks: Sequence[ChapterTrack], root: Path, *, voice: Voice, sync: str, ruby: bool = False) -> str:
    """Everything the EPUB is made from: text, timings, audio files, voice, settings, this code."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in _SOURCES:
        h.update((here / name).read_bytes())
    h.update(repr((book, tuple(tracks), voice.name, voice.description, sync, ruby, cover_mod.cjk_font())).encode())
    for track in tracks:
        try:
            st = (root / track.path).stat()
            h.update(f"{track.path}:{st.st_size}:{st.st_mtime_ns}".encode())
        except OSError:
            h.update(f"{track.path}:missing".encode())
    return h.hexdigest()


def _digest_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.inputs")


def write_epub(
    book: Book,
    tracks: Sequence[ChapterTrack],
    layout: Layout,
    *,
    voice: Voice,
    sync: smil.Sync = "sentence",
    ruby: bool = False,
    force: bool = False,
) -> EpubResult:
    """Write ``layout.epub`` unless it is already built from the same inputs and still
    holds what was written (the marker beside it keeps the inputs' digest, the overlay
    duration and the file's stamp)."""
    path = layout.epub
    digest = inputs_digest(book, tracks, layout.root, voice=voice, sync=sync, ruby=ruby)
    marker = _digest_path(path)
    if not force:
        try:  # anything but the exact line we write (a damaged or foreign file) means: build again
            kept = marker.read_bytes().decode("ascii").split()
        except (OSError, UnicodeDecodeError):
            kept = []
        if len(kept) == 4 and kept[0] == digest and kept[1].isdigit() and kept[2].isdigit():
            if Stamp(int(kept[2]), kept[3]).matches(path):
                return EpubResult(path, False, int(kept[1]) / 1000)
            log.warning("%s: damaged or missing since it was made; writing it again", path.name)
    pkg, total_ms, page_list = build_package(book, tracks, layout.root, voice=voice, sync=sync, ruby=ruby)
    with atomic_path(path) as tmp:
        writer = _Writer(str(tmp), pkg, {**_WRITER_OPTIONS, "mtime": dt.datetime.now(dt.timezone.utc)})
        writer.page_list = page_list
        writer.process()
        writer.write()
    stamp = Stamp.of(path)
    write_text(marker, f"{digest} {total_ms} {stamp.size} {stamp.sha256}\n")
    return EpubResult(path, True, total_ms / 1000)
