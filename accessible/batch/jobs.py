"""The work of a batch, as three jobs made of the pipeline's own stages.

A job is a plain function of picklable arguments, so it runs the same in a local worker
process and in a Ray task; `run` wraps it so that whatever happens comes back as a
`Outcome` (its value, or its error as one line, and the warnings it logged):

- `prepare` (where the batch runs): read and speak one book (ingest, segment, speech),
  and list the sentences whose clip is not in the batch's cache, in batches of about
  `BATCH_CHARACTERS` characters: the unit of work that spreads over the workers.
- `synthesize` (on any worker): the voice stage over one batch, exactly as `build` runs
  it (`synth.synthesize_sentences`). The clips come back as bytes, unless the worker
  wrote them into the batch's own cache (the same folder, seen from there).
- `package` (where the batch runs): `pipeline.build` itself, which finds every clip in
  the cache and assembles and packages the book, so a book from a batch is a book from
  `build`.
"""

from __future__ import annotations

import logging
import socket
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ..cache import ClipCache
from ..errors import AccessibleError, SynthesisError, VoiceError
from ..model import Sentence
from ..outputs.smil import Sync
from ..outputs.braille import BrailleOptions
from ..pipeline import AUDIBLE, BuildSummary
from ..voices import Voice

log = logging.getLogger("accessible")

# About two and a half minutes of audio, some 17 seconds of one core's work with the
# offline voice (docs/scale.md): long enough that a task's overhead on Ray (milliseconds)
# is lost in it, short enough that a one-hour report spreads over twenty-odd workers and
# a lost worker costs seconds.
BATCH_CHARACTERS = 600


@dataclass(frozen=True)
class Settings:
    """What every book of a batch is built with, as `build` takes it."""

    voice: Voice
    fallback: Voice | None
    lexicon: Path | None
    sync: Sync
    formats: tuple[str, ...]
    cache: Path  # the clip cache where the batch runs
    braille: BrailleOptions | None = None
    ruby: bool = False


@dataclass(frozen=True)
class Plan:
    title: str
    characters: int  # in all the book's sentences
    batches: tuple[tuple[Sentence, ...], ...]  # the sentences to synthesize, one clip each
    identity: str  # the voice engine's identity: a worker must have the same to make these clips


@dataclass(frozen=True)
class Made:
    clips: dict[str, bytes]  # clip key -> the clip file; empty when written into the batch's cache
    synthesized: int
    error: str | None = None  # sentences the voice could not speak (the others are in `clips`)


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    detail: str = ""  # the traceback of an unexpected error


def prepare(path: Path, settings: Settings) -> Plan:
    """Read and speak the book at ``path``; the sentences whose clips are missing, in batches."""
    from ..segment import load_book
    from ..speech import load_lexicon, read_book
    from ..synth import clip_keys
    from ..engines import engine_for

    lexicons = [p for p in (settings.voice.lexicon, settings.lexicon) if p is not None]
    book = read_book(load_book(path), load_lexicon(*lexicons) if lexicons else None)
    sentences = list(book.sentences())
    characters = sum(len(s.text) for s in sentences)
    if not AUDIBLE & set(settings.formats):
        return Plan(book.title, characters, (), "")  # braille alone: no voice, as in `build`
    engine = engine_for(settings.voice)
    keys = clip_keys(sentences, settings.voice, engine)
    store = ClipCache(settings.cache)
    missing: dict[str, Sentence] = {}
    for sentence in sentences:
        key = keys[sentence.id]
        if key not in missing and key not in store:
            missing[key] = sentence
    return Plan(book.title, characters, batched(list(missing.values())), engine.identity())


def batched(sentences: Sequence[Sentence], size: int = BATCH_CHARACTERS) -> tuple[tuple[Sentence, ...], ...]:
    """Consecutive sentences in groups of at least ``size`` characters (the last may be shorter)."""
    batches: list[tuple[Sentence, ...]] = []
    group: list[Sentence] = []
    count = 0
    for sentence in sentences:
        group.append(sentence)
        count += len(sentence.text)
        if count >= size:
            batches.append(tuple(group))
            group, count = [], 0
    if group:
        batches.append(tuple(group))
    return tuple(batches)


def synthesize(
    sentences: Sequence[Sentence], voice: Voice, fallback: Voice | None, identity: str, cache: Path | None, marker: str
) -> Made:
    """The voice stage over ``sentences`` on this worker, into ``cache`` (None: this machine's
    default). The clips are sent back unless the cache holds ``marker``, the batch's sign
    that it is the very folder the batch reads them from."""
    from ..engines import engine_for
    from ..synth import clip_keys, synthesize_sentences

    host = socket.gethostname()
    store = ClipCache(cache)
    try:
        engine = engine_for(voice)  # one per process: the model is loaded once per worker
        if engine.identity() != identity:
            raise VoiceError(
                f"voice {voice.name!r} differs from where the batch runs "
                f"(install the same accessible and voice model on every machine)"
            )
        threads = 1 if engine.cpu_bound else None
        result = synthesize_sentences(sentences, voice, store, engine=engine, progress=False, fallback=fallback, threads=threads)
        keys, made, error = {result.clips.key(s.id) for s in sentences}, result.synthesized + result.fallback, None
    except VoiceError as e:
        raise VoiceError(f"on {host}: {e}") from None
    except SynthesisError as e:
        keys, made, error = set(clip_keys(sentences, voice, engine).values()), 0, f"on {host}: {e}"
    if (store.root / marker).exists():
        return Made({}, made, error)
    clips = {}
    for key in keys:
        try:
            clips[key] = store.path(key).read_bytes()
        except OSError:
            pass  # not made (the error says why), or gone since: the book's build makes it again
    return Made(clips, made, error)


def package(path: Path, out_dir: Path, settings: Settings) -> BuildSummary:
    """`accessible build` of the book at ``path`` into ``out_dir``, its clips in the cache.
    A book folder another build is writing fails at once (``wait=False``): the batch
    goes on with the other books rather than hold a worker."""
    from ..pipeline import build

    return build(
        path, voice=settings.voice, out_dir=out_dir, sync=settings.sync, ruby=settings.ruby, formats=settings.formats,
        cache_dir=settings.cache, lexicon=settings.lexicon, fallback=settings.fallback, braille=settings.braille,
        wait=False,
    )  # fmt: skip


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def run(job: Callable[..., Any], *args: Any) -> Outcome:
    """``job(*args)`` as an `Outcome`: its value, or its error in one line, plus its warnings."""
    collect = _Collect()
    log.addHandler(collect)
    try:
        return Outcome(value=job(*args), warnings=tuple(collect.lines))
    except AccessibleError as e:
        return Outcome(error=str(e), warnings=tuple(collect.lines))
    except Exception as e:  # a bug: the batch goes on with the other books and shows where it was
        return Outcome(error=f"internal error: {type(e).__name__}: {e}", warnings=tuple(collect.lines), detail=traceback.format_exc())
    finally:
        log.removeHandler(collect)
