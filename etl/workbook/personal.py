"""Cells that hold or head personal identifiers: a sheet with any is refused whole.

Submissions are counts. A 姓名 or 身份证号 column, or anything shaped like an 18-digit
ID number (hidden sheets included), refuses the file; the value itself is never
repeated back, logged or stored.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from etl.reference.problems import Problem
from etl.reference.spellings import header_key, normalize_text
from etl.workbook.opening import Grid, cell_name

_ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9])")
_PERSONAL_HEADERS = {
    "姓名",
    "名字",
    "人员姓名",
    "患者姓名",
    "矫正对象姓名",
    "吸毒人员姓名",
    "身份证",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "证件号",
    "身份号码",
    "出生日期",
    "家庭住址",
    "现住址",
    "户籍地址",
    "联系电话(本人)",
}


ID_MASK = "＊＊＊（身份证号已隐去）"


def mask_identifiers(text: str) -> str:
    """A file or sheet name with anything shaped like an ID number replaced, so the number
    is never stored, logged or shown back (a name is echoed in every report and log)."""
    normalized = unicodedata.normalize("NFKC", text)  # ４４０２… is an ID number too
    return _ID_NUMBER.sub(ID_MASK, normalized) if _ID_NUMBER.search(normalized) else text


def named_with_an_identifier(text: str) -> bool:
    return mask_identifiers(text) != text


def find_personal_data_in_names(grids: list[Grid]) -> list[Problem]:
    """Sheets, hidden ones too, whose name holds an ID number; the name is told masked."""
    return [
        Problem(
            "PERSONAL_DATA",
            ("隐藏的工作表" if not grid.visible else "工作表")
            + "的名称里有像身份证号的内容。本系统只收统计数字，请把工作表改名（去掉身份证号），并删除全部个人信息后再报送",
            mask_identifiers(grid.name),
            "",
        )
        for grid in grids
        if named_with_an_identifier(grid.name)
    ]


def find_personal_data(grid: Grid) -> list[Problem]:
    """Cells that hold or head personal identifiers. The values are never repeated back."""
    found: list[Problem] = []
    for r, line in enumerate(grid.rows):
        for c, value in enumerate(line):
            if value is None or isinstance(value, (dt.date, dt.time, dt.timedelta, bool)):
                continue
            if isinstance(value, (int, float)):
                if 1e16 < abs(value) < 1e18:
                    text = str(int(value))
                else:
                    continue
            else:
                text = str(value)
            key = header_key(text)[0]
            # A header names a column of identifiers; a long sentence that mentions them does not.
            if key in _PERSONAL_HEADERS or ("身份证" in key and len(key) <= 12):
                what = "姓名、身份证号等个人信息的列"
            elif len(text) >= 18 and _ID_NUMBER.search(normalize_text(text)):
                what = "像身份证号的内容"
            else:
                continue
            found.append(
                Problem(
                    "PERSONAL_DATA",
                    f"这里有{what}。本系统只收统计数字，请删除全部个人信息（姓名、身份证号等）后只报送人数",
                    mask_identifiers(grid.name),
                    cell_name(r, c),
                )
            )
    return found
