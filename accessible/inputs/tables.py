"""Tables read aloud: row by row, each cell with its column's header.

A listener cannot glance back at a header row, so each cell carries it ("指标：地区生产总值；
2023年：4.5万亿元。"). A one-column table (a framed box of text) is read as paragraphs.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

_END = re.compile(r"[。！？；!?;]$")
_INNER_BREAK = re.compile(r"\s*\n\s*")


def _cell(value: str | None) -> str:
    return _INNER_BREAK.sub("", value or "").strip()


def table_rows(rows: Iterable[Sequence[str | None]]) -> tuple[str, ...]:
    """The table's rows as sentences, the first row as the header; empty rows left out."""
    table = [[_cell(c) for c in row] for row in rows]
    table = [row for row in table if any(row)]
    if not table:
        return ()
    if max(len(row) for row in table) == 1 or sum(1 for c in table[0] if c) == 1 and len(table) > 1:
        return tuple(c for row in table for c in row if c)
    if len(table) == 1:
        return (_sentence([c for c in table[0] if c]),)
    header, filled = [], ""
    for c in table[0]:  # a header cell spanning columns covers them all
        filled = c or filled
        header.append(filled)
    out = []
    for row in table[1:]:
        parts = [f"{h}：{c}" if h and h != c else c for h, c in zip(header + [""] * len(row), row) if c]
        if parts:
            out.append(_sentence(parts))
    return tuple(out)


def _sentence(parts: list[str]) -> str:
    text = "；".join(parts)
    return text if _END.search(text) else text + "。"
