"""DAISY Ace, the accessibility checker libraries and publishers run on EPUBs, finds nothing.

Ace is installed from the npm registry without its install scripts (they download
browsers) and drives Debian's Chromium. The book is the whole sample, with synthetic
audio: Ace checks the package, the pages and their metadata, not the sound.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from accessible.outputs.epub import write_epub
from accessible.layout import Layout
from accessible.segment import load_book
from accessible.speech import read_book
from accessible.voices import load_voice
from epub_fakes import fake_tracks
from npm_tools import npm_file

SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


@pytest.mark.slow
@pytest.mark.parametrize(("sync", "ruby"), [("sentence", False), ("word", True)])
def test_ace_reports_no_violation(tmp_path, sync, ruby):
    book = read_book(load_book(SAMPLE)) if ruby else load_book(SAMPLE)
    epub = write_epub(
        book, fake_tracks(book, tmp_path, per_char=0.01, pause=0.05), Layout.for_book(book, tmp_path),
        voice=load_voice("baker"), sync=sync, ruby=ruby,
    ).path
    if ruby:
        assert b"<rt>" in zipfile.ZipFile(epub).read("EPUB/c03.xhtml")
    assert ace_violations(epub, tmp_path / "ace") == ([], "pass")


def ace_violations(epub: Path, out: Path) -> tuple[list[str], str]:
    """Ace's findings on ``epub`` (one line each) and its outcome; skips without Chromium."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (make test installs it as root)")
    ace = npm_file("@daisy/ace@1", ".bin/ace-puppeteer", ignore_scripts=True)
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM)}
    subprocess.run([str(ace), "--silent", "-f", "-o", str(out), str(epub)], env=env, check=True, timeout=600)
    report = json.loads((out / "report.json").read_text())
    violations = [
        f"{a['earl:test']['dct:title']} ({a['earl:test']['earl:impact']}) in {doc['earl:testSubject']['url']}"
        for doc in report["assertions"]
        for a in doc["assertions"]
    ]
    return violations, report["earl:result"]["earl:outcome"]
