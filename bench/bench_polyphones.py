"""Polyphone accuracy on the marked-sentence tables (tests/data/speech/polyphones/*.txt):
plain pypinyin on the sentence, pypinyin on jieba's words, and ours.

    .venv/bin/python -m bench polyphones

A marked character counts as right when the chosen syllable (citation tone, before
sandhi) is the expected one. Misses of ours are listed, so a table header can be
refreshed with figures that come from this run, not from memory — except on the
sealed table: it measures sentences nobody tuned against, so it is scored only when
asked for (POLYPHONES_SEALED=1) and its misses are never shown; a listed miss, or a
figure watched while rules change, is an invitation to tune. (make test holds it at 98 %
and reports only its count.)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from speech_cases import CASES, Marked, read_marked  # noqa: E402

# dev2.txt was the second round's sealed table; scored more than once, it became one
# more table to study. sealed.txt is the present round's, dropped in by whoever wrote it.
TABLES = tuple(f"polyphones/{name}.txt" for name in ("tuned", "heldout", "dev", "dev2", "dev3", "rules", "sealed"))
SEALED = "polyphones/sealed.txt"


def sealed_asked() -> bool:
    return bool(os.environ.get("POLYPHONES_SEALED"))
Chooser = Callable[[str], Callable[[int], str | None]]


def _pypinyin(words: list[str]) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    # one item per character: non-Han characters stand for themselves (pypinyin accepts
    # an errors callback returning a list, though its stub says str)
    return lazy_pinyin(words, style=Style.TONE3, neutral_tone_with_five=True,
                       errors=lambda s: list(s))  # type: ignore[arg-type,return-value]


def plain(text: str) -> Callable[[int], str | None]:
    syllables = _pypinyin([text])
    return lambda i: syllables[i]


def with_jieba(text: str) -> Callable[[int], str | None]:
    import jieba

    syllables = _pypinyin(jieba.lcut(text))
    return lambda i: syllables[i]


def ours(text: str) -> Callable[[int], str | None]:
    from accessible.speech import read_sentence

    reading = read_sentence(text)
    by_origin = {reading.origin[s.spoken]: s.written for s in reading.syllables}
    return lambda i: by_origin.get((i, i + 1))


def score(cases: list[Marked], chooser: Chooser) -> tuple[int, int, list[str]]:
    right, total, misses = 0, 0, []
    for case in cases:
        choose = chooser(case.text)
        for i, expected in case.marks:
            total += 1
            got = choose(i)
            if got == expected:
                right += 1
            else:
                misses.append(f"{case.text[:i]}【{case.text[i]}】{case.text[i + 1:]} => {expected} (got {got})")
    return right, total, misses


def main() -> None:
    for name in TABLES:
        path = CASES / name
        if not path.exists() or (name == SEALED and not sealed_asked()):
            continue
        cases = read_marked(path)
        print(f"{name}: {len(cases)} sentences, {sum(len(c.marks) for c in cases)} marked, "
              f"{len({c.text[i] for c in cases for i, _ in c.marks})} characters")
        for label, chooser in (("pypinyin", plain), ("pypinyin+jieba", with_jieba), ("ours", ours)):
            t0 = time.perf_counter()
            right, total, misses = score(cases, chooser)
            print(f"  {label:15} {right}/{total} = {100 * right / total:.1f} %  ({time.perf_counter() - t0:.1f} s)")
        if name != SEALED:
            for miss in misses:
                print("    miss:", miss)


if __name__ == "__main__":
    main()
