"""The numbers on the pages equal what SQL on the public views gives for the same filters."""

from __future__ import annotations

import pytest

from tests.dashboard_support import assert_clean, card, goto, metric_values, open_app, sql

STATION_SHILITING = "十里亭派出所"
QIANJINLU, JINFENGPING = "440204100001", "440204100201"


def village_sum(path, indicator: str, year: int, villages: list[str] | None = None) -> int:
    query = "select coalesce(sum(value), 0) from indicator_values where indicator_code = ? and year = ?"
    params: list = [indicator, year]
    if villages:
        query += " and list_contains(?, village_code)"
        params.append(villages)
    return int(sql(path, query, params)[0][0])


def town_value(path, indicator: str, year: int) -> int:
    query = "select value from indicator_values where indicator_code = ? and year = ? and village_code is null"
    return int(sql(path, query, [indicator, year])[0][0])


def station_villages(path, station: str) -> list[str]:
    rows = sql(path, "select village_code from villages where police_station = ? order by village_code", [station])
    return [code for (code,) in rows]


def signed(change: int, before: int) -> str:
    """A card's change as it reads: +2（+12.5%）, or 持平."""
    if change == 0:
        return "持平"
    return f"{change:+d}" + (f"（{change / before * 100:+.1f}%）" if before else "")


def test_correction_cards_equal_sql_for_the_whole_town_with_the_change_on_last_year(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="correction")
    assert_clean(at)
    shown = card(at, "在册社区矫正对象（人）")
    now = village_sum(demo_db_master, "cc_registered", 2023)
    before = village_sum(demo_db_master, "cc_registered", 2022)
    assert shown.value == str(now)
    assert shown.delta == signed(now - before, before)
    assert shown.label == "2023年 在册社区矫正对象（人）"


def test_choosing_villages_makes_the_cards_their_sum(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="mental_health")
    at.multiselect(key="f_villages").set_value([QIANJINLU, JINFENGPING]).run()
    assert_clean(at)
    cards = metric_values(at)
    assert cards["在管患者（人）"] == str(village_sum(demo_db_master, "mh_managed", 2023, [QIANJINLU, JINFENGPING]))
    assert cards["在管患者（人）"] != str(village_sum(demo_db_master, "mh_managed", 2023))


def test_the_2021_pages_reproduce_the_annual_report(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"from": "2019", "to": "2021"})
    cards = metric_values(goto(at, "correction"))
    assert cards["在册社区矫正对象（人）"] == "12"
    cards = metric_values(goto(at, "mental_health"))
    assert cards["在管患者（人）"] == "233"
    assert cards["高危患者（3级以上，人）"] == "5"
    assert cards["一般风险患者（0–2级，人）"] == "228"
    assert cards["本年强制送治（人）"] == "5"
    cards = metric_values(goto(at, "drugs"))
    assert cards["在册吸毒人员（人）"] == "304"
    assert cards["本年肇事肇祸案件（起）"] == "0"
    cards = metric_values(goto(at, "staffing"))
    assert cards["核定公务员编制数（名）"] == "38"
    assert cards["通过行政执法资格考试人数（人）"] == "13"


def test_the_high_risk_card_is_the_sum_of_grades_3_to_5(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="mental_health")
    expected = sum(village_sum(demo_db_master, f"mh_risk_{grade}", 2023) for grade in (3, 4, 5))
    assert metric_values(at)["高危患者（3级以上，人）"] == str(expected)


def test_picking_a_police_station_selects_its_villages_and_sums_them(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"to": "2021"})
    goto(at, "drugs")
    at.selectbox(key="f_pick").set_value(f"{STATION_SHILITING}辖区").run()
    assert_clean(at)
    villages = station_villages(demo_db_master, STATION_SHILITING)
    assert at.multiselect(key="f_villages").value == villages
    assert at.query_params["v"] == ",".join(villages)
    assert metric_values(at)["在册吸毒人员（人）"] == "175"
    assert village_sum(demo_db_master, "drug_registered", 2021, villages) == 175


def test_picking_a_village_type_selects_only_that_type(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="correction")
    at.selectbox(key="f_pick").set_value("全部行政村").run()
    villages = [code for (code,) in sql(demo_db_master, "select village_code from villages where village_type = '村'")]
    assert sorted(at.multiselect(key="f_villages").value) == sorted(villages)
    expected = village_sum(demo_db_master, "cc_registered", 2023, villages)
    assert metric_values(at)["在册社区矫正对象（人）"] == str(expected)


def test_the_compare_year_sets_the_change_on_the_cards(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="drugs")
    at.selectbox(key="f_compare").set_value(2019).run()
    shown = card(at, "在册吸毒人员（人）")
    now = village_sum(demo_db_master, "drug_registered", 2023)
    before = village_sum(demo_db_master, "drug_registered", 2019)
    assert shown.delta == signed(now - before, before)


def test_the_year_range_moves_the_cards_to_its_last_year(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="correction")
    at.slider(key="f_years").set_value((2019, 2020)).run()
    assert_clean(at)
    cards = metric_values(at)
    assert cards["在册社区矫正对象（人）"] == str(village_sum(demo_db_master, "cc_registered", 2020))


def test_staffing_cards_ignore_the_village_filter(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"v": QIANJINLU}, page="staffing")
    assert_clean(at)
    assert metric_values(at)["核定公务员编制数（名）"] == str(town_value(demo_db_master, "staff_posts_total", 2023))


def test_outreach_cards_show_the_qualified_sums_of_the_events(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="outreach")
    ((events, materials, vague_materials, consultations, about_consultations),) = sql(
        demo_db_master,
        """
        select count(*), sum(materials), bool_or(materials_qualifier = 'at_least'),
               sum(consultations), bool_or(consultations_qualifier = 'approx')
        from outreach_events where year = 2023
        """,
    )
    cards = metric_values(at)
    assert cards["活动场次（场）"] == str(events)
    assert cards["发放资料（份）"] == (f"{materials}+" if vague_materials else str(materials))
    assert cards["解答咨询（人次）"] == (f"约{consultations}" if about_consultations else str(consultations))


@pytest.mark.parametrize(
    ("label", "indicator"),
    [("在册社区矫正对象（人）", "cc_registered"), ("在册吸毒人员（人）", "drug_registered"), ("核定编制（名）", None)],
)
def test_overview_cards_equal_sql(demo_db_master, monkeypatch, label, indicator):
    at = open_app(demo_db_master, monkeypatch)
    expected = village_sum(demo_db_master, indicator, 2023) if indicator else town_value(demo_db_master, "staff_posts_total", 2023)
    assert metric_values(at)[label] == str(expected)
