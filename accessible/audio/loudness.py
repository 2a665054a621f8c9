"""Even loudness: every chapter at the same integrated loudness (EBU R128), peaks capped.

One linear gain per chapter, from the chapter's gated loudness (ITU-R BS.1770), keeps
every sentence exactly where it was. The loudness is gated over 400 ms blocks; each part
of a chapter (assemble.py) keeps its blocks' energies, so after an edit only the changed
part is metered again, and the chapter's loudness is computed from the stored blocks (a
block never spans two parts: they meet in silence). Checked against ffmpeg's ``ebur128``.
Where that gain would push a peak over the ceiling, a zero-latency limiter (a gain
envelope, no delay line) lowers the neighbourhood of that peak only, so timing stays
sample-exact there too. The limiting happens at encoding (encoding.py), where each
codec's own headroom is known.
"""

from __future__ import annotations

import functools
import logging
from typing import Callable, Iterable, Sequence

import numpy as np

log = logging.getLogger("accessible")

TARGET_LUFS = -18.0
PEAK_CEILING = -1.5  # dBTP, in the final encoded files
SILENT = -69.0  # ebur128 reports -70 LUFS for silence (the absolute gate)
_LIMITER_HOLD = 0.010  # s either side of a peak where the gain stays down
_OVERSAMPLE = 4


_IR_TAPS = 4096  # the K-weighting's impulse response has decayed below 1e-30 by then


@functools.cache
def _k_weighting(sample_rate: int) -> np.ndarray:
    """The impulse response of BS.1770's K-weighting (a high shelf, then a high pass) at
    ``sample_rate``: the filters' analog prototypes as libebur128 (and ffmpeg) derive them."""
    k = np.tan(np.pi * 1681.974450955533 / sample_rate)
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    q = 0.7071752369554196
    a0 = 1 + k / q + k * k
    shelf_b = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf_a = [2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    k = np.tan(np.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    high_b = [1.0, -2.0, 1.0]
    high_a = [2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    x = np.zeros(_IR_TAPS)
    x[0] = 1.0
    for b, a in ((shelf_b, shelf_a), (high_b, high_a)):
        y = np.zeros(_IR_TAPS)
        for n in range(_IR_TAPS):  # once per rate: 4096 steps
            y[n] = b[0] * x[n] + (b[1] * x[n - 1] if n > 0 else 0) + (b[2] * x[n - 2] if n > 1 else 0)
            y[n] -= (a[0] * y[n - 1] if n > 0 else 0) + (a[1] * y[n - 2] if n > 1 else 0)
        x = y
    return x


_FFT = 1 << 16


@functools.cache
def _k_spectrum(sample_rate: int) -> np.ndarray:
    return np.fft.rfft(_k_weighting(sample_rate), _FFT)


def block_energies(blocks: Iterable[np.ndarray], sample_rate: int) -> list[float]:
    """The K-weighted mean square of every 400 ms block (one every 100 ms) of the float PCM
    ``blocks``, streamed: filtered by FFT in fixed chunks, the filter's tail carried over."""
    spectrum, step = _k_spectrum(sample_rate), _FFT - _IR_TAPS + 1
    hop = round(0.1 * sample_rate)
    tail = np.zeros(_IR_TAPS - 1)
    pending = np.zeros(0, dtype=np.float32)  # input not yet filtered (less than a chunk)
    hops: list[np.ndarray] = []
    leftover = np.zeros(0)  # filtered samples not yet a whole hop

    def filtered(chunk: np.ndarray) -> None:
        nonlocal tail, leftover
        y = np.fft.irfft(np.fft.rfft(chunk, _FFT) * spectrum, _FFT)[: len(chunk) + _IR_TAPS - 1]
        y[: len(tail)] += tail
        tail = y[len(chunk) :]
        done = np.concatenate([leftover, y[: len(chunk)]])
        whole = len(done) // hop * hop
        squares = done[:whole].reshape(-1, hop)
        hops.append(np.einsum("ij,ij->i", squares, squares))
        leftover = done[whole:]

    for block in blocks:
        pending = np.concatenate([pending, block])
        while len(pending) >= step:
            filtered(pending[:step])
            pending = pending[step:]
    if len(pending):
        filtered(pending)
    sums = np.concatenate(hops) if hops else np.zeros(0)
    if len(sums) < 4:
        return []
    return ((sums[:-3] + sums[1:-2] + sums[2:-1] + sums[3:]) / (4 * hop)).tolist()


def _lufs(energy: float) -> float:
    return -0.691 + 10 * float(np.log10(energy)) if energy > 0 else -np.inf


def gated_loudness(energies: Sequence[float] | np.ndarray) -> float:
    """BS.1770 integrated loudness (LUFS) of blocks' mean squares: the absolute gate at
    -70 LUFS, then the relative gate 10 LU below the loudness of the blocks that pass it;
    -70 for silence."""
    z = np.asarray(energies, dtype=np.float64)
    z = z[z > 10 ** ((-70 + 0.691) / 10)]
    if not len(z):
        return -70.0
    z = z[z > 10 ** ((_lufs(float(z.mean())) - 10 + 0.691) / 10)]
    return _lufs(float(z.mean()))


def loudness_gain(energies: Sequence[float] | np.ndarray, *, target: float = TARGET_LUFS, what: str = "audio") -> float:
    """The gain (dB) that brings audio of these blocks' energies (`block_energies`) to
    ``target`` LUFS; 0 for silence."""
    before = gated_loudness(energies)
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


_HOT_CHUNK = 1024  # samples: the envelope is computed for whole chunks around a loud sample


def _envelope_above(samples: np.ndarray, level: np.float32) -> np.ndarray:
    """`peak_envelope` wherever it may exceed ``level``; elsewhere the samples' magnitude
    (then at most ``level`` as well). An interpolated point is a weighted sum of the 12
    samples around it, so it can pass ``level`` only within 6 samples of a sample above
    ``level / _OVERSHOOT``: speech at the target loudness has few, and the interpolation
    (three 12-tap filters per sample) is most of the limiter's cost."""
    env = np.abs(samples).astype(np.float32)
    loud = np.flatnonzero(env > level / _OVERSHOOT) // _HOT_CHUNK
    if not len(loud):
        return env
    chunks = np.unique(loud)
    runs = np.split(chunks, np.flatnonzero(np.diff(chunks) > 1) + 1)
    n, reach = len(samples), 6
    for run in runs:
        start, stop = max(0, int(run[0]) * _HOT_CHUNK - reach), min(n, (int(run[-1]) + 1) * _HOT_CHUNK + reach)
        lo, hi = max(0, start - reach), min(n, stop + reach)
        env[start:stop] = peak_envelope(samples[lo:hi])[start - lo : stop - lo]
    return env


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
    env = _envelope_above(samples, ceiling)
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
