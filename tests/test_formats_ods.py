"""number_formats on .ods as LibreOffice (odfpy) and Gnumeric write it."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

import pytest

from etl.workbook.number_formats import FormatsUnreadable, Shown, number_formats
from tests.format_writers import Fmt, ods_bytes
from tests.formats_support import FIXTURES
from tests.gnumeric import gnumeric_like_ods


def _ods(content_body: str, automatic_styles: str = "") -> bytes:
    """A minimal .ods whose first table holds content_body (rows)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
        f'office:version="1.2"><office:automatic-styles>{automatic_styles}</office:automatic-styles><office:body><office:spreadsheet>'
        f'<table:table table:name="表">{content_body}</table:table></office:spreadsheet></office:body></office:document-content>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_libreoffice_value_types_are_reported():
    rows = [
        ["村名", "人数", "占比", "日期", "经费", "时间"],
        ["东村", 12, Fmt(1, "0%"), Fmt(dt.date(2021, 7, 15), "yyyy-mm-dd"), Fmt(12.5, "[$¥-804]#,##0.00"), Fmt(dt.time(12, 30), "hh:mm")],
        ["西村", 3, Fmt(0.85, "0%"), None, None, None],
    ]
    found = number_formats(ods_bytes(rows, bordered=True), "ods")
    assert found == {
        "统计": {
            (1, 2): Shown("percent", "100%", "N10"),
            (1, 3): Shown("date", "2021-07-15", "N12"),
            (1, 4): Shown("currency", "¥12.50", "N11"),
            (1, 5): Shown("time", "12:30", "N13"),
            (2, 2): Shown("percent", "85%", "N10"),
        }
    }


def test_plain_float_cells_are_not_reported():
    rows = [["村名", "户数"]] + [[f"第{i}村", i] for i in range(1, 25)]
    assert number_formats(ods_bytes(rows, bordered=True), "ods") == {}
    assert number_formats(ods_bytes(rows), "ods") == {}


def test_float_cells_under_a_percentage_style_are_reported_as_gnumeric_writes_them():
    data = ods_bytes([["占比", Fmt(0.85, "0%")], ["经费", Fmt(3, "¥#,##0.00")]], float_typed=True)
    assert b'office:value-type="percentage"' not in zipfile.ZipFile(io.BytesIO(data)).read("content.xml")
    found = number_formats(data, "ods")["统计"]
    assert found[(0, 1)] == Shown("percent", "85%", "N10")
    assert found[(1, 1)] == Shown("currency", "¥3.00", "N11")


def test_the_gnumeric_fixture_reports_percentages_and_money_kept_only_in_the_saved_text():
    found = number_formats(gnumeric_like_ods(), "ods")
    assert found == {
        "统计": {
            (1, 2): Shown("percent", "85%", "ND-1"),
            (2, 2): Shown("percent", "100%", "ND-1"),
            (1, 3): Shown("currency", "¥12.50", "ND-0"),
            (2, 3): Shown("currency", "−¥7.00", "ND-0"),
        }
    }


def test_the_real_ssconvert_file_reports_every_formatted_cell():
    data = (FIXTURES / "gnumeric_ssconvert.ods").read_bytes()
    found = number_formats(data, "ods")["统计"]
    assert {key: shown.kind for key, shown in found.items()} == {
        (1, 2): "percent",
        (2, 2): "percent",
        (1, 3): "date",
        (2, 3): "datetime",
        (1, 4): "time",
        (2, 4): "time",
        (1, 5): "currency",
        (2, 5): "currency",
    }
    assert found[(1, 2)].text == "100%" and found[(2, 4)].text == "36:00"


def test_values_without_saved_text_are_rendered_from_the_data_style():
    styles = (
        '<number:percentage-style style:name="P1"><number:number number:decimal-places="2"/><number:text>%</number:text></number:percentage-style>'
        '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="P1"/>'
    )
    body = (
        '<table:table-row><table:table-cell table:style-name="ce1" office:value-type="percentage" office:value="0.85"/></table:table-row>'
    )
    assert number_formats(_ods(body, styles), "ods") == {"表": {(0, 0): Shown("percent", "85.00%", "P1")}}


def test_repeated_rows_and_columns_of_formatted_cells_are_expanded_within_limits():
    body = (
        '<table:table-row table:number-rows-repeated="3">'
        '<table:table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="percentage" office:value="1" table:number-columns-repeated="2"><text:p>100%</text:p></table:table-cell>'
        "</table:table-row>"
    )
    found = number_formats(_ods(body), "ods")["表"]
    assert set(found) == {(r, c) for r in range(3) for c in (2, 3)}
    assert number_formats(_ods(body), "ods", max_rows=2, max_cols=3)["表"].keys() == {(0, 2), (1, 2)}


def test_covered_cells_count_as_columns():
    body = (
        '<table:table-row><table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>合并</text:p></table:table-cell>'
        '<table:covered-table-cell/><table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50%</text:p></table:table-cell>'
        "</table:table-row>"
    )
    assert number_formats(_ods(body), "ods") == {"表": {(0, 2): Shown("percent", "50%", "percentage")}}


def test_huge_repeated_runs_cost_nothing():
    body = (
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell office:value-type="percentage" office:value="1" table:number-columns-repeated="16384"/></table:table-row>'
    )
    start = time.perf_counter()
    assert number_formats(_ods(body), "ods") == {}  # the formatted run lies below row 5000
    assert time.perf_counter() - start < 0.5


def test_dates_with_a_time_are_datetimes_and_long_durations_keep_their_hours():
    body = (
        '<table:table-row><table:table-cell office:value-type="date" office:date-value="2021-07-15T08:30:00"/>'
        '<table:table-cell office:value-type="time" office:time-value="PT36H00M00S"/></table:table-row>'
    )
    assert number_formats(_ods(body), "ods") == {
        "表": {(0, 0): Shown("datetime", "2021-07-15 08:30", "date"), (0, 1): Shown("time", "36:00", "time")}
    }


def test_broken_content_is_a_clean_refusal():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", '<office:document-content office:value-type="percentage"><unclosed')
    with pytest.raises(FormatsUnreadable):
        number_formats(out.getvalue(), "ods")
    with pytest.raises(FormatsUnreadable):
        number_formats(_ods("")[:50], "ods")


def test_a_float_cell_under_a_date_style_shows_its_date():
    styles = (
        '<number:date-style style:name="D1"><number:year/><number:text>-</number:text><number:month/></number:date-style>'
        '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="D1"/>'
    )
    body = '<table:table-row><table:table-cell table:style-name="ce1" office:value-type="float" office:value="44392"/></table:table-row>'
    assert number_formats(_ods(body, styles), "ods") == {"表": {(0, 0): Shown("date", "2021-07-15", "D1")}}
