"""Hostile and broken files are refused before they cost anything, with a clear Chinese message."""

import zipfile
from pathlib import Path

import openpyxl
import pytest

from etl import settings
from etl.workbook import sandbox
from etl.workbook.prepare import prepare
from tests.builders import CORRECTION_HEADER, correction_sheet

FIXTURES = Path(__file__).parent / "fixtures"


def codes(prepared):
    return [p.code for p in prepared.problems]


def test_an_xlsm_has_its_values_read_and_its_macros_never_run(books, load, fresh_db):
    plain = books.write("c.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]]))
    macro = plain.with_name("带宏.xlsm")
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(macro, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b'Attribute VB_Name = "Module1"\nSub Auto_Open()\nShell "calc"\nEnd Sub\n')
    [report] = load(macro)
    assert report.status == "loaded", report.errors
    assert fresh_db.execute("select sum(value) from indicator_values where indicator_code='cc_registered'").fetchone()[0] == 2


def test_a_workbook_of_a_thousand_sheets_is_refused(tmp_path):
    book = openpyxl.Workbook()
    for n in range(999):
        book.create_sheet(f"S{n}")
    path = tmp_path / "many.xlsx"
    book.save(path)
    assert codes(prepare(path.name, path.read_bytes())) == ["FILE_TOO_COMPLEX"]


def test_a_sheet_with_too_many_rows_or_columns_is_refused(books):
    tall = books.write("tall.xlsx", books.sheet("S", [["2021年度"], CORRECTION_HEADER] + [["前进路社区", 1]] * settings.MAX_ROWS))
    wide = books.write("wide.xlsx", books.sheet("S", [["2021年度"], CORRECTION_HEADER + ["x"] * settings.MAX_COLUMNS]))
    for path in (tall, wide):
        prepared = prepare(path.name, path.read_bytes())
        assert codes(prepared) == ["SHEET_TOO_LARGE"] and prepared.problems[0].sheet == "S"


def test_an_oversized_upload_is_refused_without_reading_it_all(tmp_path, load):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(settings.MAX_FILE_BYTES + 1024)
    [report] = load(path)
    assert [e.code for e in report.errors] == ["FILE_TOO_LARGE"]
    assert "MB" in report.errors[0].message


@pytest.mark.slow
def test_a_file_that_makes_the_reader_abort_costs_only_that_file(books):
    """tests/fixtures/reader_aborts.xls is a sample .xls with bytes mutated by the fuzz test:
    the Rust reader asks for 4 GB for it and aborts the process, which no except can catch."""
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]])).read_bytes()
    hostile = (FIXTURES / "reader_aborts.xls").read_bytes()
    jobs = [("a.xlsx", good, None, None), ("坏.xls", hostile, None, None), ("b.xlsx", good, None, None)]
    results = list(sandbox.prepare_all(jobs))
    assert [r.status for r in results] == ["loaded", "rejected", "loaded"]
    assert codes(results[1]) == ["FILE_CORRUPT"] and "内存" in results[1].problems[0].message


def test_a_reader_that_hangs_is_stopped_at_its_time_limit(books, monkeypatch):
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]]))
    monkeypatch.setattr(sandbox, "TIME_LIMIT_SECONDS", 0.0)
    [result] = sandbox.prepare_all([("slow.xlsx", good.read_bytes(), None, None)])
    assert codes(result) == ["FILE_TOO_COMPLEX"]
    # A load given its town (etl load --town) sends jobs of five: refused the same way.
    [result] = sandbox.prepare_all([("slow.xlsx", good.read_bytes(), None, None, "440204100")])
    assert codes(result) == ["FILE_TOO_COMPLEX"]


def test_workers_are_reused_between_loads_not_multiplied(books):
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]]))
    jobs = [("g.xlsx", good.read_bytes(), None, None)] * 3
    list(sandbox.prepare_all(jobs, workers=2))
    first = {w.process.pid for w in sandbox._idle}
    list(sandbox.prepare_all(jobs, workers=2))
    assert {w.process.pid for w in sandbox._idle} == first and len(first) >= 2
