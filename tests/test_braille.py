"""The braille edition: syllables from our reading, checked against liblouis; BRF, PEF, TXT."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from accessible.layout import Layout
from accessible.model import Sentence
from accessible.outputs.braille import BrailleOptions, braille_pages, write_braille
from accessible.outputs.braille.cells import BLANK, cells, dots, from_ascii, to_ascii
from accessible.outputs.braille.syllable import syllable_cells
from accessible.outputs.braille.translate import char_syllables, translate
from accessible.segment import load_book
from accessible.speech import read_book, read_sentence
from braille_reference import agreement, clauses, liblouis, needs_liblouis, polyphones

DATA = Path(__file__).parent / "data" / "braille"
UNSEEN = DATA / "unseen-report.txt"
SAMPLE = Path(__file__).parent.parent / "accessible" / "samples" / "hengshui-2017.txt"


def braille(text: str, system: str = "common") -> str:
    words = translate(Sentence("t", text, reading=read_sentence(text)), system)  # type: ignore[arg-type]
    return BLANK.join("".join(p.cells for p in w) for w in words)


@pytest.fixture(scope="module")
def unseen_book():
    return read_book(load_book(UNSEEN))


# -- syllables ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pinyin", "expected"),
    [
        # one tone per initial is left unwritten (GF 0019-2018): f 1; p m t n h q c ch r 2;
        # b d l g k j x z zh s sh and the zero initial 4; yi 1, er 2, wo ye you 3
        ("fang1", "124-236"), ("fang2", "124-236-2"), ("min2", "134-126"), ("min3", "134-126-3"),
        ("chang2", "12345-236"), ("zhang3", "34-236-3"), ("shi4", "156"), ("shi2", "156-2"),
        ("zai4", "1356-246"), ("ding4", "145-16"), ("yi1", "24"), ("yi4", "24-23"), ("er2", "1235"),
        ("er4", "1235-23"), ("wo3", "135"), ("you3", "1256"), ("yao4", "345"), ("wan4", "12456"),
        ("yuan2", "12346-2"), ("lv4", "123-346"), ("ju3", "1245-346-3"), ("xue2", "125-23456-2"),
        ("qiong2", "13-1456"), ("gui4", "1245-2456"), ("liu2", "123-1256-2"), ("dun4", "145-25"),
        ("jun1", "1245-456-1"), ("tou2", "2345-12356-2"), ("le4", "123-26-23"), ("zi4", "1356-23"),
        ("de5", "145-26"), ("men5", "134-356"), ("e4", "26-23"), ("o2", "26"),
    ],
)  # fmt: skip
def test_syllable_cells(pinyin, expected):
    assert syllable_cells(pinyin) == cells(expected)


def test_current_braille_writes_no_tone_and_no_abbreviation():
    assert syllable_cells("zhang3", "current") == cells("34-236")
    assert braille("我们的", "current") == cells("135-134-356-145-26")
    assert braille("我们的") == cells("135-134-356-145")  # 的 is ⠙ in common braille


def test_the_standards_own_example():
    # 国家通用盲文 as the scheme's name is written in common braille
    assert braille("国家通用盲文") == "⠛⠕⠂⠛⠫⠁⠀⠞⠲⠁⠹⠀⠍⠦⠒⠂"


def test_cells_round_trip():
    every = "".join(chr(0x2800 + i) for i in range(64))
    assert from_ascii(to_ascii(every)) == every
    assert to_ascii(cells("3456-1-12")) == "#AB" and dots("⠙") == "145" and dots(BLANK) == "0"


# -- numbers, letters, punctuation, words ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017年", "⠼⠃⠚⠁⠛⠀⠝⠩"),  # digits from the original, a blank before the syllable
        ("增长8.2%", "⠵⠼⠁⠌⠦⠄⠀⠼⠓⠄⠃⠼⠚⠴"),
        ("1,234.5万元", "⠼⠁⠂⠃⠉⠙⠄⠑⠀⠻⠯⠂"),
        ("调整为13.0:46.9:40.1", "⠞⠜⠌⠼⠄⠺⠂⠀⠼⠁⠉⠄⠚⠒⠼⠙⠋⠄⠊⠒⠼⠙⠚⠄⠁"),
        ("3-5年", "⠼⠉⠤⠼⠑⠀⠝⠩"),
        ("PM2.5浓度", "⠠⠠⠏⠍⠼⠃⠄⠑⠀⠝⠲⠙⠥"),
        ("4A级景区", "⠼⠙⠠⠁⠀⠛⠊⠂⠀⠛⠡⠄⠅⠬⠁"),
        ("气温30℃", "⠅⠊⠆⠒⠁⠀⠼⠉⠚⠘⠚⠰⠉"),
        ("“十三五”规划（2016—2020年）：一、二；", "⠘⠱⠂⠎⠧⠁⠀⠥⠄⠘⠀⠛⠺⠁⠓⠿⠆⠀⠰⠄⠼⠃⠚⠁⠋⠠⠤⠀⠼⠃⠚⠃⠚⠀⠝⠩⠠⠆⠤⠀⠊⠈⠀⠗⠆⠰"),
        ("《政府工作报告》。", "⠐⠤⠌⠼⠋⠥⠄⠀⠛⠲⠁⠵⠕⠀⠃⠖⠛⠖⠤⠂⠐⠆"),
        ("他们的目标不是很高", "⠞⠍⠴⠙⠀⠍⠥⠆⠃⠜⠁⠀⠃⠥⠱⠀⠓⠴⠄⠀⠛⠖⠁"),  # particles join, 不 joins
        ("在大会上讲话", "⠵⠪⠀⠙⠔⠓⠺⠆⠱⠦⠀⠛⠭⠄⠓⠿⠆"),  # a one-syllable place word joins its noun
        ("２０１７年", "⠼⠃⠚⠁⠛⠀⠝⠩"),  # full-width digits
        ("Ⅲ类水质", "⠠⠠⠊⠊⠊⠀⠇⠮⠀⠱⠺⠄⠌"),  # signs that stand for letters or digits are written as those
        ("增加½", "⠵⠼⠁⠛⠫⠁⠀⠼⠁⠌⠼⠃"),
    ],
)
def test_translate(text, expected):
    assert braille(text) == expected


def test_syllables_are_the_voices_written_reading():
    """Each Han character carries the syllable the voice said, in its written form."""
    text = "以人民为中心，一定要把2017年的银行存款增长一倍。"
    sentence = Sentence("t", text, reading=read_sentence(text))
    per_char = char_syllables(sentence)
    reading = sentence.reading
    assert reading is not None
    for s in reading.syllables:
        start, end = reading.origin[s.spoken]
        if end - start == 1 and text[start] == reading.spoken[s.spoken]:
            assert per_char[start] == s.written
    assert [per_char[text.index(c)] for c in "为行长一"] == ["wei2", "hang2", "zhang3", "yi1"]
    assert per_char[text.index("2")] is None  # digits are written as digits


# -- agreement with liblouis ----------------------------------------------------------------


def _agreement(path: Path) -> tuple[float, int]:
    book = load_book(path, words=False)
    pieces = [c for s in book.sentences() for c in clauses(s.text) if not set(c) & polyphones()]
    ours = [braille(c) for c in pieces]
    agreed = compared = 0
    for a, b in zip(ours, liblouis(pieces)):
        m, n = agreement(a, b)
        agreed, compared = agreed + m, compared + n
    return agreed / compared, compared


@needs_liblouis
@pytest.mark.slow
@pytest.mark.parametrize("path", [SAMPLE, UNSEEN], ids=["sample", "unseen"])
def test_agrees_with_liblouis_without_polyphones(path):
    """Clauses without a polyphone: ours and liblouis zhcn-cbs agree on ≥ 98 % of cells
    (blank cells aside: liblouis does not separate words). The rest is explained in
    the module docstring of accessible.outputs.braille.translate and the issue note:
    liblouis table slips (区 ōu, 强 jiáng, tones on 问 再 加), its char defaults where
    its phrase lookup breaks after a digit, and signs it takes from English braille."""
    share, compared = _agreement(path)
    assert compared > 500
    assert share >= 0.98, f"{share:.4f} of {compared} cells"


def _polyphone_rows() -> list[list[str]]:
    lines = (DATA / "polyphones.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@needs_liblouis
def test_polyphones_follow_our_reading():
    """Each polyphone word is written in the reading the voice speaks; where liblouis's
    dictionary reads it otherwise, the table says so."""
    rows = _polyphone_rows()
    theirs = liblouis([r[0] for r in rows])
    for (text, word, pinyin, louis), reference in zip(rows, theirs):
        sentence = Sentence("t", text, reading=read_sentence(text))
        at = text.index(word)
        assert " ".join(str(p) for p in char_syllables(sentence)[at : at + len(word)]) == pinyin, text
        expected = "".join(syllable_cells(p) for p in pinyin.split())
        assert expected in braille(text).replace(BLANK, ""), text
        assert (expected in reference.replace(BLANK, "")) == (louis == "agrees"), (text, reference)
    assert sum(r[3] == "differs" for r in rows) >= 5


# -- the files --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edition(unseen_book, tmp_path_factory):
    layout = Layout.for_book(unseen_book, tmp_path_factory.mktemp("braille"))
    return unseen_book, layout, write_braille(unseen_book, layout, BrailleOptions(cells=32, lines=20))


def test_brf_fits_the_page(edition):
    _, layout, result = edition
    data = layout.braille("brf").read_bytes()
    assert data.isascii() and data.endswith(b"\r\n\f")
    pages = data.decode("ascii").split("\f")[:-1]
    assert len(pages) == result.pages > 3
    for page in pages:
        rows = page.split("\r\n")[:-1]
        assert 0 < len(rows) <= 20
        assert all(len(row) <= 32 for row in rows)
        assert all(set(row) <= set(to_ascii("".join(chr(0x2800 + i) for i in range(64)))) for row in rows)
    # body pages carry their number at the right end of line 1
    numbers = [page.split("\r\n")[0].strip() for page in pages[1:]]
    assert numbers == [to_ascii(braille(str(n))) for n in range(1, len(pages))]


def test_chapters_start_a_page_with_a_centred_heading(edition):
    book, _, _ = edition
    chapters = braille_pages(book, BrailleOptions(cells=32, lines=20))
    body = [c for c in chapters[1:] if c.title]
    assert [c.title for c in body] == [c.title for c in book.chapters if c.title]
    for chapter in body:
        heading = chapter.pages[0].rows[1]
        assert heading.startswith(BLANK) and heading.strip(BLANK) == braille(chapter.title)[: len(heading.strip(BLANK))]


def test_pef_follows_pef_1_0(edition):
    book, layout, result = edition
    ns = {"p": "http://www.daisy.org/ns/2008/pef", "dc": "http://purl.org/dc/elements/1.1/"}
    root = ET.parse(layout.braille("pef")).getroot()
    assert root.tag == "{http://www.daisy.org/ns/2008/pef}pef" and root.get("version") == "2008-1"
    assert [child.tag.split("}")[1] for child in root] == ["head", "body"]
    meta = root.find("p:head/p:meta", ns)
    assert meta is not None
    assert meta.findtext("dc:format", namespaces=ns) == "application/x-pef+xml"
    assert (meta.findtext("dc:identifier", namespaces=ns) or "").strip()
    assert meta.findtext("dc:title", namespaces=ns) == book.title
    volumes = root.findall("p:body/p:volume", ns)
    assert volumes and len(root.find("p:body", ns)) == len(volumes)  # type: ignore[arg-type]
    pages = 0
    for volume in volumes:
        assert volume.get("cols") == "32" and volume.get("rows") == "20"
        assert volume.get("rowgap") == "0" and volume.get("duplex") in ("true", "false")
        sections = list(volume)
        assert sections and all(s.tag == "{%s}section" % ns["p"] for s in sections)
        for section in sections:
            assert len(section) and all(page.tag == "{%s}page" % ns["p"] for page in section)
            for page in section:
                pages += 1
                rows = list(page)
                assert len(rows) <= 20 and all(r.tag == "{%s}row" % ns["p"] for r in rows)
                for row in rows:
                    text = row.text or ""
                    assert len(text) <= 32 and all("\u2800" <= c <= "\u28ff" for c in text)
    assert pages == result.pages
    # the same pages as the BRF
    brf = layout.braille("brf").read_bytes().decode("ascii")
    brf_rows = [r for page in brf.split("\f")[:-1] for r in page.split("\r\n")[:-1]]
    pef_rows = [r.text or "" for r in root.iter("{%s}row" % ns["p"])]
    assert [from_ascii(r) for r in brf_rows] == pef_rows


def test_pef_volumes_break_between_chapters(unseen_book, tmp_path):
    layout = Layout.for_book(unseen_book, tmp_path)
    write_braille(unseen_book, layout, BrailleOptions(volume_pages=3))
    root = ET.parse(layout.braille("pef")).getroot()
    volumes = root.findall(".//{http://www.daisy.org/ns/2008/pef}volume")
    assert len(volumes) > 1
    for volume in volumes:
        pages = volume.findall(".//{http://www.daisy.org/ns/2008/pef}page")
        assert len(pages) <= 3 or len(volume) == 1  # a longer chapter is a volume of its own


def test_rebuild_rewrites_nothing(edition):
    book, layout, result = edition
    assert set(result.written) == set(result.files)
    again = write_braille(book, layout, BrailleOptions(cells=32, lines=20))
    assert again.written == () and again.files == result.files


# -- reading the .txt back ---------------------------------------------------------------------

_INITIALS = {
    cells(d): i
    for i, d in (
        ("b", "12"), ("p", "1234"), ("m", "134"), ("f", "124"), ("d", "145"), ("t", "2345"), ("n", "1345"),
        ("l", "123"), ("g", "1245"), ("k", "13"), ("h", "125"), ("zh", "34"), ("ch", "12345"), ("sh", "156"),
        ("r", "245"), ("z", "1356"), ("c", "14"), ("s", "234"),
    )
}  # fmt: skip
_FINALS = {
    cells(d): f
    for f, d in (
        ("a", "35"), ("e", "26"), ("i", "24"), ("u", "136"), ("v", "346"), ("er", "1235"), ("ai", "246"),
        ("ao", "235"), ("ei", "2346"), ("ou", "12356"), ("ia", "1246"), ("iao", "345"), ("ie", "15"),
        ("iu", "1256"), ("ua", "123456"), ("uai", "13456"), ("ui", "2456"), ("uo", "135"), ("ve", "23456"),
        ("an", "1236"), ("ang", "236"), ("en", "356"), ("eng", "3456"), ("ian", "146"), ("iang", "1346"),
        ("in", "126"), ("ing", "16"), ("uan", "12456"), ("uang", "2356"), ("un", "25"), ("ong", "256"),
        ("van", "12346"), ("vn", "456"), ("iong", "1456"),
    )
}  # fmt: skip
_TONES = {cells("1"): 1, cells("2"): 2, cells("3"): 3, cells("23"): 4}
_OMITTED = {**dict.fromkeys(["f"], 1), **dict.fromkeys("p m t n h q c ch r".split(), 2)}
_ZERO = {"i": "yi", "u": "wu", "v": "yu", "ia": "ya", "ie": "ye", "iao": "yao", "iu": "you", "ian": "yan",
         "in": "yin", "iang": "yang", "ing": "ying", "iong": "yong", "ua": "wa", "uo": "wo", "uai": "wai",
         "ui": "wei", "uan": "wan", "un": "wen", "uang": "wang", "ve": "yue", "van": "yuan", "vn": "yun"}  # fmt: skip


def _pinyin_of(word: str) -> list[str]:
    """Common braille back to tone-number pinyin (without 的 and the tone-less neutral
    tone, which a reader resolves from the words): the inverse of the standard's rules."""
    out = []
    i = 0
    while i < len(word):
        initial = _INITIALS.get(word[i], "")
        i += bool(initial)
        final = _FINALS.get(word[i], "") if i < len(word) else ""
        i += bool(final)
        if initial in ("g", "k", "h") and final[:1] in ("i", "v"):
            initial = {"g": "j", "k": "q", "h": "x"}[initial]
        if initial in ("zh", "ch", "sh", "r", "z", "c", "s") and not final:
            final = "i"
        spelled = initial + ("u" + final[1:] if initial in ("j", "q", "x") and final.startswith("v") else final)
        if not initial:
            spelled = _ZERO.get(final, final)
        tone = _TONES.get(word[i]) if i < len(word) else None
        i += tone is not None
        if tone is None:
            special = {"yi": 1, "er": 2, "wo": 3, "ye": 3, "you": 3}
            tone = special.get(spelled, _OMITTED.get(initial, 4))
        out.append(spelled + str(tone))
    return out


def test_txt_reads_back_to_the_voices_pinyin(edition):
    book, layout, _ = edition
    lines = layout.braille("txt").read_text(encoding="utf-8").splitlines()
    assert all(set(line) <= {chr(c) for c in range(0x2800, 0x2900)} for line in lines)
    checked = 0
    for sentence in book.sentences():
        text = sentence.text
        expected = [p for p in char_syllables(sentence) if p]
        if not re.fullmatch(r"[\u4e00-\u9fff，。、；：]+", text) or any(p.endswith("5") for p in expected) or set(text) & set("的么你他她它"):
            continue  # digits, the neutral tone (no tone sign) and the six abbreviations need the words to read
        line = next(line for line in lines if braille(text) in line)  # the sentence is in the file
        words = [w for w in re.split(f"[{BLANK}⠐⠈⠰⠤]+", braille(text).replace(cells("5-23"), BLANK)) if w]
        assert line and [p for w in words for p in _pinyin_of(w)] == expected, text
        checked += 1
        if checked == 6:
            break
    assert checked == 6


# -- the command --------------------------------------------------------------------------------


def test_braille_command_makes_only_braille(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "accessible", "braille", str(UNSEEN), "--out", str(tmp_path), "--braille", "current"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    book = next(tmp_path.iterdir())
    assert sorted(p.name for p in (book / "braille").iterdir()) == [f"{book.name}.{e}" for e in ("brf", "pef", "txt")]
    assert not (book / "audio").exists()
    assert "braille:" in run.stdout and "voice:" not in run.stdout
    txt = (book / "braille" / f"{book.name}.txt").read_text(encoding="utf-8")
    assert braille("过去一年工作回顾", "current") in txt and braille("过去一年工作回顾") not in txt


@pytest.mark.parametrize(("option", "message"), [(["--cells", "8"], "--cells 8"), (["--braille", "grade2"], "unknown braille system")])
def test_braille_command_rejects_bad_options(tmp_path, option, message):
    run = subprocess.run(
        [sys.executable, "-m", "accessible", "braille", str(UNSEEN), "--out", str(tmp_path), *option],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr
    assert not any(tmp_path.iterdir())
