"""Web page reading: our rules (lxml, accessible.inputs.html) against trafilatura.

Four page layouts government portals use, each with the test report (tests/report_documents)
inside: a modern portal (TRS_Editor in a div, nav/breadcrumbs/share/related/footer), a
gov.cn-style article (#UCAP-CONTENT, paragraphs indented with spaces, 【我要纠错】), an old
table layout (the article in a <td>, paragraphs split by <br>) and a Hanweb-style #zoom page.
For each: how much of the article's text is kept (characters of the reference paragraphs,
datelines and table rows found), how many pieces of page chrome leak in, and the time.
"""

from __future__ import annotations

import html
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import report_documents as rd  # noqa: E402

CHROME = ["网站首页", "无障碍", "当前位置", "分享到", "相关链接", "版权所有", "ICP备", "网站标识码", "主办单位", "打印本页",
          "关闭窗口", "我要纠错", "浏览次数", "上一篇", "扫一扫", "联系我们", "网站地图", "统计", "责任编辑"]


def _paragraph_html(indent: str) -> list[str]:
    out = []
    for kind, text in rd.REPORT:
        if kind == "title":
            continue
        if kind == "table":
            rows = list(text)  # type: ignore[call-overload]
            out.append("<table border='1'>" + "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows) + "</table>")
        elif kind == "center":
            out.append(f"<p align='center'>{html.escape(str(text))}</p>")
        else:
            out.append(f"<p>{indent}{html.escape(str(text))}</p>")
    return out


def gov_cn_page() -> str:
    body = "\n".join(_paragraph_html("&nbsp;&nbsp;&nbsp;&nbsp;"))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{rd.TITLE}_政府工作报告_中国政府网</title>
<meta name="ArticleTitle" content="{rd.TITLE}"><meta name="PubDate" content="2024-01-29 09:30"></head><body>
<div class="header_top"><a href="/">首页</a> <a href="/wza">无障碍</a> <a href="/zhengce">政策</a></div>
<div class="BreadcrumbNav">当前位置：<a href="/">首页</a> &gt; <a href="/zhengce">政策</a></div>
<div class="article oneColumn pub_border"><h1 id="ti">{rd.TITLE}</h1>
<div class="pages-date">2024-01-29 09:30　来源：江北省人民政府办公厅 <span class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</span><span class="index_switchsize">打印</span></div>
<div class="pages_content" id="UCAP-CONTENT">{body}</div>
<div class="editor">责任编辑：王小明</div>
<div class="mhide">【我要纠错】 【打印本页】 【关闭窗口】</div>
<div class="share"><span>分享到：</span><a>微信</a><a>微博</a></div>
<div class="xgzc"><h3>相关稿件</h3><ul><li><a href="/1">图解2024年江北省政府工作报告</a></li><li><a href="/2">上一篇：关于做好春节期间工作的通知</a></li></ul></div></div>
<div class="footer"><p>主办单位：江北省人民政府办公厅 运行维护单位：江北省大数据中心 版权所有：江北省人民政府</p>
<p>网站标识码3300000001 北ICP备05012345号 网站地图 联系我们</p></div>
<script>var s = "统计";</script></body></html>"""


def table_layout_page() -> str:
    lines = []
    for kind, text in rd.REPORT:
        if kind == "title":
            continue
        if kind == "table":
            rows = list(text)  # type: ignore[call-overload]
            lines.append("<table border='1'>" + "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows) + "</table>")
        else:
            lines.append("　　" + html.escape(str(text)) + "<br>")
    body = "\n".join(lines)
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>{rd.TITLE}</title></head>
<body><table width="1000"><tr><td class="dh"><a href="/">网站首页</a> | <a>政务公开</a> | <a>联系我们</a> | <a>网站地图</a></td></tr>
<tr><td>当前位置：<a>首页</a> &gt;&gt; <a>政府工作报告</a></td></tr>
<tr><td align="center" class="bt">{rd.TITLE}</td></tr><tr><td align="center">发布日期：2024-01-29 浏览次数：<span>1024</span></td></tr>
<tr><td class="bt_content">{body}</td></tr>
<tr><td align="center">【<a>打印本页</a>】【<a>关闭窗口</a>】 扫一扫在手机打开当前页</td></tr></table>
<table><tr><td align="center">版权所有：江北省人民政府 主办单位：江北省人民政府办公厅<br>网站标识码：3300000001 北ICP备05012345号</td></tr></table></body></html>"""


def hanweb_page() -> str:
    body = "\n".join(_paragraph_html("　　"))
    return f"""<!DOCTYPE html><html><head><meta charset="gbk"><title>{rd.TITLE}-江北省人民政府</title>
<meta name="author" content="江北省人民政府"></head><body>
<div id="top"><ul class="menu"><li><a>首页</a></li><li><a>政务公开</a></li><li><a>网站地图</a></li></ul></div>
<div class="wz">您当前的位置：<a>首页</a> &gt; <a>政府工作报告</a></div>
<div class="con"><div class="tit">{rd.TITLE}</div><div class="xx">发布时间：2024-01-29 来源：省政府办公厅 浏览次数：88</div>
<div id="zoom">{body}</div>
<div class="fenxiang">分享到：<a>微信</a> <a>微博</a></div><div class="sxp"><a>上一篇：省政府常务会议召开</a></div></div>
<div class="bottom">主办单位：江北省人民政府办公厅 版权所有 网站标识码：3300000001 北ICP备05012345号 联系我们</div>
</body></html>"""


PAGES = {"portal": lambda: rd.portal_page("utf-8"), "gov.cn": gov_cn_page, "table layout": table_layout_page, "hanweb": hanweb_page}


def _reference() -> list[str]:
    out = [str(t) for k, t in rd.REPORT if k in ("p", "center", "h1", "h2")]
    return out + rd.TABLE_ROWS


def _score(text: str) -> tuple[float, int]:
    squeezed = re.sub(r"\s+", "", text).replace(",", "，").replace(":", "：")
    pieces = _reference()
    found = sum(len(p) for p in pieces if re.sub(r"\s+", "", p) in squeezed or all(cell in squeezed for cell in re.split("[；：。]", p) if cell))
    leaks = sum(1 for c in CHROME if c in squeezed)
    return found / sum(len(p) for p in pieces), leaks


def _ours(page: str) -> str:
    from accessible.inputs.html import read_html

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "page.html"
        path.write_text(page, encoding="utf-8")
        return read_html(path.read_bytes(), path).text


def _trafilatura(page: str) -> str:
    import trafilatura

    return trafilatura.extract(page, include_tables=True, include_comments=False, favor_recall=True) or ""


def main() -> None:
    import logging
    import os

    logging.getLogger("accessible").setLevel(logging.ERROR)
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("trafilatura is not installed (pip install trafilatura): only our rules are measured")
        extractors = {"ours": _ours}
    else:
        extractors = {"ours": _ours, "trafilatura": _trafilatura}
    print(f"load {os.getloadavg()[0]:.1f}")
    for name, make in PAGES.items():
        page = make()
        for label, extract in extractors.items():
            start = time.perf_counter()
            text = extract(page)
            ms = (time.perf_counter() - start) * 1000
            kept, leaks = _score(text)
            print(f"{name:13s} {label:12s} article kept {kept:6.1%}  chrome leaked {leaks:2d}  {ms:7.1f} ms")


if __name__ == "__main__":
    main()
