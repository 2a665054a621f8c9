"""Even loudness: every chapter at the same integrated loudness (EBU R128), peaks capped.

One linear gain per chapter, from the chapter's loudness as ffmpeg's ``ebur128``
meters it (ITU-R BS.1770 gated loudness), keeps every sentence exactly where it was.
Where that gain would push a peak over the ceiling, a zero-latency limiter (a gain
envelope, no delay line) lowers the neighbourhood of that peak only, so timing stays
sample-exact there too. The limiting happens at encoding (encoding.py), where each
codec's own headroom is known.
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable

import numpy as np

from ..ffmpeg import integrated_loudness

log = logging.getLogger("accessible")

TARGET_LUFS = -18.0
PEAK_CEILING = -1.5  # dBTP, in the final encoded files
SILENT = -69.0  # ebur128 reports -70 LUFS for silence (the absolute gate)
_LIMITER_HOLD = 0.010  # s either side of a peak where the gain stays down
_OVERSAMPLE = 4


def loudness_gain(blocks: Iterable[np.ndarray], sample_rate: int, *, target: float = TARGET_LUFS, what: str = "audio") -> float:
    """The gain (dB) that brings the float PCM ``blocks`` to ``target`` LUFS, measured as
    they stream past (a chapter is never whole in memory); 0 for silence."""
    before = integrated_loudness(blocks, sample_rate)
    if before <= SILENT:
        log.warning("%s is silent; its loudness is left alone", what)
        return 0.0
    return round(target - before, 2)


# These run on whole chapters (55 M samples for the sample's longest): each works in
# its one new array instead of leaving a temporary per step.


def apply_gain(samples: np.ndarray, db: float) -> np.ndarray:
    return (samples * np.float32(10 ** (db / 20))).astype(np.float32, copy=False)


def to_float(pcm: np.ndarray) -> np.ndarray:
    out = pcm.astype(np.float32)
    out /= 32768.0
    return out


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    scaled = samples * 32768.0
    np.rint(scaled, out=scaled)
    np.clip(scaled, -32768, 32767, out=scaled)
    return scaled.astype("<i2")


BLOCK = 1 << 20  # samples per block: a long chapter never needs whole-chapter temporaries


def _blockwise(fn: Callable[[np.ndarray], np.ndarray], values: np.ndarray, reach: int, block: int = BLOCK) -> np.ndarray:
    """``fn(values)``, computed block by block. Exact for any ``fn`` whose output at a
    sample depends only on the input within ``reach`` samples of it."""
    out = np.empty(len(values), dtype=np.float32)
    for start in range(0, len(values), block):
        stop = min(start + block, len(values))
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


# No interpolated point can exceed the largest sample by more than the interpolators'
# largest sum of absolute taps: below the ceiling by that factor, a block needs no envelope.
_OVERSHOOT = max(float(np.abs(k).sum()) for k in _interpolators())


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
    if len(samples) == 0 or float(np.abs(samples).max()) * _OVERSHOOT <= ceiling:
        return samples
    env = peak_envelope(samples)
    if env.max(initial=0.0) <= ceiling:
        return samples
    hold = max(1, round(_LIMITER_HOLD * sample_rate))

    def gain(e: np.ndarray) -> np.ndarray:
        if e.max() <= ceiling:
            return np.ones(len(e), dtype=np.float32)
        need = np.minimum(1.0, ceiling / np.maximum(e, 1e-12))
        return _box_mean(_sliding_min(need, hold), hold // 2)

    # Small blocks: most stretches of speech between peaks are skipped entirely.
    return (samples * _blockwise(gain, env, hold + hold // 2 + 1, block=1 << 15)).astype(np.float32, copy=False)
