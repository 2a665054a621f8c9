"""Title, author and date as a source's own metadata gives them, when they say something.

Document properties are often left to the software: "Microsoft Word - 报告.docx",
"about:blank", "Administrator". Only a title and an author with Chinese in them, not
a file name or a machine's user, are kept; a date is kept as an ISO date.
"""

from __future__ import annotations

import re

from .decode import CJK

_JUNK_TITLE = re.compile(r"^(?:about:blank|untitled|无标题|microsoft word|wps|.*\.(?:docx?|wps|pdf|txt|html?)$)", re.I)
_GENERIC_AUTHORS = {"administrator", "admin", "user", "微软用户", "微软中国", "unknown", "作者", "用户"}
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})[-/年.]?(?P<m>[01]?\d)[-/月.]?(?P<d>[0-3]?\d)")
# A page title names the column and the site after the article: "标题_栏目_某某省人民政府门户网站".
_TITLE_PARTS = re.compile(r"\s*[_|｜]\s*|\s+[-—]\s+")
_SITE = re.compile(r"网站|门户|政府网|人民政府|新闻网|频道|^www\.")


def source_metadata(title: str = "", author: str = "", date: str = "") -> dict[str, str]:
    """The `Document` fields title, author and date from raw metadata values."""
    parts = _TITLE_PARTS.split(" ".join(title.split()))
    title = parts[0] if any(_SITE.search(part) for part in parts[1:]) else " ".join(title.split())
    author = author.strip()
    found = _DATE.search(date.strip())
    iso = ""
    if found and 1 <= int(found.group("m")) <= 12 and 1 <= int(found.group("d")) <= 31:
        iso = f"{found.group('y')}-{int(found.group('m')):02d}-{int(found.group('d')):02d}"
    return {
        "title": title if CJK.search(title) and not _JUNK_TITLE.match(title) else "",
        "author": author if CJK.search(author) and author.lower() not in _GENERIC_AUTHORS else "",
        "date": iso,
    }
