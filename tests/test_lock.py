"""One build per book folder: the lock file, waiting for it, refusing with --no-wait, taking it over."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from accessible.errors import OutputError
from accessible.lock import LOCK_NAME, build_lock


def test_the_holder_writes_its_pid_and_removes_the_file_when_done(tmp_path: Path):
    with build_lock(tmp_path / "book"):
        assert (tmp_path / "book" / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    assert list((tmp_path / "book").iterdir()) == []


def test_a_second_build_fails_at_once_without_waiting(tmp_path: Path):
    with build_lock(tmp_path):
        with pytest.raises(OutputError, match=rf"is being built by process {os.getpid()}; run again when it is done"):
            with build_lock(tmp_path, wait=False):
                pass


def test_a_second_build_waits_for_the_first_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with build_lock(tmp_path):
            holding.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait()
    with caplog.at_level(logging.WARNING, logger="accessible"), build_lock(tmp_path):
        order.append("second runs")
        # the first removed the file it had locked: the second holds the file that is there now
        with pytest.raises(OutputError):
            with build_lock(tmp_path, wait=False):
                pass
    thread.join()
    assert order == ["first done", "second runs"]
    assert "waiting for it to finish" in caplog.text


def test_a_lock_left_by_a_killed_build_is_taken_over(tmp_path: Path):
    # A real holder killed with SIGKILL: its lock file stays, with its pid in it.
    code = f"from accessible.lock import build_lock\nwith build_lock(__import__('pathlib').Path({str(tmp_path)!r})):\n" \
           "    print('held', flush=True); __import__('time').sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    with pytest.raises(OutputError, match=f"process {holder.pid}"):
        with build_lock(tmp_path, wait=False):
            pass
    holder.kill()
    holder.wait()
    assert (tmp_path / LOCK_NAME).read_text() == f"{holder.pid}\n"
    with build_lock(tmp_path, wait=False):
        assert (tmp_path / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    assert not (tmp_path / LOCK_NAME).exists()
