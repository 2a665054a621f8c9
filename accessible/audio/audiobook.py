"""The chaptered audiobook: one MP3 per chapter, one M4B, a playlist.

Each chapter is assembled from its sentence clips with the voice profile's pauses
(assemble.py), brought to the same loudness with one linear gain (a zero-latency limiter on the rare
peak), and encoded with the bundled ffmpeg part by part (a few minutes each; two or more
at a time, the next chapter's while one is joined), each part into an MP3 and an AAC file
in one pass; the chapter's MP3 and the M4B are joined from the
parts without encoding again (encoding.py, mp3.py). An edit encodes again only the parts
whose sentences changed: each part keeps its loudness blocks, so the chapter's loudness is
computed anew without metering the others, and the chapter keeps its gain unless the new
one differs by more than `GAIN_TOLERANCE` (else every part would be encoded again).

Sentence times are counted in samples while assembling, so they are exact in the PCM.
They stay exact in the files because ffmpeg writes the encoder delay and padding into
them (the LAME header of the MP3, the edit list of the M4B) and a decoder that reads
those returns the first sample first. Measured (tests/test_audio.py, bench/bench_audio.py):
decoded by ffmpeg, every file lines up with its PCM at lag 0 and has exactly the
recorded length (after the MP3 padding fix in encoding.py). A player that ignores the
gapless information hears everything later by the encoder delay — MP3: 1105 samples
(46 ms at 24 kHz), AAC: 1024 samples (43 ms) — and a little extra silence at the end.

Codec settings, for speech at the voice's own 24 kHz (no resampling): MP3 64 kbit/s
CBR mono — clean for a single voice at this rate; a constant bitrate makes byte-offset
seeking exact, which matters to players that jump to a sentence (EPUB media overlays)
and to those that estimate the duration from the file size; about 29 MB per hour.
AAC-LC 96 kbit/s mono in the M4B (ffmpeg's AAC encoder is noisy at 64: see encoding.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
from mutagen import MutagenError

from .assemble import EDGE_FADE, LEAD_IN, PART_CHARS, SEAM_PAUSE, SEAM_PAUSE_MIN, Assembly, Part, assemble, reading_plan
from .encoding import AAC, MP3, encode_part, join_to_m4b
from ..errors import ClipError, InputError, OutputError
from ..fsio import Stamp, atomic_path, write_text_if_changed
from ..layout import Layout, chapter_label
from .loudness import PEAK_CEILING, TARGET_LUFS, block_energies, loudness_gain
from .mp3 import join_mp3
from ..model import Book, Chapter, ChapterTrack, Clip, Sentence
from .tags import Mark, TrackTags, cover_mime, ffmetadata, iso639_2, write_id3, write_mp4_extras
from ..synth import select_chapters
from ..timeline import Timeline, chapter_timeline
from .tracks import ChapterEntry, Manifest, PartEntry, pack_energies, unpack_energies
from ..voices import Pauses, Voice

log = logging.getLogger("accessible")

# Part of every input hash: change it when the encoding changes, and every file is redone.
ENCODING = f"{MP3} {AAC} lead={LEAD_IN} fade={EDGE_FADE} parts={PART_CHARS},{SEAM_PAUSE},{SEAM_PAUSE_MIN} v6"
# dB: a chapter keeps the gain its parts were encoded with while the gain its loudness now
# asks for is this close (the chapter stays within 0.2 LU of the target, and a one-sentence
# edit does not encode every part again).
GAIN_TOLERANCE = 0.2


def chapter_marks(chapter: Chapter, timeline: Timeline) -> tuple[Mark, ...]:
    """The chapter's navigable parts: its start (with its title), then each titled section
    from its heading on (as the timeline places it). They tile the file: each ends where
    the next begins."""
    heads = [(chapter.id, chapter_label(chapter), 0.0)]
    for section in chapter.sections:
        start = timeline.start_of(section.heading.id) if section.heading else None
        if start is not None and start / 1000 > heads[-1][2]:
            heads.append((section.id, section.title, start / 1000))
    ends = [h[2] for h in heads[1:]] + [timeline.duration / 1000]
    return tuple(Mark(mid, title, start, end) for (mid, title, start), end in zip(heads, ends))


def _clip_problem(clip: Clip | None, sentence: Sentence, rate: int | None) -> str | None:
    if clip is None:
        return "missing"
    if rate and clip.sample_rate != rate:
        return f"sample rate {clip.sample_rate} Hz (the book's clips are {rate} Hz)"
    return clip.misfit(sentence.text)


def check_clips(chapters: Sequence[Chapter], clips: Mapping[str, Clip]) -> dict[str, str]:
    """The sentences of ``chapters`` whose clip is missing or unusable, with the reason."""
    problems: dict[str, str] = {}
    rate: int | None = None
    for chapter in chapters:
        for sentence in chapter.sentences():
            clip = clips.get(sentence.id)
            problem = _clip_problem(clip, sentence, rate)
            if problem:
                problems[sentence.id] = problem
            elif rate is None and clip is not None:
                rate = clip.sample_rate
    return problems


def require_clips(chapters: Sequence[Chapter], clips: Mapping[str, Clip]) -> None:
    """Raise `ClipError` (naming every bad sentence) unless all clips of ``chapters`` are usable."""
    problems = check_clips(chapters, clips)
    if problems:
        shown = "; ".join(f"{sid}: {why}" for sid, why in list(problems.items())[:3])
        more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise ClipError(
            f"{len(problems)} clip(s) cannot be used ({shown}{more}); run the build again, which synthesizes "
            "them anew, and if this comes back, empty the clip cache with `accessible cache clear`",
            tuple(problems),
        )


def _digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else json.dumps(part, ensure_ascii=False, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def _clip_id(clips: Mapping[str, Clip], sentence_id: str) -> str:
    """What identifies a clip's content. The clip cache's mapping names it (its cache key)
    without reading the audio; for any other mapping, the audio and timings are hashed.
    Raises KeyError when the clip is not at hand."""
    named = getattr(clips, "key", None)
    if callable(named):
        return str(named(sentence_id))
    clip = clips[sentence_id]
    return _digest(clip.pcm, clip.sample_rate, clip.timings)


def _chapter_key(chapter: Chapter, clips: Mapping[str, Clip], pauses: Pauses, tags: TrackTags, stem: str, target: float) -> str:
    sentences = [(s.id, s.text, s.words, _clip_id(clips, s.id)) for s in chapter.sentences()]
    tag_fields = replace(tags, cover=None)
    cover = hashlib.sha256(tags.cover).hexdigest() if tags.cover else ""
    return _digest(ENCODING, stem, target, PEAK_CEILING, pauses, tag_fields, cover, sentences)


def _book_tags(book: Book, voice: Voice, cover: bytes | None) -> TrackTags:
    return TrackTags(
        title=book.title,
        album=book.title,
        artist=book.author,
        narrator=voice.voice or voice.name,
        date=book.date,
        language=iso639_2(book.language),
        cover=cover,
    )


def _read_cover(cover: Path | bytes | None) -> bytes | None:
    if cover is None or isinstance(cover, bytes):
        data = cover
    else:
        try:
            data = Path(cover).read_bytes()
        except OSError as e:
            raise InputError(f"{cover}: cannot read the cover image ({e.strerror or e})") from None
    if data is not None:
        cover_mime(data, cover if isinstance(cover, Path) else "cover")
    return data


def _relative(layout: Layout, path: Path) -> str:
    return path.relative_to(layout.root).as_posix()


def _tagging(path: Path, fn: Callable[..., None], *args: object) -> None:
    try:
        fn(path, *args)
    except (MutagenError, OSError) as e:
        raise OutputError(f"cannot write tags into {path}: {e}") from None


def _part_key(assembly: Assembly, part: Part, clips: Mapping[str, Clip]) -> str:
    """What a part's PCM is made of: its clips and the silences after them (and the lead-in
    for the first), not its place in the chapter or its sentences' ids."""
    content = [_clip_id(clips, sentence.id) for sentence, _ in assembly.plan[part.first : part.stop]]
    return _digest(ENCODING, assembly.sample_rate, part.first == 0, content, assembly.gaps[part.first : part.stop])


def _workers() -> int:
    """Parts encoded at a time. One part keeps about 1.6 cores busy (ffmpeg runs each encoder
    in its own thread; our limiter feeds them), with gaps while a part starts and ends: two
    at a time fill two cores. Each costs a block of PCM and an ffmpeg, not a chapter."""
    return max(2, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class _Started:
    """A chapter whose parts are being encoded: what `_finish_chapter` needs to join them."""

    chapter: Chapter
    assembly: Assembly
    key: str
    tags: TrackTags
    target: float
    gain_db: float
    parts: tuple[PartEntry, ...]
    encodes: tuple[Future[bool], ...]  # whether the limiter touched a peak, per part encoded now


def _start_chapter(
    pool: Executor,
    chapter: Chapter,
    clips: Mapping[str, Clip],
    voice: Voice,
    layout: Layout,
    tags: TrackTags,
    key: str,
    target: float,
    old: ChapterEntry | None,
) -> _Started:
    """Meter the chapter's new parts (those ``old`` does not record), decide its gain, and
    hand the parts not already made at that gain to ``pool`` to be encoded. No task holds
    more than a clip of PCM in memory."""
    assembly = assemble(reading_plan(chapter, voice.pauses), clips)
    audio_path = layout.chapter_audio(chapter)
    rate = assembly.sample_rate
    known = {p.key: p for p in old.parts} if old else {}
    damaged = set(old.damaged(layout.root)) if old else set()
    keys = [_part_key(assembly, part, clips) for part in assembly.parts]

    def meter(part: Part) -> str:
        return pack_energies(block_energies(assembly.float_blocks(part), rate))

    metering = {k: pool.submit(meter, part) for k, part in zip(keys, assembly.parts) if k not in known}
    energies = [known[k].energies if k in known else metering[k].result() for k in keys]
    blocks = np.concatenate([unpack_energies(e) for e in energies])
    gain_db = loudness_gain(blocks, target=target, what=f"chapter {chapter_label(chapter)!r}")
    if old and old.loudness == target and abs(gain_db - old.gain_db) <= GAIN_TOLERANCE:
        gain_db = old.gain_db
    scale = np.float32(10 ** (gain_db / 20))

    def encode(part: Part, mp3: Path, aac: Path, what: str) -> bool:
        with atomic_path(mp3) as tmp_mp3, atomic_path(aac) as tmp_aac:
            gained = (block * scale for block in assembly.float_blocks(part))
            return encode_part(gained, rate, part.length, tmp_mp3, tmp_aac, ceiling=PEAK_CEILING, what=what).limited

    parts: list[PartEntry] = []
    encodes: list[Future[bool]] = []
    made: set[tuple[str, ...]] = set()
    for i, (k, part, packed) in enumerate(zip(keys, assembly.parts, energies)):
        mp3, aac = (layout.chapter_part(chapter, _digest(k, gain_db), suffix) for suffix in (MP3.suffix, AAC.suffix))
        files = (_relative(layout, mp3), _relative(layout, aac))
        prior = known.get(k)
        if files not in made and not (prior and prior.gain_db == gain_db and prior.files == files and not damaged & set(files)):
            encodes.append(pool.submit(encode, part, mp3, aac, f"{audio_path} (part {i + 1})"))
            made.add(files)
        parts.append(PartEntry(k, part.length, packed, gain_db, files))
    return _Started(chapter, assembly, key, tags, target, gain_db, tuple(parts), tuple(encodes))


def _finish_chapter(started: _Started, layout: Layout) -> ChapterEntry:
    """Once its parts are encoded: the chapter's MP3, joined from them and tagged."""
    chapter, assembly, parts = started.chapter, started.assembly, started.parts
    limited = any([encode.result() for encode in started.encodes])  # every part waited for
    label = chapter_label(chapter)
    audio_path = layout.chapter_audio(chapter)
    rate = assembly.sample_rate
    with atomic_path(audio_path) as tmp:
        samples = join_mp3([(layout.root / p.files[0], p.samples) for p in parts], tmp)
        if samples != assembly.length:
            raise OutputError(f"{audio_path}: joined {samples} samples where the chapter has {assembly.length}")
        track = ChapterTrack(chapter.id, label, _relative(layout, audio_path), samples / rate, assembly.placed)
        marks = chapter_marks(chapter, chapter_timeline(chapter, track))
        _tagging(tmp, write_id3, replace(started.tags, title=label), marks)
    limits = ", peaks limited" if limited else ""
    log.info("%s: %.1f s, gain %+.2f dB, %d of %d parts encoded%s", track.path, track.duration, started.gain_db, len(started.encodes), len(parts), limits)
    every = (track.path, *dict.fromkeys(f for p in parts for f in p.files))
    return ChapterEntry(started.key, track, rate, started.gain_db, started.target, marks, every, parts)


def _remove_stale(layout: Layout, old: ChapterEntry | None, keep: Sequence[str]) -> None:
    """Delete the files an earlier build made for a chapter that are no longer its files
    (a renamed chapter, a chapter gone from the book)."""
    for rel in old.files if old else ():
        if rel not in keep:
            (layout.root / rel).unlink(missing_ok=True)


def playlist_text(book: Book, tracks: Sequence[ChapterTrack]) -> str:
    """An extended M3U (UTF-8, paths relative to the playlist, which sits in the book folder)."""
    lines = ["#EXTM3U", f"#PLAYLIST:{book.title}"]
    for track in tracks:
        artist = f"{book.author} - " if book.author else ""
        lines += [f"#EXTINF:{round(track.duration)},{artist}{track.title}", track.path]
    return "\n".join(lines) + "\n"


def book_marks(entries: Sequence[ChapterEntry]) -> list[Mark]:
    """Every chapter's marks, shifted to where the chapter starts in the whole book."""
    marks: list[Mark] = []
    offset = 0.0
    for entry in entries:
        marks += [replace(m, start=m.start + offset, end=m.end + offset) for m in entry.marks]
        offset += entry.track.duration
    return marks


def _write_m4b(chapters: Sequence[Chapter], layout: Layout, tags: TrackTags, entries: Sequence[ChapterEntry]) -> None:
    """Join the chapters' AAC parts into the M4B, with the chapter marks and the book's tags."""
    rates = {e.sample_rate for e in entries}
    if len(rates) != 1:
        raise OutputError(f"cannot write {layout.m4b}: chapters have different sample rates {sorted(rates)}")
    with tempfile.TemporaryDirectory() as scratch, atomic_path(layout.m4b) as tmp:
        meta = Path(scratch) / "chapters.txt"
        meta.write_text(ffmetadata(tags, book_marks(entries)), encoding="utf-8")
        container = (
            "-i", str(meta), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
            "-metadata:s:a:0", f"language={tags.language}", "-movflags", "+faststart", "-brand", "M4B ", "-f", "ipod",
        )  # fmt: skip
        parts = [layout.root / p.files[1] for e in entries for p in e.parts]
        join_to_m4b(parts, rates.pop(), tmp, container, what=str(layout.m4b))
        _tagging(tmp, write_mp4_extras, tags)
    log.info("%s: joined from %d parts", layout.m4b.name, len(parts))


@dataclass(frozen=True)
class Audiobook:
    tracks: list[ChapterTrack]  # every built chapter's, in book order
    encoded: tuple[str, ...]  # the ids of the chapters encoded in this run


def build_audiobook(
    book: Book,
    clips: Mapping[str, Clip],
    voice: Voice,
    layout: Layout,
    *,
    chapters: Sequence[int] | None = None,
    cover: Path | bytes | None = None,
    target_lufs: float = TARGET_LUFS,
    m4b: bool = True,
) -> Audiobook:
    """Build (or reuse) the chapter MP3s, then the playlist and the M4B.

    ``chapters``: chapter numbers to build (default all); the others are left untouched.
    A chapter whose inputs did not change since the last build (see `tracks.Manifest`)
    is not encoded again. The playlist and the M4B span the book: they are rewritten
    after any build once every chapter exists, and only when something in them changed;
    the M4B also needs every chapter up to date and the clips of all chapters (else it
    waits for a full build, with a warning).
    Returns the tracks of all built chapters, in book order, and which were encoded now.

    Raises `ClipError` (with the sentence ids) when a clip of a selected chapter is
    missing or corrupt, `OutputError` when a file cannot be written (no partial file is
    left under a final name).
    """
    audible = [c for c in book.chapters if next(c.sentences(), None)]
    wanted = {c.id for c in select_chapters(book, chapters)}
    book_tags = _book_tags(book, voice, _read_cover(cover))
    manifest = Manifest.load(layout)

    def tags_of(index: int, chapter: Chapter) -> TrackTags:
        return replace(book_tags, title=chapter_label(chapter), track=index, total=len(audible))

    keys: dict[str, str] = {}

    def key(index: int, chapter: Chapter) -> str:
        if chapter.id not in keys:
            stem = layout.chapter_stem(chapter)
            keys[chapter.id] = _chapter_key(chapter, clips, voice.pauses, tags_of(index, chapter), stem, target_lufs)
        return keys[chapter.id]

    def up_to_date(index: int, chapter: Chapter) -> bool:
        old = manifest.chapters.get(chapter.id)
        if old is None:
            return False
        try:
            same = old.key == key(index, chapter)
        except KeyError:
            return False  # a clip is not at hand: require_clips names it
        damaged = old.damaged(layout.root) if same else []
        if damaged:
            log.warning("%s: damaged or missing since it was made; encoding it again", ", ".join(damaged))
        return same and not damaged

    todo = [(i, c) for i, c in enumerate(audible, 1) if c.id in wanted and not up_to_date(i, c)]
    require_clips([c for _, c in todo], clips)

    def finish(started: _Started) -> None:
        entry = _finish_chapter(started, layout)
        _remove_stale(layout, manifest.chapters.get(started.chapter.id), entry.files)
        manifest.chapters[started.chapter.id] = entry.stamped(layout.root)
        manifest.save(layout)  # after every chapter: an interrupted build keeps what is done

    # One chapter is joined while the next one's parts are encoded: the pool never waits
    # for a chapter's last part, and at most two chapters' plans are held.
    pool = ThreadPoolExecutor(_workers(), thread_name_prefix="encode")
    try:
        previous: _Started | None = None
        for index, chapter in todo:
            old = manifest.chapters.get(chapter.id)
            started = _start_chapter(pool, chapter, clips, voice, layout, tags_of(index, chapter), key(index, chapter), target_lufs, old)
            if previous:
                finish(previous)
            previous = started
        if previous:
            finish(previous)
    finally:
        pool.shutdown(cancel_futures=True)  # after a failure: no part is begun in vain
    gone = set(manifest.chapters) - {c.id for c in audible} if chapters is None else set()
    for chapter_id in gone:
        _remove_stale(layout, manifest.chapters.pop(chapter_id), ())
    if gone:
        manifest.save(layout)

    entries = [manifest.chapters[c.id] for c in audible if c.id in manifest.chapters]
    tracks = [e.track for e in entries]
    result = Audiobook(tracks, tuple(c.id for _, c in todo))
    if len(entries) < len(audible):
        log.info("playlist and M4B wait for the other chapters (%d of %d built)", len(entries), len(audible))
        return result
    write_text_if_changed(layout.playlist, playlist_text(book, tracks))
    if m4b:
        _update_m4b(audible, layout, book_tags, manifest, key)
    return result


def _update_m4b(
    chapters: Sequence[Chapter], layout: Layout, tags: TrackTags, manifest: Manifest, key: Callable[[int, Chapter], str]
) -> None:
    """Write the M4B if what it is made of changed: it needs every chapter up to date and
    the clips of every chapter at hand (a one-chapter run may not have them)."""
    entries = [manifest.chapters[c.id] for c in chapters]
    try:
        current = [key(i, c) for i, c in enumerate(chapters, 1)]
    except KeyError as e:
        log.warning("%s not updated: the clip of %s is not at hand (run a full build)", layout.m4b, e.args[0])
        return
    stale = [c.id for c, e, k in zip(chapters, entries, current) if e.key != k]
    if stale:
        log.warning("%s not updated: chapter(s) %s changed since they were built (run a full build)", layout.m4b, ", ".join(stale))
        return
    # The stamps too: a chapter may keep an earlier gain (GAIN_TOLERANCE), so its key alone
    # does not say which parts it was joined from.
    stamps = [e.stamps for e in entries]
    book_key = _digest(current, stamps, replace(tags, cover=None), hashlib.sha256(tags.cover or b"").hexdigest())
    if manifest.book_key == book_key and manifest.m4b is not None and manifest.m4b.matches(layout.m4b):
        return
    if manifest.book_key == book_key:
        log.warning("%s: damaged or missing since it was made; encoding it again", layout.m4b.name)
    _write_m4b(chapters, layout, tags, entries)
    manifest.book_key, manifest.m4b = book_key, Stamp.of(layout.m4b)
    manifest.save(layout)
