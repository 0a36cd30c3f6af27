"""The second reader: Gnumeric's .ods that calamine refuses, and the same shape as calamine for what it can read."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

import pytest
import python_calamine as calamine

from etl.workbook.second_reader import FormatsUnreadable, read_sheets
from tests.format_writers import Fmt, ods_bytes, xls_bytes, xlsx_bytes
from tests.formats_support import FIXTURES
from tests.gnumeric import EXPECTED_MERGES, EXPECTED_ROWS, gnumeric_like_ods


def calamine_sheets(data: bytes) -> list[tuple[str, bool, list[list[object]]]]:
    """What the reader gets from calamine: name, visible, rows with "" as None, trailing empties trimmed."""
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out = []
    for index, meta in enumerate(book.sheets_metadata):
        rows = [[None if v == "" else v for v in line] for line in book.get_sheet_by_index(index).to_python(skip_empty_area=False)]
        out.append((meta.name, meta.visible == calamine.SheetVisibleEnum.Visible, rows))
    return out


def normalised(rows: list[list[object]]) -> list[list[object]]:
    """Numbers as floats (calamine gives .xls integers as int), trailing empty rows and cells dropped."""
    rows = [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in line] for line in rows]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    for line in rows:
        while line and line[-1] is None:
            line.pop()
    return rows


# --- the failure this reader exists for -------------------------------------------------------------


@pytest.mark.parametrize("options", [{}, {"crlf": True}, {"newline_in_p": True}])
def test_calamine_refuses_the_pretty_printed_gnumeric_ods(options):
    with pytest.raises(calamine.CalamineError, match="Cannot detect file format"):
        calamine.CalamineWorkbook.from_filelike(io.BytesIO(gnumeric_like_ods(**options)))


def test_calamine_names_the_white_space_between_cells_when_told_the_file_is_ods(tmp_path):
    path = tmp_path / "gnumeric.ods"
    path.write_bytes(gnumeric_like_ods())
    with pytest.raises(calamine.CalamineError, match=r"Expecting 'table-cell', found 'Text\(BytesText"):
        calamine.CalamineWorkbook.from_path(str(path))


def test_calamine_reads_the_same_file_without_indentation():
    sheets = calamine_sheets(gnumeric_like_ods(compact=True))
    assert sheets[0][2][0] == ["村名", "户数", "调解率", "调解经费", "备注"]
    # …but drops text:line-break and text:tab inside text (a silent change of its own):
    assert sheets[0][2][1][4] == "第一行第二行"
    assert sheets[0][2][2][4] == "a  bc"


def test_the_committed_fixtures_are_the_generated_one_and_a_real_ssconvert_file():
    assert (FIXTURES / "gnumeric_like.ods").read_bytes() == gnumeric_like_ods()
    real = (FIXTURES / "gnumeric_ssconvert.ods").read_bytes()
    assert b"gnumeric" in zipfile.ZipFile(io.BytesIO(real)).read("content.xml")
    with pytest.raises(calamine.CalamineError):
        calamine.CalamineWorkbook.from_filelike(io.BytesIO(real))


# --- .ods -------------------------------------------------------------------------------------------


def test_reads_the_gnumeric_ods_values_merges_and_hidden_sheet():
    sheets = read_sheets(gnumeric_like_ods(), "ods")
    assert [(name, visible) for name, visible, _, _ in sheets] == [("统计", True), ("说明", False)]
    assert sheets[0][2] == EXPECTED_ROWS
    assert sheets[0][3] == EXPECTED_MERGES
    assert sheets[1][2] == [["填表人"]]


def test_crlf_line_endings_change_nothing():
    assert read_sheets(gnumeric_like_ods(crlf=True), "ods") == read_sheets(gnumeric_like_ods(), "ods")


def test_a_line_break_typed_inside_text_p_is_a_space_as_odf_and_libreoffice_say():
    rows = read_sheets(gnumeric_like_ods(newline_in_p=True), "ods")[0][2]
    assert rows[1][4] == "第一行 第二行"


def test_reads_the_real_ssconvert_file():
    sheets = read_sheets((FIXTURES / "gnumeric_ssconvert.ods").read_bytes(), "ods")
    name, visible, rows, merges = sheets[0]
    assert (name, visible) == ("统计", True)
    assert rows[1] == ["东村", 12.0, 1.0, dt.date(2021, 7, 15), dt.time(12, 30), 12.5, "第一行\n第二行"]
    assert rows[2] == ["西村", 3.0, 0.85, dt.datetime(2021, 7, 15, 8, 0), dt.timedelta(hours=36), -7.0, "a  b\tc"]
    assert merges == [((4, 0), (5, 1))]
    assert sheets[1][:3] == ("隐藏", False, [[True]])


def test_same_values_as_calamine_on_a_libreoffice_style_ods():
    rows = [
        ["村名", "人数", "占比", "日期", "经费", "是否"],
        ["东村", 12, Fmt(0.85, "0%"), Fmt(dt.date(2021, 7, 15), "yyyy-mm-dd"), Fmt(12.5, "¥#,##0.00"), True],
        ["西村", 3.5, None, None, None, False],
        [None, None, None, None, None, None],
        ["合计", 15.5, "两行\n文字", None, None, None],
    ]
    data = ods_bytes({"一": rows, "二": [["x"]]}, bordered=True)
    ours = [(name, visible, normalised(grid)) for name, visible, grid, _ in read_sheets(data, "ods")]
    theirs = [(name, visible, normalised(grid)) for name, visible, grid in calamine_sheets(data)]
    assert ours == theirs


def test_text_p_white_space_rules():
    body = (
        "<table:table-row>"
        '<table:table-cell office:value-type="string"><text:p>\n   东村\n  调解 </text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b</text:p><text:p>二<text:span>段</text:span></text:p></table:table-cell>'
        '<table:table-cell office:value-type="string" office:string-value="属性值"><text:p>显示</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>正文</text:p><office:annotation><text:p>批注</text:p></office:annotation></table:table-cell>'
        "</table:table-row>"
    )
    assert read_sheets(_ods(body), "ods")[0][2] == [["东村 调解", "a   b\n二段", "属性值", "正文"]]


def test_values_of_every_type():
    body = (
        "<table:table-row>"
        '<table:table-cell office:value-type="float" office:value="12"/>'
        '<table:table-cell office:value-type="percentage" office:value="0.85"/>'
        '<table:table-cell office:value-type="currency" office:currency="CNY" office:value="-3.5"/>'
        '<table:table-cell office:value-type="date" office:date-value="2021-07-15"/>'
        '<table:table-cell office:value-type="date" office:date-value="2021-07-15T08:30:00"/>'
        '<table:table-cell office:value-type="time" office:time-value="PT12H30M00S"/>'
        '<table:table-cell office:value-type="time" office:time-value="PT36H00M00S"/>'
        '<table:table-cell office:value-type="boolean" office:boolean-value="false"/>'
        '<table:table-cell office:value-type="string"><text:p/></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="oops"/>'
        "<table:table-cell><text:p>无类型</text:p></table:table-cell>"
        '<table:table-cell office:value-type="float" office:value="1"/>'
        "</table:table-row>"
    )
    assert read_sheets(_ods(body), "ods")[0][2] == [
        [12.0, 0.85, -3.5, dt.date(2021, 7, 15), dt.datetime(2021, 7, 15, 8, 30), dt.time(12, 30), dt.timedelta(hours=36), False]
        + [None, None, None, 1.0]
    ]


def test_a_million_trailing_empty_rows_and_16384_wide_rows_are_counted_not_built():
    body = (
        '<table:table-row><table:table-cell office:value-type="float" office:value="1"/><table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    start = time.perf_counter()
    sheets = read_sheets(_ods(body), "ods")
    assert time.perf_counter() - start < 0.5
    assert sheets[0][2] == [[1.0]]


def test_repeated_content_is_cut_one_past_the_limits_so_the_caller_sees_the_sheet_is_too_large():
    body = (
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>'
    )
    rows = read_sheets(_ods(body), "ods", max_rows=50, max_cols=10)[0][2]
    assert len(rows) == 51 and {len(line) for line in rows} == {11}


def test_nested_tables_in_cells_do_not_add_sheets_or_rows():
    body = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>外</text:p>'
        '<table:table table:name="内"><table:table-row><table:table-cell office:value-type="float" office:value="9"/></table:table-row></table:table>'
        '</table:table-cell><table:table-cell office:value-type="float" office:value="2"/></table:table-row>'
    )
    assert [(name, rows) for name, _, rows, _ in read_sheets(_ods(body), "ods")] == [("表", [["外", 2.0]])]


def test_rows_inside_row_groups_and_header_rows_count():
    body = (
        '<table:table-header-rows><table:table-row><table:table-cell office:value-type="string"><text:p>表头</text:p></table:table-cell></table:table-row></table:table-header-rows>'
        '<table:table-row-group><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table-row-group>'
    )
    assert read_sheets(_ods(body), "ods")[0][2] == [["表头"], [1.0]]


def test_broken_ods_is_a_clean_refusal():
    with pytest.raises(FormatsUnreadable):
        read_sheets(_ods("<table:table-row><table:table-cell>")[:-10], "ods")
    with pytest.raises(FormatsUnreadable):
        read_sheets(b"PK\x03\x04garbage", "ods")


# --- .xlsx and .xls ---------------------------------------------------------------------------------


def test_xlsx_same_values_and_merges_as_calamine():
    rows = [
        ["村名", "人数", "日期", "时间", "是否"],
        ["东村", 12, dt.date(2021, 7, 15), dt.time(12, 30), True],
        ["西村", 3.5, dt.datetime(2021, 7, 15, 8, 0), None, False],
        [None] * 5,
        ["合并", None, None, None, "两行\n文字"],
    ]
    data = xlsx_bytes({"一": rows, "二": [["x"]]}, hidden=("二",))
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    book["一"].merge_cells("A5:B6")
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    ours = read_sheets(data, "xlsx")
    assert [(name, visible, normalised(grid)) for name, visible, grid, _ in ours] == [
        (name, visible, normalised(grid)) for name, visible, grid in calamine_sheets(data)
    ]
    assert ours[0][3] == [((4, 0), (5, 1))]
    assert ours[1][1] is False


def test_xls_same_values_and_merges_as_calamine():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("一")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for c, value in enumerate(["村名", "人数", "日期"]):
        sheet.write(0, c, value)
    sheet.write(1, 0, "东村")
    sheet.write(1, 1, 12)
    sheet.write(1, 2, dt.date(2021, 7, 15), date_style)
    sheet.write(2, 1, 3.5)
    sheet.write(2, 2, True)
    sheet.write_merge(4, 5, 0, 1, "合并")
    hidden = book.add_sheet("二")
    hidden.write(0, 0, "x")
    hidden.visibility = 1
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    ours = read_sheets(data, "xls")
    assert [(name, normalised(grid)) for name, _, grid, _ in ours] == [(name, normalised(grid)) for name, _, grid in calamine_sheets(data)]
    assert ours[0][3] == [((4, 0), (5, 1))]


def test_xls_durations_stay_durations():
    rows = [[Fmt(1.5, "[h]:mm"), Fmt(0.5, "h:mm"), Fmt(44392.5, "yyyy-mm-dd hh:mm")]]
    assert read_sheets(xls_bytes(rows), "xls")[0][2] == [[dt.timedelta(hours=36), dt.time(12, 0), dt.datetime(2021, 7, 15, 12, 0)]]


def test_rows_and_columns_past_the_limits_are_cut_one_past_them():
    rows = [[i * 10 + j for j in range(12)] for i in range(30)]
    for kind, data in (("xlsx", xlsx_bytes(rows)), ("xls", xls_bytes(rows)), ("ods", ods_bytes(rows))):
        grid = read_sheets(data, kind, max_rows=20, max_cols=5)[0][2]
        assert len(grid) == 21 and len(grid[0]) == 6, kind


def test_xlsb_and_unknown_kinds_are_refused_cleanly():
    with pytest.raises(FormatsUnreadable):
        read_sheets(b"PK\x03\x04", "xlsb")
    with pytest.raises(FormatsUnreadable):
        read_sheets(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "xls")
    with pytest.raises(FormatsUnreadable):
        read_sheets(b"PK\x03\x04 nothing", "xlsx")


def _ods(content_body: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="表">{content_body}</table:table></office:spreadsheet></office:body></office:document-content>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
