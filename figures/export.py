"""Downloads: CSV and Excel bytes of a page's data, their file names, and the guard that
keeps a spreadsheet from running a cell as a formula.

CSV is UTF-8 with a byte-order mark so Excel opens the Chinese right. The Excel workbook
holds one sheet per chart or table plus a 说明 sheet (filters, as-of time, sources).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping

import pandas as pd

# A spreadsheet reads a cell starting with one of these as a formula (or splits it).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Characters Excel does not allow in a sheet name, and its length limit.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_MAX = 31
# Characters no file name on Windows may hold.
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\r\n\t]')

NOTES_SHEET = "说明"
# Invisible characters some readers drop before parsing a cell: they must not hide a formula.
_INVISIBLE_LEAD = " \u00a0\u200b\u200c\u200d\u2060\ufeff\u180e"


def neutralise(value: object) -> object:
    """A cell value that no spreadsheet will run: text that would start a formula gets a
    leading apostrophe. Numbers stay numbers, so a real -3 is still -3.

    The check runs after NFKC normalisation, because Excel and WPS treat a full-width
    ＝ or ＋ like the ASCII one.
    """
    if not isinstance(value, str) or not value:
        return value
    # Leading spaces, zero-width spaces or a byte-order mark do not protect a cell: some
    # readers drop them before parsing.
    candidates = (value, unicodedata.normalize("NFKC", value))
    if any(text.lstrip(_INVISIBLE_LEAD).startswith(_FORMULA_STARTS) for text in candidates):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell and header neutralised."""
    out = frame.copy()
    out.columns = [neutralise(str(col)) for col in out.columns]
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV: UTF-8 with BOM, CRLF line ends, formulas neutralised."""
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def sheet_name(title: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet name from a chart title."""
    base = _BAD_SHEET_CHARS.sub("_", title).strip("'") or "数据"
    base = base[:_SHEET_NAME_MAX]
    taken = {name.lower() for name in taken}
    name, n = base, 2
    while name.lower() in taken or name == NOTES_SHEET:
        suffix = f"_{n}"
        name = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    return name


def xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame],
    notes: Iterable[tuple[str, str]] = (),
    sources: Iterable[str] = (),
) -> bytes:
    """An .xlsx workbook: one sheet per frame (named after its title), then 说明.

    Headers are bold and stay in view when scrolling; dates are dates. `notes` are (label,
    text) lines for 说明: title, filters, period …; `sources` are the source cells
    (file!sheet!cell) the figures came from.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        names: list[str] = []
        for title, frame in sheets.items():
            name = sheet_name(title, names)
            names.append(name)
            _write_sheet(writer, name, neutralise_frame(frame))
        rows = [("项目", "内容"), *notes]
        source_list = list(sources)
        rows.append(("来源单元格数", str(len(source_list))))
        rows.extend(("来源", ref) for ref in source_list)
        notes_frame = neutralise_frame(pd.DataFrame(rows[1:], columns=list(rows[0])))
        _write_sheet(writer, NOTES_SHEET, notes_frame)
    return buffer.getvalue()


_DATE_FORMAT = "yyyy-mm-dd"


def _write_sheet(writer: pd.ExcelWriter, name: str, frame: pd.DataFrame) -> None:
    # Imported here: openpyxl is for downloads only, not for every start of the dashboard.
    from openpyxl.styles import Font

    frame.to_excel(writer, sheet_name=name, index=False)
    worksheet = writer.sheets[name]
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    worksheet.freeze_panes = "A2"
    for index, col in enumerate(frame.columns, start=1):
        if frame[col].map(lambda v: isinstance(v, dt.date)).any():
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, dt.date):
                    cell.number_format = _DATE_FORMAT
    _fit_columns(worksheet, frame)


def _fit_columns(worksheet, frame: pd.DataFrame) -> None:
    """Widen columns to their text so a leader does not have to drag them open."""
    for index, col in enumerate(frame.columns, start=1):
        cells = [str(col), *(str(v) for v in frame[col].head(200))]
        # CJK characters take about two Latin widths.
        width = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) for text in cells), default=8)
        letter = worksheet.cell(row=1, column=index).column_letter
        worksheet.column_dimensions[letter].width = min(max(width + 2, 8), 80)


def file_name(
    town: str,
    topic_name: str,
    year_from: int,
    year_to: int,
    villages_label: str,
    extension: str,
    part: str | None = None,
) -> str:
    """A name that says what is inside: 十里亭镇_社区矫正_2019-2023_全部村.csv."""
    years = str(year_from) if year_from == year_to else f"{year_from}-{year_to}"
    pieces = [town, topic_name, years, villages_label]
    if part:
        pieces.append(part)
    stem = "_".join(_BAD_FILE_CHARS.sub("", piece).strip() for piece in pieces if piece)
    return f"{stem}.{extension.lstrip('.')}"
