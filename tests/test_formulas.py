"""Formulas: a result saved by an office program (LibreOffice, Excel, WPS) is read; a formula a
program wrote without calculating it (openpyxl: no result; XlsxWriter: a placeholder 0 that Excel
recalculates on opening) is refused where it holds a count, and a total made of such formulas
is said to be unchecked."""

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.builders import CORRECTION_HEADER

FIXTURES = Path(__file__).parent / "fixtures"
TITLE = ["十里亭镇2021年度社区矫正情况统计表"]


def registered(con):
    return dict(con.execute("select village_name, value from indicator_values where indicator_code = 'cc_registered'").fetchall())


@pytest.mark.parametrize("name", ["libreoffice_公式_社区矫正2021.xlsx", "libreoffice_公式_社区矫正2021.ods"])
def test_formulas_saved_by_libreoffice_load_with_their_results(load, fresh_db, name):
    [report] = load(FIXTURES / name)
    assert report.status == "loaded", report.errors
    assert registered(fresh_db) == {"前进路社区": 3, "金凤坪村": 4, "红星社区": 1}
    assert any("合计行已与各村之和核对" in n for n in report.notices)


def xlsxwriter_book(path: Path, write_rows, **options) -> Path:
    book = xlsxwriter.Workbook(str(path), options)
    sheet = book.add_worksheet("社区矫正")
    write_rows(book, sheet)
    book.close()
    return path


def test_an_xlsxwriter_count_formula_with_its_placeholder_zero_is_refused(tmp_path, load, fresh_db):
    def rows(book, sheet):
        sheet.write_row(0, 0, TITLE)
        sheet.write_row(1, 0, CORRECTION_HEADER)
        sheet.write_row(2, 0, ["前进路社区"])
        sheet.write_formula(2, 1, "=SUM(C3:F3)")  # cached as 0 until Excel opens it
        sheet.write_row(2, 2, [2, 1, 0, 0, 0, 0])

    [report] = load(xlsxwriter_book(tmp_path / "c.xlsx", rows))
    assert [(e.code, e.cell) for e in report.errors] == [("FORMULA_NOT_CALCULATED", "B3")]
    assert "保存一次" in report.errors[0].message
    assert fresh_db.execute("select count(*) from fact").fetchone()[0] == 0


def test_an_xlsxwriter_formula_written_with_its_result_loads(tmp_path, load, fresh_db):
    def rows(book, sheet):
        sheet.write_row(0, 0, TITLE)
        sheet.write_row(1, 0, CORRECTION_HEADER)
        sheet.write_row(2, 0, ["前进路社区"])
        sheet.write_formula(2, 1, "=SUM(C3:F3)", None, 3)
        sheet.write_row(2, 2, [2, 1, 0, 0, 0, 0])

    [report] = load(xlsxwriter_book(tmp_path / "c.xlsx", rows))
    assert report.status == "loaded", report.errors
    assert registered(fresh_db) == {"前进路社区": 3}


@pytest.mark.parametrize(
    "options", [{}, {"constant_memory": True}, {"strings_to_numbers": False}], ids=["shared strings", "inline strings", "plain"]
)
def test_an_xlsxwriter_table_with_a_formula_total_loads_and_says_the_total_was_not_checked(tmp_path, load, fresh_db, options):
    def rows(book, sheet):
        whole = book.add_format({"num_format": "0"})
        sheet.write_row(0, 0, TITLE)
        sheet.write_row(1, 0, CORRECTION_HEADER)
        sheet.write_row(2, 0, ["前进路社区", 3, 2, 1, 0, 0, 0, 0], whole)
        sheet.write_row(3, 0, ["金凤坪村", 4, 4, 0, 0, 0, 0, 0])
        sheet.write(4, 0, "合计")
        for col in range(1, 8):
            letter = chr(65 + col)
            sheet.write_formula(4, col, f"=SUM({letter}3:{letter}4)")
        sheet.write(6, 0, "填表人：")

    [report] = load(xlsxwriter_book(tmp_path / "c.xlsx", rows, **options))
    assert report.status == "loaded", report.errors
    assert registered(fresh_db) == {"前进路社区": 3, "金凤坪村": 4}
    assert any("没有保存计算结果的公式" in n and "B5" in n for n in report.notices)


def test_an_openpyxl_formula_without_a_result_is_refused(tmp_path, load):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in [TITLE, CORRECTION_HEADER, ["前进路社区", "=SUM(C3:F3)", 2, 1, 0, 0, 0, 0]]:
        sheet.append(line)
    path = tmp_path / "c.xlsx"
    book.save(path)
    [report] = load(path)
    assert [(e.code, e.cell) for e in report.errors] == [("FORMULA_NOT_CALCULATED", "B3")]


def test_dates_of_a_1904_workbook_load_as_they_show(tmp_path, load, fresh_db):
    path = tmp_path / "普法.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": True})
    sheet = book.add_worksheet("普法")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["2021年普法活动"])
    sheet.write_row(1, 0, ["活动日期", "村（社区）", "活动主题", "发放资料（份）"])
    sheet.write_datetime(2, 0, dt.datetime(2021, 7, 15), day)
    sheet.write_row(2, 1, ["前进路社区", "宣传", 300])
    book.close()
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert fresh_db.execute("select event_date from outreach_events").fetchall() == [(dt.date(2021, 7, 15),)]


def test_an_xls_formula_saved_without_a_result_is_read_as_blank_and_said_so(tmp_path, load, fresh_db):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("社区矫正")
    for r, line in enumerate([TITLE, CORRECTION_HEADER, ["前进路社区", None, 2, 1, 0, 0, 0, 0]]):
        for c, value in enumerate(line):
            if value is not None:
                sheet.write(r, c, value)
    sheet.write(2, 1, xlwt.Formula("SUM(C3:F3)"))  # xlwt saves an empty result; Excel shows 3
    path = tmp_path / "c.xls"
    book.save(str(path))
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert any("B3 是公式" in n and "保存一次" in n for n in report.notices)
    assert fresh_db.execute("select count(*) from indicator_values where indicator_code = 'cc_registered'").fetchone() == (0,)
