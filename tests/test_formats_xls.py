"""number_formats on .xls (BIFF8 in a compound file) as xlwt writes it, checked against xlrd's reading."""

from __future__ import annotations

import datetime as dt
import struct

import pytest

from etl.workbook.number_formats import FormatsUnreadable, Shown, _Compound, number_formats
from tests.format_writers import Fmt, xls_bytes
from tests.formats_support import FIXTURES


def test_formatted_count_cells_are_reported_with_what_they_show():
    rows = [["村名", "人数", "占比", "日期", "经费", "人口"]]
    rows.append(["东村", 12, Fmt(1, "0%"), Fmt(dt.date(2021, 7, 15), 'yyyy"年"m"月"d"日"'), Fmt(12, "[$¥-804]#,##0.00"), Fmt(450, "0_ ")])
    rows.append(["西村", 3, Fmt(0.85, "0.00%"), Fmt(0.5, "h:mm"), Fmt(-7, "¥#,##0;¥-#,##0"), Fmt(3, "General")])
    found = number_formats(xls_bytes(rows, bordered=True), "xls")
    assert found == {
        "统计": {
            (1, 2): Shown("percent", "100%", "0%"),
            (1, 3): Shown("date", "2021-07-15", 'yyyy"年"m"月"d"日"'),
            (1, 4): Shown("currency", "¥12.00", "[$¥-804]#,##0.00"),
            (2, 2): Shown("percent", "85.00%", "0.00%"),
            (2, 3): Shown("time", "12:00", "h:mm"),
            (2, 4): Shown("currency", "¥-7", "¥#,##0;¥-#,##0"),
        }
    }


def test_a_workbook_without_formatted_cells_returns_nothing():
    rows = [["村名", "户数", "人口"]] + [[f"第{i}村", i, 2 * i + 0.5] for i in range(1, 25)]
    assert number_formats(xls_bytes(rows, bordered=True), "xls") == {}


def test_sheets_are_named_and_the_1904_flag_is_honoured():
    data = xls_bytes({"一月": [["x", Fmt(dt.date(2021, 7, 15), "yyyy-mm-dd")]], "二月": [[Fmt(0.5, "0%")]]}, date1904=True)
    assert number_formats(data, "xls") == {
        "一月": {(0, 1): Shown("date", "2021-07-15", "yyyy-mm-dd")},
        "二月": {(0, 0): Shown("percent", "50%", "0%")},
    }


def test_rk_numbers_integers_and_hundredths_decode():
    from etl.workbook.number_formats import _rk

    assert _rk((12 << 2) | 2) == 12
    assert _rk((1234 << 2) | 3) == 12.34
    assert _rk(((1 << 30) - 5 << 2) | 2) == -5
    assert _rk(struct.unpack("<Q", struct.pack("<d", 0.5))[0] >> 32) == 0.5


def test_agrees_with_xlrd_on_every_numeric_cell():
    xlrd = pytest.importorskip("xlrd")
    from etl.workbook.number_formats import show

    rows = [[Fmt(v, code) for v, code in [(1, "0%"), (3, "0"), (44392, "yyyy-mm-dd"), (12.5, '"¥"#,##0.00'), (0.25, "h:mm:ss")]]] * 3
    data = xls_bytes(rows)
    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    sheet = book.sheet_by_index(0)
    expected = {}
    for r in range(sheet.nrows):
        for c in range(sheet.ncols):
            fmt = book.format_map[book.xf_list[sheet.cell_xf_index(r, c)].format_key].format_str
            shown = show(fmt, sheet.cell_value(r, c))
            if shown:
                expected[(r, c)] = shown
    assert number_formats(data, "xls") == {"统计": expected}
    assert len(expected) == 12


def test_not_a_compound_file_or_a_truncated_one_is_a_clean_refusal():
    with pytest.raises(FormatsUnreadable):
        number_formats(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xls")
    data = xls_bytes([["a", Fmt(1, "0%")]])
    with pytest.raises(FormatsUnreadable):
        number_formats(data[:1024], "xls")


def test_a_sector_chain_that_loops_is_refused_not_followed_forever():
    data = bytearray(xls_bytes([["a", Fmt(1, "0%")]]))
    compound = _Compound(bytes(data))
    fat_sector = struct.unpack_from("<I", data, 76)[0]
    start = compound.dir_start
    struct.pack_into("<I", data, (fat_sector + 1) * 512 + 4 * start, start)  # directory chain points at itself
    with pytest.raises(FormatsUnreadable):
        number_formats(bytes(data), "xls")


def test_gnumeric_xls_with_custom_formats_on_cjk_date_ids():
    """Gnumeric (ssconvert) stores its own formats under ids 50–53, which Excel reserves for CJK dates.

    calamine takes the id for a date and returns the money cell as a datetime in 1900; the FORMAT
    record says what it really is, and number_formats follows the record.
    """
    import io

    import python_calamine as calamine

    data = (FIXTURES / "gnumeric_ssconvert.xls").read_bytes()
    rows = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[1][5] == dt.datetime(1900, 1, 12, 12, 0)  # the cell holds 12.5 and shows ¥12.50
    found = number_formats(data, "xls")["统计"]
    assert found[(1, 5)] == Shown("currency", "¥12.50", "[$¥-804]#,##0.00")
    assert found[(2, 5)] == Shown("currency", "-¥7.00", "[$¥-804]#,##0.00")
    assert found[(2, 4)] == Shown("time", "36:00", "[h]:mm")
    assert found[(1, 2)] == Shown("percent", "100%", "0%")
