"""Turn a sentence into its spoken form, keeping a map back to the original.

Rules (`rules.RULES`, in priority order) are tried at each place where any of them
can match, leftmost first; the first rule that accepts wins and the scan moves on
after its match. User lexicon entries are found first and win over every rule.
Every rewrite replaces one span of the original, part by part, each part a
non-empty spoken text (`rule.Part`), so each spoken character maps to exactly one
original span (its part's, or its own character outside rewrites) and the spans,
taken in order, cover the original once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..model import Span
from .lexicon import Lexicon
from .rule import HAN, Rewrite, parts_of, view
from .rules import RULES
from .simplified import simplified
from .symbols import unsaid


@dataclass(frozen=True)
class Normalized:
    text: str
    spoken: str
    origin: tuple[Span, ...]  # per spoken character
    rewrites: tuple[Rewrite, ...]  # in text order
    rewrite_at: tuple[int, ...]  # per spoken character: index into rewrites, -1 if untouched
    spoken_spans: tuple[Span, ...]  # per rewrite: where its spoken text sits in `spoken`

    @property
    def unknown(self) -> tuple[Rewrite, ...]:
        """Expressions no rule knew: numbers read digit by digit, signs not said (worth a
        look, or a lexicon entry)."""
        return tuple(r for r in self.rewrites if r.kind == "unknown")


# Every rule's match holds a digit, a + sign, a character neither sayable nor silent
# (symbols.py), a circle between numerals (二○一七), an address's dot or a word of
# four letters: text without any of these needs no search.
_TRIGGER = re.compile(rf"[0-9+○]|{unsaid()}|[A-Za-z0-9]\.[A-Za-z]|[A-Za-z]{{4}}")


@cache
def _finder() -> re.Pattern[str]:
    # Only finds where some rule may match; each rule is then tried on its own there.
    # No rule's match starts at a Han character or a Chinese punctuation mark: those
    # positions (most of a text) are passed over with one test instead of every rule.
    alternatives = "|".join(f"(?:{r.pattern.pattern})" for r in RULES)
    return re.compile(f"(?![{HAN}，。、；：？！“”‘’《》])(?:{alternatives})")


def normalize(text: str, lexicon: Lexicon | None = None) -> Normalized:
    """The spoken form of ``text`` with its map back to the original; never raises."""
    simple = simplified(text)  # same length as text: untouched characters are said as converted
    seen = view(simple)
    found = list(lexicon.rewrites(simple, seen)) if lexicon else []
    claimed = [(r.start, r.end) for r in found]
    finder = _finder()
    pos = 0 if _TRIGGER.search(seen) else len(seen)
    while (hit := finder.search(seen, pos)) is not None:
        start = hit.start()
        pos = start + 1
        for rule in RULES:
            m = rule.pattern.match(seen, start)
            if m is None or m.end() == start or _overlaps(claimed, start, m.end()):
                continue
            said = rule.say(m)
            parts = parts_of(start, m.group(), said) if said is not None else ()
            if parts:
                found.append(Rewrite(parts, rule.kind))
                pos = m.end()
                break
    return _apply(text, simple, sorted(found, key=lambda r: r.start))


def _overlaps(claimed: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in claimed)


def _apply(text: str, simple: str, rewrites: list[Rewrite]) -> Normalized:
    spoken: list[str] = []
    origin: list[Span] = []
    at: list[int] = []
    placed: list[Span] = []
    i = 0
    for k, r in enumerate(rewrites):
        spoken.append(simple[i : r.start])
        origin.extend((j, j + 1) for j in range(i, r.start))
        at.extend([-1] * (r.start - i))
        placed.append((len(origin), len(origin) + len(r.spoken)))
        for part in r.parts:
            spoken.append(part.spoken)
            origin.extend([(part.start, part.end)] * len(part.spoken))
        at.extend([k] * len(r.spoken))
        i = r.end
    spoken.append(simple[i:])
    origin.extend((j, j + 1) for j in range(i, len(text)))
    at.extend([-1] * (len(text) - i))
    return Normalized(text, "".join(spoken), tuple(origin), tuple(rewrites), tuple(at), tuple(placed))
