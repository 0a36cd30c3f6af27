"""KPI cards without Streamlit: the figure of the last year shown, its change on the compare
year, the colour of good and bad news, and the words under a card."""

from __future__ import annotations

import pandas as pd

from figures import kpis, queries
from figures.filters import Filters


def filters(year_to: int = 2023, compare: int = 2022) -> Filters:
    return Filters(2019, year_to, compare, (), "全镇", "全部村", False, "十里亭镇")


def totals(rows: list[tuple[int, str, int | None, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "indicator_code", "value", "qualifier"])
    frame["indicator_name"] = frame["indicator_code"]
    frame["unit"] = "人"
    frame["kind"] = "stock"
    return queries.with_display(frame)


def test_a_card_shows_the_last_year_and_compares_with_the_compare_year():
    (card,) = kpis.kpis_from_totals(
        totals([(2022, "cc_registered", 10, "exact"), (2023, "cc_registered", 9, "exact")]), ["cc_registered"], filters()
    )
    assert (card.value, card.previous) == (9, 10)
    assert kpis.delta(card) == ("-1（-10.0%）", kpis.NEUTRAL, "down")  # 在册社区矫正对象 is neither good nor bad
    assert kpis.title(card) == "2023年 cc_registered（人）"
    assert kpis.description(card, filters()) == "较2022年"


def test_the_colour_follows_the_catalog_direction():
    fewer_users = kpis.Kpi("在册吸毒人员", 300, previous=304, better="lower")
    more_certified = kpis.Kpi("通过执法考试", 13, previous=10, better="higher")
    assert kpis.delta(fewer_users)[1] == kpis.GOOD
    assert kpis.delta(more_certified)[1] == kpis.GOOD
    assert kpis.delta(kpis.Kpi("在册吸毒人员", 310, previous=304, better="lower"))[1] == kpis.BAD


def test_no_change_says_so_in_words_and_a_vague_figure_says_about():
    assert kpis.delta(kpis.Kpi("x", 5, previous=5))[0] == "持平"
    assert kpis.delta(kpis.Kpi("x", 1000, qualifier="at_least", previous=900))[0] == "约+100（+11.1%）"
    assert kpis.delta(kpis.Kpi("x", 2, previous=0))[0] == "+2"  # no percent of nothing


def test_a_missing_year_and_a_hidden_figure_say_why_there_is_no_change():
    (card,) = kpis.kpis_from_totals(totals([(2023, "cc_registered", 9, "exact")]), ["cc_registered"], filters())
    assert kpis.delta(card)[0] is None
    assert kpis.description(card, filters()) == "2022年无数据，无法比较"
    hidden = kpis.Kpi("x", None, display="<3", previous=4)
    assert kpis.description(hidden, filters()) == "为保护个人信息不显示"


def test_a_label_takes_its_unit_inside_its_own_brackets():
    assert kpis.with_unit("在管患者", "人") == "在管患者（人）"
    assert kpis.with_unit("高危患者（3级以上）", "人") == "高危患者（3级以上，人）"
    assert kpis.with_unit("场次", "") == "场次"


def test_a_partial_year_is_compared_only_with_a_warning_and_an_unreported_sheet_says_so():
    f = Filters(
        2019,
        2024,
        2023,
        (),
        "全镇",
        "全部村",
        False,
        "十里亭镇",
        partial=((2024, "已报 1/4 个部门"),),
        reported=((2024, frozenset({"correction", "outreach"})),),
    )
    frame = totals([(2023, "cc_registered", 9, "exact"), (2024, "cc_registered", 8, "exact"), (2023, "drug_registered", 309, "exact")])
    frame["kind"] = "stock"
    correction, drugs = kpis.kpis_from_totals(frame, ["cc_registered", "drug_registered"], f)
    assert kpis.delta(correction) == ("-1（-11.1%）", kpis.NEUTRAL, "down")
    assert kpis.description(correction) == "较2023年；2024年尚未报齐（已报 1/4 个部门）"
    assert drugs.value is None and kpis.delta(drugs)[0] is None
    assert kpis.description(drugs) == "2024年尚未上报（已报 1/4 个部门）"
