"""The reporting year: stated in a sheet (title, 年度：2021), in its name, or in the file name.

A filing date (填报日期, 制表日期) is never the reporting year.
"""

from __future__ import annotations

import re

from etl.reference.spellings import header_key, normalize_text
from etl.workbook.opening import Grid, cell_name

_YEAR_PATTERNS = (
    re.compile(r"(?:统计)?年度[:：]?((?:19|20)\d{2})"),
    re.compile(r"((?:19|20)\d{2})年度"),
    re.compile(r"((?:19|20)\d{2})年(?!\d{1,2}月\d{1,2}日)"),  # a year, not a whole date
)
_YEAR_LABELS = {"年度", "统计年度", "年份", "报告年度", "所属年度"}
_DATE_LINE = ("填报", "报送", "填表", "制表", "日期", "截至", "截止")


def years_in_text(text: str) -> set[int]:
    text = normalize_text(text)
    if not text or text.startswith(_DATE_LINE):
        return set()
    for pattern in _YEAR_PATTERNS:
        found = {int(y) for y in pattern.findall(text)}
        if found:
            return found
    return set()


def year_from_file_name(name: str) -> int | None:
    stem = re.sub(r"\.[A-Za-z]+$", "", name)
    found = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", normalize_text(stem))}
    return found.pop() if len(found) == 1 else None


def year_in_sheet(grid: Grid, header_row: int) -> tuple[set[int], str]:
    """Years stated above the header (title, 年度：2021, a 年度 cell beside a number) or in the sheet's name."""
    years: set[int] = set()
    where = ""
    for r in range(min(header_row, len(grid.rows))):
        line = grid.rows[r]
        for c, value in enumerate(line):
            if value is None:
                continue
            if header_key(value)[0] in _YEAR_LABELS:
                for neighbour in line[c + 1 :]:
                    if neighbour is not None:
                        try:
                            candidate = int(float(normalize_text(neighbour)))
                        except ValueError:
                            candidate = 0
                        if 1990 <= candidate <= 2100:
                            years.add(candidate)
                            where = where or cell_name(r, c)
                        break
                continue
            found = years_in_text(str(value))
            if found:
                years |= found
                where = where or cell_name(r, c)
    if not years:
        years = years_in_text(grid.name)
        where = "工作表名" if years else ""
    return years, where
