"""Loudness normalization, the limiter, and encoding checked against the encoded files."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from accessible import ffmpeg
from accessible.audio.encoding import AAC, AAC_FRAME, MP3, adts_frames, encode_chapter, file_length, level_change
from accessible.audio.loudness import PEAK_CEILING, apply_gain, limit, loudness_gain, peak_envelope, to_float

from audio_helpers import RATE, speechlike


def _speech(seconds: int = 8, gain: float = 0.3) -> np.ndarray:
    return (speechlike(seconds * 5, seed=3) * gain).astype(np.float32)


def test_the_gain_brings_speech_to_the_target():
    x = _speech(gain=0.05)
    db = loudness_gain([x[: len(x) // 3], x[len(x) // 3 :]], RATE, target=-23.0)  # streamed in blocks
    assert abs(ffmpeg.integrated_loudness([apply_gain(x, db)], RATE) - -23.0) <= 0.1


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
    x = apply_gain(x, loudness_gain([x], RATE))
    mp3, part = tmp_path / "a.mp3", tmp_path / "a.aac"
    done = encode_chapter([x], RATE, file_length(len(x), RATE), mp3, part, ceiling=PEAK_CEILING, what="a.mp3")
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


def test_silence_is_left_alone(caplog):
    x = np.zeros(RATE * 2, dtype=np.float32)
    with caplog.at_level(logging.WARNING, logger="accessible"):
        assert loudness_gain([x], RATE, what="chapter 'x'") == 0
    assert "chapter 'x' is silent" in caplog.text


def test_codec_level_changes_are_measured():
    # LAME's CBR presets scale the input by 0.95; the AAC encoder keeps the level.
    assert level_change(MP3, RATE) == pytest.approx(20 * np.log10(0.95), abs=0.05)
    assert abs(level_change(AAC, RATE)) < 0.1


@pytest.mark.parametrize("extra", [0, 100, 560])
def test_files_decode_to_exactly_the_recorded_length(tmp_path, extra):
    # With 560 extra samples and no added tail, the last MP3 frame would need 11 samples of
    # padding, a case where ffmpeg's LAME header is wrong: the length is chosen around it.
    x = _speech(4)
    x = np.pad(apply_gain(x, loudness_gain([x], RATE)), (0, extra))
    mp3, part = tmp_path / "a.mp3", tmp_path / "a.aac"
    length = file_length(len(x), RATE)
    assert length % AAC_FRAME == 0 and 0 <= length - len(x) < 3 * AAC_FRAME
    done = encode_chapter([x[:30000], x[30000:]], RATE, length, mp3, part, ceiling=PEAK_CEILING, what="a.mp3")
    decoded, _ = ffmpeg.decode(mp3)
    assert len(decoded) == done.samples == length
    # The part: the priming frame, then one frame per 1024 samples (what the M4B join counts on).
    assert len(adts_frames(part)) == length // AAC_FRAME + 1
    # the file starts where the PCM starts: first sound at the same sample
    onset = int(np.argmax(np.abs(x) > 0.01))
    assert abs(int(np.argmax(np.abs(to_float(decoded)) > 0.01)) - onset) <= 2
