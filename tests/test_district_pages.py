"""A district in one warehouse, on the pages: the town filter (全区 / a town / villages of a
town) kept in the URL, every figure rolled up 区 → 镇 → 村 and compared with SQL on the public
views, the ledger per town, the report per town, and each town's small counts protected on
their own. Numbers expected here come from SQL, never from the code under test."""

from __future__ import annotations

import pandas as pd
import pytest

from figures import protection, queries
from tests.dashboard_support import assert_clean, card, goto, open_app, sql, status

LEYUAN, SHILITING = "440204102", "440204100"


def figure(db, indicator: str, year: int, town: str = "", villages: tuple[str, ...] = ()) -> int:
    where, params = "indicator_code = ? and year = ?", [indicator, year]
    if town:
        where += " and town_code = ?"
        params.append(town)
    if villages:
        where += f" and village_code in ({','.join('?' * len(villages))})"
        params += list(villages)
    return int(sql(db, f"select sum(value) from indicator_values where {where}", params)[0][0])


def last_year(db) -> int:
    return int(sql(db, "select max(year) from indicator_values")[0][0])


def test_the_whole_district_sums_every_town_and_offers_the_towns(district_db_master, district, monkeypatch):
    at = open_app(district_db_master, monkeypatch, page="overview")
    assert_clean(at)
    year = last_year(district_db_master)
    assert card(at, "在册吸毒人员（人）").value == str(figure(district_db_master, "drug_registered", year))
    assert card(at, "在册社区矫正对象（人）").value == str(figure(district_db_master, "cc_registered", year))
    towns = at.selectbox(key="f_town")
    assert towns.options[0].startswith("全区（浈江区，8 个镇、街道）") and len(towns.options) == 9
    assert not [m for m in at.multiselect if m.key == "f_villages"], "villages are chosen within a town"
    assert "范围：浈江区（8 个镇、街道）" in status(at)
    table = next(frame.value for frame in at.dataframe if frame.value.columns[0].endswith("镇（街道）"))
    per_town = dict(
        sql(
            district_db_master,
            "select town_name, sum(value) from indicator_values join (select distinct town_code, town_name from villages) using (town_code) where indicator_code = 'drug_registered' and year = ? group by 1",
            [year],
        )
    )
    assert dict(zip(table.iloc[:, 0], table["在册吸毒人员"], strict=True)) == {name: str(value) for name, value in per_town.items()}


def test_a_town_from_the_link_shows_that_towns_figures_and_villages(district_db_master, district, monkeypatch):
    at = open_app(district_db_master, monkeypatch, {"t": LEYUAN}, page="correction")
    assert_clean(at)
    year = last_year(district_db_master)
    assert card(at, "在册社区矫正对象（人）").value == str(figure(district_db_master, "cc_registered", year, LEYUAN))
    assert at.query_params["t"] == LEYUAN
    assert "范围：乐园镇" in status(at)
    options = at.multiselect(key="f_villages").options
    names = [
        name for (name,) in sql(district_db_master, "select village_name from villages where town_code = ? order by village_code", [LEYUAN])
    ]
    assert sorted(options) == sorted(names)
    detail = next(frame.value for frame in at.dataframe if "村（社区）" in frame.value.columns)
    assert set(detail["村（社区）"]) <= set(names)


def test_villages_of_a_town_sum_just_those_villages_and_a_link_without_the_town_opens_theirs(district_db_master, district, monkeypatch):
    chosen = ("440204100001", "440204100201")
    at = open_app(district_db_master, monkeypatch, {"v": ",".join(chosen)}, page="drugs")
    assert_clean(at)
    assert at.session_state["f_town"] == SHILITING
    year = last_year(district_db_master)
    assert card(at, "在册吸毒人员（人）").value == str(figure(district_db_master, "drug_registered", year, SHILITING, chosen))
    assert at.query_params["t"] == SHILITING and at.query_params["v"] == ",".join(chosen)


def test_choosing_another_town_keeps_it_in_the_url_and_drops_the_old_towns_villages(district_db_master, district, monkeypatch):
    at = open_app(district_db_master, monkeypatch, {"t": SHILITING, "v": "440204100001"}, page="overview")
    at.selectbox(key="f_town").set_value(LEYUAN).run()
    assert_clean(at)
    assert at.query_params["t"] == LEYUAN and "v" not in at.query_params
    year = last_year(district_db_master)
    assert card(at, "在册吸毒人员（人）").value == str(figure(district_db_master, "drug_registered", year, LEYUAN))
    at.selectbox(key="f_town").set_value("").run()
    assert "t" not in at.query_params
    assert card(at, "在册吸毒人员（人）").value == str(figure(district_db_master, "drug_registered", year))


@pytest.mark.parametrize("page", ["staffing", "correction", "mental_health", "drugs", "outreach", "ledger", "deck"])
@pytest.mark.parametrize("query", [{}, {"t": LEYUAN}, {"meeting": "1"}, {"meeting": "1", "t": SHILITING, "v": "440204100001"}])
def test_every_page_works_at_every_level(district_db_master, district, monkeypatch, page, query):
    at = open_app(district_db_master, monkeypatch, query, page=page)
    assert_clean(at)


def test_the_whole_district_ranks_its_towns(district_db_master, district, monkeypatch):
    at = open_app(district_db_master, monkeypatch, page="drugs")
    year = last_year(district_db_master)
    ranking = next(chart for chart in at.get("plotly_chart") if f"{year}年各镇（街道）在册吸毒人员" in chart.proto.spec)
    per_town = sql(
        district_db_master,
        "select town_code, sum(value) from indicator_values where indicator_code = 'drug_registered' and year = ? group by 1",
        [year],
    )
    for code, value in per_town:
        assert code in ranking.proto.spec and str(int(value)) in ranking.proto.spec


def test_the_ledger_lists_each_towns_sheets_and_names_the_town_that_is_missing_one(district_db, monkeypatch):
    from etl.loading import warehouse

    year = last_year(district_db)
    ((submission,),) = sql(
        district_db,
        "select submission_id from submission_history where town_code = ? and topic = 'drugs' and year = ? and status = 'loaded'",
        [LEYUAN, year],
    )
    warehouse.roll_back(district_db, submission, "测试")
    at = open_app(district_db, monkeypatch, page="ledger")
    assert not at.exception
    (alert,) = at.error
    assert alert.value == f"{year}年度尚未上报：乐园镇·吸毒人员（禁毒办）"
    towns = next(frame.value for frame in at.dataframe if frame.value.columns[0] == "镇（街道）")
    assert len(towns) == 8
    assert towns.set_index("镇（街道）").loc["乐园镇", "吸毒人员（禁毒办）"] == "✖ 未上报"
    at = open_app(district_db, monkeypatch, {"t": SHILITING}, page="ledger")
    assert not at.error and at.success[0].value == f"{year}年度各项报表均已上报。"


def test_the_report_is_a_towns_and_asks_for_one_on_the_whole_district(district_db_master, district, monkeypatch):
    at = open_app(district_db_master, monkeypatch, page="report")
    assert_clean(at)
    assert any("请在侧栏“镇（街道）”中选择一个" in box.value for box in at.info)
    at = open_app(district_db_master, monkeypatch, {"t": LEYUAN}, page="report")
    assert_clean(at)
    assert any(m.value.startswith("### 乐园镇关于") for m in at.markdown)


def test_each_town_is_protected_on_its_own_in_meeting_mode(district_db_master, district):
    """A town's village values in meeting mode are exactly what protecting that town alone
    gives: the other towns' villages change nothing, and each town's total stays published."""
    import duckdb

    con = duckdb.connect(str(district_db_master), read_only=True)
    cur = con.cursor()
    years = (2019, 2023)
    every = queries.protected_values(cur, topic="drugs", years=years, k=3)
    alone = queries.protected_values(cur, topic="drugs", years=years, k=3, town=LEYUAN)
    mine = every.values[every.values["village_code"].str.startswith(LEYUAN)].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[alone.values.columns], alone.values.reset_index(drop=True), check_dtype=False)
    assert alone.values["qualifier"].eq(protection.SUPPRESSED).any(), "the demo has small counts to hide"
    totals = queries.yearly_totals(cur, topic="drugs", years=years, k=3, town=LEYUAN)
    assert totals["qualifier"].ne(protection.SUPPRESSED).all()


def test_an_uploader_limited_to_a_town_loads_only_that_towns_files(district_db, books, monkeypatch, tmp_path):
    from etl.authoring.writer import SheetSpec
    from figures import access
    from tests.builders import CORRECTION_HEADER
    from tests.test_access import PASSWORD, log_in
    from tests.test_dashboard_upload import upload

    users = tmp_path / "users.toml"
    access.add_user("乐园司法", "uploader", PASSWORD, "司法所", users, town="乐园镇")
    assert access.read_users(users)["乐园司法"].town == "乐园镇"
    rows = [["联合村", 2, 2, 0, 0, 0, 0, 0]]
    mine = books.write("矫正2024.xlsx", SheetSpec("社区矫正", [["2024年度社区矫正情况统计表"], CORRECTION_HEADER, *rows]))
    theirs = books.write("花坪2024.xlsx", SheetSpec("社区矫正", [["花坪镇2024年度社区矫正情况统计表"], CORRECTION_HEADER, *rows]))
    at = log_in(open_app(district_db, monkeypatch, users=users), "乐园司法")
    at = goto(at, "upload")
    assert any("你的账号只能上报乐园镇的报表" in box.value for box in at.info)
    upload(at, mine, theirs)
    assert any("载入 1 个，重复 0 个，拒绝 1 个" in h.value for h in at.subheader)
    loaded = sql(
        district_db, "select town_code, sum(value) from indicator_values where year = 2024 and indicator_code = 'cc_registered' group by 1"
    )
    assert loaded == [(LEYUAN, 2)]  # 联合村 of 乐园镇, never 花坪镇's 联合村
    refused = sql(district_db, "select errors from load_log where status = 'rejected'")
    assert "TOWN_CONFLICT" in refused[0][0]


_FIRST_START = """
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("dashboard.py", default_timeout=180).run()
assert not at.exception, [e.value for e in at.exception]
print(at.selectbox(key="f_town").options[0])
print(next(m.value for m in at.metric if "在册社区矫正对象" in m.label))
"""


@pytest.mark.slow
def test_the_readmes_district_demo_builds_itself_on_the_first_start(district_db_master, tmp_path):
    """FAZHI_DEMO=district with no warehouse yet: the dashboard builds the district demo and opens on 全区."""
    import os
    import subprocess
    import sys

    from tests.dashboard_support import ROOT

    env = {**os.environ, "FAZHI_DEMO": "district", "FAZHI_DB": str(tmp_path / "warehouse.duckdb"), "FAZHI_USERS": "none"}
    env.pop("FAZHI_VILLAGES", None)
    done = subprocess.run([sys.executable, "-c", _FIRST_START], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    whole, registered = done.stdout.split("\n")[:2]
    assert whole == "全区（浈江区，8 个镇、街道）"
    year = sql(district_db_master, "select max(year) from indicator_values")[0][0]
    expected = sql(
        district_db_master, "select sum(value) from indicator_values where indicator_code = 'cc_registered' and year = ?", [year]
    )[0][0]
    assert registered == str(expected)
