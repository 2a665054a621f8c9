"""The chaptered audiobook on a synthetic book (speech-like clips with known onsets).

The same checks run on the real offline voice in test_audio_real.py.
"""

from __future__ import annotations

import io
import logging
import os
import resource
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from PIL import Image

from accessible import ffmpeg
from accessible.audio import assemble as assemble_module
from accessible.audio.assemble import EDGE_FADE, LEAD_IN, PART_GRAIN, assemble, reading_plan
from accessible.audio.audiobook import build_audiobook, check_clips
from accessible.outputs.captions import write_captions
from accessible.errors import ClipError, InputError, OutputError
from accessible.layout import Layout, chapter_label
from accessible.audio.loudness import PEAK_CEILING, apply_gain, to_pcm16
from accessible.model import Clip
from accessible.audio.tracks import Manifest
from accessible.voices import Pauses, Voice

from audio_helpers import RATE, lag_and_similarity, make_book, make_clip, make_clips, real_voice_excerpt
from test_captions import parse_srt, parse_vtt

VOICE = Voice("baker", "baker", "baker-female", pauses=Pauses(sentence=0.4, paragraph=0.8, heading=1.0, chapter=2.0))


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (150, 24, 28)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module", autouse=True)
def small_parts():
    """Parts of a few characters: the small books' chapters are joined from several parts
    each, as a real report's are, so every test here goes through the joins."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assemble_module, "PART_CHARS", 6)
        yield


@pytest.fixture(scope="module", params=["synthetic", pytest.param("baker", marks=pytest.mark.slow)])
def built(request, tmp_path_factory):
    """The whole audiobook, built once per kind of clip: synthetic, and the real offline voice."""
    if request.param == "synthetic":
        book = make_book()
        clips = make_clips(book)
    else:
        book, clips = real_voice_excerpt()
    layout = Layout.for_book(book, tmp_path_factory.mktemp("out"))
    return book, clips, layout, with_captions(book, clips, layout, cover=_png())


def with_captions(book, clips, layout, **options):
    """The audio stage and then the captions, as a build runs them."""
    tracks = build_audiobook(book, clips, VOICE, layout, **options).tracks
    write_captions(book, tracks, layout)
    return tracks


def expected_marks(book, tracks) -> list[tuple[str, float]]:
    """(title, start in the whole book) of every chapter and titled section."""
    marks, offset = [], 0.0
    for chapter, track in zip(book.chapters, tracks):
        starts = {p.sentence_id: p.start for p in track.sentences}
        marks.append((chapter_label(chapter), offset))
        marks += [(s.title, offset + starts[s.heading.id]) for s in chapter.sections if s.heading]
        offset += track.duration
    return marks


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x.astype(np.float64))))) if len(x) else 0.0


def normalized_chapter(book, clips, layout, chapter_id: str) -> np.ndarray:
    """The PCM the chapter file was encoded from, rebuilt from the clips and the recorded gain
    (and the silence the encoding adds at the end, see encoding.file_length)."""
    chapter = next(c for c in book.chapters if c.id == chapter_id)
    entry = Manifest.load(layout).chapters[chapter_id]
    pcm = to_pcm16(apply_gain(assemble(reading_plan(chapter, VOICE.pauses), clips).pcm / 32768.0, entry.gain_db))
    tail = round(entry.track.duration * entry.sample_rate) - len(pcm)
    assert 0 <= tail < 3 * 1024
    return np.pad(pcm, (0, tail))


# --- assembly (pure) ---------------------------------------------------------------


def test_reading_plan_uses_the_profile_pauses():
    book = make_book()
    pauses = VOICE.pauses
    plan = {s.id: pause for s, pause in reading_plan(book.chapters[2], pauses)}
    assert plan["c02-h"] == pauses.heading  # after the chapter heading
    assert plan["c02-s00-p001-t001"] == pauses.heading  # end of a section, before the next heading
    assert plan["c02-s01-h"] == pauses.heading
    assert plan["c02-s01-p001-t001"] == pauses.sentence  # inside a paragraph
    assert plan["c02-s02-p001-t001"] == pauses.chapter - LEAD_IN  # the chapter's tail
    plan1 = {s.id: pause for s, pause in reading_plan(book.chapters[1], pauses)}
    assert plan1["c01-s00-p001-t002"] == pauses.paragraph  # end of a paragraph


def test_assembly_places_every_sentence_at_exact_sample_offsets():
    book = make_book()
    clips = make_clips(book)
    chapter = book.chapters[2]
    plan = reading_plan(chapter, VOICE.pauses)
    asm = assemble(plan, clips)
    expected = LEAD_IN + sum(clips[s.id].duration + p for s, p in plan)
    # Three parts, cut after the long pauses (before the section headings); each ends on a
    # whole number of both codecs' frames, its last pause lengthened to get there.
    assert [(p.first, p.stop) for p in asm.parts] == [(0, 2), (2, 5), (5, 7)]
    assert [p.start for p in asm.parts] == [0, asm.parts[0].length, asm.parts[0].length + asm.parts[1].length]
    assert all(p.length % PART_GRAIN == 0 for p in asm.parts) and sum(p.length for p in asm.parts) == asm.length
    assert 0 <= asm.duration - expected < (len(asm.parts) * PART_GRAIN + len(plan)) / RATE
    # A longer take in the first part moves the later parts, not what they hold.
    longer = make_clip("二、任务二、任务", seed=5)
    moved = assemble(plan, {**clips, "c02-h": longer})
    assert moved.parts[1].start > asm.parts[1].start
    for a, b in zip(asm.parts[1:], moved.parts[1:]):
        assert np.array_equal(np.concatenate(list(asm.blocks(a))), np.concatenate(list(moved.blocks(b))))
    assert [p.sentence_id for p in asm.placed] == [s.id for s in chapter.sentences()]
    for placed in asm.placed:
        clip = clips[placed.sentence_id]
        first, n = round(placed.start * RATE), len(clip.pcm) // 2
        inner = slice(round(EDGE_FADE * RATE), n - round(EDGE_FADE * RATE))  # the ends are faded
        assert np.array_equal(asm.pcm[first : first + n][inner], np.frombuffer(clip.pcm, "<i2")[inner])
        assert placed.timings[0].start == pytest.approx(placed.start + clip.timings[0].start)
        assert placed.end == pytest.approx(placed.start + clip.duration)


def test_clips_that_end_in_sound_are_faded_not_clicked():
    book = make_book()
    clips = make_clips(book)
    loud = np.full(RATE // 2, 20000, dtype="<i2")  # starts and stops at full tilt
    clips["c01-h"] = Clip(loud.tobytes(), RATE, clips["c01-h"].timings[:1])
    asm = assemble(reading_plan(book.chapters[1], VOICE.pauses), clips)
    first = round(asm.placed[0].start * RATE)
    edge = asm.pcm[first : first + len(loud)].astype(int)
    assert abs(edge[0]) < 200 and abs(edge[-1]) < 200  # no step into or out of the silence
    assert np.all(np.abs(np.diff(edge)) < 1000)
    assert edge[len(loud) // 2] == 20000


# --- the built files ---------------------------------------------------------------


def test_chapter_files_exist_decode_and_last_as_long_as_clips_and_pauses(built):
    book, clips, layout, tracks = built
    assert [t.chapter_id for t in tracks] == [c.id for c in book.chapters]
    for chapter, track in zip(book.chapters, tracks):
        assert track.path == f"audio/{layout.chapter_stem(chapter)}.mp3"
        expected = LEAD_IN + sum(clips[s.id].duration + p for s, p in reading_plan(chapter, VOICE.pauses))
        assembly = assemble(reading_plan(chapter, VOICE.pauses), clips)
        decoded, rate = ffmpeg.decode(layout.root / track.path)
        assert rate == RATE
        assert len(decoded) == assembly.length == round(track.duration * RATE)
        assert 0 <= track.duration - expected < len(assembly.parts) * PART_GRAIN / RATE  # each part ends on the grain


def test_encoded_mp3_lines_up_with_the_source_to_the_sample(built):
    book, clips, layout, tracks = built
    for track in tracks:
        source = normalized_chapter(book, clips, layout, track.chapter_id)
        decoded, _ = ffmpeg.decode(layout.root / track.path)
        lag, similarity = lag_and_similarity(decoded, source)
        assert lag == 0
        assert len(decoded) == len(source)
        assert similarity > 0.95


def test_encoded_m4b_lines_up_with_the_chapters(built):
    book, clips, layout, tracks = built
    source = np.concatenate([normalized_chapter(book, clips, layout, t.chapter_id) for t in tracks])
    decoded, _ = ffmpeg.decode(layout.m4b)
    lag, similarity = lag_and_similarity(decoded, source)
    assert (lag, len(decoded)) == (0, len(source))
    assert similarity > 0.95


def _m4b_chapters(layout, tracks):
    """The M4B decoded and cut into the chapters at the sums of the chapter durations."""
    decoded, rate = ffmpeg.decode(layout.m4b)
    offset = 0
    for track in tracks:
        n = round(track.duration * rate)
        yield track, decoded[offset : offset + n], rate
        offset += n
    assert offset == len(decoded)


@pytest.mark.parametrize("container", ["mp3", "m4b"])
def test_cuts_at_recorded_sentence_times_fall_in_pauses(built, container):
    # In the M4B, joined from chapter parts, every chapter must start exactly where the
    # durations before it add up to, or the cuts drift into speech.
    book, clips, layout, tracks = built
    files = [(t, *ffmpeg.decode(layout.root / t.path)) for t in tracks] if container == "mp3" else _m4b_chapters(layout, tracks)
    for track, decoded, rate in files:
        x = decoded.astype(np.float64)
        ms = rate // 1000
        spans = [(round(p.start * rate), round(p.end * rate), p.sentence_id) for p in track.sentences]
        speech = rms(np.concatenate([x[s:e] for s, e, _ in spans]))
        for s, e, sid in spans:
            # The 100 ms either side of a sentence are the pauses we put there: silent.
            assert rms(x[s - 100 * ms : s]) < speech / 100 and rms(x[e : e + 100 * ms]) < speech / 100, sid
            # Where a clip's own first or last 15 ms are quiet, so is the file there: a cut
            # that fell late (or early) into speech would be loud.
            clip = np.frombuffer(clips[sid].pcm, "<i2").astype(np.float64)
            if rms(clip[: 15 * ms]) < speech / 100:
                assert rms(x[s : s + 15 * ms]) < speech / 30, sid
            if rms(clip[-15 * ms :]) < speech / 100:
                assert rms(x[e - 15 * ms : e]) < speech / 30, sid
            assert rms(x[s:e]) > speech / 4, sid  # and between the cuts, the sentence


def test_every_chapter_reaches_the_loudness_target(built):
    book, clips, layout, tracks = built
    for path in [layout.root / t.path for t in tracks] + [layout.m4b]:
        measured = ffmpeg.meter_file(path).loudness
        assert abs(measured.integrated - -18.0) <= 1.0, (path.name, measured)
        assert measured.true_peak <= PEAK_CEILING + 0.3, (path.name, measured)


def test_mp3_tags_and_chapter_frames(built):
    book, clips, layout, tracks = built
    for n, (chapter, track) in enumerate(zip(book.chapters, tracks), 1):
        id3 = ID3(layout.root / track.path)
        assert id3.version[:2] == (2, 4)
        assert str(id3["TIT2"]) == chapter_label(chapter) and str(id3["TALB"]) == book.title
        assert str(id3["TPE1"]) == book.author and str(id3["TLAN"]) == "zho"
        assert str(id3["TRCK"]) == f"{n}/{len(tracks)}"
        assert id3.getall("APIC")[0].mime == "image/png"
        ids = [chapter.id] + [s.id for s in chapter.sections if s.heading]
        assert list(id3.getall("CTOC")[0].child_element_ids) == ids
        chaps = {c.element_id: c for c in id3.getall("CHAP")}
        assert sorted(chaps) == sorted(ids)
        starts = {p.sentence_id: p.start for p in track.sentences}
        assert chaps[chapter.id].start_time == 0 and str(chaps[chapter.id].sub_frames["TIT2"]) == chapter_label(chapter)
        for section in (s for s in chapter.sections if s.heading):
            assert chaps[section.id].start_time == round(starts[section.heading.id] * 1000)
            assert str(chaps[section.id].sub_frames["TIT2"]) == section.title
        assert max(c.end_time for c in chaps.values()) == round(track.duration * 1000)


def test_m4b_chapter_list_has_every_chapter_and_section(built):
    book, clips, layout, tracks = built
    expected = expected_marks(book, tracks)
    assert len(expected) > len(tracks)  # sections too
    found = ffmpeg.read_chapters(layout.m4b)
    assert [c.title for c in found] == [t for t, _ in expected]
    for chapter, (_, start) in zip(found, expected):
        assert abs(chapter.start - start) < 0.002
    assert abs(found[-1].end - sum(t.duration for t in tracks)) < 0.002
    mp4 = MP4(layout.m4b)
    assert [c.title for c in mp4.chapters] == [t for t, _ in expected]
    assert mp4.tags["©nam"] == [book.title] and mp4.tags["©ART"] == [book.author]
    assert mp4.tags["stik"] == [2] and mp4.tags["covr"]


def test_playlist_lists_the_chapters_with_durations(built):
    book, clips, layout, tracks = built
    lines = layout.playlist.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    entries = [(lines[i], lines[i + 1]) for i, line in enumerate(lines) if line.startswith("#EXTINF:")]
    assert [path for _, path in entries] == [t.path for t in tracks]
    for (info, path), track in zip(entries, tracks):
        assert int(info.split(":")[1].split(",")[0]) == round(track.duration)
        assert (layout.playlist.parent / path).is_file()


def test_captions_parse_and_stay_inside_the_file(built):
    book, clips, layout, tracks = built
    texts = {s.id: s.text for s in book.sentences()}
    for track in tracks:
        stem = Path(track.path).stem
        vtt = parse_vtt((layout.captions_dir / f"{stem}.vtt").read_text(encoding="utf-8"))
        srt = parse_srt((layout.captions_dir / f"{stem}.srt").read_text(encoding="utf-8"))
        words = parse_vtt((layout.captions_dir / f"{stem}.words.vtt").read_text(encoding="utf-8"))
        pieces: dict[str, str] = {}  # a long sentence comes in pieces, ids "<sentence>.<n>"
        for c in vtt:
            pieces[c.id.partition(".")[0]] = pieces.get(c.id.partition(".")[0], "") + c.text
        assert pieces == {p.sentence_id: texts[p.sentence_id] for p in track.sentences}
        assert [c.text for c in words] == [c.text for c in vtt]
        assert [(c.start, c.end) for c in srt] == [(c.start, c.end) for c in vtt] == [(c.start, c.end) for c in words]
        times = [t for c in vtt for t in (c.start, c.end)]
        assert times == sorted(times) and times[0] >= 0 and times[-1] <= track.duration
        assert all(c.start < c.end for c in vtt)


def test_outputs_are_ordinary_files_not_private_temporaries(built):
    book, clips, layout, tracks = built
    mask = os.umask(0)
    os.umask(mask)
    for path in [layout.root / tracks[0].path, layout.m4b, layout.playlist, *layout.captions_dir.iterdir()]:
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path.name
    assert not [p for p in layout.root.rglob("*.part*")]


def test_manifest_gives_the_tracks_back(built):
    book, clips, layout, tracks = built
    chapters = Manifest.load(layout).chapters
    assert [chapters[c.id].track for c in book.chapters] == tracks


# --- incremental builds ------------------------------------------------------------


def _mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_rebuilding_one_chapter_touches_only_its_files(tmp_path):
    book = make_book()
    clips = make_clips(book)
    layout = Layout.for_book(book, tmp_path)
    with_captions(book, clips, layout)
    before = _mtimes(layout.root)
    with_captions(book, clips, layout)
    assert _mtimes(layout.root) == before  # nothing changed: nothing written

    longer = make_clip("经济平稳增长。", seed=99)  # another take, 0.1 s longer: later sentences move
    clips["c01-s00-p001-t001"] = Clip(longer.pcm + bytes(2 * RATE // 10), RATE, longer.timings)
    tracks = with_captions(book, clips, layout, chapters=[1])
    after = _mtimes(layout.root)
    changed = {name for name in after if after[name] != before.get(name)}
    parts = {name for name in changed if name.startswith(".audio-parts/")}
    # the chapter's first part encoded anew (MP3 and AAC; the others too if the gain moved:
    # see the next test); the M4B is joined again from the parts
    assert parts and all(n.startswith(".audio-parts/01-一、回顾-") for n in parts)
    assert all(n.startswith(".audio-parts/01-") for n in before if n not in after)
    assert changed - parts == {
        "audio/01-一、回顾.mp3",
        "captions/01-一、回顾.vtt",
        "captions/01-一、回顾.srt",
        "captions/01-一、回顾.words.vtt",
        "audio/manifest.json",
        "测试报告.m4b",  # spans every chapter, so it follows any change
    }
    assert len(tracks) == 3


def test_a_renamed_chapter_leaves_no_stale_files(tmp_path):
    from dataclasses import replace

    book = make_book()
    clips = make_clips(book)
    layout = Layout.for_book(book, tmp_path)
    with_captions(book, clips, layout, m4b=False)
    renamed = replace(book, chapters=(book.chapters[0], replace(book.chapters[1], heading=replace(book.chapters[1].heading, text="一、总结")), book.chapters[2]))
    tracks = with_captions(renamed, clips, layout, chapters=[1], m4b=False)
    names = sorted(p.name for p in layout.audio_dir.glob("*.mp3"))
    assert names == ["00-开篇.mp3", "01-一、总结.mp3", "02-二、任务.mp3"]
    assert not list(layout.captions_dir.glob("01-一、回顾*"))
    assert tracks[1].title == "一、总结"


def test_a_one_chapter_run_without_the_other_clips_leaves_the_m4b_for_a_full_build(tmp_path, caplog):
    book = make_book()
    clips = make_clips(book)
    layout = Layout.for_book(book, tmp_path)
    build_audiobook(book, clips, VOICE, layout)
    m4b_before = layout.m4b.stat().st_mtime_ns
    clips["c01-h"] = make_clip("一、回顾", seed=42)
    only_one = {sid: clip for sid, clip in clips.items() if sid.startswith("c01")}
    with caplog.at_level(logging.WARNING, logger="accessible"):
        tracks = build_audiobook(book, only_one, VOICE, layout, chapters=[1]).tracks
    assert len(tracks) == 3 and layout.m4b.stat().st_mtime_ns == m4b_before
    assert "not updated" in caplog.text
    build_audiobook(book, clips, VOICE, layout)  # the full build brings it up to date
    assert layout.m4b.stat().st_mtime_ns != m4b_before
    assert [c.start for c in ffmpeg.read_chapters(layout.m4b)][1] == pytest.approx(tracks[0].duration, abs=0.002)


def test_with_the_clip_cache_a_damaged_clip_is_named_for_resynthesis(tmp_path):
    from accessible.cache import CachedClips, ClipCache

    book = make_book()
    cache = ClipCache(tmp_path / "cache")
    keys = {sid: f"{n:064x}" for n, sid in enumerate(make_clips(book))}
    for sid, clip in make_clips(book).items():
        cache.put(keys[sid], clip)
    layout = Layout.for_book(book, tmp_path / "out")
    build_audiobook(book, CachedClips(cache, keys), VOICE, layout)
    before = _mtimes(layout.root)
    # Unchanged inputs are recognized by the cache keys: nothing is read or written.
    damaged = cache.path(keys["c02-s01-h"])
    damaged.write_bytes(damaged.read_bytes()[:-100])
    build_audiobook(book, CachedClips(cache, keys), VOICE, layout)
    assert _mtimes(layout.root) == before
    # A chapter that must be encoded again reads its clips: the damaged one is named.
    (layout.root / "audio" / "02-二、任务.mp3").unlink()
    with pytest.raises(ClipError) as err:
        build_audiobook(book, CachedClips(cache, keys), VOICE, layout, chapters=[2])
    assert err.value.sentence_ids == ("c02-s01-h",)


# --- bad input ---------------------------------------------------------------------


def test_missing_and_corrupt_clips_are_named(tmp_path):
    book = make_book()
    clips = make_clips(book)
    del clips["c01-h"]
    good = clips["c01-s00-p001-t001"]
    clips["c01-s00-p001-t001"] = Clip(good.pcm[:-1], good.sample_rate, good.timings)  # truncated
    clips["c01-s00-p002-t001"] = Clip(good.pcm, 16000, good.timings)  # not the book's rate
    clips["c02-h"] = Clip(good.pcm, good.sample_rate, good.timings + (good.timings[0],))  # timings go back
    problems = check_clips(book.chapters, clips)
    assert set(problems) == {"c01-h", "c01-s00-p001-t001", "c01-s00-p002-t001", "c02-h"}
    layout = Layout.for_book(book, tmp_path)
    with pytest.raises(ClipError) as err:
        build_audiobook(book, clips, VOICE, layout, chapters=[1])
    assert set(err.value.sentence_ids) == {"c01-h", "c01-s00-p001-t001", "c01-s00-p002-t001"}
    assert "c01-h: missing" in str(err.value) and "`accessible cache clear`" in str(err.value)
    assert not layout.root.exists()  # nothing was written
    build_audiobook(book, clips, VOICE, layout, chapters=[0])  # the good chapter still builds


def test_unknown_chapter_number_is_an_input_error(tmp_path):
    book = make_book()
    with pytest.raises(InputError, match="no chapter 7"):
        build_audiobook(book, make_clips(book), VOICE, Layout.for_book(book, tmp_path), chapters=[7])


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    book = make_book()
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(OutputError, match="cannot write"):
        build_audiobook(book, make_clips(book), VOICE, Layout.for_book(book, blocker))


def test_full_disk_leaves_no_partial_file(tmp_path):
    # RLIMIT_FSIZE makes writes past 16 KB fail with EFBIG, as a full disk would
    # (Python ignores SIGXFSZ, and so does the ffmpeg it starts).
    book = make_book()
    layout = Layout.for_book(book, tmp_path)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, hard))
    try:
        with pytest.raises(OutputError, match="cannot write .*00-开篇.mp3"):
            build_audiobook(book, make_clips(book), VOICE, layout)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    leftovers = [p.name for p in layout.root.rglob("*") if p.is_file()]
    assert leftovers == [], leftovers
    assert os.access(tmp_path, os.W_OK)


def test_an_edit_encodes_again_only_the_part_it_falls_in(tmp_path, caplog):
    book = make_book()
    clips = make_clips(book)
    layout = Layout.for_book(book, tmp_path)
    with_captions(book, clips, layout)
    first = Manifest.load(layout).chapters["c02"]
    assert len(first.parts) == 3
    before = _mtimes(layout.root)

    # Another take of the last sentence, a little louder: the chapter keeps its gain (the
    # new one is within GAIN_TOLERANCE), so only the last part is encoded again.
    take = make_clip("办好民生实事。", seed=77, gain=1.1)
    clips["c02-s02-p001-t001"] = take
    with caplog.at_level(logging.INFO, logger="accessible"):
        tracks = with_captions(book, clips, layout, chapters=[2])
    assert "1 of 3 parts encoded" in caplog.text
    second = Manifest.load(layout).chapters["c02"]
    assert second.gain_db == first.gain_db and second.parts[:2] == first.parts[:2] and second.parts[2] != first.parts[2]
    after = _mtimes(layout.root)
    for part in first.parts[:2]:
        assert all(after[f] == before[f] for f in part.files)
    assert not any((layout.root / f).exists() for f in first.parts[2].files)  # the old take's files are gone
    source = normalized_chapter(book, clips, layout, "c02")
    decoded, _ = ffmpeg.decode(layout.root / tracks[2].path)
    assert lag_and_similarity(decoded, source)[0] == 0 and len(decoded) == len(source)
    m4b, _ = ffmpeg.decode(layout.m4b)
    assert len(m4b) == sum(round(t.duration * RATE) for t in tracks)

    # A take 10 dB quieter moves the chapter's loudness past the tolerance: a new gain, every part anew.
    clips["c02-s02-p001-t001"] = make_clip("办好民生实事。", seed=77, gain=0.3)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="accessible"):
        with_captions(book, clips, layout, chapters=[2])
    assert "3 of 3 parts encoded" in caplog.text
    assert Manifest.load(layout).chapters["c02"].gain_db != first.gain_db
