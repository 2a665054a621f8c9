"""Print pages kept: a report read from a PDF marks each print page where it starts, in the
EPUB (epub:type="pagebreak" with the page's own number, a page-list in the nav, the package
metadata) and in the web page (go to page); a page starting inside a sentence never splits it.
`accessible build report.pdf` makes the same outputs as for text, and they check clean.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from accessible.layout import Layout
from accessible.outputs.check import run_epubcheck
from accessible.outputs.epub import write_epub
from accessible.outputs.web import write_web
from accessible.segment import load_book
from accessible.voices import load_voice
from epub_fakes import fake_tracks
from test_ace import ace_violations
from test_web_browser import axe_script, axe_violations  # noqa: F401 - a fixture
import report_documents as rd
from report_documents import chromium  # noqa: F401 - a fixture

NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops", "opf": "http://www.idpf.org/2007/opf"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def pdf_book(chromium, tmp_path_factory):
    path = rd.print_pdf(chromium, tmp_path_factory.mktemp("pdf") / "report.pdf")
    return path, load_book(path)


@pytest.mark.parametrize("sync", ["sentence", "word"])
def test_epub_marks_print_pages_and_lists_them(pdf_book, tmp_path: Path, sync: str) -> None:
    _, book = pdf_book
    epub = write_epub(
        book, fake_tracks(book, tmp_path, per_char=0.01, pause=0.05), Layout.for_book(book, tmp_path),
        voice=load_voice("baker"), sync=sync,
    ).path
    result = run_epubcheck(epub)
    if result.unavailable:
        pytest.skip(result.unavailable)
    assert (result.fatals, result.errors, result.warnings) == (0, 0, 0), result.messages
    z = zipfile.ZipFile(epub)
    opf = etree.fromstring(z.read("EPUB/content.opf"))
    features = [m.text for m in opf.iterfind(".//opf:meta[@property='schema:accessibilityFeature']", NS)]
    assert {"pageBreakMarkers", "pageNavigation"} <= set(features)
    source = opf.find(".//opf:meta[@property='pageBreakSource']", NS)
    assert source is not None and source.text.endswith(f"（PDF，{len(book.pages)} 页）")
    nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
    page_list = nav.find(".//h:nav[@epub:type='page-list']", NS)
    links = [(a.get("href"), a.text) for a in page_list.iterfind(".//h:a", NS)]
    assert [label for _, label in links] == [m.number for m in book.pages]
    sentences = {s.id: s.text for s in book.sentences()}
    for href, label in links:
        doc, anchor = href.split("#")
        page = etree.fromstring(z.read(f"EPUB/{doc}"))
        (mark,) = page.xpath(f"//*[@id='{anchor}']")
        assert mark.get(EPUB_TYPE) == "pagebreak" and mark.get("aria-label") == label and not "".join(mark.itertext())
        holder = mark.getparent()
        if holder.get("class") == "s":  # inside a sentence: the sentence is still one span, whole
            assert "".join(holder.itertext()) == sentences[holder.get("id")]
    inside = [m for m in book.pages if m.offset > 0]
    assert inside  # the fixture has a page starting mid-sentence: it is marked inside that sentence's span
    chapter = next(c for c in book.chapters if any(s.id == inside[0].sentence_id for s in c.sentences()))
    page = etree.fromstring(z.read(f"EPUB/{chapter.id}.xhtml"))
    (span,) = page.xpath(f"//*[@id='{inside[0].sentence_id}']")
    assert span.xpath(".//*[@role='doc-pagebreak']")


def test_web_page_goes_to_a_print_page(pdf_book, chromium, axe_script, tmp_path: Path) -> None:
    _, book = pdf_book
    layout = Layout.for_book(book, tmp_path)
    index = write_web(book, fake_tracks(book, tmp_path, per_char=0.01, pause=0.05), layout, sync="word")
    page = chromium.new_page()
    page.goto(index.as_uri())
    page.wait_for_selector("html[data-player=ready]", state="attached", timeout=5000)
    labels = page.eval_on_selector_all(".pages .page-list a", "els => els.map(a => a.textContent)")
    assert labels == [m.number for m in book.pages]
    target = next(m for m in book.pages if m.offset > 0)
    page.fill("#page-number", target.number)
    page.click("#goto-page button")
    assert page.evaluate("document.activeElement.id") == target.sentence_id
    assert page.eval_on_selector(f"#page-{target.number}", "el => el.closest('.s').id") == target.sentence_id
    page.fill("#page-number", "999")
    page.click("#goto-page button")
    assert page.text_content("#page-status") == "没有第999页"
    assert axe_violations(page, axe_script) == []  # the page marks and the go-to-page form too
    page.close()


@pytest.mark.slow
def test_build_from_a_pdf_with_the_offline_voice(chromium, tmp_path: Path) -> None:
    """`accessible build report.pdf`: the same outputs as for text, the page list, a clean check."""
    first_chapter = [item for item in rd.REPORT[: rd.REPORT.index(("h1", rd.CHAPTERS[1]))] if item[0] != "table"]
    pdf = rd.print_pdf(chromium, tmp_path / "report.pdf", body=rd.report_html_body(first_chapter))
    out = tmp_path / "out"
    run = [sys.executable, "-m", "accessible"]
    r = subprocess.run([*run, "build", str(pdf), "--out", str(out), "--cache", str(tmp_path / "cache")], capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr
    folder = out / rd.TITLE
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert {f"{rd.TITLE}.epub", f"{rd.TITLE}.m4b", f"{rd.TITLE}.m3u8", "web/index.html"} <= names
    assert any(n.startswith("audio/01-") for n in names) and any(n.endswith(".vtt") for n in names)
    nav = zipfile.ZipFile(folder / f"{rd.TITLE}.epub").read("EPUB/nav.xhtml").decode()
    assert 'epub:type="page-list"' in nav and ">2</a>" in nav
    assert 'id="goto-page"' in (folder / "web" / "index.html").read_text(encoding="utf-8")
    check = subprocess.run([*run, "check", str(folder)], capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_ace_finds_nothing_in_a_book_read_from_a_pdf(pdf_book, tmp_path: Path) -> None:
    _, book = pdf_book
    epub = write_epub(
        book, fake_tracks(book, tmp_path, per_char=0.01, pause=0.05), Layout.for_book(book, tmp_path),
        voice=load_voice("baker"), sync="word",
    ).path
    assert ace_violations(epub, tmp_path / "ace") == ([], "pass")
