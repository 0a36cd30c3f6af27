"""FAZHI_LAKE=DIR: the dashboard reads an exported Parquet lake, read-only, and shows the same
numbers as on the warehouse it came from."""

from __future__ import annotations

import pytest

from etl.loading import lake
from tests.dashboard_support import assert_clean, goto, metric_values, open_app

COMPARED = ("overview", "correction", "outreach")
ALSO_RENDERED = ("ledger", "report", "deck")


@pytest.fixture(scope="module")
def demo_lake(demo_db_master, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lake") / "lake"
    lake.export(demo_db_master, folder)
    return folder


@pytest.fixture(scope="module")
def rendered(demo_db_master, demo_lake, tmp_path_factory):
    """Each compared page once on the warehouse and once on its lake (FAZHI_DB then names
    no file at all, so only the lake can have been read)."""
    nowhere = tmp_path_factory.mktemp("nowhere") / "absent.duckdb"
    runs = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for page in COMPARED:
            runs["warehouse", page] = open_app(demo_db_master, monkeypatch, page=page)
        monkeypatch.setenv("FAZHI_LAKE", str(demo_lake))
        for page in (*COMPARED, *ALSO_RENDERED):
            runs["lake", page] = open_app(nowhere, monkeypatch, page=page)
    assert not nowhere.exists()  # no demo warehouse was built in lake mode
    return runs


@pytest.mark.parametrize("page", COMPARED)
def test_a_page_on_the_lake_shows_the_warehouses_numbers(rendered, page):
    on_lake, on_warehouse = rendered["lake", page], rendered["warehouse", page]
    assert_clean(on_lake)
    assert metric_values(on_lake) == metric_values(on_warehouse) != {}
    assert [m.delta for m in on_lake.metric] == [m.delta for m in on_warehouse.metric]
    assert len(on_lake.get("plotly_chart")) == len(on_warehouse.get("plotly_chart"))


@pytest.mark.parametrize("page", ALSO_RENDERED)
def test_the_ledger_report_and_deck_read_the_lake_too(rendered, page):
    assert_clean(rendered["lake", page])
    assert rendered["lake", page].title or rendered["lake", page].markdown


@pytest.mark.parametrize("page", ["upload", "admin"])
def test_the_lake_offers_no_upload_and_no_administration(demo_lake, tmp_path, monkeypatch, page):
    monkeypatch.setenv("FAZHI_LAKE", str(demo_lake))
    at = open_app(tmp_path / "absent.duckdb", monkeypatch)
    assert_clean(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        goto(at, page)


def test_a_missing_lake_is_said_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("FAZHI_LAKE", str(tmp_path / "no-lake"))
    at = open_app(tmp_path / "absent.duckdb", monkeypatch)
    assert not at.exception
    assert "找不到数据湖" in at.error[0].value
    assert not (tmp_path / "absent.duckdb").exists()
