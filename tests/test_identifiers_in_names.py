"""An ID number in a file's or a sheet's name (a hidden sheet's too) refuses the file, and the
number is never stored or echoed: not in the load log, the audit trail, the manifest, the
originals, the command line's report or the refusal message itself."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from etl.loading import journal, originals
from etl.loading.loader import load_blobs
from tests.builders import correction_sheet
from tests.cli_support import etl_process

ID = "440204199001011234"
GOOD_ROWS = [["前进路社区", 2, 2, 0, 0, 0, 0, 0]]


def everything_kept(db: Path) -> str:
    """Every text the warehouse, its journal, manifest and originals hold."""
    texts = []
    if db.exists():
        con = duckdb.connect(str(db), read_only=True)
        try:
            for table in ("load_attempt", "submission", "audit", "fact", "event"):
                texts += [str(row) for row in con.execute(f"select * from {table}").fetchall()]
        finally:
            con.close()
    for path in [journal.journal_path(db), *originals.store_dir(db).rglob("*")]:
        if path.is_file():
            texts.append(path.name + path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts)


def test_an_id_number_in_the_file_name_refuses_the_file_and_is_told_masked(books, db_path):
    path = books.write(f"社区矫正_{ID}_2021.xlsx", correction_sheet(GOOD_ROWS))
    (report,) = load_blobs(db_path, [(path.name, path.read_bytes())])
    assert report.status == "rejected" and [e.code for e in report.errors] == ["PERSONAL_DATA"]
    as_json = json.dumps(report.to_dict(), ensure_ascii=False)
    assert ID not in as_json and "身份证号已隐去" in report.file
    assert ID not in everything_kept(db_path)


def test_an_id_number_in_a_sheet_name_visible_or_hidden_refuses_the_file(books, db_path):
    for name, hidden in ((f"社区矫正{ID}", False), (f"张三{ID}", True)):
        sheets = [correction_sheet(GOOD_ROWS)]
        sheets.append(books.sheet(name, [["备注"]], hidden=hidden))
        path = books.write(f"c_{hidden}.xlsx", *sheets)
        (report,) = load_blobs(db_path, [(path.name, path.read_bytes())])
        assert report.status == "rejected", name
        assert any(e.code == "PERSONAL_DATA" and ("隐藏的工作表" in e.message) == hidden for e in report.errors)
        assert ID not in json.dumps(report.to_dict(), ensure_ascii=False)
    assert ID not in everything_kept(db_path)


def test_the_command_line_never_prints_the_number(books, tmp_path):
    path = books.write(f"{ID}.xlsx", correction_sheet(GOOD_ROWS))
    db = tmp_path / "w.duckdb"
    for extra in ([], ["--json"]):
        result = etl_process("load", "--db", db, *extra, path, timeout=120)
        assert result.returncode == 1
        assert ID not in result.stdout + result.stderr
    assert ID not in everything_kept(db)
