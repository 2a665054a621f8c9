"""`accessible segment` as a user runs it: a real process, its exit code, stdout and stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import accessible
from test_ingest import BAD_INPUTS, make_bad_input

SAMPLE = Path(accessible.__file__).parent / "samples" / "hengshui-2017.txt"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accessible.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )


def test_outline_of_the_sample() -> None:
    r = run("segment", SAMPLE)
    assert r.returncode == 0, r.stderr
    assert "2017年衡水市政府工作报告  王景武  2017-04-07" in r.stdout
    rows = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:6]] for line in r.stdout.splitlines() if line.startswith("│")}
    assert rows["c00"] == ["(front matter)", "4", "4", "95"]
    assert rows["c03"][:3] == ["三、2017年主要工作", "38", "219"]
    assert rows["c03-s09"][0] == "（九）着力维护社会和谐稳定。"
    assert len([k for k in rows if k.startswith("c03-s")]) == 9
    assert r.stdout.rstrip().endswith("5 chapters, 471 sentences, 20572 characters")
    assert r.stderr.splitlines() == [
        "warning: made ASCII punctuation between Chinese characters full-width, as printed (8 ','→'，')",
        "warning: removed web watermark 'www.libaiwu.com 政府工作报告。' (8 times)",
        "warning: removed photo caption or source line '王景武作政府工作报告。衡水日报记者摄' (8 times, line 3, 84, 165, 246, 327, …)",
        "warning: removed 7 repeated copies of the document (lines 82–647)",
    ]


def test_json_dumps_the_whole_book_and_quiet_silences_warnings() -> None:
    r = run("-q", "segment", SAMPLE, "--json", "--title", "衡水报告")
    assert r.returncode == 0 and r.stderr == ""
    book = json.loads(r.stdout)
    assert (book["title"], book["author"], book["date"]) == ("衡水报告", "王景武", "2017-04-07")
    assert [c["id"] for c in book["chapters"]] == ["c00", "c01", "c02", "c03", "c04"]
    first = book["chapters"][3]["sections"][1]["heading"]
    assert first["id"] == "c03-s01-h" and first["text"] == "（一）全力推进项目建设。"
    assert first["words"] and first["reading"] is None


def test_help_is_useful() -> None:
    r = run("segment", "--help")
    assert r.returncode == 0
    for words in ("chapters, sections, paragraphs and sentences", "--title", "--json", "GB18030"):
        assert words in r.stdout


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_gives_one_line_and_exit_2(kind: str, tmp_path: Path) -> None:
    path = make_bad_input(kind, tmp_path)
    r = run("segment", path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == [f"error: {path}: " + r.stderr.split(": ", 2)[2].rstrip("\n")]
    assert BAD_INPUTS[kind][1] in r.stderr and "Traceback" not in r.stderr
