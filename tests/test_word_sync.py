"""Word-level sync on numbers, end to end with the real offline voice.

A probe report of ratios, ranges, dates, times, percentages, decimals and phone numbers
(written here, not taken from the sample) is built with ``--sync word``; then:
- every written number is a word element of its own with its own ``par``, and inside a
  sentence the word pars follow each other in reading order without gap or overlap;
- each number's span is the frames the model gave its spoken characters (durations
  output, recorded while synthesizing);
- the EPUB's SMIL, ``words.vtt``, the web page's data and ``accessible synth``'s JSON
  give every word the same times, to the millisecond;
- Whisper, given the chapter audio cut at a number's times, hears that number.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass

import numpy as np
import pytest

from accessible import ffmpeg
from accessible.audio.assemble import write_chapters
from accessible.audio.tracks import Manifest
from accessible.engines.baker_frontend import NO_SYLLABLE, Mapper, plan
from accessible.engines.litert_model import HOP, MAPPER_FILE, SAMPLE_RATE, Acoustic, asset_dir
from accessible.layout import Layout
from accessible.model import Book
from accessible.outputs.check import check_overlays, parse_clock, run_epubcheck
from accessible.pipeline import build
from accessible.segment import load_book
from accessible.speech import read_book
from accessible.synth import synthesize_book
from accessible.timeline import Timeline, Utterance, Word, chapter_timeline
from accessible.voices import load_voice

from whisper_ear import Ear, load_ear

PROBE = """\
各位代表：
一、数字
三次产业比例调整为18.7:51.7:29.6，全市生产总值完成1413.4亿元，增长8.2%。
2017年3月5日8:30至11:30，代表们在会议中心审议报告。
全年投资增长2%～3%，服务业规模扩大2-3倍，1-11月累计完成投资356.8亿元。
服务热线12345，咨询电话0318-2123456。
PM2.5平均浓度下降12.5%，优良天数达到239天。
"""
NUMBER = re.compile(r"\d+(?:\.\d+)?")
FRAME_MS = HOP / SAMPLE_RATE * 1000  # 12.5 ms
NS = {"h": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/ns/SMIL"}
TEXTREF = "{http://www.idpf.org/2007/ops}textref"


@dataclass(frozen=True)
class Probe:
    book: Book
    layout: Layout
    timelines: dict[str, Timeline]
    durations: dict[tuple[int, ...], np.ndarray]  # model call (symbol ids) -> frames per symbol
    synth_json: dict[str, dict]  # chapter id -> the timings JSON of `accessible synth`


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Probe:
    work = tmp_path_factory.mktemp("probe")
    source = work / "probe.txt"
    source.write_text(PROBE, encoding="utf-8")
    durations: dict[tuple[int, ...], np.ndarray] = {}
    model = Acoustic.__call__

    def recording(self, ids, *args):
        mel, frames = model(self, ids, *args)
        durations[tuple(ids)] = frames
        return mel, frames

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Acoustic, "__call__", recording)
        summary = build(source, out_dir=work / "out", cache_dir=work / "cache", sync="word", ruby=True,
                        formats=["audio", "epub", "web"])  # fmt: skip
    assert summary.synthesized == summary.sentences
    voice = load_voice("baker")
    book = read_book(load_book(source))
    clips = synthesize_book(book, voice, work / "cache", progress=False).clips  # all from the cache
    synth = {f.timings.name.split("-")[0]: json.loads(f.timings.read_text(encoding="utf-8")) for f in write_chapters(book, clips, voice, work / "synth")}
    layout = Layout.for_book(book, work / "out")
    entries = Manifest.load(layout).chapters
    timelines = {c.id: chapter_timeline(c, entries[c.id].track) for c in book.chapters if c.id in entries}
    return Probe(book, layout, timelines, durations, {f"c{k}": v for k, v in synth.items()})


def _utterances(probe: Probe) -> list[Utterance]:
    return [u for t in probe.timelines.values() for u in t.utterances]


def _number_words(u: Utterance) -> list[tuple[str, Word]]:
    """Each written number of the sentence and the one word that holds it."""
    found = []
    for m in NUMBER.finditer(u.sentence.text):
        holders = [w for w in u.words if w.text_start < m.end() and m.start() < w.text_end]
        assert len(holders) == 1, f"{m.group()} in {u.sentence.text}: {[u.text(w) for w in holders]}"
        found.append((m.group(), holders[0]))
    return found


@pytest.mark.slow
def test_every_number_is_its_own_word_with_its_own_par(probe: Probe) -> None:
    epub = zipfile.ZipFile(probe.layout.epub)
    pars: dict[str, tuple[float, float]] = {}
    seqs: dict[str, list[str]] = {}
    elements: dict[str, str] = {}
    for name in epub.namelist():
        if name.startswith("EPUB/smil/"):
            smil = _xml(epub.read(name))
            for seq in smil.iter(f"{{{NS['s']}}}seq"):
                targets = []
                for par in seq.iterfind("s:par", NS):
                    target = par.find("s:text", NS).get("src").partition("#")[2]
                    audio = par.find("s:audio", NS)
                    pars[target] = (parse_clock(audio.get("clipBegin")), parse_clock(audio.get("clipEnd")))
                    targets.append(target)
                seqs[seq.get(TEXTREF).partition("#")[2]] = targets
        elif re.fullmatch(r"EPUB/c\d\d\.xhtml", name):
            page = _xml(epub.read(name))
            for w in page.iterfind(".//h:span[@class='w']", NS):
                elements[w.get("id")] = _text(w)
    numbers = 0
    for u in _utterances(probe):
        ids = seqs[u.sentence.id]
        assert [elements[i] for i in ids] == [u.text(w) for w in u.words]  # the timeline's words, each with its par
        for number, word in _number_words(u):
            numbers += 1
            own = [n for n in NUMBER.findall(u.text(word))]
            assert own == [number], f"{number} shares its word {u.text(word)!r}"
        text = u.sentence.text
        for a, b in zip(u.words, u.words[1:]):  # in reading order, at most one punctuation mark between words
            gap = text[a.text_end : b.text_start]
            assert a.text_end <= b.text_start and len(gap) <= 1 and not NUMBER.search(gap), (text, gap)
        times = [pars[i] for i in ids]
        assert all(e == pytest.approx(b2, abs=1e-9) for (_, e), (b2, _) in zip(times, times[1:]))  # tiled
    assert numbers >= 20
    assert not any(check_overlays(probe.layout.epub).problems.values())
    assert b"<rt>" in epub.read("EPUB/c01.xhtml")  # built with --ruby: valid EPUB 3 all the same
    result = run_epubcheck(probe.layout.epub)
    assert (result.fatals, result.errors, result.warnings) == (0, 0, 0), result.messages


def _xml(data: bytes):
    from lxml import etree

    return etree.fromstring(data)


def _text(element) -> str:
    """An element's text without its ruby pinyin."""
    parts = [element.text or ""]
    for child in element:
        if child.tag.rpartition("}")[2] not in ("rt", "rp"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


@pytest.mark.slow
def test_each_number_spans_the_frames_of_its_spoken_characters(probe: Probe) -> None:
    """A number starts where the model's frames for its first syllable start and ends where
    its last syllable's end, measured from the start of its chunk (one model call), within
    one frame; the engine puts the boundary between two syllables in the middle of the
    prosody mark between them (engines/baker.py), so half a mark may join either side."""
    mapper = Mapper.from_json((asset_dir() / MAPPER_FILE).read_bytes())
    checked = 0
    for u in _utterances(probe):
        reading = u.sentence.reading
        for chunk in plan(reading, u.sentence.text, mapper):
            frames = np.concatenate([[0], np.cumsum(probe.durations[chunk.ids])]) * FRAME_MS
            owned = [k for k, owner in enumerate(chunk.owners) if owner != NO_SYLLABLE]
            first_syllable = chunk.owners[owned[0]]
            anchor = _word_at(u, reading.origin[reading.syllables[first_syllable].spoken][0]).start - frames[owned[0]]
            for number, word in _number_words(u):
                symbols = [k for k in owned if _inside(reading, chunk.owners[k], word)]
                if not symbols:
                    continue
                lo, hi = symbols[0], symbols[-1]
                slack_before = (frames[lo] - frames[lo - 1]) / 2 if lo > owned[0] and chunk.owners[lo - 1] == NO_SYLLABLE else 0
                assert anchor + frames[lo] - slack_before - FRAME_MS - 1 <= word.start <= anchor + frames[lo] + FRAME_MS + 1, number
                if hi != owned[-1]:  # the chunk's last syllable lasts until its sound fades
                    slack_after = (frames[hi + 2] - frames[hi + 1]) / 2 if chunk.owners[hi + 1] == NO_SYLLABLE else 0
                    assert anchor + frames[hi + 1] - FRAME_MS - 1 <= word.end <= anchor + frames[hi + 1] + slack_after + FRAME_MS + 1, number
                checked += 1
    assert checked >= 20


def _inside(reading, syllable: int, word: Word) -> bool:
    start, end = reading.origin[reading.syllables[syllable].spoken]
    return word.text_start <= start and end <= word.text_end


def _word_at(u: Utterance, offset: int) -> Word:
    return next(w for w in u.words if w.text_start <= offset < w.text_end)


@pytest.mark.slow
def test_smil_captions_web_and_synth_json_agree_to_the_millisecond(probe: Probe) -> None:
    epub = zipfile.ZipFile(probe.layout.epub)
    html = (probe.layout.web_dir / "index.html").read_text(encoding="utf-8")
    web = json.loads(re.search(r'<script type="application/json" id="book-data">(.*?)</script>', html, re.S).group(1))
    web_rows = {row[0]: row for chapter in web["chapters"] for row in chapter["s"]}
    for chapter in probe.book.chapters:
        timeline = probe.timelines.get(chapter.id)
        if timeline is None:
            continue
        # the reference: every word's first sound and end, in ms
        expected = {u.sentence.id: [(w.start, w.end) for w in u.words] for u in timeline.utterances}
        synth = {s["id"]: [(round(w["start"] * 1000), round(w["end"] * 1000)) for w in s["words"]] for s in probe.synth_json[chapter.id]["sentences"]}
        assert synth == expected
        assert {sid: [(round(a * 1000), round(b * 1000)) for a, b in web_rows[sid][3]] for sid in expected} == expected
        smil = _xml(epub.read(f"EPUB/smil/{chapter.id}.smil"))
        stem = probe.layout.chapter_stem(chapter)
        stamps = _vtt_stamps((probe.layout.captions_dir / f"{stem}.words.vtt").read_text(encoding="utf-8"))
        for u in timeline.utterances:
            seq = next(s for s in smil.iter(f"{{{NS['s']}}}seq") if s.get(TEXTREF).endswith(f"#{u.sentence.id}"))
            begins = [round(parse_clock(p.find("s:audio", NS).get("clipBegin")) * 1000) for p in seq.iterfind("s:par", NS)]
            starts = [start for start, _ in expected[u.sentence.id]]
            assert begins[1:] == starts[1:]  # the first word's par starts with the sentence's share
            # every word start after its cue's start is stamped in words.vtt
            assert [t for t in stamps.get(u.sentence.id, []) if t in starts] == stamps.get(u.sentence.id, [])
            assert set(starts[1:]) <= set(stamps.get(u.sentence.id, [])) | _cue_starts(probe, chapter, u.sentence.id)


def _vtt_stamps(text: str) -> dict[str, list[int]]:
    """Karaoke timestamps (ms) per sentence id (pieces of a split sentence together)."""
    found: dict[str, list[int]] = {}
    for block in text.strip().split("\n\n")[1:]:
        cue_id, _, payload = block.splitlines()
        found.setdefault(cue_id.partition(".")[0], []).extend(
            int(h) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + int(f) for h, m, s, f in re.findall(r"<(\d\d):(\d\d):(\d\d)\.(\d\d\d)>", payload)
        )
    return found


def _cue_starts(probe: Probe, chapter, sentence_id: str) -> set[int]:
    text = (probe.layout.captions_dir / f"{probe.layout.chapter_stem(chapter)}.words.vtt").read_text(encoding="utf-8")
    starts = set()
    for block in text.strip().split("\n\n")[1:]:
        cue_id, timing, _ = block.splitlines()
        if cue_id.partition(".")[0] == sentence_id:
            h, m, s = timing.split(" ")[0].split(":")
            starts.add(round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000))
    return starts


@pytest.fixture(scope="module")
def ear() -> Ear:
    return load_ear()


def _hears(ear: Ear, samples: np.ndarray, rate: int, start_ms: int, end_ms: int, digits: str) -> tuple[bool, str]:
    """Whether Whisper hears ``digits`` in ``[start_ms, end_ms)`` of the audio, cut out alone
    or with a little silence around it (the ear slips on either now and then: 二零一七 is
    2021 with the silence, 幺二三四五 2-3-4-5 without); numbers compared as digits."""
    import cn2an

    cut = samples[round(start_ms * rate / 1000) : round(end_ms * rate / 1000)]
    pad = np.zeros(round(0.3 * rate), "<i2")
    texts = [cn2an.transform(ear.transcribe(audio.tobytes(), rate), "cn2an") for audio in (cut, np.concatenate([pad, cut, pad]))]
    return any(digits in re.sub(r"\D", "", t) for t in texts), " | ".join(texts)


@pytest.mark.slow
def test_whisper_hears_each_number_at_its_clip_times(probe: Probe, ear: Ear) -> None:
    """Numbers said in 0.9 s or more (shorter ones are too short for any ear): heard in
    their own clip times, and not in the same length of audio just before them."""
    heard: list[tuple[str, bool, str]] = []
    before: list[tuple[str, bool, str]] = []
    for chapter_id, timeline in probe.timelines.items():
        track = Manifest.load(probe.layout).chapters[chapter_id].track
        samples, rate = ffmpeg.decode(probe.layout.root / track.path)
        for u in timeline.utterances:
            for number, word in _number_words(u):
                if word.end - word.start < 900:
                    continue
                digits = number.replace(".", "")
                heard.append((number, *_hears(ear, samples, rate, word.start, word.end, digits)))
                before.append((number, *_hears(ear, samples, rate, 2 * word.start - word.end, word.start, digits)))
    assert len(heard) >= 10
    # measured: 10 of 12 (Whisper writes 百分之十二点五 as "10% 2.5%" and 零三幺八 as 凌晨优八)
    assert sum(ok for _, ok, _ in heard) >= len(heard) - 2, heard
    assert not any(ok for _, ok, _ in before), before
