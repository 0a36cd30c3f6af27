"""number_formats on .xlsx as Excel/WPS (openpyxl) write it, and on hand-edited XML other writers produce."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest

from etl.workbook.number_formats import FormatsUnreadable, Shown, number_formats
from tests.format_writers import Fmt, xlsx_bytes


def _rewrite(data: bytes, edit) -> bytes:
    """The same .xlsx with every worksheet/styles/workbook XML passed through edit(name, xml)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, edit(info.filename, source.read(info)))
    return out.getvalue()


def test_a_percentage_count_cell_is_reported_with_its_cell_and_what_it_shows():
    rows = [["村名"] + [f"指标{i}" for i in range(1, 10)]] + [["东村"] + [3] * 9 for _ in range(6)]
    rows[5][8] = Fmt(1, "0%")  # I6
    found = number_formats(xlsx_bytes(rows), "xlsx")
    assert found == {"统计": {(5, 8): Shown("percent", "100%", "0%")}}


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (Fmt(0.85, "0.00%"), Shown("percent", "85.00%", "0.00%")),
        (Fmt(0.85, "0%"), Shown("percent", "85%", "0%")),
        (Fmt(dt.date(2021, 7, 15), 'yyyy"年"m"月"d"日"'), Shown("date", "2021-07-15", 'yyyy"年"m"月"d"日"')),
        (Fmt(12, "[$¥-804]#,##0.00"), Shown("currency", "¥12.00", "[$¥-804]#,##0.00")),
        (Fmt(12, "¥#,##0;¥-#,##0"), Shown("currency", "¥12", "¥#,##0;¥-#,##0")),
        (Fmt(0.5, "h:mm"), Shown("time", "12:00", "h:mm")),
        (Fmt(dt.time(12, 30), "h:mm"), Shown("time", "12:30", "h:mm")),
        (Fmt(1.5, "[h]:mm"), Shown("time", "36:00", "[h]:mm")),
        (Fmt(dt.datetime(2021, 7, 15, 8, 30), "yyyy-mm-dd hh:mm"), Shown("datetime", "2021-07-15 08:30", "yyyy-mm-dd hh:mm")),
    ],
)
def test_each_non_plain_format_is_reported(cell, shown):
    found = number_formats(xlsx_bytes([["村名", "人数"], ["东村", cell]]), "xlsx")
    assert found == {"统计": {(1, 1): shown}}


@pytest.mark.parametrize("code", ["General", "0", "0.00", "#,##0", "@", "0_ ", "#,##0_);[Red](#,##0)", 'G/通用格式"人"'])
def test_plain_formats_are_not_reported(code):
    assert number_formats(xlsx_bytes([["村名", "人数"], ["东村", Fmt(12, code)]]), "xlsx") == {}


def test_a_bordered_sheet_without_formats_returns_nothing():
    rows = [["村名", "户数", "人口"]] + [[f"第{i}村", i, 2 * i] for i in range(1, 25)]
    assert number_formats(xlsx_bytes(rows, bordered=True), "xlsx") == {}


def test_text_under_a_percentage_format_is_not_a_number_and_is_not_reported():
    assert number_formats(xlsx_bytes([["村名", Fmt("85%", "0%")]]), "xlsx") == {}


def test_formatted_cells_among_bordered_ones_on_several_sheets_keep_their_sheet_names():
    first = [["村名", "人数"], ["东村", Fmt(0.5, "0%")], ["西村", 4]]
    second = [["日期", Fmt(dt.date(2024, 1, 2), "yyyy-mm-dd")]]
    found = number_formats(xlsx_bytes({"一月": first, "说明": second}, bordered=True, hidden=("说明",)), "xlsx")
    assert found == {"一月": {(1, 1): Shown("percent", "50%", "0%")}, "说明": {(0, 1): Shown("date", "2024-01-02", "yyyy-mm-dd")}}


def test_the_1904_date_system_is_read_from_the_workbook():
    data = xlsx_bytes([["日期", Fmt(dt.date(2021, 7, 15), "yyyy-mm-dd")]], date1904=True)
    assert b'date1904="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    assert number_formats(data, "xlsx")["统计"][(0, 1)].text == "2021-07-15"


def test_cells_beyond_the_limits_are_not_reported():
    rows = [[None] * 3 for _ in range(12)]
    rows[11][2] = Fmt(1, "0%")
    data = xlsx_bytes(rows)
    assert number_formats(data, "xlsx") == {"统计": {(11, 2): Shown("percent", "100%", "0%")}}
    assert number_formats(data, "xlsx", max_rows=11) == {}
    assert number_formats(data, "xlsx", max_cols=2) == {}


def test_built_in_currency_and_cjk_date_ids_without_a_numfmt_entry():
    """Excel writes built-in ids (5–8 currency, 31 yyyy年m月d日, 9 %) without a numFmts entry."""
    data = xlsx_bytes([["a", Fmt(0.25, "0%"), Fmt(2, "0.00")]])

    def edit(name: str, xml: bytes) -> bytes:
        if name == "xl/styles.xml":
            xml = re.sub(rb'<cellXfs count="\d+">', b'<cellXfs count="9">', xml)
            xml = xml.replace(
                b"</cellXfs>",
                b'<xf numFmtId="7" fontId="0" fillId="0" borderId="0"/><xf numFmtId="31" fontId="0" fillId="0" borderId="0"/></cellXfs>',
            )
        return xml

    data = _rewrite(data, edit)
    count = len(re.findall(rb"<xf ", zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").split(b"<cellXfs")[1]))

    def cells(name: str, xml: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            xml = xml.replace(
                b"</row>", f'<c r="D1" s="{count - 2}"><v>12</v></c><c r="E1" s="{count - 1}"><v>44392</v></c></row>'.encode(), 1
            )
        return xml

    found = number_formats(_rewrite(data, cells), "xlsx")["统计"]
    assert found[(0, 1)] == Shown("percent", "25%", "0%")
    assert found[(0, 3)].kind == "currency" and found[(0, 3)].text == "¥12.00"
    assert found[(0, 4)] == Shown("date", "2021-07-15", 'yyyy"年"m"月"d"日"')
    assert (0, 2) not in found


def test_cells_without_r_attributes_are_placed_by_counting():
    data = xlsx_bytes([["村名", "人数"], ["东村", Fmt(1, "0%")]])

    def strip_refs(name: str, xml: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            xml = re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", xml)
        return xml

    stripped = _rewrite(data, strip_refs)
    assert b'<c r="' not in zipfile.ZipFile(io.BytesIO(stripped)).read("xl/worksheets/sheet1.xml")
    assert number_formats(stripped, "xlsx") == {"统计": {(1, 1): Shown("percent", "100%", "0%")}}


def test_namespace_prefixed_cells_and_formula_cells_with_cached_values():
    data = xlsx_bytes([["村名", "人数"], ["东村", Fmt(1, "0%")]])

    def prefix(name: str, xml: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            xml = re.sub(
                rb"<(/?)(worksheet|sheetData|row|c|v|f|dimension|sheetViews|sheetView|selection|sheetFormatPr|pageMargins)\b",
                rb"<\1x:\2",
                xml,
            )
            xml = xml.replace(b'xmlns="http://schemas', b'xmlns:x="http://schemas', 1)
            xml = xml.replace(b"<x:v>1</x:v>", b"<x:f>B1*0+1</x:f><x:v>1</x:v>")
        return xml

    assert number_formats(_rewrite(data, prefix), "xlsx") == {"统计": {(1, 1): Shown("percent", "100%", "0%")}}


def test_absolute_relationship_targets_are_followed():
    data = xlsx_bytes([["村名", Fmt(1, "0%")]])

    def absolute(name: str, xml: bytes) -> bytes:
        if name == "xl/_rels/workbook.xml.rels":
            xml = xml.replace(b'Target="/xl/', b'Target="').replace(b'Target="', b'Target="/xl/')
        return xml

    assert number_formats(_rewrite(data, absolute), "xlsx") == {"统计": {(0, 1): Shown("percent", "100%", "0%")}}


def test_shared_string_and_boolean_cells_under_odd_formats_are_skipped():
    data = xlsx_bytes([["村名", Fmt(True, "0%"), Fmt("文字", "0%")]])
    assert number_formats(data, "xlsx") == {}


def test_broken_zip_is_a_clean_refusal():
    with pytest.raises(FormatsUnreadable):
        number_formats(b"PK\x03\x04 this is not a zip", "xlsx")
    with pytest.raises(FormatsUnreadable):
        number_formats(b"", "xlsx")


def test_xlsb_is_not_read_and_an_unknown_kind_is_refused():
    assert number_formats(b"PK\x03\x04", "xlsb") == {}
    with pytest.raises(FormatsUnreadable):
        number_formats(b"x", "csv")


def test_attributes_spaced_around_equals_and_single_quotes_are_still_found():
    data = xlsx_bytes([["村名", "人数"], ["东村", Fmt(1, "0%")]])

    def respace(name: str, xml: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            xml = re.sub(rb"<c ([^>]*)>", lambda m: b"<c " + re.sub(rb'(\w+)="([^"]*)"', rb"\1 = '\2'\n", m.group(1)) + b">", xml)
        return xml

    spaced = _rewrite(data, respace)
    assert b"s = '" in zipfile.ZipFile(io.BytesIO(spaced)).read("xl/worksheets/sheet1.xml")
    assert number_formats(spaced, "xlsx") == {"统计": {(1, 1): Shown("percent", "100%", "0%")}}


def test_a_row_style_is_not_taken_for_a_cell_style():
    data = xlsx_bytes([["村名", "人数"], ["东村", Fmt(1, "0%")], ["西村", 5]])

    def row_style(name: str, xml: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            style = re.search(rb'<c r="B2" s="(\d+)"', xml).group(1)
            xml = xml.replace(b'<row r="3">', b'<row r="3" s="' + style + b'" customFormat="1">')
        return xml

    assert number_formats(_rewrite(data, row_style), "xlsx") == {"统计": {(1, 1): Shown("percent", "100%", "0%")}}
