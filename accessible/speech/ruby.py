"""Pinyin ruby over the original text: where a reader wants it, in the voice's own reading.

The pinyin shown is `Syllable.written` — the polyphone decision the voice used, in
dictionary tones (sandhi undone: 处理厂 is said chú lí chǎng, written chǔ lǐ chǎng) — so
what a reader sees is what they hear. It goes on the words a reader could get wrong:
words the polyphone table corrected (零差率 chā), and words with a character read
otherwise than its usual reading (银行 háng, 调整 tiáo, 着力 zhuó, 供给 jǐ).
"""

from __future__ import annotations

import functools

from ..model import Sentence
from .pinyin import corrected_words
from .syllables import tone_marks


@functools.lru_cache(maxsize=4096)
def _readings(char: str) -> tuple[str, ...]:
    """A character's dictionary readings, the usual one first."""
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True, errors="ignore")
    return tuple(found[0]) if found else ()


def ruby(sentence: Sentence) -> dict[int, str]:
    """Tone-marked pinyin keyed by index into ``sentence.text``, for the characters that
    get ruby (read as themselves, in a word a reader could get wrong); {} without a reading."""
    reading = sentence.reading
    if reading is None:
        return {}
    text = sentence.text
    written: dict[int, str] = {}  # text index -> written pinyin, for characters read as themselves
    for syllable in reading.syllables:
        if not 0 <= syllable.spoken < len(reading.origin):
            continue
        start, end = reading.origin[syllable.spoken]
        if end - start == 1 and start < len(text) and reading.spoken[syllable.spoken] == text[start]:
            written[start] = syllable.written
    words = sentence.words or tuple((i, i + 1) for i in range(len(text)))
    spans = {
        next(((a, b) for a, b in words if a <= i < b), (i, i + 1))
        for i, pinyin in written.items()
        if _readings(text[i]) and pinyin != _readings(text[i])[0]
    }
    for (a, b), _ in corrected_words(reading.spoken):
        origins = reading.origin[a:b]
        if origins:
            spans.add((min(o[0] for o in origins), max(o[1] for o in origins)))
    return {j: tone_marks(written[j]) for a, b in spans for j in range(a, b) if j in written}
