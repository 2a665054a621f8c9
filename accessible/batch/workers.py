"""Where a batch's jobs run: worker processes on this machine, or tasks on a Ray cluster.

Both take a job (a function of `jobs` and its arguments) with a ticket and hand back
`Finished` items: the job's `Outcome`, or ``lost`` when the worker running it died. A
worker process keeps its voice loaded from one job to the next (`engines.get_engine`
makes one engine per process), and so does a Ray worker, which Ray reuses across tasks.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Callable

from ..errors import ClusterError
from .jobs import Outcome, run

log = logging.getLogger("accessible")

# A job is tried this many times in all when the worker running it dies (a crash, the
# out-of-memory killer, a node lost): enough for bad luck, few enough that a job that
# kills every worker it meets gives up soon.
ATTEMPTS = 3
TASK_NAME = "accessible-synthesize"


@dataclass(frozen=True)
class Finished:
    ticket: int
    outcome: Outcome | None  # None when the job was lost with its worker
    lost: str = ""  # how the worker died
    retry: bool = True  # whether trying the job again is the caller's to do (Ray retries its own)


def _serve(conn: Connection) -> None:
    """A worker process: run each job received, send its outcome back, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        job, args = message
        conn.send(run(job, *args))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    ticket: int | None = None


class LocalWorkers:
    """``size`` worker processes on this machine, one job at a time each.

    A worker that dies is replaced; its job comes back as lost, for the caller to retry.
    """

    def __init__(self, size: int) -> None:
        # spawn, not fork: the batch's own threads (the progress display) must not be copied
        self._context = multiprocessing.get_context("spawn")
        self._workers = [self._start() for _ in range(max(1, size))]

    def _start(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(theirs,), name="accessible-batch-worker", daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    @property
    def size(self) -> int:
        return len(self._workers)

    @property
    def idle(self) -> int:
        return sum(1 for w in self._workers if w.ticket is None)

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def submit(self, ticket: int, job: Callable[..., Any], *args: Any) -> None:
        worker = next(w for w in self._workers if w.ticket is None)
        worker.ticket = ticket
        try:
            worker.conn.send((job, args))
        except (BrokenPipeError, ConnectionResetError, EOFError):
            pass  # it died while idle: poll sees its sentinel and hands the job back

    def poll(self, timeout: float) -> list[Finished]:
        """The jobs finished (or lost) within ``timeout`` seconds."""
        watched: list[Any] = [w.conn for w in self._workers if w.ticket is not None]
        watched += [w.process.sentinel for w in self._workers]
        ready = set(multiprocessing.connection.wait(watched, timeout))
        finished: list[Finished] = []
        for i, worker in enumerate(self._workers):
            outcome: Outcome | None = None
            if worker.conn in ready and worker.ticket is not None:
                try:
                    outcome = worker.conn.recv()
                except (EOFError, OSError):
                    pass  # it died while sending: its sentinel says so below
                if outcome is not None:
                    finished.append(Finished(worker.ticket, outcome))
                    worker.ticket = None
            if worker.process.sentinel in ready or not worker.process.is_alive():
                worker.process.join()
                code = worker.process.exitcode or 0
                how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                log.warning("a worker process (pid %s) died (%s); a new one takes its place", worker.process.pid, how)
                if worker.ticket is not None:
                    finished.append(Finished(worker.ticket, None, f"its worker process died ({how})"))
                worker.conn.close()
                self._workers[i] = self._start()
        return finished

    def close(self) -> None:
        """Stop every worker: at once when jobs are still running (Ctrl-C), else politely."""
        for worker in self._workers:
            if worker.ticket is not None:
                worker.process.terminate()
            else:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        for worker in self._workers:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


def default_workers(cpu_bound: bool) -> int:
    """One worker per core for a voice that computes; a voice that waits on the network is
    already concurrent inside each worker, so one per four cores."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores if cpu_bound else max(1, cores // 4)


class RayWorkers:
    """Tasks on a Ray cluster: Ray runs each on any node with a free core, retries it on
    another worker when its worker dies, and reuses worker processes (and so the loaded voice)."""

    def __init__(self, address: str) -> None:
        try:
            import ray
        except ImportError:
            raise ClusterError("Ray is not installed here: pip install 'accessible[ray]'") from None
        self._ray = ray
        _reachable(address)
        try:
            # log_to_driver: the workers' output would break through the progress display;
            # their warnings come back with each outcome instead.
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise ClusterError(f"cannot join the Ray cluster at {address!r}: {_one_line(e)}") from None
        # Named for what it does: Ray titles a busy worker process ray::<name>.
        self._task = ray.remote(run).options(num_cpus=1, max_retries=ATTEMPTS - 1, name=TASK_NAME)
        self._pending: dict[Any, int] = {}

    @property
    def size(self) -> int:
        """Cores in the cluster now (it may grow or shrink while the batch runs)."""
        return max(1, int(self._ray.cluster_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]

    def submit(self, ticket: int, job: Callable[..., Any], *args: Any) -> None:
        self._pending[self._task.remote(job, *args)] = ticket

    def poll(self, timeout: float) -> list[Finished]:
        if not self._pending:
            return []
        refs = list(self._pending)
        ready, _ = self._ray.wait(refs, num_returns=1, timeout=timeout)
        if ready:
            ready, _ = self._ray.wait(refs, num_returns=len(refs), timeout=0)
        finished = []
        for ref in ready:
            ticket = self._pending.pop(ref)
            try:
                finished.append(Finished(ticket, self._ray.get(ref)))
            except self._ray.exceptions.RayError as e:
                # Ray already tried the task ATTEMPTS times: a worker or node lost each time.
                finished.append(Finished(ticket, None, f"its Ray task failed {ATTEMPTS} times ({_one_line(e)})", retry=False))
        return finished

    def close(self) -> None:
        for ref in self._pending:
            self._ray.cancel(ref, force=True)
        self._pending.clear()
        self._ray.shutdown()


def _one_line(error: Exception) -> str:
    """Ray's multi-line messages as one line (the CLI's errors are one line each), cut short."""
    line = " ".join(part.strip() for part in str(error).splitlines() if part.strip()) or type(error).__name__
    return line if len(line) <= 300 else line[:299] + "…"


def _reachable(address: str) -> None:
    """`ClusterError` at once when nothing answers at a host:port address (Ray itself
    would keep trying for minutes); ``auto`` is Ray's to find."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
    except OSError as e:
        raise ClusterError(f"cannot join the Ray cluster at {address!r}: nothing answers there ({e.strerror or e})") from None
