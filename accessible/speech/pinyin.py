"""Pinyin for a spoken form: jieba words → pypinyin, phrase tables, context rules, tone
sandhi, and Latin letters as Mandarin syllables.

A polyphonic character's reading is decided, strongest first, by: the user lexicon; a
context rule (data/context.tsv: neighbours decide, e.g. 还款 huán, 当天 dàng); 地 after an
adverbial word is de (积极地, data/adverbs.txt and adverbials.txt);
a phrase entry (data/polyphones.txt, checked by hand, over data/places.txt, place names,
over data/phrases.txt, generated from phrase-pinyin-data by tools/make_pinyin_data.py);
pypinyin's own phrase data; else pypinyin's default reading of the character, which
`fallback_polyphones` reports so a proofreader can listen to it. Every phrase entry is
added to jieba's dictionary, so a phrase reaches pypinyin whole.

Tone sandhi, applied over each stretch of syllables between punctuation marks:
- 一 is yi2 before a fourth (or neutral) tone and yi4 before the others; it keeps yi1
  at the end of a stretch or of a word (统一, 之一, a heading's 一、), after 第, next to
  other numerals (十一, 一九, 零一), before 月/号.
- 不 is bu2 before a fourth tone.
- Third tones: a run of third tones is split at word boundaries, and inside a word
  at the boundary of its dictionary parts (展览|馆 zhan2 lan2 guan3, 小|老虎 xiao3
  lao2 hu3); each part is resolved first, then a third tone before a third tone
  becomes second — except between two words of two or more syllables, where a news
  reader keeps both (增长 百分之). pypinyin alone only handles pairs.
User lexicon pinyin is taken as given: no sandhi touches it.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain

import jieba
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT
from pypinyin.seg.mmseg import seg as pypinyin_seg

from ..jiebadict import lcut, tokenizer_with
from ..model import Reading, Span, Syllable
from . import tables
from .normalize import Normalized
from .syllables import is_syllable

log = logging.getLogger("accessible")

_DIGIT_WORDS = set("零一二三四五六七八九十幺点两")
_BIG = set("百千万亿")
_YI_KEEPS_BEFORE = set("月号")
# Strength of a cut inside a stretch, for third-tone runs: between two words of two
# or more syllables the run is split for good (增长|百分之 keeps zhang3), a one-syllable
# word leans on its neighbour (很|好 hen2 hao3), parts of one word join (展览|馆).
_INSIDE_WORD, _BETWEEN_WORDS, _BETWEEN_PHRASES = 1, 2, 3


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or c == "〇"


_HAN_WORD = re.compile("[\u3400-\u9fff〇]+")


def _all_han(word: str) -> bool:
    return _HAN_WORD.fullmatch(word) is not None


def polyphones() -> dict[str, tuple[str, ...]]:
    return tables.syllables("polyphones.txt")


@cache
def _generated() -> dict[str, tuple[int, tuple[str, ...]]]:
    """data/phrases.txt: phrase → (jieba frequency that keeps it whole, pinyin)."""
    table = {}
    for word, freq, *pinyin in (line.split() for line in tables.lines("phrases.txt")):
        table[word] = (int(freq), tuple(pinyin))
    return table


@cache
def _checked() -> dict[str, tuple[str, ...]]:
    """Place names, then the hand-checked table: the phrase entries written by people."""
    return {**tables.syllables("places.txt"), **polyphones()}


@cache
def phrases() -> dict[str, tuple[str, ...]]:
    """Every phrase entry: generated, then place names, then the hand-checked table. A
    generated phrase that contains a checked word takes the checked reading there
    (中牟县 reads 中牟 as the place table says)."""
    checked = _checked()
    table = {}
    for word, (_, pinyin) in _generated().items():
        fixed = list(pinyin)
        for i in range(len(word)):
            for j in range(i + 2, len(word) + 1):
                if word[i:j] in checked:
                    fixed[i:j] = checked[word[i:j]]
        table[word] = tuple(fixed)
    table.update(checked)
    return table


_HERE = "\x00"  # stands for the character under test while a rule's pattern is matched


@dataclass(frozen=True)
class Rule:
    """A context rule of data/context.tsv."""

    char: str
    # any: also inside a phrase; free: only where no phrase decided the character (a
    # one-character word, or pypinyin's default inside a word); alone: only a one-character word
    scope: str
    pattern: re.Pattern[str]  # before, _HERE, after: so after may refer to a group of before
    reading: str
    example: str

    def applies(self, marked: str, alone: bool, decided: bool) -> bool:
        """Whether it decides the character that `marked` (the text with _HERE in its place) stands for."""
        scoped = {"any": True, "free": alone or not decided, "alone": alone}[self.scope]
        return scoped and self.pattern.search(marked) is not None


@cache
def context_rules() -> dict[str, tuple[Rule, ...]]:
    rules: dict[str, list[Rule]] = {}
    for line in tables.lines("context.tsv"):
        char, scope, before, after, reading, example = line.split("\t")
        if scope not in ("any", "free", "alone"):
            raise ValueError(f"context.tsv: scope {scope!r} of {example!r} is not any, free or alone")
        pattern = "".join(("" if before == "*" else f"(?:{before})", _HERE, "" if after == "*" else f"(?:{after})"))
        rules.setdefault(char, []).append(Rule(char, scope, re.compile(pattern), reading, example))
    return {char: tuple(r) for char, r in rules.items()}


# A character read by pypinyin's default is worth a proofreader's ear when its less
# common readings make this share of its uses in phrases (data/polyphonic.txt): any
# such share when it stands alone, a large one inside a word no phrase covers (there,
# 省 in 省委 or 中 in 中铁 is nearly always its usual reading).
_ALONE_SHARE, _IN_WORD_SHARE = 0.03, 0.15


@cache
def _polyphonic() -> dict[str, float]:
    """Character → share of its less common readings; characters with context rules count fully."""
    shares = {char: float(share) for char, (share, *_) in tables.syllables("polyphonic.txt").items()}
    shares.update(dict.fromkeys(context_rules(), 1.0))
    for char in "一不":  # their tone is sandhi, not a choice of reading
        shares.pop(char, None)
    return shares


def _listed(word: str) -> bool:
    """An adjective, adverb or idiom by jieba's tags (data/adverbs.txt), or a report adverbial."""
    return word in tables.words("adverbs.txt") or word in tables.words("adverbials.txt")


def _adverbial(stem: str) -> bool:
    """Whether 地 after this word is the adverbial marker de (积极地, 创造性地, 扎扎实实地)
    rather than the noun dì (军地, 保护地, 等地): data/adverbs.txt (jieba's adjectives,
    adverbs and idioms) and data/adverbials.txt, words in 性 or …化 (常态化; 优化 is a
    verb), 有… words, AABB."""
    if len(stem) < 2 or not _all_han(stem):
        return False
    if _listed(stem):
        return True
    doubled = len(stem) == 4 and stem[0] == stem[1] and stem[2] == stem[3]
    return doubled or stem[-1] == "性" or (stem[-1] == "化" and len(stem) > 2) or stem[0] == "有"


def _letters() -> dict[str, tuple[str, ...]]:
    return tables.syllables("letters.txt")


@cache
def _tokenizer() -> jieba.Tokenizer:
    # a generated phrase's frequency was worked out for jieba's dictionary when the table
    # was made; a table word gets the one jieba suggests, to keep it whole so its reading applies
    generated = ((word, freq) for word, (freq, _) in _generated().items() if freq)
    checked = ((word, None) for word in _checked())
    return tokenizer_with(chain(generated, checked))


def _raw(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True))


@lru_cache(maxsize=100_000)
def _word(word: str) -> tuple[tuple[str | None, ...], bool, tuple[bool, ...]]:
    """Citation pinyin of a Han word (None for a character without a sayable reading),
    whether our phrase tables changed it, and which characters a phrase decided (the
    others got pypinyin's default reading of the character)."""
    raw = _raw(word)
    fixed = list(raw)
    decided = [False] * len(word)
    whole = []  # pypinyin's phrases in the word: (start, end)
    pos = 0
    for part in pypinyin_seg.cut(word):
        if len(part) > 1 and part in PHRASES_DICT:
            decided[pos:pos + len(part)] = [True] * len(part)
            whole.append((pos, pos + len(part)))
        pos += len(part)
    table, checked = phrases(), _checked()
    i = 0
    while i < len(word):  # longest table entries inside the word, left to right
        for j in range(len(word), i, -1):
            if word[i:j] in table and (j - i > 1 or j - i == len(word)):
                if word[i:j] not in checked and any(a <= i and j <= b and b - a > j - i for a, b in whole):
                    # a generated entry does not break a longer phrase pypinyin reads whole
                    # (踏实 tāshi inside 脚踏实地 tà shí)
                    i += 1
                    break
                fixed[i:j] = table[word[i:j]]
                decided[i:j] = [True] * (j - i)
                i = j
                break
        else:
            i += 1
    return tuple(_valid(p) for p in fixed), tuple(fixed) != raw, tuple(decided)


def _valid(pinyin: str) -> str | None:
    if is_syllable(pinyin):
        return pinyin
    base, tone = pinyin[:-1], pinyin[-1:]
    if base in ("n", "ng", "m"):  # 嗯, 呒
        return "en" + tone
    if base.endswith("r") and is_syllable(base[:-1] + tone):  # erhua: the 儿 is its own syllable
        return base[:-1] + tone
    log.debug("no syllable the voice knows for %r", pinyin)
    return None


@lru_cache(maxsize=4096)
def _parts(word: str) -> tuple[int, ...]:
    """Cut points inside a word where its dictionary parts meet (展览馆 → (2,))."""
    if len(word) < 3:
        return ()
    freq = _tokenizer().FREQ
    if freq.get(word[:2]):
        return (2,)
    if freq.get(word[1:]):
        return (1,)
    return ()


@dataclass(slots=True)
class _Syl:
    index: int  # spoken character
    pinyin: str
    char: str
    fixed: bool = False  # from the user lexicon: no sandhi
    ends_word: bool = False  # last syllable of a word of two or more (统一, 之一)
    alone: bool = False  # a one-character word
    decided: bool = True  # by the lexicon, a phrase or a rule (not pypinyin's default for the character)
    rule: Rule | None = None  # the context rule that decided it
    citation: str = ""  # the reading before sandhi; set once all choices of reading are made


_Stretches = list[tuple[list["_Syl"], dict[int, int]]]


def _choose(normalized: Normalized) -> tuple[_Stretches, list[Span]]:
    """Each syllable's citation reading, grouped in stretches between pauses, and the words."""
    spoken = normalized.spoken
    words: list[Span] = []
    # per stretch: its syllables, and cut points (syllable index → strength, see _resolve)
    stretches: _Stretches = [([], {})]
    stretch, cut = stretches[-1]
    last_word = 0  # where the stretch's last word starts
    given = any(r.pinyin for r in normalized.rewrites)  # lexicon pinyin somewhere in the sentence
    tokens = lcut(_tokenizer(), spoken)
    pos = 0
    for n, word in enumerate(tokens):
        start, pos = pos, pos + len(word)
        han = _all_han(word)
        syls = _han_syllables(word, start) if han and not given else _word_syllables(word, start, normalized)
        if not syls:  # punctuation, space, emoji: a pause, so sandhi stops here
            stretches.append(([], {}))
            stretch, cut = stretches[-1]
            last_word = 0
            continue
        _decide(syls, spoken, tokens[max(0, n - 2):n], word, tokens[n + 1] if n + 1 < len(tokens) else "")
        words.append((start, pos))
        syls[-1].ends_word = len(syls) > 1
        if stretch:
            cut[len(stretch)] = _BETWEEN_PHRASES if len(stretch) - last_word > 1 and len(syls) > 1 else _BETWEEN_WORDS
            last_word = len(stretch)
        if han and len(word) > 2:
            cut.update((len(stretch) + k, _INSIDE_WORD) for k in _parts(word))
        stretch.extend(syls)
    for stretch, _ in stretches:
        for s in stretch:
            s.citation = _citation(s) if s.char in "一不" else s.pinyin
    return stretches, words


def _decide(syls: list[_Syl], spoken: str, before: list[str], word: str, following: str) -> None:
    """Readings the context decides, over what the word's phrase data said: a context rule;
    地 after an adverbial; 得 before an adjective or adverb; a polyphone standing alone that a slightly less likely cut would
    put in a phrase (不过|分 → 过分 fèn, 应|对外部 → 应对 yìng). `before`: the two words
    before this one, the nearer last."""
    previous = before[-1] if before else ""
    rules = context_rules()
    for s in syls:
        s.alone = len(word) == 1
        if s.char in rules and not s.fixed:
            marked = f"{spoken[:s.index]}{_HERE}{spoken[s.index + 1:]}"
            rule = next((r for r in rules[s.char] if r.applies(marked, s.alone, s.decided)), None)
            if rule:
                s.pinyin, s.decided, s.rule = rule.reading, True, rule
    last = syls[-1]
    if last.fixed or last.rule or not (last.alone or not last.decided):
        return
    if last.char == "地":
        stem = previous if last.alone else word[:-1]
        if stem in ("化", "性"):  # a suffix jieba cut off a word it does not know (常态|化|地)
            stem = "".join(before)
        # before what it qualifies, or before 、 and the next adverbial (深入地、持久地开展)
        if last.index + 1 < len(spoken) and (_is_han(spoken[last.index + 1]) or spoken[last.index + 1] == "、") \
                and (_adverbial(stem) or (last.alone and _listed("".join(before)))):  # 依法|依规|地
            last.pinyin, last.decided = "de5", True
    elif last.char == "得" and last.alone and _is_han(previous[-1:]) \
            and (_listed(following) or (previous in tables.words("verbs.txt") and _is_han(following[:1]))):
        last.pinyin, last.decided = "de5", True  # a complement after the verb: 办得|漂亮, 住|得|安心
    elif last.alone and last.char in _polyphonic():
        reading = _recut(previous, word, following)
        if reading and reading != last.pinyin:
            last.pinyin, last.decided = reading, True


# How much less likely (natural log of jieba's word probabilities) another cut of two
# neighbouring words may be and still decide a polyphone standing alone between them:
# 不过|分 and 不|过分 differ by 0.2, 应|对外部 and 应对|外部 by 1.2, but 积极|为 and
# 积|极为 by 5.8. The phrase must be a common word (更|相适应 would make 更相 gēng).
_RECUT_MARGIN = 1.5
_RECUT_MIN_FREQ = 30


@lru_cache(maxsize=65_536)
def _recut(previous: str, char: str, following: str) -> str | None:
    """The reading of a lone character in a phrase with the last character of the word
    before it or the first of the word after it, when jieba finds that cut almost as likely."""
    tokenizer = _tokenizer()

    def logp(w: str) -> float | None:
        if not w:
            return 0.0
        freq = tokenizer.FREQ.get(w)
        return math.log(freq / tokenizer.total) if freq else None

    best: tuple[float, str] | None = None
    here = logp(char) or math.log(1 / tokenizer.total)
    for pair, rest, now, k in ((previous[-1:] + char, previous[:-1], previous, 1), (char + following[:1], following[1:], following, 0)):
        if len(pair) < 2 or not _all_han(pair):
            continue
        pinyin, _, decided = _word(pair)
        reading = pinyin[k]
        if not decided[k] or reading is None:
            continue
        before, after, alone = logp(now), logp(rest), logp(pair)
        if before is None or after is None or tokenizer.FREQ.get(pair, 0) < _RECUT_MIN_FREQ:
            continue
        assert alone is not None
        margin = (before + here) - (after + alone)
        if margin <= _RECUT_MARGIN and (best is None or margin < best[0]):
            best = (margin, reading)
    return best[1] if best else None


def reading_of(normalized: Normalized) -> Reading:
    """The `Reading` of a normalized sentence (lexicon pinyin comes on its rewrites)."""
    stretches, words = _choose(normalized)
    syllables: list[Syllable] = []
    for stretch, cut in stretches:
        _sandhi(stretch, cut)
        syllables.extend(Syllable(s.pinyin, s.index, s.citation) for s in stretch)
    return Reading(spoken=normalized.spoken, origin=normalized.origin, syllables=tuple(syllables), words=tuple(words))


def fallback_polyphones(normalized: Normalized) -> tuple[tuple[int, str], ...]:
    """Polyphonic characters of the spoken form that no lexicon entry, phrase or rule
    decided (pypinyin's default reading of the character): spoken index, citation pinyin."""
    stretches, _ = _choose(normalized)
    shares = _polyphonic()
    return tuple((s.index, s.citation) for stretch, _ in stretches for s in stretch
                 if not s.decided and shares.get(s.char, 0) >= (_ALONE_SHARE if s.alone else _IN_WORD_SHARE))


# pypinyin's phrase data writes 一 and 不 with their changed tones (一定 yí dìng); the
# written form keeps the original tone (GB/T 16159-2012 §6.3.9: 一、不 标原调).
_ORIGINAL_TONE = {("一", "yi"): "yi1", ("不", "bu"): "bu4"}


def _citation(s: _Syl) -> str:
    return _ORIGINAL_TONE.get((s.char, s.pinyin[:-1]), s.pinyin)


def _han_syllables(run: str, begin: int) -> list[_Syl]:
    """Syllables of a run of Han characters starting at spoken index ``begin``."""
    pinyin, _, decided = _word(run)
    return [_Syl(begin + k, p, run[k], decided=decided[k]) for k, p in enumerate(pinyin) if p]


def _word_syllables(word: str, start: int, normalized: Normalized) -> list[_Syl]:
    """Syllables of one jieba word: lexicon pinyin, else Han readings, else letters."""
    out: list[_Syl] = []
    han_run = ""

    def flush(end: int) -> None:
        nonlocal han_run
        if han_run:
            out.extend(_han_syllables(han_run, end - len(han_run)))
            han_run = ""

    for k, c in enumerate(word):
        i = start + k
        r = normalized.rewrite_at[i]
        given = normalized.rewrites[r].pinyin if r >= 0 else ()
        if given:
            flush(i)
            out.append(_Syl(i, given[i - normalized.spoken_spans[r][0]], c, fixed=True))
        elif _is_han(c):
            han_run += c
        else:
            flush(i)
            out.extend(_Syl(i, p, c, fixed=True) for p in _letters().get(c.upper(), ()) if c.isascii())
    flush(start + len(word))
    return out


def _tone(s: _Syl) -> int:
    return int(s.pinyin[-1])


def _set_tone(s: _Syl, tone: int) -> None:
    s.pinyin = s.pinyin[:-1] + str(tone)


def _sandhi(stretch: list[_Syl], cuts: dict[int, int]) -> None:
    for k, s in enumerate(stretch):
        if s.fixed or s.char not in "一不":
            continue
        nxt = stretch[k + 1] if k + 1 < len(stretch) else None
        next_tone = _tone(nxt) if nxt else 0  # not changed yet: the scan goes left to right
        if s.char == "一":
            prev = stretch[k - 1].char if k else ""
            _set_tone(s, _yi(prev, nxt.char if nxt else "", next_tone, s.ends_word or cuts.get(k + 1) == _INSIDE_WORD))
        elif s.char == "不" and s.pinyin in ("bu4", "bu2"):
            _set_tone(s, 2 if next_tone == 4 else 4)
    _third_tones(stretch, cuts)


def _yi(prev: str, nxt: str, next_tone: int, word_ends: bool) -> int:
    if not nxt or word_ends or prev == "第":
        return 1  # 一、 统一 之一 第一
    if prev in _DIGIT_WORDS - {"一"} or nxt in _DIGIT_WORDS or nxt in _YI_KEEPS_BEFORE:
        return 1  # 十一 一九 一点五 一月
    if prev in _BIG and (nxt in _BIG or nxt in _DIGIT_WORDS):
        return 1  # 一千一百 (counting)
    return 2 if next_tone in (4, 5) else 4


def _third_tones(stretch: list[_Syl], cuts: dict[int, int]) -> None:
    # a run's resolution changes tones inside it only, so the tones after it are still these
    third = [s.pinyin[-1] == "3" and not s.fixed for s in stretch]
    i = 0
    while i < len(stretch):
        if not third[i]:
            i += 1
            continue
        j = i + 1
        while j < len(stretch) and third[j]:
            j += 1
        if j - i > 1:
            _resolve(stretch, cuts, i, j)
        i = j


def _resolve(stretch: list[_Syl], cuts: dict[int, int], lo: int, hi: int) -> None:
    """Third-tone run [lo, hi): split at the strongest cut (between words before inside
    one) nearest its middle, resolve both sides, then change a third tone left of the
    cut if a third tone still follows it."""
    if hi - lo < 2:
        return
    inner = [c for c in cuts if lo < c < hi]
    if not inner:
        for k in range(lo, hi - 1):
            _set_tone(stretch[k], 2)
        return
    cut = min(inner, key=lambda c: (-cuts[c], abs(2 * c - lo - hi), c))
    _resolve(stretch, cuts, lo, cut)
    _resolve(stretch, cuts, cut, hi)
    if cuts[cut] < _BETWEEN_PHRASES and _tone(stretch[cut - 1]) == 3 and _tone(stretch[cut]) == 3:
        _set_tone(stretch[cut - 1], 2)


def corrected_words(spoken: str) -> tuple[tuple[Span, tuple[str | None, ...]], ...]:
    """Words of a spoken form whose reading the polyphone table fixed (for proofreading);
    None for a character without a sayable reading."""
    found = []
    pos = 0
    for word in lcut(_tokenizer(), spoken):
        start, pos = pos, pos + len(word)
        if _all_han(word):
            pinyin, changed, _ = _word(word)
            if changed:
                found.append(((start, pos), pinyin))
    return tuple(found)
