"""Segmenter: structure, sentences, words, clauses, ids, titles — on the sample and on fixtures."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

import accessible
from accessible.inputs import read_document
from accessible.model import Book
from accessible.segment import clause_offsets, cn_number, load_book, segment, split_sentences

SAMPLE = Path(accessible.__file__).parent / "samples" / "hengshui-2017.txt"
DATA = Path(__file__).parent / "data"
ID = re.compile(r"^c\d\d(-h|-s\d\d(-h|-p\d{3}-t\d{3}))$")
PAIRS = ("“”", "‘’", "《》", "（）", "「」")


@pytest.fixture(scope="module")
def text() -> str:
    return read_document(SAMPLE).text


@pytest.fixture(scope="module")
def book(text: str) -> Book:
    return segment(text)


def outline(book: Book) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(c.id, c.title, [(s.id, s.title) for s in c.sections]) for c in book.chapters]


def test_sample_chapters(book: Book) -> None:
    assert [(c.id, c.number, c.kind, c.title) for c in book.chapters] == [
        ("c00", 0, "front", ""),
        ("c01", 1, "body", "一、本届政府工作回顾"),
        ("c02", 2, "body", "二、今后五年工作的总体要求和目标任务"),
        ("c03", 3, "body", "三、2017年主要工作"),
        ("c04", 4, "body", "四、加强政府自身建设"),
    ]
    assert [c.heading.id for c in book.chapters[1:]] == ["c01-h", "c02-h", "c03-h", "c04-h"]


def test_sample_chapter_three_has_nine_sections(book: Book) -> None:
    sections = book.chapters[3].sections
    assert [(s.id, s.number, s.title) for s in sections] == [
        ("c03-s00", 0, ""),
        ("c03-s01", 1, "（一）全力推进项目建设。"),
        ("c03-s02", 2, "（二）促进产业转型升级。"),
        ("c03-s03", 3, "（三）加快建设现代农业强市。"),
        ("c03-s04", 4, "（四）扎实推进新型城镇化。"),
        ("c03-s05", 5, "（五）深入推进改革开放。"),
        ("c03-s06", 6, "（六）积极推动京津冀协同发展。"),
        ("c03-s07", 7, "（七）持续抓好生态环境建设。"),
        ("c03-s08", 8, "（八）统筹推进各项社会事业。"),
        ("c03-s09", 9, "（九）着力维护社会和谐稳定。"),
    ]
    assert sections[2].heading.id == "c03-s02-h"
    # the inline heading's line goes on as the section's first paragraph
    first = sections[1].paragraphs[0].sentences[0]
    assert (first.id, first.text[:12]) == ("c03-s01-p001-t001", "始终把项目建设作为经济社")
    assert [len(s.paragraphs) for s in sections] == [1, 4, 5, 4, 5, 3, 3, 4, 7, 2]
    # chapter 二 has its own （一）…（五）; chapters 一 and 四 only an untitled lead-in
    assert [s.id for s in book.chapters[2].sections] == [f"c02-s{n:02d}" for n in range(6)]
    assert [s.id for s in book.chapters[1].sections] == ["c01-s00"]
    assert len(book.chapters[1].sections[0].paragraphs) == 12


def test_sample_front_matter_and_metadata(book: Book) -> None:
    front = book.chapters[0]
    assert front.heading is None and [s.id for s in front.sections] == ["c00-s00"]
    assert [(p.id, [t.text for t in p.sentences]) for p in front.sections[0].paragraphs] == [
        ("c00-s00-p001", ["――2017年4月7日在衡水市第六届人民代表大会第一次会议上"]),
        ("c00-s00-p002", ["衡水市人民政府代市长王景武"]),
        ("c00-s00-p003", ["各位代表："]),
        ("c00-s00-p004", ["现在，我代表市人民政府，向大会报告政府工作，请予审议，并请市政协委员和列席会议的同志提出意见。"]),
    ]
    assert (book.title, book.author, book.date, book.language) == ("2017年衡水市政府工作报告", "王景武", "2017-04-07", "zh-CN")


def test_every_character_in_exactly_one_sentence_in_order(text: str, book: Book) -> None:
    assert "".join(s.text for s in book.sentences()) == text.replace("\n", "")
    assert len(list(book.sentences())) == 471


def test_sentences_are_never_empty_nor_cut_inside_quotes(book: Book) -> None:
    sentences = list(book.sentences())
    assert all(s.text.strip() for s in sentences)
    for s in sentences:
        for open_, close in PAIRS:
            assert s.text.count(open_) == s.text.count(close), s.id
    assert all(s.reading is None for s in sentences)
    assert not any("libaiwu" in s.text or "记者摄" in s.text for s in sentences)


def test_ids_are_well_formed_unique_and_match_their_place(book: Book) -> None:
    ids = [s.id for s in book.sentences()]
    assert all(ID.match(i) for i in ids) and len(set(ids)) == len(ids)
    for chapter in book.chapters:
        for section in chapter.sections:
            assert section.id.startswith(chapter.id + "-")
            for n, paragraph in enumerate(section.paragraphs, 1):
                assert paragraph.id == f"{section.id}-p{n:03d}"
                assert [t.id for t in paragraph.sentences] == [f"{paragraph.id}-t{k:03d}" for k in range(1, len(paragraph.sentences) + 1)]


def test_ids_stay_when_another_paragraph_is_edited(text: str, book: Book) -> None:
    lines = text.split("\n")
    edited_line = next(i for i, line in enumerate(lines) if line.startswith("强力实施园区攻坚。"))
    lines[edited_line] = "强力实施园区攻坚。这一段被改写了！它现在有三句话；句子数变了。"
    edited = segment("\n".join(lines))
    before = {s.id: s.text for s in book.sentences()}
    after = {s.id: s.text for s in edited.sentences()}
    changed = {i for i in before.keys() | after.keys() if before.get(i) != after.get(i)}
    assert changed and all(i.startswith("c03-s01-p004-") for i in changed)
    assert [after[f"c03-s01-p004-t00{k}"] for k in (1, 2, 3, 4)] == [
        "强力实施园区攻坚。", "这一段被改写了！", "它现在有三句话；", "句子数变了。"
    ]


def test_words_are_jieba_spans_over_the_sentence(book: Book) -> None:
    sentence = next(s for s in book.sentences() if s.text.startswith("到2021年，三次产业比重调整到"))
    assert [sentence.text[a:b] for a, b in sentence.words] == [
        "到", "2021", "年", "三次", "产业", "比重", "调整", "到", "10.5", "43.5", "46"
    ]
    for s in book.sentences():
        ends = [0] + [b for _, b in s.words]
        assert all(ends[k] <= a < b <= len(s.text) for k, (a, b) in enumerate(s.words)), s.id


def test_clauses_after_commas_outside_quotes(book: Book) -> None:
    for s in book.sentences():
        assert list(s.clauses) == sorted(set(s.clauses))
        assert all(s.text[i - 1] in "，、：," for i in s.clauses)
    long = next(s for s in book.sentences() if s.text.startswith("在省委、省政府和市委的正确领导下"))
    # the ，、 inside “强势开局、跨越赶超，全面建成小康社会” are not offered
    quoted = (long.text.index("“"), long.text.index("”"))
    assert not any(quoted[0] < i <= quoted[1] for i in long.clauses)
    assert long.clauses[:3] == (4, 17, 22)


def test_title_given_inferred_or_default(text: str) -> None:
    assert segment(text, "衡水市政府工作报告（2017）").title == "衡水市政府工作报告（2017）"
    assert segment("2024年政府工作报告\n各位代表：\n现在开始。").title == "2024年政府工作报告"
    assert segment("各位代表：\n现在开始。").title == "政府工作报告"
    # the place from the dateline when no speaker line names it
    assert segment("――2017年4月7日在衡水市第六届人民代表大会第一次会议上\n各位代表：").title == "2017年衡水市政府工作报告"
    # only the year is known: no place is made up
    assert segment("――2023年3月5日在第十四届全国人民代表大会第一次会议上\n国务院总理 李克强\n各位代表：").title == "2023年政府工作报告"


@pytest.mark.parametrize(
    "paragraph, sentences",
    [
        ("他说：“我们要努力。”然后走了。", ["他说：“我们要努力。”", "然后走了。"]),
        ("（注：见附件。）下一句！？真的吗……", ["（注：见附件。）", "下一句！？", "真的吗……"]),
        ("《关于加快发展的意见。》已印发；落实好。", ["《关于加快发展的意见。》已印发；", "落实好。"]),
        ("Yes! OK? 好; 完", ["Yes! ", "OK? ", "好; ", "完"]),
        ('他说 "要努力。" 然后', ['他说 "要努力。" ', "然后"]),
        ("“未闭合。的引号。后面", ["“未闭合。", "的引号。", "后面"]),  # a stray quote protects nothing
        ("没有句末标点", ["没有句末标点"]),
        ("“a。”“b。”c", ["“a。”", "“b。”", "c"]),
        ("第一句。 ", ["第一句。 "]),
    ],
)
def test_split_sentences(paragraph: str, sentences: list[str]) -> None:
    assert split_sentences(paragraph) == sentences


def test_clause_offsets() -> None:
    assert clause_offsets("短句，也拆。") == (3,)
    assert clause_offsets("1,000元，") == ()  # not the comma of 1,000, not at the very end
    long = "一" * 40 + "，" + "二" * 20 + "、" + "“三，四”" + "五" * 30 + "。"
    assert clause_offsets(long) == (41, 62)


@pytest.mark.parametrize("numeral, value", [("一", 1), ("九", 9), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105), ("12", 12)])
def test_cn_number(numeral: str, value: int) -> None:
    assert cn_number(numeral) == value


def test_list_items_inside_chapters_are_not_chapters() -> None:
    book = segment(
        "一、过去一年工作回顾\n"
        "主要做了三件事。\n"
        "一、抓项目。全年实施重点项目100个，完成投资200亿元，带动就业明显增加，经济运行总体平稳向好。\n"
        "二、惠民生。办好十件民生实事，城乡居民收入稳步增长，社会保障水平不断提高，群众获得感增强。\n"
        "二、2024年工作安排\n"
        "今年要重点抓好以下工作。\n"
    )
    assert [c.title for c in book.chapters] == ["一、过去一年工作回顾", "二、2024年工作安排"]
    assert len(book.chapters[0].sections[0].paragraphs) == 3


def test_chapter_and_section_styles_rank_by_level() -> None:
    book = segment("第一章总则\n第一节目的\n为了规范工作。\n第二节范围\n适用于全市。\n第二章附则\n本办法自发布之日起施行。")
    assert [(c.title, [s.title for s in c.sections]) for c in book.chapters] == [
        ("第一章总则", ["第一节目的", "第二节范围"]),
        ("第二章附则", [""]),
    ]


def test_inline_chapter_headings_when_none_stands_alone() -> None:
    book = segment("一、总体要求。今年工作的总体要求是稳中求进。\n二、主要任务。抓好项目建设。")
    assert [(c.id, c.title) for c in book.chapters] == [("c01", "一、总体要求。"), ("c02", "二、主要任务。")]
    assert book.chapters[0].sections[0].paragraphs[0].sentences[0].text == "今年工作的总体要求是稳中求进。"


def test_fixture_with_parts() -> None:
    book = load_book(DATA / "report-parts.txt")
    assert outline(book) == [
        ("c00", "2023年青山县政府工作报告", [("c00-s00", "")]),
        ("c01", "第一部分 2022年工作回顾", [("c01-s00", ""), ("c01-s01", "一、经济运行稳中向好"), ("c01-s02", "二、民生保障持续加强")]),
        ("c02", "第二部分 2023年主要任务", [("c02-s00", ""), ("c02-s01", "一、全力扩大有效投资"), ("c02-s02", "二、持续增进民生福祉"), ("c02-s03", "三、加强政府自身建设")]),
    ]
    assert (book.title, book.author, book.date) == ("2023年青山县政府工作报告", "李明华", "2023-01-12")
    texts = {s.id: s.text for s in book.sentences()}
    assert texts["c00-h"] == "2023年青山县政府工作报告" and texts["c00-s00-p001-t001"].startswith("——2023年1月12日")
    assert texts["c01-s00-p001-t001"] == "过去一年，全县地区生产总值增长5.2%，达到123.4亿元。"  # full-width digits
    assert texts["c01-s01-p001-t003"] == "全年新签约项目42个（其中亿元以上项目15个。）"
    assert texts["c01-s02-p001-t003"] == "群众满意度明显提升。"  # the emoji is gone
    assert texts["c02-s02-p001-t001"] == "把人民对美好生活的向往作为奋斗目标，他说：“民生无小事。”"


def test_fixture_with_markdown_headings() -> None:
    book = load_book(DATA / "report-markdown.md")
    assert outline(book) == [
        ("c00", "2022年白云市政府工作报告", [("c00-s00", "")]),
        ("c01", "一、过去五年工作回顾", [("c01-s00", ""), ("c01-s01", "（一）综合实力显著增强"), ("c01-s02", "（二）改革开放不断深化")]),
        ("c02", "二、今年工作安排", [("c02-s01", "（一）稳定经济增长"), ("c02-s02", "（二）推进乡村振兴")]),
    ]
    # the single top-level heading is the title: the front matter's heading (spoken first), not a paragraph
    assert book.title == book.chapters[0].heading.text == "2022年白云市政府工作报告"
    assert book.chapters[0].heading.id == "c00-h"
    assert [p.sentences[0].text for p in book.chapters[0].sections[0].paragraphs][:1] == [
        "——2022年2月20日在白云市第九届人民代表大会第一次会议上"
    ]
    assert not any("#" in s.text for s in book.sentences())


def test_fixture_without_headings_is_one_chapter() -> None:
    book = load_book(DATA / "report-plain.txt")
    assert [(c.id, c.kind, c.heading) for c in book.chapters] == [("c00", "front", None), ("c01", "body", None)]
    body = book.chapters[1].sections
    assert [s.id for s in body] == ["c01-s00"] and len(body[0].paragraphs) == 3
    assert [t.text for t in body[0].paragraphs[2].sentences] == [
        "今年，我们将重点抓好三方面工作：一是发展特色产业；", "二是改善人居环境；", "三是提升公共服务。", "让我们共同努力！"
    ]
    assert book.title == "政府工作报告"


def test_book_without_words_differs_only_in_words(text: str, book: Book) -> None:
    bare = segment(text, words=False)
    assert bare == book.map_sentences(lambda s: replace(s, words=()))


def test_markdown_needs_a_space_and_a_lone_title_heading_is_the_title() -> None:
    book = segment("# 2024年青山县政府工作报告\n各位代表：\n#两会# 现在开始。")
    assert book.title == "2024年青山县政府工作报告"
    assert [(c.id, c.title) for c in book.chapters] == [("c00", "2024年青山县政府工作报告"), ("c01", "")]
    assert [t.text for t in book.sentences()] == ["2024年青山县政府工作报告", "各位代表：", "#两会# 现在开始。"]


def test_thousands_comma_is_no_clause_boundary() -> None:
    sentence = "全年完成投资1,234亿元" + "，推进重点项目建设" * 8 + "。"
    offsets = clause_offsets(sentence)
    assert offsets and all(sentence[i - 1] == "，" for i in offsets)


def test_a_table_of_contents_does_not_take_the_headings() -> None:
    book = segment(
        "目录\n一、过去一年工作回顾……………1\n二、今年工作安排……………5\n"
        "一、过去一年工作回顾\n主要做了三件事。\n二、今年工作安排\n（一）抓项目。全年实施重点项目。"
    )
    assert [(c.id, c.title, [s.title for s in c.sections]) for c in book.chapters] == [
        ("c00", "", [""]),
        ("c01", "一、过去一年工作回顾", [""]),
        ("c02", "二、今年工作安排", ["（一）抓项目。"]),
    ]
    assert [p.sentences[0].text for p in book.chapters[0].sections[0].paragraphs] == [
        "目录", "一、过去一年工作回顾……………1", "二、今年工作安排……………5"
    ]
    # the same section title in two chapters is no table of contents
    book = segment("一、回顾\n（一）总体情况\n正文一。\n二、安排\n（一）总体情况\n正文二。")
    assert [[s.title for s in c.sections] for c in book.chapters] == [["（一）总体情况"], ["（一）总体情况"]]


# --- structure the source gives (styles, tags, fonts) ---------------------------------


def test_source_headings_add_unnumbered_chapters_and_keep_numbered_kinds() -> None:
    from accessible.inputs import Document, Heading, PageBreak

    lines = [
        "关于全市经济社会发展的说明",  # the title, marked by the source, without 报告 in it
        "各位代表：",
        "过去一年工作回顾",  # Heading 1, unnumbered
        "一年来，全市经济稳中向好。",
        "（一）产业升级",  # Heading 2, numbered: the text rules know it
        "制造业增加值增长百分之六。",
        "今后工作安排",  # Heading 1, unnumbered
        "今年将继续坚持稳中求进，推动高质量发展再上新台阶。",
    ]
    text = "\n".join(lines)
    second = text.index("推动高质量发展")
    doc = Document(
        text, "", headings=(Heading(0, 0), Heading(2, 1), Heading(4, 2), Heading(6, 1)),
        pages=(PageBreak(0, "1"), PageBreak(second, "2")), page_source="x.docx", author="某市人民政府",
    )
    book = segment(doc, words=False)
    assert book.title == "关于全市经济社会发展的说明" and book.author == "某市人民政府"
    body = [c for c in book.chapters if c.kind == "body"]
    assert [c.title for c in body] == ["过去一年工作回顾", "今后工作安排"]
    assert [s.title for s in body[0].sections if s.heading] == ["（一）产业升级"]
    last = body[1].sections[0].paragraphs[0].sentences[0]
    assert [(m.sentence_id, m.offset, m.number) for m in book.pages] == [
        ("c00-h", 0, "1"),
        (last.id, last.text.index("推动高质量发展"), "2"),  # inside the sentence, which stays whole
    ]
    assert book.page_source == "x.docx"


def test_chapters_past_ninety_nine() -> None:
    import cn2an  # a numeral writer that is not ours: 一百零一, 一百一十, 三百

    text = "".join(f"{cn2an.an2cn(n)}、第{n}项工作\n这一项的内容。\n" for n in range(1, 302))
    book = segment(text)
    assert len(book.chapters) == 301
    titles = [c.title for c in book.chapters]
    assert titles[99:102] == ["一百、第100项工作", "一百零一、第101项工作", "一百零二、第102项工作"]
    assert titles[109] == "一百一十、第110项工作" and titles[-1] == "三百零一、第301项工作"
    assert all(len(c.sections[0].paragraphs) == 1 for c in book.chapters)


def test_body_lines_naming_a_chapter_are_not_headings() -> None:
    body = "第一章的内容，增长5%。\n第二章的内容，增长6%。\n第3章和第4章的内容，增长7%。\n"
    book = segment("一、总体要求\n" + body + "二、主要任务\n抓好项目建设。\n")
    assert [c.title for c in book.chapters] == ["一、总体要求", "二、主要任务"]
    assert len(book.chapters[0].sections[0].paragraphs) == 3
    alone = segment(body)
    assert [c.title for c in alone.chapters] == [""] and sum(1 for _ in alone.sentences()) == 3
    assert [c.title for c in segment("第一章 总则\n内容。\n第二章的附则\n第二章附则\n内容。").chapters] == ["第一章 总则", "第二章附则"]


def test_an_excerpt_starting_at_a_later_chapter_has_its_chapters() -> None:
    sections = "（一）全力推进项目建设。始终把项目建设作为总抓手。\n（二）着力优化营商环境。增长8.2%。\n"
    one = segment("二、2017年主要工作\n" + sections)
    assert [(c.title, [s.title for s in c.sections]) for c in one.chapters] == [
        ("二、2017年主要工作", ["（一）全力推进项目建设。", "（二）着力优化营商环境。"])
    ]
    two = segment("各位代表：\n二、2017年主要工作\n" + sections + "三、加强政府自身建设\n全面推进依法行政。\n")
    assert [c.title for c in two.chapters] == ["", "二、2017年主要工作", "三、加强政府自身建设"]
    stray = segment("今年经济运行平稳。\n二、三季度分别增长5%和6%。\n全年增长5.5%。\n")
    assert [c.title for c in stray.chapters] == [""]  # "二、三季度" is running text, not chapter 二
