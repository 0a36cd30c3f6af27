"""The reporting year: stated in a sheet (title, 年度：2021, 统计时间：2022年12月31日, 截至…,
二〇二二年度), in its name, or in the file name.

A filing date (填报日期, 制表日期, 报送日期) is never the reporting year: a report for 2022 is
usually filed in January 2023. A period line (统计时间, 统计截止日期, 截至, 报告期) is: the
year of the dates it gives. Anywhere else a whole date (2022年1月8日) says nothing about
the period, and only a year written as a year (2021年度, 2021年, 年度：2021) counts.
"""

from __future__ import annotations

import datetime as dt
import re

from etl.reference.spellings import header_key, normalize_text
from etl.workbook.opening import Grid, cell_name

_YEAR_PATTERNS = (
    re.compile(r"(?:统计)?年度[:：]?((?:19|20)\d{2})"),
    re.compile(r"((?:19|20)\d{2})年度"),
    re.compile(r"((?:19|20)\d{2})年(?!\d{1,2}月\d{1,2}日)"),  # a year, not a whole date
)
_YEAR_LABELS = {"年度", "统计年度", "年份", "报告年度", "所属年度"}
# Words that make a line a statement of the reporting period: the years of its dates count.
_PERIOD_WORDS = (
    "统计时间",
    "统计日期",
    "统计截止",
    "统计期间",
    "统计时段",
    "统计区间",
    "统计期",
    "报告期",
    "报告时间",
    "报表期",
    "数据截止",
    "数据时间",
    "截止日期",
    "截止时间",
    "截至",
    "截止",
    "所属期",
    "所属时间",
)
_PERIOD_LABELS = {header_key(word)[0] for word in _PERIOD_WORDS} | {"统计截止日期", "统计截止时间", "截至日期", "截至时间"}
# A filing date, with whatever follows it up to the next separator: removed before anything is read.
_FILING = re.compile(r"(?:填报|填表|报送|上报|制表|编制|打印|填写|审核|签发)(?:日期|时间)[:：]?.*?(?=统计|截至|截止|报告期|[,，;；]|$)")
_FILING_LABELS = {
    "填报日期",
    "填表日期",
    "报送日期",
    "上报日期",
    "制表日期",
    "编制日期",
    "打印日期",
    "填报时间",
    "报送时间",
    "制表时间",
    "日期",
}
# A line that begins with one of these is a date of the form, not of the period.
_DATE_LINE = ("填报", "报送", "填表", "制表", "日期")
_DATED_YEAR = re.compile(r"((?:19|20)\d{2})(?:年|[-/.]\d{1,2}(?:[-/.]|月|$)|\d{4}(?!\d))")
_CHINESE_DIGITS = {
    "〇": "0",
    "零": "0",
    "○": "0",
    "O": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_CHINESE_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}(?=年)")


# In a file name the 年 may be left out: 社区矫正二〇二二.xlsx.
_CHINESE_YEAR_ALONE = re.compile(
    r"(?<![〇零○一二三四五六七八九十])[一二][〇零○九][〇零○一二三四五六七八九]{2}(?![〇零○一二三四五六七八九十])"
)


def _arabic_years(text: str, pattern: re.Pattern = _CHINESE_YEAR) -> str:
    """二〇二二年度 → 2022年度: a year written digit by digit in Chinese numerals."""
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: "".join(_CHINESE_DIGITS[ch] for ch in m.group(0)), text)


def _clean(text: str) -> str:
    return _FILING.sub("", _arabic_years(normalize_text(text)))


def _period_years(text: str) -> set[int]:
    """The years of the dates a period line gives (统计时间：2022年1月1日至2022年12月31日 → {2022})."""
    at = min((text.find(word) for word in _PERIOD_WORDS if word in text), default=-1)
    if at < 0:
        return set()
    return {int(y) for y in _DATED_YEAR.findall(text[at:])}


def years_in_text(text: str) -> set[int]:
    text = _clean(text)
    if not text or text.startswith(_DATE_LINE):
        return set()
    period = _period_years(text)
    if period:
        return period
    if any(word in text for word in _PERIOD_WORDS):
        return set()  # a period line without a year (截至12月31日): nothing to add
    for pattern in _YEAR_PATTERNS:
        found = {int(y) for y in pattern.findall(text)}
        if found:
            return found
    return set()


def year_from_file_name(name: str) -> int | None:
    stem = re.sub(r"\.[A-Za-z]+$", "", name)
    found = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", _arabic_years(normalize_text(stem), _CHINESE_YEAR_ALONE))}
    return found.pop() if len(found) == 1 else None


def _neighbour_year(label_key: str, value: object) -> set[int]:
    """The year a cell gives beside a 年度 or period label (a number, a date, or text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return {value.year} if 1990 <= value.year <= 2100 else set()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {int(value)} if float(value).is_integer() and 1990 <= value <= 2100 else set()
    text = normalize_text(value)
    try:
        candidate = int(float(text))
    except ValueError:
        candidate = 0
    if 1990 <= candidate <= 2100:
        return {candidate}
    if label_key in _PERIOD_LABELS:
        return _period_years(f"统计时间{_arabic_years(text)}")
    return years_in_text(text)


def _years_in_rows(grid: Grid, rows: range, period_only: bool) -> tuple[set[int], str]:
    years: set[int] = set()
    where = ""
    for r in rows:
        line = grid.rows[r]
        skip: set[int] = set()
        for c, value in enumerate(line):
            if value is None or c in skip:
                continue
            key = header_key(value)[0] if isinstance(value, str) else ""
            labels = _PERIOD_LABELS if period_only else _YEAR_LABELS | _PERIOD_LABELS
            if key in labels or key in _FILING_LABELS:
                neighbour = next((n for n in range(c + 1, len(line)) if line[n] is not None), None)
                if neighbour is not None:
                    skip.add(neighbour)
                    found = set() if key in _FILING_LABELS else _neighbour_year(key, line[neighbour])
                    if found:
                        years |= found
                        where = where or cell_name(r, c)
                continue
            if not isinstance(value, str):
                continue
            found = years_in_text(value)
            if period_only and not _period_years(_clean(value)):
                found = set()
            if found:
                years |= found
                where = where or cell_name(r, c)
    return years, where


def year_in_sheet(grid: Grid, header_row: int) -> tuple[set[int], str]:
    """Years stated above the header (title, 年度：2021, a 年度 cell beside a number, a period
    line) or, failing that, in the sheet's name."""
    years, where = _years_in_rows(grid, range(min(header_row, len(grid.rows))), period_only=False)
    if not years:
        years = years_in_text(grid.name)
        where = "工作表名" if years else ""
    return years, where


def period_below(grid: Grid, start: int) -> tuple[set[int], str]:
    """Years of period lines under a table (统计时间：2022年12月31日 beside the signatures);
    nothing else written down there counts."""
    return _years_in_rows(grid, range(max(start, 0), len(grid.rows)), period_only=True)
