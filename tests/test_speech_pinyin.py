"""Pinyin of report words: polyphones and tone sandhi (tests/data/speech/pinyin.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessible.speech import corrected_words, read_sentence, tone_marks
from speech_cases import CASES, read_cases

TABLE = read_cases(CASES / "pinyin.txt")
SAMPLE = (Path(__file__).parent.parent / "accessible" / "samples" / "hengshui-2017.txt").read_text(encoding="utf-8")


def test_table_is_mostly_words_of_the_sample():
    from accessible.speech import normalize

    spoken = normalize(SAMPLE).spoken
    assert sum(w in spoken for w, _ in TABLE) >= 60


@pytest.mark.parametrize(("written", "pinyin"), TABLE)
def test_pinyin(written, pinyin):
    assert read_sentence(written).pinyin() == pinyin


def test_a_pause_stops_sandhi():
    # 一 before punctuation keeps its own tone; third tones across a comma do not change
    assert read_sentence("之一，好").pinyin() == "zhi1 yi1 hao3"
    assert read_sentence("美，好").pinyin() == "mei3 hao3"


def test_tone_marks():
    assert [tone_marks(p) for p in ("hang2", "lv4", "de5", "zhuo2", "gui4", "liu2", "nve4", "er2")] == [
        "háng", "lǜ", "de", "zhuó", "guì", "liú", "nüè", "ér"]


def test_corrected_words_name_the_table_fixes():
    fixed = dict(corrected_words("推行药品零差率销售"))
    assert fixed == {(4, 7): ("ling2", "cha1", "lv4")}


def test_citation_tones_undo_sandhi_only():
    # what ruby and braille write: 一 and 不 in their own tone, third tones unchanged,
    # while the polyphone choice (行 hang2) is the one the voice speaks
    r = read_sentence("一定不要展览银行")
    assert " ".join(s.written for s in r.syllables) == "yi1 ding4 bu4 yao4 zhan3 lan3 yin2 hang2"
    assert r.pinyin() == "yi2 ding4 bu2 yao4 zhan2 lan3 yin2 hang2"
