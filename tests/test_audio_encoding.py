"""Loudness normalization, the limiter, and encoding checked against the encoded files."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from accessible import ffmpeg
from accessible.audio.assemble import PART_GRAIN
from accessible.audio.encoding import AAC, AAC_FRAME, MP3, adts_frames, encode_part, level_change
from accessible.audio.loudness import PEAK_CEILING, apply_gain, block_energies, limit, loudness_gain, peak_envelope
from accessible.audio.mp3 import crc16, join_mp3, read_mp3

from audio_helpers import RATE, lag_and_similarity, speechlike


def _speech(seconds: int = 8, gain: float = 0.3) -> np.ndarray:
    return (speechlike(seconds * 5, seed=3) * gain).astype(np.float32)


def _grain(x: np.ndarray) -> np.ndarray:
    return np.pad(x, (0, -len(x) % PART_GRAIN))


def test_the_gain_brings_speech_to_the_target():
    # Our meter (K-weighting by FFT, BS.1770 gating over stored blocks) agrees with ffmpeg's.
    x = _speech(gain=0.05)
    energies = block_energies([x[: len(x) // 3], x[len(x) // 3 :]], RATE)  # streamed in blocks
    db = loudness_gain(energies, target=-23.0)
    assert abs(ffmpeg.integrated_loudness([apply_gain(x, db)], RATE) - -23.0) <= 0.1
    # A chapter's loudness from its parts' blocks: within a few hundredths of the whole's.
    y = (speechlike(60, seed=8) * 0.3).astype(np.float32)
    both = block_energies([_grain(x)], RATE) + block_energies([y], RATE)
    whole = ffmpeg.integrated_loudness([_grain(x), y], RATE)
    assert abs(-18.0 - loudness_gain(both, target=-18.0) - whole) <= 0.1


def test_peaks_are_limited_without_moving_anything(tmp_path):
    x = _speech()
    x[RATE * 3 : RATE * 3 + 40] += 0.9 * np.hanning(40).astype(np.float32)  # a click far above the speech
    y = limit(x, RATE, -6.0)
    assert peak_envelope(y).max() <= 10 ** (-6 / 20) + 1e-3
    # Only the neighbourhood of the peaks is touched, and silence stays silence
    # (no delay line, no shift).
    assert (y == x).mean() > 0.5
    assert np.array_equal(y[x == 0], x[x == 0])
    # Encoded at the target, both files meet the target and the ceiling without being
    # metered by the encoder (what the codecs do to level and peaks is compensated).
    x = _grain(apply_gain(x, loudness_gain(block_energies([x], RATE))))
    mp3, part = tmp_path / "a.mp3", tmp_path / "a.aac"
    done = encode_part([x], RATE, len(x), mp3, part, ceiling=PEAK_CEILING, what="a.mp3")
    assert done.limited
    for path in (mp3, part):
        metered = ffmpeg.meter_file(path).loudness
        assert abs(metered.integrated - -18.0) <= 0.5 and metered.true_peak <= PEAK_CEILING, (path.name, metered)


def test_limiter_caps_inter_sample_peaks():
    t = np.arange(RATE) / RATE
    # A tone at a quarter of the sample rate, phased so every sample misses the crest by
    # 45 degrees: sample peak is 3 dB below the true peak.
    x = (0.99 * np.sin(2 * np.pi * RATE / 4 * t + np.pi / 4)).astype(np.float32)
    assert np.abs(x).max() < 0.71
    assert peak_envelope(x).max() > 0.95
    y = limit(x, RATE, -6.0)
    assert peak_envelope(y).max() <= 10 ** (-6 / 20) + 1e-3


def test_the_limiter_interpolates_only_where_a_peak_can_reach_the_ceiling():
    # Speech with clicks at and across the edges of the chunks the envelope is computed in:
    # wherever the true envelope is above the level, the shortcut computes it exactly, and
    # the limiter's output is the one the full envelope gives.
    from accessible.audio import loudness

    x = _speech(gain=0.6)
    for at in (1024 - 3, 4096, 9 * 1024 + 5, len(x) - 4):
        x[at : at + 3] = [0.7, -0.8, 0.75]
    level = np.float32(10 ** (-4 / 20))
    full, fast = peak_envelope(x), loudness._envelope_above(x, level)
    assert (full > level).sum() >= 12
    assert np.array_equal(fast[full > level], full[full > level]) and (fast[full <= level] <= level).all()
    y = limit(x, RATE, -4.0)
    assert peak_envelope(y).max() <= level + 1e-3


def test_silence_is_left_alone(caplog):
    x = np.zeros(RATE * 2, dtype=np.float32)
    with caplog.at_level(logging.WARNING, logger="accessible"):
        assert loudness_gain(block_energies([x], RATE), what="chapter 'x'") == 0
    assert "chapter 'x' is silent" in caplog.text


def test_codec_level_changes_are_measured():
    # LAME's CBR presets scale the input by 0.95; the AAC encoder keeps the level.
    assert level_change(MP3, RATE) == pytest.approx(20 * np.log10(0.95), abs=0.05)
    assert abs(level_change(AAC, RATE)) < 0.1


def test_parts_joined_decode_like_one_encode_to_the_sample(tmp_path):
    # Three parts (each a whole number of frames, meeting in silence) encoded on their own
    # and joined: the MP3 decodes to exactly the PCM's length, lines up with it at lag 0,
    # and differs from one encode of the whole PCM only by coding noise; its header is the
    # one ffmpeg writes for that whole encode but for the CRCs of the (other) audio bytes.
    parts = [_grain(np.pad(speechlike(n, seed=n) * 0.3, (0, RATE // 2))).astype(np.float32) for n in (30, 45, 20)]
    whole = np.concatenate(parts)
    files = []
    for i, x in enumerate(parts):
        mp3, aac = tmp_path / f"{i}.mp3", tmp_path / f"{i}.aac"
        assert encode_part([x[:5000], x[5000:]], RATE, len(x), mp3, aac, ceiling=PEAK_CEILING, what="p").samples == len(x)
        assert len(adts_frames(aac)) == len(x) // AAC_FRAME + 1  # the priming frame, then one per 1024 samples
        files.append((mp3, len(x)))
    joined, one = tmp_path / "joined.mp3", tmp_path / "one.mp3"
    assert join_mp3(files, joined) == len(whole)
    encode_part([whole], RATE, len(whole), one, tmp_path / "one.aac", ceiling=PEAK_CEILING, what="one")
    a, b = read_mp3(joined), read_mp3(one)
    assert len(a.frames) == len(b.frames) and (a.delay, a.padding) == (b.delay, b.padding) == (576, b.padding)
    crcs = slice(a.tag + 152, a.tag + 156)
    assert a.header[: crcs.start] + a.header[crcs.stop :] == b.header[: crcs.start] + b.header[crcs.stop :]
    data = joined.read_bytes()
    assert int.from_bytes(a.header[crcs][:2], "big") == crc16(data[len(a.header) :])
    decoded, _ = ffmpeg.decode(joined)
    reference, _ = ffmpeg.decode(one)
    assert len(decoded) == len(reference) == len(whole)
    lag, similarity = lag_and_similarity(decoded, whole * 32768)
    assert lag == 0 and similarity > 0.99
    noise = decoded.astype(float) - reference
    assert np.sqrt(np.mean(noise**2)) < 0.05 * np.sqrt(np.mean(reference.astype(float) ** 2))


def test_an_mp3_of_one_part_is_joined_as_ffmpeg_wrote_it(tmp_path):
    x = _grain(_speech(3))
    mp3 = tmp_path / "a.mp3"
    encode_part([x], RATE, len(x), mp3, tmp_path / "a.aac", ceiling=PEAK_CEILING, what="a")
    join_mp3([(mp3, len(x))], tmp_path / "b.mp3")
    assert (tmp_path / "b.mp3").read_bytes() == mp3.read_bytes()
