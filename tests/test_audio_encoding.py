"""Loudness normalization, the limiter, and encoding checked against the encoded file."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from accessible import ffmpeg
from accessible.encoding import AAC, MP3, encode_to_target, level_change
from accessible.loudness import CODEC_HEADROOM, PEAK_CEILING, limit, normalize, peak_envelope, to_float

from audio_helpers import RATE, speechlike


def _speech(seconds: int = 8, gain: float = 0.3) -> np.ndarray:
    return (speechlike(seconds * 5, seed=3) * gain).astype(np.float32)


def test_quiet_speech_gets_a_pure_gain_to_the_target():
    x = _speech(gain=0.05)  # peaks far below the ceiling even after the gain
    y, gain, after = normalize(x, RATE, target=-23.0)
    assert gain.limit_db is None
    np.testing.assert_allclose(y, x * 10 ** (gain.db / 20), rtol=1e-5)
    measured = ffmpeg.measure(y, RATE)
    assert abs(measured.integrated - -23.0) <= 0.15
    assert after.integrated == pytest.approx(measured.integrated, abs=0.15)


def test_peaky_speech_is_limited_without_moving_anything():
    x = _speech()
    spike = np.zeros_like(x)
    spike[RATE * 3 : RATE * 3 + 40] = 0.9 * np.hanning(40)  # a click far above the speech
    x = x + spike
    y, gain, after = normalize(x, RATE)
    assert gain.limit_db is not None
    measured = ffmpeg.measure(y, RATE)
    assert abs(measured.integrated - -18.0) <= 0.15
    assert measured.true_peak <= PEAK_CEILING - CODEC_HEADROOM + 0.1
    # Only the neighbourhood of peaks is touched: elsewhere the result is the plain gain,
    # and silence stays silence (no delay line, no shift).
    plain = x * np.float32(10 ** (gain.db / 20))
    untouched = np.abs(y - plain) < 1e-6
    assert untouched.mean() > 0.5
    assert np.array_equal(y[x == 0], x[x == 0])


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
        y, gain, _ = normalize(x, RATE, what="chapter 'x'")
    assert gain.db == 0 and not y.any()
    assert "chapter 'x' is silent" in caplog.text


def test_codec_level_changes_are_measured():
    # LAME's CBR presets scale the input by 0.95; the AAC encoder keeps the level.
    assert level_change(MP3, RATE) == pytest.approx(20 * np.log10(0.95), abs=0.05)
    assert abs(level_change(AAC, RATE)) < 0.1


@pytest.mark.parametrize("extra", [0, 100, 560])
def test_mp3_decodes_to_exactly_the_recorded_length(tmp_path, extra):
    # With 560 extra samples the last frame needs 11 samples of padding, a case where
    # ffmpeg's LAME header is wrong: the tail is lengthened so the file decodes exactly.
    x, _, _ = normalize(_speech(4), RATE)
    x = np.pad(x, (0, extra))
    out = tmp_path / "a.mp3"
    done = encode_to_target(lambda: [x], RATE, out, MP3, target=-18.0, ceiling=PEAK_CEILING, what="a.mp3")
    decoded, _ = ffmpeg.decode(out)
    assert len(decoded) == done.samples and 0 <= done.samples - len(x) < 48
    assert abs(done.loudness.integrated - -18.0) <= 0.3 and done.loudness.true_peak <= PEAK_CEILING
    # the file starts where the PCM starts: first sound at the same sample
    onset = int(np.argmax(np.abs(x) > 0.01))
    assert abs(int(np.argmax(np.abs(to_float(decoded)) > 0.01)) - onset) <= 2
