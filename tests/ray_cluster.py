"""A private Ray cluster on 127.0.0.1 for the tests, and a way to stop only it.

`ray start --node-ip-address=127.0.0.1` alone is not enough: Ray swaps a loopback
address for the machine's network address (`services.resolve_ip_for_localhost`), so
its processes would talk over that address. Ray keeps to loopback only when it believes
it cannot form a multi-node cluster, which `RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0` says
(a head node still starts; only joining nodes are refused) — the same setting goes to the
driver, so it too is at 127.0.0.1. Usage statistics, which Ray would send out, are off.

`ray stop` stops every Ray process on the machine, whoever started it. The cluster here
is stopped by its own processes instead: those started with its private temporary folder
(gcs_server, raylet, …), and everything they started (agents, workers).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

RAY = Path(sys.executable).with_name("ray")


def loopback_env(temp: Path) -> dict[str, str]:
    return {
        "RAY_TMPDIR": str(temp),
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_USAGE_STATS_ENABLED": "0",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def processes(temp: Path) -> list[int]:
    """The cluster's processes: those whose command line names its temporary folder or
    whose environment has it (the client server's names neither), and their descendants."""
    roots = []
    name, variable = str(temp).encode(), f"RAY_TMPDIR={temp}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if name in (entry / "cmdline").read_bytes() or variable in (entry / "environ").read_bytes().split(b"\0"):
                    roots.append(int(entry.name))
            except OSError:
                continue
    return sorted(_tree(roots))


def descendants(pid: int) -> list[int]:
    return sorted(_tree([pid]) - {pid})


def _tree(roots: list[int]) -> set[int]:
    tree, found, todo = _children(), set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found and pid != os.getpid():
            found.add(pid)
            todo += tree.get(pid, [])
    return found


def task_workers(temp: Path, task: str) -> list[int]:
    """The cluster's worker processes running ``task`` now (Ray titles them ``ray::<task>``)."""
    busy = []
    for pid in processes(temp):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(f"ray::{task}".encode()):
                busy.append(pid)
        except OSError:
            continue
    return busy


def _signal(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def stop(temp: Path, grace: float = 15.0) -> None:
    pids = processes(temp)
    _signal(pids, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() and not _zombie(p) for p in pids):
        time.sleep(0.2)
    _signal([p for p in processes(temp) + pids if Path(f"/proc/{p}").exists()], signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


@dataclass(frozen=True)
class Cluster:
    address: str  # the head's GCS, host:port
    temp: Path  # its temporary folder
    env: dict[str, str]  # the environment a driver joins it with


@contextlib.contextmanager
def cluster(cpus: int = 2, env: dict[str, str] | None = None) -> Iterator[Cluster]:
    """Start a head node on 127.0.0.1, ``env`` added to its environment (so its workers')."""
    # Ray's socket paths live under the temporary folder and must stay short (108 bytes).
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    environment = {**os.environ, **loopback_env(temp), **(env or {})}
    try:
        # Twice at most: once at load 17 `ray start` failed (its output was
        # not kept); a port taken between free_port() and Ray binding it would do that too.
        for attempt in (1, 2):
            # The head always starts a Ray client server; a free port keeps it off the
            # default 10001, which another cluster on the machine may hold.
            port, client = free_port(), free_port()
            command = [
                str(RAY), "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", f"--num-cpus={cpus}",
                "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}", f"--ray-client-server-port={client}",
            ]  # fmt: skip
            started = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
            if started.returncode == 0:
                break
            stop(temp)
            if attempt == 2:
                raise RuntimeError(f"ray start failed twice; the second time: {started.stdout[-2000:]}{started.stderr[-3000:]}")
            print(f"ray start failed, trying again: {started.stderr[-3000:]}", file=sys.stderr)
        yield Cluster(f"127.0.0.1:{port}", temp, {**os.environ, **loopback_env(temp)})
    finally:
        stop(temp)
        shutil.rmtree(temp, ignore_errors=True)
