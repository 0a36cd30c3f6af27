"""Reader workers are sent small jobs a few ahead: answers still come back in order, each file
with its own result, and a worker lost on one file takes only that file with it; the files
queued behind it are read again by its replacement."""

from pathlib import Path

import pytest

from etl.workbook import sandbox
from tests.builders import correction_sheet

FIXTURES = Path(__file__).parent / "fixtures"


def path_jobs(*paths):
    return [(path.name, path.resolve(), None, None) for path in paths]


def good_books(books, count):
    return [books.write(f"c{n}.xlsx", correction_sheet([["前进路社区", n + 1, n + 1, 0, 0, 0, 0, 0]], year=2000 + n)) for n in range(count)]


def test_answers_come_back_in_the_order_the_files_were_given(books):
    paths = good_books(books, 2 * sandbox.JOBS_AHEAD + 3)
    results = list(sandbox.prepare_all(path_jobs(*paths), workers=2))
    assert [r.file_name for r in results] == [p.name for p in paths]
    assert [r.parts[0].year for r in results] == [2000 + n for n in range(len(paths))]


@pytest.mark.slow
def test_a_worker_lost_on_one_file_leaves_the_files_queued_behind_it_to_its_replacement(books):
    """tests/fixtures/reader_aborts.xls makes the Rust reader ask for 4 GB and abort its process."""
    before, after = good_books(books, 2), good_books(books, 5)[2:]
    jobs = path_jobs(*before, FIXTURES / "reader_aborts.xls", *after)
    results = list(sandbox.prepare_all(jobs, workers=1))
    assert [r.status for r in results] == ["loaded", "loaded", "rejected", "loaded", "loaded", "loaded"]
    assert [p.code for p in results[2].problems] == ["FILE_CORRUPT"]
    assert [r.file_name for r in results] == [name for name, *_ in jobs]


def test_each_queued_file_gets_its_own_time_limit(books, monkeypatch):
    monkeypatch.setattr(sandbox, "TIME_LIMIT_SECONDS", 0.0)
    results = list(sandbox.prepare_all(path_jobs(*good_books(books, 3)), workers=1))
    assert [[p.code for p in r.problems] for r in results] == [["FILE_TOO_COMPLEX"]] * 3
    assert [r.file_name for r in results] == ["c0.xlsx", "c1.xlsx", "c2.xlsx"]
