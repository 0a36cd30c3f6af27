"""The reporting year as clerks write it: a period line (统计时间, 截至, 统计截止日期, 报告期), a
year in Chinese numerals, the file name; never a filing date. Conflicting sources stay an error."""

import pytest

from tests.builders import CORRECTION_HEADER

ROW = ["前进路社区", 1, 1, 0, 0, 0, 0, 0]


def loaded_year(load, fresh_db, path):
    [report] = load(path)
    assert report.status == "loaded", report.errors
    return fresh_db.execute("select distinct year from indicator_values").fetchall()


@pytest.mark.parametrize(
    "line",
    [
        ["统计时间：2022年12月31日"],
        ["截至2022年12月31日"],
        ["统计截止日期：2022-12-31"],
        ["报告期：2022年"],
        ["统计时间：2022年1月1日至2022年12月31日"],
        ["统计时间：", "2022年12月31日"],
        ["统计截止日期", "2022-12-31"],
        ["单位：人", None, "统计时间：2022年12月31日", None, "填报日期：2023年1月6日"],
    ],
)
def test_a_period_line_under_the_title_gives_the_year(books, load, fresh_db, line):
    path = books.write("c.xlsx", books.sheet("S", [["十里亭镇社区矫正情况统计表"], line, CORRECTION_HEADER, ROW]))
    assert loaded_year(load, fresh_db, path) == [(2022,)]


@pytest.mark.parametrize("title", ["十里亭镇二〇二二年度社区矫正情况统计表", "二零二二年社区矫正情况", "社区矫正情况（二〇二二年度）"])
def test_a_year_in_chinese_numerals_gives_the_year(books, load, fresh_db, title):
    path = books.write("c.xlsx", books.sheet("S", [[title], CORRECTION_HEADER, ROW]))
    assert loaded_year(load, fresh_db, path) == [(2022,)]


@pytest.mark.parametrize("line", [["填报日期：2023年1月6日"], ["制表日期：2023年1月"], ["填报日期", "2023年1月"], ["日期：2023年1月6日"]])
def test_a_filing_date_is_never_the_year(books, load, line):
    path = books.write("c.xlsx", books.sheet("S", [["社区矫正情况统计表"], line, CORRECTION_HEADER, ROW]))
    [report] = load(path)
    assert [e.code for e in report.errors] == ["YEAR_MISSING"]


def test_a_filing_date_beside_the_title_year_does_not_conflict(books, load, fresh_db):
    rows = [["十里亭镇2022年度社区矫正情况统计表"], ["填报日期：2023年1月6日"], CORRECTION_HEADER, ROW]
    assert loaded_year(load, fresh_db, books.write("c.xlsx", books.sheet("S", rows))) == [(2022,)]


def test_a_period_line_under_the_table_gives_the_year(books, load, fresh_db):
    rows = [["社区矫正情况统计表"], CORRECTION_HEADER, ROW, [], ["统计时间：2022年12月31日", None, "填表人：张三"]]
    assert loaded_year(load, fresh_db, books.write("c.xlsx", books.sheet("S", rows))) == [(2022,)]


def test_the_year_only_in_the_file_name_still_works(books, load, fresh_db):
    path = books.write("社区矫正二〇二二.xlsx", books.sheet("S", [["社区矫正情况统计表"], CORRECTION_HEADER, ROW]))
    assert loaded_year(load, fresh_db, path) == [(2022,)]


@pytest.mark.parametrize(
    ("rows", "file_name"),
    [
        ([["2021年度社区矫正"], ["统计时间：2022年12月31日"], CORRECTION_HEADER, ROW], "c.xlsx"),
        ([["二〇二二年度社区矫正"], CORRECTION_HEADER, ROW], "社区矫正2021.xlsx"),
        ([["2021年度社区矫正"], CORRECTION_HEADER, ROW, ["统计时间：2022年12月31日"]], "c.xlsx"),
    ],
)
def test_conflicting_sources_stay_an_error(books, load, rows, file_name):
    [report] = load(books.write(file_name, books.sheet("S", rows)))
    assert [e.code for e in report.errors] == ["YEAR_CONFLICT"]
