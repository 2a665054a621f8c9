"""XHTML content documents of the EPUB: one page per chapter, the cover page, the style sheet.

Every spoken unit (sentence or heading) is a ``<span class="s">`` carrying its stable
sentence id, so the media overlay can point at it; with word sync each of its words in
the timeline is a ``<span class="w">`` with the id from `word_id`, and with ruby the
words a reader could misread carry their pinyin (``<ruby>``, the voice's own reading,
see `speech.ruby`). Headings are h1 (book title,
front page), h2 (chapters) and h3 (sections), so screen readers can navigate by level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from ..layout import chapter_label
from ..model import Book, Chapter, Section, Sentence
from ..timeline import Word

SENTENCE_CLASS = "s"
WORD_CLASS = "w"
ACTIVE_CLASS = "-epub-media-overlay-active"

_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" xml:lang="{lang}">
<head>
<meta charset="utf-8"/>
<title>{title}</title>
<link rel="stylesheet" type="text/css" href="{css}"/>
</head>
"""

# Sizes in em and no fixed colours on the text, so reading systems and readers can
# change font, size, spacing and colours (displayTransformability). The highlight is
# the exception: it sets its own text colour with its background so the contrast holds
# in light and dark themes alike, and it is !important because reading-system night
# themes force transparent backgrounds on every element.
STYLESHEET = f"""\
body {{ line-height: 1.8; margin: 0 4%; }}
h1 {{ font-size: 1.6em; text-align: center; margin: 1.5em 0 1em; }}
h2 {{ font-size: 1.35em; margin: 1.6em 0 0.8em; }}
h3 {{ font-size: 1.15em; margin: 1.4em 0 0.6em; }}
p {{ text-indent: 2em; margin: 0.4em 0; }}
.{ACTIVE_CLASS} {{
  background-color: #ffe14d !important;
  color: #000000 !important;
  outline: 0.15em solid #b3261e !important;
  border-radius: 0.15em;
}}
@media (prefers-color-scheme: dark) {{
  .{ACTIVE_CLASS} {{ background-color: #ffd21f !important; outline-color: #ff9e80 !important; }}
}}
body.cover {{ margin: 0; text-align: center; }}
body.cover img {{ max-width: 100%; max-height: 95vh; }}
p.cover-title {{ font-size: 1.8em; font-weight: bold; text-indent: 0; margin: 1em 0; }}
"""


def word_id(sentence_id: str, index: int) -> str:
    """The element id of word ``index`` (0-based, in the timeline's words) of a sentence."""
    return f"{sentence_id}-w{index + 1:02d}"


def page_ids(book: Book) -> list[str]:
    """The element id of each of the book's print pages (`Book.pages`, in order): ``page-12``."""
    ids, seen = [], set()
    for n, mark in enumerate(book.pages):
        ident = f"page-{mark.number}" if mark.number.isalnum() else f"page-{n + 1}"
        if ident in seen:
            ident = f"{ident}-{n + 1}"
        seen.add(ident)
        ids.append(ident)
    return ids


Marks = dict[str, list[tuple[int, str, str]]]  # sentence id -> (offset, page number, element id)


def page_marks(book: Book) -> Marks:
    """Where each print page starts, by sentence: a page that starts inside a word starts at
    that word (shown before it), so no word and no sentence is split."""
    words = {s.id: s.words for s in book.sentences()}
    out: Marks = {}
    for mark, ident in zip(book.pages, page_ids(book)):
        offset = next((a for a, b in words.get(mark.sentence_id, ()) if a < mark.offset < b), mark.offset)
        out.setdefault(mark.sentence_id, []).append((offset, mark.number, ident))
    return out


def pagebreak(number: str, ident: str) -> str:
    """A print page's start: no text of its own, its number for assistive technology."""
    return f'<span epub:type="pagebreak" role="doc-pagebreak" id="{ident}" aria-label={quoteattr(number)}></span>'


def _inside(sentence: Sentence, marks: Marks) -> dict[int, str]:
    return {offset: pagebreak(number, ident) for offset, number, ident in marks.get(sentence.id, ()) if offset > 0}


def _before(sentence: Sentence | None, marks: Marks) -> str:
    if sentence is None:
        return ""
    return "".join(pagebreak(number, ident) for offset, number, ident in marks.get(sentence.id, ()) if offset == 0)


@dataclass(frozen=True)
class View:
    """How sentences are marked up: ``words`` (by sentence id) become word elements for the
    word-level overlay; ``ruby`` adds pinyin where a reader could misread a word; ``marks``
    are the book's `page_marks` (computed once per book by the caller; None: here)."""

    words: Mapping[str, Sequence[Word]] = field(default_factory=dict)
    ruby: bool = False
    marks: Marks | None = None


def inline(
    text: str,
    words: Sequence[tuple[int, int, str]] = (),
    ruby: Mapping[int, str] | None = None,
    breaks: Mapping[int, str] | None = None,
) -> str:
    """A sentence's text as inline markup: each of ``words`` (``[start, end)`` spans, sorted and
    disjoint, with the attributes of its element) a ``<span class="w">``; a character with
    pinyin in ``ruby`` a ``<ruby>`` (with ``<rp>`` for reading systems that show no ruby);
    the page breaks of ``breaks`` (markup by offset) between words: one that falls inside
    a word goes before it, so no word is split."""
    opens = {start: attrs for start, _, attrs in words}
    closes = {end for _, end, _ in words}
    moved: dict[int, str] = {}
    for offset, markup in sorted((breaks or {}).items()):
        at = next((a for a, b, _ in words if a < offset < b), offset)
        moved[at] = moved.get(at, "") + markup
    out = []
    for i, ch in enumerate(text):
        if i in closes:
            out.append("</span>")
        out.append(moved.get(i, ""))
        if i in opens:
            out.append(f'<span class="{WORD_CLASS}"{opens[i]}>')
        pinyin = ruby.get(i) if ruby else None
        out.append(f"<ruby>{escape(ch)}<rp>(</rp><rt>{escape(pinyin)}</rt><rp>)</rp></ruby>" if pinyin else escape(ch))
    if len(text) in closes:
        out.append("</span>")
    out.append(moved.get(len(text), ""))
    return "".join(out)


def _sentence(sentence: Sentence, view: View, marks: Marks) -> str:
    words = [
        (w.text_start, w.text_end, f' id="{word_id(sentence.id, i)}"') for i, w in enumerate(view.words.get(sentence.id, ()))
    ]
    pinyin = None
    if view.ruby:
        from ..speech import ruby  # the pinyin tables load only when ruby is asked for

        pinyin = ruby(sentence)
    return f'<span class="{SENTENCE_CLASS}" id="{sentence.id}">{inline(sentence.text, words, pinyin, _inside(sentence, marks))}</span>'


def _heading(level: int, sentence: Sentence | None, fallback: str, view: View, marks: Marks) -> str:
    """A heading; a page starting with it is marked before it (by the caller, outside its section)."""
    inner = _sentence(sentence, view, marks) if sentence else escape(fallback)
    return f"<h{level}>{inner}</h{level}>\n"


def _paragraphs(section: Section, view: View, marks: Marks) -> str:
    return "".join(
        f'<p id="{p.id}">' + "".join(_before(s, marks) + _sentence(s, view, marks) for s in p.sentences) + "</p>\n"
        for p in section.paragraphs
        if p.sentences
    )


def _labelled_by(sentence: Sentence | None) -> str:
    return f" aria-labelledby={quoteattr(sentence.id)}" if sentence else ""


def _body_chapter(chapter: Chapter, view: View, marks: Marks) -> str:
    parts = [
        _before(chapter.heading, marks),
        f'<section id="{chapter.id}" epub:type="chapter" role="doc-chapter"{_labelled_by(chapter.heading)}>\n',
        _heading(2, chapter.heading, chapter_label(chapter), view, marks),
    ]
    for section in chapter.sections:
        if section.heading is None:  # the untitled lead-in before the first section
            parts.append(_paragraphs(section, view, marks))
            continue
        parts.append(_before(section.heading, marks))
        parts.append(f'<section id="{section.id}"{_labelled_by(section.heading)}>\n')
        parts.append(_heading(3, section.heading, "", view, marks))
        parts.append(_paragraphs(section, view, marks))
        parts.append("</section>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _front_chapter(book: Book, chapter: Chapter, view: View, marks: Marks) -> str:
    """The front page: the book title as h1, then the dateline, speaker and salutation."""
    title_spoken = chapter.heading is not None and chapter.heading.text == book.title
    parts = [f'<section id="{chapter.id}" epub:type="frontmatter">\n', _before(chapter.heading, marks)]
    parts.append(_heading(1, chapter.heading if title_spoken else None, book.title, view, marks))
    if chapter.heading is not None and not title_spoken:
        parts.append(_heading(2, chapter.heading, "", view, marks))
    for section in chapter.sections:
        if section.heading is not None:
            parts.append(_before(section.heading, marks) + _heading(3, section.heading, "", view, marks))
        parts.append(_paragraphs(section, view, marks))
    parts.append("</section>\n")
    return "".join(parts)


def chapter_page(book: Book, chapter: Chapter, *, css: str, view: View = View()) -> str:
    """The XHTML document of one chapter (the front matter gets the book title as h1)."""
    marks = page_marks(book) if view.marks is None else view.marks
    body = _front_chapter(book, chapter, view, marks) if chapter.kind == "front" else _body_chapter(chapter, view, marks)
    title = escape(f"{chapter_label(chapter)} - {book.title}")
    return _HEAD.format(lang=book.language, title=title, css=css) + f"<body>\n{body}</body>\n</html>\n"


def cover_page(book: Book, *, image: str, css: str, title_on_image: bool) -> str:
    """The cover page. When the image cannot show the title (no CJK font here) the image is
    decorative and the title is real text below it."""
    if title_on_image:
        figure = f'<img src="{image}" role="doc-cover" alt={quoteattr(f"封面：{book.title}")}/>\n'
    else:
        figure = (
            f'<img src="{image}" role="presentation" alt=""/>\n'
            f'<p class="cover-title">{escape(book.title)}</p>\n'
        )
    title = escape(f"封面 - {book.title}")
    return (
        _HEAD.format(lang=book.language, title=title, css=css)
        + f'<body class="cover" epub:type="cover">\n<section epub:type="cover">\n{figure}</section>\n</body>\n</html>\n'
    )
