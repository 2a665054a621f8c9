"""User lexicons: TOML files that say how a word or a pattern is read, winning over
every built-in rule. The format (documented for users in accessible/data/voices/lexicon.toml):

    [words]                      # exact text → how it is read
    "滏阳" = { pinyin = "fu3 yang2" }
    "PPP" = { spoken = "PPP模式" }
    [patterns]                   # regex → how the first group (or the whole match) is read
    "(\\d{6})热线" = { read = "phone" }
    "衡水(湖)" = { pinyin = "hu2" }

An entry has ``spoken`` (replacement words),
``read`` (a built-in reading of the matched text: digits, phone, number) and/or
``pinyin`` (tone-number syllables, one per character of the spoken text). Files are
validated once on load; later files override earlier ones entry by entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import LexiconError
from . import tables
from .cardinal import say_digits, say_number
from .rule import Part, Rewrite, view
from .simplified import simplified
from .syllables import is_syllable

READERS: dict[str, Callable[[str], str]] = {
    "digits": say_digits,  # 106 一零六
    "phone": lambda s: say_digits(s, yao=True),  # 961890 九六幺八九零
    "number": lambda s: re.sub(r"\d+(?:\.\d+)?", lambda m: say_number(m.group()), s),  # 2025 两千零二十五
}
_KEYS = {"spoken", "read", "pinyin"}


@dataclass(frozen=True)
class Entry:
    spoken: str | None = None
    read: str | None = None
    pinyin: tuple[str, ...] = ()

    def say(self, matched: str, original: str) -> str:
        """What to say for ``matched`` (folded view text) whose original is ``original``."""
        if self.spoken is not None:
            return self.spoken
        if self.read is not None:
            return READERS[self.read](matched)
        return original


@dataclass(frozen=True)
class Lexicon:
    words: dict[str, Entry]
    patterns: tuple[tuple[re.Pattern[str], Entry], ...]

    def rewrites(self, text: str, seen: str) -> Iterator[Rewrite]:
        """Non-overlapping rewrites of ``text`` (matched on its folded ``seen`` view)."""
        taken: list[tuple[int, int]] = []
        searches: list[tuple[re.Pattern[str], Entry | None]] = list(self.patterns)
        if self.words:
            searches.append((_word_finder(tuple(self.words)), None))  # None: the entry of the word found
        for pattern, entry in searches:
            for m in pattern.finditer(seen):
                group = 1 if pattern.groups else 0
                start, end = m.span(group)
                if start == end or any(a < end and start < b for a, b in taken):
                    continue
                chosen = entry or self.words[m.group()]
                spoken = chosen.say(m.group(group), text[start:end])
                if not spoken:
                    continue
                taken.append((start, end))
                pinyin = chosen.pinyin if len(chosen.pinyin) == len(spoken) else ()
                yield Rewrite((Part(start, end, spoken),), "lexicon", pinyin)


@cache
def _word_finder(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(tables.alternation(words))


def load_lexicon(*paths: str | Path) -> Lexicon:
    """Read and validate lexicon files; later files override earlier ones."""
    words: dict[str, Entry] = {}
    patterns: dict[str, tuple[re.Pattern[str], Entry]] = {}
    for path in map(Path, paths):
        data = _read(path)
        unknown = set(data) - {"words", "patterns"}
        if unknown:
            raise LexiconError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; known: words, patterns")
        for key, value in data.get("words", {}).items():
            words[view(simplified(key))] = _entry(path, key, value)  # matched on the simplified view
        for key, value in data.get("patterns", {}).items():
            try:
                pattern = re.compile(key)
            except re.error as e:
                raise LexiconError(f"{path}: pattern {key!r} is not a valid regex ({e})") from None
            patterns[key] = (pattern, _entry(path, key, value, patterned=True))
    return Lexicon(words, tuple(patterns.values()))


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise LexiconError(f"{path}: not a readable lexicon ({e})") from None


def _entry(path: Path, key: str, value: object, *, patterned: bool = False) -> Entry:
    where = f"{path}: entry {key!r}"
    if not isinstance(value, dict) or not value:
        raise LexiconError(f"{where} must be a table such as {{ pinyin = \"...\" }} or {{ spoken = \"...\" }}")
    unknown = set(value) - _KEYS
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}")
    if not all(isinstance(v, str) for v in value.values()):
        raise LexiconError(f"{where}: values must be strings")
    spoken, read, pinyin = value.get("spoken"), value.get("read"), tuple(value.get("pinyin", "").split())
    if spoken is not None and read is not None:
        raise LexiconError(f"{where}: give either spoken or read, not both")
    if read is not None and read not in READERS:
        raise LexiconError(f"{where}: read must be one of {', '.join(READERS)}, not {read!r}")
    if spoken is not None and (not spoken or re.search(r"[0-9０-９]", spoken)):
        raise LexiconError(f"{where}: spoken must be non-empty words without digits")
    bad = [s for s in pinyin if not is_syllable(s)]
    if bad:
        raise LexiconError(f"{where}: {' '.join(bad)} not tone-number pinyin the voice knows (e.g. hang2, de5)")
    said = spoken if spoken is not None else key if read is None and not patterned else None
    if pinyin and said is not None and len(pinyin) != len(said):
        raise LexiconError(f"{where}: {len(pinyin)} pinyin syllable(s) for {len(said)} character(s) {said!r}")
    return Entry(spoken, read, pinyin)
