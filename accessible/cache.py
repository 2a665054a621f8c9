"""A content-addressed cache of clips: one file per sentence sound.

The key hashes everything that changes a clip: the engine and its identity (model
file hashes, front-end version), the voice's sound settings, and the sentence's text
and reading (spoken form, origin map, pinyin, word boundaries). Same key, same clip:
a rebuild reuses it, an edited sentence gets a new key, and identical sentences share
one clip.

Each clip is one file, written atomically (temporary file + rename), that ends with a
sha256 of everything before it; a file that fails the check (a disk error, a copy cut
short) is reported, removed and counted as missing, so it is simply made again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .fsio import write_bytes
from .model import Clip, Sentence, Timing
from .voices import Voice

log = logging.getLogger("accessible")

MAGIC = b"ACCLIP1\n"
SUFFIX = ".clip"
_HEADER_SIZE = struct.Struct("<I")
_DIGEST_SIZE = 32


def default_dir() -> Path:
    """``$ACCESSIBLE_CACHE_DIR``, else ``~/.cache/accessible/clips``."""
    configured = os.environ.get("ACCESSIBLE_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "accessible" / "clips"


def clip_key(engine_name: str, identity: str, voice: Voice, sentence: Sentence) -> str:
    """The cache key of one sentence's clip; ``identity`` is the engine's, computed once per run."""
    reading = sentence.reading
    content = {
        "engine": engine_name,
        "identity": identity,
        "voice": voice.sound_key(),
        "text": sentence.text,
        "reading": None
        if reading is None
        else [reading.spoken, reading.origin, [(s.pinyin, s.spoken) for s in reading.syllables], reading.words],
    }
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def encode_clip(clip: Clip, key: str = "") -> bytes:
    """The clip file's bytes; with ``key``, the file names the key it was made for."""
    fields: dict[str, object] = {"key": key} if key else {}
    fields |= {"sample_rate": clip.sample_rate, "timings": [[t.start, t.end, t.text_start, t.text_end] for t in clip.timings]}
    header = json.dumps(fields, separators=(",", ":")).encode("utf-8")
    body = MAGIC + _HEADER_SIZE.pack(len(header)) + header + clip.pcm
    return body + hashlib.sha256(body).digest()


def decode_clip(data: bytes, key: str = "") -> Clip:
    """The clip in ``data``; ValueError when the bytes are not an intact clip file, or are
    the file of another key than ``key`` (a file copied or moved under another name)."""
    view = memoryview(data)  # slices of it copy nothing: the audio is copied once, into the clip
    body, digest = view[:-_DIGEST_SIZE], view[-_DIGEST_SIZE:]
    if len(data) < len(MAGIC) + _HEADER_SIZE.size + _DIGEST_SIZE or not data.startswith(MAGIC):
        raise ValueError("not a clip file")
    if hashlib.sha256(body).digest() != digest:
        raise ValueError("checksum mismatch")
    start = len(MAGIC) + _HEADER_SIZE.size
    (size,) = _HEADER_SIZE.unpack_from(body, len(MAGIC))
    header = json.loads(bytes(body[start : start + size]))
    if not isinstance(header, dict):
        raise ValueError("no clip header")
    if key and header.get("key", key) != key:  # files made before keys were written name none
        raise ValueError(f"it holds the clip of key {str(header['key'])[:12]}…")
    timings = tuple(Timing(float(a), float(b), int(c), int(d)) for a, b, c, d in header["timings"])
    return Clip(pcm=bytes(body[start + size :]), sample_rate=int(header["sample_rate"]), timings=timings)


@dataclass(frozen=True)
class CacheStats:
    folder: Path
    clips: int
    bytes: int


class ClipCache:
    """Clips on disk under ``root/<2 hex>/<key>.clip``; safe to share between threads and processes."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_dir()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> Clip | None:
        """The clip stored under ``key``; None when absent or damaged (a damaged file is removed)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as e:
            log.warning("clip cache: cannot read %s (%s); it will be synthesized again", path, e.strerror or e)
            return None
        try:
            return decode_clip(data, key)
        except (ValueError, KeyError, TypeError, struct.error) as e:
            self.discard(key, f"is damaged ({e})")
            return None

    def discard(self, key: str, why: str) -> None:
        """Remove the clip of ``key``, saying ``why`` (it is then synthesized again)."""
        path = self.path(key)
        log.warning("clip cache: %s %s; it will be synthesized again", path, why)
        path.unlink(missing_ok=True)

    def __contains__(self, key: str) -> bool:
        return self.path(key).is_file()

    def put(self, key: str, clip: Clip) -> None:
        write_bytes(self.path(key), encode_clip(clip, key))

    def _files(self) -> Iterator[Path]:
        if self.root.is_dir():
            yield from self.root.glob(f"??/*{SUFFIX}")

    def stats(self) -> CacheStats:
        sizes = [p.stat().st_size for p in self._files()]
        return CacheStats(self.root, len(sizes), sum(sizes))

    def clear(self) -> int:
        """Remove every clip (and nothing else); the number removed."""
        removed = 0
        for path in list(self._files()):
            path.unlink(missing_ok=True)
            removed += 1
        for folder in self.root.glob("??"):
            if folder.is_dir() and not any(folder.iterdir()):
                shutil.rmtree(folder, ignore_errors=True)
        return removed


class CachedClips(Mapping[str, Clip]):
    """Sentence id -> clip, read from the cache on demand (a whole book's audio stays on disk).

    A clip that went missing or was damaged since it was made reads as absent, which
    the audio stage reports as a `ClipError` naming the sentence.
    """

    def __init__(self, cache: ClipCache, keys: Mapping[str, str], recent: int = 32) -> None:
        self._cache = cache
        self._keys = dict(keys)  # sentence id -> clip key
        self._recent: OrderedDict[str, Clip] = OrderedDict()
        self._size = recent
        self._lock = threading.Lock()

    def __getitem__(self, sentence_id: str) -> Clip:
        key = self._keys[sentence_id]
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        clip = self._cache.get(key)
        if clip is None:
            raise KeyError(sentence_id)
        with self._lock:
            self._recent[key] = clip
            while len(self._recent) > self._size:
                self._recent.popitem(last=False)
        return clip

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def key(self, sentence_id: str) -> str:
        return self._keys[sentence_id]
