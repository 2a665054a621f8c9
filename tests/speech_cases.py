"""The `written => spoken` case files of the speech rules (tests/data/speech/*.txt).

In the rules' files a ``|`` marks where one part of an expression ends and the next
begins, on both sides: ``18.7|:|51.7 => 十八点七|比|五十一点七`` says 18.7 is read
十八点七, the colon 比 and 51.7 五十一点七, each on its own (see `rule.Part`).
"""

from __future__ import annotations

from pathlib import Path

CASES = Path(__file__).parent / "data" / "speech"
MARK = "|"


def read_cases(path: Path) -> list[tuple[str, str]]:
    """Lines ``written => spoken``; ``#`` comments and blank lines skipped."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            written, sep, spoken = line.partition(" => ")
            assert sep, f"{path.name}: no ' => ' in {line!r}"
            cases.append((written.strip(), spoken.strip()))
    return cases


def unmark(text: str) -> tuple[str, tuple[int, ...]]:
    """The text without its ``|`` marks, and where they stood in it."""
    pieces = text.split(MARK)
    cuts, pos = [], 0
    for piece in pieces[:-1]:
        pos += len(piece)
        cuts.append(pos)
    return "".join(pieces), tuple(cuts)
