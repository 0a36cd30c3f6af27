"""Bad workbooks are refused whole, every problem listed by sheet and cell, in Chinese."""

import re

import pytest

from tests.builders import CORRECTION_HEADER, EVENT_HEADER, MENTAL_HEADER, correction_sheet, staffing_rows

OK_ROW = ["金凤坪村", 1, 1, 0, 0, 0, 0, 0]


def refused(load, path, **kwargs):
    [report] = load(path, **kwargs)
    assert report.status == "rejected", f"expected a refusal, got {report.status}"
    for problem in report.errors:
        assert re.search(r"[\u4e00-\u9fff]", problem.message), "messages are Chinese"
    return report.errors


def nothing_written(con):
    return con.execute("select count(*) from fact").fetchone()[0] == 0 and con.execute("select count(*) from submission").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("row", "code", "cell"),
    [
        (["前进路社区", -1, 0, 0, 0, 0, 0, 0], "NEGATIVE", "B3"),
        (["前进路社区", 2.5, 2, 0, 0, 0, 0, 0], "FRACTIONAL", "B3"),
        (["前进路社区", "基本都在", 2, 0, 0, 0, 0, 0], "NOT_A_COUNT", "B3"),
        (["前进路社区", 3, 2, 0, 0, 0, 0, 0], "RULE_SUM", "B3"),
        (["前进里社区", 2, 2, 0, 0, 0, 0, 0], "UNKNOWN_VILLAGE", "A3"),
        ([None, 2, 2, 0, 0, 0, 0, 0], "MISSING_VILLAGE", "A3"),
    ],
)
def test_each_bad_cell_is_named_with_a_code_and_nothing_is_written(books, load, fresh_db, row, code, cell):
    path = books.write("c.xlsx", correction_sheet([row, OK_ROW]))
    errors = refused(load, path)
    assert [(e.code, e.sheet, e.cell) for e in errors] == [(code, "社区矫正", cell)]
    assert nothing_written(fresh_db)


def test_every_problem_in_a_file_is_listed_not_just_the_first(books, load, fresh_db):
    rows = [["前进路社区", -1, 0, 0, 0, 0, 0, 0], ["红星社区", "x", 1, 0, 0, 0, 0, 0], ["不存在村", 1, 1, 0, 0, 0, 0, 0]]
    errors = refused(load, books.write("c.xlsx", correction_sheet(rows)))
    assert {(e.code, e.cell) for e in errors} == {("NEGATIVE", "B3"), ("NOT_A_COUNT", "B4"), ("UNKNOWN_VILLAGE", "A5")}


def test_an_unknown_village_gets_the_closest_known_names(books, load):
    errors = refused(load, books.write("c.xlsx", correction_sheet([["前进社区", 1, 1, 0, 0, 0, 0, 0]])))
    assert "前进路社区" in errors[0].message


def test_a_broken_sum_rule_names_the_total_cell(books, load):
    header = ["2021年度"], MENTAL_HEADER
    errors = refused(load, books.write("m.xlsx", books.sheet("S", [*header, ["前进路社区", 233, 200, 20, 8, 3, 1, 0, 5]])))
    assert [(e.code, e.cell) for e in errors] == [("RULE_SUM", "B3")]
    assert "232" in errors[0].message and "233" in errors[0].message


def test_a_part_larger_than_its_total_is_refused(books, load):
    rows = [["2021年度"], ["村（社区）", "在册吸毒人员", "现报到", "死亡", "服刑、强戒"], ["前进路社区", 5, 3, 2, 1]]
    errors = refused(load, books.write("d.xlsx", books.sheet("S", rows)))
    assert [(e.code, e.cell) for e in errors] == [("RULE_AT_MOST", "B3")]


def test_a_total_row_that_disagrees_with_its_villages_is_refused(books, load):
    rows = [["前进路社区", 2, 2, 0, 0, 0, 0, 0], ["金凤坪村", 1, 1, 0, 0, 0, 0, 0], ["合计", 4, 3, 0, 0, 0, 0, 0]]
    errors = refused(load, books.write("c.xlsx", correction_sheet(rows)))
    assert {(e.code, e.cell) for e in errors} == {("TOTAL_MISMATCH", "B5")}
    assert "3" in errors[0].message and "4" in errors[0].message


def test_a_village_twice_is_refused_rather_than_counted_twice(books, load):
    errors = refused(load, books.write("c.xlsx", correction_sheet([OK_ROW, ["金凤坪村委会", 1, 1, 0, 0, 0, 0, 0]])))
    assert [(e.code, e.cell) for e in errors] == [("DUPLICATE_VILLAGE", "A4")]


def test_a_missing_year_is_refused_with_how_to_give_it(books, load):
    errors = refused(load, books.write("c.xlsx", correction_sheet([OK_ROW], year=None)))
    assert [e.code for e in errors] == ["YEAR_MISSING"]
    assert "--year" in errors[0].message


@pytest.mark.parametrize(
    ("title", "file_name", "given"),
    [("2021年度社区矫正", "社区矫正2022.xlsx", None), ("2021年度社区矫正", "c.xlsx", 2020), ("2021年度（2020年度数据）", "c.xlsx", None)],
)
def test_a_year_that_conflicts_is_refused(books, load, title, file_name, given):
    path = books.write(file_name, books.sheet("S", [[title], CORRECTION_HEADER, OK_ROW]))
    errors = refused(load, path, year=given)
    assert [e.code for e in errors] == ["YEAR_CONFLICT"]


def test_a_number_in_an_unknown_column_is_refused_not_dropped(books, load):
    rows = [["2021年度"], [*CORRECTION_HEADER, "其他人员"], [*OK_ROW, 3]]
    errors = refused(load, books.write("c.xlsx", books.sheet("S", rows)))
    assert [(e.code, e.cell) for e in errors] == [("UNKNOWN_COLUMN", "I2")]


def test_a_form_row_with_an_unknown_label_is_refused(books, load):
    rows = [["2021年度"], ["指标", "数值"], *staffing_rows(), ["食堂工作人员（人）", 3]]
    errors = refused(load, books.write("s.xlsx", books.sheet("S", rows)))
    assert [(e.code, e.cell) for e in errors] == [("UNKNOWN_INDICATOR", "A16")]


def test_a_form_rule_is_checked(books, load):
    rows = [["2021年度"], ["指标", "数值"], *staffing_rows(核定公务员编制数=40)]
    errors = refused(load, books.write("s.xlsx", books.sheet("S", rows)))
    assert [(e.code, e.cell) for e in errors] == [("RULE_SUM", "B3")]


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_count_merged_over_two_villages_is_refused(books, load, suffix):
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", 2, 2, 0, 0, 0, 0, 0], ["金凤坪村", 2, 2, 0, 0, 0, 0, 0]]
    errors = refused(load, books.write(f"c.{suffix}", books.sheet("S", rows, merges=[(2, 7, 3, 7)])))
    assert [(e.code, e.cell) for e in errors] == [("MERGED_COUNT", "H4")]


def test_two_sheets_of_the_same_kind_and_year_are_refused(books, load):
    path = books.write("c.xlsx", correction_sheet([OK_ROW], name="A"), correction_sheet([OK_ROW], name="B"))
    assert [e.code for e in refused(load, path)] == ["DUPLICATE_TOPIC"]


def test_events_outside_the_year_and_without_a_date_are_refused(books, load):
    rows = [
        ["2021年普法活动"],
        EVENT_HEADER,
        ["2020-12-30", "前进路社区", "广场", "宣传", None, 10, 1, 1, 1],
        [None, "前进路社区", "广场", "另一次宣传", None, 10, 1, 1, 1],
        ["下周", "前进路社区", "广场", "又一次", None, 1, 1, 1, 1],
    ]
    errors = refused(load, books.write("e.xlsx", books.sheet("S", rows)))
    assert {(e.code, e.cell) for e in errors} == {("DATE_OUTSIDE_YEAR", "A3"), ("MISSING_DATE", "A4"), ("BAD_DATE", "A5")}


@pytest.mark.parametrize(
    ("rows", "cell"),
    [
        ([["2021年度"], ["村（社区）", "姓名", "在册社区矫正对象"], ["前进路社区", "某某", 1]], "B2"),
        ([["2021年度"], ["村（社区）", "身份证号码", "在册社区矫正对象"], ["前进路社区", None, 1]], "B2"),
        ([["2021年度"], CORRECTION_HEADER, ["前进路社区", 1, 1, 0, 0, 0, 0, "备注 44020419800101123X"]], "H3"),
        ([["2021年度"], CORRECTION_HEADER, ["前进路社区", 1, 1, 0, 0, 0, 0, 440204198001011234]], "H3"),
    ],
)
def test_personal_identifiers_refuse_the_file_and_are_never_echoed(books, load, fresh_db, rows, cell):
    path = books.write("c.xlsx", books.sheet("S", rows))
    errors = refused(load, path)
    assert {(e.code, e.cell) for e in errors} == {("PERSONAL_DATA", cell)}
    assert "只" in errors[0].message and "个人信息" in errors[0].message
    stored = fresh_db.execute("select errors, notices from load_attempt").fetchone()
    for secret in ("44020419800101123X", "440204198001011234", "某某"):
        assert secret not in str(stored) and secret not in errors[0].message
    assert nothing_written(fresh_db)


def test_personal_data_on_a_hidden_sheet_is_refused_too(books, load):
    path = books.write("c.xlsx", correction_sheet([OK_ROW]), books.sheet("名单", [["姓名", "身份证号"]], hidden=True))
    assert {e.code for e in refused(load, path)} == {"PERSONAL_DATA"}


def test_a_workbook_with_no_recognisable_table_is_refused(books, load):
    errors = refused(load, books.write("x.xlsx", books.sheet("S", [["会议纪要"], ["内容", "略"]])))
    assert [e.code for e in errors] == ["NO_DATA_SHEET"]


def test_a_table_whose_headers_cannot_be_read_is_refused_not_skipped(books, load):
    rows = [["2021年度"], ["村名", "A", "B"], ["前进路社区", 1, 2], ["金凤坪村", 3, 4], ["红星社区", 5, 6]]
    errors = refused(load, books.write("x.xlsx", books.sheet("S", rows)))
    assert [(e.code, e.sheet) for e in errors] == [("NO_DATA_SHEET", "S")]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.4 not a workbook", "FILE_TYPE"),
        (b"MZ\x90\x00 an exe", "FILE_TYPE"),
        (b"", "FILE_EMPTY"),
        (b"PK\x03\x04 truncated zip", "FILE_CORRUPT"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "FILE_CORRUPT"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_by_content_not_name(tmp_path, load, content, code):
    path = tmp_path / "统计表.xlsx"
    path.write_bytes(content)
    assert [e.code for e in refused(load, path)] == [code]


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, load):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    assert [e.code for e in refused(load, path)] == ["FILE_TOO_LARGE"]


def test_xml_with_entity_declarations_is_refused(tmp_path, load):
    import zipfile

    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><Types/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert [e.code for e in refused(load, path)] == ["FILE_UNSAFE"]
