"""Real documents in: a PDF printed by Chromium, a .docx from python-docx, a government portal
page in GBK, an EPUB from ebooklib, all made here from one report of our own
(report_documents.py), read as a person reads them: chapters and sections found, sentences
whole across line and page breaks, nothing read from headers, footers or navigation, tables
read row by row with their headers, print pages kept; bad files give one line and exit 2.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from accessible.errors import InputError
from accessible.inputs import read_document
from accessible.model import Book
from accessible.segment import load_book
import report_documents as rd
from report_documents import chromium  # noqa: F401 - a fixture

# Running headers and footers, page numbers, the portal's navigation and footer, Word's header/footer.
NEVER_READ = [
    "江北省人民政府公报", "- 2 -", "网站首页", "无障碍", "当前位置", "分享到", "微信", "相关链接", "版权所有",
    "ICP备", "网站标识码", "主办单位", "打印本页", "关闭窗口", "浏览次数", "发布时间", "江北省人民政府文件", "办公厅印发", "统计",
]


@pytest.fixture(scope="module")
def report_pdf(chromium, tmp_path_factory) -> Path:
    return rd.print_pdf(chromium, tmp_path_factory.mktemp("pdf") / "report.pdf")


def paragraphs_of(book: Book) -> list[str]:
    return [
        "".join(s.text for s in p.sentences)
        for c in book.chapters
        for section in c.sections
        for p in section.paragraphs
    ]


def check_report(book: Book) -> None:
    """What every format must give: the outline, whole paragraphs, no page chrome, the table."""
    assert (book.title, book.author, book.date) == (rd.TITLE, "周明堃", "2024-01-22")
    body = [c for c in book.chapters if c.kind == "body"]
    assert [c.title for c in body] == rd.CHAPTERS
    assert [s.title for s in body[1].sections if s.heading] == rd.SECTIONS
    found = paragraphs_of(book)
    # every paragraph whole: its sentences were not cut at a line end or a page break
    for paragraph in rd.paragraphs():
        assert paragraph in found
    for row in rd.TABLE_ROWS:
        assert row in found
    everything = "\n".join(s.text for s in book.sentences())
    for chrome in NEVER_READ:
        assert chrome not in everything
    assert not any(0x2E80 <= ord(ch) <= 0x2FDF for ch in everything)  # radicals mapped back


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_is_read_as_printed(report_pdf: Path) -> None:
    import pdfplumber

    with pdfplumber.open(report_pdf) as pdf:
        layer = "".join(c["text"] for page in pdf.pages for c in page.chars)
        count = len(pdf.pages)
    # Chromium's Noto CJK text layer carries radical code points (⼯ for 工), as many PDFs do
    assert any(0x2F00 <= ord(ch) <= 0x2FDF for ch in layer) and "江北省⼈⺠政府公报" in layer
    assert count >= 3 and "- 2 -" in layer

    doc = read_document(report_pdf)
    assert doc.format == "pdf"
    assert any(note.startswith("removed running header or footer '江北省⼈⺠政府公报'") for note in doc.removed)
    assert f"removed the page numbers of {count} pages (kept as the book's print pages)" in doc.removed
    book = load_book(report_pdf)
    check_report(book)
    # one print page per PDF page, numbered as its footer says
    assert [m.number for m in book.pages] == [str(n) for n in range(1, count + 1)]
    assert book.page_source == f"{rd.TITLE}（PDF，{count} 页）" or book.page_source == f"report.pdf（PDF，{count} 页）"
    sentences = {s.id: s.text for s in book.sentences()}
    reference = "".join(rd.paragraphs())
    inside = [m for m in book.pages if m.offset > 0]
    assert inside, "a page of this report starts inside a sentence"
    for mark in inside:  # the sentence it falls in is whole, as written
        assert sentences[mark.sentence_id] in reference


def test_segment_command_on_a_pdf(report_pdf: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "accessible", "segment", str(report_pdf)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )
    assert r.returncode == 0, r.stderr
    assert rd.CHAPTERS[2] in r.stdout and rd.SECTIONS[0] in r.stdout
    assert r.stdout.rstrip().endswith("print pages") and "warning: removed running header or footer" in r.stderr


def test_pdf_copied_text_and_page_layout_agree(report_pdf: Path) -> None:
    """A heading is marked by its font; the title by being first and largest."""
    doc = read_document(report_pdf)
    lines = doc.text.split("\n")
    levels = {lines[h.line]: h.level for h in doc.headings}
    assert levels[rd.TITLE] == 0
    assert all(levels[c] == 1 for c in rd.CHAPTERS)
    assert rd.DATELINE in lines  # a centred line wrapped on the page is one paragraph again


@pytest.mark.parametrize(
    "printed, number",
    [("- 12 -", "12"), ("—12—", "12"), ("第 12 页", "12"), ("第12页 共36页", "12"), ("12/36", "12"), ("12", "12"), ("· 3 ·", "3")],
)
def test_page_number_lines(printed: str, number: str) -> None:
    from accessible.inputs.pdf import _PAGE_NUMBER

    found = _PAGE_NUMBER.match(printed)
    assert found and found.group("n") == number


@pytest.mark.parametrize("line", ["2024年", "第12条", "一、12项重点工作", "12个百分点"])
def test_lines_that_are_not_page_numbers(line: str) -> None:
    from accessible.inputs.pdf import _PAGE_NUMBER

    assert not _PAGE_NUMBER.match(line)


def test_pdf_with_di_n_ye_footers(chromium, tmp_path: Path) -> None:
    """Footers that say 第 N 页 共 M 页 are page numbers too, and each page keeps its own."""
    pdf = rd.print_pdf(chromium, tmp_path / "r.pdf", footer='第 <span class="pageNumber"></span> 页 共 <span class="totalPages"></span> 页')
    book = load_book(pdf)
    check_report(book)
    assert [m.number for m in book.pages] == [str(n) for n in range(1, len(book.pages) + 1)] and len(book.pages) >= 3


# --- Word -----------------------------------------------------------------------------------


def test_docx_styles_tables_and_page_breaks(tmp_path: Path) -> None:
    book = load_book(rd.write_docx(tmp_path / "report.docx"))
    check_report(book)
    # Word's page breaks (one before each chapter after the first) are the print pages
    assert [(m.sentence_id, m.offset, m.number) for m in book.pages] == [("c00-h", 0, "1"), ("c02-h", 0, "2"), ("c03-h", 0, "3")]
    doc = read_document(tmp_path / "report.docx")
    assert doc.headings[0].level == 0 and doc.text.split("\n")[0] == rd.TITLE


def test_docx_numbered_by_word_and_a_letter_spaced_title(tmp_path: Path) -> None:
    path = rd.write_docx(tmp_path / "report.docx", word_numbering=True)
    import docx

    typed = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "一、" not in typed and "（一）" not in typed and "2 0 2 4 年 江 北" in typed
    check_report(load_book(path))


def test_docx_without_page_breaks_has_no_pages(tmp_path: Path) -> None:
    book = load_book(rd.write_docx(tmp_path / "report.docx", page_breaks=False))
    assert book.pages == () and book.page_source == ""


# --- web pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.html", "report.htm", "pasted-source.txt"])
def test_portal_page_in_gbk_declared_gb2312(tmp_path: Path, name: str) -> None:
    page = rd.portal_page("gb2312")
    with pytest.raises(UnicodeEncodeError):
        page.encode("gb2312")  # 堃 is GBK only: the page lies about its charset, as many do
    path = tmp_path / name
    path.write_bytes(page.encode("gbk"))
    doc = read_document(path)
    assert (doc.format, doc.encoding) == ("html", "gb18030")
    book = load_book(path)
    check_report(book)


def test_web_page_in_utf8_without_declared_title(tmp_path: Path) -> None:
    page = rd.portal_page("utf-8").replace(f'<meta name="ArticleTitle" content="{rd.TITLE}" />', "")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    check_report(load_book(path))  # the title from <title>, less the column and the site


# --- EPUB -----------------------------------------------------------------------------------


def test_epub_chapters_from_headings(tmp_path: Path) -> None:
    book = load_book(rd.write_epub(tmp_path / "report.epub"))
    check_report(book)


def test_epub_print_pages_are_kept(tmp_path: Path) -> None:
    book = load_book(rd.write_epub(tmp_path / "report.epub", print_pages=True))
    check_report(book)  # the page number inside the paragraph is not read
    sentences = {s.id: s.text for s in book.sentences()}
    first, second, third = book.pages
    assert (first.sentence_id, first.offset, first.number) == ("c00-h", 0, "1")
    assert second.number == "2" and sentences[second.sentence_id][second.offset :].startswith(rd.PRINT_PAGE_AT)
    assert (third.sentence_id, third.offset, third.number) == ("c03-h", 0, "3")
    assert book.page_source == f"{rd.TITLE}（EPUB 所标页码）"


# --- bad files -------------------------------------------------------------------------------


def _encrypted_pdf() -> bytes:
    """A one-page PDF locked with a user password (standard security handler, RC4 40-bit)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<" + b"01" * 16 + b"> <" + b"01" * 16 + b">] >>\n"
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for y in range(60, 760, 24):  # lines of "text" as a scanner sees them
        draw.rectangle([60, y, 540, y + 10], fill="black")
    data = io.BytesIO()
    image.save(data, "PNG")
    return data.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return data.getvalue()


BAD_FILES = {
    "corrupt.pdf": ("damaged PDF", lambda browser: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nstream\x00\xff garbage"),
    "encrypted.pdf": ("the PDF is encrypted", lambda browser: _encrypted_pdf()),
    "scanned.pdf": ("no text layer (scanned pages): it needs OCR first", "scan"),
    "blank.pdf": ("the PDF has no text", "blank"),
    "corrupt.docx": ("damaged Word document", lambda browser: _zip({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"})),
    "empty.docx": ("no Chinese text found", "empty-docx"),
    "corrupt.epub": ("damaged EPUB", lambda browser: _zip({"mimetype": b"application/epub+zip", "META-INF/container.xml": b"<container"})),
    "locked.epub": ("encrypted (DRM)", lambda browser: _zip({"mimetype": b"application/epub+zip", "META-INF/encryption.xml": b"<encryption><EncryptedData/></encryption>"})),
    "empty.html": ("no article text found", lambda browser: "<!DOCTYPE html><html><head><title>x</title></head><body><div class='nav'><a>首页</a></div></body></html>".encode()),
}


def _bad_file(kind: str, browser, tmp_path: Path) -> Path:
    path = tmp_path / kind
    make = BAD_FILES[kind][1]
    if make in ("scan", "blank"):  # a scanner's PDF: page images, no text; a blank page
        image = base64.b64encode(_png()).decode()
        page = browser.new_page()
        page.set_content(f'<img src="data:image/png;base64,{image}" style="width:100%">' if make == "scan" else "")
        page.pdf(path=str(path))
        page.close()
    elif make == "empty-docx":
        import docx

        docx.Document().save(str(path))
    else:
        path.write_bytes(make(browser))
    return path


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files_give_one_line(kind: str, chromium, tmp_path: Path) -> None:
    path = _bad_file(kind, chromium, tmp_path)
    with pytest.raises(InputError) as e:
        read_document(path)
    assert str(e.value).startswith(f"{path}: ") and BAD_FILES[kind][0] in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("kind", ["encrypted.pdf", "scanned.pdf", "corrupt.docx"])
def test_bad_files_exit_2_from_the_command_line(kind: str, chromium, tmp_path: Path) -> None:
    path = _bad_file(kind, chromium, tmp_path)
    r = subprocess.run([sys.executable, "-m", "accessible", "segment", str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [f"error: {path}: " + r.stderr.split(": ", 2)[2].rstrip("\n")]
    assert BAD_FILES[kind][0] in r.stderr and "Traceback" not in r.stderr


def test_reading_text_never_imports_the_pdf_or_web_libraries(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("\n".join(str(t) for k, t in rd.REPORT if isinstance(t, str)), encoding="utf-8")
    code = (
        "import sys; from accessible.segment import load_book; load_book(sys.argv[1], words=False);"
        "print(json.dumps(sorted(m for m in ('pdfplumber', 'pdfminer', 'docx', 'lxml.html') if m in sys.modules)))"
    )
    r = subprocess.run([sys.executable, "-c", "import json;" + code, str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []
