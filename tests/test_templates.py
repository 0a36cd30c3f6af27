"""A blank template has what a clerk needs, and a filled one loads."""

import datetime as dt

import openpyxl
import pytest

from etl.authoring.templates import LIST_SHEET, write_template
from etl.reference.catalog import load_catalog


def data_validations(sheet):
    return [(dv.type, str(dv.sqref), dv.formula1) for dv in sheet.data_validations.dataValidation]


@pytest.mark.parametrize(
    ("department", "sheets"),
    [
        ("党政综合办", ["队伍建设"]),
        ("司法所", ["社区矫正", "普法活动"]),
        ("综治办", ["严重精神障碍患者"]),
        ("禁毒办", ["吸毒人员"]),
        ("mental_health", ["严重精神障碍患者"]),
    ],
)
def test_each_department_gets_its_sheets_and_instructions(tmp_path, department, sheets):
    path = tmp_path / "t.xlsx"
    write_template(department, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["填表说明", *sheets, LIST_SHEET]
    assert book[LIST_SHEET].sheet_state == "hidden"
    assert "个人信息" in "".join(str(c.value) for c in book["填表说明"]["A"] if c.value)


def test_a_village_template_has_a_dropdown_whole_number_checks_and_a_year_cell(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template("综治办", path)
    sheet = openpyxl.load_workbook(path)["严重精神障碍患者"]
    kinds = {kind for kind, _, _ in data_validations(sheet)}
    assert {"list", "whole"} <= kinds
    assert any(kind == "list" and LIST_SHEET in formula for kind, _, formula in data_validations(sheet))
    assert sheet["A2"].value == "年度："
    header = [c.value for c in sheet[4]]
    assert header[0] == "村（社区）" and "在管患者（人）" in header


def fill_village_sheet(sheet, numbers):
    for row in sheet.iter_rows(min_row=5):
        name = row[0].value
        if name in numbers:
            for cell, value in zip(row[1:], numbers[name]):
                cell.value = value


def test_a_filled_template_loads(tmp_path, load, fresh_db):
    path = tmp_path / "司法所2021.xlsx"
    write_template("司法所", path)
    book = openpyxl.load_workbook(path)
    correction = book["社区矫正"]
    correction["B2"] = 2021
    fill_village_sheet(correction, {"前进路社区": [3, 3, 0, 0, 0, 0, 0, 1, 0], "金凤坪村": [1, 0, 1, 0, 0, 0, 0, 0, 1]})
    events = book["普法活动"]
    events["B2"] = 2021
    for col, value in enumerate(
        [dt.date(2021, 7, 15), "前进路社区", "保利紫山广场", "民法典宣传", "综治办", "1000余", 2, "30余", None], start=1
    ):
        events.cell(5, col, value)
    book.save(path)
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert report.rows == 2 * 9 + 1
    got = dict(fresh_db.execute("select indicator_code, sum(value) from indicator_values group by 1").fetchall())
    assert got["cc_registered"] == 4 and got["cc_parole"] == 1 and got["cc_released"] == 1
    assert fresh_db.execute("select materials_qualifier from outreach_events").fetchone()[0] == "at_least"


def test_a_filled_staffing_template_reads_its_parts_in_order(tmp_path, load, fresh_db):
    path = tmp_path / "队伍.xlsx"
    write_template("党政综合办", path, year=2021)
    book = openpyxl.load_workbook(path)
    sheet = book["队伍建设"]
    codes = [i.code for i in load_catalog().topic_indicators("staffing")]
    values = {
        "staff_posts_total": 38,
        "staff_posts_admin": 32,
        "staff_posts_enforcement": 6,
        "enf_office_staff": 5,
        "enf_office_staff_special": 2,
        "enf_office_staff_institution": 2,
        "enf_office_staff_contract": 1,
    }
    for offset, code in enumerate(codes):
        if code in values:
            sheet.cell(5 + offset, 2, values[code])
    book.save(path)
    [report] = load(path)
    assert report.status == "loaded", report.errors
    got = dict(fresh_db.execute("select indicator_code, value from indicator_values").fetchall())
    assert got == values


def test_every_check_of_a_template_stops_a_wrong_entry_in_excel_and_wps(tmp_path):
    """Excel and WPS enforce a data validation only when showErrorMessage is on: read the saved XML."""
    import html
    import re
    import zipfile

    path = tmp_path / "t.xlsx"
    write_template("司法所", path)
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
    # openpyxl writes Chinese as character references (&#24180;) when lxml is installed: read them back.
    validations = [html.unescape(tag) for xml in sheets for tag in re.findall(r"<dataValidation [^>]*>", xml)]
    assert len(validations) >= 5
    for tag in validations:
        assert 'showErrorMessage="1"' in tag, tag
        assert 'errorStyle="stop"' in tag or "errorStyle" not in tag, tag
        assert re.search(r'error="[^"]*[\u4e00-\u9fff]', tag), tag
