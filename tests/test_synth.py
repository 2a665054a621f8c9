"""The synthesize stage: only what is missing, resumable, chapter WAV + timings, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accessible.cache import ClipCache
from accessible.cli import app
from accessible.engines import get_engine
from accessible.errors import InputError, SynthesisError, VoiceError
from accessible.lock import build_lock
from accessible.model import Clip, Sentence
from accessible.segment import load_book
from accessible.speech import read_book
from accessible.audio.assemble import LEAD_IN, write_chapters
from accessible.synth import synthesize_book
from accessible.voices import Voice, load_voice

REPORT = """――2017年4月7日在衡水市第六届人民代表大会第一次会议上
各位代表：
现在，我代表市人民政府，向大会报告政府工作。
一、本届政府工作回顾
全力以赴上项目、稳增长，综合实力显著增强。四年来，地区生产总值增长较快！
二、今后五年工作
（一）以创新引领发展。大力实施创新驱动战略。
"""


class Counting:
    """Wraps an engine: counts calls, can fail one sentence or be interrupted after n calls."""

    def __init__(self, inner, fail_text: str | None = None, interrupt_after: int | None = None, available: str | None = None):
        self.inner, self.fail_text, self.interrupt_after, self._available = inner, fail_text, interrupt_after, available
        self.name, self.max_workers = inner.name, inner.max_workers
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def identity(self) -> str:
        return self.inner.identity()

    def available(self) -> str | None:
        return self._available

    def synthesize(self, sentence: Sentence, voice: Voice) -> Clip:
        with self._lock:
            self.calls.append(sentence.text)
            if self.interrupt_after is not None and len(self.calls) > self.interrupt_after:
                raise KeyboardInterrupt
        if sentence.text == self.fail_text:
            raise SynthesisError(f"{sentence.id}: cannot say this")
        return self.inner.synthesize(sentence, voice)


@pytest.fixture(scope="module")
def baker():
    return get_engine("baker")


def make_book(tmp_path: Path, text: str = REPORT):
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    return read_book(load_book(path))


@pytest.mark.slow
def test_rerun_synthesizes_nothing_and_an_edit_exactly_one(tmp_path: Path, baker) -> None:
    voice, cache = load_voice("baker"), ClipCache(tmp_path / "cache")
    book = make_book(tmp_path)
    sentences = list(book.sentences())
    first = Counting(baker)
    result = synthesize_book(book, voice, cache, engine=first, progress=False)
    assert len(first.calls) == len(sentences) == result.synthesized and result.reused == 0
    assert set(result.clips) == {s.id for s in sentences}  # headings included
    assert all(result.clips[s.id].duration > 0 for s in sentences)

    again = Counting(baker)
    result = synthesize_book(book, voice, cache, engine=again, progress=False)
    assert again.calls == [] and result.synthesized == 0 and result.reused == len(sentences)

    edited = make_book(tmp_path, REPORT.replace("增长较快", "增长很快"))
    third = Counting(baker)
    result = synthesize_book(edited, voice, cache, engine=third, progress=False)
    assert third.calls == ["四年来，地区生产总值增长很快！"] and result.reused == len(sentences) - 1


@pytest.mark.slow
def test_a_released_engine_loads_its_model_again_and_speaks_alike(tmp_path: Path, baker) -> None:
    voice, sentence = load_voice("baker"), next(make_book(tmp_path).sentences())
    before = baker.synthesize(sentence, voice)
    baker.release()  # as a build does after its voice stage
    assert baker.synthesize(sentence, voice) == before


@pytest.mark.slow
def test_interrupted_run_keeps_finished_clips_and_resumes(tmp_path: Path, baker) -> None:
    voice, cache = load_voice("baker"), ClipCache(tmp_path / "cache")
    book = make_book(tmp_path)
    total = len(list(book.sentences()))
    with pytest.raises(KeyboardInterrupt):
        synthesize_book(book, voice, cache, engine=Counting(baker, interrupt_after=3), progress=False)
    kept = cache.stats().clips
    assert 1 <= kept <= 3
    resumed = Counting(baker)
    synthesize_book(book, voice, cache, engine=resumed, progress=False)
    assert len(resumed.calls) == total - kept


@pytest.mark.slow
def test_a_failing_sentence_does_not_lose_the_others(tmp_path: Path, baker) -> None:
    voice, cache = load_voice("baker"), ClipCache(tmp_path / "cache")
    book = make_book(tmp_path)
    total = len(list(book.sentences()))
    with pytest.raises(SynthesisError, match=r"1 sentence\(s\) could not be synthesized.*run again"):
        synthesize_book(book, voice, cache, engine=Counting(baker, fail_text="大力实施创新驱动战略。"), progress=False)
    assert cache.stats().clips == total - 1
    retry = Counting(baker)
    synthesize_book(book, voice, cache, engine=retry, progress=False)
    assert retry.calls == ["大力实施创新驱动战略。"]


@pytest.mark.slow
def test_unusable_engine_is_needed_only_for_missing_clips(tmp_path: Path, baker) -> None:
    voice, cache = load_voice("baker"), ClipCache(tmp_path / "cache")
    book = make_book(tmp_path)
    with pytest.raises(VoiceError, match="cannot speak here: no model"):
        synthesize_book(book, voice, cache, engine=Counting(baker, available="no model"), progress=False)
    synthesize_book(book, voice, cache, chapters=[1], engine=baker, progress=False)
    offline = Counting(baker, available="no model")
    result = synthesize_book(book, voice, cache, chapters=[1], engine=offline, progress=False)
    assert offline.calls == [] and result.reused == 3
    with pytest.raises(InputError, match="no chapter 7"):
        synthesize_book(book, voice, cache, chapters=[7], engine=baker, progress=False)


@pytest.mark.slow
def test_chapter_wav_and_timings(tmp_path: Path, baker) -> None:
    voice = load_voice("baker")
    book = make_book(tmp_path)
    clips = synthesize_book(book, voice, tmp_path / "cache", engine=baker, progress=False).clips
    files = write_chapters(book, clips, voice, tmp_path / "out", chapters=[1])
    assert len(files) == 1
    with wave.open(str(files[0].wav)) as w:
        assert w.getframerate() == 24000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        seconds = w.getnframes() / 24000
    doc = json.loads(files[0].timings.read_text(encoding="utf-8"))
    assert doc["duration"] == pytest.approx(seconds, abs=1e-3)
    chapter = book.chapters[1]
    assert [s["id"] for s in doc["sentences"]] == [s.id for s in chapter.sentences()]
    assert doc["sentences"][0]["start"] == LEAD_IN  # the WAV is the chapter as the audiobook assembles it
    last_end = 0.0
    for entry in doc["sentences"]:
        assert last_end <= entry["start"] < entry["end"] <= seconds + 1e-3
        assert entry["words"], entry["text"]
        for word in entry["words"]:
            assert entry["start"] <= word["start"] < word["end"] <= entry["end"] + 1e-3
            assert word["text"] not in "，。、！：；"  # words, not punctuation
            assert entry["text"][word["span"][0] : word["span"][1]] == word["text"]
        last_end = entry["end"]
    # the heading is followed by the heading pause, the paragraph ends the chapter
    heading, first = doc["sentences"][0], doc["sentences"][1]
    assert first["start"] - heading["end"] == pytest.approx(voice.pauses.heading, abs=1e-3)


@pytest.mark.slow
def test_cli_synth_voices_cache(tmp_path: Path) -> None:
    runner = CliRunner()
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    args = ["synth", str(report), "--chapter", "2", "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "c"), "--no-progress"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "3 clip(s) synthesized" in first.output
    wavs = sorted((tmp_path / "out").rglob("*.wav"))
    assert [w.name for w in wavs] == ["02-二、今后五年工作.wav"]
    assert (wavs[0].parent / "02-二、今后五年工作.timings.json").is_file()
    second = runner.invoke(app, args)
    assert "0 clip(s) synthesized, 3 sentence(s) from the cache" in second.output
    # The WAVs are written under the book folder's build lock: while a build holds it, synth waits.
    released: list[int] = []

    def a_build() -> None:
        with build_lock(wavs[0].parent.parent):
            holding.set()
            time.sleep(1.0)
            released.append(time.time_ns())

    holding = threading.Event()
    builder = threading.Thread(target=a_build)
    builder.start()
    holding.wait()
    third = runner.invoke(app, args)
    builder.join()
    assert third.exit_code == 0, third.output
    assert wavs[0].stat().st_mtime_ns >= released[0]

    stats = runner.invoke(app, ["cache", "stats", "--cache", str(tmp_path / "c")])
    assert "3 clip(s)" in stats.output
    cleared = runner.invoke(app, ["cache", "clear", "--cache", str(tmp_path / "c")])
    assert "removed 3 clip(s)" in cleared.output

    listing = runner.invoke(app, ["voices"])
    assert listing.exit_code == 0
    assert "baker (default)" in listing.output and "[usable]" in listing.output


def test_cli_unknown_voice_is_a_one_line_error(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "accessible.cli", "synth", str(report), "--voice", "nobody", "--cache", str(tmp_path / "c")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "unknown voice 'nobody'; known voices: baker" in result.stderr and "Traceback" not in result.stderr
