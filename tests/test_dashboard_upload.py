"""The upload page loads workbooks through the ETL, says per file what happened in
Chinese, and every page shows the new numbers straight after."""

from __future__ import annotations

from etl.loading.loader import load_blobs
from tests.builders import correction_sheet
from tests.dashboard_support import assert_clean, goto, metric_values, open_app, sql, status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def correction_2024(books, path_db, bad_cell: object = None):
    """A 2024 correction sheet: one person on probation in every village (or a bad first cell)."""
    names = [name for (name,) in sql(path_db, "select village_name from villages order by village_code")]
    rows = [[name, 1, 1, 0, 0, 0, 0, 0] for name in names]
    if bad_cell is not None:
        rows[0][1] = bad_cell
    name = "社区矫正_2024_错误.xlsx" if bad_cell is not None else "社区矫正_2024.xlsx"
    path = books.write(name, correction_sheet(rows, year=2024))
    return path, len(names)


def upload(at, *paths):
    at.file_uploader(key="upload_files").set_value([(p.name, p.read_bytes(), XLSX) for p in paths])
    at.button(key="upload_submit").click()
    return at.run()


def test_a_good_workbook_loads_and_every_page_shows_the_new_numbers(demo_db, books, monkeypatch):
    path, villages = correction_2024(books, demo_db)
    at = open_app(demo_db, monkeypatch, page="upload")
    upload(at, path)
    assert_clean(at)
    assert [box.value for box in at.success] == [f"已载入：共 {villages * 7} 个数值。各页面已更新为最新数字。"]
    assert any("载入 1 个，重复 0 个，拒绝 0 个" in h.value for h in at.subheader)
    # The new year is on the slider and in the numbers, without a restart.
    goto(at, "correction")
    at.slider(key="f_years").set_value((2019, 2024)).run()
    assert_clean(at)
    assert metric_values(at)["在册社区矫正对象（人）"] == str(villages)
    ((in_sql,),) = sql(demo_db, "select sum(value) from indicator_values where indicator_code = 'cc_registered' and year = 2024")
    assert in_sql == villages


def test_a_bad_workbook_is_refused_with_its_sheet_and_cell(demo_db, books, monkeypatch):
    path, _ = correction_2024(books, demo_db, bad_cell="很多")
    at = open_app(demo_db, monkeypatch, page="upload")
    upload(at, path)
    assert not at.exception
    assert [box.value for box in at.error] == ["已拒绝：整个文件未载入，请按下表逐项修改后重新上传"]
    problems = at.table[0].value
    assert list(problems.columns) == ["问题和改法", "工作表", "单元格", "代码"]  # what to do first, the code last
    assert problems.iloc[0]["工作表"] == "社区矫正"
    assert problems.iloc[0]["单元格"] == "B3"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problems.iloc[0]["问题和改法"])
    ((loaded,),) = sql(demo_db, "select count(*) from indicator_values where year = 2024")
    assert loaded == 0


def test_good_bad_and_duplicate_files_in_one_upload_each_get_their_result(demo_db, books, monkeypatch):
    good, _ = correction_2024(books, demo_db)
    bad, _ = correction_2024(books, demo_db, bad_cell="-3")
    at = open_app(demo_db, monkeypatch, page="upload")
    upload(at, good, bad)
    upload(at, good)
    assert not at.exception
    assert any("载入 0 个，重复 1 个，拒绝 0 个" in h.value for h in at.subheader)
    assert at.info[0].value.startswith("重复文件")


def test_a_refused_upload_appears_in_the_ledger_with_its_reason(demo_db, books, monkeypatch):
    path, _ = correction_2024(books, demo_db, bad_cell="很多")
    at = open_app(demo_db, monkeypatch, page="upload")
    upload(at, path)
    goto(at, "ledger")
    refused = next(frame.value for frame in at.dataframe if "拒绝原因（工作表!单元格：说明）" in frame.value.columns)
    row = refused.iloc[0]
    assert row["文件"] == path.name
    assert row["拒绝原因（工作表!单元格：说明）"].startswith("社区矫正!B3：")


def test_blank_templates_are_offered_for_every_department(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="upload")
    departments = {department for (department,) in sql(demo_db_master, "select department from topics")}
    labels = [button.label for button in at.get("download_button")]
    assert sorted(labels) == sorted(f"{department}模板" for department in departments)


def test_a_load_from_the_command_line_shows_on_the_next_rerun_without_a_restart(demo_db, books, monkeypatch):
    path, villages = correction_2024(books, demo_db)
    at = open_app(demo_db, monkeypatch, {"to": "2023", "cmp": "2021"}, page="correction")
    before = metric_values(at)["在册社区矫正对象（人）"]
    # What `python -m etl load` does: write a copy of the warehouse and swap it in.
    assert load_blobs(demo_db, [(path.name, path.read_bytes())])[0].status == "loaded"
    at.run()
    # The view a person chose stays as it was; the new year is there to pick.
    assert metric_values(at)["在册社区矫正对象（人）"] == before
    assert status(at).startswith("**统计期 2019–2023年度** · 对比 2021 年 · 范围：全镇 · ")
    at.slider(key="f_years").set_value((2019, 2024)).run()
    assert_clean(at)
    assert metric_values(at)["在册社区矫正对象（人）"] == str(villages)
