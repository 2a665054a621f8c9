"""The book as read is kept between builds, never hides a change of what it was read from,
and after an edit reads only the new sentences, giving the book a fresh reading gives."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from accessible.errors import LexiconError
from accessible.readmemo import read_once
from accessible.segment import load_book
from accessible.speech import load_lexicon, read_book

REPORT = """2024年某县政府工作报告

一、过去一年的工作
全县生产总值完成118.6亿元，增长5.2%。银行贷款余额增长12%。

二、今年的主要任务
三次产业比例调整为18.7:51.7:29.6。重点抓好银行业务。
"""
LEXICON = '[words]\n"银行" = { pinyin = "yin2 hang2" }\n'


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


@pytest.fixture
def lexicon(tmp_path: Path) -> Path:
    path = tmp_path / "lexicon.toml"
    path.write_text(LEXICON, encoding="utf-8")
    return path


def fresh(source: Path, lexicon: Path, title: str | None = None):
    return read_book(load_book(source, title), load_lexicon(lexicon))


def test_the_memo_gives_the_fresh_book_and_an_edit_reads_only_its_sentence(source, lexicon, tmp_path):
    out = tmp_path / "out"
    first, read = read_once(source, None, [lexicon], out)
    texts = {s.text for s in first.sentences()}
    assert read == len(texts)
    assert first == fresh(source, lexicon)  # every field, down to each syllable's pinyin and origin span
    again, read = read_once(source, None, [lexicon], out)
    assert read == 0 and again == first

    source.write_text(REPORT.replace("增长5.2%", "增长6.3%"), encoding="utf-8")
    edited, read = read_once(source, None, [lexicon], out)
    assert read == 1
    assert edited == fresh(source, lexicon)
    assert any(s.reading and "六点三" in s.reading.spoken for s in edited.sentences())


@pytest.mark.parametrize("change", ["title", "lexicon", "garbage memo"])
def test_a_change_or_a_damaged_memo_reads_again(source, lexicon, tmp_path, change):
    out = tmp_path / "out"
    book, _ = read_once(source, None, [lexicon], out)
    title, every = None, len({s.text for s in book.sentences()})
    if change == "title":  # the book's title changes, no sentence's reading
        title, every = "另一个标题", 0
    elif change == "lexicon":
        lexicon.write_text(LEXICON.replace("hang2", "xing2"), encoding="utf-8")
    else:
        next((out / ".read").iterdir()).write_bytes(b"\xff{not json")
    book, read = read_once(source, title, [lexicon], out)
    assert read == every
    assert book == fresh(source, lexicon, title)
    assert read_once(source, title, [lexicon], out)[1] == 0  # the new reading is kept, whole


def test_the_childs_errors_and_warnings_come_back(source, lexicon, tmp_path, caplog):
    lexicon.write_text('[words]\n"银行" = { pinyin = "yin2 hangx" }\n', encoding="utf-8")
    with pytest.raises(LexiconError):
        read_once(source, None, [lexicon], tmp_path / "out")
    source.write_text("某县报告\n一、工作\n编号为Ж的项目完成。\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="accessible"):
        read_once(source, None, [], tmp_path / "out")
    assert "matched no reading rule" in caplog.text
