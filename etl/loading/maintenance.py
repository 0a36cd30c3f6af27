"""Rebuild the warehouse from the kept originals; back it up to one file; restore it.

Each runs under the writers' lock, so it never races a load, and replaces the
warehouse atomically, so a reader never sees it half done.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import duckdb

from etl.loading import originals, warehouse
from etl.workbook.prepare import prepare

BACKUP_DB_NAME = "warehouse.duckdb"
BACKUP_STORE_NAME = "originals"


def rebuild(db_path: Path) -> tuple[int, int]:
    """Replay every kept original, in the order it was first loaded, into a new warehouse.

    Returns (files replayed, files that no longer load — e.g. after a village-list change)."""
    db_path = Path(db_path)
    root = originals.store_dir(db_path)
    entries = originals.entries(root)
    refused = 0
    decisions = _admin_decisions(db_path)
    with warehouse.writing(db_path, fresh=True) as con:
        for entry in entries:
            prepared = prepare(entry.file_name, originals.read(root, entry), entry.year)
            if prepared.status != "loaded":
                refused += 1
            if prepared.sha256 in warehouse.known_hashes(con):
                continue  # the manifest may list a file twice if a crash cut a load short
            warehouse.commit_files(con, [prepared], entry.loaded_at)
        _restore_decisions(con, decisions)
        dataset = (root / "dataset").read_text(encoding="utf-8").strip() if (root / "dataset").exists() else ""
        if dataset:
            warehouse.set_info(con, "dataset", dataset)
    return len(entries), refused


def _admin_decisions(db_path: Path) -> tuple[list[dict], list[dict]]:
    """The old warehouse's audit trail and frozen years, which no workbook holds, read by
    column name from a copy brought up to the current schema (etl.loading.migrations)."""
    if not db_path.exists():
        return [], []
    with tempfile.TemporaryDirectory(dir=db_path.parent) as folder:
        copy = Path(folder) / "old.duckdb"
        shutil.copyfile(db_path, copy)
        try:
            con = warehouse.connect(copy)
        except duckdb.Error:
            return [], []  # unreadable: nothing to carry over but the workbooks themselves
        try:
            audit = _rows(con, 'select "at", actor, action, detail, subject from audit order by "at", rowid')
            frozen = _rows(con, "select topic, year, frozen_at, frozen_by from frozen")
        finally:
            con.close()
    return audit, frozen


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _restore_decisions(con: duckdb.DuckDBPyConnection, decisions: tuple[list[dict], list[dict]]) -> None:
    """Replay the admins' roll-backs, in order, on the rebuilt submissions; keep the old
    audit trail (instead of the replay's own load entries) and the frozen years."""
    audit, frozen = decisions
    if not audit and not frozen:
        return
    for entry in audit:
        submission_id = entry["subject"] if entry["action"] == "roll_back" else None
        if not submission_id:
            continue
        if con.execute("select status from submission where submission_id = ?", [submission_id]).fetchone() != ("loaded",):
            continue  # replaced since by a later load
        previous = con.execute(
            "select submission_id from submission where superseded_by = ? order by loaded_at desc limit 1", [submission_id]
        ).fetchone()
        con.execute("update submission set status = 'superseded', superseded_by = null where submission_id = ?", [submission_id])
        if previous:
            con.execute("update submission set status = 'loaded', superseded_by = null where submission_id = ?", [previous[0]])
    con.execute("delete from audit")
    warehouse.insert_rows(con, "audit", audit)
    warehouse.insert_rows(con, "frozen", frozen)
    warehouse.record_audit(con, warehouse.CLI_ACTOR, "rebuild", "用保存的原始工作簿重建数据库；冻结与撤回照旧")


def backup(db_path: Path, target: Path) -> Path:
    """One zip holding the warehouse and the kept originals."""
    db_path, target = Path(db_path), Path(target)
    root = originals.store_dir(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.{os.getpid()}")
    with warehouse.writer_lock(db_path), zipfile.ZipFile(draft, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(db_path, BACKUP_DB_NAME)
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, f"{BACKUP_STORE_NAME}/{path.relative_to(root).as_posix()}")
    os.replace(draft, target)
    return target


class BadBackup(ValueError):
    """The file is not a backup made by `python -m etl backup`."""


def restore(source: Path, db_path: Path) -> None:
    """Put a backup back: the warehouse and its originals, swapped in whole."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=db_path.parent) as tmp:
        unpacked = Path(tmp)
        try:
            with zipfile.ZipFile(source) as archive:
                names = archive.namelist()
                if BACKUP_DB_NAME not in names or any(name.startswith("/") or ".." in Path(name).parts for name in names):
                    raise BadBackup
                archive.extractall(unpacked)
            duckdb.connect(str(unpacked / BACKUP_DB_NAME), read_only=True).execute("select count(*) from submissions").fetchone()
        except (zipfile.BadZipFile, duckdb.Error, OSError) as exc:
            raise BadBackup from exc
        with warehouse.writer_lock(db_path):
            root = originals.store_dir(db_path)
            if (unpacked / BACKUP_STORE_NAME).is_dir():
                old = root.with_name(f".{root.name}.old")
                shutil.rmtree(old, ignore_errors=True)
                if root.exists():
                    os.replace(root, old)
                os.replace(unpacked / BACKUP_STORE_NAME, root)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(unpacked / BACKUP_DB_NAME, db_path)
