"""Regenerate accessible/speech/data/phrases.txt and polyphonic.txt from pypinyin-dict, and
adverbs.txt and verbs.txt from jieba's dictionary.

    .venv/bin/pip install 'pypinyin-dict>=0.9' && .venv/bin/python tools/make_pinyin_data.py

polyphonic.txt: the characters of the 通用规范汉字表 that have more than one reading in
its dictionary (《通用规范汉字字典》, pypinyin-dict's ktghz2013) and whose less common
readings make at least 3 % of that character's full-tone syllables in large_pinyin's
phrases (区 ōu, 作 zuō are too rare to be worth a proofreader's ear): the characters to
listen to when no phrase or rule decided them.

pypinyin-dict (MIT) ships phrase-pinyin-data's tables: cc_cedict, zdic_cibs, zdic_cybs
and large_pinyin. Each table alone is noisy (measured on tests/data/speech/polyphones.txt,
cc_cedict and large_pinyin each break a dozen readings pypinyin had right), so a phrase's
reading is the one most of them give, pypinyin's own phrase entry counting as one more
vote; a tie keeps pypinyin's reading. A reading that gives a character a syllable the
通用规范汉字字典 does not list for it is dropped (zdic and large_pinyin share slips such as
干干净 qián, 一帆风顺 fán, 与人 yú; they outvote the one source that has it right), and so
is one that reads 地 de (see _adverbial_de). Only phrases whose reading then differs from
what pypinyin says for the phrase alone are written, and only where a syllable differs by
more than a neutral tone (a neutral tone alone stays pypinyin's choice, but for 子 in a word
jieba knows: see _morpheme_zi), so the table stays small and start-up fast. Each line: phrase, the frequency jieba needs to keep it whole (0 when
jieba's dictionary already has the word), tone-number pinyin.

adverbs.txt: the words jieba's dictionary tags as adjectives, adverbs, descriptive words
or idioms (a, ad, an, d, z, vd, i), two to six characters: after one of them, 地 is the
adverbial marker de (紧密地团结, 坚定不移地推进), after a noun or a verb it is dì (军地,
保护地). speech/pinyin.py adds the report adverbials jieba tags otherwise (adverbials.txt).

verbs.txt: the one-character words jieba's dictionary tags as verbs (v, vn), frequency at
least 1000: a lone 得 after one of them, before what it achieves, is the complement marker
de (住|得|安心, 放|得|活). Left out: those that make a word with 得 in pypinyin's phrases
(取得, 懂得, 分得), the auxiliaries (可|得 kědé: they take a verb, not a complement), and
the verbs of getting, whose 得 is dé before what is got (抢得先机, 谋得职位).
"""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

import jieba
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT
from pypinyin.contrib.tone_convert import to_tone3

SOURCES = ("cc_cedict", "zdic_cibs", "zdic_cybs", "large_pinyin")
DATA = Path(__file__).resolve().parent.parent / "accessible" / "speech" / "data"
MAX_LENGTH = 6  # longer entries are idioms and names that add size more than readings
MINOR_SHARE = 0.03
ADVERB_TAGS = {"a", "ad", "an", "d", "z", "vd", "i"}
VERB_TAGS, MIN_VERB_FREQ = {"v", "vn"}, 1000
AUXILIARIES = set("是会能可需该敢肯愿即没无如像姓属令乃要")
GETTING = set("借讨骗抢谋偷募换求赚领筹购赢获取夺争分博挣捞收赊得")


def _tone3(word: str, readings: list[list[str]]) -> tuple[str, ...] | None:
    if len(readings) != len(word) or any(len(r) != 1 for r in readings):
        return None
    out = []
    for char, (reading,) in zip(word, readings):
        syllable = to_tone3(reading, neutral_tone_with_five=True)
        if char in "一不":  # the sources write sandhi tones; citation tones are ours
            syllable = {"一": "yi1", "不": "bu4"}[char] if syllable[:-1] in ("yi", "bu") else syllable
        out.append(syllable)
    return tuple(out)


def _is_han(word: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in word)


def _matters(chosen: tuple[str, ...], default: tuple[str, ...]) -> bool:
    """A syllable differs by more than a neutral tone (摸得着 zháo, not 东西 xi5 vs xi1)."""
    return any(c[:-1] != d[:-1] or (c != d and "5" not in (c[-1], d[-1])) for c, d in zip(chosen, default))


def _morpheme_zi(word: str, chosen: tuple[str, ...], default: tuple[str, ...], cedict: tuple[str, ...] | None) -> bool:
    """A 子 pypinyin reads as the neutral suffix where it is the morpheme zǐ (电子, 离子,
    男子, 子公司); CC-CEDICT, which writes the suffix neutral (桌子, 种子), must agree."""
    return cedict is not None and any(
        char == "子" and (c, d, e) == ("zi3", "zi5", "zi3") for char, c, d, e in zip(word, chosen, default, cedict))


def _minor_share(uses: Counter[str] | None) -> float:
    total = sum(uses.values()) if uses else 0
    return 1 - uses.most_common(1)[0][1] / total if uses and total else 0.0


def _standard(readings: dict[int, str]) -> dict[str, set[str]]:
    """Character → its tone-number readings in the 通用规范汉字字典."""
    return {chr(code): {to_tone3(r, neutral_tone_with_five=True) for r in value.split(",")}
            for code, value in readings.items()}


def _standard_reading(word: str, reading: tuple[str, ...], standard: dict[str, set[str]]) -> bool:
    """Each full-tone syllable is one the dictionary lists for its character (characters it
    does not cover pass)."""
    return all(s[-1] == "5" or c not in standard or s in standard[c] for c, s in zip(word, reading))


def _adverbial_de(word: str, reading: tuple[str, ...]) -> bool:
    """地 read de: speech/pinyin.py decides that from the word before it (积极地 de, 标准地
    dì), so the sources' thousands of X地 examples (标准地 de, 聚集地 de) are left out."""
    return any(c == "地" and s == "de5" for c, s in zip(word, reading))


def main() -> None:
    char_readings = importlib.import_module("pypinyin_dict.pinyin_data.ktghz2013").pinyin_dict
    standard = _standard(char_readings)
    votes: dict[str, Counter[tuple[str, ...]]] = {}
    uses: dict[str, Counter[str]] = {}  # character → its full-tone syllables in large_pinyin
    cedict: dict[str, tuple[str, ...]] = {}
    for name in SOURCES:
        table = importlib.import_module(f"pypinyin_dict.phrase_pinyin_data.{name}").phrases_dict
        for word, readings in table.items():
            if (reading := _tone3(word, readings)) and name == "large_pinyin":
                for char, syllable in zip(word, reading):
                    if syllable[-1] != "5":
                        uses.setdefault(char, Counter())[syllable] += 1
            if 1 < len(word) <= MAX_LENGTH and _is_han(word) and reading:
                votes.setdefault(word, Counter())[reading] += 1
                if name == "cc_cedict":
                    cedict[word] = reading
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    lines = []
    for word in sorted(votes):
        tally = votes[word]
        default = _tone3(word, [[p] for p in lazy_pinyin(word, style=Style.TONE)])
        if word in PHRASES_DICT and default:
            tally[default] += 1
        (chosen, count), *rest = tally.most_common()
        if (rest and rest[0][1] == count) or not default:
            continue
        known = bool(tokenizer.FREQ.get(word))
        if not (_matters(chosen, default) or (known and _morpheme_zi(word, chosen, default, cedict.get(word)))):
            continue
        if not _standard_reading(word, chosen, standard) or _adverbial_de(word, chosen):
            continue
        freq = 0 if known else tokenizer.suggest_freq(word)
        lines.append(f"{word} {freq} {' '.join(chosen)}")
    header = (
        "# Generated by tools/make_pinyin_data.py from phrase-pinyin-data (MIT) as shipped in pypinyin-dict:\n"
        "# phrases whose reading most sources agree on and pypinyin alone gets wrong.\n"
        "# phrase, jieba frequency that keeps it whole (0: jieba knows it), tone-number pinyin.\n"
    )
    (DATA / "phrases.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"phrases.txt: {len(lines)} phrases")
    chars = []
    for code, value in sorted(char_readings.items()):
        share = _minor_share(uses.get(chr(code)))
        if "," in value and share >= MINOR_SHARE:
            chars.append(f"{chr(code)} {share:.2f} {' '.join(to_tone3(r, neutral_tone_with_five=True) for r in value.split(','))}")
    header = ("# Generated by tools/make_pinyin_data.py: characters with more than one reading in\n"
              "# 《通用规范汉字字典》 (pypinyin-dict's ktghz2013) whose less common readings are not rare,\n"
              "# the share of those readings among the character's syllables in phrases, the readings.\n")
    (DATA / "polyphonic.txt").write_text(header + "\n".join(chars) + "\n", encoding="utf-8")
    print(f"polyphonic.txt: {len(chars)} characters")


def write_adverbs() -> None:
    path = Path(jieba.get_dict_file().name)
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, tag = line.split()
        if tag in ADVERB_TAGS and 2 <= len(word) <= 6 and _is_han(word) and word[-1] not in "地的得之":
            words.append(word)
    header = ("# Generated by tools/make_pinyin_data.py from jieba's dictionary (MIT): the words it tags as\n"
              "# adjectives, adverbs, descriptive words or idioms; 地 after one of them is read de.\n")
    (DATA / "adverbs.txt").write_text(header + "\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"adverbs.txt: {len(words)} words")


def write_verbs() -> None:
    path = Path(jieba.get_dict_file().name)
    verbs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split()
        if len(word) == 1 and tag in VERB_TAGS and int(freq) >= MIN_VERB_FREQ and _is_han(word) \
                and word + "得" not in PHRASES_DICT and word not in AUXILIARIES | GETTING:
            verbs.append(word)
    header = ("# Generated by tools/make_pinyin_data.py from jieba's dictionary (MIT): one-character verbs\n"
              "# after which a lone 得 is the complement marker de (住得安心, 放得活).\n")
    (DATA / "verbs.txt").write_text(header + "\n".join(sorted(verbs)) + "\n", encoding="utf-8")
    print(f"verbs.txt: {len(verbs)} words")


if __name__ == "__main__":
    main()
    write_adverbs()
    write_verbs()
