"""The clip cache: keys, round trips, damaged files, stats and clear."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from accessible.cache import CachedClips, ClipCache, clip_key, decode_clip, default_dir, encode_clip
from accessible.model import Clip, Sentence, Timing
from accessible.speech import read_sentence
from accessible.voices import load_voice

CLIP = Clip(pcm=bytes(range(256)) * 10, sample_rate=24000, timings=(Timing(0.0, 0.05, 0, 2), Timing(0.05, 0.05, 2, 3)))


def sentence(text: str) -> Sentence:
    return Sentence(id="c01-s00-p001-t001", text=text, reading=read_sentence(text))


def test_round_trip(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    assert cache.get("ab" * 32) is None
    cache.put("ab" * 32, CLIP)
    assert cache.get("ab" * 32) == CLIP
    assert decode_clip(encode_clip(CLIP)) == CLIP


def test_key_follows_everything_that_changes_the_sound() -> None:
    voice = load_voice("baker")
    s = sentence("年均增长8.2%。")
    key = clip_key("baker", "model-1", voice, s)
    assert key == clip_key("baker", "model-1", voice, sentence("年均增长8.2%。"))
    others = [
        clip_key("edge", "model-1", voice, s),
        clip_key("baker", "model-2", voice, s),
        clip_key("baker", "model-1", replace(voice, rate=1.2), s),
        clip_key("baker", "model-1", replace(voice, pitch=0.9), s),
        clip_key("baker", "model-1", replace(voice, pauses=replace(voice.pauses, clause=0.3)), s),
        clip_key("baker", "model-1", voice, sentence("年均增长8.3%。")),
        clip_key("baker", "model-1", voice, replace(s, reading=replace(s.reading, words=()))),
    ]
    assert len({key, *others}) == len(others) + 1
    # the sentence pause acts between clips (the audio stage), not inside one
    assert key == clip_key("baker", "model-1", replace(voice, pauses=replace(voice.pauses, sentence=0.9)), s)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # a copy cut short
        lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:],  # one flipped bit
        lambda data: b"",
        lambda data: b"RIFF" + data[4:],
    ],
)
def test_damaged_file_is_reported_removed_and_missing(tmp_path: Path, caplog, damage) -> None:
    cache = ClipCache(tmp_path)
    key = "cd" * 32
    cache.put(key, CLIP)
    path = cache.path(key)
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="accessible"):
        assert cache.get(key) is None
    assert "damaged" in caplog.text and str(path) in caplog.text
    assert not path.exists()


def test_stats_and_clear(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "clips")
    for n in range(3):
        cache.put(f"{n:02d}" * 32, CLIP)
    (tmp_path / "clips" / "notes.txt").write_text("kept")
    stats = cache.stats()
    assert stats.clips == 3 and stats.bytes == sum(len(encode_clip(CLIP, f"{n:02d}" * 32)) for n in range(3))
    assert cache.clear() == 3
    assert cache.stats().clips == 0
    assert (tmp_path / "clips" / "notes.txt").read_text() == "kept"  # only clips are removed
    assert ClipCache(tmp_path / "absent").stats().clips == 0


def test_default_dir_follows_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ACCESSIBLE_CACHE_DIR", str(tmp_path))
    assert default_dir() == tmp_path and ClipCache().root == tmp_path
    monkeypatch.delenv("ACCESSIBLE_CACHE_DIR")
    assert default_dir() == Path.home() / ".cache" / "accessible" / "clips"


def test_cached_clips_read_on_demand(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    cache.put("ef" * 32, CLIP)
    clips = CachedClips(cache, {"a": "ef" * 32, "b": "ef" * 32, "gone": "00" * 32})
    assert len(clips) == 3 and list(clips) == ["a", "b", "gone"]
    assert clips["a"] == CLIP and clips.get("b") == CLIP
    assert clips.get("gone") is None  # the audio stage reports it as a missing clip


def test_a_clip_file_under_another_key_is_reported_removed_and_missing(tmp_path: Path, caplog) -> None:
    cache = ClipCache(tmp_path)
    mine, other = "12" * 32, "34" * 32
    cache.put(other, CLIP)
    cache.path(mine).parent.mkdir(parents=True, exist_ok=True)
    cache.path(mine).write_bytes(cache.path(other).read_bytes())  # copied under the wrong name
    with caplog.at_level(logging.WARNING, logger="accessible"):
        assert cache.get(mine) is None
    assert f"holds the clip of key {other[:12]}" in caplog.text and not cache.path(mine).exists()
    assert cache.get(other) == CLIP
    legacy = tmp_path / "legacy"  # files written before clips named their key are still read
    ClipCache(legacy).path(mine).parent.mkdir(parents=True)
    ClipCache(legacy).path(mine).write_bytes(encode_clip(CLIP))
    assert ClipCache(legacy).get(mine) == CLIP
