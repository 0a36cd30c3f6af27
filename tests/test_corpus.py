"""Workbooks nobody here wrote (calamine's 132 edge cases) end cleanly: refused with a
coded Chinese message, or loaded — never a traceback, a hang or a crash."""

import json
import os
from pathlib import Path

import pytest

from etl.reference.problems import CODES
from etl.workbook.prepare import prepare
from tests.cli_support import etl_process

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("FAZHI_CORPUS", ROOT.parent / "shared" / "corpus" / "calamine-tests"))
FILES = sorted(p for p in CORPUS.glob("*") if p.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not FILES, reason="the shared corpus is not beside this checkout")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_corpus_file_ends_in_a_coded_result(path):
    prepared = prepare(path.name, path.read_bytes())
    assert prepared.status in ("loaded", "rejected")
    if prepared.status == "rejected":
        assert prepared.problems and all(p.code in CODES and p.message for p in prepared.problems)
        assert "READ_FAILED" not in {p.code for p in prepared.problems}, "an unforeseen error: find and handle its cause"


@pytest.mark.skipif(not FILES, reason="the shared corpus is not beside this checkout")
def test_the_whole_corpus_through_the_command_line_never_shows_a_traceback(tmp_path):
    result = etl_process("load", "--db", tmp_path / "c.duckdb", "--json", CORPUS, timeout=600)
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1)
    reports = json.loads(result.stdout)
    assert len(reports) == len(FILES)
    assert all(r["status"] in ("loaded", "rejected") for r in reports)
