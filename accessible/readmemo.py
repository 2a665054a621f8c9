"""The book as read (ingest, segment, speech), kept between builds of the same input.

Reading a report is seconds of work a rebuild should not redo: loading jieba's and
pypinyin's dictionaries alone takes two or three. The memo is one JSON file per input
path under ``<out>/.read/``, holding the `Book` and two hashes: of everything the book
was read from (the input's bytes, the title asked for, the lexicon files, and the code
and data of the reading stages themselves, so a new rule or table is never hidden by an
old memo), and of what a sentence's reading depends on besides its own text (the
lexicons, that code and data). When the first matches, the book is the memo's. When only
the second does (the input was edited), the input is segmented again (fast, no
dictionary) and every sentence whose text the memo holds keeps its words and reading;
only new texts are read. A sentence's words and reading are a function of its text
alone (`segment.word_spans`, `speech.read_texts`), so the book is the one a fresh
reading gives (tests/test_readmemo.py). A memo that does not parse means reading again;
it is data, never code (JSON into typed dataclasses).

New texts are read in a short-lived child process: the speech layer's dictionaries
(jieba, pypinyin's phrase tables: ~150 MB) then never sit in the build's memory beside
the voice model, and the build can prepare the voice while the child reads (``meanwhile``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import operator
import os
import pickle
import subprocess
import sys
import types
import typing
from importlib import metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import AccessibleError, OutputError
from .fsio import write_text
from .model import Book, Reading, Span

log = logging.getLogger("accessible")

_PACKAGE = Path(__file__).resolve().parent
# What reading a book depends on besides its inputs: these modules, their data, and the
# libraries they call.
_CODE = ("inputs", "speech", "segment.py", "jiebadict.py", "model.py", "readmemo.py", "voices.py")
_LIBRARIES = ("jieba", "pypinyin", "opencc", "charset-normalizer", "pdfplumber", "pdfminer.six", "python-docx", "lxml")

@functools.cache
def code_digest() -> str:
    """A hash of the reading stages' code and data, and the versions of the libraries they use."""
    h = hashlib.sha256()
    for name in _CODE:
        path = _PACKAGE / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                h.update(file.relative_to(_PACKAGE).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    for library in _LIBRARIES:
        try:
            h.update(f"{library} {metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{library} -\0".encode())
    return h.hexdigest()


def _digest(parts: Sequence[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _keys(source: Path, title: str | None, lexicons: Sequence[Path]) -> tuple[str, str]:
    """(the whole book's key, the key of what a sentence's reading depends on besides its text)."""
    sentence = _digest([code_digest().encode(), *(Path(p).read_bytes() for p in lexicons)])
    return _digest([sentence.encode(), source.read_bytes(), json.dumps(title).encode()]), sentence


def _memo_path(out_dir: Path, source: Path) -> Path:
    return out_dir / ".read" / f"{hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:24]}.json"


def _fields(value: object) -> dict[str, Any]:
    """A dataclass as a JSON object (the encoder's ``default``: it writes tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"{type(value).__name__} is not kept in the memo")


def _plain(kind: type) -> Callable[[Any], Any]:
    def check(data: Any) -> Any:
        if type(data) is not kind and not (kind is float and type(data) is int):
            raise TypeError(f"{data!r} is not {kind.__name__}")
        return data

    return check


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """A function that turns JSON data into ``kind`` (a dataclass, tuple, optional, literal
    or plain type), raising TypeError where the data does not fit. Made once per type."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(kind))
        cls = kind

        def dataclass(data: Any) -> Any:
            if type(data) is not dict:
                raise TypeError(f"{cls.__name__}: not an object")
            return cls(**{name: decode(data[name]) for name, decode in fields if name in data})

        names = tuple(name for name, _ in fields)

        def complete(data: Any) -> Any:
            # Every field present (what `_fields` writes): positional, the fast way.
            if type(data) is not dict or len(data) != len(fields) or not all(map(data.__contains__, names)):
                return dataclass(data)
            return cls(*[decode(data[name]) for name, decode in fields])

        return complete
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])

            def sequence(data: Any) -> Any:
                if type(data) is not list:
                    raise TypeError("not a list")
                return tuple(map(item, data))

            return sequence
        if all(a in (str, int, bool) for a in args):  # spans: most of a book's data, checked in one pass
            kinds = args

            def exact(data: Any) -> Any:
                if type(data) is not list or len(data) != len(kinds) or not all(map(operator.is_, map(type, data), kinds)):
                    raise TypeError(f"{data!r} is not a list of {len(kinds)} {', '.join(k.__name__ for k in kinds)}")
                return tuple(data)

            return exact
        items = tuple(_decoder(a) for a in args)

        def fixed(data: Any) -> Any:
            if type(data) is not list or len(data) != len(items):
                raise TypeError(f"not a list of {len(items)}")
            return tuple(decode(v) for decode, v in zip(items, data))

        return fixed
    if origin in (typing.Union, types.UnionType) and type(None) in args and len(args) == 2:
        inner = _decoder(next(a for a in args if a is not type(None)))
        return lambda data: None if data is None else inner(data)
    if origin is typing.Literal:

        def literal(data: Any) -> Any:
            if data not in args:
                raise TypeError(f"{data!r} is not one of {args}")
            return data

        return literal
    if kind in (str, int, float, bool):
        return _plain(kind)
    raise TypeError(f"no decoder for {kind!r}")


Words = tuple[Span, ...]


@dataclass(frozen=True)
class _Said:
    """What reading gives a sentence text: its words and its reading."""

    words: Words
    reading: Reading


def read_once(
    source: Path, title: str | None, lexicons: Sequence[Path], out_dir: Path, *, meanwhile: Callable[[], None] | None = None
) -> tuple[Book, int]:
    """The book at ``source`` as read (segmented, every sentence with its words and reading),
    and how many distinct sentence texts were read in this call (0: all from the memo).
    ``meanwhile`` runs while a child process reads the new texts (not at all when there are
    none). The result is kept for the next call."""
    try:
        key, sentence_key = _keys(source, title, lexicons)
    except OSError:
        key = sentence_key = ""  # the reading stages name the unreadable file
    path = _memo_path(out_dir, source)
    memo = _load(path)
    if key and memo.get("key") == key:
        kept = _decoded(path, memo)
        if kept is not None:
            return _filled(*kept), 0
    from .segment import load_book

    book = load_book(source, title, words=False)
    kept = _decoded(path, memo) if sentence_key and memo.get("sentence_key") == sentence_key else None
    said = kept[1] if kept is not None else {}
    new = sorted({s.text for s in book.sentences()} - said.keys())
    if new:
        said |= _read_in_child(new, lexicons, meanwhile)
    if key:
        # Each text's reading once (a report repeats few sentences; a synthetic chapter many),
        # beside the book's structure.
        texts = {s.text for s in book.sentences()}
        data = {"key": key, "sentence_key": sentence_key, "book": book, "said": {t: said[t] for t in sorted(texts)}}
        try:
            write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_fields))
        except OutputError as e:
            log.debug("%s", e)  # only a saving lost; the build itself says why it cannot write there
    return _filled(book, said), len(new)


def _filled(book: Book, said: dict[str, _Said]) -> Book:
    return book.map_sentences(lambda s: dataclasses.replace(s, words=said[s.text].words, reading=said[s.text].reading))


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        log.debug("%s: not usable (%s); reading the book again", path, e)
        return {}
    return data if isinstance(data, dict) else {}


def _decoded(path: Path, memo: dict[str, Any]) -> tuple[Book, dict[str, _Said]] | None:
    """The memo's book (its sentences without words and readings) and each text's reading."""
    try:
        book: Book = _decoder(Book)(memo["book"])
        said_of = _decoder(_Said)
        said = memo["said"]
        if type(said) is not dict:
            raise TypeError("'said' is not an object")
        kept = {text: said_of(value) for text, value in said.items()}
        if any(s.text not in kept for s in book.sentences()):
            raise KeyError("a sentence's reading")
        return book, kept
    except (ValueError, KeyError, TypeError) as e:
        log.debug("%s: not usable (%s); reading the book again", path, e)
        return None


def _read_in_child(texts: list[str], lexicons: Sequence[Path], meanwhile: Callable[[], None] | None) -> dict[str, _Said]:
    """`_read_texts` in a child process (`python -m accessible.readmemo`: a fork would copy
    the parent, threads and all; multiprocessing's spawn would run the caller's script
    again); its log records are replayed here, its errors (a bad lexicon) raised here."""
    paths = [str(_PACKAGE.parent), *filter(None, [os.environ.get("PYTHONPATH")])]
    child = subprocess.Popen(
        [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    with child.stdin:
        child.stdin.write(pickle.dumps((texts, [str(p) for p in lexicons], log.getEffectiveLevel())))
    if meanwhile is not None:
        meanwhile()
    with child.stdout:
        answer = child.stdout.read()
    if child.wait():
        raise RuntimeError(f"reading the text failed in its child process (exit code {child.returncode}; see above)")
    result, records = pickle.loads(answer)  # our own child's answer, never outside data
    for record in records:
        log.handle(record)
    if isinstance(result, AccessibleError):
        raise result
    readings: dict[str, _Said] = result
    return readings


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info = record.getMessage(), None, None  # plain data, to be pickled
        self.records.append(record)


def _read_texts(texts: list[str], lexicons: list[str]) -> dict[str, _Said]:
    """Each text's jieba words and reading."""
    from .segment import word_spans
    from .speech import load_lexicon, read_texts

    lexicon = load_lexicon(*map(Path, lexicons)) if lexicons else None
    readings = read_texts(texts, lexicon)
    return {text: _Said(word_spans(text), readings[text]) for text in texts}


def _child() -> None:
    """The child's side of `_read_in_child`: a request on stdin, (result or error, log records) on stdout."""
    texts, lexicons, level = pickle.loads(sys.stdin.buffer.read())
    kept = _Kept()
    log.addHandler(kept)
    log.setLevel(level)
    log.propagate = False
    result: object
    try:
        result = _read_texts(texts, lexicons)
    except AccessibleError as e:
        result = e
    sys.stdout.buffer.write(pickle.dumps((result, kept.records)))


if __name__ == "__main__":
    # Run as the package's module, not as __main__, so what it pickles names accessible.readmemo.
    from accessible.readmemo import _child as child

    child()
