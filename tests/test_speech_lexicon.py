"""User lexicons: format checks on load, and entries winning over the built-in rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessible.errors import LexiconError
from accessible.speech import load_lexicon, normalize, read_sentence

DEFAULT = Path(__file__).parent.parent / "accessible" / "data" / "voices" / "lexicon.toml"


def _lexicon(tmp_path: Path, body: str, name: str = "book.toml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return load_lexicon(path)


def test_default_lexicon_loads_and_pins_place_names():
    lexicon = load_lexicon(DEFAULT)
    reading = read_sentence("滏阳河综合治理", lexicon)
    assert reading.pinyin().startswith("fu3 yang2 he2 ")


def test_word_pinyin_and_spoken(tmp_path):
    lexicon = _lexicon(tmp_path, '[words]\n"景武" = { pinyin = "jing3 wu3" }\n"PPP" = { spoken = "政府和社会资本合作" }\n')
    reading = read_sentence("王景武推进PPP项目", lexicon)
    assert reading.spoken == "王景武推进政府和社会资本合作项目"
    assert reading.pinyin().split()[1:3] == ["jing3", "wu3"]  # as given: no sandhi on lexicon pinyin
    # the replaced word maps back to the three letters it replaced
    assert set(reading.origin[5:14]) == {(5, 8)}


def test_pattern_wins_over_builtin_rules(tmp_path):
    lexicon = _lexicon(tmp_path, '[patterns]\n"(\\\\d{4})工程" = { read = "digits" }\n"衡水(湖)" = { pinyin = "hu2" }\n')
    assert normalize("实施3000工程", lexicon).spoken == "实施三零零零工程"
    assert normalize("实施3000工程").spoken == "实施三千工程"
    assert normalize("衡水湖3000亩", lexicon).spoken == "衡水湖三千亩"  # the group only; context untouched
    rewrite = normalize("衡水湖", lexicon).rewrites[0]
    assert (rewrite.start, rewrite.end, rewrite.pinyin) == (2, 3, ("hu2",))


def test_later_file_overrides_earlier(tmp_path):
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    a.write_text('[words]\n"冀" = { pinyin = "ji3" }\n', encoding="utf-8")
    b.write_text('[words]\n"冀" = { pinyin = "ji4" }\n', encoding="utf-8")
    assert read_sentence("冀", load_lexicon(a, b)).pinyin() == "ji4"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[word]\n"a" = { spoken = "b" }\n', "unknown table(s) word"),
        ('[words]\n"冀" = { pinyn = "ji4" }\n', "unknown key(s) pinyn"),
        ('[words]\n"冀" = { pinyin = "ji9" }\n', "ji9 not tone-number pinyin"),
        ('[words]\n"冀州" = { pinyin = "ji4" }\n', "1 pinyin syllable(s) for 2 character(s)"),
        ('[words]\n"冀" = "ji4"\n', "must be a table"),
        ('[words]\n"冀" = { spoken = "冀", read = "digits" }\n', "either spoken or read"),
        ('[words]\n"冀" = { read = "roman" }\n', "read must be one of"),
        ('[words]\n"冀" = { spoken = "第1" }\n', "without digits"),
        ('[patterns]\n"(\\\\d+" = { read = "digits" }\n', "not a valid regex"),
        ('[words\n', "not a readable lexicon"),
    ],
)
def test_bad_lexicons_name_the_file_and_the_entry(tmp_path, body, message):
    with pytest.raises(LexiconError) as e:
        _lexicon(tmp_path, body)
    assert "book.toml" in str(e.value) and message in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(LexiconError, match="nothing.toml"):
        load_lexicon(tmp_path / "nothing.toml")
