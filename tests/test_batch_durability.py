"""A committed submission's original is on disk: a load keeps a batch's originals unsynced and
makes them durable with one sync, which comes before the warehouse that references them is
swapped in. A kill -9 cannot show this (the page cache survives it; tests/test_crash.py covers
kills), so these tests watch the order of the sync and the swap, and play the power cut's
leftovers: a kept name holding fewer bytes than were written."""

import errno
import hashlib
import os
from pathlib import Path

import duckdb
import pytest

from etl.loading import loader, originals
from etl.loading.loader import load_blobs, load_paths
from tests.builders import correction_sheet

FILES, BATCH = 7, 3


def write_books(books, count=FILES):
    return [books.write(f"c{n}.xlsx", correction_sheet([["前进路社区", n + 1, n + 1, 0, 0, 0, 0, 0]], year=2000 + n)) for n in range(count)]


def whole_originals(root):
    """The hashes of the originals in the store whose bytes match their names."""
    return {p.stem for p in root.rglob("*.xlsx") if hashlib.sha256(p.read_bytes()).hexdigest() == p.stem}


def committed_hashes(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {row[0] for row in con.execute("select sha256 from submission").fetchall()}
    finally:
        con.close()


@pytest.fixture
def watched(monkeypatch, db_path):
    """Records, at each sync, which originals were whole on disk, and checks at each swap of the
    warehouse that every file it references was among them."""
    root = originals.store_dir(db_path.resolve())
    synced: set[str] = set()
    seen = {"syncs": 0, "swaps": 0}
    real_sync, real_replace = originals._sync_filesystem, os.replace

    def sync(folder):
        real_sync(folder)
        synced.update(whole_originals(root))
        seen["syncs"] += 1

    def replace(source, target, *args, **kwargs):
        if Path(target).resolve() == db_path.resolve():
            assert committed_hashes(source) <= synced, "a warehouse referencing an unsynced original was swapped in"
            seen["swaps"] += 1
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(originals, "_sync_filesystem", sync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(loader, "BATCH_SIZE", BATCH)
    return seen


def test_a_folder_load_syncs_each_batch_of_originals_once_before_its_warehouse_is_swapped_in(books, db_path, watched):
    paths = write_books(books)
    reports = load_paths(db_path, paths)
    assert [r.status for r in reports] == ["loaded"] * FILES
    batches = -(-FILES // BATCH)
    assert watched == {"syncs": batches, "swaps": batches}
    assert len(committed_hashes(db_path)) == FILES


def test_an_upload_restricted_to_a_department_keeps_its_originals_durable_before_the_swap(books, db_path, watched):
    paths = write_books(books)
    reports = load_blobs(db_path, [(p.name, p.read_bytes()) for p in paths], departments=frozenset({"司法所"}))
    assert [r.status for r in reports] == ["loaded"] * FILES
    assert watched["swaps"] == -(-FILES // BATCH)


def test_an_original_cut_short_by_a_power_cut_is_written_again_when_its_file_loads(books, db_path):
    [path] = write_books(books, 1)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    root = originals.store_dir(db_path.resolve())
    torn = root / sha[:2] / f"{sha}.xlsx"  # renamed into place, its bytes never reached the disk
    torn.parent.mkdir(parents=True)
    torn.write_bytes(data[:100])
    [report] = load_paths(db_path, [path])
    assert report.status == "loaded"
    assert torn.read_bytes() == data


def test_a_sync_that_fails_commits_nothing(books, db_path, monkeypatch):
    def fails(folder):  # the disk could not take the batch's originals
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(originals, "_sync_filesystem", fails)
    with pytest.raises(OSError):
        load_paths(db_path, write_books(books, 2))
    assert not db_path.exists() or committed_hashes(db_path) == set()
    assert not list(db_path.parent.glob(f".{db_path.name}.writing-*"))


def test_the_batch_sync_reaches_the_filesystem_of_the_originals(tmp_path):
    root = tmp_path / "w.duckdb.originals"
    with originals.deferred_sync(root) as sync:
        originals.keep(root, hashlib.sha256(b"x").hexdigest(), "x.xlsx", b"x", synced=False)
        sync()  # the real syncfs: no error on a healthy disk
    assert whole_originals(root) == {hashlib.sha256(b"x").hexdigest()}


def test_where_the_batch_sync_cannot_report_a_failed_write_each_original_is_synced_as_it_is_kept(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(originals, "batch_sync_reports_errors", lambda: False)  # Linux before 5.8
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    root = tmp_path / "w.duckdb.originals"
    originals.keep(root, hashlib.sha256(b"x").hexdigest(), "x.xlsx", b"x", synced=False)
    assert len(synced) == 1
