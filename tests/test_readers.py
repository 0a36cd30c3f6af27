"""Real spreadsheets as DOMAIN.md describes them load with every number right."""

import datetime as dt

import pytest

from etl.authoring.demo import SEED_EVENT
from tests.builders import CORRECTION_HEADER, EVENT_HEADER, MENTAL_HEADER, correction_sheet, staffing_rows


def values(con, indicator, year=2021):
    rows = con.execute(
        "select village_name, value from indicator_values where indicator_code = ? and year = ? order by village_name",
        [indicator, year],
    ).fetchall()
    return dict(rows)


def test_template_layout_loads_every_number_with_its_cell(books, load, fresh_db):
    path = books.write("社区矫正.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0], ["金凤坪村", 1, 1, 0, 0, 0, 0, 0]]))
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert report.rows == 14
    assert values(fresh_db, "cc_registered") == {"前进路社区": 2, "金凤坪村": 1}
    ref = fresh_db.execute(
        "select source_ref from indicator_values where indicator_code='cc_registered' and village_name='金凤坪村'"
    ).fetchone()[0]
    assert ref == "社区矫正.xlsx!社区矫正!B4"


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_title_unit_row_merged_two_row_header_total_and_notes_load_in_every_format(books, load, fresh_db, suffix):
    rows = [
        ["十里亭镇2021年度社区矫正情况统计表"],
        [None, None, None, None, None, None, "单位：人"],
        ["村（社区）", "在册社区矫正\n对象（人）", "其中", None, None, None, "脱管", "漏管"],
        [None, None, "缓刑", "假释", "管制", "暂予监外执行", None, None],
        ["前进路社区", 3, 2, 1, 0, 0, 0, 0],
        ["金凤坪村", 4, 4, 0, 0, 0, 0, 0],
        ["合  计", 7, 6, 1, 0, 0, 0, 0],
        [],
        ["填表人：张三", None, "审核人：", None, "填报日期：2022年1月5日"],
    ]
    merges = [(2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 2, 5), (2, 6, 3, 6), (2, 7, 3, 7)]
    path = books.write(f"矫正.{suffix}", books.sheet("Sheet1", rows, merges))
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert values(fresh_db, "cc_registered") == {"前进路社区": 3, "金凤坪村": 4}
    assert values(fresh_db, "cc_parole") == {"前进路社区": 1, "金凤坪村": 0}
    assert values(fresh_db, "cc_missed") == {"前进路社区": 0, "金凤坪村": 0}
    total = fresh_db.execute("select sum(value) from indicator_values where indicator_code='cc_registered'").fetchone()[0]
    assert total == 7  # the 合计 row was checked, then dropped: not counted twice
    assert any("合计" in n for n in report.notices)


def test_headers_with_line_breaks_units_and_both_kinds_of_brackets_are_recognised(books, load, fresh_db):
    header = ["村(社区)", "在管\n患者\n(人)", "0级", "1级", "2级", "3级", "4级", "5级", "本年强制\n送治（人）"]
    path = books.write("精神.xlsx", books.sheet("数据", [["年度：2021"], header, ["前进路社区", 10, 5, 3, 1, 1, 0, 0, 1]]))
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert values(fresh_db, "mh_managed") == {"前进路社区": 10}
    assert values(fresh_db, "mh_forced_treatment") == {"前进路社区": 1}


def test_village_names_resolve_however_they_are_written(books, load, fresh_db):
    rows = [["前进路", 1, 1, 0, 0, 0, 0, 0], [" 金凤坪村委会 ", 2, 2, 0, 0, 0, 0, 0], ["十里亭社区居委会", 3, 3, 0, 0, 0, 0, 0]]
    [report] = load(books.write("c.xlsx", correction_sheet(rows)))
    assert report.status == "loaded", report.errors
    assert values(fresh_db, "cc_registered") == {"前进路社区": 1, "金凤坪村": 2, "十里亭社区": 3}


def test_hidden_and_unrelated_sheets_are_skipped_and_said_so(books, load, fresh_db):
    path = books.write(
        "c.xlsx",
        books.sheet("说明", [["本表由司法所填报"]]),
        correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]]),
        books.sheet("草稿", [["村（社区）", "在册社区矫正对象"], ["金凤坪村", 99]], hidden=True),
    )
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert values(fresh_db, "cc_registered") == {"前进路社区": 1}
    assert any("草稿" in n and "隐藏" in n for n in report.notices)
    assert any("说明" in n and "跳过" in n for n in report.notices)


def test_the_sheet_kind_comes_from_headers_not_the_sheet_name(books, load, fresh_db):
    path = books.write("x.xlsx", books.sheet("社区矫正", [["2021年度"], MENTAL_HEADER, ["前进路社区", 2, 1, 1, 0, 0, 0, 0, 0]]))
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert fresh_db.execute("select distinct topic from indicator_values").fetchall() == [("mental_health",)]


@pytest.mark.parametrize(
    ("title", "file_name", "given", "expected"),
    [
        ("十里亭镇2021年度社区矫正情况统计表", "c.xlsx", None, 2021),
        ("年度：2022", "c.xlsx", None, 2022),
        ("社区矫正情况统计表", "社区矫正2020.xlsx", None, 2020),
        ("社区矫正情况统计表", "c.xlsx", 2019, 2019),
        ("2023年度统计表", "社区矫正2023年.xlsx", 2023, 2023),
        ("十里亭镇2021年1月至12月社区矫正情况", "c.xlsx", None, 2021),
    ],
)
def test_the_year_comes_from_the_title_a_year_cell_the_file_name_or_the_command(books, load, fresh_db, title, file_name, given, expected):
    path = books.write(file_name, books.sheet("S", [[title], CORRECTION_HEADER, ["前进路社区", 1, 1, 0, 0, 0, 0, 0]]))
    [report] = load(path, year=given)
    assert report.status == "loaded", report.errors
    assert fresh_db.execute("select distinct year from indicator_values").fetchall() == [(expected,)]


def test_a_filing_date_above_the_table_is_not_taken_for_the_year(books, load, fresh_db):
    rows = [
        ["十里亭镇2021年度社区矫正情况统计表"],
        [None, None, None, None, None, "2022年1月8日"],
        CORRECTION_HEADER,
        ["前进路社区", 1, 1, 0, 0, 0, 0, 0],
    ]
    [report] = load(books.write("c.xlsx", books.sheet("S", rows)))
    assert report.status == "loaded", report.errors
    assert fresh_db.execute("select distinct year from indicator_values").fetchone()[0] == 2021


def test_a_year_label_beside_a_number_cell_gives_the_year(books, load, fresh_db):
    path = books.write(
        "c.xlsx", books.sheet("S", [["社区矫正统计表"], ["年度", 2021], CORRECTION_HEADER, ["前进路社区", 1, 1, 0, 0, 0, 0, 0]])
    )
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert fresh_db.execute("select distinct year from indicator_values").fetchone()[0] == 2021


def test_a_form_is_read_in_order_so_each_part_finds_its_total(books, load, fresh_db):
    rows = [["十里亭镇2021年度队伍建设情况表"], ["指标", "数值", "备注"], *staffing_rows()]
    [report] = load(books.write("队伍.xlsx", books.sheet("队伍建设", rows)))
    assert report.status == "loaded", report.errors
    got = dict(fresh_db.execute("select indicator_code, value from indicator_values").fetchall())
    assert got["staff_posts_enforcement"] == 6
    assert got["enf_office_staff_special"] == 2
    assert got["staff_posts_total"] == 38 and got["enf_office_staff"] == 5
    nulls = fresh_db.execute("select count(*) from indicator_values where village_code is not null").fetchone()[0]
    assert nulls == 0  # town-level indicators carry no village


def test_a_form_without_a_header_row_still_loads(books, load, fresh_db):
    rows = [["2021年度队伍建设"], *staffing_rows()]
    [report] = load(books.write("队伍.xlsx", books.sheet("Sheet1", rows)))
    assert report.status == "loaded", report.errors
    assert fresh_db.execute("select value from indicator_values where indicator_code='org_committees'").fetchone()[0] == 3


def test_event_list_keeps_qualifiers_and_dates(books, load, fresh_db):
    rows = [
        ["2021年普法宣传活动登记表"],
        EVENT_HEADER,
        list(SEED_EVENT),  # the report's event, as the demo writes it
        ["2021年12月4日", "", "镇政府", "宪法宣传", None, "约200", "-", 15, 80],
    ]
    [report] = load(books.write("普法.xlsx", books.sheet("普法", rows)))
    assert report.status == "loaded", report.errors
    events = fresh_db.execute(
        "select event_date, village_name, materials, materials_qualifier, banners, consultations, consultations_qualifier, participants "
        "from outreach_events order by event_date"
    ).fetchall()
    assert events[0] == (dt.date(2021, 7, 15), "前进路社区", 1000, "at_least", 2, 30, "at_least", None)
    assert events[1] == (dt.date(2021, 12, 4), None, 200, "approx", None, 15, "exact", 80)


def test_one_workbook_with_two_departments_sheets_makes_two_submissions(books, load, fresh_db):
    path = books.write(
        "司法所.xlsx",
        correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]]),
        books.sheet("普法", [["2021年普法活动"], EVENT_HEADER, ["2021-05-01", "金凤坪村", "村委会", "劳动法宣传", None, 100, 1, 10, 50]]),
    )
    [report] = load(path)
    assert report.status == "loaded", report.errors
    topics = fresh_db.execute("select topic from submission_history order by topic").fetchall()
    assert topics == [("correction",), ("outreach",)]


def test_a_police_station_column_merged_over_its_villages_is_ignored(books, load, fresh_db):
    rows = [
        ["2021年度吸毒人员统计表"],
        ["所属派出所", "村（社区）", "在册吸毒人员（人）", "现报到（人）"],
        ["十里亭派出所", "前进路社区", 10, 1],
        [None, "金凤坪村", 8, 0],
        ["十里亭派出所小计", None, 18, 1],
    ]
    path = books.write("毒.xlsx", books.sheet("S", rows, merges=[(2, 0, 3, 0)]))
    [report] = load(path)
    assert report.status == "loaded", report.errors
    assert values(fresh_db, "drug_registered") == {"前进路社区": 10, "金凤坪村": 8}


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_village_name_merged_over_its_two_rows_of_events_names_both(books, load, fresh_db, suffix):
    rows = [
        ["2021年普法活动"],
        EVENT_HEADER,
        ["2021-03-01", "前进路社区", "广场", "宣传一", None, 10, 1, 1, 1],
        ["2021-03-02", None, "广场", "宣传二", None, 20, 1, 1, 1],
    ]
    [report] = load(books.write(f"e.{suffix}", books.sheet("S", rows, merges=[(2, 1, 3, 1)])))
    assert report.status == "loaded", report.errors
    got = fresh_db.execute("select theme, village_name from outreach_events order by theme").fetchall()
    assert got == [("宣传一", "前进路社区"), ("宣传二", "前进路社区")]
