"""A bad day: rebuild without its originals, files others could read, a full disk, a flood
of downloads. Rebuild never loses what the warehouse holds; every file is the service's
alone; a full disk is said in Chinese and leaves nothing half written; downloads never
rewrite the warehouse."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from etl.loading import files, journal, maintenance, originals, warehouse
from etl.loading.loader import load_blobs
from tests.builders import correction_sheet
from tests.cli_support import etl, etl_process
from tests.dashboard_support import open_app

ROOT = Path(__file__).resolve().parent.parent


def counts(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select (select count(*) from submissions), (select count(*) from indicator_values)").fetchone()
    finally:
        con.close()


@pytest.fixture
def loaded(books, db_path) -> Path:
    for year in (2022, 2023):
        path = books.write(f"c{year}.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]], year=year))
        assert load_blobs(db_path, [(path.name, path.read_bytes())])[0].status == "loaded"
    return db_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------- rebuild never empties the warehouse


def test_rebuild_without_the_originals_refuses_and_changes_nothing(loaded):
    before = counts(loaded)
    shutil.rmtree(originals.store_dir(loaded))
    result = etl("rebuild", "--db", loaded)
    assert result.returncode == 1
    assert "未重建" in result.stderr and "c2022.xlsx" in result.stderr and "Traceback" not in result.stderr
    assert counts(loaded) == before == (2, 14)


def test_rebuild_with_an_emptied_manifest_refuses_too(loaded):
    (originals.store_dir(loaded) / "manifest.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(maintenance.RebuildRefused):
        maintenance.rebuild(loaded)
    assert counts(loaded) == (2, 14)


def test_rebuild_keeps_the_replaced_warehouse_as_a_dated_copy(loaded):
    replayed, left_out, previous = maintenance.rebuild(loaded)
    assert (replayed, left_out) == (2, 0)
    assert previous is not None and previous.name.startswith(f"{loaded.name}.before-rebuild-")
    assert counts(previous) == counts(loaded) == (2, 14)
    assert mode(previous) == 0o600


def test_a_file_the_manifest_lists_but_the_warehouse_lacks_is_named_and_loaded_only_when_asked(loaded, books):
    # As after a kill between recording the originals and swapping the warehouse in.
    extra = books.write("c2024.xlsx", correction_sheet([["金凤坪村", 3, 3, 0, 0, 0, 0, 0]], year=2024))
    data = extra.read_bytes()
    import datetime as dt
    import hashlib

    root = originals.store_dir(loaded)
    sha = hashlib.sha256(data).hexdigest()
    originals.keep(root, sha, extra.name, data)
    originals.record(root, [originals.Stored(sha, extra.name, None, dt.datetime.now().replace(microsecond=0))])
    plan = maintenance.reconcile(loaded)
    assert [entry.file_name for entry in plan.unloaded] == ["c2024.xlsx"] and not plan.missing
    result = etl("rebuild", "--db", loaded)
    assert result.returncode == 0 and "--include-unloaded" in result.stdout
    assert counts(loaded) == (2, 14), "not loaded without the flag"
    assert etl("rebuild", "--db", loaded, "--include-unloaded").returncode == 0
    assert counts(loaded) == (3, 21)


def test_a_rebuild_that_would_drop_a_current_submission_refuses(loaded, monkeypatch):
    from etl.workbook import prepare as preparing

    real = preparing.prepare

    def village_list_changed(name, data, year=None, **kwargs):
        prepared = real(name, data, year, **kwargs)
        if name == "c2023.xlsx":  # as if a village had left the list
            prepared.status, prepared.parts = "rejected", []
        return prepared

    monkeypatch.setattr(maintenance, "prepare", village_list_changed)
    with pytest.raises(maintenance.RebuildRefused, match="不能再导入"):
        maintenance.rebuild(loaded)
    assert counts(loaded) == (2, 14)


# ---------------------------------------------------------------- files only the service can read


def test_the_warehouse_its_originals_manifest_journal_and_backups_are_private(loaded, tmp_path):
    root = originals.store_dir(loaded)
    assert mode(loaded) == 0o600
    assert mode(Path(f"{loaded}.lock")) == 0o600
    assert mode(root) == 0o700 and mode(root / "manifest.jsonl") == 0o600
    blobs = [p for p in root.rglob("*.xlsx")]
    assert blobs and all(mode(p) == 0o600 for p in blobs) and all(mode(p.parent) == 0o700 for p in blobs)
    warehouse.audit(loaded, "看板", "export", "社区矫正·明细（CSV）")
    assert mode(journal.journal_path(loaded)) == 0o600
    archive = maintenance.backup(loaded, tmp_path / "backups" / "b.zip")
    assert mode(archive) == 0o600
    restored = tmp_path / "restored" / "w.duckdb"
    maintenance.restore(archive, restored)
    assert mode(restored) == 0o600 and mode(originals.store_dir(restored)) == 0o700


def test_a_mode_an_administrator_chose_is_kept_by_the_next_load(loaded, books):
    loaded.chmod(0o640)
    path = books.write("c2024.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]], year=2024))
    assert load_blobs(loaded, [(path.name, path.read_bytes())])[0].status == "loaded"
    assert mode(loaded) == 0o640


# ---------------------------------------------------------------- a full disk


def test_a_full_disk_is_said_in_chinese_and_leaves_no_partial_copy(loaded, books, monkeypatch):
    def no_room(source, target, *args, **kwargs):
        Path(target).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", no_room)
    path = books.write("c2024.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]], year=2024))
    with pytest.raises(OSError) as raised:
        load_blobs(loaded, [(path.name, path.read_bytes())])
    assert files.is_disk_full(raised.value)
    assert not list(loaded.parent.glob(f".{loaded.name}.writing-*")), "the partial copy is removed"
    assert counts(loaded) == (2, 14)


def test_no_room_is_known_before_copying_and_says_how_much_is_needed(loaded, monkeypatch):
    usage = shutil.disk_usage(loaded.parent)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=1_000_000))
    with pytest.raises(files.DiskFull) as raised, warehouse.writing(loaded):
        pass
    assert "磁盘空间不足" in raised.value.message and "MB" in raised.value.message
    assert not list(loaded.parent.glob(f".{loaded.name}.writing-*"))


def test_the_command_line_says_the_disk_is_full(loaded, books, tmp_path):
    path = books.write("c2024.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]], year=2024))
    shim = tmp_path / "shim"
    shim.mkdir()
    # A run of the real command whose disk reports almost no room.
    (shim / "sitecustomize.py").write_text(
        "import shutil\nreal = shutil.disk_usage\nshutil.disk_usage = lambda p: real(p)._replace(free=1000)\n", encoding="utf-8"
    )
    result = etl_process("load", "--db", loaded, path, env={"PYTHONPATH": f"{shim}{os.pathsep}{ROOT}"})
    assert result.returncode == 1
    assert "磁盘空间不足" in result.stderr and "Traceback" not in result.stderr
    assert counts(loaded) == (2, 14)


def test_an_original_that_cannot_be_written_leaves_no_partial_file(tmp_path, monkeypatch):
    def fails(fd):  # the bytes went out, the disk could not take them
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fails)
    root = tmp_path / "w.duckdb.originals"
    with pytest.raises(OSError):
        originals.keep(root, "ab" * 32, "x.xlsx", b"0123456789" * 100)
    monkeypatch.undo()
    assert [p for p in root.rglob("*") if p.is_file()] == []


# ---------------------------------------------------------------- downloads never rewrite the warehouse


def test_a_download_is_journaled_without_rewriting_the_warehouse(demo_db, monkeypatch):
    at = open_app(demo_db, monkeypatch, {"from": "2021", "to": "2021"}, page="correction")
    version = warehouse.version(demo_db)
    for _ in range(5):
        at.session_state["_exports"]["明细（CSV）"]()
    assert warehouse.version(demo_db) == version, "the warehouse file was not replaced"
    entries = [e for e in journal.entries(demo_db) if e["action"] == "export"]
    assert len(entries) == 5 and entries[0]["detail"].startswith("社区矫正·明细（CSV）")


def test_the_upload_page_says_the_disk_is_full(demo_db, books, monkeypatch):
    from tests.test_dashboard_upload import upload

    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    path = books.write("c2024.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]], year=2024))
    at = open_app(demo_db, monkeypatch, page="upload")
    upload(at, path)
    assert not at.exception
    assert any("磁盘空间不足" in box.value for box in at.error)


def test_the_warehouse_copy_is_a_clone_where_the_file_system_can_and_a_byte_copy_elsewhere(tmp_path, monkeypatch):
    import errno
    import fcntl

    from etl.loading import files

    source = tmp_path / "warehouse.duckdb"
    source.write_bytes(bytes(range(256)) * 4096)
    files.copy_file(source, tmp_path / "here.duckdb")  # ext4 here: the fallback; XFS/btrfs: a clone
    assert (tmp_path / "here.duckdb").read_bytes() == source.read_bytes()

    asked = []

    def refuse(fd, request, arg):
        asked.append(request)
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(fcntl, "ioctl", refuse)
    files.copy_file(source, tmp_path / "copied.duckdb")
    assert asked == [files._FICLONE]
    assert (tmp_path / "copied.duckdb").read_bytes() == source.read_bytes()
