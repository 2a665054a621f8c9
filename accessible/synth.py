"""The synthesize stage: one cached clip per sentence of a book.

Only sentences whose clip is not in the cache are given to the engine, up to
``engine.max_workers`` at a time; each finished clip is stored at once, so an
interrupted run (Ctrl-C, a kill, a failing sentence) loses nothing and the next run
resumes where it stopped. The clips come back as a mapping that reads them from the
cache on demand, so a whole book's audio never sits in memory.
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from .cache import CachedClips, ClipCache, clip_key
from .engines import Engine, engine_for
from .errors import InputError, SynthesisError, VoiceError
from .fsio import CHECKERS
from .model import Book, Chapter, Clip, Sentence
from .voices import Voice

log = logging.getLogger("accessible")



class SynthResult(NamedTuple):
    clips: CachedClips  # sentence id -> clip (headings included)
    synthesized: int  # clips made in this run
    reused: int  # sentences whose clip was already in the cache
    fallback: int = 0  # sentences the fallback voice speaks (the main voice failed on them)


def select_chapters(book: Book, chapters: Sequence[int] | None) -> list[Chapter]:
    """The chapters with these numbers (all when None); InputError for a number the book lacks."""
    if chapters is None:
        return list(book.chapters)
    known = {c.number: c for c in book.chapters}
    unknown = sorted(set(chapters) - set(known))
    if unknown:
        numbers = ", ".join(str(n) for n in sorted(known))
        raise InputError(f"no chapter {', '.join(map(str, unknown))} in {book.title!r}; chapters: {numbers}")
    return [known[n] for n in sorted(set(chapters))]


def synthesize_book(
    book: Book,
    voice: Voice,
    cache: ClipCache | Path | None = None,
    chapters: Sequence[int] | None = None,
    *,
    engine: Engine | None = None,
    progress: bool = True,
    fallback: Voice | None = None,
) -> SynthResult:
    """Make sure every sentence of ``chapters`` (default: all) has a clip in the cache.

    With a ``fallback`` voice, the sentences the main voice cannot do (its engine cannot
    run, e.g. no network, or fails on them) are spoken by the fallback voice instead of
    stopping the build; a later run where the main voice succeeds replaces them.
    """
    sentences = [s for chapter in select_chapters(book, chapters) for s in chapter.sentences()]
    return synthesize_sentences(sentences, voice, cache, engine=engine, progress=progress, fallback=fallback)


def clip_keys(sentences: Iterable[Sentence], voice: Voice, engine: Engine | None = None) -> dict[str, str]:
    """Sentence id -> the key of its clip in the cache, as the voice stage files it."""
    engine = engine if engine is not None else engine_for(voice)
    identity = engine.identity()  # once per call: it hashes the model files
    return {s.id: clip_key(engine.name, identity, voice, s) for s in sentences}


def synthesize_sentences(
    sentences: Sequence[Sentence],
    voice: Voice,
    cache: ClipCache | Path | None = None,
    *,
    engine: Engine | None = None,
    progress: bool = True,
    fallback: Voice | None = None,
    threads: int | None = None,
) -> SynthResult:
    """The voice stage over any sentences (a book's, or a batch worker's share of one):
    each gets a clip in the cache; see `synthesize_book`. ``threads``: calls at once
    (default: the engine's ``max_workers``)."""
    store = cache if isinstance(cache, ClipCache) else ClipCache(cache)
    engine = engine if engine is not None else engine_for(voice)
    keys = clip_keys(sentences, voice, engine)
    firsts: dict[str, Sentence] = {}  # clip key -> the first sentence with it
    for sentence in sentences:
        firsts.setdefault(keys[sentence.id], sentence)
    # Each reused clip is read and its sha256 checked: in threads, which hash in parallel
    # (hashlib and file reads release the GIL), the larger part of a rebuild with nothing to do.
    with ThreadPoolExecutor(max_workers=CHECKERS, thread_name_prefix="clip-check") as pool:
        usable = list(pool.map(lambda item: _cached(store, *item), firsts.items()))
    todo = {key: sentence for (key, sentence), ok in zip(firsts.items(), usable) if not ok}
    reused = sum(1 for key in keys.values() if key not in todo)
    if todo:
        try:
            reason = engine.available()
            if reason:
                raise VoiceError(f"voice {voice.name!r} cannot speak here: {reason}")
            log.info("voice %s: %d of %d sentence(s) to synthesize", voice.name, len(todo), len(keys))
            failures = run_engine(engine, voice, todo, store, progress=progress, threads=threads)
        except VoiceError as e:
            if fallback is None:
                raise
            failures = {key: str(e) for key in todo if key not in store}
        if failures and fallback is not None:
            fell_back = _fall_back(keys, {key: todo[key] for key in failures}, failures, voice, fallback, store, progress, threads)
            return SynthResult(CachedClips(store, keys), len(todo) - len(failures), reused, fell_back)
        if failures:
            first_key = next(iter(failures))
            raise SynthesisError(
                f"{len(failures)} sentence(s) could not be synthesized (first: {failures[first_key]}); "
                f"the {len(todo) - len(failures)} other new clip(s) are cached: run again to retry"
            )
    return SynthResult(CachedClips(store, keys), len(todo), reused)


def _cached(store: ClipCache, key: str, sentence: Sentence) -> bool:
    """Whether the cache holds a usable clip of ``sentence`` under ``key``. A damaged clip,
    or one that cannot be this sentence's (its timings point past its text: another
    sentence's clip under this name), is removed with a warning, to be synthesized again."""
    clip = store.get(key)
    misfit = clip.misfit(sentence.text) if clip is not None else None
    if misfit:
        store.discard(key, f"cannot be the clip of {sentence.id} ({misfit})")
    return clip is not None and misfit is None


def _fall_back(
    keys: dict[str, str], todo: Mapping[str, Sentence], failures: Mapping[str, str],
    voice: Voice, fallback: Voice, store: ClipCache, progress: bool, threads: int | None,
) -> int:
    """Speak the failed clips ``todo`` (main voice's key -> sentence) with ``fallback``: cached
    ones are reused; ``keys`` then points at the fallback clips. Returns how many sentences."""
    engine = engine_for(fallback)
    reason = engine.available()
    if reason:
        raise VoiceError(f"fallback voice {fallback.name!r} cannot speak here: {reason}")
    identity = engine.identity()
    moved = {key: clip_key(engine.name, identity, fallback, sentence) for key, sentence in todo.items()}
    log.warning(
        "voice %s: %d clip(s) not made (%s); the fallback voice %s speaks them: run again to replace them",
        voice.name, len(todo), next(iter(failures.values())), fallback.name,
    )
    missing = {new: todo[old] for old, new in moved.items() if not _cached(store, new, todo[old])}
    failed = run_engine(engine, fallback, missing, store, progress=progress, threads=threads) if missing else {}
    if failed:
        raise SynthesisError(f"the fallback voice {fallback.name!r} failed too (first: {next(iter(failed.values()))})")
    count = 0
    for sentence_id, key in keys.items():
        if key in moved:
            keys[sentence_id] = moved[key]
            count += 1
    return count


def run_engine(
    engine: Engine, voice: Voice, todo: Mapping[str, Sentence], store: ClipCache, *, progress: bool = True,
    threads: int | None = None,
) -> dict[str, str]:
    """Synthesize ``todo`` (clip key -> sentence), storing each clip as soon as it is done.

    Returns the keys the engine could not do (`SynthesisError`), with the message; any
    other error (the engine cannot run at all, Ctrl-C) stops the run at once, keeping
    every clip finished so far.
    """
    failures: dict[str, str] = {}
    pending = iter(todo.items())
    with _progress_bar(progress, voice.name, len(todo)) as advance:
        width = max(1, threads or engine.max_workers)
        pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix=f"synth-{engine.name}")
        running: dict[Future[Clip], str] = {}
        try:
            # A bounded window of submissions: cancelling on Ctrl-C is then instant.
            for key, sentence in islice(pending, 2 * width):
                running[pool.submit(engine.synthesize, sentence, voice)] = key
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    key = running.pop(future)
                    try:
                        store.put(key, future.result())
                    except SynthesisError as e:
                        failures[key] = str(e)
                        log.warning("%s", e)
                    advance()
                    for next_key, sentence in islice(pending, 1):
                        running[pool.submit(engine.synthesize, sentence, voice)] = next_key
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return failures


@contextlib.contextmanager
def _progress_bar(enabled: bool, label: str, total: int) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr (sentences done / total, elapsed, remaining), or nothing."""
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("elapsed"),
               TimeElapsedColumn(), TextColumn("remaining"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(f"voice {label}", total=total)
        yield lambda: bar.advance(task)
