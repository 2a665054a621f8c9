"""Which files a batch builds, and the folder each book gets.

Arguments are files, folders or glob patterns (quoted, so the shell leaves them to us).
A file is taken whatever its name: the readers tell formats by content. A folder is
searched, subfolders included, for the documents the readers know by name; hidden files
and folders are skipped.

Each input's book goes to ``OUT/<name>/``, the folder `build` is given as ``--out``:
``<name>`` is the file's name without its extension, under the subfolders it was found in
when a folder was given. Titles cannot name these folders: most reports are titled
政府工作报告, and a title found in the text may change when the text does.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..inputs import SUFFIXES

_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Source:
    path: Path  # the input file
    name: str  # its book's folder under the batch's output folder ("2017/衡水", posix)


@dataclass(frozen=True)
class Rejected:
    argument: str  # as given, or the file that clashed
    reason: str


def find_sources(arguments: Sequence[str]) -> tuple[list[Source], list[Rejected]]:
    """The inputs of a batch, in the order given (a folder's files sorted by path), each once.

    Arguments that match nothing, and files whose book folder another input already has,
    are rejected with the reason: the batch reports them and builds the others.
    """
    sources: list[Source] = []
    rejected: list[Rejected] = []
    seen: set[Path] = set()
    names: dict[str, Path] = {}
    for argument in arguments:
        found = _expand(argument)
        if not found:
            rejected.append(Rejected(argument, _nothing(argument)))
        for path, name in found:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if name.casefold() in names:
                other = names[name.casefold()]
                rejected.append(Rejected(str(path), f"its book folder {name!r} is also {other}'s; rename one of the two"))
                continue
            names[name.casefold()] = path
            sources.append(Source(path, name))
    return sources, rejected


def _expand(argument: str) -> list[tuple[Path, str]]:
    found = _existing(Path(argument))
    if found or not _GLOB_CHARACTERS & set(argument):
        return found
    return [item for match in sorted(glob.glob(argument, recursive=True)) for item in _existing(Path(match))]


def _existing(path: Path) -> list[tuple[Path, str]]:
    if path.is_dir():
        return _folder(path)
    return [(path, path.stem)] if path.is_file() else []


def _folder(folder: Path) -> list[tuple[Path, str]]:
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.suffix.lower() in SUFFIXES:
            found.append((path, relative.with_suffix("").as_posix()))
    return found


def _nothing(argument: str) -> str:
    if _GLOB_CHARACTERS & set(argument):
        return "no file matches this pattern"
    if Path(argument).is_dir():
        suffixes = " ".join(sorted(SUFFIXES))
        return f"no document in this folder (looked for {suffixes})"
    return "no such file or folder"
