"""`accessible read`: proofreading output, JSON for scripts, --warn, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from accessible.cli import app

SAMPLE = Path(__file__).parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
runner = CliRunner()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # The real entry point: it turns AccessibleError into one line and exit code 2.
    return subprocess.run([sys.executable, "-m", "accessible.cli", *args], capture_output=True, text=True, timeout=120)


def test_read_text_shows_original_spoken_and_pinyin():
    result = runner.invoke(app, ["read", "年均增长8.2%；开通961890热线。"])
    assert result.exit_code == 0, result.output
    assert "年均增长百分之八点二；" in result.output
    assert "开通九六幺八九零热线。" in result.output
    assert "nian2jun1 zeng1zhang3" in result.output


def test_read_a_text_longer_than_a_file_name():
    result = runner.invoke(app, ["read", "全年地区生产总值增长7.2%，" * 40])
    assert result.exit_code == 0, result.output
    assert "百分之七点二" in result.output


def test_read_json_one_object_per_sentence():
    result = runner.invoke(app, ["read", "PM2.5平均浓度87微克/立方米。全长120公里。", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["spoken"] for r in rows] == ["PM二点五平均浓度八十七微克每立方米。", "全长一百二十公里。"]
    assert rows[1]["pinyin"].startswith("quan2 chang2 ")
    assert {"start": 2, "end": 5, "spoken": "一百二十", "kind": "cardinal", "parts": [[2, 5, "一百二十"]]} in rows[1]["rewrites"]
    assert rows[0]["rewrites"][-1]["parts"] == [[13, 14, "每"], [14, 17, "立方米"]]
    assert len(rows[0]["origin"]) == len(rows[0]["spoken"])


def test_read_warn_lists_unknown_expressions_and_exits_zero():
    result = runner.invoke(app, ["read", "版本3.14.15发布，增长5%，价格￥2。韩文안녕，用iPhone，GDP增长。", "--warn"])
    assert result.exit_code == 0
    assert "'3.14.15' is read as 三点一四点一五, no rule knew it" in result.output
    assert "'안녕' is not said, no rule knew it" in result.output
    assert "'iPhone' is spelled letter by letter, no rule knew it" in result.output
    assert "3 expression(s) no rule knew" in result.output


def test_read_warn_lists_polyphones_read_by_default():
    result = runner.invoke(app, ["read", "这层冰很薄，银行应收尽收。", "--warn"])
    assert result.exit_code == 0
    assert "'薄' read báo by default" in result.output and "这层冰很【薄】" in result.output
    assert "0 expression(s) no rule knew, 1 polyphone(s) read by default" in result.output


def test_read_a_chapter_of_the_sample():
    result = runner.invoke(app, ["read", str(SAMPLE), "--chapter", "1", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert rows[0]["id"] == "c01-h" and rows[0]["pinyin"].startswith("yi1 ")
    assert any("一千四百一十三点四亿元" in r["spoken"] for r in rows)
    assert all(r["id"].startswith("c01") for r in rows)


def test_missing_chapter_is_a_one_line_error():
    result = _run("read", str(SAMPLE), "--chapter", "9")
    assert result.returncode == 2
    assert "no chapter 9 (chapters: 0, 1, 2, 3, 4)" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_lexicon_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[words]\n"冀" = { pinyn = "ji4" }\n', encoding="utf-8")
    result = _run("read", "冀", "--lexicon", str(bad))
    assert result.returncode == 2
    assert "bad.toml" in result.stderr and "pinyn" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_mistyped_file_name_is_a_one_line_error_not_read_aloud(tmp_path):
    for name in ("nofile.txt", "reports/2017", str(tmp_path / "missing.pdf")):
        done = _run("read", name)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr == f"error: {name}: no such file (to proofread a sentence, give the sentence itself in quotes)\n"
    for text in ("PM2.5", "GDP增长8%。", "年均增长8.2%"):  # sentences, even without a Chinese character
        assert runner.invoke(app, ["read", text]).exit_code == 0
