"""A count is loaded only as the number its cell shows a person: a count cell formatted as a
percentage, date, time or currency is refused with the cell and what it shows, in every format
and from every writer (Excel/WPS through openpyxl, old Excel through xlwt, LibreOffice through
odfpy, Gnumeric, XlsxWriter)."""

import datetime as dt

import pytest

from tests.builders import CORRECTION_HEADER, MENTAL_HEADER
from tests.format_writers import Fmt, ods_bytes, xls_bytes, xlsx_bytes

WRITERS = {"xlsx": xlsx_bytes, "xls": xls_bytes, "ods": ods_bytes}


def write(tmp_path, suffix, rows, **options):
    path = tmp_path / f"社区矫正2021.{suffix}"
    path.write_bytes(WRITERS[suffix](rows, **options))
    return path


def rejected(load, path):
    [report] = load(path)
    assert report.status == "rejected", "a formatted count was loaded"
    return report.errors


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_count_showing_100_percent_is_refused_with_what_it_shows(tmp_path, load, fresh_db, suffix):
    # 在册 and 缓刑 show 100%: they hold 1 and 1, and the sum rule holds — yet nobody wrote 1.
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", Fmt(1, "0%"), Fmt(1, "0%"), 0, 0, 0, 0, 0]]
    errors = rejected(load, write(tmp_path, suffix, rows))
    assert [(e.code, e.cell) for e in errors] == [("COUNT_FORMAT", "B3"), ("COUNT_FORMAT", "C3")]
    assert errors[0].message.startswith("单元格 B3 显示为 100%（百分比），这里应填写人数")
    assert fresh_db.execute("select count(*) from fact").fetchone()[0] == 0


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_percentage_stored_as_a_fraction_says_what_it_shows_not_that_it_has_decimals(tmp_path, load, suffix):
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", 2, 2, 0, 0, 0, Fmt(0.85, "0%"), 0]]
    [error] = rejected(load, write(tmp_path, suffix, rows))
    assert (error.code, error.cell) == ("COUNT_FORMAT", "G3")
    assert "显示为 85%（百分比）" in error.message and "小数" not in error.message


@pytest.mark.parametrize(
    ("value", "code", "shown", "kind"),
    [
        (44561, "yyyy-mm-dd", "2021-12-31", "日期"),
        (0.5, "h:mm", "12:00", "时间"),
        (12, '"¥"#,##0.00', "¥12.00", "货币"),
        (12, "[$¥-804]#,##0.00", "¥12.00", "货币"),
        (0.5, "0.00%", "50.00%", "百分比"),
    ],
)
def test_dates_times_and_money_in_count_cells_are_refused_as_they_show(tmp_path, load, value, code, shown, kind):
    rows = [["2021年度"], MENTAL_HEADER, ["前进路社区", 12, 12, 0, 0, 0, 0, 0, Fmt(value, code)]]
    [error] = rejected(load, write(tmp_path, "xlsx", rows))
    assert (error.code, error.cell) == ("COUNT_FORMAT", "I3")
    assert f"显示为 {shown}（{kind}）" in error.message


def test_a_whole_column_of_one_hundred_percent_is_refused_cell_by_cell(tmp_path, load):
    # 签订监护人责任书 "100%" for every village: a column of 1s that looked right.
    header = [*MENTAL_HEADER[:-1], "签订监护人责任书（份）"]
    rows = [["2021年度"], header]
    for name in ("前进路社区", "金凤坪村", "红星社区"):
        rows.append([name, 3, 2, 1, 0, 0, 0, 0, Fmt(1, "0%")])
    errors = rejected(load, write(tmp_path, "xlsx", rows))
    assert [(e.code, e.cell) for e in errors] == [("COUNT_FORMAT", f"I{r}") for r in (3, 4, 5)]
    assert "这里应填写份数" in errors[0].message


def test_a_gnumeric_style_ods_percentage_written_as_a_float_is_refused(tmp_path, load):
    # Gnumeric keeps no percentage value type: a float cell under a percentage style, "100%" as its text.
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", Fmt(1, "0%"), 1, 0, 0, 0, 0, 0]]
    [error] = rejected(load, write(tmp_path, "ods", rows, float_typed=True))
    assert (error.code, error.cell, "100%" in error.message) == ("COUNT_FORMAT", "B3", True)


def test_plain_number_formats_load_as_the_numbers_they_show(tmp_path, load, fresh_db):
    rows = [
        ["2021年度"],
        CORRECTION_HEADER,
        ["前进路社区", Fmt(1200, "#,##0"), Fmt(1200, "0"), 0, 0, 0, Fmt(0, "0.00"), Fmt(0, "G/通用格式")],
        ["金凤坪村", Fmt(3, '0"人"'), Fmt(3, "0_ "), 0, 0, 0, 0, 0],
    ]
    [report] = load(write(tmp_path, "xlsx", rows))
    assert report.status == "loaded", report.errors
    got = dict(fresh_db.execute("select village_name, value from indicator_values where indicator_code = 'cc_registered'").fetchall())
    assert got == {"前进路社区": 1200, "金凤坪村": 3}


def test_a_total_row_formatted_as_percent_is_refused_too(tmp_path, load):
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", 1, 1, 0, 0, 0, 0, 0], ["合计", Fmt(1, "0%"), 1, 0, 0, 0, 0, 0]]
    [error] = rejected(load, write(tmp_path, "xlsx", rows))
    assert (error.code, error.cell) == ("COUNT_FORMAT", "B4")


def test_an_event_list_count_in_money_is_refused_but_its_date_column_is_fine(tmp_path, load):
    header = ["活动日期", "村（社区）", "活动主题", "发放资料（份）", "参与人数（人）"]
    rows = [["2021年普法活动"], header, [Fmt(dt.date(2021, 7, 15), "yyyy-mm-dd"), "前进路社区", "宣传", Fmt(300, '"¥"#,##0'), 50]]
    [error] = rejected(load, write(tmp_path, "xlsx", rows))
    assert (error.code, error.cell) == ("COUNT_FORMAT", "D3")


def test_a_form_value_formatted_as_a_date_is_refused_with_what_it_shows(tmp_path, load):
    rows = [
        ["2021年度"],
        ["指标", "数值"],
        ["核定公务员编制数（名）", Fmt(38, "yyyy/m/d")],
        ["其中：行政编制（名）", 32],
        ["其中：行政执法专项编制（名）", 6],
    ]
    [error] = rejected(load, write(tmp_path, "xls", rows))
    assert (error.code, error.cell) == ("COUNT_FORMAT", "B3")
    assert "1900-02-07（日期）" in error.message


def test_a_count_that_shows_fewer_decimals_than_it_holds_says_what_it_holds(tmp_path, load):
    rows = [["2021年度"], CORRECTION_HEADER, ["前进路社区", Fmt(2.4, "0"), 2, 0, 0, 0, 0, 0]]
    errors = rejected(load, write(tmp_path, "xlsx", rows))
    assert [(e.code, e.cell) for e in errors][0] == ("FRACTIONAL", "B3")
    assert "2.4" in errors[0].message
