"""Even loudness: every chapter at the same integrated loudness (EBU R128), peaks capped.

One linear gain per chapter keeps every sentence exactly where it was. A zero-latency
limiter (a gain envelope, no delay line) touches only the few peaks the gain would push
over the ceiling, so timing stays sample-exact in that case too. The meter is ffmpeg's
``ebur128`` (ITU-R BS.1770 gated loudness, 4x oversampled true peak).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .ffmpeg import Loudness, measure

log = logging.getLogger("accessible")

TARGET_LUFS = -18.0
PEAK_CEILING = -1.5  # dBTP, in the final encoded files
# MP3/AAC coding adds ripple to the waveform, so a peak at the ceiling in the PCM can
# land above it after decoding; the PCM is limited this much lower.
CODEC_HEADROOM = 0.5
SILENT = -69.0  # ebur128 reports -70 LUFS for silence (the absolute gate)
_TOLERANCE = 0.1  # LU; ebur128 prints one decimal
_LIMITER_HOLD = 0.010  # s either side of a peak where the gain stays down
_OVERSAMPLE = 4


@dataclass(frozen=True)
class Gain:
    """What was done to a chapter: reproducible with `apply_gain` (the M4B redoes it)."""

    db: float
    limit_db: float | None = None  # true-peak ceiling of the limiter, None when not needed


def to_float(pcm: np.ndarray) -> np.ndarray:
    return pcm.astype(np.float32) / 32768.0


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype("<i2")


_BLOCK = 1 << 20  # samples per block: a long chapter never needs whole-chapter temporaries


def _blockwise(fn: Callable[[np.ndarray], np.ndarray], values: np.ndarray, reach: int) -> np.ndarray:
    """``fn(values)``, computed block by block. Exact for any ``fn`` whose output at a
    sample depends only on the input within ``reach`` samples of it."""
    out = np.empty(len(values), dtype=np.float32)
    for start in range(0, len(values), _BLOCK):
        stop = min(start + _BLOCK, len(values))
        lo, hi = max(0, start - reach), min(len(values), stop + reach)
        out[start:stop] = fn(values[lo:hi])[start - lo : stop - lo]
    return out


def _interpolators() -> list[np.ndarray]:
    # Windowed-sinc taps for the in-between points at 1/4, 2/4, 3/4 of a sample:
    # the same idea as the BS.1770 true-peak meter (4x oversampling, 12 taps per phase).
    taps = np.arange(-5, 7)
    kernels = []
    for phase in range(1, _OVERSAMPLE):
        t = taps - phase / _OVERSAMPLE
        kernels.append((np.sinc(t) * 0.5 * (1 + np.cos(np.pi * t / 6.5))).astype(np.float32))
    return kernels


def _envelope(samples: np.ndarray) -> np.ndarray:
    padded = np.pad(samples.astype(np.float32), (5, 6))
    env = np.abs(samples).astype(np.float32)
    for kernel in _interpolators():
        np.maximum(env, np.abs(np.correlate(padded, kernel, "valid")), out=env)
    return env


def peak_envelope(samples: np.ndarray) -> np.ndarray:
    """Per sample, the largest magnitude of the signal between it and the next sample."""
    return _blockwise(_envelope, samples, 6)


def _sliding_min(values: np.ndarray, half: int) -> np.ndarray:
    """Minimum over [i-half, i+half] for every i (van Herk / Gil-Werman, O(n))."""
    width = 2 * half + 1
    n = len(values)
    padded = np.pad(values, (half, half + (-(n + 2 * half)) % width), constant_values=1.0)
    blocks = padded.reshape(-1, width)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[:n], prefix[width - 1 : width - 1 + n])


def _box_mean(values: np.ndarray, half: int) -> np.ndarray:
    # Edge padding: beyond the ends, the end values (each already covers the samples near
    # it), so the average never exceeds any sample's need there either.
    sums = np.cumsum(np.pad(values, (half + 1, half), mode="edge"), dtype=np.float64)
    return (sums[2 * half + 1 :] - sums[: -2 * half - 1]) / (2 * half + 1)


def limit(samples: np.ndarray, sample_rate: int, ceiling_db: float) -> np.ndarray:
    """Scale down the neighbourhood of every peak above ``ceiling_db`` (true peak), nothing else.

    The gain is the sliding minimum of the needed reduction over ±hold, smoothed by a
    moving average over ±hold/2: the average of minima that all include a sample can
    never exceed that sample's own need, so no peak escapes and the gain moves smoothly.
    """
    ceiling = np.float32(10 ** (ceiling_db / 20))
    if peak_envelope(samples).max(initial=0.0) <= ceiling:
        return samples
    hold = max(1, round(_LIMITER_HOLD * sample_rate))

    def gain(x: np.ndarray) -> np.ndarray:
        need = np.minimum(1.0, ceiling / np.maximum(_envelope(x), 1e-12))
        return _box_mean(_sliding_min(need, hold), hold // 2)

    return (samples * _blockwise(gain, samples, hold + hold // 2 + 7)).astype(np.float32)


def apply_gain(samples: np.ndarray, sample_rate: int, gain: Gain) -> np.ndarray:
    out = (samples * np.float32(10 ** (gain.db / 20))).astype(np.float32)
    return limit(out, sample_rate, gain.limit_db) if gain.limit_db is not None else out


def normalize(
    samples: np.ndarray, sample_rate: int, *, target: float = TARGET_LUFS, ceiling: float = PEAK_CEILING, what: str = "audio"
) -> tuple[np.ndarray, Gain, Loudness]:
    """``samples`` at ``target`` LUFS with true peaks at most ``ceiling`` - headroom; measured, not guessed.

    Returns the new samples, the gain applied and the loudness measured on the result.
    """
    before = measure(samples, sample_rate)
    if before.integrated <= SILENT:
        log.warning("%s is silent; its loudness is left alone", what)
        return samples, Gain(0.0), before
    pcm_ceiling = ceiling - CODEC_HEADROOM
    db = target - before.integrated
    if before.true_peak + db <= pcm_ceiling:
        # A pure gain: the result's loudness is known exactly, no second pass needed.
        gain = Gain(round(db, 3))
        return apply_gain(samples, sample_rate, gain), gain, Loudness(before.integrated + gain.db, before.true_peak + gain.db)
    # Limiting lowers the loudness a little and the sample-domain limiter can miss an
    # inter-sample peak by a hair: measure, correct, and try again (two rounds suffice).
    limit_db = pcm_ceiling
    for _ in range(4):
        gain = Gain(round(db, 3), round(limit_db, 3))
        out = apply_gain(samples, sample_rate, gain)
        after = measure(out, sample_rate)
        loud_ok = abs(after.integrated - target) <= _TOLERANCE
        peak_ok = after.true_peak <= pcm_ceiling + 0.05
        if loud_ok and peak_ok:
            break
        db += target - after.integrated
        if not peak_ok:
            limit_db -= after.true_peak - pcm_ceiling
    else:
        log.warning("%s: loudness %.1f LUFS, true peak %.1f dBTP after limiting", what, after.integrated, after.true_peak)
    return out, gain, after
