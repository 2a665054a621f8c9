"""The listen-along page as files: structure, embedded timings, pinyin, audio folder."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from accessible.errors import OutputError
from accessible.layout import Layout
from accessible.outputs.web import write_web

from web_book import build_web, sentence, small_book, timed_tracks

SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"


class Page(HTMLParser):
    """Every element as (tag, attrs, ancestors' tags), the text of each element id, the JSON data,
    the number of word spans in each sentence."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, tuple[str, ...]]] = []
        self.stack: list[tuple[str, dict]] = []
        self.text_of: dict[str, str] = {}
        self.data_json = ""
        self.words_in: dict[str, int] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a, tuple(t for t, _ in self.stack)))
        if a.get("class") == "w":
            (sentence,) = [b["id"] for _, b in self.stack if b.get("class") == "s"]
            self.words_in[sentence] = self.words_in.get(sentence, 0) + 1
        if tag not in self.VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][1].get("id") == "book-data":
            self.data_json += data
        if self.stack and self.stack[-1][0] in ("rt", "rp"):
            return  # pinyin is not part of the text
        for _, a in self.stack:
            if "id" in a:
                self.text_of[a["id"]] = self.text_of.get(a["id"], "") + data

    def all(self, tag=None, **attrs):
        return [
            (t, a, up)
            for t, a, up in self.elements
            if (tag is None or t == tag) and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def data(self) -> dict:
        return json.loads(self.data_json)


def ruby(char: str, pinyin: str) -> str:
    return f"<ruby>{char}<rp>(</rp><rt>{pinyin}</rt><rp>)</rp></ruby>"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    b = build_web(small_book(), tmp_path_factory.mktemp("out"))
    return b.book, b.layout, b.tracks, b.index, Page(b.index.read_text(encoding="utf-8"))


def test_folder_is_self_contained(built):
    book, layout, tracks, index, page = built
    web = layout.web_dir
    assert index == web / "index.html"
    assert {p.name for p in web.iterdir()} == {"index.html", "player.css", "player.js", "audio"}
    for track in tracks:
        copy = web / "audio" / Path(track.path).name
        assert os.path.samefile(copy, layout.root / track.path)  # hard-linked, not copied
    for chapter in page.data()["chapters"]:
        assert (web / unquote(chapter["audio"])).is_file()
    for tag, attrs, _ in page.all("link") + page.all("script"):
        url = attrs.get("href") or attrs.get("src")
        if url and not url.startswith("data:"):
            assert not url.startswith(("http:", "https:", "//")), url  # nothing from the network
            assert (web / url.split("?")[0]).is_file()


def test_semantic_structure(built):
    book, _, _, _, page = built
    (html,) = page.all("html")
    assert html[1]["lang"] == "zh-CN"
    for landmark in ("header", "nav", "main", "footer"):
        assert len(page.all(landmark)) == 1, landmark
    (skip,) = page.all("a", class_="skip-link")
    assert skip[1]["href"] == "#main" and page.all(id="main")
    assert page.elements.index(skip) < page.elements.index(page.all("header")[0])
    ids = [a["id"] for _, a, _ in page.elements if "id" in a]
    assert len(ids) == len(set(ids))
    assert [page.text_of[f"{c.id}-title"] for c in book.chapters] == ["开篇", "一、过去一年的工作", "二、今后的工作"]
    assert [t for t, _, _ in page.all() if t in ("h1", "h2", "h3")] == ["h1", "h2", "h2", "h2", "h2", "h3", "h3"]
    for tag, attrs, _ in page.all("button"):
        assert page.text_of.get(attrs["id"], "").strip(), attrs  # every control is labelled in Chinese
    assert page.text_of["toc-title"] == "目录"
    toc = [a["href"] for t, a, up in page.all("a") if "nav" in up]
    assert toc == ["#c00", "#c01", "#c02", "#c02-s01", "#c02-s02"]


def test_every_sentence_once_with_its_timing(built):
    book, _, tracks, _, page = built
    spans = {a["id"]: a for _, a, _ in page.all("span", class_="s")}
    assert list(spans) == [s.id for s in book.sentences()]
    for s in book.sentences():
        assert page.text_of[s.id] == s.text
        assert spans[s.id].get("tabindex") == "-1"
    rows = {r[0]: r for c in page.data()["chapters"] for r in c["s"]}
    for track in tracks:
        for p in track.sentences:
            sid, start, end, words = rows[p.sentence_id]
            assert (start, end) == (p.start, p.end)
            assert words == [[t.start, t.end] for t in p.timings]
    assert {s.id: len(rows[s.id][3]) for s in book.sentences()} == {s.id: page.words_in[s.id] for s in book.sentences()}


def test_word_spans_follow_timings(built):
    _, _, _, index, _ = built
    html = index.read_text(encoding="utf-8")
    # "全市经济稳步增长。": jieba's words 全市/经济/稳步增长 each timed, the full stop not
    assert '<span class="w">全市</span><span class="w">经济</span><span class="w">稳步增长</span>。</span>' in html


def test_pinyin_only_where_the_reading_is_unusual(built):
    _, _, _, index, page = built
    html = index.read_text(encoding="utf-8")
    assert ruby("银", "yín") + ruby("行", "háng") in html
    assert ruby("着", "zhuó") + ruby("力", "lì") in html
    assert "<ruby>增" not in html  # 增长 zhǎng is the usual reading of 长
    assert page.all("button", id="pinyin")[0][1]["aria-pressed"] == "false"
    assert "pinyin-off" in page.all("html")[0][1]["class"]


def test_sentence_sync_and_no_readings(tmp_path):
    book = small_book().map_sentences(lambda s: replace(s, reading=None))
    page = Page(build_web(book, tmp_path, sync="sentence", audio_seconds=0.5).index.read_text(encoding="utf-8"))
    assert not page.all("span", class_="w") and not page.all("ruby")
    assert not page.all("button", id="pinyin")
    assert all(len(r) == 3 for c in page.data()["chapters"] for r in c["s"])
    assert page.data()["sync"] == "sentence"


def test_chapter_without_audio_is_text_only(tmp_path):
    book = small_book()
    layout = Layout.for_book(book, tmp_path)
    tracks = [t for t in timed_tracks(book, layout, audio_seconds=0.5) if t.chapter_id != "c01"]
    page = Page(write_web(book, tracks, layout).read_text(encoding="utf-8"))
    c01 = page.data()["chapters"][1]
    assert c01["audio"] is None and c01["s"] == []
    assert "tabindex" not in page.all(id="c01-h")[0][1]
    assert page.text_of["c01-h"] == "一、过去一年的工作"


def test_rebuild_relinks_changed_audio_and_drops_stale_files(tmp_path):
    book = small_book()
    layout = Layout.for_book(book, tmp_path)
    tracks = timed_tracks(book, layout, audio_seconds=0.5)
    write_web(book, tracks, layout)
    audio = layout.web_dir / "audio"
    (audio / "99-old.mp3").write_bytes(b"old")
    source = layout.root / tracks[0].path
    fresh = source.with_name("new.mp3")
    fresh.write_bytes(b"new audio")
    os.replace(fresh, source)  # the audio stage replaces files atomically
    write_web(book, tracks, layout)
    assert not (audio / "99-old.mp3").exists()
    assert (audio / source.name).read_bytes() == b"new audio"
    assert not [p for p in layout.web_dir.rglob(".*")]  # no temporary files left


def test_rebuild_with_nothing_changed_rewrites_nothing(tmp_path):
    book = small_book()
    layout = Layout.for_book(book, tmp_path)
    tracks = timed_tracks(book, layout, audio_seconds=0.5)
    write_web(book, tracks, layout)
    files = sorted(p for p in layout.web_dir.rglob("*") if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    time.sleep(0.01)
    write_web(book, tracks, layout)
    assert {p: p.stat().st_mtime_ns for p in files} == before


def test_missing_audio_is_a_one_line_error(tmp_path):
    book = small_book()
    layout = Layout.for_book(book, tmp_path)
    tracks = timed_tracks(book, layout, audio_seconds=0.5)
    (layout.root / tracks[1].path).unlink()
    with pytest.raises(OutputError, match=r"01-.*\.mp3: chapter audio is missing"):
        write_web(book, tracks, layout)


def test_unknown_timings_are_reported(tmp_path, caplog):
    book = small_book()
    layout = Layout.for_book(book, tmp_path)
    tracks = timed_tracks(book, layout, audio_seconds=0.5)
    extra = replace(tracks[1], sentences=(*tracks[1].sentences, replace(tracks[1].sentences[0], sentence_id="c01-zz")))
    stray = replace(tracks[2], chapter_id="c09")
    with caplog.at_level(logging.WARNING, logger="accessible"):
        page = Page(write_web(book, [tracks[0], extra, stray], layout).read_text(encoding="utf-8"))
    assert "1 timed sentence(s) of c01 are not in the book, e.g. c01-zz" in caplog.text
    assert "audio track 'c09' has no chapter in the book; ignored" in caplog.text
    assert [c["audio"] is not None for c in page.data()["chapters"]] == [True, True, False]


def test_spoken_title_is_the_page_heading(tmp_path):
    book = small_book()
    front = replace(book.chapters[0], heading=sentence("c00-h", book.title))
    book = replace(book, chapters=(front,) + book.chapters[1:])
    page = Page(build_web(book, tmp_path, audio_seconds=0.5).index.read_text(encoding="utf-8"))
    ((_, title, ancestors),) = page.all("span", id="c00-h")
    assert ancestors[-1] == "h1" and title.get("tabindex") == "-1"  # highlighted as it is spoken
    assert page.text_of["c00-title"] == book.title  # the front matter keeps a hidden h2
    assert len([1 for _, a, _ in page.all("span", class_="s") if a["id"] == "c00-h"]) == 1  # spoken once, shown once
    assert page.data()["chapters"][0]["s"][0][0] == "c00-h"


def test_bad_sync_mode(tmp_path):
    book = small_book()
    with pytest.raises(ValueError, match="sync"):
        write_web(book, [], Layout.for_book(book, tmp_path), sync="syllable")  # type: ignore[arg-type]


def test_text_cannot_break_out_of_the_page(tmp_path):
    book = small_book()
    evil = "</script><!--<b>&amp;"
    book = replace(book, title=evil, chapters=(replace(book.chapters[0], heading=None),) + book.chapters[1:])
    book = book.map_sentences(lambda s: replace(s, text=evil + s.text[len(evil):]) if s.id == "c01-h" else s)
    html = build_web(book, tmp_path, audio_seconds=0.5).index.read_text(encoding="utf-8")
    assert html.count("</script>") == 2  # the player's tag and the data block's own
    page = Page(html)
    assert page.text_of["c01-h"].startswith(evil)
    assert page.data()["key"].endswith("|2017-04-07")


def test_whole_sample(tmp_path):
    from accessible.segment import load_book
    from accessible.speech import read_book

    book = read_book(load_book(SAMPLE))
    html = build_web(book, tmp_path, audio_seconds=0.2).index.read_text(encoding="utf-8")
    page = Page(html)
    assert [a["id"] for _, a, _ in page.all("span", class_="s")] == [s.id for s in book.sentences()]
    assert sum(len(c["s"]) for c in page.data()["chapters"]) == len(list(book.sentences()))
    assert "".join(page.text_of[s.id] for s in book.sentences()) == "".join(s.text for s in book.sentences())
    # pinyin for the speech layer's corrections and for unusual readings, in dictionary tones
    assert ruby("差", "chā") + ruby("率", "lǜ") in html
    assert ruby("处", "chǔ") + ruby("理", "lǐ") + ruby("厂", "chǎng") in html  # said chú lí chǎng
    assert "<ruby>良" not in html and "<ruby>一" not in html  # 良好 liáng hǎo is the usual reading; 一 only changes tone
    assert 100 < html.count("<ruby>") < 600
