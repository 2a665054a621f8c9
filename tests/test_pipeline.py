"""`accessible build` end to end with the offline voice on a short excerpt, and its bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from accessible.outputs.check import check, check_overlays, format_report
from accessible.errors import OutputError
from accessible.pipeline import BuildSummary, build

# Front matter, two chapters, two sections, a number: every stage has work to do.
EXCERPT = """――2017年4月7日在衡水市第六届人民代表大会第一次会议上
衡水市人民政府代市长王景武
各位代表：
一、本届政府工作回顾
市五届人大一次会议以来的四年，是衡水发展史上极为重要、极不寻常的四年。
二、2017年主要工作
（一）全力推进项目建设。始终把项目建设作为经济社会发展的总抓手。
（二）着力优化营商环境。全市地区生产总值年均增长8.2%。
"""
TITLE = '衡水/2017:政府*工作?报告'  # characters no file system allows


def test_output_folder_that_is_a_file(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(EXCERPT, encoding="utf-8")
    blocker = tmp_path / "output"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(OutputError, match="is a file"):
        build(report, out_dir=blocker)
    assert blocker.read_text() == "a file where the output folder should be"


@pytest.mark.parametrize(("option", "value", "message"), [("formats", ["epub", "pdf"], "unknown format"),
                                                          ("formats", [], "no format asked for"),
                                                          ("sync", "syllable", "unknown sync mode")])  # fmt: skip
def test_unknown_settings_are_refused_before_any_work(tmp_path, option, value, message):
    with pytest.raises(OutputError, match=message):
        build(tmp_path / "missing.txt", out_dir=tmp_path / "out", **{option: value})
    assert not (tmp_path / "out").exists()


def test_summary_lines():
    summary = BuildSummary(
        "报告", Path("output/报告"), 4, 471, 20590, 4380.4, 3, 468, ("三、2017年主要工作",), "written",
        (Path("audio/00-开篇.mp3"), Path("audio/01-回顾.mp3"), Path("报告.epub")), 12.34, {"voice": 2.0, "audio": 8.0},
    )  # fmt: skip
    lines = summary.lines()
    assert lines[0] == "报告: 4 chapters, 471 sentences, 20590 characters, 73 min 00 s of audio"
    assert lines[1] == "voice: 3 sentence(s) synthesized, 468 reused from the cache"
    assert lines[2:4] == ["audio: encoded 三、2017年主要工作", "epub: written"]
    assert lines[5:7] == ["  报告.epub", "  audio/ (2 files)"] and lines[-1] == "done in 12.3 s (voice 2.0 s, audio 8.0 s)"


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("build")
    report = work / "report.txt"
    report.write_text(EXCERPT, encoding="utf-8")
    summary = build(report, out_dir=work / "out", cache_dir=work / "cache", title=TITLE)
    return work, report, summary


@pytest.mark.slow
def test_first_build_makes_every_output_and_passes_check(first_build):
    work, _, summary = first_build
    assert summary.title == TITLE and summary.folder.parent == work / "out"
    assert not set('/:*?"<>|') & set(summary.folder.name)
    assert summary.chapters == 2 and summary.sentences == 10
    assert summary.synthesized + summary.reused == summary.sentences and summary.synthesized > 0
    assert len(summary.encoded) == 3 and summary.epub_written  # front matter + 2 chapters
    names = {p.as_posix() for p in summary.files}
    assert {f"{summary.folder.name}.epub", f"{summary.folder.name}.m4b", "web/index.html"} <= names
    assert {f"braille/{summary.folder.name}.{e}" for e in ("brf", "pef", "txt")} <= names
    assert summary.braille.endswith("written") and f"braille: {summary.braille}" in summary.lines()
    assert sum(n.startswith("audio/") and n.endswith(".mp3") for n in names) == 3
    assert any(n.endswith(".vtt") for n in names)
    report = check(summary.folder)
    assert report.ok, "\n".join(format_report(report))
    assert report.epubcheck.errors == report.epubcheck.warnings == 0
    assert report.overlays.sentences == summary.sentences


@pytest.mark.slow
def test_second_build_reuses_everything_and_an_edit_redoes_one_chapter(first_build):
    work, report, first = first_build
    again = build(report, out_dir=work / "out", cache_dir=work / "cache", title=TITLE)
    assert (again.synthesized, again.reused, again.encoded, again.epub_written) == (0, 10, (), False)
    assert again.braille.endswith("unchanged")
    assert again.seconds < first.seconds
    report.write_text(EXCERPT.replace("8.2%", "8.5%"), encoding="utf-8")
    edited = build(report, out_dir=work / "out", cache_dir=work / "cache", title=TITLE)
    assert (edited.synthesized, edited.reused) == (1, 9)
    assert edited.encoded == ("二、2017年主要工作",) and edited.epub_written and edited.braille.endswith("written")
    assert not any(check_overlays(edited.folder / f"{edited.folder.name}.epub").problems.values())


@pytest.mark.slow
def test_word_sync_build_reuses_the_clips(first_build):
    work, report, _ = first_build
    summary = build(report, out_dir=work / "words", cache_dir=work / "cache", title=TITLE, sync="word",
                    formats=["audio", "epub"])  # fmt: skip
    assert summary.synthesized == 0
    stats = check_overlays(summary.folder / f"{summary.folder.name}.epub")
    assert not any(stats.problems.values()) and stats.pars > stats.sentences


def _read_only(folder: Path, command: list[str]) -> list[str]:
    """``command`` run with ``folder`` read-only: by its mode, or (root ignores modes) by a
    read-only bind mount in a mount namespace of its own."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return command
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root without mount namespaces: cannot make a folder read-only")
    return ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), *command]


def test_a_read_only_output_folder_fails_before_any_synthesis(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text(EXCERPT, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    out.mkdir()
    command = [sys.executable, "-m", "accessible", "build", str(report), "--out", str(out), "--cache", str(cache)]
    done = subprocess.run(_read_only(out, command), capture_output=True, text=True)
    out.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: cannot write into {out}/") and done.stderr.count("\n") == 1
    assert not list(cache.rglob("*.clip"))  # no voice work was wasted


def test_empty_formats_are_refused_by_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "accessible", "build", "x.txt", "--formats", ""], cwd=tmp_path,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and "no format asked for" in done.stderr


@pytest.mark.slow
def test_a_rebuild_trusts_nothing_it_finds(first_build):
    """Leftovers of killed writers, a garbage EPUB marker, a deleted and a truncated chapter
    MP3: the rebuild removes, ignores and remakes them, says so, and the book checks out."""
    work, report, _ = first_build
    folder = build(report, out_dir=work / "out", cache_dir=work / "cache", title=TITLE).folder
    (front, first, _) = sorted(folder.glob("audio/[!.]*.mp3"))
    leftovers = [folder / f".{folder.name}.k2j3h4g5.part.epub", folder / "audio" / ".01-回顾.abcdefgh.part.mp3",
                 folder / "web" / ".index.zz_9x8y7.part.html"]  # fmt: skip
    for path in leftovers:
        path.write_bytes(b"cut short by kill -9")
    (folder / f".{folder.name}.epub.inputs").write_bytes(b"\xff\xfe\x00garbage")
    front.unlink()
    os.truncate(first, first.stat().st_size // 3)
    again = build(report, out_dir=work / "out", cache_dir=work / "cache", title=TITLE)
    assert not any(p.exists() for p in leftovers)
    assert again.epub_written and again.synthesized == 0
    assert again.encoded == ("开篇", "一、本届政府工作回顾")
    assert again.lines()[2] == "audio: encoded 开篇, 一、本届政府工作回顾"
    report_ = check(again.folder)
    assert report_.ok, "\n".join(format_report(report_))
