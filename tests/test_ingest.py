"""Ingest: decoding, width normalization, boilerplate and repeated-copy removal, bad input."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest

import accessible
from accessible.errors import InputError
from accessible.segment import load_book
from accessible.inputs import Document, read_document
from accessible.inputs.clean import drop_repeats, normalize, strip_boilerplate, strip_unreadable
from accessible.inputs.text import clean

SAMPLE = Path(accessible.__file__).parent / "samples" / "hengshui-2017.txt"
COPY_LINES = 81  # the sample is one 80-line report plus a blank line, pasted 8 times
WATERMARK = "www.libaiwu.com 政府工作报告。"
CAPTION = "王景武作政府工作报告。衡水日报记者摄"


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def one_copy(sample: str) -> str:
    return "\n".join(sample.split("\n")[:COPY_LINES])


def test_sample_keeps_exactly_one_clean_copy(sample: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="accessible"):
        doc = read_document(SAMPLE)
    lines = doc.text.split("\n")
    # 81 lines per copy, less the blank separator and the photo caption
    assert len(lines) == 79
    assert doc.text.count("――2017年4月7日在衡水市第六届人民代表大会第一次会议上") == 1
    assert lines[0].startswith("――2017年4月7日")
    assert lines[-1].endswith("的宏伟蓝图而努力奋斗！")
    assert "libaiwu" not in doc.text and "记者摄" not in doc.text
    # the watermark is cut out of the middle of its paragraph, the text around it joined
    assert "地下水基本实现采补平衡。坚持绿化美化香化“三化”并举" in doc.text
    assert doc.encoding == "utf-8"
    # the sample's one ASCII comma between Chinese characters (砥砺奋进,就) is made full-width
    assert "砥砺奋进，就一定能够" in doc.text
    assert doc.removed == (
        "made ASCII punctuation between Chinese characters full-width, as printed (8 ','→'，')",
        f"removed web watermark {WATERMARK!r} (8 times)",
        f"removed photo caption or source line {CAPTION!r} (8 times, line 3, 84, 165, 246, 327, …)",
        "removed 7 repeated copies of the document (lines 82–647)",
    )
    assert [r.getMessage() for r in caplog.records] == list(doc.removed)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_encodings_decode_to_the_same_text(encoding: str, one_copy: str, tmp_path: Path) -> None:
    reference = read_document(SAMPLE).text
    path = tmp_path / f"report-{encoding}.txt"
    path.write_bytes(one_copy.encode(encoding))
    doc = read_document(path)
    assert doc.text == reference
    assert load_book(path, words=False) == load_book(SAMPLE, words=False)
    expected = {"gbk": "gb18030", "utf-16": "utf-16-le", "utf-8-sig": "utf-8-bom"}.get(encoding, encoding)
    assert doc.encoding == expected


def test_gbk(tmp_path: Path) -> None:
    text = "各位代表：\n现在，我代表市人民政府，向大会报告政府工作。\n"
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    assert read_document(path) == Document(text.strip(), "gb18030", ())


def test_big5(tmp_path: Path) -> None:
    text = "各位代表：\n現在，我代表市人民政府，向大會報告政府工作，請予審議，並請市政協委員和列席會議的同志提出意見。"
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    assert read_document(path) == Document(text, "big5", ())


def test_full_width_digits_and_signs_become_half_width_chinese_punctuation_stays() -> None:
    assert normalize("坚持每年推出一批“１+１”改革举措") == "坚持每年推出一批“1+1”改革举措"
    assert normalize("培育２－４个，增长５．２％，ＰＭ２.５") == "培育2-4个，增长5.2%，PM2.5"
    # the speech layer reads a ratio from the full-width colon: keep it
    assert normalize("三次产业比重调整到10.5：43.5：46。") == "三次产业比重调整到10.5：43.5：46。"
    assert normalize("（一）“三化”《报告》，。；！？") == "（一）“三化”《报告》，。；！？"
    assert normalize("一行\r\n二行\r三行") == "一行\n二行\n三行"


def test_unreadable_symbols_are_counted_and_removed_readable_ones_kept() -> None:
    text, notes = strip_unreadable("群众满意😀👍🏽！气温25℃\x07，零\u200b宽★")
    assert text == "群众满意！气温25℃，零宽"
    assert len(notes) == 1 and notes[0].startswith("removed 6 characters a voice cannot read (emoji, symbols, control characters: '")
    assert strip_unreadable("普通文字。\n第二行") == ("普通文字。\n第二行", [])


@pytest.mark.parametrize(
    "line, expected",
    [
        ("采补平衡。www.libaiwu.com 政府工作报告。坚持绿化", "采补平衡。坚持绿化"),  # the sample's watermark
        ("增长8%。news.example.cn 某某新闻网！下一句。", "增长8%。下一句。"),  # any domain
        ("https://www.example.com/a/b.html", ""),  # a line that is only an address
        ("第一句。www.example.org", "第一句。"),
        ("请登录www.gov.cn查询办事指南。", "请登录www.gov.cn查询办事指南。"),  # part of a sentence: kept
        ("增长1.5倍。其中3.2亿元用于民生。", "增长1.5倍。其中3.2亿元用于民生。"),  # decimals are no domains
    ],
)
def test_url_watermarks(line: str, expected: str) -> None:
    assert strip_boilerplate([line])[0] == [expected]


@pytest.mark.parametrize(
    "line",
    [CAPTION, "（新华社记者 李四 摄）", "图为会议现场。张三摄影", "图片来源：网络", "责任编辑：王五", "会议现场。本报通讯员 赵六 供图"],
)
def test_captions_and_source_lines_are_dropped(line: str) -> None:
    lines, notes = strip_boilerplate(["正文第一段。", line, "正文第二段。"])
    assert lines == ["正文第一段。", "", "正文第二段。"]
    assert notes == [f"removed photo caption or source line {line!r} (once, line 2)"]


def test_body_lines_are_not_captions() -> None:
    lines = ["我们将加快建设摄影基地。", "推进城乡供水一体化，各地纷纷供图。", "各位代表："]
    assert strip_boilerplate(lines) == (lines, [])


def _paragraphs(n: int, tag: str) -> list[str]:
    return [f"{tag}第{i}段，" + "内容充实的正文句子。" * 8 for i in range(n)]


def test_repeats_with_a_truncated_last_copy_and_other_separators() -> None:
    report = _paragraphs(5, "甲")
    lines = report + ["", "", *report, "", *report[:3]]
    out, notes = drop_repeats(lines)
    assert [line for line in out if line] == report
    assert notes == ["removed 2 repeated copies of the document (lines 8–16)"]


def test_a_repeated_passage_inside_the_document_is_dropped_once() -> None:
    head, middle, tail = _paragraphs(2, "甲"), _paragraphs(3, "乙"), _paragraphs(2, "丙")
    out, notes = drop_repeats(head + middle + middle + tail)
    assert [line for line in out if line] == head + middle + tail
    assert notes == ["removed a repeated passage of 3 lines (lines 6–8, a copy of lines 3–5)"]


def test_short_repeated_lines_are_kept() -> None:
    lines = ["各位代表：", "第一段。", "各位代表：", "第二段。", "各位代表！", "第一段。"]
    assert drop_repeats(lines) == (lines, [])


def test_ten_megabytes_of_copies_reduce_to_one(tmp_path: Path, one_copy: str) -> None:
    path = tmp_path / "big.txt"
    data = (one_copy + "\n").encode("utf-8")
    copies = 10_000_000 // len(data) + 1
    path.write_bytes(data * copies)
    doc = read_document(path)
    assert doc.text == read_document(SAMPLE).text
    assert doc.removed[-1].startswith(f"removed {copies - 1} repeated copies of the document (lines 82–")


def test_clean_is_pure_text_processing() -> None:
    doc = clean("　　各位代表：  \n\n现在，我代表市人民政府　向大会报告。\n")
    assert doc.text == "各位代表：\n现在，我代表市人民政府 向大会报告。"
    assert doc.removed == ()


# --- bad input -----------------------------------------------------------------


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "各位代表")


BAD_INPUTS = {
    "missing": (None, "no such file"),
    "directory": ("dir", "is a directory"),
    "empty": (b"", "the file is empty"),
    "whitespace": (" \n\t\r\n　".encode("utf-8"), "the file is empty"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "a PNG image"),
    "zip": ("zip", "a ZIP archive"),
    "nul-bytes": (b"\x01\x02\x00\x00\x00\x03abc" * 10, "binary data"),
    "controls": (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20, "binary data"),
    "broken-utf8": ("各位代表，现在我代表市人民政府向大会报告政府工作。".encode("utf-8") * 3 + b"\xff\xfe\x80", "not valid UTF-8 at byte"),
    "undecodable": (b"\x80\xff" * 50 + b"\x80", "cannot decode: not UTF-8, UTF-16, GB18030/GBK or Big5"),
    "no-chinese": (b"Hello world.\nThis report has no Chinese at all.\n", "no Chinese text"),
}


def make_bad_input(kind: str, tmp_path: Path) -> Path:
    """Write the bad input ``kind`` under tmp_path (shared with the CLI tests)."""
    content, _ = BAD_INPUTS[kind]
    path = tmp_path / f"{kind}.txt"
    if content == "dir":
        path.mkdir()
    elif content == "zip":
        _zip(path)
    elif content is not None:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_raises_one_line_naming_the_file(kind: str, tmp_path: Path) -> None:
    path = make_bad_input(kind, tmp_path)
    with pytest.raises(InputError) as e:
        read_document(path)
    message = str(e.value)
    assert message.startswith(f"{path}: ")
    assert BAD_INPUTS[kind][1] in message
    assert "\n" not in message


def wrap(text: str, width: int, indent: str = "", blank: bool = False) -> str:
    """Lay ``text`` out as a PDF copy does: lines of ``width`` (2 per Chinese character)."""
    out = []
    for paragraph in text.split("\n"):
        rest = indent + paragraph
        while rest:
            n = w = 0
            while n < len(rest) and w + (1 if rest[n].isascii() else 2) <= width:
                w += 1 if rest[n].isascii() else 2
                n += 1
            out.append(rest[:n])
            rest = rest[n:]
        if blank:
            out.append("")
    return "\n".join(out)


@pytest.mark.parametrize("indent, blank", [("　　", False), ("  ", False), ("", True)])
def test_wrapped_layouts_are_joined_back_into_paragraphs(indent: str, blank: bool) -> None:
    reference = read_document(SAMPLE).text
    doc = clean(wrap(reference, 72, indent, blank))
    assert doc.text == reference
    assert len(doc.removed) == 1 and "line breaks inside paragraphs (the text was wrapped at a fixed width)" in doc.removed[0]


def test_wrapped_layout_without_paragraph_marks_keeps_every_character() -> None:
    reference = read_document(SAMPLE).text
    doc = clean(wrap(reference, 60))
    # without indents or blank lines a full line ending a sentence may end a paragraph
    assert doc.text.replace("\n", "") == reference.replace("\n", "")
    assert len(reference.split("\n")) <= len(doc.text.split("\n")) < 1.3 * len(reference.split("\n"))
    # headings are never glued to the line before
    assert "三、2017年主要工作" in doc.text.split("\n")


def test_short_lines_are_not_a_layout() -> None:
    lines = ["一、总体要求", "今年工作的总体要求是稳中求进。", "二、主要任务", "抓好项目建设。"]
    assert clean("\n".join(lines)).text == "\n".join(lines)


def test_html_tags_and_entities_from_a_web_page() -> None:
    doc = clean("<p>各位代表：</p><p>现在，我代表市人民政府&nbsp;向大会报告&ldquo;工作&rdquo;。<br/>R&D投入增长。</p>")
    assert doc.text == "各位代表：\n现在，我代表市人民政府 向大会报告“工作”。\nR&D投入增长。"
    assert doc.removed == ("removed 5 HTML tags",)


# State Council style, written for this test: commas and colons as a PDF copy gives them.
PDF_COPY = (
    "一、2023年工作回顾\n"
    "过去一年,我们坚持稳中求进工作总基调,统筹做好稳增长、促改革、调结构、惠民生、防风险、保稳定各项工作,"
    "经济社会发展主要目标任务圆满完成。主要做了以下工作:一是加大宏观政策实施力度,二是着力扩大国内需求。\n"
    "二、2024年工作总体部署\n"
    "今年发展主要预期目标是:国内生产总值增长5%左右;城镇新增就业1200万人以上。"
)


def test_text_copied_from_a_pdf_is_joined_where_the_page_wrapped_it() -> None:
    printed = PDF_COPY.replace(",", "，").replace(":", "：").replace(";", "；")
    # lines of 24 characters on the page; copied, each ASCII mark makes its line look short
    copied = wrap(printed, 48, indent="　　").replace("，", ",").replace("：", ":").replace("；", ";")
    assert any(line.endswith("总基调,统筹做") for line in copied.split("\n"))
    doc = clean(copied)
    assert doc.text == printed
    assert "统筹做好稳增长" in doc.text.split("\n")[1]
    assert doc.removed[0] == "made ASCII punctuation between Chinese characters full-width, as printed (4 ','→'，', 2 ':'→'：', 1 ';'→'；')"
    assert doc.removed[1] == (
        "removed 5 line breaks inside paragraphs (the text was wrapped at a fixed width), first '作总基调，统筹做' + '好稳增长、促改革'"
    )
    # numbers keep their ASCII signs
    assert clean("增长5.2%,达到1,260亿元,比例为:18.7:51.7,上午9:30").text == "增长5.2%，达到1,260亿元，比例为：18.7:51.7，上午9:30"


def test_radical_code_points_become_the_characters_they_stand_for() -> None:
    doc = clean("⼈⺠群众的获得感⻓期向好，⻔槛降低。")
    assert doc.text == "人民群众的获得感长期向好，门槛降低。"
    assert doc.removed[0].startswith("replaced 4 radical code point(s) with the characters they stand for (")
