"""Loads while people are looking: ten reader processes query the warehouse the way the
dashboard does while a writer loads 200 files, four per commit. No reader may see
a lock error, a traceback or a half-loaded file."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.builders import correction_sheet

ROOT = Path(__file__).resolve().parent.parent
READERS = 10
FILES = 200

# A reader opens the file as ui/connection.py does: ATTACHed read-only to a private
# in-memory database, reopened whenever a writer has swapped in a new version.
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb
    from etl.loading import warehouse

    db, done, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    queries, errors, versions, half = 0, [], set(), []
    con, seen = None, None
    while True:
        finished = done.exists()
        try:
            version = warehouse.version(db)
            if version != seen:
                con = duckdb.connect()
                con.execute("attach ? as w (read_only)", [str(db)])
                con.execute("use w")
                seen = version
                versions.add(version)
            rows = con.execute(
                "select submission_id, count(*) from indicator_values group by 1 having count(*) <> 7"
            ).fetchall()
            half.extend(rows)
            con.execute("select count(*) from outreach_events").fetchone()
            queries += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        if finished:
            break
    out.write_text(json.dumps({"queries": queries, "errors": errors, "versions": len(versions), "half": half}))
    """
)

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from etl.loading.loader import load_blobs

    db, folder, done = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    statuses, paths = [], sorted(folder.iterdir())
    for start in range(0, len(paths), 4):  # four files per commit: 50 swaps under the readers
        group = [(p.name, p.read_bytes()) for p in paths[start : start + 4]]
        statuses += [report.status for report in load_blobs(db, group)]
    done.write_text(",".join(statuses))
    """
)


@pytest.mark.slow
def test_ten_readers_never_see_a_lock_or_half_a_load_while_200_files_are_loaded(books, tmp_path):
    for n in range(FILES):
        books.write(f"{n:03d}.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]], year=1900 + n))
    db, done = tmp_path / "w.duckdb", tmp_path / "done"
    first = books.folder / "000.xlsx"
    subprocess.run([sys.executable, "-m", "etl", "load", "--db", db, first], cwd=ROOT, check=True, capture_output=True)
    first.unlink()
    (tmp_path / "reader.py").write_text(READER)
    (tmp_path / "writer.py").write_text(WRITER)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    readers = [
        subprocess.Popen(
            [sys.executable, tmp_path / "reader.py", db, done, tmp_path / f"r{n}.json"], cwd=ROOT, env=env, stderr=subprocess.PIPE
        )
        for n in range(READERS)
    ]
    writer = subprocess.run(
        [sys.executable, tmp_path / "writer.py", db, books.folder, done], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    for reader in readers:
        _, stderr = reader.communicate(timeout=120)
        assert reader.returncode == 0, stderr.decode()
    assert writer.returncode == 0, writer.stderr
    assert done.read_text().split(",") == ["loaded"] * (FILES - 1)
    for n in range(READERS):
        result = json.loads((tmp_path / f"r{n}.json").read_text())
        assert result["errors"] == [], result["errors"][:3]
        assert result["half"] == []  # every submission a reader saw had all 7 of its numbers
        assert result["queries"] > 0 and result["versions"] > 1  # it really read while loads landed
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from submissions where status = 'loaded'").fetchone()[0] == FILES
