"""Views of readings for people and scripts: `accessible read` prints these.

A proof shows one sentence three ways (original, spoken form, pinyin) with every
rewritten span marked in both texts, so a proofreader sees at a glance what the
rules changed; unknown expressions (numbers read digit by digit, signs not said) are
marked apart. Its warnings also name the polyphonic characters read by fallback (no
phrase, no rule: pypinyin's default reading of the character), the ones worth
listening to.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.text import Text

from ..model import Reading
from .lexicon import Lexicon
from .normalize import Normalized, normalize
from .pinyin import corrected_words, fallback_polyphones, reading_of
from .syllables import tone_marks

_STYLE = {"unknown": "bold red", "lexicon": "bold cyan"}
_CHANGED = "bold yellow"


@dataclass(frozen=True)
class Proof:
    ident: str  # sentence id, or its number when read from plain text
    normalized: Normalized
    reading: Reading

    def as_json(self) -> dict[str, object]:
        n, r = self.normalized, self.reading
        return {
            "id": self.ident,
            "text": n.text,
            "spoken": r.spoken,
            "pinyin": r.pinyin(),
            "origin": [list(span) for span in r.origin],
            "syllables": [{"pinyin": s.pinyin, "spoken": s.spoken} for s in r.syllables],
            "words": [list(span) for span in r.words],
            "rewrites": [{"start": w.start, "end": w.end, "spoken": w.spoken, "kind": w.kind,
                          "parts": [[p.start, p.end, p.spoken] for p in w.parts]} for w in n.rewrites],
            "corrected": [{"span": list(span), "pinyin": " ".join(s or "?" for s in p)} for span, p in corrected_words(r.spoken)],
        }

    def unknown_warnings(self) -> list[str]:
        text = self.normalized.text
        return [f"{self.ident}: {text[w.start:w.end]!r} {_how(text[w.start:w.end], w.spoken)}, no rule knew it "
                f"(in “{text}”)" for w in self.normalized.unknown]

    def polyphone_warnings(self) -> list[str]:
        text = self.normalized.text
        out = []
        for i, pinyin in fallback_polyphones(self.normalized):
            a, b = self.reading.origin[i]
            out.append(f"{self.ident}: {self.reading.spoken[i]!r} read {tone_marks(pinyin)} by default, no phrase or "
                       f"rule decides it: listen to it (in “{text[:a]}【{text[a:b]}】{text[b:]}”)")
        return out

    def render(self) -> Group:
        n = self.normalized
        original, spoken = Text(n.text), Text(n.spoken)
        for rewrite, (a, b) in zip(n.rewrites, n.spoken_spans):
            style = _STYLE.get(rewrite.kind, _CHANGED)
            original.stylize(style, rewrite.start, rewrite.end)
            spoken.stylize(style, a, b)
        return Group(
            Text.assemble((f"{self.ident}  ", "dim"), original),
            Text.assemble(("  → ", "dim"), spoken),
            Text.assemble(("  ♪ ", "dim"), (_grouped_pinyin(self.reading), "green")),
        )


def _how(written: str, spoken: str) -> str:
    if spoken != written:
        return f"is read as {spoken}"
    return "is spelled letter by letter" if written.isascii() and written.isalpha() else "is not said"


def proof(ident: str, text: str, lexicon: Lexicon | None = None) -> Proof:
    normalized = normalize(text, lexicon)
    return Proof(ident, normalized, reading_of(normalized))


def _grouped_pinyin(reading: Reading) -> str:
    """Pinyin with the syllables of one word joined (yin2hang2 zeng1zhang3), easier to proofread."""
    words = iter(reading.words)
    word = next(words, None)
    out: list[str] = []
    previous = None
    for s in reading.syllables:
        while word is not None and s.spoken >= word[1]:
            word = next(words, None)
        if out and word is not None and previous is not None and word[0] <= previous < word[1]:
            out[-1] += s.pinyin
        else:
            out.append(s.pinyin)
        previous = s.spoken
    return " ".join(out)
