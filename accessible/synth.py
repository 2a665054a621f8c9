"""The synthesize stage: one cached clip per sentence of a book.

Only sentences whose clip is not in the cache are given to the engine, up to
``engine.max_workers`` at a time; each finished clip is stored at once, so an
interrupted run (Ctrl-C, a kill, a failing sentence) loses nothing and the next run
resumes where it stopped. The clips come back as a mapping that reads them from the
cache on demand, so a whole book's audio never sits in memory.

`write_chapter_audio` puts a chapter's clips end to end (with the voice profile's
pauses) in a WAV file, beside a JSON file with every sentence's and word's time in
it; the audiobook stage makes the final chapter files.
"""

from __future__ import annotations

import contextlib
import json
import logging
import unicodedata
import wave
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator, Mapping, NamedTuple, Sequence

from .cache import CachedClips, ClipCache, clip_key
from .engines import Engine, engine_for
from .engines.timing import span_time
from .errors import InputError, OutputError, SynthesisError, VoiceError
from .fsio import atomic_path, write_text
from .layout import Layout, chapter_label
from .model import Book, Chapter, Clip, Sentence
from .voices import Pauses, Voice

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
    store = cache if isinstance(cache, ClipCache) else ClipCache(cache)
    engine = engine if engine is not None else engine_for(voice)
    identity = engine.identity()  # once per run: it hashes the model files
    keys: dict[str, str] = {}
    todo: dict[str, Sentence] = {}  # clip key -> the first sentence with it
    checked: set[str] = set()
    for chapter in select_chapters(book, chapters):
        for sentence in chapter.sentences():
            key = clip_key(engine.name, identity, voice, sentence)
            keys[sentence.id] = key
            if key not in checked:
                checked.add(key)
                if not _cached(store, key, sentence):
                    todo[key] = sentence
    reused = sum(1 for key in keys.values() if key not in todo)
    if todo:
        try:
            reason = engine.available()
            if reason:
                raise VoiceError(f"voice {voice.name!r} cannot speak here: {reason}")
            log.info("voice %s: %d of %d sentence(s) to synthesize", voice.name, len(todo), len(keys))
            failures = run_engine(engine, voice, todo, store, progress=progress)
        except VoiceError as e:
            if fallback is None:
                raise
            failures = {key: str(e) for key in todo if key not in store}
        if failures and fallback is not None:
            fell_back = _fall_back(keys, {key: todo[key] for key in failures}, failures, voice, fallback, store, progress)
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
    voice: Voice, fallback: Voice, store: ClipCache, progress: bool,
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
    failed = run_engine(engine, fallback, missing, store, progress=progress) if missing else {}
    if failed:
        raise SynthesisError(f"the fallback voice {fallback.name!r} failed too (first: {next(iter(failed.values()))})")
    count = 0
    for sentence_id, key in keys.items():
        if key in moved:
            keys[sentence_id] = moved[key]
            count += 1
    return count


def run_engine(
    engine: Engine, voice: Voice, todo: Mapping[str, Sentence], store: ClipCache, *, progress: bool = True
) -> dict[str, str]:
    """Synthesize ``todo`` (clip key -> sentence), storing each clip as soon as it is done.

    Returns the keys the engine could not do (`SynthesisError`), with the message; any
    other error (the engine cannot run at all, Ctrl-C) stops the run at once, keeping
    every clip finished so far.
    """
    failures: dict[str, str] = {}
    pending = iter(todo.items())
    with _progress_bar(progress, voice.name, len(todo)) as advance:
        pool = ThreadPoolExecutor(max_workers=max(1, engine.max_workers), thread_name_prefix=f"synth-{engine.name}")
        running: dict[Future[Clip], str] = {}
        try:
            # A bounded window of submissions: cancelling on Ctrl-C is then instant.
            for key, sentence in islice(pending, 2 * max(1, engine.max_workers)):
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


# -- chapter WAV + timings -------------------------------------------------------------------


@dataclass(frozen=True)
class ChapterFiles:
    wav: Path
    timings: Path
    duration: float


def reading_plan(chapter: Chapter, pauses: Pauses, tail: float = 0.0) -> list[tuple[Sentence, float]]:
    """Every sentence of the chapter in reading order, with the silence that follows it.

    After a heading: ``heading``; the end of a section (before the next section's heading)
    is a larger break than a paragraph and gets ``heading`` too; the end of a paragraph:
    ``paragraph``; otherwise ``sentence``. The last sentence is followed by ``tail``.
    """
    plan: list[tuple[Sentence, float]] = []
    if chapter.heading:
        plan.append((chapter.heading, pauses.heading))
    for section in chapter.sections:
        if section.heading:
            if plan:
                plan[-1] = (plan[-1][0], max(plan[-1][1], pauses.heading))
            plan.append((section.heading, pauses.heading))
        for paragraph in section.paragraphs:
            last = len(paragraph.sentences) - 1
            plan += [(s, pauses.paragraph if i == last else pauses.sentence) for i, s in enumerate(paragraph.sentences)]
    if plan:
        plan[-1] = (plan[-1][0], tail)
    return plan


def write_chapter_audio(chapter: Chapter, clips: Mapping[str, Clip], voice: Voice, folder: Path, stem: str) -> ChapterFiles:
    """``folder/stem.wav`` (the clips end to end) and ``folder/stem.timings.json`` (absolute times)."""
    wav_path, json_path = folder / f"{stem}.wav", folder / f"{stem}.timings.json"
    entries = []
    clock = 0.0
    rate: int | None = None
    with atomic_path(wav_path) as tmp:
        try:
            out = wave.open(str(tmp), "wb")
        except OSError as e:
            raise OutputError(f"cannot write {wav_path}: {e}") from None
        with out:
            out.setnchannels(1)
            out.setsampwidth(2)
            for sentence, pause in reading_plan(chapter, voice.pauses):
                clip = clips[sentence.id]
                if rate is None:
                    rate = clip.sample_rate
                    out.setframerate(rate)
                elif clip.sample_rate != rate:
                    raise SynthesisError(f"{sentence.id}: clip at {clip.sample_rate} Hz in a {rate} Hz chapter")
                out.writeframes(clip.pcm)
                entries.append(_timing_entry(sentence, clip, clock))
                gap = round(pause * rate)
                out.writeframes(bytes(2 * gap))
                clock += (len(clip.pcm) // 2 + gap) / rate
            if rate is None:
                out.setframerate(24000)
    document = {
        "chapter": chapter.id,
        "title": chapter_label(chapter),
        "audio": wav_path.name,
        "sample_rate": rate,
        "duration": round(clock, 4),
        "sentences": entries,
    }
    write_text(json_path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return ChapterFiles(wav_path, json_path, clock)


def _timing_entry(sentence: Sentence, clip: Clip, offset: float) -> dict[str, object]:
    words = sentence.words or tuple((t.text_start, t.text_end) for t in clip.timings)
    word_entries = []
    for start, end in words:
        when = span_time(clip.timings, start, end)
        if when is not None and any(unicodedata.category(c)[0] in "LN" for c in sentence.text[start:end]):  # not punctuation
            word_entries.append(
                {"text": sentence.text[start:end], "span": [start, end],
                 "start": round(offset + when[0], 4), "end": round(offset + when[1], 4)}
            )
    return {
        "id": sentence.id,
        "text": sentence.text,
        "start": round(offset, 4),
        "end": round(offset + clip.duration, 4),
        "words": word_entries,
    }


def write_chapters(book: Book, clips: Mapping[str, Clip], voice: Voice, out_dir: Path, chapters: Sequence[int] | None = None) -> list[ChapterFiles]:
    """Chapter WAVs and timings under ``out_dir/<book>/wav/`` for ``chapters`` (default: all with speech)."""
    layout = Layout.for_book(book, out_dir)
    folder = layout.root / "wav"
    return [
        write_chapter_audio(chapter, clips, voice, folder, layout.chapter_stem(chapter))
        for chapter in select_chapters(book, chapters)
        if next(chapter.sentences(), None) is not None
    ]
