"""Each reading rule against its own case file (spoken form and parts), then all cases in
one text, then the report TSV."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest

from accessible.speech import Normalized, normalize
from accessible.speech import tables
from accessible.speech.rule import Part, parts_of, view
from speech_cases import CASES, read_cases, unmark

KINDS = sorted(p.stem for p in CASES.glob("*.txt") if p.stem != "pinyin")
MARKED = [(kind, w, s) for kind in KINDS for w, s in read_cases(CASES / f"{kind}.txt")]
ALL = [(kind, unmark(w)[0], unmark(s)[0]) for kind, w, s in MARKED]
TSV = Path(__file__).parent / "data" / "report-numbers.tsv"


def test_every_kind_has_cases():
    assert {"cardinal", "decimal", "percent", "ratio", "range", "date", "time", "measure",
            "telephone", "codes", "letters", "signs", "fraction", "fallback", "money", "power", "numerals",
            "url", "score", "symbols", "simplified"} <= set(KINDS)
    assert len(ALL) > 100


def part_cuts(n: Normalized) -> list[tuple[int, int]]:
    """(written, spoken) offsets where one part ends and another begins, both rewritten."""
    return [(n.origin[i][0], i) for i in range(1, len(n.spoken))
            if n.rewrite_at[i - 1] >= 0 and n.rewrite_at[i] >= 0 and n.origin[i - 1] != n.origin[i]]


@pytest.mark.parametrize(("kind", "written", "spoken"), MARKED, ids=[f"{k}:{w}" for k, w, _ in MARKED])
def test_case(kind, written, spoken):
    (text, written_cuts), (said, spoken_cuts) = unmark(written), unmark(spoken)
    n = normalize(text)
    assert n.spoken == said
    assert part_cuts(n) == list(zip(written_cuts, spoken_cuts)), "parts differ from the | marks"


def test_all_cases_in_one_text():
    # Rules must not disturb each other when expressions share a text.
    text = "\n".join(w for _, w, _ in ALL)
    assert normalize(text).spoken.split("\n") == [s for _, _, s in ALL]


def _report_rows():
    with TSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_report_numbers_all_read_right():
    rows = _report_rows()
    assert len(rows) == 176
    wrong = []
    for row in rows:
        accepted = [a.strip() for a in row["spoken"].split(" | ")]
        got = normalize(row["written"]).spoken
        if got not in accepted:
            wrong.append(f"{row['id']}: {got} not in {accepted}")
    assert not wrong, "\n".join(wrong)


def test_unknown_expressions_are_flagged():
    assert [r.kind for r in normalize("版本3.14.15").rewrites] == ["unknown"]
    assert normalize("增长8.2%").unknown == ()
    flagged = normalize("日期2017-13-45，比值1/0，韩文안녕，符号§，表情😀")
    assert [flagged.text[r.start:r.end] for r in flagged.unknown] == ["2017-13-45", "/", "안녕", "§", "😀"]
    # what the rules know is not flagged: every case but the fallback's, the impossible
    # dates and a word the voice would spell
    known = [w for kind, w, _ in ALL if kind != "fallback" and not w.startswith(("2017-", "升级Windows"))]
    assert [w for w in known if normalize(w).unknown] == []


def _left_unsaid(text: str) -> list[str]:
    """Characters the voice cannot say, that are no pause, and that no rewrite covers."""
    n = normalize(text)
    covered = {i for r in n.rewrites for i in range(r.start, r.end)}
    silent = tables.words("silent.txt")
    return [c for i, c in enumerate(view(text)) if i not in covered and c not in silent
            and not (c.isspace() or c.isascii() and c.isalnum() or "\u3400" <= c <= "\u9fff")]


def test_every_sign_is_said_or_flagged():
    # a sign that silently drops out of the audio (a ￥ before an amount) must not happen
    odd = "１，２３４ 1e10 1/0 Ⅳ ①② ½ 10^5 3.5万—4万 ISO 9001 1∶2 1︰2 ￥1.25 $13.5 € ≤ ≥ <= >= = ≈ ÷ × ± # & @ * § ※ ^ ~"
    assert not _left_unsaid(odd)
    assert not [c for _, w, _ in ALL for c in _left_unsaid(w)]


@pytest.mark.parametrize("text", ["", "%", "％％", "😀", "1e10", "3.14.15", "9" * 400, "1/0", "2/0/", "--5", "+",
                                  "：：", "“”", "１２:３４:５６:７８", "PM", "Ｇ１０７", "0.", ".5", "1..2", "±", "‰"])
def test_odd_input_never_raises_and_leaves_no_digit(text):
    normalized = normalize(text)
    assert not any(c.isdigit() for c in normalized.spoken)
    assert len(normalized.origin) == len(normalized.spoken)


def test_silent_pieces_join_the_part_before_them():
    said = [("2", "两"), (":", "点"), ("00", "")]
    assert parts_of(3, "2:00", said) == (Part(3, 4, "两"), Part(4, 7, "点"))
    assert parts_of(0, "-12", [("-", ""), ("12", "十二")]) == (Part(0, 3, "十二"),)
    assert parts_of(0, "12", [("12", "")]) == ()
    with pytest.raises(ValueError, match="do not spell"):
        parts_of(0, "1:2", [("1", "一"), ("2", "二")])
    with pytest.raises(ValueError, match="say what is not written"):
        parts_of(0, "12", [("12", "十二"), ("", "点")])


def test_traditional_text_reads_as_simplified_and_maps_to_what_is_written():
    from accessible.speech import read_sentence

    reading = read_sentence("發展極為迅速，增長8.2%")
    assert reading.pinyin().split()[2:4] == ["ji2", "wei2"]
    n = normalize("發展極為迅速，增長8.2%")
    assert n.text == "發展極為迅速，增長8.2%"
    assert [n.origin[i] for i in range(4)] == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert set(n.origin[9:]) == {(9, 13)}


def test_random_mixes_of_signs_keep_an_exact_origin_map():
    # Rules meeting in ways no case file foresaw: never an exception, never an empty
    # span, spans in order covering the text once, no digit left.
    pool = [*"0123456789０１.,，:：∶/-—~+±=<>≤%‰￥$年月日号万元个 aeEpmAMwkHK@#&^·“”①Ⅳ½⁵○二一",
            "www.", "http://", ".cn", "p.m.", "比赛", "拨打", "公元前", "bc", "ISO"]
    rng = random.Random(12)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        n = normalize(text)
        assert all(b > a for a, b in n.origin), text
        spans = [s for i, s in enumerate(n.origin) if i == 0 or s != n.origin[i - 1]]
        assert "".join(text[a:b] for a, b in spans) == text
        assert not re.search("[0-9]", n.spoken), text
