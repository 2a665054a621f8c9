"""`accessible batch` for real: the offline voice, local worker processes and a Ray cluster.

A few short reports (written here, a few sentences each) in three formats — text, a web
page, a Word file — and one bad input. Each batch
loses workers mid-run (killed with SIGKILL) and must still finish, and every book it
makes must be the book `accessible build` makes: the same files, byte for byte (so the
same audio samples), the EPUB the same member by member but for its build time.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from accessible.batch import REPORT
from accessible.batch.workers import TASK_NAME
from accessible.pipeline import build

import ray_cluster

REPORTS = {
    "东城/2021.txt": (
        "东城区2021年政府工作报告\n"
        "一、过去一年的工作\n"
        "全区经济运行总体平稳。地区生产总值增长百分之六点一。\n"
        "二、今年的主要任务\n"
        "（一）稳住就业基本盘。新增城镇就业一万二千人。\n"
        "（二）办好民生实事。新建社区食堂二十个。\n"
    ),
    "东城/2022.html": (
        "东城区2022年政府工作报告\n"
        "一、回顾\n"
        "我们顶住压力，完成了全年目标。\n"
        "二、计划\n"
        "今年要抓好项目建设。推进老旧小区改造。\n"
    ),
    "西山县.docx": (
        "西山县政府工作报告\n"
        "各位代表：\n"
        "一、发展成效\n"
        "粮食总产量再创新高。农村公路通达每个村。\n"
        "二、工作安排\n"
        "坚持生态优先，守护好青山绿水。\n"
    ),
}
BAD = "损坏.txt"  # an image with a text name: reported, the others built
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
MODIFIED = re.compile(rb"<meta property=\"dcterms:modified\">[^<]*</meta>")


def _web_page(text: str) -> str:
    """The report as a government portal serves it: navigation and footer around the article."""
    title, *lines = text.splitlines()
    body = "".join(f"<h2>{line}</h2>" if line[1] == "、" else f"<p>{line}</p>" for line in lines)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}_东城区人民政府</title></head><body>"
        "<nav><a href='/'>首页</a> <a href='/zwgk'>政务公开</a> <a href='/hdjl'>互动交流</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>主办：东城区人民政府办公室 版权所有 网站标识码：1101010001</footer></body></html>"
    )


def _word(text: str, path: Path) -> None:
    import docx

    document = docx.Document()
    title, *lines = text.splitlines()
    document.add_heading(title, level=0)
    for line in lines:
        if line[1] == "、":
            document.add_heading(line, level=1)
        else:
            document.add_paragraph(line)
    document.save(str(path))


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    for name, text in REPORTS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".docx":
            _word(text, path)
        elif path.suffix == ".html":
            path.write_text(_web_page(text), encoding="utf-8")
        else:
            path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad") / BAD
    path.write_bytes(PNG)
    return path


@pytest.fixture(scope="module")
def built(reports, tmp_path_factory):
    """Each report built by `accessible build` into <out>/<name>, as a batch places it."""
    out = tmp_path_factory.mktemp("built")
    for name in REPORTS:
        build(reports / name, out_dir=out / Path(name).with_suffix(""), cache_dir=out / ".cache")
    return out


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def _epub(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: MODIFIED.sub(b"", z.read(n)) for n in z.namelist()}


def assert_same_books(batch_out: Path, build_out: Path) -> None:
    for name in REPORTS:
        ours, theirs = _files(batch_out / Path(name).with_suffix("")), _files(build_out / Path(name).with_suffix(""))
        assert set(ours) == set(theirs) | {".batch-stamp.json"}, name
        for rel, path in theirs.items():
            if rel.endswith(".epub"):
                assert _epub(ours[rel]) == _epub(path), rel
            elif not any(part.startswith(".") for part in Path(rel).parts):  # hidden: build's own records (a pid, file times)
                assert ours[rel].read_bytes() == path.read_bytes(), rel


def _batch(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "accessible", "batch", *args, "--no-progress"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_mid_run(batch: subprocess.Popen[str], cache: Path, workers, timeout: float = 600) -> list[int]:
    """Once the first clip is in ``cache``, SIGKILL the processes ``workers()`` names; their pids."""
    deadline = time.monotonic() + timeout
    while not any(cache.glob("??/*.clip")):
        assert batch.poll() is None, "the batch ended before any clip was made"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    while not (pids := workers()):
        assert batch.poll() is None, "the batch ended before a worker could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return pids


def _local_workers(batch: subprocess.Popen[str]) -> list[int]:
    children = ray_cluster.descendants(batch.pid)
    return [p for p in children if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _report(out: Path) -> dict[str, dict]:
    books = json.loads((out / REPORT).read_text(encoding="utf-8"))["books"]
    return {Path(b["input"]).name: b for b in books}


@pytest.fixture(scope="module")
def local_batch(reports, bad, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    cache = out.parent / (out.name + "-cache")
    batch = _batch([str(reports), str(bad), "--out", str(out), "--cache", str(cache), "--workers", "2"], dict(os.environ))
    killed = _kill_mid_run(batch, cache, lambda: _local_workers(batch))
    stdout, stderr = batch.communicate(timeout=900)
    return out, cache, killed, batch.returncode, stdout, stderr


@pytest.mark.slow
def test_local_batch_survives_killed_workers_and_a_bad_input(local_batch, built):
    out, _, killed, code, stdout, stderr = local_batch
    assert killed and code == 1, stdout + stderr
    books = _report(out)
    assert books[BAD]["status"] == "failed" and "PNG" in books[BAD]["error"]
    assert f"failed: {Path(books[BAD]['input'])}" in stdout
    good = [books[Path(n).name] for n in REPORTS]
    assert all(b["status"] == "built" and b["audio"] > 1 and b["seconds"] > 0 and b["error"] is None for b in good)
    assert sum(b["retries"] for b in good) >= 1  # the killed workers' jobs were done again
    assert "died" in stderr
    assert_same_books(out, built)


@pytest.mark.slow
def test_a_rerun_skips_the_books_that_are_up_to_date(local_batch, reports):
    out, cache, *_ = local_batch
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != REPORT}
    started = time.monotonic()
    rerun = subprocess.run(
        [sys.executable, "-m", "accessible", "batch", str(reports), "--out", str(out), "--cache", str(cache), "--no-progress"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(REPORTS)} book(s): {len(REPORTS)} up to date" in rerun.stdout
    assert {p: p.stat().st_mtime_ns for p in before} == before  # nothing rewritten
    assert all(b["status"] == "up to date" and b["audio"] > 1 for b in _report(out).values())
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_ray_batch_survives_a_killed_worker_and_equals_build(reports, bad, built, tmp_path):
    # The workers' default cache is not the batch's: as on machines without a shared
    # file system, their clips must come back through Ray.
    worker_cache, driver_cache, out = tmp_path / "worker-cache", tmp_path / "driver-cache", tmp_path / "out"
    with ray_cluster.cluster(cpus=2, env={"ACCESSIBLE_CACHE_DIR": str(worker_cache)}) as ray:
        batch = _batch([str(reports), str(bad), "--out", str(out), "--ray", ray.address],
                       {**ray.env, "ACCESSIBLE_CACHE_DIR": str(driver_cache)})  # fmt: skip
        killed = _kill_mid_run(batch, worker_cache, lambda: ray_cluster.task_workers(ray.temp, TASK_NAME))
        stdout, stderr = batch.communicate(timeout=900)
        books = _report(out)
    assert killed and batch.returncode == 1, stdout + stderr
    assert f"the Ray cluster at {ray.address}" in stdout
    assert books[BAD]["status"] == "failed"
    assert all(books[Path(n).name]["status"] == "built" for n in REPORTS), (books, stderr)
    assert_same_books(out, built)
    made = {p.name for p in worker_cache.glob("??/*.clip")}
    assert made and made <= {p.name for p in driver_cache.glob("??/*.clip")}  # came back through Ray
