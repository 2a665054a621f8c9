"""Small real documents of each input format, made in the test from one report of our own.

The report is written for these tests in the style of a provincial government work report
(not the sample): a title, a dateline, the speaker, three chapters, sections under the
second, a table. The same content is printed to PDF by Chromium (running header, ``- N -``
footers, sentences running across page breaks; Noto CJK puts radical code points such as
⼯ and ⺠ into the text layer, as many Chinese PDFs do), written as a .docx with
python-docx, served as a government portal page (GBK bytes declared as gb2312) and packed
as an EPUB with ebooklib.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright, to print PDFs (imported by the test modules)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()

TITLE = "2024年江北省政府工作报告"
DATELINE = "——2024年1月22日在江北省第十四届人民代表大会第二次会议上"
SPEAKER = "江北省省长 周明堃"  # 堃 is in GBK, not in GB2312
SALUTATION = "各位代表："

# (kind, text): title, center, p, h1, h2, table (rows as a tuple of tuples)
REPORT: list[tuple[str, object]] = [
    ("title", TITLE),
    ("center", DATELINE),
    ("center", SPEAKER),
    ("p", SALUTATION),
    ("p", "现在，我代表省人民政府，向大会报告政府工作，请予审议，并请省政协委员和其他列席人员提出意见。"),
    ("h1", "一、2023年工作回顾"),
    ("p", "过去一年，面对复杂严峻的外部环境和艰巨繁重的改革发展稳定任务，全省上下坚持稳中求进工作总基调，"
          "统筹做好稳增长、促改革、调结构、惠民生、防风险、保稳定各项工作，经济运行回升向好，高质量发展扎实推进。"
          "全省地区生产总值突破五万亿元，增长百分之五点八，一般公共预算收入增长百分之七点一，城镇新增就业七十二万人。"),
    ("p", "这一年，我们着力扩大有效需求，实施重大项目一千二百个，完成投资九千六百亿元，社会消费品零售总额增长百分之八点二。"
          "我们着力推进科技创新，新认定高新技术企业四千三百家，研发经费投入强度达到百分之二点六，"
          "建成省级重点实验室二十六个，技术合同成交额比上年增长三成以上。"),
    ("table", (("指标", "2023年", "增长"), ("地区生产总值", "5.1万亿元", "5.8%"), ("城镇新增就业", "72万人", "4.3%"))),
    ("p", "这一年，我们着力保障和改善民生，民生支出占一般公共预算支出的比重保持在八成左右，"
          "新建改扩建中小学和幼儿园三百四十所，新增普惠托育托位两万个，城乡居民基础养老金月人均提高二十元，"
          "棚户区改造和老旧小区改造惠及群众四十万户，人民群众的获得感、幸福感、安全感不断增强。"),
    ("p", "同时我们也清醒看到，发展不平衡不充分问题仍然突出，部分企业生产经营困难，"
          "科技创新能力还不够强，生态环境保护任务依然艰巨，政府工作还有不少差距。我们一定直面问题，采取有力措施加以解决。"),
    ("h1", "二、2024年重点工作"),
    ("p", "今年是实现“十四五”规划目标任务的关键一年。全省经济社会发展的主要预期目标是：地区生产总值增长百分之五点五左右，"
          "城镇新增就业七十万人以上，城镇调查失业率控制在百分之五点五以内，居民收入增长和经济增长同步。"),
    ("h2", "（一）全力扩大有效需求"),
    ("p", "坚持把扩大内需作为战略基点，发挥投资的关键作用和消费的基础作用。加快推进沿江高铁、跨江通道、引调水工程等重大项目，"
          "全年实施省重大项目一千三百个，力争完成投资一万亿元。稳定和扩大汽车、家电、家居等大宗消费，"
          "培育壮大数字消费、绿色消费、健康消费，打造一批特色鲜明的消费商圈和夜间消费集聚区。"),
    ("h2", "（二）加快建设现代化产业体系"),
    ("p", "推动传统产业高端化、智能化、绿色化改造，实施制造业技术改造项目五千个以上。"
          "培育壮大新能源汽车、集成电路、生物医药、新型储能等战略性新兴产业，前瞻布局人工智能、量子信息等未来产业，"
          "新增国家级专精特新“小巨人”企业一百家，规模以上工业增加值增长百分之六左右。"),
    ("h2", "（三）切实保障和改善民生"),
    ("p", "坚持尽力而为、量力而行，办好十件民生实事。实施就业优先战略，强化高校毕业生、农民工、退役军人等重点群体就业帮扶。"
          "深化医药卫生体制改革，推动优质医疗资源扩容下沉和区域均衡布局，让群众在家门口就能看好病。"
          "健全分层分类的社会救助体系，兜住兜牢民生底线。"),
    ("h1", "三、加强政府自身建设"),
    ("p", "新征程上，各级政府必须坚持人民至上，依法全面履行政府职能，持续优化营商环境，驰而不息纠治“四风”，"
          "以实干实绩回应人民群众的期盼。"),
    ("p", "各位代表！使命重在担当，实干铸就辉煌。让我们紧密团结在以习近平同志为核心的党中央周围，"
          "开拓进取，真抓实干，为谱写中国式现代化江北篇章而努力奋斗！"),
]

CHAPTERS = ["一、2023年工作回顾", "二、2024年重点工作", "三、加强政府自身建设"]
SECTIONS = ["（一）全力扩大有效需求", "（二）加快建设现代化产业体系", "（三）切实保障和改善民生"]
TABLE_ROWS = ["指标：地区生产总值；2023年：5.1万亿元；增长：5.8%。", "指标：城镇新增就业；2023年：72万人；增长：4.3%。"]


def paragraphs() -> list[str]:
    """Every paragraph of the body text as a reader should get it (headings and tables aside)."""
    return [str(text) for kind, text in REPORT if kind == "p"]


def _cell(text: object) -> str:
    return html.escape(str(text))


def report_html_body(items: list[tuple[str, object]] | None = None) -> str:
    """The report (or some of its ``items``) as the body of an HTML document, to print."""
    out = []
    for kind, text in REPORT if items is None else items:
        if kind == "title":
            out.append(f"<h1>{_cell(text)}</h1>")
        elif kind == "center":
            out.append(f'<p class="center">{_cell(text)}</p>')
        elif kind == "h1":
            out.append(f"<h2>{_cell(text)}</h2>")
        elif kind == "h2":
            out.append(f"<h3>{_cell(text)}</h3>")
        elif kind == "table":
            rows = list(text)  # type: ignore[call-overload]
            head = "".join(f"<th>{_cell(c)}</th>" for c in rows[0])
            body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        else:
            out.append(f"<p>{_cell(text)}</p>")
    return "\n".join(out)


_PRINT_CSS = """
body { font-family: 'Noto Serif CJK SC', serif; font-size: 16pt; line-height: 1.55; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.center { text-align: center; text-indent: 0; }
h1 { text-align: center; font-size: 22pt; margin: 0 0 0.5em; }
h2 { font-family: 'Noto Sans CJK SC', sans-serif; font-size: 16pt; margin: 0; }
h3 { font-family: 'Noto Sans CJK SC', sans-serif; font-size: 16pt; font-weight: bold; margin: 0; }
table { border-collapse: collapse; margin: 0.3em auto; font-size: 14pt; }
th, td { border: 1px solid #000; padding: 2pt 8pt; }
"""


DASHED_FOOTER = '- <span class="pageNumber"></span> -'


def print_pdf(browser, path: Path, *, body: str | None = None, footer: str = DASHED_FOOTER) -> Path:
    """Print the report (or ``body``) to ``path`` with Chromium: A4, running header, ``- N -`` footer."""
    page = browser.new_page()
    page.set_content(f"<html><head><meta charset='utf-8'><style>{_PRINT_CSS}</style></head><body>{body or report_html_body()}</body></html>")
    page.pdf(
        path=str(path),
        format="A4",
        display_header_footer=True,
        header_template='<div style="font-size:9px;width:100%;text-align:center;">江北省人民政府公报</div>',
        footer_template=f'<div style="font-size:11px;width:100%;text-align:center;">{footer}</div>',
        margin={"top": "30mm", "bottom": "28mm", "left": "28mm", "right": "26mm"},
    )
    page.close()
    return path


def _word_list(document, num_id: int, level_text: str) -> None:
    """A list numbered by Word itself in Chinese numerals ("%1、" → 一、二、…)."""
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    root = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="{num_id}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="{level_text}"/></w:lvl></w:abstractNum>'
    )
    first_num = next(iter(root.iterchildren("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")))
    first_num.addprevious(abstract)
    root.append(parse_xml(f'<w:num {w} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))


def _numbered(paragraph, num_id: int) -> None:
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {w}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def write_docx(path: Path, *, page_breaks: bool = True, word_numbering: bool = False) -> Path:
    """The report as Word writes it: Title and Heading styles, a table, a header and a footer.

    With ``word_numbering`` the 一、 and （一） of the headings are Word's own list numbering,
    not typed: the text holds only "2023年工作回顾".
    """
    import docx

    document = docx.Document()
    if word_numbering:
        _word_list(document, 90, "%1、")
        _word_list(document, 91, "（%1）")
    document.core_properties.title = TITLE
    document.core_properties.author = "江北省人民政府"
    section = document.sections[0]
    section.header.paragraphs[0].text = "江北省人民政府文件"
    section.footer.paragraphs[0].text = "江北省人民政府办公厅印发"
    chapters = 0
    for kind, text in REPORT:
        if kind == "title":
            # set letter-spaced, as title pages often are, when Word numbers the headings
            document.add_paragraph(" ".join(str(text)) if word_numbering else str(text), style="Title")
        elif kind == "h1":
            chapters += 1
            if page_breaks and chapters > 1:
                document.add_page_break()
            if word_numbering:
                _numbered(document.add_heading(str(text).split("、", 1)[1], level=1), 90)
            else:
                document.add_heading(str(text), level=1)
        elif kind == "h2":
            if word_numbering:
                _numbered(document.add_paragraph(str(text).split("）", 1)[1]), 91)
            else:
                document.add_paragraph(str(text))  # numbered, written as a plain paragraph: the text rules find it
        elif kind == "table":
            rows = list(text)  # type: ignore[call-overload]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = str(value)
        else:
            document.add_paragraph(str(text))
    document.save(str(path))
    return path


def portal_page(charset: str = "gb2312") -> str:
    """The report as a provincial government portal serves it: navigation, breadcrumbs, a share bar,
    related links, a footer with 版权所有, ICP备案 and 网站标识码, scripts and styles."""
    body = []
    for kind, text in REPORT:
        if kind == "title":
            continue
        if kind == "center":
            body.append(f'<p style="text-align: center;">{_cell(text)}</p>')
        elif kind in ("h1", "h2"):
            body.append(f"<p><strong>{_cell(text)}</strong></p>")
        elif kind == "table":
            rows = list(text)  # type: ignore[call-overload]
            body.append(
                '<table border="1" cellspacing="0">'
                + "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)
                + "</table>"
            )
        else:
            body.append(f'<p style="text-indent: 2em;">{_cell(text)}</p>')
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{TITLE}_政府工作报告_江北省人民政府门户网站</title>
<meta name="SiteName" content="江北省人民政府门户网站" />
<meta name="ArticleTitle" content="{TITLE}" />
<meta name="PubDate" content="2024-01-29 09:30" />
<meta name="ContentSource" content="江北省人民政府办公厅" />
<link rel="stylesheet" href="/css/common.css" />
<style type="text/css">.nav li {{ float: left; }} .share a {{ margin: 0 4px; }}</style>
<script type="text/javascript">var _hmt = _hmt || []; document.write("<span>统计</span>");</script>
</head>
<body>
<div class="top-bar"><a href="/">网站首页</a> | <a href="/wza/">无障碍</a> | <a href="/en/">English</a> | <a href="/m/">手机版</a></div>
<div class="header"><img src="/images/logo.png" alt="江北省人民政府" /><div class="search"><input type="text" value="请输入关键字" /><button>搜索</button></div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjjb/">走进江北</a></li></ul></div>
<div class="main">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zfgzbg/">政府工作报告</a></div>
<div class="article">
<h1 class="article-title">{TITLE}</h1>
<div class="article-info"><span>发布时间：2024-01-29 09:30</span> <span>来源：江北省人民政府办公厅</span> <span>浏览次数：12345</span> <span>字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></span></div>
<div class="share bdsharebuttonbox">分享到：<a href="#" class="bds_weixin">微信</a> <a href="#" class="bds_tsina">微博</a> <a href="#" class="bds_qzone">QQ空间</a></div>
<div id="zoom" class="TRS_Editor">
{chr(10).join(body)}
</div>
<div class="article-tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/a.html">2023年江北省政府工作报告</a></li><li><a href="/b.html">图解：2024年江北省政府工作报告</a></li><li><a href="/c.html">江北省人民政府关于做好2024年重点工作的通知</a></li></ul></div>
</div>
<div class="footer">
<p><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a> | <a href="/contact/">联系我们</a></p>
<p>主办单位：江北省人民政府办公厅　版权所有：江北省人民政府　地址：江北省江城市人民大道1号</p>
<p>网站标识码：3300000001　<a href="https://beian.miit.gov.cn/">北ICP备05012345号</a>　北公网安备 33010002000001号</p>
</div>
<script type="text/javascript" src="/js/share.js"></script>
</body>
</html>
"""


PRINT_PAGE_AT = "城乡居民基础养老金"  # the EPUB's page 2 starts inside a sentence, before these words


def write_epub(path: Path, *, print_pages: bool = False) -> Path:
    """The report as an EPUB without audio: one XHTML per chapter, h1/h2 headings, a nav.

    With ``print_pages`` it marks the pages of a print edition as such EPUBs do: page 2
    starts inside a sentence (an empty span), page 3 before the last chapter (a div)."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("jiangbei-2024-report")
    book.set_title(TITLE)
    book.set_language("zh-CN")
    book.add_author(SPEAKER.split()[-1])
    parts: list[list[tuple[str, object]]] = [[]]
    for item in REPORT:
        if item[0] == "h1":
            parts.append([])
        parts[-1].append(item)
    items = []
    for n, part in enumerate(parts):
        lines = []
        for kind, text in part:
            if kind in ("title", "h1"):
                lines.append(f"<h1>{_cell(text)}</h1>")
            elif kind == "h2":
                lines.append(f"<h2>{_cell(text)}</h2>")
            elif kind == "table":
                rows = list(text)  # type: ignore[call-overload]
                lines.append("<table>" + "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows) + "</table>")
            elif print_pages and PRINT_PAGE_AT in str(text):
                before, after = str(text).split(PRINT_PAGE_AT)
                mark = '<span epub:type="pagebreak" role="doc-pagebreak" id="p2" aria-label="2">2</span>'
                lines.append(f"<p>{_cell(before)}{mark}{PRINT_PAGE_AT}{_cell(after)}</p>")
            else:
                lines.append(f"<p>{_cell(text)}</p>")
        if print_pages and n == 0:
            lines.insert(0, '<div epub:type="pagebreak" role="doc-pagebreak" id="p1" aria-label="1"></div>')
        if print_pages and n == len(parts) - 1:
            lines.insert(0, '<div epub:type="pagebreak" role="doc-pagebreak" id="p3" aria-label="3"></div>')
        title = str(part[0][1])
        item = epub.EpubHtml(title=title, file_name=f"part{n}.xhtml", lang="zh-CN")
        item.content = "\n".join(lines)
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    epub.write_epub(str(path), book)
    return path
