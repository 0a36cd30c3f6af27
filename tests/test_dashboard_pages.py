"""Every page runs on the demo warehouse without an error and carries the common frame."""

from __future__ import annotations

import pytest

from tests.dashboard_support import PAGES, assert_clean, open_app, sql, status

TOPIC_PAGES = ["overview", "staffing", "correction", "mental_health", "drugs", "outreach"]


@pytest.fixture(scope="module")
def rendered(demo_db_master):
    """Each page run once on the demo warehouse; the tests below only read what it drew."""
    runs = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for page in PAGES:
            runs[page] = open_app(demo_db_master, monkeypatch, page=page)
    return runs


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_without_an_error(rendered, page):
    at = rendered[page]
    assert_clean(at)
    assert at.title[0].value == PAGES[page]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_shows_the_period_sources_demo_mark_and_when_data_was_loaded(rendered, demo_db_master, page):
    ((as_of, files),) = sql(
        demo_db_master,
        "select strftime(max(loaded_at), '%Y-%m-%d %H:%M'), count(distinct sha256) filter (where status = 'loaded') from submissions",
    )
    line = status(rendered[page])
    if page in ("upload", "ledger"):
        assert line == f"本页不受左侧年份和村（社区）筛选影响 · {files} 份来源工作簿 · :orange-badge[演示数据]"
    else:
        assert line == f"**统计期 2019–2023年度** · 对比 2022 年 · 范围：全镇 · {files} 份来源工作簿 · :orange-badge[演示数据]"
    assert rendered[page].caption[0].value.startswith(f"数据导入于 {as_of}")


@pytest.mark.parametrize("page", TOPIC_PAGES)
def test_every_topic_page_draws_charts_with_csv_and_excel_downloads(rendered, page):
    at = rendered[page]
    charts = at.get("plotly_chart")
    labels = [button.label for button in at.get("download_button")]
    assert charts
    # One CSV and one Excel per chart and per table, and the whole page as one workbook.
    assert labels.count("下载 CSV") == labels.count("下载 Excel") >= len(charts)
    assert sum(label.startswith("下载本页全部数据") for label in labels) == 1


def test_a_town_level_page_says_the_village_filter_does_not_apply_when_villages_are_chosen(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"v": "440204100001"}, page="staffing")
    assert any("村（社区）筛选对本页不适用" in box.value for box in at.info)


def test_a_village_page_does_not_carry_the_town_level_note(rendered):
    assert not any("不适用" in box.value for box in rendered["correction"].info)


def test_a_first_start_without_a_database_builds_the_demo_and_shows_it(tmp_path, monkeypatch):
    path = tmp_path / "new" / "warehouse.duckdb"
    at = open_app(path, monkeypatch, page="correction")
    assert_clean(at)
    assert path.exists()
    assert at.get("plotly_chart")
    assert any(":orange-badge[演示数据]" in m.value for m in at.markdown)
