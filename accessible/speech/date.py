"""Years, dates and months: 2017年 二零一七年, 2017-2020年, 4月7日, 6月底, 2017-04-07,
2008/08 二零零八年八月, 08/08 八月八日, 08-08-2008, 公元前202年 公元前二零二年, 2934 AD, 80后.

A year is read digit by digit. A four-digit number is a year when 年 follows, or
when it looks like one (19xx/20xx) and no count follows (2017衡水湖…, “中国制造2025”);
before a measure word or unit it is an amount (2000亿元, 1900家).

A date written in numbers only is read as a date only if that day exists: an
impossible one (2017-13-45, 2017-02-29) is read as a code, its numbers digit by digit
and its signs said, and flagged for `accessible read --warn`. Month and day alone
(08/08) need a leading zero to be told from a fraction or a range.
"""

from __future__ import annotations

import datetime
import re

from .cardinal import say_digits, say_integer
from .rule import HAN, Rule, Said, counted_after, grouped, split

_DASH = r"\s*(?:-|~|—|–|至|到)\s*"
_SEP = r"[-/.·]"
_SIGN = {"-": "杠", "/": "斜杠", ".": "点", "·": "点"}
_ERA = r"\s?(a\.d\.|b\.c\.|A\.D\.|B\.C\.|ad|bc|AD|BC)(?![A-Za-z])"


def _exists(year: str, month: str, day: str) -> bool:
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _ymd(m: re.Match[str]) -> Said | None:
    year, month, day = m.group(1), m.group(3), m.group(5)
    if not _exists(year if len(year) == 4 else "20" + year, month, day):
        return None
    return grouped(m, say_digits(year), "年", say_integer(month), "月", say_integer(day) + "日")


def _mdy(m: re.Match[str]) -> str | None:
    first, second, year = m.group(1), m.group(3), m.group(5)
    month, day = (first, second) if int(first) <= 12 else (second, first)  # 25/12/2017: day first
    if not _exists(year, month, day):
        return None
    return f"{say_digits(year)}年{say_integer(month)}月{say_integer(day)}日"


def _not_a_date(m: re.Match[str]) -> Said:
    return [(t, _SIGN[t] if k % 2 else say_digits(t)) for k, t in enumerate(split(m.group(), _SEP))]


def _year_month(m: re.Match[str]) -> Said | None:
    year, sep, month = m.group(1), m.group(2), m.group(3)
    if not 1 <= int(month) <= 12 or counted_after(m.string, m.end()) or (sep == "." and len(month) != 2):
        return None  # 2008.5亿元 and 2008.5 are amounts
    return grouped(m, say_digits(year), "年", say_integer(month) + "月")


def _month_year(m: re.Match[str]) -> str | None:
    if counted_after(m.string, m.end()) or (m.group(2) == "." and m.group(1)[0] != "0"):
        return None  # 10.2017 is a decimal
    return f"{say_digits(m.group(3))}年{say_integer(m.group(1))}月"


def _month_day(m: re.Match[str]) -> Said | None:
    month, sep, day = m.group(1), m.group(2), m.group(3)
    if "0" not in (month[0], day[0]) or not _exists("2000", month, day) or counted_after(m.string, m.end()):
        return None
    if sep == "." and month[0] != "0" or re.match(r"\s*[%‰]", m.string[m.end():]):
        return None  # 10.05 and 10.05% are decimals
    return grouped(m, say_integer(month), "月", say_integer(day) + "日")


def _era(m: re.Match[str]) -> str:
    year, month, era = m.group(1), m.group(3), m.group(4)
    said = ("公元前" if era[0] in "bB" else "公元") + say_digits(year) + "年"
    return said + (say_integer(month) + "月" if month else "")


def _year_range(m: re.Match[str]) -> Said:
    return grouped(m, say_digits(m.group(1)), "到", say_digits(m.group(3)))


def _bare_years(m: re.Match[str]) -> Said | None:
    """1998-2000 with no 年: years when no count follows and the second is the later."""
    if counted_after(m.string, m.end()) or not 0 < int(m.group(3)) - int(m.group(1)) <= 100:
        return None
    return _year_range(m)


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
    Rule.of("date", rf"(?<![\d.])(\d{{4}})({_SEP})(\d{{1,2}})(\2)(\d{{1,2}})(?![\d.])", _ymd),
    Rule.of("date", r"(?<![\d./])(\d{2})(/)(\d{1,2})(/)(\d{1,2})(?![\d./])", _ymd),  # 12/2/2: 一二年二月二日
    Rule.of("date", r"(?<![\d.])(\d{1,2})([-/.])(\d{1,2})(\2)(\d{4})(?![\d.])", _mdy),
    Rule.of("unknown", r"(?<![\d.])(?:\d{4}([-/.·])\d{1,2}\1\d{1,2}|\d{1,2}([-/.])\d{1,2}\2\d{4})(?![\d.])", _not_a_date),
    Rule.of("date", rf"(?<![\d.])(\d{{4}})({_DASH})(\d{{4}}|\d{{2}})(?=年)", _year_range),
    Rule.of("date", rf"(?<![\d.])((?:19|20)\d{{2}})({_DASH})((?:19|20)\d{{2}})(?![\d.%‰])", _bare_years),
    Rule.of("date", rf"(?<![\d.])(\d{{1,4}})(年(?:(\d{{1,2}})月)?)?{_ERA}", _era),
    Rule.of("date", r"(?<![\d.])\d{4}(?=年)", lambda m: say_digits(m.group())),
    Rule.of("date", r"(?<=公元)\d{1,4}(?=年)|(?<=公元前)\d{1,4}(?=年)", lambda m: say_digits(m.group())),
    Rule.of("date", r"(?<![\d.])((?:19|20)\d{2})([-/.])(0?[1-9]|1[0-2])(?![\d.年月日号])", _year_month),
    Rule.of("date", r"(?<![\d.])(0[1-9]|1[0-2])([-/.])((?:19|20)\d{2})(?![\d.年])", _month_year),
    Rule.of("date", r"(?<![\d.])(0[1-9]|1[0-2])([-/.])(0[1-9]|[12]\d|3[01])(?![\d.年月日号])", _month_day),
    Rule.of("date", r"(?<![\d.])\d{1,2}(?=月)", _month),
    Rule.of("date", r"(?<=月)\d{1,2}(?=[日号])", _day),
    Rule.of("date", r"(?<![\d.])(?:19|20)\d{2}(?![\d.%])", _bare_year),
    Rule.of("date", r"(?<![\d.])[1-9]0(?=后)", lambda m: say_digits(m.group())),  # 80后 八零后: a generation
)
