"""Excel number format codes: which are plain, which show a percentage, date, time or money, and what they show."""

from __future__ import annotations

import pytest

from etl.workbook.number_formats import KIND_LABELS, NOT_A_COUNT, classify, show

PLAIN = [
    "General",
    "general",
    "G/通用格式",
    "[DBNum1][$-804]G/通用格式",
    "0",
    "0.00",
    "#,##0",
    "#,##0.00",
    "@",
    "0_ ",
    "0_);[Red](0)",
    "#,##0;[Red]-#,##0",
    '0"人"',
    '#,##0"户"',
    "0;-0;;@",
    '_ * #,##0_ ;_ * \\-#,##0_ ;_ * "-"_ ;_ @_ ',
    "[Blue]0;[Red]-0",
    "000000",
]


@pytest.mark.parametrize("code", PLAIN)
def test_plain_number_formats_are_not_reported(code):
    assert classify(code) is None
    assert show(code, 12) is None


@pytest.mark.parametrize(
    ("code", "value", "kind", "text"),
    [
        ("0%", 1, "percent", "100%"),
        ("0%", 0.85, "percent", "85%"),
        ("0.00%", 0.85, "percent", "85.00%"),
        ("0.0%", 0.1234, "percent", "12.3%"),
        ("0%", 0.855, "percent", "86%"),
        ("[Red]0%", 0.5, "percent", "50%"),
        ("0.0%;[Red]-0.0%", -0.123, "percent", "-12.3%"),
        ("#,##0%", 123.45, "percent", "12,345%"),
        ('yyyy"年"m"月"d"日"', 44392, "date", "2021-07-15"),
        ("yyyy/m/d", 44392, "date", "2021-07-15"),
        ("m/d/yy", 1, "date", "1900-01-01"),
        ("yyyy-mm-dd", 59, "date", "1900-02-28"),
        ("yyyy-mm-dd", 60, "date", "1900-02-29"),
        ("yyyy-mm-dd", 61, "date", "1900-03-01"),
        ("[$-F800]dddd, mmmm dd, yyyy", 44392, "date", "2021-07-15"),
        ('yyyy"年"m"月"', 44392.3, "date", "2021-07-15"),
        ("yyyy-mm-dd hh:mm", 44392.5, "datetime", "2021-07-15 12:00"),
        ("yyyy-mm-dd h:mm:ss", 44392.75, "datetime", "2021-07-15 18:00:00"),
        ("h:mm", 0.5, "time", "12:00"),
        ("hh:mm:ss", 0.5, "time", "12:00:00"),
        ("h:mm AM/PM", 0.75, "time", "18:00"),
        ('上午/下午h"时"mm"分"', 0.75, "time", "18:00"),
        ("mm:ss", 0.01, "time", "14:24"),
        ("[h]:mm", 1.5, "time", "36:00"),
        ("[h]:mm:ss", 1.5, "time", "36:00:00"),
        ("[$¥-804]#,##0.00", 12, "currency", "¥12.00"),
        ("[$¥-804]#,##0.00", -1234.5, "currency", "-¥1,234.50"),
        ("¥#,##0;¥-#,##0", 12, "currency", "¥12"),
        ("¥#,##0;¥-#,##0", -12, "currency", "¥-12"),
        ('"¥"#,##0.00', 5, "currency", "¥5.00"),
        ("￥#,##0.00", 5, "currency", "￥5.00"),
        ('"$"#,##0.00', 5, "currency", "$5.00"),
        ("[$$-409]#,##0.00", 5, "currency", "$5.00"),
        ("[$€-2] #,##0.00", 5, "currency", "€ 5.00"),
        ('#,##0.00"元"', 1234.5, "currency", "1,234.50元"),
        ('#,##0.00"万元"', 3, "currency", "3.00万元"),
        ('_ "¥"* #,##0.00_ ;_ "¥"* \\-#,##0.00_ ;_ "¥"* "-"??_ ;_ @_ ', 12, "currency", "¥12.00"),
        ("0.00E+00", 12, "scientific", "1.20E+01"),
        ("0.00E+00", 0.00012, "scientific", "1.20E-04"),
        ("# ?/?", 12.5, "fraction", "12 1/2"),
        ("# ??/??", 0.75, "fraction", "3/4"),
    ],
)
def test_formats_show_what_excel_shows(code, value, kind, text):
    shown = show(code, value)
    assert shown is not None
    assert (shown.kind, shown.text, shown.format_code) == (kind, text, code)
    assert shown.kind in KIND_LABELS


def test_the_1904_date_system_moves_dates_by_four_years():
    assert show("yyyy-mm-dd", 0, date1904=True).text == "1904-01-01"
    assert show("yyyy-mm-dd", 42930, date1904=True).text == "2021-07-15"


def test_dates_out_of_range_show_hashes_as_excel_does():
    assert show("yyyy-mm-dd", -1).text == "########"
    assert show("yyyy-mm-dd", 3e6).text == "########"


def test_quoted_and_escaped_letters_are_literals_not_date_parts():
    assert classify('0"d"') is None
    assert classify("0\\h") is None
    assert classify('0.0"%"') is None  # a quoted % is text, it does not scale
    assert classify('0.0"m/s"') is None


def test_currency_symbol_in_a_locale_block_counts_but_a_bare_locale_does_not():
    assert classify("[$¥-804]0") == "currency"
    assert classify("[$-804]0") is None
    assert classify("[$-804]yyyy-mm-dd") == "date"


def test_kinds_that_are_not_counts():
    assert {"percent", "currency", "date", "time", "datetime"} == NOT_A_COUNT
    assert set(KIND_LABELS) >= NOT_A_COUNT | {"scientific", "fraction"}
    assert KIND_LABELS["percent"] == "百分比"


def test_a_plain_negative_section_under_a_percentage_is_not_reported():
    assert show("0%;0", -3) is None
    assert show("0%;0", 3).text == "300%"
