"""Downloads shaped like the screen: the detail table as shown (catalog order, units and 其中
in the headers, a 合计 row per year, numbers as numbers), bold headers that stay in view,
dates as dates, and the long form with each number's source cell as a second sheet; the
CSV carries the same table, its file name the filters and period."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd

from tests.dashboard_support import open_app, sql


def exports(at) -> dict[str, bytes]:
    return {name: make() for name, make in at.session_state["_exports"].items()}


def test_the_detail_workbook_has_the_screen_layout_bold_frozen_headers_and_the_long_sheet(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"from": "2021", "to": "2021"}, page="correction")
    book = openpyxl.load_workbook(io.BytesIO(exports(at)["明细（Excel）"]))
    assert book.sheetnames == ["明细", "明细（逐格来源）", "说明"]
    sheet = book["明细"]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["年份", "村（社区）", "在册社区矫正对象（人）", "其中：缓刑（人）"]
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    total = next(row for row in rows if row[1] == "合计")
    assert total[2] == 12 and total[3] == 12, "the 2021 report: 12 in the register, all on probation"
    villages = [row for row in rows if row[1] != "合计"]
    assert len(villages) == 16 and all(isinstance(row[2], int) for row in villages), "counts are numbers Excel can sum"
    assert sum(row[2] for row in villages) == 12
    long = book["明细（逐格来源）"]
    assert [cell.value for cell in long[1]][-1] == "来源单元格"
    assert all("!" in row[-1] for row in long.iter_rows(min_row=2, values_only=True))


def test_the_detail_csv_is_the_same_table(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"from": "2021", "to": "2021"}, page="correction")
    data = exports(at)["明细（CSV）"]
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert list(frame.columns[:3]) == ["年份", "村（社区）", "在册社区矫正对象（人）"]
    assert frame.loc[frame["村（社区）"] == "合计", "在册社区矫正对象（人）"].tolist() == ["12"]


def test_the_event_list_keeps_dates_as_dates_and_sums_its_counts(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"from": "2021", "to": "2021"}, page="outreach")
    sheet = openpyxl.load_workbook(io.BytesIO(exports(at)["活动明细（Excel）"]))["活动明细"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    seed = next(row for row in rows if row["活动日期"] == dt.datetime(2021, 7, 15))
    assert seed["发放资料（份）"] == "1000+" and seed["悬挂横幅（幅）"] == 2 and seed["解答咨询（人次）"] == "30+"
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd"
    total = rows[-1]
    ((events,),) = sql(demo_db_master, "select count(*) from outreach_events where year = 2021")
    assert total["村（社区）"] == "合计" and total["地点"] == f"{events} 场"
    assert str(total["发放资料（份）"]).endswith("+"), "a sum with a 余 in it is at least that"
