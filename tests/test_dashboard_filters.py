"""The shared filters: a link reproduces a view, the URL follows the filters, and the
filters stay as they are when a person moves between pages."""

from __future__ import annotations

from tests.dashboard_support import assert_clean, goto, metric_values, open_app, sql, status, styles

QIANJINLU, JINFENGPING = "440204100001", "440204100201"


def test_a_shared_link_opens_the_same_view(demo_db_master, monkeypatch):
    # The numbers of a small pick of villages; small-count protection is tested in test_privacy.py.
    monkeypatch.setenv("FAZHI_MEETING_SMALL_COUNT_K", "0")
    link = {"from": "2020", "to": "2021", "cmp": "2019", "v": f"{QIANJINLU},{JINFENGPING}", "meeting": "1"}
    at = open_app(demo_db_master, monkeypatch, link, page="correction")
    assert_clean(at)
    assert at.slider(key="f_years").value == (2020, 2021)
    assert at.selectbox(key="f_compare").value == 2019
    assert at.multiselect(key="f_villages").value == [QIANJINLU, JINFENGPING]
    assert at.toggle(key="f_meeting").value is True
    assert status(at).startswith("**统计期 2020–2021年度** · 对比 2019 年 · 范围：前进路社区、金凤坪村 · ")
    ((expected,),) = sql(
        demo_db_master,
        "select sum(value) from indicator_values where indicator_code = 'cc_registered' and year = 2021 and village_code in (?, ?)",
        [QIANJINLU, JINFENGPING],
    )
    assert metric_values(at)["在册社区矫正对象（人）"] == str(expected)


def test_changing_a_filter_writes_it_to_the_url(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="drugs")
    assert at.query_params == {"from": "2019", "to": "2023"}
    at.multiselect(key="f_villages").set_value([JINFENGPING]).run()
    at.slider(key="f_years").set_value((2020, 2022)).run()
    at.toggle(key="f_meeting").set_value(True).run()
    assert at.query_params == {"from": "2020", "to": "2022", "v": JINFENGPING, "meeting": "1"}


def test_filters_stay_when_moving_between_pages(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="correction")
    at.multiselect(key="f_villages").set_value([QIANJINLU]).run()
    at.slider(key="f_years").set_value((2019, 2021)).run()
    for page in ["drugs", "mental_health", "overview"]:
        goto(at, page)
        assert_clean(at)
        assert at.multiselect(key="f_villages").value == [QIANJINLU]
        assert at.slider(key="f_years").value == (2019, 2021)
        assert at.query_params["v"] == QIANJINLU
    ((expected,),) = sql(
        demo_db_master,
        "select value from indicator_values where indicator_code = 'drug_registered' and year = 2021 and village_code = ?",
        [QIANJINLU],
    )
    assert metric_values(at)["在册吸毒人员（人）"] == str(expected)


def test_nonsense_in_the_url_falls_back_to_the_whole_town_and_all_years(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"from": "abc", "to": "1900", "v": "bogus,<script>", "cmp": "x"})
    assert_clean(at)
    assert at.slider(key="f_years").value == (2019, 2023)
    assert at.multiselect(key="f_villages").value == []
    assert status(at).startswith("**统计期 2019–2023年度** · 对比 2022 年 · 范围：全镇 · ")


def test_meeting_mode_injects_large_type_and_draws_tables_for_the_projector(demo_db_master, monkeypatch):
    normal = open_app(demo_db_master, monkeypatch, page="correction")
    assert "font-size: 60px" not in styles(normal)
    assert normal.dataframe and not normal.table
    meeting = open_app(demo_db_master, monkeypatch, {"meeting": "1"}, page="correction")
    assert_clean(meeting)
    assert "font-size: 60px" in styles(meeting)
    assert meeting.table and not meeting.dataframe
