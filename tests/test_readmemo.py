"""The book as read is kept between builds, and never hides a change of what it was read from."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessible.model import Book
from accessible.readmemo import read_once
from accessible.segment import load_book
from accessible.speech import load_lexicon, read_book

REPORT = """2024年某县政府工作报告

一、过去一年的工作
全县生产总值完成118.6亿元，增长5.2%。银行贷款余额增长12%。

二、今年的主要任务
三次产业比例调整为18.7:51.7:29.6。
"""


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def _reader(source: Path, lexicons: list[Path], calls: list[int]):
    def read() -> Book:
        calls.append(1)
        return read_book(load_book(source, None), load_lexicon(*lexicons) if lexicons else None)

    return read


def test_a_second_read_gives_the_same_book_from_the_memo(source, tmp_path):
    calls: list[int] = []
    first, memo = read_once(source, None, [], tmp_path / "out", _reader(source, [], calls))
    assert not memo and calls == [1]
    again, memo = read_once(source, None, [], tmp_path / "out", _reader(source, [], calls))
    assert memo and calls == [1]
    assert again == first  # every field, down to each syllable's pinyin and origin span


@pytest.mark.parametrize("change", ["input", "title", "lexicon", "garbage memo"])
def test_a_change_or_a_damaged_memo_reads_again(source, tmp_path, change):
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[words]\n"银行" = { pinyin = "yin2 hang2" }\n', encoding="utf-8")
    out, calls = tmp_path / "out", []
    read_once(source, None, [lexicon], out, _reader(source, [lexicon], calls))
    title = None
    if change == "input":
        source.write_text(REPORT.replace("5.2%", "6.3%"), encoding="utf-8")
    elif change == "title":
        title = "另一个标题"
    elif change == "lexicon":
        lexicon.write_text('[words]\n"银行" = { pinyin = "yin2 xing2" }\n', encoding="utf-8")
    else:
        next((out / ".read").iterdir()).write_bytes(b"\xff{not json")
    book, memo = read_once(source, title, [lexicon], out, _reader(source, [lexicon], calls))
    assert not memo and calls == [1, 1]
    if change == "input":
        assert any(s.reading and "六点三" in s.reading.spoken for s in book.sentences())
    # the fresh reading is kept again, whole
    assert read_once(source, title, [lexicon], out, _reader(source, [lexicon], calls))[1]
