"""Read a document as received and return its clean text.

Reports arrive in several encodings, copied from web pages (watermarks, photo
captions), sometimes pasted several times over. `read_document` undoes all of
that and says what it removed: every removal is logged as a warning and kept in
`Document.removed`, so nothing disappears silently.

Stages, in order (each a pure function of text, except the first):
decode bytes → HTML tags and entities → width of digits and letters → unreadable
symbols → URL watermarks and photo captions → repeated copies → hard line wraps.
Boilerplate goes before repeats because a watermark pasted into only some copies
would make them differ; line numbers in the warnings are those of the file.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

log = logging.getLogger("accessible")


@dataclass(frozen=True)
class Document:
    text: str  # clean text: one paragraph (or heading) per line, no blank lines
    encoding: str  # the encoding the bytes were decoded from ("utf-8", "gb18030", …)
    removed: tuple[str, ...] = ()  # one description per kind of removal, as warned


def read_document(path: str | Path) -> Document:
    """Read, decode and clean the document at ``path``; raise `InputError` if unusable."""
    p = Path(path)
    data = _read_bytes(p)
    text, encoding = decode(data, p)
    if not text.strip():
        raise InputError(f"{p}: the file is empty")
    head = text[:100_000]
    if len(_CONTROL.findall(head)) > len(head) // 100:  # a few stray ones are cleaned later
        raise InputError(f"{p}: binary data (control characters), not a text document")
    doc = clean(text, encoding)
    if not _CJK.search(doc.text):
        raise InputError(f"{p}: no Chinese text found (is this the right file?)")
    log.debug("%s: %d bytes read as %s, %d characters of clean text", p, len(data), encoding, len(doc.text))
    for note in doc.removed:
        log.warning(note)
    return doc


def clean(text: str, encoding: str = "utf-8") -> Document:
    """The text-only part of `read_document` (no file, no logging)."""
    removed: list[str] = []
    text, note = strip_html(text)
    removed += note
    text, note = strip_unreadable(normalize(text))
    removed += note
    raw = text.split("\n")
    lines, notes = strip_boilerplate([tidy_spaces(line) for line in raw])
    removed += notes
    lines, notes = drop_repeats(lines)
    removed += notes
    lines, notes = unwrap(lines, raw)
    removed += notes
    return Document("\n".join(line for line in lines if line), encoding, tuple(removed))


# --- bytes -----------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.epub)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"%PDF", "a PDF file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc/.xls)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"ID3", "an MP3 file"),
    (b"RIFF", "a RIFF (WAV/AVI/WebP) file"),
)
_BOMS = (  # (byte-order mark, codec, name we report)
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-bom"),
    (b"\xff\xfe", "utf-16", "utf-16-le"),
    (b"\xfe\xff", "utf-16", "utf-16-be"),
)


def _read_bytes(p: Path) -> bytes:
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a text file")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    return data


def decode(data: bytes, p: Path) -> tuple[str, str]:
    """Decode ``data`` (UTF-8 with or without BOM, UTF-16, GB18030/GBK, …) or raise."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _strict(data, codec, p), name
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{p}: this is {what}, not a text document")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        # GB18030 or UTF-16 fail on their first non-ASCII character; a long valid
        # prefix with Chinese in it means a UTF-8 file with a damaged byte.
        if len(_CJK.findall(data[: e.start].decode("utf-8"))) >= 20:
            raise InputError(f"{p}: not valid UTF-8 at byte {e.start} (the file is damaged)") from None
    guess = _utf16_without_bom(data)
    if guess is None:
        if b"\x00" in data:
            raise InputError(f"{p}: binary data (NUL bytes), not a text document")
        # Only encodings a Chinese document comes in: asked about anything, the detector
        # happily reads garbage as EBCDIC or Latin-1.
        import charset_normalizer  # imported late: only non-UTF-8 input needs it

        match = charset_normalizer.from_bytes(data, cp_isolation=_CHINESE_ENCODINGS).best()
        if match is None:
            raise InputError(f"{p}: cannot decode: not UTF-8, UTF-16, GB18030/GBK or Big5")
        guess = match.encoding
    encoding = "gb18030" if guess in ("gb2312", "gbk", "gb18030", "hz") else guess
    return _strict(data, encoding, p), encoding.replace("_", "-")


_CHINESE_ENCODINGS = ["gb18030", "big5", "utf_16_le", "utf_16_be"]


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: NUL bytes beside ASCII characters (newlines at least).

    Of the two byte orders, the one that reads as mostly Chinese and ASCII text wins.
    """
    if len(data) % 2 or b"\x00" not in data:
        return None
    best, best_score = None, 0.9
    for encoding in ("utf_16_le", "utf_16_be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = len(_PLAIN_TEXT.findall(text)) / len(text)
        if score > best_score:
            best, best_score = encoding, score
    return best


def _strict(data: bytes, encoding: str, p: Path) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        where = f" at byte {e.start}" if isinstance(e, UnicodeDecodeError) else ""
        raise InputError(f"{p}: cannot decode as {encoding}{where} (damaged or mixed encodings)") from None


# --- characters --------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PLAIN_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\n\r\t\x20-\x7e“”‘’—…·―]")

# Full-width digits and Latin letters, and the signs that go with numbers, become
# half-width so the speech layer sees one spelling ("１+１" → "1+1", "２－４" → "2-4").
# Chinese punctuation (，。：；（）“”) stays: it is how the text is shown, and the
# speech layer reads "10.5：43.5" as a ratio from the full-width colon.
_WIDTH = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_WIDTH.update({ord("％"): "%", ord("＋"): "+", ord("－"): "-", 0xA0: " ", ord("\t"): " "})
_FULL_STOP_IN_NUMBER = re.compile(r"(?<=\d)．(?=\d)")
_SPACES = re.compile("[ \u3000]{2,}|\u3000")

_HTML_TAG = re.compile(r"</?(?:p|br|div|span|strong|b|i|em|font|img|a|table|tr|td|h[1-6]|li|ul|ol)\b[^<>\n]{0,300}>", re.I)
_HTML_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li|tr)>", re.I)
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")


def strip_html(text: str) -> tuple[str, list[str]]:
    """Text pasted from a web page's source: tags out (paragraph ends kept), entities decoded."""
    notes = []
    tags = len(_HTML_TAG.findall(text))
    if tags:
        text = _HTML_TAG.sub("", _HTML_BREAK.sub("\n", text))
        notes.append(f"removed {tags} HTML tags")
    if _HTML_ENTITY.search(text):
        text = html.unescape(text)
    return text, notes


def normalize(text: str) -> str:
    """Unify line ends and the width of digits, letters and number signs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _FULL_STOP_IN_NUMBER.sub(".", text.translate(_WIDTH))


def tidy_spaces(line: str) -> str:
    """Strip a line (indents are layout) and collapse inner spaces to one."""
    return _SPACES.sub(" ", line.strip(" \u3000"))


# Symbols a voice can read (units, numero) are kept; pictographs, dingbats, bullets,
# emoji and invisible format characters are not.
_READABLE_SYMBOLS = set("℃℉№°©®™") | {chr(c) for c in range(0x3300, 0x3400)}
_EMOJI_PARTS = {0x200D, 0x20E3} | set(range(0xFE00, 0xFE10)) | set(range(0x1F3FB, 0x1F400))


def _unreadable(ch: str) -> bool:
    if ch == "\n" or ch in _READABLE_SYMBOLS:
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
            # a word of Latin letters broken at a space gets its space back
            out[-1] += " " + line if raw[n - 1].endswith(" ") else line
            joined += 1
        else:
            out.append(line)
    if not joined:
        return lines, []
    return out, [f"removed {joined} line breaks inside paragraphs (the text was wrapped at a fixed width)"]
