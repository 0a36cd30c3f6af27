"""Write simple sheet specifications as .xlsx, .xls or .ods (for samples, templates and tests).

A `SheetSpec` is rows of values plus merged ranges; this module turns it into a file
the way an office program would save it, so the demo and the tests exercise the same
reader as real submissions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SheetSpec:
    name: str
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (first_row, first_col, last_row, last_col), 0-based
    hidden: bool = False
    widths: dict[int, float] = field(default_factory=dict)


def write_xlsx(path: Path, sheets: list[SheetSpec]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.name)
        for r, line in enumerate(spec.rows, start=1):
            for c, value in enumerate(line, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text a clerk typed as '=…, not a formula
                if isinstance(value, str) and "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
                if isinstance(value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm-dd"
        for r0, c0, r1, c1 in spec.merges:
            sheet.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        if spec.rows and spec.rows[0] and isinstance(spec.rows[0][0], str):
            sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
        for col, width in spec.widths.items():
            sheet.column_dimensions[get_column_letter(col + 1)].width = width
        if spec.hidden:
            sheet.sheet_state = "hidden"
    book.save(path)


def write_xls(path: Path, sheets: list[SheetSpec]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for spec in sheets:
        sheet = book.add_sheet(spec.name)
        merged_cells = {(r, c) for r0, c0, r1, c1 in spec.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r0, c0, r1, c1 in spec.merges:
            value = spec.rows[r0][c0] if c0 < len(spec.rows[r0]) else None
            sheet.write_merge(r0, r1, c0, c1, value if value is not None else "")
        for r, line in enumerate(spec.rows):
            for c, value in enumerate(line):
                if value is None or (r, c) in merged_cells:
                    continue
                if isinstance(value, (dt.date, dt.datetime)):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
        if spec.hidden:
            sheet.visibility = 1
    book.save(str(path))


def write_ods(path: Path, sheets: list[SheetSpec]) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for spec in sheets:
        table = Table(name=spec.name)
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in spec.merges}
        covered = {(r, c) for r0, c0, r1, c1 in spec.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(spans)
        for r, line in enumerate(spec.rows):
            row = TableRow()
            for c, value in enumerate(line):
                if (r, c) in covered:
                    row.addElement(CoveredTableCell())
                    continue
                attrs = {}
                if (r, c) in spans:
                    attrs["numberrowsspanned"], attrs["numbercolumnsspanned"] = spans[(r, c)]
                if value is None:
                    cell = TableCell(**attrs)
                elif isinstance(value, bool) or not isinstance(value, (int, float, dt.date)):
                    cell = TableCell(valuetype="string", **attrs)
                    cell.addElement(P(text=str(value)))
                elif isinstance(value, dt.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attrs)
                    cell.addElement(P(text=value.isoformat()))
                else:
                    cell = TableCell(valuetype="float", value=value, **attrs)
                    cell.addElement(P(text=str(value)))
                row.addElement(cell)
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def write_workbook(path: Path, sheets: list[SheetSpec]) -> None:
    """Write by the file's extension."""
    path = Path(path)
    writer = {".xlsx": write_xlsx, ".xls": write_xls, ".ods": write_ods}[path.suffix.lower()]
    writer(path, sheets)
