"""Years, dates and months: 2017年 二零一七年, 2017-2020年, 4月7日, 6月底, 2017-04-07, 80后.

A year is read digit by digit. A four-digit number is a year when 年 follows, or
when it looks like one (19xx/20xx) and no count follows (2017衡水湖…, “中国制造2025”);
before a measure word or unit it is an amount (2000亿元, 1900家).
"""

from __future__ import annotations

import re

from .cardinal import say_digits, say_integer
from .rule import HAN, Rule, Said, counted_after, grouped

_DASH = r"\s*(?:-|~|—|–|至|到)\s*"


def _iso(m: re.Match[str]) -> Said | None:
    year, _, month, _, day = m.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return grouped(m, say_digits(year), "年", say_integer(month), "月", say_integer(day) + "日")


def _year_range(m: re.Match[str]) -> Said:
    return grouped(m, say_digits(m.group(1)), "到", say_digits(m.group(3)))


def _month(m: re.Match[str]) -> str | None:
    return say_integer(m.group()) if 1 <= int(m.group()) <= 12 else None


def _day(m: re.Match[str]) -> str | None:
    return say_integer(m.group()) if 1 <= int(m.group()) <= 31 else None


def _bare_year(m: re.Match[str]) -> str | None:
    text, end = m.string, m.end()
    if text.endswith("第", 0, m.start()) or counted_after(text, end):
        return None
    if end < len(text) and not re.match(rf"[{HAN}”’」』）)》\s]", text[end]):
        return None
    return say_digits(m.group())


RULES = (
    Rule.of("date", r"(?<![\d.])(\d{4})([-/.])(\d{1,2})(\2)(\d{1,2})(?![\d.])", _iso),
    Rule.of("date", rf"(?<![\d.])(\d{{4}})({_DASH})(\d{{4}}|\d{{2}})(?=年)", _year_range),
    Rule.of("date", r"(?<![\d.])\d{4}(?=年)", lambda m: say_digits(m.group())),
    Rule.of("date", r"(?<![\d.])\d{1,2}(?=月)", _month),
    Rule.of("date", r"(?<=月)\d{1,2}(?=[日号])", _day),
    Rule.of("date", r"(?<![\d.])(?:19|20)\d{2}(?![\d.%])", _bare_year),
    Rule.of("date", r"(?<![\d.])[1-9]0(?=后)", lambda m: say_digits(m.group())),  # 80后 八零后: a generation
)
