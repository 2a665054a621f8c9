"""What a build finds on disk is checked before it is trusted: damaged marker and manifest
files count as absent, and the temporary files of killed writers are removed."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from accessible import ffmpeg
from accessible.audio.audiobook import build_audiobook
from accessible.audio.tracks import FORMAT, Manifest
from accessible.cache import ClipCache, decode_clip, encode_clip
from accessible.fsio import atomic_path, remove_leftovers, write_pieces_if_changed
from accessible.layout import Layout
from accessible.outputs.epub import write_epub
from accessible.outputs.web import write_web
from accessible.segment import segment
from accessible.speech import read_book
from accessible.synth import synthesize_book
from accessible.voices import load_voice

from audio_helpers import make_book, make_clips
from epub_fakes import fake_tracks, small_book

VOICE = load_voice("baker")


@pytest.mark.parametrize("marker", [b"\xff\xfe\x80 not text", b"", b"garbage", b"\x00" * 64, "日志 123".encode()])
def test_a_damaged_epub_marker_means_build_again(tmp_path: Path, marker: bytes):
    book = small_book()
    tracks = fake_tracks(book, tmp_path)
    layout = Layout.for_book(book, tmp_path)
    assert write_epub(book, tracks, layout, voice=VOICE).written
    kept = layout.epub.with_name(f".{layout.epub.name}.inputs")
    kept.write_bytes(marker)
    again = write_epub(book, tracks, layout, voice=VOICE)
    assert again.written and kept.read_text().split()[0] != "garbage"
    assert not write_epub(book, tracks, layout, voice=VOICE).written  # the marker is good again


def test_a_damaged_epub_is_written_again(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    book = small_book()
    tracks = fake_tracks(book, tmp_path)
    layout = Layout.for_book(book, tmp_path)
    write_epub(book, tracks, layout, voice=VOICE)
    good = layout.epub.stat().st_size
    os.truncate(layout.epub, good - 100)
    with caplog.at_level(logging.WARNING, logger="accessible"):
        assert write_epub(book, tracks, layout, voice=VOICE).written
    assert "damaged or missing" in caplog.text and layout.epub.stat().st_size == good
    layout.epub.unlink()
    assert write_epub(book, tracks, layout, voice=VOICE).written and layout.epub.is_file()


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x80",
        b"[]",
        b'{"format": %d, "chapters": []}' % FORMAT,
        b'{"format": %d, "chapters": {"c01": 3}}' % FORMAT,
        b'{"format": %d, "chapters": {"c01": {"key": "k"}}}' % FORMAT,
        b'{"format": %d, "chapters": {}, "m4b": {"size": "1", "sha256": "x"}}' % FORMAT,
        json.dumps({"format": FORMAT, "chapters": {"c01": {
            "key": "k", "sample_rate": 24000, "gain_db": 0, "loudness": -18, "marks": [], "files": ["../../etc/passwd"],
            "stamps": [{"size": 1, "sha256": "x"}],
            "track": {"chapter_id": "c01", "title": "t", "path": "audio/01.mp3", "duration": 1, "sentences": []},
        }}}).encode(),
        json.dumps({"format": FORMAT, "chapters": {"c01": {
            "key": "k", "sample_rate": 24000, "gain_db": 0, "loudness": -18, "marks": [], "files": ["audio/01.mp3"],
            "stamps": [{"size": 1, "sha256": "x"}], "parts": [],
            "track": {"chapter_id": "c01", "title": "t", "path": "audio/01.mp3", "duration": 1,
                      "sentences": {"ids": ["c01-h"], "spans": "", "bounds": "AAAAAAAAAAA=", "times": "", "texts": ""}},
        }}}).encode(),
    ],
)  # fmt: skip
def test_an_unreadable_manifest_counts_as_absent(tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture):
    layout = Layout(tmp_path, "book")
    Manifest.path(layout).parent.mkdir()
    Manifest.path(layout).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="accessible"):
        assert Manifest.load(layout) == Manifest()
    assert "every chapter will be encoded again" in caplog.text


def test_leftovers_of_killed_writers_are_removed_and_nothing_else(tmp_path: Path):
    made = []
    for final in (tmp_path / "book.epub", tmp_path / "audio" / "01-一、回顾.mp3", tmp_path / "audio" / "manifest.json",
                  tmp_path / "web" / "audio" / "02-二.mp3", tmp_path / "README"):  # fmt: skip
        with pytest.raises(KeyboardInterrupt), atomic_path(final) as tmp:
            made.append(tmp)
            tmp.write_bytes(b"half")
            raise KeyboardInterrupt  # atomic_path cleans up after itself ...
    for tmp in made:  # ... unless the process is killed: put the files back as a kill leaves them
        tmp.write_bytes(b"half")
    kept = [tmp_path / ".book.epub.inputs", tmp_path / ".accessible.lock", tmp_path / "audio" / "notes.part.txt",
            tmp_path / ".hidden.part"]  # fmt: skip
    for path in kept:
        path.write_text("not ours")
    assert remove_leftovers(tmp_path) == len(made)
    assert not any(p.exists() for p in made) and all(p.exists() for p in kept)


@pytest.mark.slow
@pytest.mark.parametrize("named", [True, False], ids=["file-names-its-key", "older-file-without-key"])
def test_a_cached_clip_of_another_sentence_is_dropped_and_made_again(tmp_path: Path, caplog, named: bool):
    """The clip file of one sentence stored under another's key (intact checksum): the
    build warns, removes it and synthesizes that sentence again, instead of failing forever."""
    book = read_book(segment("全市地区生产总值年均增长百分之八点二。好。\n"))
    long, short = [s.id for s in book.sentences()]
    cache = ClipCache(tmp_path / "cache")
    first = synthesize_book(book, VOICE, cache, progress=False)
    long_key, short_key = first.clips.key(long), first.clips.key(short)
    content = decode_clip(cache.path(long_key).read_bytes())
    cache.path(short_key).write_bytes(encode_clip(content, long_key if named else ""))
    with caplog.at_level(logging.WARNING, logger="accessible"):
        again = synthesize_book(book, VOICE, cache, progress=False)
    assert (again.synthesized, again.reused) == (1, 1)
    assert str(cache.path(short_key)) in caplog.text and "synthesized again" in caplog.text
    assert again.clips[short].misfit("好。") is None and again.clips[short].duration < content.duration


@pytest.fixture
def audiobook(tmp_path: Path):
    """A synthetic book's audiobook and web page, built once."""
    book = make_book()
    clips = make_clips(book)
    layout = Layout.for_book(book, tmp_path)
    tracks = build_audiobook(book, clips, VOICE, layout).tracks
    write_web(book, tracks, layout)
    return book, clips, layout


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: os.truncate(p, p.stat().st_size // 2),  # cut short in place (the web page's hard link too)
        lambda p: p.unlink(),
        lambda p: p.write_bytes(p.read_bytes()[:5000] + bytes(100) + p.read_bytes()[5100:]),  # same size
    ],
    ids=["truncated", "deleted", "overwritten"],
)  # fmt: skip
def test_a_damaged_chapter_file_is_encoded_again(audiobook, damage, caplog: pytest.LogCaptureFixture):
    book, clips, layout = audiobook
    mp3 = layout.audio_dir / "01-一、回顾.mp3"
    good = mp3.read_bytes()
    damage(mp3)
    with caplog.at_level(logging.WARNING, logger="accessible"):
        again = build_audiobook(book, clips, VOICE, layout)
    assert again.encoded == ("c01",) and "audio/01-一、回顾.mp3: damaged or missing" in caplog.text
    assert mp3.read_bytes() == good  # encoding is deterministic: the file is whole again
    write_web(book, again.tracks, layout)
    assert (layout.web_dir / "audio" / mp3.name).read_bytes() == good
    assert build_audiobook(book, clips, VOICE, layout).encoded == ()


def test_a_damaged_m4b_is_encoded_again(audiobook, caplog: pytest.LogCaptureFixture):
    book, clips, layout = audiobook
    good = layout.m4b.read_bytes()
    os.truncate(layout.m4b, 1000)
    with caplog.at_level(logging.WARNING, logger="accessible"):
        assert build_audiobook(book, clips, VOICE, layout).encoded == ()
    assert f"{layout.m4b.name}: damaged or missing" in caplog.text
    assert layout.m4b.stat().st_size == len(good) and ffmpeg.read_chapters(layout.m4b)


def test_a_text_written_in_pieces_is_rewritten_only_when_it_differs(tmp_path: Path):
    path = tmp_path / "manifest.json"
    assert write_pieces_if_changed(path, lambda: iter(["{", '"章":', "1}"]))
    os.utime(path, ns=(1, 1))
    assert not write_pieces_if_changed(path, lambda: iter(['{"章"', ":1}"])) and path.stat().st_mtime_ns == 1
    path.write_text('{"章":2}', encoding="utf-8")  # the same size, damaged
    assert write_pieces_if_changed(path, lambda: iter(['{"章":1}'])) and path.read_text(encoding="utf-8") == '{"章":1}'
