"""The online voice inside the synth stage and `accessible build`: resume from the cache, the
fallback voice, and the no-network verdict. Only the local protocol peer is ever contacted."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from typer.testing import CliRunner

from accessible.cache import ClipCache, clip_key
from accessible.cli import app
from accessible.engines import get_engine
from accessible.engines.edge import EdgeEngine, RetryPolicy
from accessible.errors import SynthesisError
from accessible.segment import load_book
from accessible.speech import read_book
from accessible.synth import synthesize_book
from accessible.voices import load_voice

from edge_server import EdgeServer, closed_port

# Lines of the sample report (accessible/samples/hengshui-2017.txt), numbers included.
REPORT = """――2017年4月7日在衡水市第六届人民代表大会第一次会议上
各位代表：
现在，我代表市人民政府，向大会报告政府工作。
一、本届政府工作回顾
四年来，地区生产总值由1011亿元增长到1413.4亿元，年均增长8.2%。综合实力显著增强。
二、今后五年工作
（一）以创新引领发展。大力实施创新驱动战略。
"""
FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05, connect_timeout=2, message_timeout=1.0)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return read_book(load_book(path))


@pytest.fixture
def server(monkeypatch):
    with EdgeServer() as srv:
        yield srv.patch(monkeypatch)


def test_resume_after_a_failure_asks_only_for_the_missing_clips(book, server, tmp_path):
    voice = load_voice("yunyang")
    spoken = [s.reading.spoken for s in book.sentences()]
    broken = spoken[4]
    server.plan = lambda text, nth: "drop" if text == broken else "ok"
    with pytest.raises(SynthesisError, match="could not be synthesized") as caught:
        synthesize_book(book, voice, tmp_path, engine=EdgeEngine(policy=FAST), progress=False)
    failed = next(s for s in book.sentences() if s.reading.spoken == broken)
    assert failed.id in str(caught.value)
    assert server.count(broken) == FAST.attempts
    assert ClipCache(tmp_path).stats().clips == len(set(spoken)) - 1

    server.plan = lambda text, nth: "ok"
    result = synthesize_book(book, voice, tmp_path, engine=EdgeEngine(policy=FAST), progress=False)
    assert (result.synthesized, result.reused) == (1, len(spoken) - 1)
    # The second run asked for the one missing clip only: no text was requested twice.
    assert server.count(broken) == FAST.attempts + 1
    assert all(server.count(text) == 1 for text in set(spoken) - {broken})
    assert result.clips[failed.id].duration > 0.3


@pytest.mark.slow
def test_fallback_voice_speaks_only_what_the_online_voice_failed_on(book, server, tmp_path):
    voice, baker = load_voice("yunyang"), load_voice("baker")
    spoken = [s.reading.spoken for s in book.sentences()]
    broken = spoken[4]
    server.plan = lambda text, nth: "drop" if text == broken else "ok"
    result = synthesize_book(book, voice, tmp_path, engine=EdgeEngine(policy=FAST), progress=False, fallback=baker)
    assert (result.synthesized, result.fallback) == (len(set(spoken)) - 1, spoken.count(broken))
    failed = next(s for s in book.sentences() if s.reading.spoken == broken)
    # The failed sentence's clip is the offline voice's (its key), the others the online voice's.
    assert result.clips.key(failed.id) == clip_key("baker", get_engine("baker").identity(), baker, failed)
    assert result.clips[failed.id].duration > 0.5

    # With the service healthy again, a run without trouble replaces just that clip.
    server.plan = lambda text, nth: "ok"
    again = synthesize_book(book, voice, tmp_path, engine=EdgeEngine(policy=FAST), progress=False, fallback=baker)
    assert (again.synthesized, again.fallback) == (1, 0)
    assert all(server.count(text) == 1 for text in set(spoken) - {broken})


def run_cli(args: list[str], url: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`accessible ARGS` in a fresh process, with edge-tts pointed at ``url``."""
    code = (
        "import sys, edge_tts.communicate as c\n"
        f"c.WSS_URL = {url!r}\n"
        "from accessible.cli import main\n"
        f"sys.argv = ['accessible', *{args!r}]\n"
        "main()\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300)
    return done, time.monotonic() - started


def test_build_without_network_fails_fast_with_one_line(book, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    url = f"ws://127.0.0.1:{closed_port()}/edge/v1?TrustedClientToken=x"
    args = ["build", str(report), "--voice", "yunyang", "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "cache")]
    done, seconds = run_cli(args, url, tmp_path)
    assert done.returncode == 2, done.stderr
    assert seconds < 30
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot be reached" in errors[0] and "--voice baker" in errors[0]
    assert "Traceback" not in done.stderr
    # Nothing partial: no clip, no half-written file, no book outputs; only the book as
    # read is kept (whole, for the next build), as reading it was finished work.
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p != report]
    assert [p.parent.name for p in leftovers] == [".read"]
    json.loads(leftovers[0].read_text(encoding="utf-8"))


@pytest.mark.slow
def test_build_without_network_falls_back_to_the_offline_voice(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    url = f"ws://127.0.0.1:{closed_port()}/edge/v1?TrustedClientToken=x"
    out = tmp_path / "out"
    args = ["build", str(report), "--voice", "yunyang", "--fallback", "baker", "--out", str(out),
            "--cache", str(tmp_path / "cache"), "--formats", "audio"]  # fmt: skip
    done, seconds = run_cli(args, url, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "spoken by the fallback voice baker" in done.stdout
    assert "cannot be reached" in done.stderr  # the warning says why
    assert list(out.rglob("*.mp3"))


def test_voices_online_lists_the_service_voices_and_marks_profiles(server):
    server.voices = [
        {"ShortName": "zh-CN-YunyangNeural", "Gender": "Male", "Locale": "zh-CN", "VoiceTag": {"VoicePersonalities": ["Professional", "Reliable"]}},
        {"ShortName": "zh-CN-YunjianNeural", "Gender": "Male", "Locale": "zh-CN"},
        {"ShortName": "en-US-EmmaNeural", "Gender": "Female", "Locale": "en-US"},
    ]
    done = CliRunner().invoke(app, ["voices", "--online"])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "zh-CN-YunjianNeural  Male"
    assert lines[1] == "zh-CN-YunyangNeural  Male  Professional, Reliable  profile: yunyang"
    assert lines[2].startswith("2 Chinese voice(s)")


def test_voices_online_without_network_says_so_in_one_line(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/voices/list?trustedclienttoken=x"
    code = (
        "import sys, edge_tts.voices as v\n"
        f"v.VOICE_LIST = {url!r}\n"
        "from accessible.cli import main\n"
        "sys.argv = ['accessible', 'voices', '--online']\n"
        "main()\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 15
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("error: the online voice service") and "cannot be reached" in line
