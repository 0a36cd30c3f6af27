"""Each way a clerk writes a count or a date, and each way it can be wrong."""

import datetime as dt

import pytest

from etl.reference.spellings import APPROX, AT_LEAST, EXACT, Count, ValueProblem, chinese_numeral, header_key, parse_count, parse_date


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (12, Count(12)),
        (12.0, Count(12)),
        (0, Count(0)),
        ("0", Count(0)),
        ("1,000", Count(1000)),
        ("１０００", Count(1000)),
        ("１，０００", Count(1000)),
        (" 233 ", Count(233)),
        ("1000余", Count(1000, AT_LEAST)),
        ("1000多", Count(1000, AT_LEAST)),
        ("1000以上", Count(1000, AT_LEAST)),
        ("1000余份", Count(1000, AT_LEAST)),
        ("30余人次", Count(30, AT_LEAST)),
        ("约30", Count(30, APPROX)),
        ("约30人", Count(30, APPROX)),
        ("30人左右", Count(30, APPROX)),
        ("12人", Count(12)),
        ("十二", Count(12)),
        ("二十三", Count(23)),
        ("一百零五", Count(105)),
        ("两千", Count(2000)),
        ("无", Count(0)),
        ("1.2万", Count(12000)),
    ],
)
def test_counts_parse_as_people_write_them(written, expected):
    assert parse_count(written) == expected


@pytest.mark.parametrize("written", [None, "", "-", "—", "－", "  ", "/"])
def test_dash_and_empty_mean_no_value_not_zero(written):
    assert parse_count(written) is None


@pytest.mark.parametrize(
    ("written", "code"),
    [
        (-3, "NEGATIVE"),
        ("-3", "NEGATIVE"),
        (2.5, "FRACTIONAL"),
        ("2.5", "FRACTIONAL"),
        ("基本签订", "NOT_A_COUNT"),
        ("约30余", "NOT_A_COUNT"),
        (True, "NOT_A_COUNT"),
        (dt.datetime(2021, 1, 1), "NOT_A_COUNT"),
        ("#DIV/0!", "NOT_A_COUNT"),
    ],
)
def test_bad_counts_raise_a_coded_problem_never_a_silent_zero(written, code):
    with pytest.raises(ValueProblem) as caught:
        parse_count(written)
    assert caught.value.code == code
    assert caught.value.message  # a Chinese sentence for the clerk


def test_qualified_counts_display_as_the_pages_show_them():
    assert Count(1000, AT_LEAST).display() == "1000+"
    assert Count(30, APPROX).display() == "约30"
    assert Count(5, EXACT).display() == "5"


def test_chinese_numerals_cover_small_counts_and_reject_other_text():
    assert chinese_numeral("十") == 10
    assert chinese_numeral("三十") == 30
    assert chinese_numeral("一千二百三十四") == 1234
    assert chinese_numeral("十里亭") is None


@pytest.mark.parametrize(
    "written",
    [
        "2021-07-15",
        "2021/7/15",
        "2021.7.15",
        "2021年7月15日",
        "20210715",
        44392,
        dt.datetime(2021, 7, 15, 9, 30),
        dt.date(2021, 7, 15),
        "２０２１年７月１５日",
    ],
)
def test_dates_parse_in_every_usual_spelling_and_as_excel_serials(written):
    assert parse_date(written) == dt.date(2021, 7, 15)


def test_month_and_day_alone_take_the_sheet_year():
    assert parse_date("7月15日", year_hint=2021) == dt.date(2021, 7, 15)


@pytest.mark.parametrize("written", ["下周", "2021-13-01", "7月15日", "2021-02-30"])
def test_bad_dates_raise_a_coded_problem(written):
    with pytest.raises(ValueProblem) as caught:
        parse_date(written)
    assert caught.value.code == "BAD_DATE"


@pytest.mark.parametrize(
    ("header", "key", "part"),
    [
        ("在管患者（人）", "在管患者", False),
        ("在管患者(人)", "在管患者", False),
        ("在管\n患者\n（人）", "在管患者", False),
        ("其中：行政编制（名）", "行政编制", True),
        ("  其中:行政执法专项编制", "行政执法专项编制", True),
        ("1.核定公务员编制数", "核定公务员编制数", False),
        ("村（社区）", "村(社区)", False),
        ("解答咨询（人次）", "解答咨询", False),
    ],
)
def test_header_labels_normalise_units_brackets_breaks_and_parts(header, key, part):
    assert header_key(header) == (key, part)
