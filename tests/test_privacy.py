"""Small-count protection on the pages and in every download, in meeting mode (k = 3).

What a page publishes is read back from the page itself — its tables, chart traces, and
every CSV and Excel its download buttons serve — and audited jointly with the town and
station totals and the catalog's rules (tests/protection_audit.py): no hidden count below k
may be narrowed to fewer than min(k, 1 + S) values. The same audit, pointed at the previous
design, finds the counts it gave away. The rule itself is tested in test_protection.py.
"""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
import python_calamine
import streamlit as st

from figures import protection, queries
from tests import old_protection, protection_tables
from tests import protection_audit as audit
from tests.dashboard_support import assert_clean, metric_values, open_app, sql

K = 3
SENSITIVE_PAGES = ["correction", "mental_health", "drugs"]
# correction in the fast tier; the other two pages with the slow tests (each audit is a few seconds).
AUDITED_PAGES = [page if page == "correction" else pytest.param(page, marks=pytest.mark.slow) for page in SENSITIVE_PAGES]
MARKERS = {f"<{K}", protection.HIDDEN_LARGE, protection.HIDDEN_ANY}


@pytest.fixture
def no_settings(monkeypatch, tmp_path):
    """Defaults only: off at the desk, k = 3 in meeting mode."""
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "none.toml"))
    for name in ("FAZHI_SMALL_COUNT_K", "FAZHI_MEETING_SMALL_COUNT_K"):
        monkeypatch.delenv(name, raising=False)


def page_exports(at) -> dict[str, bytes]:
    """Exactly what the download buttons serve (their own callables), by name."""
    return {name: make() for name, make in at.session_state["_exports"].items()}


def truth(db, topic: str) -> pd.DataFrame:
    rows = sql(
        db,
        """
        select iv.year, iv.village_code, v.village_name, v.police_station, iv.indicator_code, iv.indicator_name, iv.value, iv.qualifier
        from indicator_values iv join villages v using (village_code)
        where iv.topic = ? and iv.village_code is not null
        order by iv.year, iv.village_code, iv.indicator_code
        """,
        [topic],
    )
    return pd.DataFrame(
        rows, columns=["year", "village_code", "village_name", "police_station", "indicator_code", "indicator_name", "value", "qualifier"]
    )


def published_cells(at, exports: dict[str, bytes] | None = None) -> pd.DataFrame:
    """Every village cell the page's downloads carry (the long form of the detail table:
    year, village, indicator, and what it shows)."""
    exports = exports or page_exports(at)
    # Read with calamine, the ETL's own reader: a tenth of openpyxl's time for this long sheet.
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(exports["明细（Excel）"]))
    rows = book.get_sheet_by_name("明细（逐格来源）").to_python()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    return frame.rename(
        columns={"年份": "year", "村（社区）": "village_name", "指标": "indicator_name", "数值": "value", "显示值": "display"}
    )


def audit_page(at, db, topic: str, semantics: str = "new") -> pd.DataFrame:
    """The joint audit of what this page publishes (its years), against the warehouse's true values."""
    shown = published_cells(at)
    true = truth(db, topic)
    true = true[true["year"].isin(set(shown["year"]))].reset_index(drop=True)
    merged = true.merge(
        shown[["year", "village_name", "indicator_name", "display"]], on=["year", "village_name", "indicator_name"], how="left"
    )
    assert merged["display"].notna().all(), "every village cell is in the download, shown or marked"
    hidden = merged["display"].isin(MARKERS)
    # What is shown is true.
    assert (merged.loc[~hidden, "display"].astype(str) == merged.loc[~hidden, "value"].astype(int).astype(str)).all()
    published = merged.assign(qualifier=merged["qualifier"].where(~hidden, protection.SUPPRESSED))
    stations = dict(zip(true["village_code"], true["police_station"], strict=True))
    rules = protection_tables.rules(topic)
    return audit.audit(audit.publications(true, published, K, stations, rules, semantics=semantics))


@pytest.mark.parametrize("page", AUDITED_PAGES)
def test_the_joint_audit_passes_for_what_each_page_publishes_in_meeting_mode(demo_db_master, monkeypatch, no_settings, page):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1", "from": "2021", "to": "2023"}, page=page)
    assert_clean(at)
    report = audit_page(at, demo_db_master, page)
    assert report["primary"].sum() > 50, "the demo has many small counts to protect"
    narrowed = report[report["narrowed"]]
    assert narrowed.empty, narrowed.head().to_string()


def test_the_joint_audit_finds_the_previous_design_undone(demo_db_master, monkeypatch, no_settings):
    """Pointed at the previous design (zeros shown, each sum checked on its own), the same
    page-level audit finds hidden counts worked out from what the page publishes."""

    def previous(cur, *, topic, years, k):
        values = queries.village_values(cur, topic=topic, years=years)
        listed = queries.villages(cur)
        stations = dict(zip(listed["village_code"], listed["police_station"], strict=True))
        sums = [(rule.total, rule.parts) for rule in protection_tables.rules(topic) if rule.check == "sum"]
        old = old_protection.suppress(values, k, stations, protection_tables.sensitive(topic), sums)
        return protection.Protected(k, old.values, stations=stations)

    monkeypatch.setattr(queries, "protected_values", previous)
    try:
        at = open_app(demo_db_master, monkeypatch, {"meeting": "1", "from": "2023", "to": "2023"}, page="correction")
        report = audit_page(at, demo_db_master, "correction", semantics="old")
    finally:
        # The dashboard's cached reads and views of the previous design must not outlive this test.
        st.cache_data.clear()
        st.cache_resource.clear()
    assert report["narrowed"].sum() > 20 and report["pinned"].sum() > 10


def plotly_array(value) -> list:
    """A trace's array as plotly serialises it: a list, or typed bytes (bdata) for numbers."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return list(value or [])


def visible_texts(at) -> list[str]:
    """Every number-bearing text a person sees: tables, chart labels and tooltips' text."""
    texts = []
    for table in [f.value for f in at.dataframe] + [t.value for t in at.table]:
        texts += [str(v) for v in table.to_numpy().ravel()]
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            texts += [str(t) for t in trace.get("text") or []]
    return texts


@pytest.mark.parametrize("page", AUDITED_PAGES)
def test_no_village_count_below_k_is_shown_on_the_page_or_in_any_download(demo_db_master, monkeypatch, no_settings, page):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1"}, page=page)
    true = truth(demo_db_master, page)
    small = true[true["value"] < K]
    secrets = set(zip(small["year"], small["village_name"], small["indicator_name"], strict=True))
    exports = page_exports(at)
    # The long form: every small cell is a marker.
    shown = published_cells(at, exports)
    leaked = [
        row for row in shown.itertuples() if (row.year, row.village_name, row.indicator_name) in secrets and row.display not in MARKERS
    ]
    assert not leaked, leaked[:3]
    # Every other download: a village row of a wide table never shows a small count.
    checked = 0
    for name, data in exports.items():
        frames = []
        if name.endswith("（CSV）"):
            frames.append(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str))
        else:
            frames += pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine").values()
        for frame in frames:
            if {"年份", "村（社区）"} <= set(frame.columns):
                for row in frame.itertuples(index=False):
                    record = dict(zip(frame.columns, row, strict=True))
                    for column, value in record.items():
                        indicator = re.sub(r"^其中：|（.*?）$", "", str(column))
                        if (int(record["年份"]), record["村（社区）"], indicator) in secrets:
                            assert str(value) in MARKERS, (name, record["村（社区）"], column, value)
                            checked += 1
    assert checked > 100, "the wide tables carry the small cells too (hidden), and each was looked at"


def test_a_ranking_groups_hidden_villages_and_never_draws_an_empty_bar(demo_db_master, monkeypatch, no_settings):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1"}, page="correction")
    ranking = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "各村（社区）在册社区矫正对象" in json.dumps(c.proto.spec, ensure_ascii=False)
    )
    labels = [label for trace in ranking["data"] for label in plotly_array(trace["y"])]
    # 2023: every village has 0–2 people under correction, so all 16 are one group.
    assert any(label.startswith("其余 16 个村（社区），每村少于 3 人") for label in labels), labels
    for trace in ranking["data"]:
        assert None not in plotly_array(trace["x"]), "no bar without a length where a village is named"


def test_station_totals_the_report_publishes_are_never_hidden(demo_db_master, monkeypatch, no_settings):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1", "from": "2019", "to": "2021"}, page="drugs")
    stations = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if "各派出所辖区在册" in json.dumps(c.proto.spec, ensure_ascii=False)
    )
    drawn = {trace["name"]: dict(zip(plotly_array(trace["x"]), plotly_array(trace["y"]), strict=True)) for trace in stations["data"]}
    # The 2021 report: 十里亭派出所 在册 175, 现报到 6, 死亡 4, 服刑强戒 12; 五里亭 129, 5, 3, 3.
    assert drawn["在册吸毒人员"] == {"十里亭派出所": 175, "五里亭派出所": 129}
    assert drawn["现报到"] == {"十里亭派出所": 6, "五里亭派出所": 5}
    assert drawn["死亡"] == {"十里亭派出所": 4, "五里亭派出所": 3}
    assert drawn["服刑、强戒"] == {"十里亭派出所": 12, "五里亭派出所": 3}


def test_the_detail_table_folds_villages_with_nothing_to_show(demo_db_master, monkeypatch, no_settings):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1", "from": "2023", "to": "2023"}, page="correction")
    detail = next(t.value for t in at.table if "村（社区）" in t.value.columns)
    assert list(detail["村（社区）"].map(lambda s: s.replace("\\", ""))) == ["其余 16 个村（社区）"]


def test_the_desk_view_follows_the_setting(demo_db_master, monkeypatch, no_settings):
    at = open_app(demo_db_master, monkeypatch, page="correction")
    assert not any(text in MARKERS for text in visible_texts(at)), "off by default at the desk"
    monkeypatch.setenv("FAZHI_SMALL_COUNT_K", "3")
    at = open_app(demo_db_master, monkeypatch, page="correction")
    assert_clean(at)
    assert any(text in MARKERS for text in visible_texts(at))
    assert not audit_page(at, demo_db_master, "correction")["narrowed"].any()


def test_a_pick_that_splits_a_station_shows_no_sum_on_the_cards(demo_db_master, monkeypatch, no_settings):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1", "v": "440204100001,440204100006"}, page="correction")
    assert_clean(at)
    assert metric_values(at)["在册社区矫正对象（人）"] == protection.HIDDEN_ANY


def test_the_whole_town_cards_stay_in_meeting_mode(demo_db_master, monkeypatch, no_settings):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1", "from": "2019", "to": "2021"}, page="correction")
    assert metric_values(at)["在册社区矫正对象（人）"] == "12"
    assert any("小数保护" in c.value for c in at.caption)
