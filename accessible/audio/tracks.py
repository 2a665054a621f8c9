"""The audio manifest: what each built chapter file holds, so a rebuild can reuse it.

``audio/manifest.json`` records, per chapter, the hash of everything that went into its
files (clips, text, pauses, tags, loudness target, encoder settings), the `ChapterTrack`
(sentence placements, counted in samples: see assemble.py; packed, as it holds them), its chapter marks, the gain
applied, its parts (what each is made of, its loudness blocks, the gain it was encoded
with) and the size and hash of each file as it was written; the same for the M4B. Nothing
on disk is reused on trust: a file that no longer matches (cut short, damaged, replaced,
deleted) is made again: a part, the chapter file joined from the parts, or the M4B.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import logging
from array import array
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

import numpy as np

from ..fsio import Stamp, write_pieces_if_changed
from ..layout import Layout
from ..model import ChapterTrack, Placements
from .tags import Mark

log = logging.getLogger("accessible")

FORMAT = 5


@dataclass(frozen=True)
class PartEntry:
    key: str  # hash of what the part's PCM is made of (clips, pauses; see audiobook.py)
    samples: int
    # Its 400 ms blocks' K-weighted mean squares (loudness.py), as float32 in base64: an
    # hour of audio is 36,000 blocks, which as JSON numbers made every save cost seconds.
    energies: str
    gain_db: float  # the gain it was encoded with
    files: tuple[str, str]  # its MP3 and AAC, relative to the book folder (stamped in the chapter's entry)


def pack_energies(energies: Sequence[float]) -> str:
    return base64.b64encode(np.asarray(energies, dtype="<f4").tobytes()).decode("ascii")


def unpack_energies(packed: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(packed, validate=True), dtype="<f4")


# A track's placements are kept packed (`Placements`), and so written: little-endian, base64.
_DTYPES = {"d": "<f8", "q": "<i8", "i": "<i4"}


def _pack_array(values: object) -> str:
    if not isinstance(values, array):
        raise TypeError(f"{type(values).__name__} is not JSON")
    return base64.b64encode(np.asarray(values).astype(_DTYPES[values.typecode], copy=False).tobytes()).decode("ascii")


def _unpack_array(packed: object, typecode: str) -> array[Any]:
    if not isinstance(packed, str):
        raise TypeError(f"{packed!r} is not packed numbers")
    raw = np.frombuffer(base64.b64decode(packed, validate=True), dtype=_DTYPES[typecode])
    return array(typecode, raw.astype(raw.dtype.newbyteorder("="), copy=False).tobytes())


@dataclass(frozen=True)
class ChapterEntry:
    key: str  # hash of the chapter's inputs
    track: ChapterTrack
    sample_rate: int
    gain_db: float  # the chapter's loudness gain (the M4B applies it again)
    loudness: float  # LUFS the chapter was normalized to (measured on its PCM before encoding)
    marks: tuple[Mark, ...]
    files: tuple[str, ...]  # every file of the chapter (its MP3, its parts'), relative to the book folder
    parts: tuple[PartEntry, ...] = ()
    stamps: tuple[Stamp, ...] = ()  # what each of `files` held when written

    def stamped(self, root: Path) -> "ChapterEntry":
        """This entry with its files' stamps taken now (they were just written)."""
        return replace(self, stamps=tuple(Stamp.of(root / f) for f in self.files))

    def damaged(self, root: Path) -> list[str]:
        """The files (relative paths) that are gone or no longer hold what was written."""
        if len(self.stamps) != len(self.files):
            return list(self.files)
        intact = Stamp.all_match([(root / f, stamp) for f, stamp in zip(self.files, self.stamps)])
        return [f for f, ok in zip(self.files, intact) if not ok]


@dataclass
class Manifest:
    chapters: dict[str, ChapterEntry] = field(default_factory=dict)
    book_key: str = ""  # hash of the chapter keys and book tags the M4B was made from
    m4b: Stamp | None = None  # what the M4B held when written

    @staticmethod
    def path(layout: Layout) -> Path:
        return layout.audio_dir / "manifest.json"

    @classmethod
    def load(cls, layout: Layout) -> "Manifest":
        path = cls.path(layout)
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            if data.get("format") != FORMAT:  # an older build's: no warning, it is simply redone
                return cls()
            chapters = data["chapters"]
            if not isinstance(chapters, dict):
                raise TypeError("'chapters' is not a mapping")
            m4b = _stamp(data["m4b"]) if data.get("m4b") is not None else None
            return cls({cid: _entry(e) for cid, e in chapters.items()}, str(data.get("book_key", "")), m4b)
        except (OSError, ValueError, KeyError, TypeError) as e:
            # Losing the manifest only costs a re-encode: warn and start afresh.
            log.warning("%s is unreadable (%s); every chapter will be encoded again", path, e)
            return cls()

    def save(self, layout: Layout) -> None:
        data = {
            "format": FORMAT,
            "book_key": self.book_key,
            "m4b": asdict(self.m4b) if self.m4b else None,
            "chapters": {cid: asdict(e) for cid, e in self.chapters.items()},
        }
        # Compact, and written piece by piece: a long chapter's manifest is megabytes (json's
        # C encoder, which only runs on a whole text, is not needed: the bulk of it, the
        # placements and loudness blocks, are packed strings).
        encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_pack_array)
        write_pieces_if_changed(self.path(layout), lambda: itertools.chain(encoder.iterencode(data), ("\n",)))


def _inside(path: object) -> str:
    """A path of the manifest, which must stay inside the book folder: the build reads and
    deletes the files it names."""
    parts = PurePosixPath(str(path)).parts
    if not parts or parts[0] == "/" or ".." in parts:
        raise ValueError(f"{path!r} is not a path inside the book folder")
    return str(path)


def _track(d: dict[str, Any]) -> ChapterTrack:
    return ChapterTrack(
        chapter_id=d["chapter_id"],
        title=d["title"],
        path=_inside(d["path"]),
        duration=d["duration"],
        sentences=_placements(d["sentences"]),
    )


def _placements(d: dict[str, Any]) -> Placements:
    ids = d["ids"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise TypeError("sentence ids are not a list of strings")
    spans, bounds, times, texts = (_unpack_array(d[k], c) for k, c in (("spans", "d"), ("bounds", "q"), ("times", "d"), ("texts", "i")))
    return Placements(tuple(ids), spans, bounds, times, texts)


def _entry(d: dict[str, Any]) -> ChapterEntry:
    return ChapterEntry(
        key=d["key"],
        track=_track(d["track"]),
        sample_rate=d["sample_rate"],
        gain_db=d["gain_db"],
        loudness=d["loudness"],
        marks=tuple(Mark(**m) for m in d["marks"]),
        files=tuple(_inside(f) for f in d["files"]),
        parts=tuple(_part(p) for p in d["parts"]),
        stamps=tuple(_stamp(s) for s in d["stamps"]),
    )


def _part(d: dict[str, Any]) -> PartEntry:
    mp3, aac = (_inside(f) for f in d["files"])
    part = PartEntry(str(d["key"]), int(d["samples"]), str(d["energies"]), float(d["gain_db"]), (mp3, aac))
    try:
        unpack_energies(part.energies)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"a part's loudness blocks are damaged ({e})") from None
    return part


def _stamp(d: dict[str, Any]) -> Stamp:
    if not isinstance(d["size"], int) or not isinstance(d["sha256"], str):
        raise TypeError(f"{d!r} is not a file stamp")
    return Stamp(d["size"], d["sha256"])

