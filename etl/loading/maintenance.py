"""Rebuild the warehouse from the kept originals; back it up to one file; restore it.

Each runs under the writers' lock, so it never races a load, and replaces the
warehouse atomically, so a reader never sees it half done.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.loading import files, journal, originals, warehouse
from etl.workbook.prepare import prepare

BACKUP_DB_NAME = "warehouse.duckdb"
BACKUP_STORE_NAME = "originals"
BACKUP_JOURNAL_NAME = "journal.jsonl"


@dataclass
class Reconciliation:
    """How the kept originals (the manifest) and the warehouse's current submissions agree."""

    replayable: list[originals.Stored]  # in the manifest, kept, and in the warehouse
    missing: list[tuple[str, str]]  # current submissions the store cannot reproduce: (file name, sha256)
    unloaded: list[originals.Stored]  # in the manifest but not in the warehouse (a load cut short)

    def describe_missing(self) -> str:
        names = "、".join(dict.fromkeys(name for name, _ in self.missing[:8]))
        more = f"等 {len(self.missing)} 个文件" if len(self.missing) > 8 else f"共 {len(self.missing)} 个文件"
        return f"{names}（{more}）"


class RebuildRefused(RuntimeError):
    """Rebuilding would lose what the warehouse holds; the message is Chinese, nothing changed."""


def reconcile(db_path: Path) -> Reconciliation:
    """Compare the manifest and the kept files with the warehouse's submissions, current ones
    and those kept as history, before anything is replaced."""
    db_path = Path(db_path)
    root = originals.store_dir(db_path)
    listed = originals.entries(root)
    in_warehouse = _loaded_files(db_path)
    kept = {entry.sha256 for entry in listed if originals.kept(root, entry.sha256, entry.file_name)}
    if in_warehouse is None:
        # No warehouse to lose (gone, or unreadable): every kept original is what there is.
        in_warehouse = {entry.sha256: entry.file_name for entry in listed}
    seen: set[str] = set()
    replayable, unloaded = [], []
    for entry in listed:
        if entry.sha256 in seen or entry.sha256 not in kept:
            continue  # listed twice (a crash cut a load short), or its file is gone
        seen.add(entry.sha256)
        (replayable if entry.sha256 in in_warehouse else unloaded).append(entry)
    missing = [(name, sha) for sha, name in in_warehouse.items() if sha not in kept]
    return Reconciliation(replayable, missing, unloaded)


def rebuild(db_path: Path, include_unloaded: bool = False) -> tuple[int, int, Path | None]:
    """Replay the kept originals, in the order they were first loaded, into a new warehouse.

    Never loses what the warehouse holds: refused (RebuildRefused, nothing changed) when the
    store cannot reproduce every submission it has, or when the replay would end with fewer
    current submissions than before (e.g. a village list changed under a kept file). Files
    the manifest lists but the warehouse lacks (a load cut short) are left out unless
    `include_unloaded`. The replaced warehouse is kept as a dated copy beside it.

    Returns (files replayed, files left out as not loaded, the kept copy)."""
    db_path = Path(db_path)
    root = originals.store_dir(db_path)
    plan = reconcile(db_path)
    if plan.missing:
        raise RebuildRefused(
            f"保存的原始工作簿里缺少数据库现有的 {plan.describe_missing()}（原件目录 {root} 被删除或不完整）。"
            "重建会丢失这些数字，已停止，数据库没有任何改动。请先用 python -m etl restore 从备份恢复原件目录"
        )
    before = _current_submissions(db_path)
    decisions = _admin_decisions(db_path)
    replay = sorted(plan.replayable + (plan.unloaded if include_unloaded else []), key=lambda e: e.loaded_at)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    previous = db_path.with_name(f"{db_path.name}.before-rebuild-{stamp}") if db_path.exists() else None
    with warehouse.writing(db_path, fresh=True, keep_previous=previous) as con:
        for entry in replay:
            prepared = prepare(entry.file_name, originals.read(root, entry), entry.year, town=entry.town)
            warehouse.commit_files(con, [prepared], entry.loaded_at)
        _restore_decisions(con, decisions)
        dataset = (root / "dataset").read_text(encoding="utf-8").strip() if (root / "dataset").exists() else ""
        if dataset:
            warehouse.set_info(con, "dataset", dataset)
        after = {row[0] for row in con.execute("select submission_id from submission where status = 'loaded'").fetchall()}
        lost = sorted(before - after)
        if lost:
            raise RebuildRefused(
                f"用原件重建后，{len(lost)} 份现有报送（如 {lost[0]}）不能再导入（可能是村社区名单或指标目录改过）。"
                "已停止，数据库没有任何改动。请恢复原来的名单或目录后再重建"
            )
    return len(replay), 0 if include_unloaded else len(plan.unloaded), previous


def _loaded_files(db_path: Path) -> dict[str, str] | None:
    """sha256 → file name of every file the warehouse holds; None if there is no warehouse to read."""
    rows = _read_old(db_path, "select sha256, any_value(file_name) from w.submission group by sha256")
    return None if rows is None else dict(rows)


def _current_submissions(db_path: Path) -> set[str]:
    rows = _read_old(db_path, "select submission_id from w.submission where status = 'loaded'")
    return {row[0] for row in rows or []}


def _read_old(db_path: Path, sql: str) -> list[tuple] | None:
    if not db_path.exists():
        return None
    con = duckdb.connect()
    try:
        con.execute("attach ? as w (read_only)", [str(db_path)])
        return con.execute(sql).fetchall()
    except duckdb.Error:
        return None  # unreadable: rebuilding is the remedy, and the old file is kept
    finally:
        con.close()


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
    """One zip holding the warehouse, the journal and the kept originals; readable by the
    service's account only; no partial zip stays behind if the disk fills."""
    db_path, target = Path(db_path), Path(target)
    root = originals.store_dir(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        with warehouse.writer_lock(db_path):
            stored = db_path.stat().st_size + sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0
            files.ensure_room(target.parent, stored)
            handle = os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, files.mode_for(target)), "wb")
            with handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(db_path, BACKUP_DB_NAME)
                if journal.journal_path(db_path).exists():
                    archive.write(journal.journal_path(db_path), BACKUP_JOURNAL_NAME)
                if root.is_dir():
                    for path in sorted(root.rglob("*")):
                        if path.is_file():
                            archive.write(path, f"{BACKUP_STORE_NAME}/{path.relative_to(root).as_posix()}")
        os.replace(draft, target)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    return target


class BadBackup(ValueError):
    """The file is not a backup made by `python -m etl backup`."""


def restore(source: Path, db_path: Path) -> None:
    """Put a backup back: the warehouse and its originals, swapped in whole."""
    db_path = Path(db_path)
    files.private_dir(db_path.parent)
    with files.private_creation(), tempfile.TemporaryDirectory(dir=db_path.parent) as tmp:
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
            if (unpacked / BACKUP_JOURNAL_NAME).exists():
                os.replace(unpacked / BACKUP_JOURNAL_NAME, journal.journal_path(db_path))
            os.replace(unpacked / BACKUP_DB_NAME, db_path)
