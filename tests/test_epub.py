"""The EPUB writer, read back: package, navigation, pages, overlays, durations, bad input."""

from __future__ import annotations

import logging
import re
import uuid
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from accessible.outputs.check import audio_seconds, check_overlays, parse_clock, run_epubcheck
from accessible.outputs.epub import write_epub
from accessible.errors import OutputError
from accessible.layout import Layout
from accessible.model import Chapter, ChapterTrack, Placed, Section, Timing
from accessible.segment import load_book
from accessible.outputs.smil import Cue, chapter_cues, clock, overlay_ms
from accessible.timeline import chapter_timeline
from accessible.voices import load_voice
from epub_fakes import fake_tracks, small_book

SAMPLE = Path(__file__).resolve().parent.parent / "accessible" / "samples" / "hengshui-2017.txt"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "h": "http://www.w3.org/1999/xhtml",
    "s": "http://www.w3.org/ns/SMIL",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TEXTREF = "{http://www.idpf.org/2007/ops}textref"
VOICE = load_voice("baker")


class Epub:
    """An EPUB read back with lxml: the files are addressed by their path in the zip."""

    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path)
        self.opf = self.xml("EPUB/content.opf")

    def xml(self, name: str):
        return etree.fromstring(self.zip.read(name))

    def meta(self, prop: str, refines: str | None = None) -> list[str]:
        found = self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)
        return [m.text for m in found if m.get("refines") == refines]

    def items(self) -> dict[str, etree._Element]:
        return {i.get("id"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def spine(self) -> list[str]:
        return [i.get("idref") for i in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def sentence_ids(self, doc: str) -> list[str]:
        return [e.get("id") for e in self.xml(f"EPUB/{doc}").iterfind(".//h:span[@class='s']", NS)]

    def smil_targets(self, smil: str) -> list[str]:
        """Sentence ids the overlay points at: par texts and seq textrefs, in order."""
        root, out = self.xml(f"EPUB/{smil}"), []
        body = root.find("s:body", NS)
        for el in body:
            if el.tag.endswith("seq"):
                out.append(el.get(TEXTREF).split("#")[1])
            else:
                out.append(el.find("s:text", NS).get("src").split("#")[1])
        return out

    def clips(self, smil: str) -> list[tuple[float, float]]:
        return [
            (parse_clock(a.get("clipBegin")), parse_clock(a.get("clipEnd")))
            for a in self.xml(f"EPUB/{smil}").iterfind(".//s:audio", NS)
        ]


@pytest.fixture(scope="module")
def sample_epub(tmp_path_factory) -> tuple[Path, object, list[ChapterTrack]]:
    """The whole sample report with synthetic audio (a sentence every 10 ms per character)."""
    out = tmp_path_factory.mktemp("sample")
    book = load_book(SAMPLE)
    tracks = fake_tracks(book, out, per_char=0.01, pause=0.05)
    result = write_epub(book, tracks, Layout.for_book(book, out), voice=VOICE)
    return result.path, book, tracks


def test_sample_package_metadata(sample_epub):
    path, book, _ = sample_epub
    epub = Epub(path)
    assert epub.opf.get(XML_LANG) == "zh-CN"
    assert epub.opf.findtext("opf:metadata/dc:language", namespaces=NS) == "zh-CN"
    assert epub.opf.findtext("opf:metadata/dc:title", namespaces=NS) == book.title == "2017年衡水市政府工作报告"
    assert epub.opf.findtext("opf:metadata/dc:date", namespaces=NS) == "2017-04-07"
    identifier = epub.opf.findtext("opf:metadata/dc:identifier", namespaces=NS)
    assert uuid.UUID(identifier.removeprefix("urn:uuid:")).version == 5
    assert set(epub.meta("schema:accessMode")) == {"textual", "auditory"}
    assert set(epub.meta("schema:accessModeSufficient")) == {"textual", "auditory", "textual,auditory"}
    assert {"synchronizedAudioText", "structuralNavigation", "tableOfContents", "readingOrder",
            "displayTransformability"} <= set(epub.meta("schema:accessibilityFeature"))  # fmt: skip
    assert epub.meta("schema:accessibilityHazard") == ["none"]
    assert re.search(r"[\u4e00-\u9fff]", epub.meta("schema:accessibilitySummary")[0])
    assert epub.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert epub.meta("media:active-class") == ["-epub-media-overlay-active"]
    assert "离线女声" in epub.meta("media:narrator")[0]
    css = epub.zip.read("EPUB/style.css").decode()
    assert re.search(r"\.-epub-media-overlay-active \{[^}]*background-color[^}]*outline", css)


def test_sample_structure_front_matter_four_chapters_nine_sections(sample_epub):
    path, book, _ = sample_epub
    epub = Epub(path)
    assert epub.spine() == ["cover", "nav", "page-c00", "page-c01", "page-c02", "page-c03", "page-c04"]
    front = epub.xml("EPUB/c00.xhtml")
    assert front.get("lang") == front.get(XML_LANG) == "zh-CN"
    assert [h.xpath("string()") for h in front.iterfind(".//h:h1", NS)] == [book.title]
    for n, title in enumerate(["一、本届政府工作回顾", "二、今后五年工作的总体要求和目标任务", "三、2017年主要工作",
                               "四、加强政府自身建设"], 1):  # fmt: skip
        page = epub.xml(f"EPUB/c{n:02d}.xhtml")
        assert [h.xpath("string()") for h in page.iterfind(".//h:h2", NS)] == [title]
        assert page.find(".//h:h1", NS) is None
    sections = epub.xml("EPUB/c03.xhtml").findall(".//h:h3", NS)
    assert [h.xpath("string()")[:3] for h in sections] == [f"（{n}）" for n in "一二三四五六七八九"]
    nav = epub.xml("EPUB/nav.xhtml")
    toc = nav.find(".//h:nav[@epub:type='toc']/h:ol", NS)
    chapters = toc.findall("h:li", NS)
    assert [li.findtext("h:a", namespaces=NS) for li in chapters][1:] == [c.title for c in book.chapters[1:]]
    assert len(chapters[3].findall("h:ol/h:li", NS)) == 9
    landmarks = nav.findall(".//h:nav[@epub:type='landmarks']//h:a", NS)
    assert {a.get(f"{{{NS['epub']}}}type") for a in landmarks} == {"cover", "toc", "bodymatter"}
    cover = epub.xml("EPUB/cover.xhtml").find(".//h:img", NS)
    assert cover.get("alt") == f"封面：{book.title}" or (cover.get("alt") == "" and cover.get("role") == "presentation")


def test_sample_sentence_ids_match_overlays_and_durations_match_audio(sample_epub, tmp_path):
    path, book, tracks = sample_epub
    epub = Epub(path)
    items = epub.items()
    total = 0.0
    for chapter, track in zip(book.chapters, tracks):
        page = items[f"page-{chapter.id}"]
        smil = items[page.get("media-overlay")].get("href")
        ids = [s.id for s in chapter.sentences()]
        assert epub.sentence_ids(f"{chapter.id}.xhtml") == ids
        assert epub.smil_targets(smil) == ids
        clips = epub.clips(smil)
        assert all(a < b for a, b in clips) and all(b == c for (_, b), (c, _) in zip(clips, clips[1:]))
        audio = tmp_path / f"{chapter.id}.mp3"
        audio.write_bytes(epub.zip.read(f"EPUB/audio/{chapter.id}.mp3"))
        measured = audio_seconds(audio)
        smil_sum = sum(b - a for a, b in clips)
        (opf,) = epub.meta("media:duration", f"#{page.get('media-overlay')}")
        assert abs(parse_clock(opf) - smil_sum) < 0.0005
        assert abs(smil_sum - measured) < 0.05
        total += smil_sum
    assert abs(parse_clock(epub.meta("media:duration")[0]) - total) < 0.001
    stats = check_overlays(path)
    assert not any(stats.problems.values()) and stats.sentences == len(list(book.sentences()))


def test_word_sync_nests_word_pars_in_a_seq_per_sentence(tmp_path):
    book = small_book()
    tracks = fake_tracks(book, tmp_path)
    path = write_epub(book, tracks, Layout.for_book(book, tmp_path), voice=VOICE, sync="word").path
    epub = Epub(path)
    seqs = epub.xml("EPUB/smil/c01.smil").findall(".//s:seq", NS)
    assert [s.get(TEXTREF).split("#")[1] for s in seqs] == [s.id for s in book.chapters[1].sentences()]
    first = seqs[1]  # 过去一年，经济增长百分之八点二。 in two-character words
    targets = [p.find("s:text", NS).get("src").split("#")[1] for p in first.findall("s:par", NS)]
    page = epub.xml("EPUB/c01.xhtml")
    words = {w.get("id"): w.text for w in page.iterfind(".//h:span[@class='w']", NS)}
    assert [words[t] for t in targets][:4] == ["过去", "一年", "经济", "增长"]  # punctuation is no word
    assert not any(check_overlays(path).problems.values())


def test_cues_tile_the_chapter_audio_and_skip_untimed_words():
    chapter = small_book().chapters[1]
    heading, first, second = list(chapter.sentences())
    timings = (Timing(0.40, 0.45, 0, 1), Timing(0.45, 0.50, 1, 2), Timing(0.60, 0.70, 3, 5))  # "，" untimed
    track = ChapterTrack(
        "c01", chapter.title, "a.mp3", 3.0,
        (Placed(heading.id, 0.1, 0.3), Placed(first.id, 0.4, 1.2, timings), Placed(second.id, 1.5, 2.8)),
    )  # fmt: skip
    cues = chapter_cues(chapter_timeline(chapter, track))
    assert [(c.begin, c.end) for c in cues] == [(0, 400), (400, 1500), (1500, 3000)]
    assert overlay_ms(cues) == 3000
    words = chapter_cues(chapter_timeline(chapter, track), "word")[1].words
    assert words == (Cue(f"{first.id}-w01", 400, 600), Cue(f"{first.id}-w02", 600, 1500))
    assert clock(3_723_004) == "1:02:03.004"


def test_unchanged_inputs_are_not_rewritten_and_an_edit_is(tmp_path):
    book = small_book()
    tracks = fake_tracks(book, tmp_path)
    layout = Layout.for_book(book, tmp_path)
    first = write_epub(book, tracks, layout, voice=VOICE)
    mtime = first.path.stat().st_mtime_ns
    again = write_epub(book, tracks, layout, voice=VOICE)
    assert first.written and not again.written and again.duration == first.duration
    assert first.path.stat().st_mtime_ns == mtime
    edited = book.map_sentences(lambda s: replace(s, text="人民生活明显改善。") if s.id == "c01-s00-p001-t002" else s)
    assert write_epub(edited, tracks, layout, voice=VOICE).written
    assert "人民生活明显改善。" in Epub(first.path).zip.read("EPUB/c01.xhtml").decode()


def test_epub_path_taken_by_a_folder_is_a_clear_error(tmp_path):
    book = small_book()
    tracks = fake_tracks(book, tmp_path)
    layout = Layout.for_book(book, tmp_path)
    layout.epub.mkdir()
    with pytest.raises(OutputError, match="cannot write"):
        write_epub(book, tracks, layout, voice=VOICE)
    assert sorted(p.name for p in layout.root.iterdir()) == ["audio", layout.epub.name]


def test_chapter_without_sentences_is_left_out_with_a_warning(tmp_path, caplog):
    book = small_book()
    empty = Chapter("c03", 3, "body", None, (Section("c03-s00", 0, None, ()),))
    book = replace(book, chapters=(*book.chapters, empty))
    tracks = fake_tracks(book, tmp_path)
    with caplog.at_level(logging.WARNING, logger="accessible"):
        path = write_epub(book, tracks, Layout.for_book(book, tmp_path), voice=VOICE).path
    assert "c03" in caplog.text and "no text" in caplog.text
    assert "page-c03" not in Epub(path).spine()
    assert not any(check_overlays(path).problems.values())


def test_title_with_illegal_file_name_characters(tmp_path):
    book = small_book('衡水/市:政府*工作?报告"<2017>|')
    tracks = fake_tracks(book, tmp_path)
    path = write_epub(book, tracks, Layout.for_book(book, tmp_path), voice=VOICE).path
    assert path.parent.parent == tmp_path and not set('/:*?"<>|') & set(path.name)
    assert Epub(path).opf.findtext("opf:metadata/dc:title", namespaces=NS) == book.title


def test_stale_audio_leaves_the_previous_epub_intact(tmp_path):
    book = small_book()
    tracks = fake_tracks(book, tmp_path)
    layout = Layout.for_book(book, tmp_path)
    good = write_epub(book, tracks, layout, voice=VOICE).path.read_bytes()
    stray = replace(tracks[1], sentences=(*tracks[1].sentences, Placed("c01-s00-p009-t001", 2.0, 2.1)))
    with pytest.raises(OutputError, match="rebuild the audio"):
        write_epub(book, [tracks[0], stray, tracks[2]], layout, voice=VOICE, force=True)
    assert layout.epub.read_bytes() == good
    assert [p.name for p in layout.root.iterdir() if p.name.startswith(".") and "part" in p.name] == []


@pytest.mark.slow
def test_epubcheck_reports_nothing(tmp_path):
    """Sentence sync here; word sync is checked on the audio stage's output below."""
    book = small_book()
    tracks = fake_tracks(book, tmp_path)
    path = write_epub(book, tracks, Layout.for_book(book, tmp_path), voice=VOICE).path
    result = run_epubcheck(path)
    assert not result.unavailable, result.unavailable
    assert (result.fatals, result.errors, result.warnings) == (0, 0, 0), result.messages


@pytest.mark.slow
def test_epub_from_the_audio_stage_passes_every_check(tmp_path):
    """The real assembler's tracks (lead-in, pauses, loudness, MP3 encoder delay) fit the overlays."""
    from accessible.audio.audiobook import build_audiobook
    from audio_helpers import make_book, make_clips

    book = make_book()
    layout = Layout.for_book(book, tmp_path)
    tracks = build_audiobook(book, make_clips(book), VOICE, layout, m4b=False).tracks
    path = write_epub(book, tracks, layout, voice=VOICE, sync="word").path
    stats = check_overlays(path)
    assert not any(stats.problems.values()), dict(stats.problems)
    assert stats.sentences == len(list(book.sentences()))
    result = run_epubcheck(path)
    assert (result.fatals, result.errors, result.warnings) == (0, 0, 0), result.messages


def test_cover_without_a_cjk_font_is_decorative_and_the_title_is_text(tmp_path, monkeypatch):
    import accessible.outputs.cover

    monkeypatch.setattr(accessible.outputs.cover, "cjk_font", lambda: None)
    book = small_book()
    path = write_epub(book, fake_tracks(book, tmp_path), Layout.for_book(book, tmp_path), voice=VOICE).path
    page = Epub(path).xml("EPUB/cover.xhtml")
    img = page.find(".//h:img", NS)
    assert (img.get("alt"), img.get("role")) == ("", "presentation")
    assert page.findtext(".//h:p[@class='cover-title']", namespaces=NS) == book.title
