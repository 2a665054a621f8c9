"""One progress display over a whole batch: books done, hours of audio, time left.

The bar moves with the audio made (estimated from the text's length until a book is
read), since the voice is where the time goes; the time left is rich's estimate from
the recent pace.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class Display:
    def __init__(self, console: Console) -> None:
        columns = (
            TextColumn("{task.fields[books]}"), BarColumn(), TextColumn("{task.fields[audio]}"),
            TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("remaining"), TimeRemainingColumn(),
        )  # fmt: skip
        # Pace over the last two minutes: a book found in the cache moves the bar in one
        # jump, which should not set the pace for long.
        self._progress = Progress(*columns, console=console, speed_estimate_period=120)
        self._task = self._progress.add_task("batch", total=None, books="", audio="")

    def start(self) -> None:
        self._progress.start()

    def stop(self) -> None:
        self._progress.stop()

    def update(self, *, books: int, failed: int, total: int, done: float, expected: float) -> None:
        """``done`` of ``expected`` seconds of audio; ``books`` built or up to date of ``total``."""
        failures = f", {failed} failed" if failed else ""
        self._progress.update(
            self._task,
            completed=done,
            total=max(expected, done, 1.0),
            books=f"books {books}/{total}{failures}",
            audio=f"{done / 3600:.2f} of ~{expected / 3600:.2f} h audio",
        )
