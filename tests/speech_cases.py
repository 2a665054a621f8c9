"""The `written => spoken` case files of the speech rules (tests/data/speech/*.txt)."""

from __future__ import annotations

from pathlib import Path

CASES = Path(__file__).parent / "data" / "speech"


def read_cases(path: Path) -> list[tuple[str, str]]:
    """Lines ``written => spoken``; ``#`` comments and blank lines skipped."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            written, sep, spoken = line.partition(" => ")
            assert sep, f"{path.name}: no ' => ' in {line!r}"
            cases.append((written.strip(), spoken.strip()))
    return cases
