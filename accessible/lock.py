"""One build per book folder at a time.

Two builds writing one folder interleave their files: an EPUB whose overlays come from
one build and whose audio comes from the other. So a build holds the folder's lock file
(``.accessible.lock``, holding its pid) from before its first write until it is done.

The lock is an advisory ``flock`` on that file, which the kernel drops when its holder
exits however it exits (kill -9 included): a lock left by a dead process is simply free,
and the next build takes it over without any guessing from pids. A build removes the file
when it is done, still holding the lock; a build that was waiting on the removed file then
sees that the name no longer leads to what it locked, and locks the current file instead
(so two builds never hold two different files). POSIX only (Linux, macOS).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Iterator

from .errors import OutputError

log = logging.getLogger("accessible")

LOCK_NAME = ".accessible.lock"


def _holder(fd: int) -> str:
    """Who holds the lock, as written in the file by the holder."""
    pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f"process {pid}" if pid.isdigit() else "another process"


@contextlib.contextmanager
def build_lock(folder: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold ``folder``'s build lock for the ``with`` block (the folder is created if needed).

    When another build holds it: with ``wait``, say so once and wait for it to finish;
    without, raise `OutputError` at once. Raises `OutputError` when the folder cannot be
    written at all (a read-only disk, no permission), so a build fails before doing work.
    """
    path = folder / LOCK_NAME
    said = False
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as e:
            raise OutputError(f"cannot write into {folder}: {e.strerror or e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                os.close(fd)
                raise OutputError(f"{folder} is being built by {holder}; run again when it is done") from None
            if not said:
                log.warning("%s is being built by %s: waiting for it to finish (Ctrl+C to stop)", folder, holder)
                said = True
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:  # Ctrl+C while waiting
                os.close(fd)
                raise
        if _still_there(path, fd):
            break
        os.close(fd)  # the build we waited for removed this file: lock the current one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        path.unlink(missing_ok=True)  # while still holding the lock: see the module docstring
        os.close(fd)


def _still_there(path: Path, fd: int) -> bool:
    try:
        named, locked = path.stat(), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (named.st_dev, named.st_ino) == (locked.st_dev, locked.st_ino)
