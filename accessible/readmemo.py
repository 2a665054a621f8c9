"""The book as read (ingest, segment, speech), kept between builds of the same input.

Reading a report is seconds of work a rebuild with nothing changed should not redo:
loading jieba's dictionary alone takes a second or two. The memo is one JSON file per
input path under ``<out>/.read/``, holding the `Book` and the hash of everything it was
read from: the input's bytes, the title asked for, the lexicon files, and the code and
data of the reading stages themselves (so a new rule or table is never hidden by an old
memo). Anything that does not match, or a memo that cannot be parsed, means the book is
read again; the memo is data, never code (JSON into typed dataclasses).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import types
import typing
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import OutputError
from .fsio import write_text
from .model import Book

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


def _key(source: Path, title: str | None, lexicons: Sequence[Path]) -> str:
    h = hashlib.sha256(code_digest().encode())
    for part in (source, *lexicons):
        h.update(Path(part).read_bytes() + b"\0")
    h.update(json.dumps(title).encode())
    return h.hexdigest()


def _memo_path(out_dir: Path, source: Path) -> Path:
    return out_dir / ".read" / f"{hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:24]}.json"


def _to_data(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_to_data(v) for v in value]
    return value


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

        return dataclass
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])

            def sequence(data: Any) -> Any:
                if type(data) is not list:
                    raise TypeError("not a list")
                return tuple(map(item, data))

            return sequence
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


def read_once(
    source: Path, title: str | None, lexicons: Sequence[Path], out_dir: Path, read: Callable[[], Book]
) -> tuple[Book, bool]:
    """The book ``read()`` gives, from the memo when its inputs are unchanged; and whether
    it came from the memo. A fresh reading is kept for the next build."""
    try:
        key = _key(source, title, lexicons)
    except OSError:
        return read(), False  # the reading stages name the unreadable file
    path = _memo_path(out_dir, source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("key") == key:
            return _decoder(Book)(data["book"]), True
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, StopIteration) as e:
        log.debug("%s: not usable (%s); reading the book again", path, e)
    book = read()
    try:
        write_text(path, json.dumps({"key": key, "book": _to_data(book)}, ensure_ascii=False, separators=(",", ":")))
    except OutputError as e:
        log.debug("%s", e)  # only a saving lost; the build itself says why it cannot write there
    return book, False
