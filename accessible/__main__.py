"""`python -m accessible` is the `accessible` command."""

from .cli import main

main()
