"""Encoding with the loudness checked on the encoded file, not assumed from the PCM.

Two things change the level between our PCM and what a player decodes, both measured:
- libmp3lame in CBR/ABR mode scales its input by 0.95 (-0.45 dB; LAME's bitrate
  presets carry a scale factor, VBR does not). `level_change` measures what a codec
  does to a steady tone once per process, and the PCM is pre-compensated.
- coding noise raises true peaks: measured on the whole sample report with the offline
  voice, by up to 0.5 dB for MP3 at 64 kbit/s and 0.3 dB for AAC at 96 kbit/s (1.6 dB
  at 64 kbit/s), hence each codec's headroom below the ceiling.
After encoding, the file is metered; if it is off target or over the ceiling, the
gain or the limiter is corrected and the file encoded again (rarely needed).
"""

from __future__ import annotations

import functools
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from .. import ffmpeg
from ..ffmpeg import Loudness
from .loudness import BLOCK, limit, to_pcm16

log = logging.getLogger("accessible")

_LOUDNESS_TOLERANCE = 0.3  # LU between the file and the target before re-encoding
_ATTEMPTS = 3


@dataclass(frozen=True)
class Codec:
    name: str
    suffix: str  # a file extension ffmpeg knows the codec's container by
    args: tuple[str, ...]  # ffmpeg output options
    headroom: float  # dB kept below the peak ceiling in the PCM, for the codec's overshoot


# MP3: 64 kbit/s CBR mono at the voice's 24 kHz (see audio.py for why); ffmpeg writes
# the Xing/LAME header (gapless info) and no ID3 tag: mutagen writes that one.
MP3 = Codec(
    "mp3",
    ".mp3",
    ("-c:a", "libmp3lame", "-b:a", "64k", "-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1", "-f", "mp3"),
    0.8,
)
# AAC: ffmpeg's own encoder at 64 kbit/s overshot true peaks by up to 1.6 dB on the
# sample (so limiting had to bite hard); at 96 kbit/s by 0.3 dB, and it sounds cleaner.
AAC = Codec("aac", ".m4a", ("-c:a", "aac", "-b:a", "96k"), 1.0)


@functools.cache
def level_change(codec: Codec, sample_rate: int) -> float:
    """dB by which ``codec`` changes the level of a steady 1 kHz tone (measured, cached)."""
    t = np.arange(2 * sample_rate) / sample_rate
    tone = 0.1 * np.sin(2 * np.pi * 1000 * t)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / f"tone{codec.suffix}"
        ffmpeg.encode([to_pcm16(tone).tobytes()], sample_rate, out, list(codec.args), what=f"{codec.name} level probe")
        decoded, _ = ffmpeg.decode(out)
    middle = slice(sample_rate // 2, 3 * sample_rate // 2)
    ratio = np.sqrt(np.mean((decoded[middle] / 32768.0) ** 2) / np.mean(tone[middle] ** 2))
    return float(20 * np.log10(ratio))


@dataclass(frozen=True)
class Encoded:
    loudness: Loudness  # metered on the file
    samples: int  # what a gapless decoder returns: the input plus any tail added (see below)
    limited: bool  # whether the limiter touched any peak


def encode_to_target(
    chapters: Callable[[], Iterable[np.ndarray]],
    sample_rate: int,
    out: Path,
    codec: Codec,
    *,
    target: float,
    ceiling: float,
    what: str,
    extra_args: tuple[str, ...] = (),
) -> Encoded:
    """Encode the float PCM that ``chapters()`` yields (gained to ``target`` already) into
    ``out``, peaks limited to the ceiling less the codec's headroom; meter the file.

    ``extra_args`` go before the codec options (more inputs, maps, container flags).

    The decoded length is checked too. Measured: when an MP3's last frame needs 1 to 46
    samples of padding (8% of lengths at 24 kHz), ffmpeg records the padding wrongly and
    decoders return that padding as extra samples at the end. Then the silence at the end
    is lengthened by exactly that much (the last frame becomes full) and the file encoded
    again, so the length a decoder reports is the length we record. Sentence times are
    unaffected: only the tail grows, by under 2 ms.
    """
    gain_db = -level_change(codec, sample_rate)
    limit_db = ceiling - codec.headroom
    tail = 0
    for _ in range(_ATTEMPTS):
        scale = np.float32(10 ** (gain_db / 20))
        total, limited = tail, False

        def pcm() -> Iterator[bytes]:
            nonlocal total, limited
            for chunk in chapters():
                capped = limit(chunk, sample_rate, limit_db)
                total += len(chunk)
                limited |= capped is not chunk
                # Block by block: no whole-chapter temporaries on the way to 16-bit bytes.
                for start in range(0, len(capped), BLOCK):
                    yield to_pcm16(capped[start : start + BLOCK] * scale).tobytes()
            yield bytes(2 * tail)

        ffmpeg.encode(pcm(), sample_rate, out, [*extra_args, *codec.args], what=what)
        got = ffmpeg.meter_file(out)
        extra = got.samples - total
        over = got.loudness.true_peak - ceiling
        off = target - got.loudness.integrated
        if over <= 0 and abs(off) <= _LOUDNESS_TOLERANCE and extra == 0:
            return Encoded(got.loudness, total, limited)
        log.debug("%s: encoding again (%+.1f LU off, %+.1f dB over the ceiling, %+d samples)", what, off, over, extra)
        gain_db += off
        if over > 0:
            limit_db -= over + 0.1
        if extra > 0:
            tail += extra
    log.warning(
        "%s: %.1f LUFS, true peak %.1f dBTP (target %.1f LUFS, ceiling %.1f dBTP), %+d samples decoded",
        what, got.loudness.integrated, got.loudness.true_peak, target, ceiling, extra,
    )  # fmt: skip
    return Encoded(got.loudness, total, limited)
