"""`accessible batch`, its parts without the voice: inputs, batches, stamps, workers, jobs."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from accessible.batch import run_batch
from accessible.batch.jobs import Outcome, batched, run, synthesize
from accessible.batch.sources import find_sources
from accessible.batch.stamp import Stamp, current, save
from accessible.batch.workers import LocalWorkers
from accessible.errors import InputError, OutputError, VoiceError
from accessible.model import Sentence
from accessible.voices import load_voice


def _touch(path: Path, text: str = "报告") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_inputs_from_folders_files_and_patterns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _touch(tmp_path / "reports/2019/甲市.txt")
    _touch(tmp_path / "reports/2020/甲市.pdf")
    _touch(tmp_path / "reports/乙县.docx")
    _touch(tmp_path / "reports/notes.csv")  # not a document: a folder is searched by name
    _touch(tmp_path / "reports/.hidden/丙.txt")
    _touch(tmp_path / "extra/丁区.report")  # named on its own: taken whatever its name
    _touch(tmp_path / "loose/戊.html")
    sources, rejected = find_sources(["reports", "extra/丁区.report", "loose/*.html", "reports/乙县.docx", "nothing.txt", "*.zzz"])
    assert [(s.path.as_posix(), s.name) for s in sources] == [
        ("reports/2019/甲市.txt", "2019/甲市"),
        ("reports/2020/甲市.pdf", "2020/甲市"),
        ("reports/乙县.docx", "乙县"),
        ("extra/丁区.report", "丁区"),
        ("loose/戊.html", "戊"),
    ]  # the .docx named again is taken once
    assert [(r.argument, r.reason) for r in rejected] == [
        ("nothing.txt", "no such file or folder"),
        ("*.zzz", "no file matches this pattern"),
    ]


def test_two_inputs_that_would_share_a_book_folder(tmp_path):
    first, second = _touch(tmp_path / "a/报告.txt"), _touch(tmp_path / "b/报告.txt")
    sources, rejected = find_sources([str(first), str(second), str(tmp_path / "empty")])
    assert [s.path for s in sources] == [first]
    assert rejected[0].argument == str(second) and "also" in rejected[0].reason and str(first) in rejected[0].reason
    (tmp_path / "empty").mkdir()
    assert "no document in this folder" in find_sources([str(tmp_path / "empty")])[1][0].reason


def _sentences(*lengths: int) -> list[Sentence]:
    return [Sentence(f"s{i}", "字" * n) for i, n in enumerate(lengths)]


def test_batches_keep_order_and_size():
    sentences = _sentences(300, 200, 150, 700, 10, 20)
    groups = batched(sentences, size=600)
    assert [[s.id for s in g] for g in groups] == [["s0", "s1", "s2"], ["s3"], ["s4", "s5"]]
    assert batched([], size=600) == ()


def test_a_stamp_holds_while_nothing_changed(tmp_path):
    book = tmp_path / "out/甲市/甲市报告"
    mp3 = _touch(book / "audio/01.mp3", "audio")
    epub = _touch(book / "甲市报告.epub", "epub")
    files = {p.relative_to(book).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in (mp3, epub)}
    save(tmp_path / "out/甲市", Stamp("in1", "set1", "甲市报告", "甲市报告", 12.5, files))
    assert current(tmp_path / "out/甲市", "in1", "set1") is not None
    assert current(tmp_path / "out/甲市", "in2", "set1") is None  # the input changed
    assert current(tmp_path / "out/甲市", "in1", "set2") is None  # voice, options or code changed
    os.utime(mp3, ns=(mp3.stat().st_atime_ns, mp3.stat().st_mtime_ns + 10**9))
    assert current(tmp_path / "out/甲市", "in1", "set1") is None  # a file was rewritten since
    (tmp_path / "out/乙县").mkdir()
    (tmp_path / "out/乙县/.batch-stamp.json").write_bytes(b"\xff not json")
    assert current(tmp_path / "out/乙县", "in1", "set1") is None


def test_a_job_comes_back_as_an_outcome():
    assert run(int, "7") == Outcome(value=7)
    failed = run(load_voice, "no-such-voice")
    assert failed.value is None and failed.error is not None and failed.error.startswith("unknown voice")
    bug = run(int, "seven")
    assert bug.error is not None and bug.error.startswith("internal error: ValueError") and "Traceback" in bug.detail


def test_a_worker_that_dies_hands_its_job_back_and_is_replaced():
    pool = LocalWorkers(1)
    try:
        pool.submit(1, time.sleep, 60)
        first = pool.pids()[0]
        os.kill(first, signal.SIGKILL)
        lost = []
        deadline = time.monotonic() + 60
        while not lost and time.monotonic() < deadline:
            lost = pool.poll(0.5)
        assert len(lost) == 1 and lost[0].ticket == 1 and lost[0].outcome is None and "signal 9" in lost[0].lost
        assert pool.idle == 1 and pool.pids()[0] != first
        pool.submit(2, os.getpid)
        done = []
        while not done and time.monotonic() < deadline:
            done = pool.poll(0.5)
        assert done[0].ticket == 2 and done[0].outcome is not None and done[0].outcome.value == pool.pids()[0]
    finally:
        pool.close()


def test_a_worker_with_another_voice_model_refuses_the_work(tmp_path):
    baker = load_voice("baker")
    with pytest.raises(VoiceError, match="differs from where the batch runs"):
        synthesize(_sentences(5), baker, None, "baker frontend=0 some other model", tmp_path, ".batch-x")
    assert not any(tmp_path.iterdir())


def test_settings_and_inputs_are_checked_before_any_work(tmp_path):
    report = _touch(tmp_path / "甲市.txt")
    with pytest.raises(OutputError, match="unknown format"):
        run_batch([str(report)], tmp_path / "out", formats=["epub", "pdf"])
    with pytest.raises(InputError, match="nothing to build"):
        run_batch([str(tmp_path / "missing.txt")], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_every_build_option_is_in_the_stamp(tmp_path):
    from dataclasses import fields, replace

    from accessible.batch.jobs import Settings
    from accessible.batch.stamp import settings_digest
    from accessible.outputs.braille import BrailleOptions

    base = Settings(load_voice("baker"), None, None, "sentence", ("epub",), tmp_path, BrailleOptions(), False)
    changed = {"fallback": load_voice("baker"), "lexicon": _touch(tmp_path / "lexicon.toml"), "sync": "word",
               "formats": ("epub", "web"), "braille": BrailleOptions(cells=30), "ruby": True}  # fmt: skip
    assert set(changed) == {f.name for f in fields(Settings)} - {"voice", "cache"}  # the cache is where, not what
    for name, value in changed.items():
        assert settings_digest(replace(base, **{name: value})) != settings_digest(base), name
