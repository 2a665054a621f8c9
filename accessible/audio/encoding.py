"""Encoding: one pass over a part's PCM feeds both encoders; chapters and the M4B are joined from parts.

Two things change the level between our PCM and what a player decodes, both measured:
- libmp3lame in CBR/ABR mode scales its input by 0.95 (-0.45 dB; LAME's bitrate
  presets carry a scale factor, VBR does not). `level_change` measures what a codec
  does to a steady tone once per process, and each output is pre-compensated.
- coding noise raises true peaks: measured on the whole sample report with the offline
  voice, by up to 0.5 dB for MP3 at 64 kbit/s and 0.3 dB for AAC at 96 kbit/s (1.6 dB
  at 64 kbit/s), hence the headroom kept below the ceiling by the limiter.
So the files are not decoded again to be metered: their loudness is the PCM's (measured
before encoding) and their peaks stay under the ceiling by that headroom. The bench
(`python -m bench build`) meters every file of the whole sample to keep this true.

Each part of a chapter (assemble.py: a few minutes, cut in a pause) is encoded on its
own, into an MP3 and an AAC file; the chapter's MP3 is joined from the MP3 parts (mp3.py)
and the M4B from every chapter's AAC parts, neither encoded again. A part of n samples
(n a whole number of 1024-sample frames) is n/1024 + 1 AAC frames: the first is the
encoder's priming. Joined, every part but the last loses its final frame, and the next
part's priming frame takes its place, so part k starts exactly at the sum of the earlier
parts' lengths; the dropped frame and the priming both hold silence (parts meet in a
pause), so the join is silent too. One edit list skips the first part's priming.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from .. import ffmpeg
from ..errors import OutputError
from .loudness import limit
from .mp3 import read_mp3

log = logging.getLogger("accessible")


@dataclass(frozen=True)
class Codec:
    name: str
    suffix: str  # a file extension ffmpeg knows the codec's container by
    args: tuple[str, ...]  # ffmpeg output options
    headroom: float  # dB kept below the peak ceiling in the PCM, for the codec's overshoot


# MP3: 64 kbit/s CBR mono at the voice's 24 kHz (see audiobook.py for why); ffmpeg writes
# the Xing/LAME header (gapless info) and no ID3 tag: mutagen writes that one.
MP3 = Codec(
    "mp3",
    ".mp3",
    ("-c:a", "libmp3lame", "-b:a", "64k", "-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1", "-f", "mp3"),
    0.8,
)
# AAC: ffmpeg's own encoder at 64 kbit/s overshot true peaks by up to 1.6 dB on the
# sample (so limiting had to bite hard); at 96 kbit/s by 0.3 dB, and it sounds cleaner.
# Its "fast" coder costs a sixth of the CPU of the default two-loop search (measured:
# 2.7 against 15.3 CPU-seconds for 10 minutes of audio) at the same bitrate. Raw ADTS
# frames: the parts the M4B is joined from.
AAC = Codec("aac", ".aac", ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "96k", "-f", "adts"), 1.0)
AAC_FRAME = 1024  # samples per AAC frame, and the encoder's priming


def _pcm_bytes(blocks: Iterable[np.ndarray]) -> Iterator[bytes]:
    for block in blocks:
        yield np.ascontiguousarray(block, dtype="<f4").tobytes()


@functools.cache
def level_change(codec: Codec, sample_rate: int) -> float:
    """dB by which ``codec`` changes the level of a steady 1 kHz tone (measured, cached)."""
    t = np.arange(2 * sample_rate) / sample_rate
    tone = (0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / f"tone{codec.suffix}"
        ffmpeg.encode(_pcm_bytes([tone]), sample_rate, [*codec.args, str(out)], what=f"{codec.name} level probe", sample_format="f32le")
        decoded, _ = ffmpeg.decode(out)
    middle = slice(sample_rate // 2, 3 * sample_rate // 2)
    ratio = np.sqrt(np.mean((decoded[middle] / 32768.0) ** 2) / np.mean(tone[middle].astype(np.float64) ** 2))
    return float(20 * np.log10(ratio))


@dataclass(frozen=True)
class Encoded:
    samples: int  # the length of both files as a gapless decoder returns them
    limited: bool  # whether the limiter touched any peak


def encode_part(
    blocks: Iterable[np.ndarray], sample_rate: int, length: int, mp3: Path, aac: Path, *, ceiling: float, what: str
) -> Encoded:
    """Encode float PCM ``blocks`` (already at the target loudness, ``length`` samples, a
    whole number of both codecs' frames) into the MP3 ``mp3`` and the AAC ``aac``, in one
    pass: one ffmpeg reads the PCM once and runs both encoders. Peaks are limited to the
    ceiling less the larger codec headroom; each output is compensated for its codec's
    level change. Checks that both files hold what the joins expect (see the module docstring)."""
    limit_db = ceiling - max(MP3.headroom, AAC.headroom)
    total, limited = 0, False

    def limited_blocks() -> Iterator[np.ndarray]:
        nonlocal total, limited
        for block in blocks:
            capped = limit(block, sample_rate, limit_db)
            limited |= capped is not block
            total += len(capped)
            yield capped

    outputs: list[str] = []
    for codec, path in ((MP3, mp3), (AAC, aac)):
        volume = f"volume={10 ** (-level_change(codec, sample_rate) / 20):.6f}:precision=float"
        outputs += ["-map", "0:a", "-filter:a", volume, *codec.args, str(path)]
    ffmpeg.encode(_pcm_bytes(limited_blocks()), sample_rate, outputs, what=what, sample_format="f32le")
    if total != length:
        raise OutputError(f"{what}: {total} samples where {length} were planned")
    frames = len(adts_frames(aac))
    if frames != length // AAC_FRAME + 1:
        raise OutputError(f"{what}: the AAC encoder gave {frames} frames for {length} samples (expected {length // AAC_FRAME + 1})")
    decoded = read_mp3(mp3).samples
    if decoded != length:
        raise OutputError(f"{what}: the MP3 records {decoded} samples for {length}")
    return Encoded(length, limited)


def adts_frames(path: Path) -> list[int]:
    """Where each frame of a raw ADTS file starts (its byte offset), read header by header:
    a part of a three-hour chapter is 130 MB, never read whole."""
    starts: list[int] = []
    pos = 0
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            while pos < size:
                f.seek(pos)
                head = f.read(7)
                if len(head) < 7 or head[0] != 0xFF or head[1] & 0xF6 != 0xF0:
                    raise OutputError(f"{path}: not an ADTS stream at byte {pos}")
                length = ((head[3] & 0x03) << 11) | (head[4] << 3) | (head[5] >> 5)
                if length < 7 or pos + length > size:
                    raise OutputError(f"{path}: ADTS frame cut short at byte {pos}")
                starts.append(pos)
                pos += length
    except OSError as e:
        raise OutputError(f"cannot read {path}: {e.strerror or e}") from None
    return starts


def joined_frames(parts: Sequence[Path]) -> Iterator[bytes]:
    """The parts' AAC frames as one stream: every part but the last without its final
    frame (the next part's priming frame stands in its place; see the module docstring).
    Read in blocks, so the whole book never sits in memory."""
    for i, path in enumerate(parts):
        end = adts_frames(path)[-1] if i < len(parts) - 1 else path.stat().st_size
        with path.open("rb") as f:
            while end > f.tell():
                block = f.read(min(1 << 20, end - f.tell()))
                if not block:
                    raise OutputError(f"{path}: changed while the M4B was joined")
                yield block


def join_to_m4b(parts: Sequence[Path], sample_rate: int, out: Path, container: Sequence[str], *, what: str) -> None:
    """Join the AAC parts into ``out`` (stream copy: nothing is encoded again), the first
    part's priming skipped by the container's edit list. ``container`` holds the output
    options (more inputs, maps, metadata)."""
    skip = ["-f", "aac", "-itsoffset", f"{-AAC_FRAME / sample_rate:.9f}", "-i", "pipe:0"]
    ffmpeg.mux(joined_frames(parts), skip, [*container, "-c:a", "copy", str(out)], what=what)
