"""A braille edition of the book, from the reading the voice uses.

Chinese braille is phonetic, so it is only as right as its syllables: each Han
character is written with the syllable the speech layer decided (polyphones fixed,
in citation tone), numbers, letters and punctuation from the original text. Common
braille (国家通用盲文, GF 0019-2018: tones written, one per initial omitted) by
default, current braille (现行盲文, no tones) on request. Writes
``braille/<book>.brf`` (embossers), ``.pef`` (PEF 1.0) and ``.txt`` (Unicode braille
for displays), each only when its content changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import OutputError
from ...fsio import keep_result, kept_result, write_text_if_changed
from ...layout import Layout
from ...model import Book, Sentence
from ...readmemo import code_digest
from .cells import BLANK
from .formats import brf, pef, txt
from .pages import MAX_CELLS, MAX_LINES, MIN_CELLS, MIN_LINES, Block, Chapter, centred, fill, paginate
from .syllable import SYSTEMS, System
from .translate import Word, translate

__all__ = ["BrailleOptions", "BrailleResult", "SYSTEMS", "System", "braille_pages", "braille_text", "write_braille"]

SYSTEM_NAMES = {"common": "国家通用盲文", "current": "现行盲文"}


@dataclass(frozen=True)
class BrailleOptions:
    system: System = "common"
    cells: int = 40  # per line
    lines: int = 25  # per page, the page-number line included
    volume_pages: int = 120  # a PEF volume holds at most this many pages (whole chapters)

    def __post_init__(self) -> None:
        if self.system not in SYSTEMS:
            raise OutputError(f"unknown braille system {self.system!r}; use one of {', '.join(SYSTEMS)}")
        if not MIN_CELLS <= self.cells <= MAX_CELLS:
            raise OutputError(f"--cells {self.cells}: a braille line holds {MIN_CELLS} to {MAX_CELLS} cells")
        if not MIN_LINES <= self.lines <= MAX_LINES:
            raise OutputError(f"--lines {self.lines}: a braille page holds {MIN_LINES} to {MAX_LINES} lines")
        if self.volume_pages < 1:
            raise OutputError("a braille volume holds at least one page")


@dataclass(frozen=True)
class BrailleResult:
    files: tuple[Path, ...]  # .brf, .pef, .txt
    written: tuple[Path, ...] = field(default=())  # those whose content changed
    pages: int = 0


def _words(sentences: list[Sentence], system: System) -> tuple[Word, ...]:
    return tuple(w for s in sentences for w in translate(s, system))


def _front_text(book: Book, system: System) -> list[tuple[Word, ...]]:
    """Title, date and the system's name, read by the speech layer (they are no sentences)."""
    from ...speech import read_sentence

    texts = [book.title, book.author]
    if book.date:
        year, month, day = (int(part) for part in book.date.split("-"))
        texts.append(f"{year}年{month}月{day}日")
    texts.append(SYSTEM_NAMES[system])
    return [translate(Sentence("title", t, reading=read_sentence(t)), system) for t in texts if t]


def _chapters(book: Book, system: System) -> list[tuple[str, list[Block]]]:
    out = []
    for chapter in book.chapters:
        blocks: list[Block] = []
        if chapter.heading:
            blocks.append(Block("chapter", _words([chapter.heading], system)))
        for section in chapter.sections:
            if section.heading:
                blocks.append(Block("section", _words([section.heading], system)))
            blocks.extend(Block("paragraph", _words(list(p.sentences), system)) for p in section.paragraphs)
        if blocks:
            out.append((chapter.title, blocks))
    return out


def braille_pages(book: Book, options: BrailleOptions = BrailleOptions()) -> tuple[Chapter, ...]:
    """The paginated edition: the title page, then each chapter's pages."""
    return _pages(_front_text(book, options.system), _chapters(book, options.system), options)


def braille_text(book: Book, system: System = "common") -> str:
    """The edition in Unicode braille, one heading or paragraph per line, unpaginated."""
    return _text(_front_text(book, system), _chapters(book, system))


def _pages(front: list[tuple[Word, ...]], chapters: list[tuple[str, list[Block]]], options: BrailleOptions) -> tuple[Chapter, ...]:
    title_rows: list[str] = []
    for words in front:
        title_rows += centred(fill(words, options.cells), options.cells) + [""]
    return paginate(title_rows[:-1], chapters, options.cells, options.lines)


def _line(words: tuple[Word, ...]) -> str:
    return BLANK.join("".join(p.cells for p in w) for w in words)


def _text(front: list[tuple[Word, ...]], chapters: list[tuple[str, list[Block]]]) -> str:
    lines = [_line(words) for words in front]
    for _, blocks in chapters:
        lines += ["", *(_line(block.words) for block in blocks)]
    return txt(lines)


def write_braille(book: Book, layout: Layout, options: BrailleOptions = BrailleOptions()) -> BrailleResult:
    """Write the braille edition under ``layout.braille_dir``; unchanged files stay untouched."""
    if any(s.reading is None for s in book.sentences()):
        raise OutputError("the braille edition needs the speech stage's readings (read_book) first")
    # Translating takes seconds (the reading's word cutter): not again when nothing the
    # edition is made from changed and its files still hold what was written.
    files = tuple(layout.braille(ext) for ext in ("brf", "pef", "txt"))
    marker = layout.root / ".braille.inputs"
    digest = _digest(book, options)
    kept = kept_result(marker, digest, files)
    if kept is not None and len(kept) == 1 and kept[0].isdigit():
        return BrailleResult(files, (), int(kept[0]))
    front, blocks = _front_text(book, options.system), _chapters(book, options.system)
    chapters = _pages(front, blocks, options)
    contents = {
        layout.braille("brf"): brf(chapters),
        layout.braille("pef"): pef(
            chapters,
            title=book.title,
            language=book.language,
            date=book.date,
            description=f"{SYSTEM_NAMES[options.system]} ({'GF 0019-2018' if options.system == 'common' else 'tones omitted'})",
            cols=options.cells,
            rows=options.lines,
            max_pages=options.volume_pages,
        ),
        layout.braille("txt"): _text(front, blocks),
    }
    written = tuple(path for path, text in contents.items() if write_text_if_changed(path, text))
    pages = sum(len(c.pages) for c in chapters)
    keep_result(marker, digest, files, [str(pages)])
    return BrailleResult(files, written, pages)


def _digest(book: Book, options: BrailleOptions) -> str:
    """Everything the edition is made from: the book as read, the options, and the code and
    data of the braille and reading stages."""
    h = hashlib.sha256(code_digest().encode())
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(repr((book, options)).encode())
    return h.hexdigest()
