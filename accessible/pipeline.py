"""`accessible build`: every stage, in order, redoing only what changed.

ingest+segment → speech → synthesize → audio → captions, EPUB, web page; the braille
edition needs only the speech stage, so a build of braille alone makes no audio. Each stage
keeps its own record of what it made from what: the book as read (readmemo.py: input,
title, lexicons, reading code), the clip cache (one clip per sentence text and voice), the
audio manifest (one input hash per chapter file), the EPUB's
inputs digest. So a second run with nothing changed synthesizes nothing, encodes
nothing and rewrites nothing; after one edited sentence only that sentence is
synthesized, only its chapter is encoded again, and the EPUB is rewritten.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .engines import engine_for
from .errors import AccessibleError, OutputError
from .fsio import check_writable, remove_leftovers
from .layout import Layout, chapter_label
from .lock import build_lock
from .model import Book, ChapterTrack
from .outputs.smil import SYNC_MODES, Sync
from .readmemo import read_once
from .voices import Voice, load_voice

if TYPE_CHECKING:
    from .outputs.braille import BrailleOptions

log = logging.getLogger("accessible")

FORMATS = ("audio", "m4b", "epub", "web", "braille")  # chapter MP3s + captions + playlist are "audio"
AUDIBLE = frozenset(("audio", "m4b", "epub", "web"))  # formats that need the voice


@dataclass(frozen=True)
class BuildSummary:
    title: str
    folder: Path
    chapters: int
    sentences: int
    characters: int
    duration: float  # seconds of audio in the chapter files
    synthesized: int  # clips made by the voice in this run
    reused: int  # clips taken from the cache
    encoded: tuple[str, ...]  # labels of the chapters whose audio was encoded in this run
    epub: str  # "written", "unchanged", or why there is none
    files: tuple[Path, ...]  # the book's outputs, relative to `folder`
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage
    peaks: dict[str, float] = field(default_factory=dict)  # the process's peak RSS (MB) by the end of each stage
    fallback: int = 0  # sentences spoken by the fallback voice
    fallback_voice: str = ""
    braille: str = ""  # what happened to the braille edition ("" when not asked for)
    formats: tuple[str, ...] = FORMATS  # the outputs asked for

    @property
    def epub_written(self) -> bool:
        return self.epub == "written"

    def lines(self) -> list[str]:
        """The summary as plain lines (no table: screen readers read lines best)."""
        minutes, sec = divmod(round(self.duration), 60)
        stages = ", ".join(f"{name} {s:.1f} s" for name, s in self.stages.items())
        audible = bool(AUDIBLE & set(self.formats))
        voice = f"voice: {self.synthesized} sentence(s) synthesized, {self.reused} reused from the cache" + (
            f"; {self.fallback} spoken by the fallback voice {self.fallback_voice} (run again to replace them)"
            if self.fallback
            else ""
        )
        return [
            f"{self.title}: {self.chapters} chapters, {self.sentences} sentences, {self.characters} characters"
            + (f", {minutes} min {sec:02d} s of audio" if audible else ""),
            *([voice] if audible else []),
            *(["audio: encoded " + (", ".join(self.encoded) if self.encoded else "nothing (all chapters up to date)")] if audible else []),
            *([f"epub: {self.epub}"] if "epub" in self.formats else []),
            *([f"braille: {self.braille}"] if self.braille else []),
            f"files in {self.folder}:",
            *(f"  {name}" for name in _grouped(self.files)),
            f"done in {self.seconds:.1f} s ({stages})",
        ]


def _grouped(files: Sequence[Path]) -> list[str]:
    """Top-level files by name, then each subfolder with its number of files."""
    top = [f.as_posix() for f in files if len(f.parts) == 1]
    folders: dict[str, int] = {}
    for f in files:
        if len(f.parts) > 1:
            folders[f.parts[0]] = folders.get(f.parts[0], 0) + 1
    return top + [f"{name}/ ({n} files)" for name, n in sorted(folders.items())]


def _prepare_output(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"output folder {out_dir} is a file; choose another --out")


def check_options(sync: str, formats: Sequence[str]) -> tuple[str, ...]:
    """The formats asked for; `OutputError` for an unknown sync mode or format."""
    if sync not in SYNC_MODES:
        raise OutputError(f"unknown sync mode {sync!r}; use one of {', '.join(SYNC_MODES)}")
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        what = f"unknown format(s) {', '.join(sorted(unknown))}" if unknown else "no format asked for"
        raise OutputError(f"{what}; known: {', '.join(FORMATS)}")
    return tuple(formats)


def _claim_folder(layout: Layout) -> None:
    """Before any work: every folder the build writes into can be written (a read-only disk
    fails now, not after minutes of synthesis), and files that killed writers left are gone."""
    for folder in (layout.root, layout.audio_dir, layout.captions_dir, layout.web_dir, layout.web_dir / "audio"):
        if folder.is_dir():
            check_writable(folder)
    removed = remove_leftovers(layout.root)
    if removed:
        log.info("removed %d unfinished file(s) an interrupted build left in %s", removed, layout.root)


def _outputs(layout: Layout) -> tuple[Path, ...]:
    if not layout.root.is_dir():
        return ()
    return tuple(
        sorted(
            p.relative_to(layout.root)
            for p in layout.root.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(layout.root).parts)
        )
    )


def build(
    path: str | Path,
    *,
    voice: str | Voice = "baker",
    out_dir: Path = Path("output"),
    title: str | None = None,
    sync: Sync = "sentence",
    ruby: bool = False,
    formats: Sequence[str] = FORMATS,
    chapters: Sequence[int] | None = None,
    cache_dir: Path | None = None,
    lexicon: Path | None = None,
    fallback: str | Voice | None = None,
    braille: BrailleOptions | None = None,
    wait: bool = True,
) -> BuildSummary:
    """Build the book's outputs under ``out_dir/<title>/``; see the module docstring.

    One build per book folder at a time: another build of the same folder is waited for
    (``wait``) or refused with `OutputError`."""
    started = time.perf_counter()
    stages: dict[str, float] = {}
    peaks: dict[str, float] = {}

    def stage(name: str, since: float) -> float:
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - since
        peaks[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        return now

    wanted = check_options(sync, formats)
    out_dir = Path(out_dir)
    _prepare_output(out_dir)
    profile = voice if isinstance(voice, Voice) else load_voice(voice)
    backup = load_voice(fallback) if isinstance(fallback, str) else fallback
    # The stages load models and libraries: import them once the settings are known good.
    from .audio.audiobook import build_audiobook
    from .outputs.captions import write_captions
    from .outputs.cover import render_cover
    from .outputs.epub import write_epub
    from .synth import synthesize_book

    t = time.perf_counter()
    lexicons = [Path(p) for p in (profile.lexicon, lexicon) if p is not None]

    def prepare_voice() -> None:
        # While a child process reads new sentences, which then likely need clips.
        with contextlib.suppress(AccessibleError):  # the voice stage reports it in its turn
            engine_for(profile).warm_up()

    book, fresh = read_once(Path(path), title, lexicons, out_dir, meanwhile=prepare_voice if AUDIBLE & set(wanted) else None)
    if fresh:
        log.debug("%d sentence text(s) read anew, the others as the last build read them", fresh)
    layout = Layout.for_book(book, out_dir)
    if layout.root.exists() and not layout.root.is_dir():
        raise OutputError(f"book folder {layout.root} is a file; move it away or choose another --out")
    t = stage("text", t)
    # Before any write into the book folder (and before synthesis, so that a read-only
    # disk or a concurrent build is known at once, not after minutes of work).
    with build_lock(layout.root, wait=wait):
        _claim_folder(layout)

        voiced = None
        tracks: list[ChapterTrack] = []
        encoded: tuple[str, ...] = ()
        if AUDIBLE & set(wanted):
            # The cover (its digest is part of every chapter's inputs) is drawn and compressed
            # while the voice stage reads and hashes clips: both leave the GIL free.
            with ThreadPoolExecutor(1, thread_name_prefix="cover") as aside:
                drawing = aside.submit(render_cover, book.title)
                voiced = synthesize_book(book, profile, cache_dir, chapters, fallback=backup)
                cover = drawing.result()
            for spoken in (profile, backup):  # every clip is in the cache: the stages after it never speak
                if spoken is not None:
                    engine_for(spoken).release()
            t = stage("voice", t)
            audiobook = build_audiobook(book, voiced.clips, profile, layout, chapters=chapters, cover=cover.png, m4b="m4b" in wanted)
            tracks, encoded = audiobook.tracks, audiobook.encoded
            t = stage("audio", t)
            write_captions(book, tracks, layout)
            t = stage("captions", t)

        audible = [c for c in book.chapters if next(c.sentences(), None) is not None]
        complete = len(tracks) == len(audible)
        epub = "not asked for"
        if "epub" in wanted and not complete:
            epub = f"waits for a full build ({len(tracks)} of {len(audible)} chapters have audio)"
        elif "epub" in wanted:
            epub = "written" if write_epub(book, tracks, layout, voice=profile, sync=sync, ruby=ruby).written else "unchanged"
            t = stage("epub", t)
        if "web" in wanted:
            from .outputs.web import write_web

            write_web(book, tracks, layout, sync=sync, voice_name=profile.description or profile.name)
            t = stage("web", t)
        # Last, like every book output: a build that fails on the voice leaves no output behind.
        braille_note = ""
        if "braille" in wanted:
            from .outputs.braille import BrailleOptions, write_braille

            edition = write_braille(book, layout, braille or BrailleOptions())
            braille_note = f"{edition.pages} pages, " + ("written" if edition.written else "unchanged")
            t = stage("braille", t)

        sentences = list(book.sentences())
        return BuildSummary(
            title=book.title,
            folder=layout.root,
            chapters=sum(1 for c in audible if c.kind == "body"),
            sentences=len(sentences),
            characters=sum(len(s.text) for s in sentences),
            duration=sum(tr.duration for tr in tracks),
            synthesized=voiced.synthesized if voiced else 0,
            reused=voiced.reused if voiced else 0,
            encoded=tuple(chapter_label(c) for c in book.chapters if c.id in encoded),
            epub=epub,
            files=_outputs(layout),
            seconds=time.perf_counter() - started,
            stages=stages,
            peaks=peaks,
            fallback=voiced.fallback if voiced else 0,
            fallback_voice=backup.name if backup else "",
            braille=braille_note,
            formats=wanted,
        )
