"""The 132 calamine test workbooks: nothing but FormatsUnreadable, in bounded time, and the same formats xlrd/openpyxl see."""

from __future__ import annotations

import io
import time
import warnings

import pytest

from etl.workbook.number_formats import FormatsUnreadable, number_formats, show
from etl.workbook.second_reader import read_sheets
from tests.formats_support import corpus_files, kind_of

FILES = corpus_files()
pytestmark = pytest.mark.skipif(not FILES, reason="calamine corpus not found (set FORMATS_CORPUS)")


def _ids(paths):
    return [p.name for p in paths]


def test_the_corpus_is_all_there():
    assert len(FILES) == 132


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_number_formats_raises_only_formats_unreadable_in_bounded_time(path):
    data = path.read_bytes()
    start = time.perf_counter()
    try:
        found = number_formats(data, kind_of(data))
    except FormatsUnreadable:
        found = None
    assert time.perf_counter() - start < 2.0
    if found is not None:
        assert all(isinstance(name, str) and isinstance(cells, dict) for name, cells in found.items())


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_read_sheets_raises_only_formats_unreadable_in_bounded_time(path):
    data = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        try:
            sheets = read_sheets(data, kind_of(data))
        except FormatsUnreadable:
            sheets = None
        elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    if sheets is not None:
        for name, visible, rows, merges in sheets:
            assert isinstance(name, str) and isinstance(visible, bool)
            assert len(rows) <= 5001 and all(len(line) <= 101 for line in rows)
            assert all(len(merge) == 2 for merge in merges)


XLS = [p for p in FILES if kind_of(p.read_bytes()) == "xls"]


@pytest.mark.parametrize("path", XLS, ids=_ids(XLS))
def test_xls_formats_match_xlrd(path):
    """Every numeric cell xlrd reads: the same kind and text (format codes of built-in ids may be spelt differently)."""
    xlrd = pytest.importorskip("xlrd")
    data = path.read_bytes()
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
    except Exception:  # xlrd refuses some of these files; nothing to compare then
        pytest.skip("xlrd cannot read it")
    expected = {}
    for sheet in book.sheets():
        cells = {}
        for r in range(min(sheet.nrows, 5000)):
            for c in range(min(sheet.row_len(r), 100)):
                if sheet.cell_type(r, c) in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
                    fmt = book.format_map.get(book.xf_list[sheet.cell_xf_index(r, c)].format_key)
                    shown = show(fmt.format_str if fmt else "General", sheet.cell_value(r, c), book.datemode == 1)
                    if shown:
                        cells[(r, c)] = (shown.kind, shown.text)
        if cells:
            expected[sheet.name] = cells
    found = {name: {key: (s.kind, s.text) for key, s in cells.items()} for name, cells in number_formats(data, "xls").items()}
    assert found == expected


XLSX = [p for p in FILES if kind_of(p.read_bytes()) == "xlsx"]
# openpyxl takes about 5 s over this one's long sheet (the other 67 take 2 s together): with the slow tests.
OPENPYXL_SLOW = {"issue_174.xlsx"}


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.slow) if p.name in OPENPYXL_SLOW else p for p in XLSX], ids=_ids(XLSX))
def test_xlsx_formats_match_openpyxl(path):
    """Numeric cells: the same kind and text as openpyxl's number_format gives; cells openpyxl turns into dates: a date kind."""
    openpyxl = pytest.importorskip("openpyxl")
    data = path.read_bytes()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        expected, dates = {}, {}
        for sheet in book.worksheets:
            for row in sheet.iter_rows(max_row=min(sheet.max_row, 5000), max_col=min(sheet.max_column, 100)):
                for cell in row:
                    key = (cell.row - 1, cell.column - 1)
                    if cell.data_type == "n" and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                        shown = show(cell.number_format, cell.value, book.epoch.year == 1904)
                        if shown:
                            expected.setdefault(sheet.title, {})[key] = (shown.kind, shown.text)
                    elif cell.is_date and cell.value is not None:
                        dates.setdefault(sheet.title, set()).add(key)
    except Exception:  # openpyxl refuses some of these files; nothing to compare then
        pytest.skip("openpyxl cannot read it")
    found = number_formats(data, "xlsx")
    plain = {
        name: {key: (s.kind, s.text) for key, s in cells.items() if key not in dates.get(name, set())} for name, cells in found.items()
    }
    assert {name: cells for name, cells in plain.items() if cells} == expected
    for name, keys in dates.items():
        for key in keys:
            if key in found.get(name, {}):
                assert found[name][key].kind in ("date", "time", "datetime")
            else:  # only ISO dates written as t="d" are dates without being numbers
                assert 't="d"' in _sheet_xml(data)


def _sheet_xml(data: bytes) -> str:
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(data))
    return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.startswith("xl/worksheets/"))
