"""The bundled ffmpeg (imageio-ffmpeg): find it, feed it PCM, decode and meter with it.

No system ffmpeg is needed. Every call is a plain subprocess; a failure becomes an
`AccessibleError` naming the file and ffmpeg's own last line, never a traceback.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .errors import AccessibleError, InputError, OutputError

_QUIET = ["-hide_banner", "-nostats", "-loglevel", "error"]


@functools.cache
def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        raise OutputError(f"the bundled ffmpeg (imageio-ffmpeg) is not usable: {e}") from None


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def run(args: list[str], *, what: str, error: type[AccessibleError] = OutputError, stdin: bytes | None = None) -> bytes:
    """Run ffmpeg with ``args``; return its stdout. ``what`` names the file for the error message."""
    try:
        done = subprocess.run([ffmpeg_exe(), *_QUIET, *args], input=stdin, capture_output=True, check=False)
    except OSError as e:
        raise error(f"{what}: cannot start ffmpeg ({e.strerror or e})") from None
    if done.returncode != 0:
        raise error(f"{what}: ffmpeg failed: {_last_line(done.stderr)}")
    return done.stdout


def _feed(cmd: list[str], chunks: Iterable[bytes], *, what: str, error: str) -> bytes:
    """Run ``cmd`` (ffmpeg reading ``pipe:0``), stream ``chunks`` into it; return its stderr.

    stderr goes to a temporary file so a chatty ffmpeg can never block the pipe."""
    with tempfile.TemporaryFile() as log:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        except OSError as e:
            raise OutputError(f"{what}: cannot start ffmpeg ({e.strerror or e})") from None
        assert proc.stdin is not None
        try:
            for chunk in chunks:
                proc.stdin.write(chunk)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its exit code and log say why
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        code = proc.wait()
        log.seek(0)
        stderr = log.read()
    if code != 0:
        raise OutputError(f"{error}: ffmpeg failed: {_last_line(stderr)}")
    return stderr


def encode(chunks: Iterable[bytes], sample_rate: int, args: list[str], *, what: str, sample_format: str = "s16le") -> None:
    """Stream mono PCM ``chunks`` (``sample_format``) into ffmpeg, which writes what its
    output ``args`` say (one output or several: each ends with its file name).

    Streaming keeps a chapter's or a whole book's PCM out of memory."""
    mux(chunks, ["-f", sample_format, "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0"], args, what=what)


def mux(chunks: Iterable[bytes], inputs: list[str], args: list[str], *, what: str) -> None:
    """Stream ``chunks`` into ffmpeg's ``pipe:0`` (described by the ``inputs`` options),
    which writes what ``args`` say."""
    _feed([ffmpeg_exe(), *_QUIET, "-y", *inputs, *args], chunks, what=what, error=f"cannot write {what}")


def decode(path: Path, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Decode any audio file to mono int16 samples, as ffmpeg plays it (gapless info applied)."""
    args = ["-i", str(path), "-map", "0:a:0", "-ac", "1"]
    if sample_rate:
        args += ["-ar", str(sample_rate)]
    else:
        sample_rate = probe_sample_rate(path)
    pcm = run([*args, "-f", "s16le", "pipe:1"], what=str(path), error=InputError)
    return np.frombuffer(pcm, dtype="<i2"), sample_rate


def probe_sample_rate(path: Path) -> int:
    # ffmpeg with no output lists the streams on stderr and exits 1: read the rate there.
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, check=False)
    found = re.search(rb"Audio: .*?, (\d+) Hz", done.stderr)
    if not found:
        raise InputError(f"{path}: no audio stream ({_last_line(done.stderr)})")
    return int(found.group(1))


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS (ITU-R BS.1770, gated); -70.0 for silence
    true_peak: float  # dBTP


_SUMMARY = re.compile(rb"I:\s+(-?[\d.]+|-inf) LUFS.*?Peak:\s+(-?[\d.]+|-inf) dBFS", re.S)
_INTEGRATED = re.compile(rb"I:\s+(-?[\d.]+|-inf) LUFS")


def _parse_ebur128(stderr: bytes, what: str) -> Loudness:
    found = _SUMMARY.search(stderr[stderr.rfind(b"Summary:") :])
    if not found:
        raise OutputError(f"{what}: ffmpeg ebur128 gave no loudness summary")
    return Loudness(float(found.group(1)), float(found.group(2)))


# framelog=quiet: only the summary (the per-100-ms log of a long chapter is megabytes).
_METER = "ebur128=peak=true:framelog=quiet"


def integrated_loudness(blocks: Iterable[np.ndarray], sample_rate: int) -> float:
    """Integrated loudness (LUFS, gated; -70 for silence) of float blocks streamed to
    ffmpeg's ebur128 one at a time, without the true-peak meter (4x oversampling, which
    costs more than the loudness itself)."""
    chunks = (np.ascontiguousarray(b, dtype="<f4").tobytes() for b in blocks)
    args = ["-hide_banner", "-nostats", "-f", "f32le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0"]
    cmd = [ffmpeg_exe(), *args, "-af", "ebur128=framelog=quiet", "-f", "null", "-"]
    stderr = _feed(cmd, chunks, what="loudness meter", error="loudness meter")
    found = _INTEGRATED.search(stderr[stderr.rfind(b"Summary:") :])
    if not found:
        raise OutputError("loudness meter: ffmpeg ebur128 gave no loudness summary")
    return float(found.group(1))


@dataclass(frozen=True)
class Metered:
    loudness: Loudness
    samples: int  # how many samples a decoder that honours the gapless info returns


def meter_file(path: Path) -> Metered:
    """Loudness and length of an encoded file as a player decodes it (one decoding pass:
    ebur128 passes the audio through, and the samples are counted as they stream out)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0", "-af", _METER, "-f", "s16le", "pipe:1"]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        stdout = proc.stdout
        assert stdout is not None
        total = sum(len(block) for block in iter(lambda: stdout.read(1 << 20), b""))
        code = proc.wait()
        log.seek(0)
        stderr = log.read()
    if code != 0:
        raise InputError(f"{path}: ffmpeg failed: {_last_line(stderr)}")
    return Metered(_parse_ebur128(stderr, str(path)), total // 2)


@dataclass(frozen=True)
class FileChapter:
    start: float
    end: float
    title: str


def read_chapters(path: Path) -> list[FileChapter]:
    """The chapter list of a media file as ffmpeg sees it (what players show)."""
    text = run(["-i", str(path), "-f", "ffmetadata", "pipe:1"], what=str(path), error=InputError).decode("utf-8")
    found: list[FileChapter] = []
    for block in text.split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        num, den = (int(v) for v in fields["TIMEBASE"].split("/"))
        found.append(
            FileChapter(int(fields["START"]) * num / den, int(fields["END"]) * num / den, unescape_ffmetadata(fields.get("title", "")))
        )
    return found


def escape_ffmetadata(value: str) -> str:
    """Escape a value for ffmpeg's metadata text format (one line; =, ;, # and \\ escaped)."""
    return re.sub(r"([=;#\\])", r"\\\1", " ".join(value.splitlines()))


def unescape_ffmetadata(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)
