"""`accessible batch`: many books at once, on this machine or on a Ray cluster.

The unit of work is a batch of about two and a half minutes of a book's sentences (`jobs`): the
voice is nearly all of the cost that parallel workers can take (the text stages take
seconds), and sentences are what it works on, so a one-hour report spreads over twenty-odd
workers as well as twenty reports spread over them, and a worker lost costs seconds of
work. Each book goes through three jobs: `prepare` (read, speak, list the clips the
cache lacks), `synthesize` for each batch, then `package` (`pipeline.build`, all its
clips at hand). Preparing and packaging run where the batch runs, in local worker
processes, because they read the input and write the book folder, and no shared file
system is assumed; synthesis runs in the same local processes, or as Ray tasks whose
clips come back through Ray into the batch's cache.

A book that fails (a bad input, a voice error) is reported and the others go on; a job
whose worker dies is tried again on another (`workers.ATTEMPTS`); a book whose stamp
says it is up to date is skipped (`stamp`). One progress display covers the whole batch,
and ``OUT/batch-report.json`` records every book's status, time, audio and error,
rewritten as each book finishes, so even an interrupted batch leaves an account.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from ..cache import ClipCache, decode_clip
from ..errors import InputError, OutputError
from ..fsio import write_text
from ..model import Sentence
from ..outputs.braille import BrailleOptions
from ..pipeline import FORMATS, BuildSummary, check_options
from ..voices import Voice, load_voice
from . import stamp
from .jobs import Made, Plan, Settings, package, prepare, synthesize
from .progress import Display
from .sources import Source, find_sources
from .workers import ATTEMPTS, Finished, LocalWorkers, RayWorkers, default_workers

log = logging.getLogger("accessible")

REPORT = "batch-report.json"
# Audio per character of text at rate 1, pauses included: the sample gave 88.5 minutes
# from 20,572 characters (bench batch). Only the progress display's estimates use it.
SECONDS_PER_CHARACTER = 0.258
_BYTES_PER_CHARACTER = 3.0  # UTF-8 Chinese, until a book of the same kind has been read
POLL = 0.05  # seconds to wait for a worker before looking at the other kind

Status = Literal["built", "up to date", "failed", "interrupted"]


@dataclass
class BookReport:
    input: str
    folder: str  # the book folder, relative to the batch's output folder ("" until known)
    status: Status
    title: str = ""
    seconds: float = 0.0  # from the start of its first job to the end of its last
    audio: float = 0.0  # seconds of audio in its chapter files
    sentences: int = 0
    synthesized: int = 0  # clips made for it in this run
    retries: int = 0  # jobs tried again because their worker died
    error: str | None = None


@dataclass(frozen=True)
class BatchReport:
    out: Path
    books: tuple[BookReport, ...]
    seconds: float
    workers: str  # where the work ran
    finished: bool = True  # False while it runs, and when it was interrupted

    def count(self, status: Status) -> int:
        return sum(1 for b in self.books if b.status == status)

    @property
    def ok(self) -> bool:
        return all(b.status in ("built", "up to date") for b in self.books)

    def lines(self) -> list[str]:
        """The summary as plain lines (screen readers read lines best)."""
        hours = sum(b.audio for b in self.books) / 3600
        parts = [f"{self.count(s)} {s}" for s in ("built", "up to date", "failed", "interrupted") if self.count(s)]
        minutes, seconds = divmod(round(self.seconds), 60)
        lines = [
            f"{len(self.books)} book(s): {', '.join(parts)}; {hours:.2f} h of audio; "
            f"{minutes} min {seconds:02d} s on {self.workers}"
        ]
        lines += [f"failed: {_about(b.input, b.error or '')}" for b in self.books if b.status == "failed"]
        lines.append(f"report: {self.out / REPORT}")
        return lines

    def save(self) -> None:
        data = {"finished": self.finished, "seconds": round(self.seconds, 1), "workers": self.workers,
                "books": [asdict(b) for b in self.books]}  # fmt: skip
        write_text(self.out / REPORT, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _about(source: str, message: str) -> str:
    """``message`` about an input, named once (a reader's errors already start with it)."""
    return message if message.startswith(source) else f"{source}: {message}"


@dataclass
class _Book:
    source: Source
    out_dir: Path  # what `build` gets as --out
    digest: str  # of the input file
    size: int  # bytes of the input file
    report: BookReport
    identity: str | None = None  # its voice's identity, once the book is read (prepared)
    queue: deque[tuple[Sentence, ...]] = field(default_factory=deque)
    running: int = 0  # its jobs in flight
    estimate: float = 0.0  # seconds of audio expected (known once prepared)
    done: float = 0.0  # of which made (or found in the cache)
    started: float | None = None
    final: bool = False  # built or failed


@dataclass
class _Job:
    book: _Book
    kind: Literal["prepare", "synthesize", "package"]
    function: Callable[..., Any]
    args: tuple[Any, ...]
    attempts: int = 1
    seconds: float = 0.0  # of audio, for a batch: what the progress moves on when it is done


def run_batch(
    inputs: Sequence[str],
    out: Path,
    *,
    voice: str = "baker",
    sync: str = "sentence",
    ruby: bool = False,
    formats: Sequence[str] = FORMATS,
    lexicon: Path | None = None,
    fallback: str | None = None,
    braille: BrailleOptions | None = None,
    cache: Path | None = None,
    workers: int | None = None,
    ray: str | None = None,
    display: Display | None = None,
) -> BatchReport:
    """Build every book of ``inputs`` into ``out/<name>/`` as `build` would; see the module docstring.

    Raises `AccessibleError` only for what stops the whole batch (bad settings, nothing to
    build, an unreachable cluster); a book's own failure is in the report.
    """
    started = time.perf_counter()
    wanted = check_options(sync, formats)
    profile = load_voice(voice)
    backup = load_voice(fallback) if fallback else None
    if lexicon is not None:
        from ..speech import load_lexicon

        load_lexicon(lexicon)  # a bad lexicon stops the batch now, not once per book
    sources, rejected = find_sources(inputs)
    if not sources:
        reason = f"{rejected[0].argument}: {rejected[0].reason}" if rejected else "no input given"
        raise InputError(f"nothing to build ({reason})")
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {out} is a file; choose another --out")
    store = ClipCache(cache)
    settings = Settings(profile, backup, lexicon.resolve() if lexicon else None, sync, wanted, store.root.resolve(), braille, ruby)  # type: ignore[arg-type]
    scheduler = _Scheduler(out, settings, cache, _engine_cpu_bound(profile), display)
    for r in rejected:
        scheduler.reject(r.argument, r.reason)
    for source in sources:
        scheduler.add(source)
    return scheduler.run(workers, ray, started)


def _engine_cpu_bound(voice: Voice) -> bool:
    from ..engines import engine_for

    return engine_for(voice).cpu_bound


class _Scheduler:
    def __init__(self, out: Path, settings: Settings, cache: Path | None, cpu_bound: bool, display: Display | None) -> None:
        self.out = out
        self.settings = settings
        self.digest = stamp.settings_digest(settings)
        self.store = ClipCache(settings.cache)
        self.given_cache = cache  # what Ray workers use; None: each machine's own default cache
        self.cpu_bound = cpu_bound
        self.display = display
        self.books: list[_Book] = []
        self.reports: list[BookReport] = []
        self.waiting: deque[_Book] = deque()
        self.ready: deque[_Book] = deque()  # every clip made: to package
        self.jobs: dict[int, _Job] = {}
        self.tickets = 0
        self.bytes_ratio: dict[str, tuple[float, int]] = {}  # suffix -> (seconds, bytes) of books read
        self.marker = f".batch-{uuid.uuid4().hex}"
        self.remote: RayWorkers | None = None
        self.remote_size = 0
        self.started = time.perf_counter()
        self.where = ""

    # -- books -----------------------------------------------------------------------------

    def reject(self, argument: str, reason: str) -> None:
        self.reports.append(BookReport(argument, "", "failed", error=reason))

    def add(self, source: Source) -> None:
        out_dir = self.out / source.name
        report = BookReport(str(source.path), "", "interrupted")
        self.reports.append(report)
        try:
            digest, size = stamp.file_digest(source.path), source.path.stat().st_size
        except OSError as e:
            report.status, report.error = "failed", f"cannot read it ({e.strerror or e})"
            return
        book = _Book(source, out_dir, digest, size, report)
        done = stamp.current(out_dir, digest, self.digest)
        if done is not None:
            report.status, report.title, report.audio = "up to date", done.title, done.duration
            report.folder = f"{source.name}/{done.book}"
            return
        self.books.append(book)
        self.waiting.append(book)

    def fail(self, book: _Book, error: str) -> None:
        if book.final:
            return
        book.report.status, book.report.error = "failed", error
        book.queue.clear()
        self._finish(book)
        self._save()
        log.error("%s", _about(str(book.source.path), error))

    def _finish(self, book: _Book) -> None:
        book.final = True
        if book.started is not None:
            book.report.seconds = round(time.perf_counter() - book.started, 1)
        self._show()

    # -- estimates for the progress display --------------------------------------------------

    def _estimate(self, book: _Book) -> float:
        if book.identity is not None:
            return book.estimate
        seconds, size = self.bytes_ratio.get(book.source.path.suffix.lower(), (0.0, 0))
        per_byte = seconds / size if size else SECONDS_PER_CHARACTER / _BYTES_PER_CHARACTER / self.settings.voice.rate
        return book.size * per_byte

    def _show(self) -> None:
        if self.display is None:
            return
        live = [b for b in self.books if b.report.status != "failed"]
        self.display.update(
            books=sum(1 for r in self.reports if r.status in ("built", "up to date")),
            failed=sum(1 for r in self.reports if r.status == "failed"),
            total=len(self.reports),
            done=sum(b.done for b in live),
            expected=sum(self._estimate(b) for b in live),
        )

    # -- jobs ------------------------------------------------------------------------------

    def _job(self, book: _Book, kind: Literal["prepare", "synthesize", "package"]) -> _Job:
        if kind == "prepare":
            return _Job(book, kind, prepare, (book.source.path, self.settings))
        if kind == "package":
            return _Job(book, kind, package, (book.source.path, book.out_dir, self.settings))
        batch = book.queue.popleft()
        cache = self.given_cache if self.remote is not None else self.settings.cache
        args = (batch, self.settings.voice, self.settings.fallback, book.identity, cache, self.marker)
        return _Job(book, kind, synthesize, args, seconds=self._seconds(batch))

    def _seconds(self, sentences: Sequence[Sentence]) -> float:
        return sum(len(s.text) for s in sentences) * SECONDS_PER_CHARACTER / self.settings.voice.rate

    def _submit(self, pool: LocalWorkers | RayWorkers, job: _Job) -> None:
        self.tickets += 1
        self.jobs[self.tickets] = job
        job.book.running += 1
        if job.book.started is None:
            job.book.started = time.perf_counter()
        pool.submit(self.tickets, job.function, *job.args)

    def _next_batch(self) -> _Book | None:
        return next((b for b in self.books if b.queue and not b.final), None)

    def _queued_batches(self) -> int:
        return sum(len(b.queue) for b in self.books if not b.final)

    def _fill(self) -> None:
        """Give every idle worker the most useful job: a book to package (it finishes a
        book); else a book to read, while fewer than two batches per voice worker wait
        (enough that the voice never waits, not so many that read books pile up in
        memory); else a batch of sentences. Ray gets batches up to two per core."""
        voice_slots = self.remote_size if self.remote is not None else self.local.size
        while self.remote is not None and self._in_flight("synthesize") < 2 * voice_slots:
            book = self._next_batch()
            if book is None:
                break
            self._submit(self.remote, self._job(book, "synthesize"))
        while self.local.idle:
            if self.ready:
                self._submit(self.local, self._job(self.ready.popleft(), "package"))
            elif self.waiting and self._queued_batches() < 2 * voice_slots:
                self._submit(self.local, self._job(self.waiting.popleft(), "prepare"))
            elif self.remote is None and (book := self._next_batch()) is not None:
                self._submit(self.local, self._job(book, "synthesize"))
            else:
                break

    def _in_flight(self, kind: str) -> int:
        return sum(1 for j in self.jobs.values() if j.kind == kind)

    # -- outcomes --------------------------------------------------------------------------

    def _handle(self, pool: LocalWorkers | RayWorkers, finished: Finished) -> None:
        job = self.jobs.pop(finished.ticket)
        book = job.book
        book.running -= 1
        outcome = finished.outcome
        if outcome is None:
            if finished.retry and job.attempts < ATTEMPTS and not book.final:
                log.warning("%s: %s; its %s job is tried again", book.source.path, finished.lost, job.kind)
                book.report.retries += 1
                self._submit(pool, replace(job, attempts=job.attempts + 1))
            else:
                self.fail(book, f"{finished.lost} ({job.kind}, {job.attempts} attempt(s))")
            return
        for warning in outcome.warnings:
            log.warning("%s", _about(str(book.source.path), warning))
        if job.kind == "synthesize" and isinstance(outcome.value, Made):
            self._keep(outcome.value)  # even for a failed book: a rerun needs them
        if outcome.error is not None:
            if outcome.detail:
                log.debug("%s", outcome.detail)
            self.fail(book, outcome.error)
            return
        if book.final:
            return
        if job.kind == "prepare":
            self._prepared(book, outcome.value)
        elif job.kind == "synthesize":
            made: Made = outcome.value
            book.report.synthesized += made.synthesized
            book.done += job.seconds
            if made.error is not None:
                self.fail(book, made.error)
                return
        else:
            self._packaged(book, outcome.value)
            return
        if not book.queue and book.running == 0:
            self.ready.append(book)
        self._show()

    def _keep(self, made: Made) -> None:
        for key, data in made.clips.items():
            if key in self.store:
                continue
            try:
                self.store.put(key, decode_clip(data, key))
            except ValueError as e:
                log.warning("a clip came back damaged (%s); the book's build makes it again", e)

    def _prepared(self, book: _Book, plan: Plan) -> None:
        book.identity = plan.identity
        book.report.title = plan.title
        book.estimate = plan.characters * SECONDS_PER_CHARACTER / self.settings.voice.rate
        book.done = book.estimate - sum(self._seconds(batch) for batch in plan.batches)
        book.queue.extend(plan.batches)
        seconds, size = self.bytes_ratio.get(book.source.path.suffix.lower(), (0.0, 0))
        self.bytes_ratio[book.source.path.suffix.lower()] = (seconds + book.estimate, size + book.size)

    def _packaged(self, book: _Book, summary: BuildSummary) -> None:
        report = book.report
        report.status, report.title, report.audio = "built", summary.title, round(summary.duration, 2)
        report.folder = summary.folder.relative_to(self.out).as_posix() if summary.folder.is_relative_to(self.out) else str(summary.folder)
        report.sentences = summary.sentences
        report.synthesized += summary.synthesized
        book.done = book.estimate
        stamp.save(book.out_dir, stamp.made(summary, book.digest, self.digest))
        self._finish(book)
        self._save()

    # -- the loop --------------------------------------------------------------------------

    def _save(self, finished: bool = False) -> BatchReport:
        report = BatchReport(self.out, tuple(self.reports), time.perf_counter() - self.started, self.where, finished)
        report.save()
        return report

    def run(self, workers: int | None, ray: str | None, started: float) -> BatchReport:
        self.started = started
        local_size = workers or default_workers(self.cpu_bound)
        self.where = f"{local_size} local worker process(es)"
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot write into {self.out}: {e.strerror or e}") from None
        if not self.books:
            return self._save(finished=True)
        if ray is not None:
            self.remote = RayWorkers(ray)
            self.remote_size = self.remote.size
            self.where = f"the Ray cluster at {ray} ({self.remote_size} cores) and {local_size} local worker process(es)"
        marker = self.store.root / self.marker
        pools: list[LocalWorkers | RayWorkers] = [self.remote] if self.remote is not None else []
        try:
            try:
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.touch()
            except OSError as e:
                raise OutputError(f"cannot write into the clip cache {self.store.root}: {e.strerror or e}") from None
            self.local = LocalWorkers(local_size)
            pools.insert(0, self.local)
            if self.display is not None:
                self.display.start()
            self._show()
            checked = time.monotonic()
            while any(not b.final for b in self.books):
                self._fill()
                for pool in pools:
                    for finished in pool.poll(POLL):
                        self._handle(pool, finished)
                if self.remote is not None and time.monotonic() - checked > 10:
                    self.remote_size, checked = self.remote.size, time.monotonic()  # the cluster may grow
        finally:
            if self.display is not None:
                self.display.stop()
            for pool in pools:
                pool.close()
            marker.unlink(missing_ok=True)
            report = self._save(finished=all(b.final for b in self.books))
        return report
