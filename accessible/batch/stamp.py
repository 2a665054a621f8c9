"""Whether a book of a batch is up to date, known without reading the book again.

When a book is built the batch leaves a stamp beside its book folder
(``OUT/<name>/.batch-stamp.json``, outside the folder `build` makes, so the book's
files stay exactly `build`'s): the digest of the input file, of the settings (the voice
profiles with their engine's identity, the lexicons, sync, formats) and of accessible's
own code, and the size and modification time of every file of the book. A rerun skips a
book whose stamp still matches all of that; any other book is built again, which the
clip cache and `build`'s own records make cheap when little changed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..fsio import write_text
from ..pipeline import BuildSummary
from ..voices import Voice
from .jobs import Settings

NAME = ".batch-stamp.json"
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stamp:
    input: str  # sha256 of the input file
    settings: str  # see `settings_digest`
    book: str  # the book folder's name, in OUT/<name>/
    title: str
    duration: float  # seconds of audio
    files: dict[str, tuple[int, int]]  # each file of the book (relative to it) -> (size, mtime in ns)


def file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@functools.cache
def code_digest() -> str:
    """sha256 over accessible's own files (code and data), so a new version builds anew."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _voice(voice: Voice | None) -> object:
    if voice is None:
        return None
    from ..engines import engine_for

    fields = dataclasses.asdict(voice)
    fields.update(source=None, lexicon=file_digest(voice.lexicon) if voice.lexicon else None)
    return [fields, engine_for(voice).identity()]


def settings_digest(settings: Settings) -> str:
    """Everything besides the input that makes a batch's book what it is."""
    content = {
        "code": code_digest(),
        "voice": _voice(settings.voice),
        "fallback": _voice(settings.fallback),
        "lexicon": file_digest(settings.lexicon) if settings.lexicon else None,
        "sync": settings.sync,
        "ruby": settings.ruby,
        "formats": sorted(settings.formats),
        "braille": dataclasses.asdict(settings.braille) if settings.braille else None,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _files(folder: Path, names: tuple[Path, ...]) -> dict[str, tuple[int, int]] | None:
    found = {}
    for name in names:
        try:
            stat = (folder / name).stat()
        except OSError:
            return None
        found[name.as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def made(summary: BuildSummary, input_digest: str, settings: str) -> Stamp:
    files = _files(summary.folder, summary.files) or {}
    return Stamp(input_digest, settings, summary.folder.name, summary.title, summary.duration, files)


def save(out_dir: Path, stamp: Stamp) -> None:
    data = {"format": FORMAT, **dataclasses.asdict(stamp)}
    write_text(out_dir / NAME, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def current(out_dir: Path, input_digest: str, settings: str) -> Stamp | None:
    """The stamp in ``out_dir`` if the book there is up to date, else None."""
    try:
        data = json.loads((out_dir / NAME).read_text(encoding="utf-8"))
        if data.pop("format") != FORMAT:
            return None
        stamp = Stamp(**{**data, "files": {k: (int(v[0]), int(v[1])) for k, v in data["files"].items()}})
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # absent or unreadable: the book is simply built again
    if (stamp.input, stamp.settings) != (input_digest, settings) or not stamp.files:
        return None
    names = tuple(Path(name) for name in stamp.files)
    return stamp if _files(out_dir / stamp.book, names) == stamp.files else None
