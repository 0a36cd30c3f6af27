"""Crash safety: the loader is killed with SIGKILL at random points, many times. The
warehouse always opens, every file is fully in or fully out, and loading again finishes
the job; a rebuild from the kept originals then gives the same views."""

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl import store
from tests.builders import correction_sheet

ROOT = Path(__file__).resolve().parent.parent
FILES = 40
ATTEMPTS = 30
QUERY = "select year, village_code, indicator_code, value, qualifier, source_ref from indicator_values order by all"


def load(db: Path, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "FAZHI_BATCH_SIZE": "3"}  # a commit every three files: many places to die
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "load", "--db", str(db), str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def check_whole(db: Path) -> int:
    """The warehouse opens and each submission in it has all seven of its numbers."""
    if not db.exists():
        return 0
    con = duckdb.connect()
    con.execute("attach ? as w (read_only)", [str(db)])
    con.execute("use w")
    split = con.execute("select submission_id, count(*) from indicator_values group by 1 having count(*) <> 7").fetchall()
    assert split == []
    logged = con.execute("select count(*) from load_log where status = 'loaded'").fetchone()[0]
    loaded = con.execute("select count(*) from submissions").fetchone()[0]
    assert logged == loaded  # a file's log entry and its numbers arrive together
    con.close()
    return loaded


@pytest.mark.slow
def test_sigkill_at_random_points_never_loses_or_splits_a_file(books, tmp_path):
    for n in range(FILES):
        books.write(f"{n:02d}.xlsx", correction_sheet([["前进路社区", n % 5 + 1, n % 5 + 1, 0, 0, 0, 0, 0]], year=1950 + n))
    db = tmp_path / "w.duckdb"
    rng = random.Random(20211231)
    kills = 0
    for _ in range(ATTEMPTS):
        process = load(db, books.folder)
        try:
            process.wait(timeout=rng.uniform(0.05, 1.2))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        else:
            assert b"Traceback" not in process.stderr.read()
        check_whole(db)
        if check_whole(db) == FILES:  # it got through: start again, to die somewhere else
            db.unlink()
            shutil.rmtree(store.store_dir(db))
    assert kills >= 20
    finished = load(db, books.folder)
    assert finished.wait(timeout=300) == 0, finished.stderr.read().decode()
    assert check_whole(db) == FILES
    reference = tmp_path / "reference.duckdb"
    assert load(reference, books.folder).wait(timeout=300) == 0
    got = duckdb.connect(str(db), read_only=True).execute(QUERY).fetchall()
    assert got == duckdb.connect(str(reference), read_only=True).execute(QUERY).fetchall()
    rebuilt = subprocess.run([sys.executable, "-m", "etl", "rebuild", "--db", str(db)], cwd=ROOT, capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert duckdb.connect(str(db), read_only=True).execute(QUERY).fetchall() == got
