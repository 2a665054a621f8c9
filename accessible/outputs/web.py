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
import re
import shutil
from html import escape
from importlib import resources
from pathlib import Path
from string import Template
from typing import Iterable, Sequence
from urllib.parse import quote

from ..errors import OutputError
from ..fsio import atomic_path, write_text_if_changed
from ..layout import Layout, chapter_label
from ..model import Book, Chapter, ChapterTrack, Placed, Sentence, Span, Timing
from .smil import SYNC_MODES, Sync
from .xhtml import Marks, page_ids, page_marks

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
    page = render_page(
        book,
        tracks,
        sync=sync,
        voice_name=voice_name,
        audio_urls=audio_urls,
        asset_version=_asset_version(assets),
        storage_key=f"{layout.slug}|{book.date}",
    )
    index = web / "index.html"
    write_text_if_changed(index, page)
    return index


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
    placed = {p.sentence_id: p for t in by_chapter.values() for p in t.sentences}
    words = sync == "word"

    front = book.chapters[0] if book.chapters and book.chapters[0].kind == "front" else None
    title_sentence = front.heading if front and front.heading and front.heading.text == book.title else None
    title_html = _sentence_html(title_sentence, placed.get(title_sentence.id), words) if title_sentence else escape(book.title)

    marks = page_marks(book)
    chapters_html = "".join(_chapter_html(c, placed, words, marks, skip=title_sentence) for c in book.chapters)
    data = {
        "key": storage_key,
        "sync": sync,
        "chapters": [_chapter_data(c, by_chapter.get(c.id), audio_urls, placed, words) for c in book.chapters],
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


def _chapter_html(chapter: Chapter, placed: dict[str, Placed], words: bool, marks: Marks, *, skip: Sentence | None) -> str:
    def sentence(s: Sentence) -> str:
        return _sentence_html(s, placed.get(s.id), words, marks)

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


def _sentence_html(sentence: Sentence, placed: Placed | None, words: bool, marks: Marks | None = None) -> str:
    """A sentence as a span; with word sync each timed stretch of text is a child span.

    Only sentences with a time in the audio are marked playable (``tabindex``), so the
    player never offers to jump to a place it cannot play.
    """
    text = sentence.text
    ruby = _ruby(sentence)
    groups = word_groups(placed.timings, len(text), sentence.words) if words and placed else []
    opens = {g.text_start for g in groups}
    closes = {g.text_end for g in groups}
    # a page starting inside the sentence: at a word start (page_marks), outside any timed stretch
    breaks = {o: _pagebreak(n, ident) for o, n, ident in (marks or {}).get(sentence.id, ()) if o > 0}
    inside = {i for g in groups for i in range(g.text_start + 1, g.text_end)}
    breaks = {next((e for e in sorted(closes) if e >= o), o) if o in inside else o: b for o, b in breaks.items()}
    out = []
    for i, ch in enumerate(text):
        if i in closes:
            out.append("</span>")
        if i in breaks:
            out.append(breaks[i])
        if i in opens:
            out.append('<span class="w">')
        out.append(f"<ruby>{escape(ch)}<rt>{ruby[i]}</rt></ruby>" if i in ruby else escape(ch))
    if len(text) in closes:
        out.append("</span>")
    playable = ' tabindex="-1"' if placed else ""
    return f'<span class="s" id="{sentence.id}"{playable}>{"".join(out)}</span>'


def word_groups(timings: Iterable[Timing], length: int, words: Sequence[Span] = ()) -> list[Timing]:
    """The timed stretches of a sentence's text, in text order, without overlaps.

    Several timings may cover one stretch (an expression spelled out syllable by syllable,
    "8.2%" read as 百分之八点二); they merge into one stretch spanning all their times.
    Given the sentence's ``words``, stretches grow to whole words, so a voice that times
    each syllable still lights up 地区, not 地 then 区 (as the EPUB's word overlay does).
    """
    stretches = _merged(Timing(t.start, t.end, max(0, t.text_start), min(length, t.text_end)) for t in timings)
    if not words:
        return stretches
    grown = []
    for t in stretches:
        touched = [(a, b) for a, b in words if a < t.text_end and t.text_start < b]
        start = min([t.text_start] + [a for a, _ in touched])
        end = max([t.text_end] + [b for _, b in touched])
        grown.append(Timing(t.start, t.end, start, end))
    return _merged(grown)


def _merged(timings: Iterable[Timing]) -> list[Timing]:
    merged: list[Timing] = []
    for t in sorted(timings, key=lambda t: (t.text_start, t.start)):
        if t.text_end <= t.text_start:
            continue
        if merged and t.text_start < merged[-1].text_end:
            last = merged[-1]
            merged[-1] = Timing(
                min(last.start, t.start), max(last.end, t.end), last.text_start, max(last.text_end, t.text_end)
            )
        else:
            merged.append(t)
    return merged


def _chapter_data(
    chapter: Chapter,
    track: ChapterTrack | None,
    audio_urls: dict[str, str],
    placed: dict[str, Placed],
    words: bool,
) -> dict[str, object]:
    """What the player needs of one chapter: its audio and, in reading order, each playable
    sentence as ``[id, start, end]`` in seconds (plus ``[[start, end], …]`` per word span with word sync)."""
    rows = []
    if track is not None:
        for s in chapter.sentences():
            p = placed.get(s.id)
            if p is None:
                continue
            row: list[object] = [s.id, _seconds(p.start), _seconds(p.end)]
            if words:
                row.append([[_seconds(g.start), _seconds(g.end)] for g in word_groups(p.timings, len(s.text), s.words)])
            rows.append(row)
        missing = {p.sentence_id for p in track.sentences} - {r[0] for r in rows}
        if missing:
            log.warning(f"web page: {len(missing)} timed sentence(s) of {chapter.id} are not in the book, e.g. {min(missing)}")
    return {
        "id": chapter.id,
        "title": chapter_label(chapter),
        "audio": audio_urls.get(chapter.id) if track else None,
        "duration": _seconds(track.duration) if track else 0,
        "s": rows,
    }


def _seconds(seconds: float) -> float:
    """Seconds to the millisecond: finer adds bytes to the page, not precision to the audio."""
    return round(seconds, 3)


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element (no "</script>", no "<!--")."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- pinyin for polyphones --------------------------------------------------------------

# 一 and 不 change tone before other syllables (sandhi); that is not another reading.
_SANDHI_CITATION = {"一": "yi1", "不": "bu4"}
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _ruby(sentence: Sentence) -> dict[int, str]:
    """Tone-marked pinyin for each character of the words a reader could get wrong, keyed
    by index into the text: words the speech layer's polyphone table corrected (零差率 chā),
    and words with a character read otherwise than its usual (dictionary-first) reading
    (银行 háng, 调整 tiáo, 着力 zhuó, 供给 jǐ). Tones are the dictionary's: sandhi undone."""
    from ..speech import corrected_words, tone_marks

    reading = sentence.reading
    if reading is None:
        return {}
    text = sentence.text
    dictionary = _dictionary_pinyin(text)
    said: dict[int, str] = {}  # text index -> citation pinyin, for characters read as themselves
    for syllable in reading.syllables:
        if not 0 <= syllable.spoken < len(reading.origin):
            continue
        start, end = reading.origin[syllable.spoken]
        if end - start == 1 and reading.spoken[syllable.spoken] == text[start]:
            said[start] = _citation(text[start], syllable.pinyin, dictionary.get(start, ""))
    words = sentence.words or tuple((i, i + 1) for i in range(len(text)))
    spans = {
        next(((a, b) for a, b in words if a <= i < b), (i, i + 1))
        for i, pinyin in said.items()
        if _readings(text[i]) and pinyin != _readings(text[i])[0]
    }
    for (a, b), _ in corrected_words(reading.spoken):
        origins = reading.origin[a:b]
        if origins:
            spans.add((min(o[0] for o in origins), max(o[1] for o in origins)))
    return {j: escape(tone_marks(said[j])) for a, b in spans for j in range(a, b) if j in said}


def _citation(char: str, spoken: str, dictionary: str) -> str:
    """The dictionary tone behind a spoken syllable, given the dictionary's reading of the
    character in its phrase: 处理厂 said chú lí chǎng is chǔ lǐ chǎng, but 良好 stays liáng."""
    if char in _SANDHI_CITATION and spoken[:-1] == _SANDHI_CITATION[char][:-1]:
        return _SANDHI_CITATION[char]
    third = spoken[:-1] + "3"
    if spoken.endswith("2") and (dictionary == third or (spoken not in _readings(char) and third in _readings(char))):
        return third  # third-tone sandhi
    return spoken


def _dictionary_pinyin(text: str) -> dict[int, str]:
    """pypinyin's phrase-aware citation reading of each Han character of ``text``."""
    from pypinyin import Style, pinyin

    found = {}
    for run in _HAN_RUN.finditer(text):  # one reading per character of a Han-only run
        for i, (syllable,) in enumerate(pinyin(run.group(), style=Style.TONE3, neutral_tone_with_five=True)):
            found[run.start() + i] = syllable
    return found


@functools.lru_cache(maxsize=4096)
def _readings(char: str) -> tuple[str, ...]:
    """A character's dictionary readings, the usual one first."""
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True, errors="ignore")
    return tuple(found[0]) if found else ()


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
