"""The ledger: department × year, submitted or missing, versions and refused attempts."""

from __future__ import annotations

from etl.loading.loader import load_blobs
from etl.loading.warehouse import connect
from tests.builders import correction_sheet
from tests.dashboard_support import assert_clean, open_app, sql


def matrix(at):
    return next(frame.value for frame in at.dataframe if "报表（报送部门）" in frame.value.columns)


def ledger_after_loading(demo_db, path, monkeypatch):
    """The ledger page after `path` loaded into the demo warehouse."""
    con = connect(demo_db)
    try:
        assert load_blobs(con, [(path.name, path.read_bytes())])[0].status == "loaded"
    finally:
        con.close()
    return open_app(demo_db, monkeypatch, page="ledger")


def test_the_matrix_has_every_topic_and_year_and_says_all_are_in(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="ledger")
    assert_clean(at)
    grid = matrix(at)
    topics = sql(demo_db_master, "select topic_name, department from topics")
    years = sql(demo_db_master, "select distinct year from submission_history order by year")
    assert sorted(grid["报表（报送部门）"]) == sorted(f"{name}（{department}）" for name, department in topics)
    assert list(grid.columns[1:]) == [f"{year}年" for (year,) in years]
    assert all(str(cell).startswith("✔") for cell in grid.iloc[:, 1:].to_numpy().ravel())
    assert [box.value for box in at.success] == [f"{years[-1][0]}年度各项报表均已上报。"]


def test_missing_submissions_for_the_reporting_year_stand_out(demo_db, books, monkeypatch):
    names = [name for (name,) in sql(demo_db, "select village_name from villages order by village_code")]
    path = books.write("社区矫正_2024.xlsx", correction_sheet([[n, 1, 1, 0, 0, 0, 0, 0] for n in names], year=2024))
    at = ledger_after_loading(demo_db, path, monkeypatch)
    assert not at.exception
    (alert,) = at.error
    assert alert.value.startswith("2024年度尚未上报：")
    for topic in ["队伍建设（党政综合办）", "严重精神障碍患者（综治办）", "吸毒人员（禁毒办）", "普法活动（司法所）"]:
        assert topic in alert.value
    assert "社区矫正" not in alert.value
    grid = matrix(at)
    row = grid[grid["报表（报送部门）"] == "队伍建设（党政综合办）"].iloc[0]
    assert row["2024年"] == "✖ 未上报"


def test_a_new_version_supersedes_the_old_one_and_both_are_listed(demo_db, books, monkeypatch):
    names = [name for (name,) in sql(demo_db, "select village_name from villages order by village_code")]
    con = connect(demo_db)
    try:
        for people in (1, 2):
            sheet = correction_sheet([[n, people, people, 0, 0, 0, 0, 0] for n in names], year=2024)
            path = books.write(f"社区矫正_2024_v{people}.xlsx", sheet)
            load_blobs(con, [(path.name, path.read_bytes())])
    finally:
        con.close()
    at = open_app(demo_db, monkeypatch, page="ledger")
    versions = next(frame.value for frame in at.dataframe if "被替代为" in frame.value.columns)
    mine = versions[versions["文件"].str.startswith("社区矫正_2024")]
    assert sorted(mine["状态"]) == ["已被替代", "当前版本"]
    assert mine.loc[mine["状态"] == "已被替代", "文件"].item() == "社区矫正_2024_v1.xlsx"


def test_a_sheet_with_villages_left_blank_shows_as_partial_and_asks_for_the_rest(demo_db, books, monkeypatch):
    names = [name for (name,) in sql(demo_db, "select village_name from villages order by village_code")]
    rows = [[name, 1, 1, 0, 0, 0, 0, 0] for name in names[:-2]] + [[name, None, None, None, None, None, None, None] for name in names[-2:]]
    path = books.write("社区矫正_2024.xlsx", correction_sheet(rows, year=2024))
    at = ledger_after_loading(demo_db, path, monkeypatch)
    assert not at.exception
    (warning,) = [box.value for box in at.warning if "有村未填" in box.value]
    assert "社区矫正（司法所）2 个村未填" in warning
    grid = matrix(at)
    cell = grid[grid["报表（报送部门）"] == "社区矫正（司法所）"].iloc[0]["2024年"]
    assert cell.startswith("◐ ") and cell.endswith("（2 个村未填）")
