"""The `accessible` command line.

Every command reports bad input as one line on stderr with exit code 2; finished
work (cached clips, written files) is never lost, so a failed or interrupted run
can simply be started again.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from .errors import AccessibleError

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
log = logging.getLogger("accessible")


class _App(typer.Typer):
    def __call__(self, *args, **kwargs):  # type: ignore[override]
        try:
            return super().__call__(*args, **kwargs)
        except AccessibleError as e:
            err.print(f"[bold red]error:[/] {e}", markup=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            err.print("interrupted: finished work is kept; run the same command again to resume")
            sys.exit(130)


app = _App(
    name="accessible",
    help="Turn a Chinese report into an audiobook and an accessible EPUB 3 with synchronized audio.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class _OneLine(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        level = {"WARNING": "[yellow]warning:[/] ", "ERROR": "[red]error:[/] "}.get(record.levelname, "")
        err.print(level + self.format(record).replace("[", "\\["), markup=True)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Say more about each stage.")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Only errors.")] = False,
) -> None:
    handler = _OneLine()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
