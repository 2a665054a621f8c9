"""Web pages: the article found, the rest of the page (navigation, breadcrumbs, share
bars, related links, footers with 版权所有 / ICP备案 / 网站标识码, scripts, styles) left out.

Government portals serve the report in a content element (``#UCAP-CONTENT``,
``.TRS_Editor``, ``#zoom`` …) inside a page of navigation. The article is found by
where the Chinese prose is: every paragraph gives its characters (less those in links)
to its container and half to the one above, and the best-scoring container wins, as
readability-style extractors do. Measured against trafilatura 2.3 on four portal
layouts (bench/bench_html.py): both keep the whole article, but trafilatura keeps the
navigation, breadcrumbs and footer of a table-layout page (12 pieces of page chrome)
and the footer and article info of a Hanweb-style page (6); these rules keep none.
The charset is the one the page declares (GB2312 and GBK decode as GB18030, their
superset), else detected as for text files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from .clean import clean_blocks
from .decode import CJK, decode
from .document import Block, Document
from .meta import source_metadata
from .tables import table_rows

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "form", "button", "input", "select", "textarea",
    "nav", "header", "footer", "aside", "svg", "object", "embed", "map", "head",
)
# Page chrome by its class or id (nav, breadcrumbs, share bars, related links, footers, tools).
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|position|location|weizhi|dqwz|share|bdshare|bshare|"
    r"footer|foot|bottom|copyright|banquan|related|xgwz|xglj|relevant|recommend|hot|pager|pagination|"
    r"toolbar|tools?|print|sidebar|side|topbar|top-bar|header|head|search|comment|qrcode|ewm|"
    r"friend-?links?|links|login|skip)(?:$|[\s_-])",
    re.I,
)
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote", "pre", "section", "article", "center", "dd", "dt"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Lines of a page's article header or tools that sit inside the content element.
_CHROME_LINE = re.compile(
    r"^(?:(?:发布|发表|更新|成文)(?:时间|日期)[:：].{0,40}|(?:来源|信息来源|文章来源|作者|浏览次数|点击数|阅读次数)[:：].{0,40}"
    r"|字号[:：].{0,10}|分享到[:：]?.{0,30}|扫一扫.{0,20}|【?(?:打印本页|打印|关闭窗口|关闭|收藏|返回顶部)】?"
    r"(?:\s*【?(?:打印本页|打印|关闭窗口|关闭|收藏|返回顶部)】?)*)$"
)


def read_html(data: bytes, p: Path) -> Document:
    """Read a saved web page (any declared charset); raise `InputError` if no article is found."""
    import lxml.html  # imported here: reading text files never pays for it

    head = data[:4096]
    declared = _XML_ENCODING.match(head) or _CHARSET.search(head)
    text, encoding = decode(data, p, declared.group(1).decode("ascii") if declared else "")
    if not text.strip():
        raise InputError(f"{p}: the file is empty")
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a declaration in a str
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as e:  # lxml's ParserError and friends: a page it cannot make sense of
        raise InputError(f"{p}: not a readable web page ({e})") from None
    meta = _metadata(root)
    for element in list(root.iter(*_DROP_TAGS)):
        _remove(element)
    for element in list(root.iter()):
        if isinstance(element.tag, str) and element.tag not in ("html", "body") and _is_chrome(element):
            _remove(element)
    content = _content(root)
    if content is None:
        raise InputError(f"{p}: no article text found in this web page")
    blocks, notes = _blocks(content)
    title = meta["title"]
    if title and not any(b.text.strip() == title for b in blocks[:3]):
        blocks.insert(0, Block(title, 0))
    elif title:
        blocks = [Block(b.text, 0) if b.text.strip() == title and n < 3 else b for n, b in enumerate(blocks)]
    doc = clean_blocks(blocks, encoding=encoding, format="html", **meta)
    from dataclasses import replace

    return replace(doc, removed=tuple(notes) + doc.removed)


def _remove(element: Any) -> None:
    """Drop an element but keep the text after it (lxml keeps it in the element's tail)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _is_chrome(element: Any) -> bool:
    names = f"{element.get('class', '')} {element.get('id', '')}"
    if not names.strip() or not _CHROME.search(names):
        return False
    # a container of the article itself is never chrome, whatever its class says
    return len(CJK.findall(element.text_content())) < 400 or _link_density(element) > 0.5


def _link_density(element: Any) -> float:
    total = len(CJK.findall(element.text_content())) or 1
    linked = sum(len(CJK.findall(a.text_content())) for a in element.iter("a"))
    return linked / total


def _content(root: Any) -> Any | None:
    """The element holding the article: where the paragraphs' Chinese characters gather."""
    score: dict[Any, float] = defaultdict(float)
    for element in root.iter("p", "td", "div", "li", "h1", "h2", "h3", "h4", "pre", "section", "article", "br"):
        own = _own_text(element)
        chars = len(CJK.findall(own))
        if chars < 8:
            continue
        parent = element.getparent()
        if parent is None:
            continue
        score[parent] += chars
        grand = parent.getparent()
        if grand is not None:
            score[grand] += chars / 2
    if not score:
        return None
    best = max(score, key=lambda e: score[e] * (1 - min(_link_density(e), 0.9)))
    return best


def _own_text(element: Any) -> str:
    """The element's own text and that of its inline children (not of nested blocks)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _BLOCK_TAGS and child.tag != "a":
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _blocks(content: Any) -> tuple[list[Block], list[str]]:
    """The paragraphs, headings and table rows under ``content``, with the print pages marked
    in it (an EPUB made from a printed book has them)."""
    blocks: list[Block] = []
    tables = 0
    dropped: list[str] = []
    for kind, value in _walk(content, []):
        if kind == "table":
            rows = table_rows(value)
            tables += bool(rows)
            blocks += [Block(row) for row in rows]
            continue
        text, level, pages = value
        shown = " ".join(text.split())
        if _CHROME_LINE.match(shown):
            dropped.append(shown)
            continue
        blocks.append(Block(text, level, pages))
    notes = [f"read {tables} table(s) row by row, each cell with its column's header"] if tables else []
    if dropped:
        notes.append(f"removed {len(dropped)} line(s) of the page's article tools ({dropped[0]!r} …)")
    return blocks, notes


def _page_label(element: Any) -> str | None:
    """The page number of a print page mark (epub:type="pagebreak", role="doc-pagebreak")."""
    kinds = f"{element.get('epub:type', '')} {element.get('role', '')}".split()
    if "pagebreak" not in kinds and "doc-pagebreak" not in kinds:
        return None
    label = element.get("aria-label") or element.get("title") or element.text_content()
    return " ".join(label.split()).removeprefix("第").removesuffix("页").strip() or element.get("id", "")


def _walk(element: Any, waiting: list[str]) -> Iterator[tuple[str, Any]]:
    """Paragraphs (text, heading level, print pages in it) and tables in reading order; <br>
    splits a paragraph. ``waiting`` holds pages marked where no text was, for the next text."""
    line: list[str] = []
    pages: list[tuple[int, str]] = []
    level = _HEADINGS.get(element.tag)

    def flush() -> Iterator[tuple[str, Any]]:
        text = "".join(line)
        if text.strip():
            yield "text", (text, level, tuple([(0, label) for label in waiting] + pages))
            waiting.clear()
        else:
            waiting.extend(label for _, label in pages)
        line.clear()
        pages.clear()

    line.append(element.text or "")
    for child in element:
        if not isinstance(child.tag, str):  # comments, processing instructions
            line.append(child.tail or "")
            continue
        label = _page_label(child)
        if label is not None:  # its number is for navigation, not read
            pages.append((len("".join(line)), label))
        elif child.tag == "table":
            yield from flush()
            yield "table", [[cell.text_content() for cell in tr.iter("td", "th")] for tr in child.iter("tr")]
        elif child.tag == "br":
            yield from flush()
        elif child.tag in _BLOCK_TAGS or child.tag in ("ul", "ol", "dl", "tbody", "tr"):
            yield from flush()
            yield from _walk(child, waiting)
        else:
            line.append(child.text_content())
        line.append(child.tail or "")
    yield from flush()


def _metadata(root: Any) -> dict[str, str]:
    def meta(*names: str) -> str:
        for name in names:
            for m in root.iter("meta"):
                key = (m.get("name") or m.get("property") or "").lower()
                if key == name.lower() and (m.get("content") or "").strip():
                    return m.get("content").strip()
        return ""

    title = meta("ArticleTitle", "og:title", "title")
    if not title:
        h1 = next((h.text_content().strip() for h in root.iter("h1") if h.text_content().strip()), "")
        page_title = next((t.text_content().strip() for t in root.iter("title")), "")
        title = h1 or page_title
    return source_metadata(
        title,
        meta("author", "ContentSource", "source"),
        meta("PubDate", "publishdate", "article:published_time", "firstpublishedtime", "pubdate", "date"),
    )
