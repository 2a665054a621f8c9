"""The listen-along web page: the whole book as one accessible HTML page that highlights
each sentence (or word) as the chapter audio plays.

`write_web` fills ``output/<book>/web/`` with ``index.html``, ``player.css``,
``player.js`` and ``audio/`` (the chapter MP3s, hard-linked when possible), so the
folder is self-contained: it works from ``file://`` and from any static server, with no
network. The timings travel inside the page as JSON; the text carries the stable
sentence ids the EPUB uses. One page for the whole book keeps playback continuous across
chapters and in-page search complete; a whole report (about 20,000 characters) opens in
well under a second.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
from html import escape
from importlib import resources
from pathlib import Path
from string import Template
from typing import Iterable
from urllib.parse import quote

from ..errors import OutputError
from ..fsio import atomic_path, keep_result, kept_result, write_text_if_changed
from ..layout import Layout, chapter_label
from ..model import Book, Chapter, ChapterTrack, Sentence
from ..readmemo import code_digest
from ..timeline import Timeline, Utterance, timelines
from .smil import SYNC_MODES, Sync
from .xhtml import Marks, inline, page_ids, page_marks

log = logging.getLogger("accessible")

ASSETS = ("player.css", "player.js")


def write_web(
    book: Book,
    tracks: Iterable[ChapterTrack],
    layout: Layout,
    *,
    sync: Sync = "sentence",
    voice_name: str = "",
) -> Path:
    """Write the listen-along page for ``book`` into ``layout.web_dir``; return its index.html.

    ``tracks`` are the chapter audio files (paths relative to ``layout.root``) with the
    sentence times read off them. Chapters without a track are shown as text only. Files
    that would not change are left untouched, as the other stages leave theirs.
    """
    if sync not in SYNC_MODES:
        raise ValueError(f"sync must be one of {SYNC_MODES}, not {sync!r}")
    tracks = list(tracks)
    web = layout.web_dir
    audio_urls = _publish_audio(tracks, layout.root, web / "audio")
    assets = {name: _asset(name) for name in ASSETS}
    for name, text in assets.items():
        write_text_if_changed(web / name, text)
    version, storage_key = _asset_version(assets), f"{layout.slug}|{book.date}"
    index = web / "index.html"
    # The page takes seconds to render (ruby runs the reading's word cutter): not again when
    # nothing it is made from changed and it still holds what was written.
    marker = layout.root / ".web.inputs"  # beside the folder, which is published as it is
    digest = _page_digest(book, tracks, (sync, voice_name, sorted(audio_urls.items()), version, storage_key))
    if kept_result(marker, digest, [index]) is None:
        page = render_page(
            book, tracks, sync=sync, voice_name=voice_name, audio_urls=audio_urls, asset_version=version, storage_key=storage_key
        )
        write_text_if_changed(index, page)
        keep_result(marker, digest, [index])
    return index


def _page_digest(book: Book, tracks: list[ChapterTrack], settings: object) -> str:
    """Everything the page is made from: the book as read, its timings, the settings, and the
    code and data that render it (its own modules and the reading stages')."""
    h = hashlib.sha256(code_digest().encode())
    here = Path(__file__).parent
    for name in ("web.py", "xhtml.py", "smil.py", "../timeline.py"):
        h.update((here / name).read_bytes())
    h.update(repr((book, tuple(tracks), settings)).encode())
    return h.hexdigest()


# --- the page (pure) -------------------------------------------------------------------


def render_page(
    book: Book,
    tracks: Iterable[ChapterTrack],
    *,
    sync: Sync,
    voice_name: str,
    audio_urls: dict[str, str],
    asset_version: str,
    storage_key: str,
) -> str:
    """The HTML of the page; ``audio_urls`` maps chapter ids to page-relative audio URLs."""
    by_chapter = {t.chapter_id: t for t in tracks if t.chapter_id in audio_urls}
    known = {c.id for c in book.chapters}
    for chapter_id in by_chapter.keys() - known:
        log.warning(f"web page: audio track {chapter_id!r} has no chapter in the book; ignored")
    heard = timelines(book.chapters, by_chapter.values())
    for timeline in heard.values():
        if timeline.strays:
            log.warning(
                f"web page: {len(timeline.strays)} timed sentence(s) of {timeline.chapter_id} are not in the book, "
                f"e.g. {min(timeline.strays)}"
            )
    utterances = {u.sentence.id: u for t in heard.values() for u in t.utterances}
    words = sync == "word"

    front = book.chapters[0] if book.chapters and book.chapters[0].kind == "front" else None
    title_sentence = front.heading if front and front.heading and front.heading.text == book.title else None
    title_html = _sentence_html(title_sentence, utterances.get(title_sentence.id), words) if title_sentence else escape(book.title)

    marks = page_marks(book)
    chapters_html = "".join(_chapter_html(c, utterances, words, marks, skip=title_sentence) for c in book.chapters)
    data = {
        "key": storage_key,
        "sync": sync,
        "chapters": [_chapter_data(c, heard.get(c.id), audio_urls, words) for c in book.chapters],
    }
    has_ruby = "<ruby>" in chapters_html or "<ruby>" in title_html
    return _template().substitute(
        lang=escape(book.language),
        title=escape(book.title),
        title_html=title_html,
        byline=escape(" ".join(x for x in (book.author, book.date) if x)),
        version=asset_version,
        pinyin_button=_PINYIN_BUTTON if has_ruby else "",
        toc=_toc_html(book),
        pages=_pages_html(book),
        chapters=chapters_html,
        voice=escape(f"朗读：{voice_name}。" if voice_name else ""),
        data=_script_json(data),
    )


_PINYIN_BUTTON = '<button type="button" id="pinyin" aria-pressed="false">显示拼音</button>'


def _pages_html(book: Book) -> str:
    """"Go to page" for a book with print pages: a page number field, and every page as a link."""
    if not book.pages:
        return ""
    links = " ".join(f'<a href="#{ident}">{escape(m.number)}</a>' for m, ident in zip(book.pages, page_ids(book)))
    return (
        '<nav aria-labelledby="pages-title" class="pages">\n<h2 id="pages-title">页码</h2>\n'
        '<form id="goto-page"><label for="page-number">转到印刷版第几页</label> '
        '<input id="page-number" type="text" inputmode="numeric" size="4" autocomplete="off"> '
        '<button type="submit">转到</button> <span id="page-status" role="status"></span></form>\n'
        f"<p class=\"page-list\">{links}</p>\n</nav>"
    )


def _pagebreak(number: str, ident: str) -> str:
    """A print page's start: its number shown small (CSS) and said by screen readers where it
    falls, as talking books do. Not role="doc-pagebreak": in HTML that role belongs on <hr>,
    which cannot stand inside a sentence."""
    n = escape(number)
    return f'<span class="pagebreak" id="{ident}" data-page="{n}"><span class="sr-only">第{n}页</span></span>'


def _before(sentence: Sentence | None, marks: Marks) -> str:
    if sentence is None:
        return ""
    return "".join(_pagebreak(number, ident) for offset, number, ident in marks.get(sentence.id, ()) if offset == 0)


def _toc_html(book: Book) -> str:
    items = []
    for chapter in book.chapters:
        subs = "".join(
            f'<li><a href="#{s.id}">{escape(s.title)}</a></li>' for s in chapter.sections if s.heading is not None
        )
        sub_list = f"<ol>{subs}</ol>" if subs else ""
        items.append(f'<li><a href="#{chapter.id}">{escape(chapter_label(chapter))}</a>{sub_list}</li>')
    return "<ol>" + "\n".join(items) + "</ol>"


def _chapter_html(chapter: Chapter, utterances: dict[str, Utterance], words: bool, marks: Marks, *, skip: Sentence | None) -> str:
    def sentence(s: Sentence) -> str:
        return _sentence_html(s, utterances.get(s.id), words, marks)

    heading_id = f"{chapter.id}-title"
    if chapter.heading is not None and chapter.heading is not skip:
        heading = f'<h2 id="{heading_id}">{sentence(chapter.heading)}</h2>'
    else:  # the untitled front matter still gets a heading, for navigation by headings
        heading = f'<h2 id="{heading_id}" class="sr-only">{escape(chapter_label(chapter))}</h2>'
    parts = [_before(chapter.heading, marks), f'<section class="chapter" id="{chapter.id}" aria-labelledby="{heading_id}">', heading]
    for section in chapter.sections:
        paragraphs = "".join(
            f'<p id="{p.id}">' + "".join(_before(s, marks) + sentence(s) for s in p.sentences) + "</p>"
            for p in section.paragraphs
            if p.sentences
        )
        if section.heading is None:
            parts.append(paragraphs)
        else:
            parts.append(
                f'{_before(section.heading, marks)}<section id="{section.id}"><h3>{sentence(section.heading)}</h3>{paragraphs}</section>'
            )
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def _sentence_html(sentence: Sentence, heard: Utterance | None, words: bool, marks: Marks | None = None) -> str:
    """A sentence as a span; with word sync each of its timeline words is a child span.

    Only sentences with a time in the audio are marked playable (``tabindex``), so the
    player never offers to jump to a place it cannot play.
    """
    spans = [(w.text_start, w.text_end, "") for w in heard.words] if words and heard else []
    # a page starting inside the sentence: at a word start (page_marks), before any timed word
    breaks = {o: _pagebreak(n, ident) for o, n, ident in (marks or {}).get(sentence.id, ()) if o > 0}
    playable = ' tabindex="-1"' if heard else ""
    from ..speech import ruby  # here, not with the module: a page that is reused never loads the speech layer

    return f'<span class="s" id="{sentence.id}"{playable}>{inline(sentence.text, spans, ruby(sentence), breaks)}</span>'


def _chapter_data(chapter: Chapter, timeline: Timeline | None, audio_urls: dict[str, str], words: bool) -> dict[str, object]:
    """What the player needs of one chapter: its audio and, in reading order, each playable
    sentence as ``[id, start, end]`` in seconds (plus ``[[start, end], …]`` per word with word sync)."""
    rows = []
    for u in timeline.utterances if timeline else ():
        row: list[object] = [u.sentence.id, _seconds(u.start), _seconds(u.end)]
        if words:
            row.append([[_seconds(w.start), _seconds(w.end)] for w in u.words])
        rows.append(row)
    return {
        "id": chapter.id,
        "title": chapter_label(chapter),
        "audio": audio_urls.get(chapter.id) if timeline else None,
        "duration": _seconds(timeline.duration) if timeline else 0,
        "s": rows,
    }


def _seconds(ms: int) -> float:
    """The timeline's milliseconds as seconds (finer adds bytes to the page, not precision to the audio)."""
    return ms / 1000


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element (no "</script>", no "<!--")."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- files ------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("accessible.outputs").joinpath("webassets", name).read_text(encoding="utf-8")


@functools.cache
def _template() -> Template:
    return Template(_asset("index.html"))


def _asset_version(assets: dict[str, str]) -> str:
    """A content hash for the asset URLs, so a browser never runs a stale script on a new page."""
    digest = hashlib.sha1()
    for text in assets.values():
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()[:10]


def _publish_audio(tracks: list[ChapterTrack], root: Path, dest_dir: Path) -> dict[str, str]:
    """Put each chapter's audio into ``dest_dir`` (hard link, else copy); drop files of
    chapters that are gone. Returns page-relative URLs by chapter id."""
    urls: dict[str, str] = {}
    for track in tracks:
        src = root / track.path
        if not src.is_file():
            raise OutputError(f"{src}: chapter audio is missing, cannot build the web page")
        _link_or_copy(src, dest_dir / src.name)
        urls[track.chapter_id] = f"{dest_dir.name}/{quote(src.name)}"
    keep = {Path(t.path).name for t in tracks}
    if dest_dir.is_dir():
        for old in dest_dir.iterdir():
            if old.is_file() and old.name not in keep:
                old.unlink()
    return urls


def _link_or_copy(src: Path, dest: Path) -> None:
    if dest.exists() and os.path.samefile(src, dest):
        return
    with atomic_path(dest) as tmp:
        tmp.unlink()
        try:
            os.link(src, tmp)
        except OSError:  # another filesystem, or links not allowed
            shutil.copyfile(src, tmp)
