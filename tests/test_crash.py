"""Crash safety: the loader is killed with SIGKILL at every stage of a commit (after copying
the warehouse, after writing the batch, after recording the originals, after syncing the
copy, after swapping it in), in the first, a middle and the last batch. The warehouse
always opens, every file is fully in or fully out, and loading again finishes the job; a
rebuild from the kept originals then gives the same views.

The kills are placed by the loader's test hook (FAZHI_TEST_CRASH_AT), not by timers, so
every run kills at every stage whatever the machine's speed.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.loading import originals
from etl.loading.warehouse import CRASH_POINTS
from tests.builders import correction_sheet
from tests.cli_support import etl_process

ROOT = Path(__file__).resolve().parent.parent
FILES = 40
BATCH = 3  # a commit every three files: fourteen batches
BATCHES = -(-FILES // BATCH)
QUERY = "select year, village_code, indicator_code, value, qualifier, source_ref from indicator_values order by all"


def load(db: Path, folder: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FAZHI_BATCH_SIZE": str(BATCH)}
    env.pop("FAZHI_TEST_CRASH_AT", None)
    if crash_at:
        env["FAZHI_TEST_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "etl", "load", "--db", str(db), str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )


def check_whole(db: Path) -> int:
    """The warehouse opens and each submission in it has all seven of its numbers; returns
    how many submissions it holds."""
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
@pytest.mark.parametrize("stage", CRASH_POINTS)
def test_sigkill_at_every_stage_of_a_commit_never_loses_or_splits_a_file(books, tmp_path, stage):
    for n in range(FILES):
        books.write(f"{n:02d}.xlsx", correction_sheet([["前进路社区", n % 5 + 1, n % 5 + 1, 0, 0, 0, 0, 0]], year=1950 + n))
    db = tmp_path / "w.duckdb"
    before = 0
    for batch in (1, BATCHES // 2, BATCHES):
        # Each run commits what a run before it left out, then dies in its `batch`-th commit.
        killed = load(db, books.folder, crash_at=f"{stage}:{batch}")
        assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
        assert b"Traceback" not in killed.stderr
        now = check_whole(db)
        # Files of earlier runs come back as duplicates, still one batch position each. A crash
        # before the swap leaves its batch out; one after the swap leaves it in.
        committed = min(FILES, (batch - 1) * BATCH + (BATCH if stage == "swapped" else 0))
        assert now == max(before, committed)
        before = now
        if now == FILES:
            db.unlink()
            shutil.rmtree(originals.store_dir(db))
            before = 0
    finished = load(db, books.folder)
    assert finished.returncode == 0, finished.stderr.decode()
    assert check_whole(db) == FILES
    reference = tmp_path / "reference.duckdb"
    assert load(reference, books.folder).returncode == 0
    got = duckdb.connect(str(db), read_only=True).execute(QUERY).fetchall()
    assert got == duckdb.connect(str(reference), read_only=True).execute(QUERY).fetchall()
    rebuilt = etl_process("rebuild", "--db", db)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert duckdb.connect(str(db), read_only=True).execute(QUERY).fetchall() == got
