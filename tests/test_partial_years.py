"""A year only some departments have reported: pages default to the last complete year,
offer the new one marked as partial, never compare it with a full year without saying so,
and the ledger does not count a sheet with no numbers as reported."""

from __future__ import annotations

import pytest

from etl.loading.loader import load_blobs
from tests.builders import EVENT_HEADER, correction_sheet
from tests.dashboard_support import assert_clean, card, open_app, status


@pytest.fixture
def justice_office_2024(demo_db, books):
    """司法所's 2024 workbook, as sent early: 社区矫正 filled, the 普法活动 sheet empty."""
    path = books.write(
        "司法所2024.xlsx",
        correction_sheet([["前进路社区", 3, 3, 0, 0, 0, 0, 0], ["金凤坪村", 4, 4, 0, 0, 0, 0, 0]], year=2024),
        books.sheet("普法活动", [["十里亭镇2024年度普法宣传活动登记表"], EVENT_HEADER]),
    )
    reports = load_blobs(demo_db, [(path.name, path.read_bytes())])
    assert reports[0].status == "loaded", reports[0].errors
    return demo_db


def test_the_default_range_ends_at_the_last_year_every_department_reported(justice_office_2024, monkeypatch):
    at = open_app(justice_office_2024, monkeypatch)
    assert_clean(at)
    assert at.slider(key="f_years").value == (2019, 2023)
    assert any("2024年尚未报齐（已报 0/4 个部门）" in caption.value for caption in at.sidebar.caption)
    assert status(at).startswith("**统计期 2019–2023年度**")


def test_cards_of_a_partial_year_say_so_and_name_the_right_year(justice_office_2024, monkeypatch):
    at = open_app(justice_office_2024, monkeypatch, {"to": "2024"}, page="overview")
    assert_clean(at)
    correction = card(at, "在册社区矫正对象（人）")
    assert correction.label == "2024年 在册社区矫正对象（人）"
    assert correction.value == "7"
    assert "2024年尚未报齐（已报 0/4 个部门）" in correction.proto.delta_description
    drugs = card(at, "在册吸毒人员（人）")
    assert drugs.value == "—"
    assert drugs.proto.delta_description == "2024年尚未上报（已报 0/4 个部门）"
    events = card(at, "普法活动场次（场）")
    assert events.proto.delta_description.startswith("2024年尚未上报")
    assert not any("2023年无数据" in m.proto.delta_description for m in at.metric)


def test_the_ledger_does_not_count_an_empty_sheet_as_reported(justice_office_2024, monkeypatch):
    at = open_app(justice_office_2024, monkeypatch, page="ledger")
    assert not at.exception
    (missing,) = [box.value for box in at.error]
    assert missing.startswith("2024年度尚未上报：")
    assert "普法活动（司法所）" in missing and "社区矫正（司法所）" not in missing
    grid = at.table[0].value if at.table else at.dataframe[0].value
    row = grid[grid["报表（报送部门）"] == "普法活动（司法所）"].iloc[0]
    assert row["2024年"] == "○ 空表（无数字）"
