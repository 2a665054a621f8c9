"""MP3 files joined from parts without encoding again, sample-exact.

Each part of a chapter (assemble.py) is encoded on its own into an MP3 that ffmpeg writes
with its Xing/LAME header: the encoder delay (576 samples; a decoder skips 576 + 529) and
the padding at the end. Decoded frame j of a part holds its samples from j·f − 1105 on
(f = 576 samples a frame below 32 kHz, 1152 above), so a part of n samples (a whole number
of frames) is fully held by its frames up to n/f + 2, and its first n/f frames hold
everything up to its last 1105 samples. Joined, every part but the last keeps those n/f
frames; the next part's first frames (its encoder delay) take the place of the rest: the
frames of part k then start exactly where the parts before it end, and the whole decodes
like one encode of the chapter. Parts meet in a pause (assemble.py: `SEAM_PAUSE`), so what
a decoder carries over from the frame before a seam (its filter bank and overlap) is
silence either way. The bit reservoir never reaches across a seam: a part's first frame
borrows nothing, and only later frames borrow from earlier ones.

The joined file has one header: the last part's (its padding is the whole file's: the
decoded length is frames·f − delay − padding), with the frame and byte counts, the seek
table, the music length and both CRCs made as ffmpeg makes them for one encode.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from ..errors import OutputError

_BITRATES = {  # kbit/s by bitrate index, layer III
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2 and 2.5
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_DECODER_DELAY = 529
# Offsets inside the LAME tag that ffmpeg writes (all four Xing fields present), from "Info".
_FRAMES, _BYTES, _TOC, _DELAY, _MUSIC_LENGTH, _MUSIC_CRC, _TAG_CRC = 8, 12, 16, 141, 148, 152, 154
_TAG_CRC_SPAN = 190  # bytes of the header frame the tag CRC covers (the CRC field as zero)


@dataclass(frozen=True)
class Mp3:
    header: bytes  # the Xing/LAME frame
    tag: int  # where "Info"/"Xing" starts in it
    # Byte offset of each audio frame, and the end of the last: a range for a constant
    # bitrate (an hour at 24 kHz is 150,000 frames, as ints 5 MB and more a chapter).
    frames: Sequence[int]
    frame_samples: int
    delay: int  # encoder delay, as recorded
    padding: int  # as recorded

    @property
    def samples(self) -> int:
        """The length a decoder that honours the header returns."""
        return (len(self.frames) - 1) * self.frame_samples - self.delay - self.padding


def _frame_size(head: bytes) -> tuple[int, int] | None:
    """(bytes, samples) of the MPEG-1/2/2.5 layer III frame whose header is ``head``."""
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    if head[0] != 0xFF or head[1] & 0xE0 != 0xE0 or layer != 1 or version not in _RATES:
        return None
    bitrate, rate_index = _BITRATES[version == 3][head[2] >> 4], (head[2] >> 2) & 3
    if bitrate == 0 or rate_index == 3:
        return None
    rate, mpeg1 = _RATES[version][rate_index], version == 3
    return (144 if mpeg1 else 72) * bitrate * 1000 // rate + ((head[2] >> 1) & 1), 1152 if mpeg1 else 576


def _constant(data: bytes, start: int, size: int) -> bool:
    """Whether the frames from ``start`` on all are ``size`` bytes with the header of the
    frame before ``start`` (checked at once; a CBR file without padding slots, as ours at
    24 kHz are)."""
    head = data[start - size : start - size + 3]
    if (len(data) - start) % size or head[2] & 0x02:
        return False
    frames = np.frombuffer(data, dtype=np.uint8, offset=start).reshape(-1, size)[:, :3]
    return bool(np.array_equal(frames, np.broadcast_to(np.frombuffer(head, np.uint8), frames.shape)))


def read_mp3(path: Path) -> Mp3:
    """The header and frame layout of an MP3 as ffmpeg writes it (no ID3 tag before it)."""
    offsets: list[int] = []
    frames: Sequence[int] | None = None
    try:
        data = path.read_bytes()  # a part: a few minutes, under 2 MB
    except OSError as e:
        raise OutputError(f"cannot read {path}: {e.strerror or e}") from None
    pos, samples = 0, 0
    while pos < len(data):
        size = _frame_size(data[pos : pos + 4]) if pos + 4 <= len(data) else None
        if size is None or pos + size[0] > len(data):
            raise OutputError(f"{path}: not an MP3 frame at byte {pos}")
        offsets.append(pos)
        pos, samples = pos + size[0], size[1]
        if len(offsets) == 2 and _constant(data, pos, size[0]):  # are all the rest frames of this one's size?
            frames = range(offsets[1], len(data) + 1, size[0])
            break
    if not offsets:
        raise OutputError(f"{path}: no MP3 frames")
    header = data[: offsets[1] if len(offsets) > 1 else len(data)]
    tag = max(header.find(b"Info"), header.find(b"Xing"))
    if tag < 0 or int.from_bytes(header[tag + 4 : tag + 8], "big") != 0xF or len(header) < _TAG_CRC_SPAN + 2:
        raise OutputError(f"{path}: no Xing/LAME header as ffmpeg writes it")
    delay_padding = int.from_bytes(header[tag + _DELAY : tag + _DELAY + 3], "big")
    frames = frames if frames is not None else (*offsets[1:], len(data))
    return Mp3(header, tag, frames, samples, delay_padding >> 12, delay_padding & 0xFFF)


def _toc(frame_ends: Iterable[int], count: int, total: int) -> bytes:
    """The Xing seek table as ffmpeg's muxer makes it, from where each of ``count`` frames
    ends: the muxer samples the cumulative sizes in bags of 1 frame, halved into bags of
    twice as many whenever 400 are full, so it keeps every want-th end for the least power
    of two ``want`` that leaves fewer than 400."""
    want = 1
    while count // want >= 400:
        want *= 2
    bags = list(itertools.islice(frame_ends, want - 1, None, want))
    toc = [0] + [min(255, 256 * bags[i * len(bags) // 100] // total) for i in range(1, 100)]
    return bytes(toc)


@functools.cache
def _crc_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table[byte] = crc
    return table


_CRC_CHUNK = 1024


@functools.cache
def _crc_shift() -> tuple[np.ndarray, np.ndarray]:
    """A CRC state after `_CRC_CHUNK` zero bytes, by the state's low and high byte (the
    CRC is linear, so a state's shift is the XOR of its bytes' shifts)."""
    table = [int(v) for v in _crc_table()]

    def shifted(crc: int) -> int:
        for _ in range(_CRC_CHUNK):
            crc = (crc >> 8) ^ table[crc & 0xFF]
        return crc

    basis = [shifted(1 << bit) for bit in range(16)]

    def of(state: int) -> int:
        return functools.reduce(lambda acc, bit: acc ^ basis[bit] if state >> bit & 1 else acc, range(16), 0)

    return np.array([of(b) for b in range(256)]), np.array([of(b << 8) for b in range(256)])


def crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC (LAME's music and tag CRC), continuing from ``crc``: whole chunks are run
    side by side (numpy), then chained by the CRC's linearity."""
    table = _crc_table()
    head = len(data) % _CRC_CHUNK
    for byte in data[:head]:
        crc = (crc >> 8) ^ int(table[(crc ^ byte) & 0xFF])
    chunks = np.frombuffer(data, dtype=np.uint8, offset=head).reshape(-1, _CRC_CHUNK)
    states = np.zeros(len(chunks), dtype=np.uint32)
    for j in range(_CRC_CHUNK):
        states = (states >> 8) ^ table[(states ^ chunks[:, j]) & 0xFF]
    low, high = _crc_shift()
    for state in states.tolist():
        crc = state ^ int(low[crc & 0xFF]) ^ int(high[crc >> 8])
    return crc


def _kept(parts: Sequence[tuple[Mp3, int]]) -> Iterator[tuple[int, int]]:
    """(part index, number of audio frames kept) for each part of the join."""
    for i, (mp3, samples) in enumerate(parts):
        if i == len(parts) - 1:
            yield i, len(mp3.frames) - 1
        else:
            if samples % mp3.frame_samples or mp3.delay + _DECODER_DELAY > samples:
                raise OutputError(f"a part of {samples} samples cannot be joined on {mp3.frame_samples}-sample frames")
            yield i, samples // mp3.frame_samples


def join_mp3(parts: Sequence[tuple[Path, int]], out: Path) -> int:
    """Write ``out``, the MP3 parts (path, samples as planned) joined; return its length in
    samples as a decoder returns it."""
    read = [(read_mp3(path), samples) for path, samples in parts]
    first = read[0][0]
    if any((m.frame_samples, m.delay, m.header[:4]) != (first.frame_samples, first.delay, first.header[:4]) for m, _ in read):
        raise OutputError(f"{out}: its parts were not encoded alike")
    last = read[-1][0]
    header = bytearray(last.header)
    pos, crc, frames = len(header), 0, 0
    spans, shifted = [], []  # each part's bytes to copy; where its kept frames end, and by how much they move
    for i, kept in _kept(read):
        mp3 = read[i][0]
        start, stop = mp3.frames[0], mp3.frames[kept]
        spans.append((parts[i][0], start, stop))
        shifted.append((mp3.frames[1 : kept + 1], pos - start))
        pos, frames = pos + stop - start, frames + kept
    ends = (end + shift for kept_ends, shift in shifted for end in kept_ends)
    t = last.tag
    header[t + _FRAMES : t + _FRAMES + 4] = frames.to_bytes(4, "big")
    header[t + _BYTES : t + _BYTES + 4] = pos.to_bytes(4, "big")
    header[t + _TOC : t + _TOC + 100] = _toc(ends, frames, pos)
    header[t + _MUSIC_LENGTH : t + _MUSIC_LENGTH + 4] = pos.to_bytes(4, "big")
    try:
        with out.open("wb") as f:
            f.write(bytes(header))
            for path, start, stop in spans:
                data = path.read_bytes()[start:stop]
                crc = crc16(data, crc)
                f.write(data)
            header[t + _MUSIC_CRC : t + _MUSIC_CRC + 2] = crc.to_bytes(2, "big")
            header[t + _TAG_CRC : t + _TAG_CRC + 2] = b"\0\0"
            header[t + _TAG_CRC : t + _TAG_CRC + 2] = crc16(bytes(header[:_TAG_CRC_SPAN])).to_bytes(2, "big")
            f.seek(0)
            f.write(bytes(header))
    except OSError as e:
        raise OutputError(f"cannot write {out}: {e.strerror or e}") from None
    return frames * last.frame_samples - last.delay - last.padding
