"""Atomic file writes: a reader (or a killed build) never sees a half-written file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .errors import OutputError


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once, at import: os.umask can only be read by setting it, which would race with
# threads creating files later.
_UMASK = _read_umask()
CHECKERS = min(4, os.cpu_count() or 1)  # threads that read and hash files to verify them
# A temporary file is ".<stem>.<8 random characters>.part<suffix>" (mkstemp's names):
# hidden, and recognizably ours.
_LEFTOVER = re.compile(r"\..*\.[a-z0-9_]{8}\.part(\.[^.]+)?")


def remove_leftovers(folder: Path) -> int:
    """Delete the temporary files that killed writers left under ``folder``; how many.

    Only safe while no one else writes there (a build holds the folder's lock)."""
    leftovers = [p for p in folder.rglob(".*.part*") if _LEFTOVER.fullmatch(p.name) and p.is_file()]
    for path in leftovers:
        path.unlink(missing_ok=True)
    return len(leftovers)


@dataclass(frozen=True)
class Stamp:
    """What a file held when it was made: a build checks a file against it before reusing
    it, so a file cut short, overwritten or damaged on disk is made again."""

    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> "Stamp":
        with path.open("rb") as f:
            return cls(os.fstat(f.fileno()).st_size, hashlib.file_digest(f, "sha256").hexdigest())

    def matches(self, path: Path) -> bool:
        """Whether ``path`` still holds exactly what it held (a missing file does not);
        the size is compared first, so a truncated file costs no reading."""
        try:
            return path.stat().st_size == self.size and Stamp.of(path) == self
        except OSError:
            return False

    @staticmethod
    def all_match(files: Sequence[tuple[Path, "Stamp"]]) -> list[bool]:
        """`matches` for each (path, stamp): on a few threads, as reading and hashing release
        the GIL (a rebuild with nothing to do checks a book's hundreds of MB of audio)."""
        with ThreadPoolExecutor(max_workers=CHECKERS, thread_name_prefix="stamp-check") as pool:
            return list(pool.map(lambda item: item[1].matches(item[0]), files))


def kept_result(marker: Path, digest: str, files: Sequence[Path]) -> list[str] | None:
    """What `keep_result` noted beside ``files`` when it made them from ``digest``, if that is
    what they are made from now and each still holds what was written; else None (make them)."""
    try:
        fields = marker.read_text(encoding="utf-8").split("\n")
        kept, stamps, extra = fields[0], fields[1 : 1 + len(files)], fields[1 + len(files) :]
        if kept != digest or len(stamps) != len(files):
            return None
        for path, line in zip(files, stamps):
            size, sha = line.split()
            if not Stamp(int(size), sha).matches(path):
                return None
        return extra
    except (OSError, ValueError, UnicodeDecodeError):
        return None  # no marker, or not ours


def keep_result(marker: Path, digest: str, files: Sequence[Path], extra: Sequence[str] = ()) -> None:
    """Note beside ``files`` (just written) the digest of their inputs, their stamps and
    ``extra`` lines, so that the next build can reuse them (see `kept_result`)."""
    stamps = [Stamp.of(path) for path in files]
    write_text_if_changed(marker, "\n".join([digest, *(f"{st.size} {st.sha256}" for st in stamps), *extra]))


def check_writable(folder: Path) -> None:
    """OutputError unless files can be created in the existing ``folder`` (a read-only disk,
    no permission): a build checks before its work, not after minutes of synthesis."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise OutputError(f"cannot write into {folder}: {e.strerror or e}") from None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    The temporary file sits in the same folder (same filesystem, so the rename is
    atomic) and carries the final suffix, so tools that look at extensions (ffmpeg)
    work on it.
    """
    final = Path(path)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}.", suffix=f".part{final.suffix}")
        # mkstemp makes the file private (0600); an output is an ordinary file (0666 less umask).
        os.fchmod(fd, 0o666 & ~_UMASK)
        os.close(fd)
    except OSError as e:
        raise OutputError(f"cannot write {final}: {e.strerror or e}") from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    except OSError as e:
        tmp_path.unlink(missing_ok=True)
        raise OutputError(f"cannot write {final}: {e.strerror or e}") from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes_if_changed(path: str | os.PathLike[str], data: bytes) -> bool:
    """Write ``data`` unless the file already holds exactly it; True when written.

    An unchanged output keeps its modification time, so incremental builds, sync tools
    and players that watch files see no change.
    """
    try:
        if Path(path).read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes(path, data)
    return True


def write_text_if_changed(path: str | os.PathLike[str], text: str) -> bool:
    """`write_bytes_if_changed` for UTF-8 text (compared byte for byte, so line ends count)."""
    return write_bytes_if_changed(path, text.encode("utf-8"))


def write_pieces_if_changed(path: str | os.PathLike[str], pieces: Callable[[], Iterable[str]]) -> bool:
    """`write_text_if_changed` for a text that ``pieces()`` gives piece by piece (the same
    each call), never held whole: compared by its digest, written in a second pass. For a
    text that grows with the book (the audio manifest of a 3-hour chapter is megabytes,
    and held whole, with its encoded copy and the old file's, it cost 12 MB)."""
    digest, size = hashlib.sha256(), 0
    for piece in pieces():
        data = piece.encode("utf-8")
        digest.update(data)
        size += len(data)
    if Stamp(size, digest.hexdigest()).matches(Path(path)):
        return False
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        for piece in pieces():
            f.write(piece.encode("utf-8"))
    return True
