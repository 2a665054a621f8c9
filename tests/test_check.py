"""`accessible check` finds what is wrong in an EPUB's overlays, and says so plainly."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accessible.outputs import check as check_mod
from accessible.outputs.check import CheckReport, EpubCheckResult, check_overlays, find_epub, format_report, parse_clock
from accessible.cli import app
from accessible.outputs.epub import write_epub
from accessible.errors import InputError
from accessible.layout import Layout
from accessible.voices import load_voice
from epub_fakes import fake_tracks, small_book


@pytest.fixture(scope="module")
def good_epub(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("check")
    book = small_book()
    return write_epub(book, fake_tracks(book, out), Layout.for_book(book, out), voice=load_voice("baker")).path


def tampered(src: Path, dst: Path, name: str, edit) -> Path:
    """A copy of the EPUB with one member's text passed through ``edit``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == name:
                data = edit(data.decode()).encode()
            zout.writestr(info, data)
    return dst


def test_a_good_epub_has_no_problems(good_epub):
    stats = check_overlays(good_epub)
    assert not any(stats.problems.values())
    assert (stats.documents, stats.sentences, stats.pars) == (3, 9, 9)


def test_a_missing_par_is_named(good_epub, tmp_path):
    bad = tampered(good_epub, tmp_path / "b.epub", "EPUB/smil/c01.smil",
                   lambda t: re.sub(r'\s*<par id="par-c01-s00-p001-t002".*?</par>', "", t))  # fmt: skip
    problems = check_overlays(bad).problems
    assert problems["pars"] == ["EPUB/c01.xhtml#c01-s00-p001-t002: 0 pars (expected exactly 1)"]
    assert problems["durations"]  # the clips no longer add up to the audio or the OPF


def test_a_clip_past_the_end_of_its_audio(good_epub, tmp_path):
    def stretch(text: str) -> str:
        last = re.findall(r'clipEnd="([^"]+)"', text)[-1]
        return text.replace(f'clipEnd="{last}"', 'clipEnd="0:00:09.000"')

    problems = check_overlays(tampered(good_epub, tmp_path / "b.epub", "EPUB/smil/c02.smil", stretch)).problems
    assert any("outside" in p and "audio/c02.mp3" in p for p in problems["inside"])


def test_overlapping_clips(good_epub, tmp_path):
    def overlap(text: str) -> str:
        begins = re.findall(r'clipBegin="([^"]+)"', text)
        return text.replace(f'clipBegin="{begins[2]}"', 'clipBegin="0:00:00.010"', 1)

    problems = check_overlays(tampered(good_epub, tmp_path / "b.epub", "EPUB/smil/c02.smil", overlap)).problems
    assert problems["order"]


def test_opf_duration_that_disagrees(good_epub, tmp_path):
    bad = tampered(good_epub, tmp_path / "b.epub", "EPUB/content.opf",
                   lambda t: re.sub(r'(refines="#mo-c01">)[^<]+', r"\g<1>0:00:09.000", t))  # fmt: skip
    problems = check_overlays(bad).problems["durations"]
    assert any("OPF says 9.000 s" in p for p in problems)
    assert any("total media:duration" in p for p in problems)


def test_not_an_epub(tmp_path):
    junk = tmp_path / "junk.epub"
    junk.write_bytes(b"not a zip")
    assert check_overlays(junk).problems["pars"]


def test_find_epub(good_epub, tmp_path):
    assert find_epub(good_epub) == good_epub
    assert find_epub(good_epub.parent) == good_epub
    assert find_epub(good_epub.parent.parent) == good_epub  # the output folder of one book
    with pytest.raises(InputError, match="no .epub"):
        find_epub(tmp_path)
    with pytest.raises(InputError, match="no such"):
        find_epub(tmp_path / "missing")


def test_missing_java_is_said_clearly(good_epub, monkeypatch):
    monkeypatch.setattr(check_mod.shutil, "which", lambda name: None)
    result = check_mod.run_epubcheck(good_epub)
    assert "Java is not installed" in result.unavailable and not result.ok
    report = CheckReport(good_epub, result, check_overlays(good_epub))
    text = "\n".join(format_report(report))
    assert "Java is not installed" in text and text.endswith("result: FAILED")


def test_parse_clock():
    assert parse_clock("1:02:03.5") == 3723.5
    assert parse_clock("02:03.25") == 123.25
    assert parse_clock("3.5s") == parse_clock("3500ms") == parse_clock("3.5") == 3.5
    with pytest.raises(ValueError):
        parse_clock("soon")


@pytest.mark.slow
def test_cli_check_passes_a_good_epub_and_fails_a_bad_one(good_epub, tmp_path, monkeypatch):
    runner = CliRunner()
    ok = runner.invoke(app, ["check", str(good_epub.parent)])
    assert ok.exit_code == 0, ok.output
    assert "0 fatal, 0 errors, 0 warnings" in ok.output and "result: OK" in ok.output
    bad = tampered(good_epub, tmp_path / "b.epub", "EPUB/smil/c01.smil",
                   lambda t: re.sub(r'\s*<par id="par-c01-h".*?</par>', "", t))  # fmt: skip
    # EPUBCheck cannot see this fault (a sentence without a par is valid EPUB): skip its run
    monkeypatch.setattr(check_mod, "run_epubcheck", lambda path: EpubCheckResult(version="5.3.0"))
    failed = runner.invoke(app, ["check", str(bad)])
    assert failed.exit_code == 1 and "c01-h: 0 pars" in failed.output and "result: FAILED" in failed.output


def test_report_lines_for_a_clean_result(good_epub):
    report = CheckReport(good_epub, EpubCheckResult(version="5.3.0"), check_overlays(good_epub))
    lines = format_report(report)
    assert lines[1] == "  ✓ EPUBCheck 5.3.0: 0 fatal, 0 errors, 0 warnings"
    assert lines[-1] == "result: OK" and not any("✗" in line for line in lines)


def test_missing_accessibility_metadata_and_highlight_style(good_epub, tmp_path):
    def strip(text: str) -> str:
        text = re.sub(r'\s*<meta property="schema:accessibilityHazard">[^<]*</meta>', "", text)
        return text.replace("-epub-media-overlay-active", "playing")

    problems = check_overlays(tampered(good_epub, tmp_path / "b.epub", "EPUB/content.opf", strip)).problems["metadata"]
    assert problems == [
        "EPUB/content.opf: no schema:accessibilityHazard",
        "EPUB/content.opf: media:active-class 'playing' has no style in the publication's CSS",
    ]


@pytest.fixture(scope="module")
def word_epub(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("words")
    book = small_book()
    layout = Layout.for_book(book, out)
    return write_epub(book, fake_tracks(book, out), layout, voice=load_voice("baker"), sync="word").path


def test_word_sync_a_good_epub_has_no_problems(word_epub):
    stats = check_overlays(word_epub)
    assert not any(stats.problems.values()) and stats.pars > stats.sentences


def test_word_sync_a_word_without_its_par_is_named(word_epub, tmp_path):
    # the word par of 经济 dropped, and the one before stretched over its time: the clips
    # still tile the audio, so only the word check can see it
    def drop(text: str) -> str:
        pars = re.findall(r'<par id="par-c01-s00-p001-t001-w0[23]".*?</par>', text)
        end = re.search(r'clipEnd="([^"]+)"', pars[1]).group(1)
        return text.replace(pars[1], "").replace(pars[0], re.sub(r'clipEnd="[^"]+"', f'clipEnd="{end}"', pars[0]))

    problems = check_overlays(tampered(word_epub, tmp_path / "b.epub", "EPUB/smil/c01.smil", drop)).problems
    assert problems["words"] == [
        "EPUB/c01.xhtml#c01-s00-p001-t001: word(s) c01-s00-p001-t001-w03 without exactly one par",
        "EPUB/smil/c01.smil: the pars of c01-s00-p001-t001 are not its 7 words in reading order",
    ]
    assert not problems["pars"] and not problems["durations"] and not problems["order"]


def test_word_sync_gaps_and_unhighlighted_text_are_named(word_epub, tmp_path):
    def gap(text: str) -> str:
        par = re.search(r'<par id="par-c01-s00-p001-t001-w02".*?</par>', text).group()
        return text.replace(par, re.sub(r'clipEnd="[^"]+"', 'clipEnd="0:00:00.300"', par))

    problems = check_overlays(tampered(word_epub, tmp_path / "g.epub", "EPUB/smil/c01.smil", gap)).problems["words"]
    assert len(problems) == 1 and "c01-s00-p001-t001-w02 ends at 0.300 s" in problems[0] and "(a gap)" in problems[0]
    unwrapped = tampered(word_epub, tmp_path / "u.epub", "EPUB/c01.xhtml",
                         lambda t: re.sub(r'<span class="w" id="c01-s00-p001-t001-w03">(.*?)</span>', r"\1", t))  # fmt: skip
    problems = check_overlays(unwrapped).problems["words"]
    assert "EPUB/c01.xhtml#c01-s00-p001-t001: '经济' is in no word, so it is never highlighted" in problems
