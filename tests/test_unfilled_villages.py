"""A template with only some villages filled loads, says which listed villages have no numbers,
and records how many in the warehouse (submission_history.unfilled_villages) for the ledger's 部分."""

import openpyxl

from etl.authoring.templates import write_template
from etl.reference.places import load_places
from tests.builders import correction_sheet


def test_a_template_with_three_of_sixteen_villages_filled_loads_and_names_the_rest(tmp_path, load, fresh_db):
    path = tmp_path / "禁毒办2021.xlsx"
    write_template("禁毒办", path, year=2021)
    book = openpyxl.load_workbook(path)
    sheet = book["吸毒人员"]
    filled = {"前进路社区": [10, 1, 0, 2], "金凤坪村": [8, 0, 1, 1], "五里亭社区": [7, 1, 1, 0]}
    for row in sheet.iter_rows(min_row=5):
        if row[0].value in filled:
            for cell, value in zip(row[1:], filled[row[0].value]):
                cell.value = value
    book.save(path)
    [report] = load(path)
    assert report.status == "loaded", report.errors
    [notice] = [n for n in report.notices if "没有填写" in n]
    others = [v.name for v in load_places().villages if v.name not in filled]
    assert "13 个村（社区）没有填写：" in notice and all(name in notice for name in others)
    assert fresh_db.execute("select unfilled_villages from submission_history").fetchall() == [(13,)]


def test_a_fully_filled_table_records_none_unfilled_and_a_form_records_null(books, load, fresh_db):
    from tests.builders import staffing_rows

    load(
        books.write(
            "c.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0], ["金凤坪村", "-", None, None, None, None, None, None]])
        )
    )
    load(books.write("s.xlsx", books.sheet("S", [["2021年度"], ["指标", "数值"], *staffing_rows()])))
    got = dict(fresh_db.execute("select topic, unfilled_villages from submission_history").fetchall())
    assert got == {"correction": 1, "staffing": None}
