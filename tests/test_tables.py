"""Tables shaped without Streamlit: the filters' labels, detail tables in catalog order,
the town form by year, the ledger grid and the export columns."""

from __future__ import annotations

import pandas as pd

from figures import tables
from figures.filters import Filters, quick_picks, villages_labels

VILLAGES = pd.DataFrame(
    [
        ("440204100001", "前进路社区", "社区", "十里亭派出所", "十里亭镇"),
        ("440204100006", "五里亭社区", "社区", "五里亭派出所", "十里亭镇"),
        ("440204100201", "金凤坪村", "村", "十里亭派出所", "十里亭镇"),
        ("440204100205", "东田村", "村", "五里亭派出所", "十里亭镇"),
    ],
    columns=["village_code", "village_name", "village_type", "police_station", "town_name"],
)


def test_a_selection_is_named_by_its_pick_or_its_villages():
    assert villages_labels((), VILLAGES) == ("全镇", "全部村")
    assert villages_labels(("440204100201", "440204100205"), VILLAGES) == ("全部行政村", "全部行政村")
    assert villages_labels(("440204100001", "440204100201"), VILLAGES) == ("十里亭派出所辖区", "十里亭派出所辖区")
    assert villages_labels(("440204100001", "440204100205"), VILLAGES) == ("前进路社区、东田村", "前进路社区、东田村")
    assert list(quick_picks(VILLAGES)) == ["全镇（全部村、社区）", "全部社区", "全部行政村", "五里亭派出所辖区", "十里亭派出所辖区"]


def test_the_filters_read_the_compare_year_too_and_say_themselves_in_words():
    f = Filters(2020, 2021, 2019, (), "全镇", "全部村", False, "十里亭镇")
    assert f.span == (2019, 2021) and f.years == (2020, 2021)
    assert f.summary() == "2020–2021年 · 对比 2019 年 · 范围：全镇"


def values() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (2023, "440204100201", "金凤坪村", "cc_probation", "缓刑", "人", "3"),
            (2023, "440204100201", "金凤坪村", "cc_registered", "在册社区矫正对象", "人", "3"),
            (2023, "440204100001", "前进路社区", "cc_registered", "在册社区矫正对象", "人", "5"),
            (2022, "440204100001", "前进路社区", "cc_registered", "在册社区矫正对象", "人", "1000+"),
        ],
        columns=["year", "village_code", "village_name", "indicator_code", "indicator_name", "unit", "display"],
    )


def test_the_detail_table_puts_the_newest_year_first_villages_by_code_and_indicators_in_catalog_order():
    table = tables.wide_detail(values(), ["year", "village_name"], {"year": "年份", "village_name": "村（社区）"})
    assert list(table.columns) == ["年份", "村（社区）", "在册社区矫正对象", "缓刑"]
    assert table[["年份", "村（社区）"]].values.tolist() == [["2023", "前进路社区"], ["2023", "金凤坪村"], ["2022", "前进路社区"]]
    assert table.iloc[0]["缓刑"] == "—" and table.iloc[2]["在册社区矫正对象"] == "1000+"


def test_the_town_form_by_year_marks_parts_and_keeps_units():
    form = pd.DataFrame(
        [
            (2021, "staff_posts_total", "核定公务员编制数", "名", "38"),
            (2021, "staff_posts_admin", "行政编制", "名", "32"),
            (2022, "staff_posts_total", "核定公务员编制数", "名", "38"),
        ],
        columns=["year", "indicator_code", "indicator_name", "unit", "display"],
    )
    table = tables.indicators_by_year(form)
    assert table.values.tolist() == [["核定公务员编制数", "名", "38", "38"], ["其中：行政编制", "名", "32", "—"]]
    assert list(table.columns) == ["指标", "单位", "2021年", "2022年"]


def test_the_ledger_marks_missing_sheets_of_the_reporting_year():
    ledger = pd.DataFrame(
        [
            ("correction", "社区矫正", "司法所", 2023, "s1", pd.Timestamp("2024-01-05"), 112, 0),
            ("drugs", "吸毒人员", "禁毒办", 2023, None, None, None, None),
            ("outreach", "普法活动", "司法所", 2023, "s2", pd.Timestamp("2024-01-05"), 0, None),
            ("mental", "严重精神障碍患者", "综治办", 2023, "s3", pd.Timestamp("2024-01-06"), 40, 3),
        ],
        columns=["topic", "topic_name", "department", "year", "submission_id", "loaded_at", "row_count", "unfilled_villages"],
    )
    styled = tables.ledger_matrix(ledger, 2023)
    assert styled.data.values.tolist() == [
        ["社区矫正（司法所）", "✔ 2024-01-05"],  # in the ledger's order, not by character code
        ["吸毒人员（禁毒办）", "✖ 未上报"],
        ["普法活动（司法所）", "○ 空表（无数字）"],
        ["严重精神障碍患者（综治办）", "◐ 2024-01-06（3 个村未填）"],
    ]
    styles = styled._compute().ctx  # (row, column) → CSS of each cell
    orange = sorted(cell for cell, css in styles.items() if ("background-color", "#E69F00") in css)
    assert orange == [(1, 1), (2, 1), (3, 1)]  # not sent, empty, partial; the complete one is plain
    assert tables.partial_sheets(ledger, 2023) == ["严重精神障碍患者（综治办）3 个村未填"]
    assert tables.reporting_year(ledger) == 2023
    assert tables.missing_sheets(ledger, 2023) == ["吸毒人员（禁毒办）", "普法活动（司法所）"]


def test_export_columns_are_chinese_and_qualifiers_are_words():
    frame = pd.DataFrame({"year": [2021], "value": [1000], "qualifier": ["at_least"]})
    out = tables.tidy_for_export(frame, {"year": "年份", "value": "数值", "qualifier": "限定"})
    assert out.values.tolist() == [[2021, 1000, "至少"]]


def test_workbook_text_shows_as_typed_in_markdown():
    assert tables.plain("**粗**[链接](http://x)") == "\\*\\*粗\\*\\*\\[链接\\]\\(http\u200b\\://x\\)"
    assert tables.plain("www.a.cn").replace("\u200b", "").replace("\\", "") == "www.a.cn"


def test_audit_entries_read_in_peoples_words():
    names = {"outreach": "普法活动", "drugs": "吸毒人员"}
    assert tables.readable_audit("撤回 134c445003a0-outreach-2021（a.xlsx）", names) == "撤回 普法活动2021年（134c44）（a.xlsx）"
    assert tables.readable_audit("冻结 drugs 2021", names) == "冻结 吸毒人员 2021年"
