"""Two builds of different texts into one book folder at the same time, round after round:
every round leaves one build's outputs, whole — the EPUB passes the overlay checks, and the
chapter MP3s and captions beside it are the ones it was made with.

The builds run in forked processes (separate processes, as two `accessible build` commands
are) from a parent that has already loaded the libraries and cached every clip, so a round
costs the audio and EPUB stages only.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from accessible.outputs.check import check_overlays, find_epub
from accessible.outputs.xhtml import SENTENCE_CLASS
from accessible.pipeline import build

ROUNDS = 6
TITLE = "同一本书"
# A short book and a long one: the short one, started while the long one is being built,
# finishes first, and without a lock the long one then packs what the short one left.
TEXTS = {
    "short": "一、第一章\n短的一本书只有一句话。\n",
    "long": "".join(
        f"{n}、第{n}章\n这是长的一本书第{n}章的第一句话。第二句话也在这里。第三句话说完这一段。\n" for n in "一二三四"
    ),
}


def _epub_contents(epub: Path) -> tuple[list[str], dict[str, str]]:
    """Hashes of the audio files inside the EPUB, and its sentence texts by id."""
    texts: dict[str, str] = {}
    with zipfile.ZipFile(epub) as zf:
        audio = sorted(hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist() if n.endswith(".mp3"))
        for name in (n for n in zf.namelist() if n.endswith(".xhtml")):
            for el in etree.fromstring(zf.read(name)).iter():
                if SENTENCE_CLASS in (el.get("class") or "").split() and el.get("id"):
                    texts[el.get("id", "")] = "".join(el.itertext())
    return audio, texts


def _caption_texts(folder: Path) -> dict[str, str]:
    cues: dict[str, str] = {}
    for vtt in folder.glob("captions/*.vtt"):
        if not vtt.name.endswith(".words.vtt"):
            for block in vtt.read_text(encoding="utf-8").split("\n\n")[1:]:
                ident, _, text = block.strip().split("\n", 2)
                cues[ident] = text
    return cues


def folder_problems(folder: Path) -> list[str]:
    """What in ``folder`` does not belong to the build that wrote its EPUB."""
    epub = find_epub(folder)
    stats = check_overlays(epub)
    problems = [p for found in stats.problems.values() for p in found]
    audio, texts = _epub_contents(epub)
    if audio != sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("audio/*.mp3")):
        problems.append("the chapter MP3s are not the ones inside the EPUB")
    if _caption_texts(folder) != texts:
        problems.append("the captions are not the EPUB's sentences")
    return problems


def _build(report: Path, out: Path, cache: Path) -> None:
    build(report, out_dir=out, cache_dir=cache, title=TITLE, formats=["audio", "epub"])


@pytest.mark.slow
def test_concurrent_builds_into_one_folder_leave_one_whole_book(tmp_path: Path):
    reports = {}
    for name, text in TEXTS.items():
        reports[name] = tmp_path / f"{name}.txt"
        reports[name].write_text(text, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    for report in reports.values():  # every clip cached, every library loaded, before forking
        _build(report, out, cache)
    started = time.perf_counter()
    _build(reports["long"], out, cache)  # a rebuild that encodes everything again, as each round's do
    seconds = time.perf_counter() - started
    fork = multiprocessing.get_context("fork")
    for n in range(ROUNDS):
        # The short build starts later and later into the long one: the rounds sweep the
        # ways the two can overlap.
        builds = [fork.Process(target=_build, args=(reports[name], out, cache)) for name in ("long", "short")]
        builds[0].start()
        time.sleep(seconds * n / ROUNDS)
        builds[1].start()
        for process in builds:
            process.join(120)
        assert [p.exitcode for p in builds] == [0, 0], f"round {n}"
        assert folder_problems(out / TITLE) == [], f"round {n}"
