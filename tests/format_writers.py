"""Workbooks written the way Excel/WPS (openpyxl), old Excel (xlwt) and LibreOffice (odfpy) write them.

A row is a list of cell values; a `Fmt` cell carries an Excel number format code. Pass a list of rows
for one sheet named "统计", or a dict of sheet name → rows for several.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

Rows = list[list[object]]


@dataclass(frozen=True)
class Fmt:
    """A value with an Excel number format code (and, for .ods, the text LibreOffice would save)."""

    value: object
    code: str
    shown: str = ""


def _sheets(rows_or_sheets: Rows | dict[str, Rows]) -> dict[str, Rows]:
    return rows_or_sheets if isinstance(rows_or_sheets, dict) else {"统计": rows_or_sheets}


def xlsx_bytes(
    rows_or_sheets: Rows | dict[str, Rows], bordered: bool = False, date1904: bool = False, hidden: tuple[str, ...] = ()
) -> bytes:
    """An .xlsx as openpyxl (like Excel) writes it: every Fmt cell gets its number_format."""
    import openpyxl
    from openpyxl.styles import Border, Side

    book = openpyxl.Workbook()
    book.remove(book.active)
    if date1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for name, rows in _sheets(rows_or_sheets).items():
        sheet = book.create_sheet(name)
        if name in hidden:
            sheet.sheet_state = "hidden"
        for r, line in enumerate(rows, start=1):
            for c, value in enumerate(line, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, Fmt):
                    cell.value = value.value
                    cell.number_format = value.code
                elif value is not None:
                    cell.value = value
                if bordered:
                    cell.border = border
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_bytes(rows_or_sheets: Rows | dict[str, Rows], bordered: bool = False, date1904: bool = False) -> bytes:
    """An .xls as xlwt writes it, with easyxf(num_format_str=…) for Fmt cells."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    if date1904:
        book.dates_1904 = True
    styles: dict[tuple[str, bool], xlwt.XFStyle] = {}

    def style(code: str) -> xlwt.XFStyle:
        key = (code, bordered)
        if key not in styles:
            spec = "borders: left thin, right thin, top thin, bottom thin" if bordered else ""
            styles[key] = xlwt.easyxf(spec, num_format_str=code)
        return styles[key]

    for name, rows in _sheets(rows_or_sheets).items():
        sheet = book.add_sheet(name)
        for r, line in enumerate(rows):
            for c, value in enumerate(line):
                if isinstance(value, Fmt):
                    sheet.write(r, c, value.value, style(value.code))
                elif value is not None:
                    sheet.write(r, c, value, style("General"))
                elif bordered:
                    sheet.write(r, c, None, style("General"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ods_kind(cell: Fmt) -> str:
    if "%" in cell.code:
        return "percentage"
    if isinstance(cell.value, dt.time) or (cell.code.lower().startswith(("h", "[h")) and not isinstance(cell.value, dt.date)):
        return "time"
    if isinstance(cell.value, dt.date):
        return "date"
    if any(symbol in cell.code for symbol in "¥$€"):
        return "currency"
    return "float"


def ods_bytes(rows_or_sheets: Rows | dict[str, Rows], bordered: bool = False, float_typed: bool = False) -> bytes:
    """An .ods as LibreOffice writes it (through odfpy): percentage/currency/date/time value types with
    data styles. float_typed=True writes percentages and money as float cells with a percentage or
    currency data style, as Gnumeric does."""
    from odf import number
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    percent = number.PercentageStyle(name="N10")
    percent.addElement(number.Number(decimalplaces="0", minintegerdigits="1"))
    percent.addElement(number.Text(text="%"))
    money = number.CurrencyStyle(name="N11")
    money.addElement(number.CurrencySymbol(language="zh", country="CN", text="¥"))
    money.addElement(number.Number(decimalplaces="2", minintegerdigits="1", grouping="true"))
    day = number.DateStyle(name="N12")
    for part in (
        number.Year(style="long"),
        number.Text(text="-"),
        number.Month(style="long"),
        number.Text(text="-"),
        number.Day(style="long"),
    ):
        day.addElement(part)
    clock = number.TimeStyle(name="N13")
    for part in (number.Hours(style="long"), number.Text(text=":"), number.Minutes(style="long")):
        clock.addElement(part)
    for data_style in (percent, money, day, clock):
        doc.automaticstyles.addElement(data_style)
    cell_styles = {}
    for name, data_name in (("ce1", "N10"), ("ce2", "N11"), ("ce3", "N12"), ("ce4", "N13"), ("ce5", None)):
        style = Style(name=name, family="table-cell", **({"datastylename": data_name} if data_name else {}))
        if bordered:
            style.addElement(TableCellProperties(border="0.74pt solid #000000"))
        doc.automaticstyles.addElement(style)
        cell_styles[data_name] = name
    by_kind = {"percentage": "N10", "currency": "N11", "date": "N12", "time": "N13", "float": None}
    for sheet_name, rows in _sheets(rows_or_sheets).items():
        table = Table(name=sheet_name)
        for line in rows:
            row = TableRow()
            for value in line:
                style_name = cell_styles[None] if bordered else None
                kwargs: dict[str, object] = {}
                text = None
                if isinstance(value, Fmt):
                    kind = _ods_kind(value)
                    style_name = cell_styles[by_kind[kind]] if by_kind[kind] else style_name
                    written_kind = "float" if float_typed and kind in ("percentage", "currency") else kind
                    kwargs["valuetype"] = written_kind
                    if kind == "date":
                        kwargs["datevalue"] = value.value.isoformat()
                    elif kind == "time":
                        t = value.value
                        kwargs["timevalue"] = f"PT{t.hour:02d}H{t.minute:02d}M{t.second:02d}S"
                    else:
                        kwargs["value"] = str(value.value)
                        if written_kind == "currency":
                            kwargs["currency"] = "CNY"
                    text = value.shown or _ods_shown_text(kind, value.value)
                elif isinstance(value, bool):
                    kwargs.update(valuetype="boolean", booleanvalue="true" if value else "false")
                    text = "TRUE" if value else "FALSE"
                elif isinstance(value, (int, float)):
                    kwargs.update(valuetype="float", value=str(value))
                    text = str(value)
                elif isinstance(value, str) and value:
                    kwargs.update(valuetype="string")
                    text = value
                if style_name:
                    kwargs["stylename"] = style_name
                cell = TableCell(**kwargs)
                if text is not None:
                    for paragraph in text.split("\n"):
                        cell.addElement(P(text=paragraph))
                row.addElement(cell)
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def _ods_shown_text(kind: str, value: object) -> str:
    if kind == "percentage":
        return f"{float(value) * 100:.0f}%"
    if kind == "currency":
        return f"¥{float(value):,.2f}"
    if kind == "date":
        return value.isoformat()
    if kind == "time":
        return value.strftime("%H:%M")
    return str(value)
