"""The cleaning every reader shares: from raw paragraphs to clean text, every removal reported.

Text as extracted (from a text file, a PDF's text layer, a web page or a Word file)
carries web watermarks, photo captions, pasted repeats, symbols no voice can read,
radical code points standing for ideographs and ASCII punctuation standing for
Chinese. Every change is logged as a warning and kept in `Document.removed`.

Stages, in order (pure functions of text): width of digits and letters → radical code
points → ASCII punctuation between Chinese characters → unreadable symbols → URL
watermarks and photo captions → repeated copies → (plain text only) hard line wraps.
Boilerplate goes before repeats because a watermark pasted into only some copies
would make them differ; line numbers in the warnings are those of the source.

Structured readers hand over `Block`s; a print page that starts inside a block
travels through the stages as one private-use character (see `_page_mark`), so
whatever is cut or joined around it, the page starts where its text starts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from importlib import resources
from typing import Sequence

from .document import Block, Document, Heading, PageBreak

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]")

# Full-width digits and Latin letters, and the signs that go with numbers, become
# half-width so the speech layer sees one spelling ("１+１" → "1+1", "２－４" → "2-4").
# Chinese punctuation (，。：；（）“”) stays: it is how the text is shown, and the
# speech layer reads "10.5：43.5" as a ratio from the full-width colon.
_WIDTH = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_WIDTH.update({ord("％"): "%", ord("＋"): "+", ord("－"): "-", 0xA0: " ", ord("\t"): " "})
_FULL_STOP_IN_NUMBER = re.compile(r"(?<=\d)．(?=\d)")
_SPACES = re.compile("[ \u3000]{2,}|\u3000")

# A print page's start, while blocks are cleaned: one character of Supplementary
# Private Use Area-A per page (no source text uses them; any that come are dropped).
_PAGE_MARK_BASE = 0xF0000
_PAGE_MARK_LIMIT = 0xFFFFD
PAGE_MARKS = re.compile("[\U000F0000-\U000FFFFD]")


def _page_mark(index: int) -> str:
    return chr(_PAGE_MARK_BASE + index)


def clean_lines(text: str, *, layout: bool) -> tuple[list[str], list[str]]:
    """The shared stages over ``text`` (one paragraph per line); returns the lines (removed
    ones blank, so line numbers hold unless ``layout`` joins wrapped lines) and the notes."""
    removed: list[str] = []
    text = normalize(text)
    for stage in (restore_ideographs, fix_ascii_punctuation, strip_unreadable):
        text, note = stage(text)
        removed += note
    raw = text.split("\n")
    lines, notes = strip_boilerplate([tidy_spaces(line) for line in raw])
    removed += notes
    lines, notes = drop_repeats(lines)
    removed += notes
    if layout:
        lines, notes = unwrap(lines, raw)
        removed += notes
    return lines, removed


_LINE_BREAKS = re.compile("[\r\n\u2028\u2029\x0b\x0c\x85]+")


def clean_blocks(blocks: Sequence[Block], **metadata: str) -> Document:
    """Clean the paragraphs a structured reader found, keeping their heading levels and print
    pages; ``metadata`` are the other `Document` fields (format, encoding, title …)."""
    marked = []
    numbers: list[str] = []
    for block in blocks:
        text = _LINE_BREAKS.sub(" ", PAGE_MARKS.sub("", block.text))
        for offset, number in sorted(block.pages, reverse=True):
            if len(numbers) <= _PAGE_MARK_LIMIT - _PAGE_MARK_BASE:
                text = text[:offset] + _page_mark(len(numbers)) + text[offset:]
                numbers.append(number)
        marked.append(text)
    lines, removed = clean_lines("\n".join(marked), layout=False)
    kept: list[str] = []
    headings: list[Heading] = []
    pages: list[PageBreak] = []
    offset = 0
    waiting: list[int] = []  # pages whose text was all removed start where the next text does
    for block, before, line in zip(blocks, marked, lines):
        found = [ord(m.group()) - _PAGE_MARK_BASE for m in PAGE_MARKS.finditer(line)]
        plain = PAGE_MARKS.sub("", line)
        lead = len(plain) - len(plain.lstrip())
        plain = plain.strip()
        if not plain:
            waiting += [ord(m) - _PAGE_MARK_BASE for m in PAGE_MARKS.findall(before)]
            continue
        if kept:
            offset += 1  # the newline
        pages += [PageBreak(offset, numbers[i]) for i in waiting]
        waiting = [ord(m) - _PAGE_MARK_BASE for m in PAGE_MARKS.findall(before) if ord(m) - _PAGE_MARK_BASE not in found]
        position = 0
        for m in PAGE_MARKS.finditer(line):
            at = min(max(m.start() - position - lead, 0), len(plain))
            pages.append(PageBreak(offset + at, numbers[ord(m.group()) - _PAGE_MARK_BASE]))
            position += 1
        if block.level is not None:
            headings.append(Heading(len(kept), block.level))
        kept.append(plain)
        offset += len(plain)
    pages += [PageBreak(offset, numbers[i]) for i in waiting]
    pages.sort(key=lambda p: p.offset)
    return Document("\n".join(kept), removed=tuple(removed), headings=tuple(headings), pages=tuple(pages), **metadata)


# --- characters --------------------------------------------------------------


def normalize(text: str) -> str:
    """Unify line ends and the width of digits, letters and number signs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("⸺", "——").replace("⸻", "———")  # two- and three-em dashes, as fonts map ——
    return _FULL_STOP_IN_NUMBER.sub(".", text.translate(_WIDTH))


_LETTER_SPACED = re.compile("[0-9\u3400-\u4dbf\u4e00-\u9fff](?: [0-9\u3400-\u4dbf\u4e00-\u9fff]){2,}")


def _close_up(m: re.Match[str]) -> str:
    spaced = m.group()
    return spaced.replace(" ", "") if CJK.search(spaced) else spaced  # "1 2 3" may be three numbers


def tidy_spaces(line: str) -> str:
    """Strip a line (indents are layout), collapse inner spaces to one, and close up
    letter-spaced Chinese ("政 府 工 作 报 告", as titles are set)."""
    line = _SPACES.sub(" ", line.strip(" \u3000"))
    return _LETTER_SPACED.sub(_close_up, line) if " " in line else line


@functools.cache
def _radicals() -> dict[int, str]:
    """Radical code points → the ideographs they stand for: NFKC for the Kangxi block, the
    Unicode table (data/radicals.txt) for the supplement, which NFKC leaves alone."""
    table = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FD6)}
    data = resources.files("accessible.inputs").joinpath("data", "radicals.txt").read_text(encoding="utf-8")
    for line in data.splitlines():
        if line and not line.startswith("#"):
            radical, ideograph = line.split()
            table[ord(radical)] = ideograph
    return table


_RADICAL = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")


def restore_ideographs(text: str) -> tuple[str, list[str]]:
    """Radical code points (⼈⺠⻓, as PDF text layers give them) back to 人民长."""
    found = Counter(_RADICAL.findall(text))
    if not found:
        return text, []
    table = _radicals()
    mapped = {ch: n for ch, n in found.items() if ord(ch) in table}
    if not mapped:
        return text, []
    examples = " ".join(f"{ch}→{table[ord(ch)]}" for ch, _ in Counter(mapped).most_common(5))
    total = sum(mapped.values())
    return text.translate(table), [f"replaced {total} radical code point(s) with the characters they stand for ({examples})"]


# An ASCII comma, colon or semicolon between Chinese text was a full-width mark on the
# page (PDF text layers and copies from them give the ASCII one): "总基调,统筹" means
# "总基调，统筹", and as ASCII its line measures short and is not joined to the next.
_AFTER_CJK = "\u3400-\u4dbf\u4e00-\u9fff”’）》」』"
_BEFORE_CJK = "\u3400-\u4dbf\u4e00-\u9fff“‘（《「『"
_MARKS = "[\U000F0000-\U000FFFFD]*"
_MARKS_OR_BREAK = "[\U000F0000-\U000FFFFD\n]*"
# Chinese after Chinese or a number, a number after Chinese (1,260 and 18.7:51.7 stay ASCII).
_ASCII_MARK = re.compile(
    f"(?<=[{_AFTER_CJK}%\\d])(?P<a>{_MARKS})(?P<m>[,:;])(?={_MARKS_OR_BREAK}[{_BEFORE_CJK}])"
    f"|(?<=[{_AFTER_CJK}])(?P<b>{_MARKS})(?P<n>[,:;])(?={_MARKS_OR_BREAK}\\d)"
)
_FULL_WIDTH = {",": "，", ":": "：", ";": "；"}


def fix_ascii_punctuation(text: str) -> tuple[str, list[str]]:
    """``,`` ``:`` ``;`` between Chinese characters become ，：； as they were printed."""
    found = Counter(m.group("m") or m.group("n") for m in _ASCII_MARK.finditer(text))
    if not found:
        return text, []
    text = _ASCII_MARK.sub(lambda m: (m.group("a") or m.group("b") or "") + _FULL_WIDTH[m.group("m") or m.group("n")], text)
    marks = ", ".join(f"{n} {ch!r}→{_FULL_WIDTH[ch]!r}" for ch, n in found.most_common())
    return text, [f"made ASCII punctuation between Chinese characters full-width, as printed ({marks})"]


# Symbols a voice can read (units, numero) are kept; pictographs, dingbats, bullets,
# emoji and invisible format characters are not.
_READABLE_SYMBOLS = set("℃℉№°©®™") | {chr(c) for c in range(0x3300, 0x3400)}
_EMOJI_PARTS = {0x200D, 0x20E3} | set(range(0xFE00, 0xFE10)) | set(range(0x1F3FB, 0x1F400))


def _unreadable(ch: str) -> bool:
    if ch == "\n" or ch in _READABLE_SYMBOLS or PAGE_MARKS.match(ch):
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn", "So") or ord(ch) in _EMOJI_PARTS


def strip_unreadable(text: str) -> tuple[str, list[str]]:
    """Remove control characters, emoji and other symbols; one note with the count."""
    # Fast path: checking the set of distinct characters keeps 10 MB inputs quick.
    bad = {ch for ch in set(text) if _unreadable(ch)}
    if not bad:
        return text, []
    counts = Counter(ch for ch in text if ch in bad)
    text = text.translate({ord(ch): None for ch in bad})
    examples = " ".join(repr(ch) for ch, _ in counts.most_common(5))
    total = sum(counts.values())
    what = "character" if total == 1 else "characters"
    return text, [f"removed {total} {what} a voice cannot read (emoji, symbols, control characters: {examples})"]


# --- web boilerplate ---------------------------------------------------------

_TERMINATORS = "。！？!?"
# A web address: with a scheme, or www., or a host ending in a common top-level domain.
_URL = (
    r"(?:https?://\S+?|(?:www\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.(?:com|cn|net|org|gov|edu|info|cc|top|xyz|io|me|tv|biz|site|vip|club)(?:\.cn)?(?:/[\w./?=&%-]*)?)"
)
# A watermark starts a sentence (after a terminator or at a line start) and is a web
# address plus a short fragment up to the next sentence end, e.g.
# "www.libaiwu.com 政府工作报告。" pasted into the middle of a paragraph.
_WATERMARK = re.compile(rf"(?:(?<=[{_TERMINATORS}])|^)(?P<mark>{_URL} ?[^{_TERMINATORS}\n]{{0,20}}?(?:[{_TERMINATORS}]|$))", re.M)
# Photo captions and source lines: a line with no closing punctuation that ends in a
# photographer's credit (after a caption sentence, after 记者/通讯员, or in brackets),
# or that is a source/editor label.
_CREDIT = r"[\u4e00-\u9fff·]{2,4}\s*(?:摄|摄影|供图)"
_CAPTION = re.compile(
    rf"^(?:.{{0,80}}[。！？]\s*{_CREDIT}"
    rf"|.{{0,80}}(?:记者|通讯员|摄影师)[^。！？]{{0,12}}(?:摄|摄影|供图)"
    rf"|.{{0,80}}[（(][^（()）]{{0,20}}(?:摄|摄影|供图)[）)]"
    r"|.{0,80}(?:图片来源|图片由|图源)[:：].{0,40}"
    r"|[（(]?(?:责任编辑|编辑|来源|原标题|本文来源|文章来源)[:：].{0,60})$"
)


def strip_boilerplate(lines: list[str]) -> tuple[list[str], list[str]]:
    """Blank out photo-caption lines and cut URL watermarks out of lines."""
    marks: Counter[str] = Counter()
    captions: list[tuple[int, str]] = []
    out = []
    for number, line in enumerate(lines, 1):
        if line and _CAPTION.match(line):
            captions.append((number, line))
            out.append("")
            continue
        if "." in line or "http" in line:
            found = [m.group("mark") for m in _WATERMARK.finditer(line)]
            if found:
                marks.update(found)
                line = _WATERMARK.sub("", line).strip()
        out.append(line)
    notes = [f"removed web watermark {mark!r} ({_times(n)})" for mark, n in marks.items()]
    for text, where in _group(captions).items():
        notes.append(f"removed photo caption or source line {text!r} ({_times(len(where))}, line {_lines(where)})")
    return out, notes


def _group(found: list[tuple[int, str]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for number, text in found:
        groups.setdefault(text, []).append(number)
    return groups


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5])
    return shown + (", …" if len(numbers) > 5 else "")


# --- repeated copies -----------------------------------------------------------

# A repeated run shorter than this is probably a legitimately repeated phrase
# ("各位代表：") rather than a pasted copy.
_MIN_REPEAT_CHARS = 200


def drop_repeats(lines: list[str]) -> tuple[list[str], list[str]]:
    """Blank out every run of lines that repeats an earlier run verbatim.

    Works on non-blank lines in one pass: at a line already seen, extend the match
    with the lines after its first occurrence; a match of at least
    `_MIN_REPEAT_CHARS` characters is a pasted copy. A document pasted k times is
    k-1 such runs, however many copies and wherever they are separated.
    """
    kept = [i for i, line in enumerate(lines) if line]
    text = [lines[i] for i in kept]
    first: dict[str, int] = {}
    dropped = [False] * len(text)
    runs: list[tuple[int, int, int]] = []  # (start, end, source start) over `text`
    i = 0
    while i < len(text):
        j = first.get(text[i])
        if j is not None:
            k = 0
            while i + k < len(text) and j + k < i and not dropped[j + k] and text[i + k] == text[j + k]:
                k += 1
            if sum(len(t) for t in text[i : i + k]) >= _MIN_REPEAT_CHARS:
                runs.append((i, i + k, j))
                dropped[i : i + k] = [True] * k
                i += k
                continue
        first.setdefault(text[i], i)
        i += 1
    if not runs:
        return lines, []
    out = list(lines)
    for n, line_index in enumerate(kept):
        if dropped[n]:
            out[line_index] = ""
    return out, _describe_repeats(runs, kept, len(text))


def _describe_repeats(runs: list[tuple[int, int, int]], kept: list[int], total: int) -> list[str]:
    def span(a: int, b: int) -> str:  # 1-based file line numbers of text[a:b]
        return f"lines {kept[a] + 1}–{kept[b - 1] + 1}"

    # The usual case: the whole document pasted again and again (the last copy may be cut short).
    copy = runs[0][0]
    whole = all(src == 0 and start == copy * (n + 1) for n, (start, _, src) in enumerate(runs))
    if whole and runs[-1][1] == total and all(end - start == copy for start, end, _ in runs[:-1]):
        return [f"removed {len(runs)} repeated copies of the document ({span(runs[0][0], total)})"]
    return [
        f"removed a repeated passage of {end - start} lines ({span(start, end)}, a copy of {span(src, src + end - start)})"
        for start, end, src in runs
    ]


# --- fixed-width layout ----------------------------------------------------------

# Text copied from a PDF or an e-mail is broken into lines of one width inside its
# paragraphs; a paragraph then starts with an indent, or after a line that ends short.
_OPENS_A_HEADING = re.compile(r"^(?:#|第[一二三四五六七八九十百零〇两\d]+[篇部章节]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_ENDS_A_SENTENCE = re.compile(r"[。！？；!?][”’」』）)]*$")


def _width(line: str) -> int:
    """Display width: 2 per Chinese character or full-width mark, 1 per ASCII character."""
    return (len(line.encode("utf-8")) + len(line)) // 2


def unwrap(lines: list[str], raw: list[str]) -> tuple[list[str], list[str]]:
    """Join the lines of a fixed-width layout back into one line per paragraph.

    ``raw`` are the same lines before stripping (their widths and indents tell the
    layout). The layout is recognized by many lines of (nearly) the same, largest
    width; a full line joins the next one unless that one is indented, blank or opens
    a heading.
    """
    widths = [_width(line.rstrip()) for line in raw]
    wide = Counter(w for w, line in zip(widths, lines) if w >= 30 and line)  # removed lines do not count
    if not wide:
        return lines, []
    full = max(wide) - 3  # wrapping at punctuation leaves a line a little short
    full_lines = sum(n for w, n in wide.items() if w >= full)
    nonblank = sum(1 for line in lines if line)
    if full_lines < 5 or full_lines < 0.3 * nonblank:
        return lines, []
    indented = [bool(line) and (r[:1] == "\u3000" or r[:2] == "  ") for line, r in zip(lines, raw)]
    # Paragraphs marked by an indent or a blank line; else a full line that ends a
    # sentence is taken to end its paragraph.
    marked = sum(indented) >= 0.1 * nonblank or sum(1 for r in raw if not r.strip()) >= 0.1 * nonblank
    out: list[str] = []
    joined = 0
    example = ""
    for n, line in enumerate(lines):
        if (
            n
            and line
            and lines[n - 1]
            and widths[n - 1] >= full
            and not indented[n]
            and not _OPENS_A_HEADING.match(line)
            and (marked or not _ENDS_A_SENTENCE.search(lines[n - 1]))
        ):
            if not joined:
                example = f"{lines[n - 1][-8:]!r} + {line[:8]!r}"
            # a word of Latin letters broken at a space gets its space back
            out[-1] += " " + line if raw[n - 1].endswith(" ") else line
            joined += 1
        else:
            out.append(line)
    if not joined:
        return lines, []
    return out, [f"removed {joined} line breaks inside paragraphs (the text was wrapped at a fixed width), first {example}"]
