"""Folder and file names made from titles: safe on every file system, and distinct."""

from __future__ import annotations

import pytest

from accessible.layout import safe_name


@pytest.mark.parametrize(
    ("title", "name"),
    [("2017年衡水市政府工作报告", "2017年衡水市政府工作报告"), ('衡水/2017:政府*工作?报告', "衡水_2017_政府_工作_报告"),
     ("  .报告. ", "报告"), ("a\tb\n c", "a_b_ c")],
)  # fmt: skip
def test_titles_keep_their_words(title, name):
    assert safe_name(title) == name


def test_titles_with_nothing_usable_get_distinct_safe_names():
    names = [safe_name(t) for t in ("..", "///", ".", "", "   ", "\x00\x01", "？")]
    assert len(set(names)) == len(names)  # "？" is a usable (full-width) character
    for name in names[:-1]:
        assert name.startswith("book-") and "/" not in name and not name.startswith(".")
    assert safe_name("..") == safe_name("..")  # the same title finds the same folder again
