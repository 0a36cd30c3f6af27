"""A problem in a hidden row, column or sheet says it is hidden and how to show it; numbers in
hidden rows are loaded and said to be."""

import io

import openpyxl
import pytest
import xlwt

from tests.builders import CORRECTION_HEADER

ID_LIKE = "44020419800101123X"


def with_hidden(suffix: str, rows, hidden_rows=(), hidden_cols=()) -> bytes:
    """A one-sheet workbook with some rows and columns hidden, as Excel, old Excel and LibreOffice save it."""
    if suffix == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "S"
        for line in rows:
            sheet.append(line)
        for r in hidden_rows:
            sheet.row_dimensions[r + 1].hidden = True
        for c in hidden_cols:
            sheet.column_dimensions[openpyxl.utils.get_column_letter(c + 1)].hidden = True
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if suffix == "xls":
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("S")
        for r, line in enumerate(rows):
            for c, value in enumerate(line):
                if value is not None:
                    sheet.write(r, c, value)
        for r in hidden_rows:
            sheet.row(r).hidden = True
        for c in hidden_cols:
            sheet.col(c).hidden = True
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="S")
    width = max(len(line) for line in rows)
    for c in range(width):
        table.addElement(TableColumn(visibility="collapse") if c in hidden_cols else TableColumn())
    for r, line in enumerate(rows):
        row = TableRow(visibility="collapse") if r in hidden_rows else TableRow()
        for value in line:
            if value is None:
                cell = TableCell()
            elif isinstance(value, str):
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            else:
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_an_id_number_in_a_hidden_row_says_the_row_is_hidden_and_how_to_show_it(tmp_path, load, suffix):
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", 1, 1, 0, 0, 0, 0, 0], ["备注", None, None, None, None, None, None, ID_LIKE]]
    path = tmp_path / f"c.{suffix}"
    path.write_bytes(with_hidden(suffix, rows, hidden_rows=[3]))
    [report] = load(path)
    [error] = report.errors
    assert (error.code, error.cell) == ("PERSONAL_DATA", "H4")
    assert "第 4 行是隐藏的" in error.message and "取消隐藏" in error.message
    assert ID_LIKE not in error.message


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_bad_count_in_a_hidden_column_says_the_column_is_hidden(tmp_path, load, suffix):
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", 1, 1, 0, 0, 0, 0, -1]]
    path = tmp_path / f"c.{suffix}"
    path.write_bytes(with_hidden(suffix, rows, hidden_cols=[7]))
    [report] = load(path)
    [error] = report.errors
    assert (error.code, error.cell) == ("NEGATIVE", "H3")
    assert "H 列是隐藏的" in error.message


def test_personal_data_on_a_hidden_sheet_says_the_sheet_is_hidden(books, load):
    from tests.builders import correction_sheet

    path = books.write("c.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]]), books.sheet("名单", [["姓名"]], hidden=True))
    [report] = load(path)
    [error] = report.errors
    assert error.sheet == "名单" and "工作表“名单”是隐藏的" in error.message and "取消隐藏" in error.message


def test_numbers_in_a_hidden_row_are_loaded_and_said_to_be(tmp_path, load, fresh_db):
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", 1, 1, 0, 0, 0, 0, 0], ["金凤坪村", 2, 2, 0, 0, 0, 0, 0]]
    path = tmp_path / "c.xlsx"
    path.write_bytes(with_hidden("xlsx", rows, hidden_rows=[3]))
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert any("第 4 行（金凤坪村）是隐藏的" in notice for notice in report.notices)
    assert fresh_db.execute("select sum(value) from indicator_values where indicator_code = 'cc_registered'").fetchone()[0] == 3
