"""Turn clean report text into a `Book`: chapters, sections, paragraphs, sentences.

Government work reports share one shape: a dateline, the speaker, a salutation,
then chapters ``一、…`` (or ``第一部分``, or Markdown ``#``) with sections
``（一）…`` whose heading is often the first sentence of a paragraph. The
highest-ranking heading style present makes the chapters and the next one the
sections; numbered headings must follow their sequence (一 then 二 …), so a list
inside the text that restarts at 一 is not mistaken for a chapter.

Ids are positional inside their parent (``c03-s02-p004-t007``), so editing the
text of one paragraph never changes an id anywhere else.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .inputs import Document, read_document
from .model import Book, Chapter, PageMark, Paragraph, Section, Sentence, Span

log = logging.getLogger("accessible")

__all__ = ["segment", "load_book", "split_sentences", "clause_offsets"]

DEFAULT_TITLE = "政府工作报告"


def load_book(path: str | Path, title: str | None = None, *, words: bool = True) -> Book:
    """Read, clean and segment the document at ``path`` (raises `InputError`)."""
    book = segment(read_document(path), title, words=words)
    log.debug(
        "%s: %r, %d chapters, %d sentences",
        path, book.title, sum(c.kind == "body" for c in book.chapters), sum(1 for _ in book.sentences()),
    )
    return book


def segment(source: str | Document, title: str | None = None, *, words: bool = True) -> Book:
    """Build the book from clean text (one paragraph per line) or a read `Document`. Pure.

    A document's own heading levels (styles, tags, font sizes) add the unnumbered
    headings the text rules cannot see; its print pages become `Book.pages`; its
    metadata fills in what the text's own title line, dateline and speaker do not say.
    ``words=False`` leaves `Sentence.words` empty: jieba is most of the time on
    large inputs, and an outline does not need it.
    """
    doc = source if isinstance(source, Document) else Document(source, "")
    sentence = functools.partial(_sentence, words=words)
    numbered = [(n, line) for n, line in enumerate(doc.text.split("\n")) if line.strip()]
    raw = [line.strip() for _, line in numbered]
    index = {n: k for k, (n, _) in enumerate(numbered)}
    levels = {index[h.line]: h.level for h in doc.headings if h.line in index}
    headings = _find_headings(raw, {k: level for k, level in levels.items() if level > 0})
    lines = [_MARKDOWN_HEADING.sub("", line) for line in raw]  # a title line may carry "# "
    titled = levels.get(0) == 0  # the source marks its first line as the title
    # Without headings, the leading title/dateline/speaker/salutation lines are the front matter.
    first = min(headings) if headings else _front_matter_length(lines, titled)
    front_lines = lines[:first]
    meta = _metadata(front_lines, titled)
    chapters: list[Chapter] = []
    if front_lines:
        # A title line of the document is the front matter's heading: spoken first, as an
        # audiobook opens, and shown once, as the book's h1 (not again as a paragraph).
        heading = sentence("c00-h", front_lines[0]) if front_lines[0] == meta.title_line else None
        rest = front_lines[1:] if heading else front_lines
        paragraphs = tuple(_paragraph(f"c00-s00-p{n:03d}", line, sentence) for n, line in enumerate(rest, 1))
        chapters.append(Chapter("c00", 0, "front", heading, (Section("c00-s00", 0, None, paragraphs),)))
    chapters += _chapters(lines[first:], {i - first: h for i, h in headings.items()}, sentence)
    book = Book(
        title=title or meta.title_line or doc.title or meta.title,
        chapters=tuple(chapters),
        author=meta.author or doc.author,
        date=meta.date or doc.date,
        page_source=doc.page_source if doc.pages else "",
    )
    return _place_pages(book, doc, numbered, lines) if doc.pages else book


def _place_pages(book: Book, doc: Document, numbered: list[tuple[int, str]], lines: list[str]) -> Book:
    """The document's print pages as marks in the sentences where their text starts.

    Every line is the concatenation of consecutive sentences (headings included), so
    offsets into the lines joined end to end are offsets into the sentences joined.
    """
    starts, at = {}, 0
    for n, line in enumerate(doc.text.split("\n")):
        starts[n] = at
        at += len(line) + 1
    flat: list[int] = []  # where each line starts in the lines joined end to end
    total = 0
    for (n, line), shown in zip(numbered, lines):
        flat.append(total)
        total += len(shown)
    sentences = list(book.sentences())
    sentence_starts = list(itertools.accumulate((len(s.text) for s in sentences), initial=0))
    if sentence_starts[-1] != total:  # cannot happen for text this module segmented
        log.debug("print pages left out: sentences do not cover the lines")
        return book
    marks: list[PageMark] = []
    for page in doc.pages:
        k = bisect.bisect_right([starts[n] for n, _ in numbered], page.offset) - 1
        if k < 0:
            k, column = 0, 0
        else:
            n, line = numbered[k]
            lead = len(line) - len(line.lstrip()) + len(line.strip()) - len(lines[k])  # indent, "# "
            column = min(max(page.offset - starts[n] - lead, 0), len(lines[k]))
        offset = flat[k] + column
        if offset >= total:
            continue  # a last page with no text of its own
        i = bisect.bisect_right(sentence_starts, offset) - 1
        marks.append(PageMark(sentences[i].id, offset - sentence_starts[i], page.number))
    return replace(book, pages=tuple(marks))


# --- headings ----------------------------------------------------------------

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_NUMERAL = r"[一二三四五六七八九十百零〇两]+|\d+"
_PATTERNS = (
    # (kind, pattern); the kind's rank is its place in `_RANKS`
    ("md", re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.+)$")),  # "#两会#" is a hashtag, not a heading
    # "第三章的内容…" names a chapter inside a sentence: a heading's title never opens with a
    # particle joining the numbering to more words (的 之: of; 和 与 及 或: and, or).
    ("part", re.compile(rf"^(?P<text>第(?P<num>{_NUMERAL})(?P<unit>篇|部分|章|节)(?![的之和与及或]).*)$")),
    ("cn", re.compile(r"^(?P<text>(?P<num>[一二三四五六七八九十百零〇]+)、.+)$")),
    ("paren", re.compile(r"^(?P<text>[（(](?P<num>[一二三四五六七八九十百零〇]+)[)）].+)$")),
)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_RANKS = ("md1", "md2", "md3", "md4", "md5", "md6", "part篇", "part部分", "part章", "part节", "cn", "paren")
_SENTENCE_END = "。！？；!?;"
_TOC_ENTRY = re.compile(r"[\s.…·．_-]*\d*$")
# A heading on its own line: short, and no sentence end before its last character.
_MAX_HEADING = 40


@dataclass(frozen=True)
class _Heading:
    level: int  # 1 chapter, 2 section
    text: str  # the heading as shown (Markdown marks removed)
    rest: str  # the remainder of the line when the heading opens a paragraph


@dataclass(frozen=True)
class _Candidate:
    kind: str
    number: int | None  # None for Markdown
    text: str
    standalone: bool


def cn_number(numeral: str) -> int:
    """Value of a Chinese (or Arabic) numeral up to 999: 三 3, 十二 12, 二十 20, 一百零五 105."""
    if numeral.isdigit():
        return int(numeral)
    total, digit = 0, 0
    for ch in numeral:
        if ch in "十百":
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
        else:
            digit = _CN_DIGITS[ch]
    return total + digit


def _candidate(line: str) -> _Candidate | None:
    for kind, pattern in _PATTERNS:
        m = pattern.match(line)
        if not m:
            continue
        text = m.group("text").strip()
        if kind == "md":
            return _Candidate(f"md{len(m.group('marks'))}", None, text, True)
        body = text[:-1]
        standalone = len(text) <= _MAX_HEADING and not any(c in body for c in _SENTENCE_END)
        unit = m.group("unit") if kind == "part" else ""
        return _Candidate(kind + unit, cn_number(m.group("num")), text, standalone)
    return None


def _find_headings(lines: list[str], marked: dict[int, int] | None = None) -> dict[int, _Heading]:
    """Line index → heading, for the chapter and section levels of this document.

    ``marked`` are the heading levels the source gives (line index → 1, 2 …). A marked
    line the text rules know keeps its numbering kind; an unnumbered one becomes kind
    ``h<level>``; kinds rank by the highest level the source gives them, then as usual.
    """
    marked = marked or {}
    candidates = {
        i: c
        for i, line in enumerate(lines)
        if (c := _candidate(line) or (_Candidate(f"h{marked[i]}", None, line, True) if i in marked else None))
    }
    source_level: dict[str, int] = {}
    for i, given in marked.items():
        if i in candidates:
            kind = candidates[i].kind
            source_level[kind] = min(given, source_level.get(kind, given))
    # A table of contents lists the headings one after another before the text: a run
    # of two or more heading lines that all come again later (page numbers and dot
    # leaders aside) is such a list, not headings.
    last = {_TOC_ENTRY.sub("", c.text): i for i, c in candidates.items()}
    again = {i for i, c in candidates.items() if last[_TOC_ENTRY.sub("", c.text)] != i}
    contents: set[int] = set()
    for i in again:
        if i - 1 not in again:  # the start of a run of headings that all come again
            run = range(i, next(k for k in itertools.count(i) if k not in again))
            if len(run) >= 2:
                contents.update(run)
    candidates = _excerpt_renumbered({i: c for i, c in candidates.items() if i not in contents}, lines)
    present = sorted(
        {c.kind for c in candidates.values() if c.number in (None, 1)},
        key=lambda kind: (source_level.get(kind, len(_RANKS)), _RANKS.index(kind) if kind in _RANKS else 0),
    )
    # A single top-level Markdown heading on the first line is the document's title.
    top = candidates.get(0)
    if top and top.kind.startswith("md") and top.kind == present[0]:
        alone = sum(c.kind == top.kind for c in candidates.values()) == 1
        if alone and (len(present) > 1 or _is_title(top.text)):
            present.pop(0)
            del candidates[0]
    levels = dict(zip(present[:2], (1, 2)))
    # Chapters may open a paragraph ("一、回顾。过去一年…") only in documents whose
    # chapter headings never stand on their own line.
    chapter_kind = present[0] if present else None
    inline_chapters = not any(c.standalone for c in candidates.values() if c.kind == chapter_kind)
    headings: dict[int, _Heading] = {}
    expected = {1: 1, 2: 1}
    for i, c in candidates.items():
        level = levels.get(c.kind)
        if level is None or (level == 2 and not headings):
            continue
        if c.number is not None and c.number != expected[level]:
            continue
        if level == 1 and not (c.standalone or inline_chapters):
            continue
        text, rest = (c.text, "") if c.standalone or c.kind.startswith("md") else _split_heading(c.text)
        headings[i] = _Heading(level, text, rest)
        expected[level] += 1
        if level == 1:
            expected[2] = 1
    return headings


def _excerpt_renumbered(candidates: dict[int, _Candidate], lines: list[str]) -> dict[int, _Candidate]:
    """An excerpt may start at a later heading (``二、``): a numbered kind with no heading
    numbered 1 is counted from its first heading instead, if that one stands on its own
    line and either opens the text (after any front matter) or is followed by the next
    number. A stray ``二、三季度…`` line in running text is neither."""
    firsts: dict[str, tuple[int, _Candidate]] = {}
    for i, c in candidates.items():
        firsts.setdefault(c.kind, (i, c))
    shifts: dict[str, int] = {}
    for kind, (i, c) in firsts.items():
        numbers = {d.number for d in candidates.values() if d.kind == kind}
        if c.number is None or 1 in numbers or not c.standalone:
            continue
        if i <= _front_matter_length(lines) or c.number + 1 in numbers:
            shifts[kind] = c.number - 1
    return {i: replace(c, number=c.number - shifts[c.kind]) if c.kind in shifts and c.number is not None else c
            for i, c in candidates.items()}


def _split_heading(line: str) -> tuple[str, str]:
    """``（一）全力推进项目建设。始终把…`` → (``（一）全力推进项目建设。``, ``始终把…``)."""
    sentences = split_sentences(line)
    return sentences[0], line[len(sentences[0]) :]


# --- chapters ----------------------------------------------------------------


def _chapters(lines: list[str], headings: dict[int, _Heading], sentence: Callable[[str, str], Sentence]) -> list[Chapter]:
    """Group body lines under their headings (lines before the first heading form c01)."""
    chapters: list[Chapter] = []
    chapter_heading: str | None = None
    sections: list[Section] = []
    section: tuple[int, str | None, list[str]] = (0, None, [])

    def close_section() -> None:
        number, heading, paragraphs = section
        if number == 0 and not paragraphs:
            return
        sid = f"c{len(chapters) + 1:02d}-s{number:02d}"
        sections.append(
            Section(
                id=sid,
                number=number,
                heading=sentence(f"{sid}-h", heading) if heading is not None else None,
                paragraphs=tuple(_paragraph(f"{sid}-p{n:03d}", p, sentence) for n, p in enumerate(paragraphs, 1)),
            )
        )

    def close_chapter() -> None:
        close_section()
        if chapter_heading is None and not sections:
            return
        number = len(chapters) + 1
        cid = f"c{number:02d}"
        heading = sentence(f"{cid}-h", chapter_heading) if chapter_heading is not None else None
        chapters.append(Chapter(cid, number, "body", heading, tuple(sections)))

    for i, line in enumerate(lines):
        h = headings.get(i)
        if h is None:
            section[2].append(line)
            continue
        if h.level == 1:
            close_chapter()
            chapter_heading, sections, section = h.text, [], (0, None, [])
        else:
            close_section()
            section = (section[0] + 1, h.text, [])
        if h.rest:
            section[2].append(h.rest)
    close_chapter()
    return chapters


def _paragraph(pid: str, text: str, sentence: Callable[[str, str], Sentence]) -> Paragraph:
    return Paragraph(pid, tuple(sentence(f"{pid}-t{n:03d}", s) for n, s in enumerate(split_sentences(text), 1)))


def _sentence(sid: str, text: str, words: bool) -> Sentence:
    return Sentence(sid, text, words=word_spans(text) if words else (), clauses=clause_offsets(text))


# --- sentences ---------------------------------------------------------------

_OPEN_CLOSE = {"“": "”", "‘": "’", "《": "》", "「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〔": "〕", "〈": "〉"}
_CLOSE_OPEN = {close: open_ for open_, close in _OPEN_CLOSE.items()}
_BRACKETS = re.compile("[" + re.escape("".join(_OPEN_CLOSE) + "".join(_CLOSE_OPEN)) + '"]')
# A quote or parenthesis closing right after an end mark ends the sentence too; a
# title mark does not (《关于…的意见。》 is a name inside a sentence).
_ENDS_QUOTED_SENTENCE = set("”’」』）)\"")
_END_RUN = re.compile(f"[{_SENTENCE_END}]+")
_CLAUSE_MARK = re.compile(r"[，、：]|,(?!\d)")  # not the comma of 1,000


class _Quoted:
    """The outermost matched quote/bracket pairs of a text, as [open, close) spans.

    Unmatched marks are ignored, so one stray “ cannot swallow a whole paragraph.
    """

    def __init__(self, text: str) -> None:
        pairs: list[tuple[int, int]] = []
        stack: list[tuple[str, int]] = []
        straight: int | None = None  # an open ASCII double quote
        for m in _BRACKETS.finditer(text):
            i, ch = m.start(), m.group()
            if ch in _OPEN_CLOSE:
                stack.append((ch, i))
            elif ch == '"':
                if straight is None:
                    straight = i
                else:
                    pairs.append((straight, i))
                    straight = None
            else:
                # close the innermost matching opener; openers left inside it are unmatched
                for k in range(len(stack) - 1, -1, -1):
                    if stack[k][0] == _CLOSE_OPEN[ch]:
                        pairs.append((stack[k][1], i))
                        del stack[k:]
                        break
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(pairs):
            if self.ends and start < self.ends[-1]:  # nested (or crossing): part of the outer span
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def inside(self, i: int) -> bool:
        """Whether position i lies within a pair (its closing mark counts as outside)."""
        k = bisect.bisect_right(self.starts, i) - 1
        return k >= 0 and i < self.ends[k]


def split_sentences(text: str) -> list[str]:
    """Split a paragraph at 。！？； (and ! ? ;), never inside quotes or brackets.

    Closing quotes and brackets right after the end mark stay with the sentence
    (``“…金山银山。”`` ends a sentence), as do repeated marks (``？！``) and
    spaces. The pieces concatenate back to ``text`` exactly; none is empty or blank.
    """
    quoted = _Quoted(text)
    cuts = [m.end() for m in _END_RUN.finditer(text) if not quoted.inside(m.start())]
    cuts += [end + 1 for end in quoted.ends if text[end - 1] in _SENTENCE_END and text[end] in _ENDS_QUOTED_SENTENCE]
    pieces, start = [], 0
    for cut in sorted(cuts):
        while cut < len(text) and (text[cut] in _SENTENCE_END or text[cut] == " " or _stray_closer(text, cut, quoted)):
            cut += 1
        if cut > start:
            pieces.append(text[start:cut])
            start = cut
    rest = text[start:]
    if rest.strip() or not pieces:
        pieces.append(rest)
    else:
        pieces[-1] += rest
    return pieces


def _stray_closer(text: str, i: int, quoted: _Quoted) -> bool:
    """A closing bracket with no opener (a straight quote may open the next sentence)."""
    return text[i] in _CLOSE_OPEN and not quoted.inside(i)


def clause_offsets(text: str) -> tuple[int, ...]:
    """Offsets just after ，、： outside quotes/brackets (where captions may cut a sentence)."""
    quoted = _Quoted(text)
    return tuple(m.end() for m in _CLAUSE_MARK.finditer(text, 0, len(text) - 1) if not quoted.inside(m.start()))




_NOT_A_WORD = re.compile(r"^[\s\W_]+$")


def _tokenizer() -> Any:
    from .jiebadict import tokenizer  # late: importing jieba and its dictionary take most of a second

    return tokenizer()


def word_spans(text: str) -> tuple[Span, ...]:
    """jieba's words over ``text`` as [start, end) spans; punctuation and spaces left out."""
    return tuple((a, b) for w, a, b in _tokenizer().tokenize(text) if not _NOT_A_WORD.match(w))


# --- front matter and metadata -------------------------------------------------

_DATELINE = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_SPEAKER = re.compile(
    r"^(?P<org>[\u4e00-\u9fff]*?)\s*(?P<role>(?:代理?|副)?(?:省长|市长|区长|县长|州长|旗长|盟长|主席|总理))"
    r"\s*(?P<name>[\u4e00-\u9fff·]{2,5})$"
)
# "在衡水市第六届人民代表大会…" names the place; "在第十四届全国人民代表大会…" does not.
_PLACE = re.compile(r"在(?P<place>[\u4e00-\u9fff]{2,12}?[省市县区州盟旗])第[一二三四五六七八九十\d]+届人民代表大会")
_SALUTATION = re.compile(r"^(?:各位|尊敬的).{0,20}[：:，,]$")
_TITLE_PUNCT = re.compile(r"[。，；！？：,;!?:]")


@dataclass(frozen=True)
class _Meta:
    title: str
    author: str
    date: str
    title_line: str  # the document's own title line, "" when the title is inferred


def _is_title(line: str) -> bool:
    return len(line) <= _MAX_HEADING and "报告" in line and not _TITLE_PUNCT.search(line)


def _is_dateline(line: str) -> bool:
    return bool(_DATELINE.search(line)) and len(line) <= 100 and ("会议" in line or line[0] in "―—-－─")


def _front_matter_length(lines: list[str], titled: bool = False) -> int:
    n = 0
    for line in lines[:6]:
        if not ((titled and n == 0) or _is_title(line) or _is_dateline(line) or _SPEAKER.match(line) or _SALUTATION.match(line)):
            break
        n += 1
    return n


def _metadata(front: list[str], titled: bool = False) -> _Meta:
    title = line_title = next((line for line in front[:1] if titled or _is_title(line)), "")
    dateline_line = next((line for line in front if _is_dateline(line)), "")
    dateline = _DATELINE.search(dateline_line)
    speaker = next((m for line in front if (m := _SPEAKER.match(line))), None)
    year = dateline.group("y") if dateline else ""
    date = f"{year}-{int(dateline.group('m')):02d}-{int(dateline.group('d')):02d}" if dateline else ""
    if not title and year:
        org = speaker.group("org") if speaker else ""
        place_in_dateline = _PLACE.search(dateline_line)
        if org.endswith("人民政府"):
            place = org.removesuffix("人民政府")
        else:
            place = place_in_dateline.group("place") if place_in_dateline else ""
        title = f"{year}年{place}政府工作报告"
    return _Meta(title or DEFAULT_TITLE, speaker.group("name") if speaker else "", date, line_title)
