"""Each reading rule against its own case file, then all cases in one text, then the report TSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from accessible.speech import normalize
from speech_cases import CASES, read_cases

KINDS = sorted(p.stem for p in CASES.glob("*.txt") if p.stem != "pinyin")
ALL = [(kind, w, s) for kind in KINDS for w, s in read_cases(CASES / f"{kind}.txt")]
TSV = Path(__file__).parent / "data" / "report-numbers.tsv"


def test_every_kind_has_cases():
    assert {"cardinal", "decimal", "percent", "ratio", "range", "date", "time", "measure",
            "telephone", "codes", "letters", "signs", "fraction", "fallback"} <= set(KINDS)
    assert len(ALL) > 100


@pytest.mark.parametrize(("kind", "written", "spoken"), ALL, ids=[f"{k}:{w}" for k, w, _ in ALL])
def test_case(kind, written, spoken):
    assert normalize(written).spoken == spoken


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


@pytest.mark.parametrize("text", ["", "%", "％％", "😀", "1e10", "3.14.15", "9" * 400, "1/0", "2/0/", "--5", "+",
                                  "：：", "“”", "１２:３４:５６:７８", "PM", "Ｇ１０７", "0.", ".5", "1..2", "±", "‰"])
def test_odd_input_never_raises_and_leaves_no_digit(text):
    normalized = normalize(text)
    assert not any(c.isdigit() for c in normalized.spoken)
    assert len(normalized.origin) == len(normalized.spoken)
