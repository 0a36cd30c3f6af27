"""The DuckDB warehouse: schema, public views, and the one transaction a load writes.

Writes arrive as whole, already validated files (`PreparedFile`s from the loader);
`commit_files` writes a batch of them in a single transaction, so a crash or an error
leaves either all of a batch or none of it, and never part of a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from etl import settings
from etl.loading import files, journal, migrations
from etl.reference.catalog import Catalog, load_catalog
from etl.reference.places import Places, load_places

if TYPE_CHECKING:
    from etl.workbook.prepare import PreparedFile

SQL_DIR = Path(__file__).parent / "sql"
VIEWS_SQL = (SQL_DIR / "views.sql").read_text(encoding="utf-8")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writable connection creates or upgrades the schema
    (etl.loading.migrations) and refreshes the village list and the catalog from the data files."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    upgraded = migrations.upgrade(con)
    stored = dict(con.execute("select key, value from info where key in ('reference', 'views')").fetchall())
    fingerprint = reference_fingerprint()
    if stored.get("reference") != fingerprint:
        sync_reference_data(con, load_catalog(), load_places())
        set_info(con, "reference", fingerprint)
    # The views are made again only when this program's views.sql is not the one the
    # warehouse was last given, or a migration step has just changed the tables under them.
    if upgraded or stored.get("views") != VIEWS_FINGERPRINT:
        con.execute(VIEWS_SQL)
        set_info(con, "views", VIEWS_FINGERPRINT)
    return con


VIEWS_FINGERPRINT = hashlib.sha256(VIEWS_SQL.encode("utf-8")).hexdigest()[:16]


def is_current(path: str | Path) -> bool:
    """Whether the warehouse was last written with this program's tables, views, catalog and
    village list, so a reader can use it as it is (after an upgrade of the program, or a new
    village list, it is not until a writer has opened it)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False
    try:
        found = dict(con.execute("select key, value from info where key in ('schema_version', 'views', 'reference')").fetchall())
    except duckdb.Error:
        return False
    finally:
        con.close()
    return (
        found.get("views") == VIEWS_FINGERPRINT
        and found.get("reference") == reference_fingerprint()
        and found.get("schema_version") == str(migrations.latest())
    )


def bring_up_to_date(path: str | Path) -> None:
    """Upgrade a warehouse written by an earlier version of this program (or with an earlier
    village list) the way every writer does: on a copy, swapped in."""
    if Path(path).exists() and not is_current(path):
        with writing(path):
            pass


def reference_fingerprint() -> str:
    """Changes when data/catalog.toml or the village list changes."""
    digest = hashlib.sha256()
    for path in (settings.CATALOG_FILE, settings.VILLAGES_FILE):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def sync_reference_data(con: duckdb.DuckDBPyConnection, catalog: Catalog, places: Places) -> None:
    """Replace the village list and the catalog with what the data files say now."""
    con.execute("begin")
    con.execute("delete from place")
    insert_values(
        con,
        "place",
        [(v.town_code, v.town_name, v.code, v.name, v.type, v.police_station, n) for n, v in enumerate(places.villages)],
    )
    con.execute("delete from catalog_topic")
    insert_values(
        con,
        "catalog_topic",
        [(t.code, t.name, t.department, t.breakdown, t.layout, n) for n, t in enumerate(catalog.topics.values())],
    )
    con.execute("delete from catalog_indicator")
    insert_values(
        con,
        "catalog_indicator",
        [
            (
                i.code,
                i.name,
                i.topic,
                catalog.topics[i.topic].department,
                i.unit,
                catalog.topics[i.topic].breakdown,
                i.kind,
                i.sensitive,
                i.better,
                i.parent,
                n,
            )
            for n, i in enumerate(catalog.indicators.values())
        ],
    )
    codes = ",".join(places.towns)
    con.execute("insert or replace into info values ('town_code', ?), ('town_name', ?)", [codes, places.area_name])
    con.execute("commit")


CRASH_POINTS = ("copied", "written", "recorded", "synced", "swapped")
_passed: dict[str, int] = {}


def crash_point(stage: str) -> None:
    """For the crash tests only: with FAZHI_TEST_CRASH_AT=<stage>:<n>, the n-th pass of a
    writer through `stage` (one of CRASH_POINTS) kills this process with SIGKILL, so a
    test can crash a load at every stage of a commit, on any machine, at any speed."""
    wanted = os.environ.get("FAZHI_TEST_CRASH_AT")
    if not wanted:
        return
    _passed[stage] = _passed.get(stage, 0) + 1
    name, _, count = wanted.partition(":")
    if name == stage and str(_passed[stage]) == count:
        os.kill(os.getpid(), signal.SIGKILL)


LOCK_TIMEOUT_SECONDS = float(os.environ.get("FAZHI_LOCK_TIMEOUT", 120))


@contextmanager
def writer_lock(path: Path, timeout: float | None = None) -> Iterator[None]:
    """One writer at a time, across processes: an flock on a file beside the warehouse."""
    lock_path = Path(f"{path}.lock")
    files.private_dir(lock_path.parent)
    with open(os.open(lock_path, os.O_RDWR | os.O_CREAT, files.PRIVATE_FILE), "a+") as handle:
        deadline = time.monotonic() + (LOCK_TIMEOUT_SECONDS if timeout is None else timeout)
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WarehouseBusy from None
                time.sleep(0.05)  # another load is committing; it takes well under a second
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class WarehouseBusy(RuntimeError):
    """Another load held the warehouse for longer than the writer waits."""


@contextmanager
def writing(path: str | Path, fresh: bool = False, keep_previous: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Write to a private copy of the warehouse and swap it in atomically on success.

    Readers (the dashboard, in any number of processes) keep reading the file they
    opened and never see a lock or a half-written load; a crash or an error leaves the
    warehouse as it was, with at most a stray copy that the next writer removes.
    `fresh` starts from an empty warehouse instead of a copy (rebuild); `keep_previous`
    names where the replaced warehouse is kept (rebuild keeps a dated copy). Before
    copying, the disk is checked for room (files.DiskFull, in Chinese); whatever fails, no
    partial copy stays behind. The new file keeps the mode of the one it replaces (0600 for
    a new warehouse).
    """
    path = Path(path)
    files.private_dir(path.parent)
    with writer_lock(path), files.private_creation():
        for stale in path.parent.glob(f".{path.name}.writing-*"):
            stale.unlink(missing_ok=True)  # left by a writer that was killed
        draft = path.with_name(f".{path.name}.writing-{os.getpid()}")
        con = None
        try:
            if Path(f"{path}.wal").exists() and not fresh:
                # Written in place by an older version: fold its log in before copying the file.
                duckdb.connect(str(path)).close()
            size = path.stat().st_size if path.exists() else 0
            files.ensure_room(path.parent, (size if not fresh else 0) + (size if keep_previous else 0))
            if path.exists() and not fresh:
                files.copy_file(path, draft)
            con = connect(draft)
            os.chmod(draft, files.mode_for(path))
            crash_point("copied")
            yield con
            crash_point("written")
            con.execute("checkpoint")
            con.close()
            with open(draft, "rb") as handle:
                os.fsync(handle.fileno())
            crash_point("synced")
            if keep_previous is not None and path.exists():
                shutil.copy2(path, keep_previous)
            os.replace(draft, path)
            crash_point("swapped")
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except BaseException:
            if con is not None:
                with contextlib.suppress(Exception):
                    con.close()
            draft.unlink(missing_ok=True)
            Path(f"{draft}.wal").unlink(missing_ok=True)
            raise


def version(path: str | Path) -> tuple[int, int] | None:
    """Changes whenever a writer swaps in a new warehouse: a key for readers' caches."""
    try:
        stat = Path(path).stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def known_hashes(con: duckdb.DuckDBPyConnection, hashes: list[str]) -> set[str]:
    """Which of these files (by content) are already in the warehouse. Asked of the batch's
    hashes only: a warehouse with years of history holds millions of them."""
    if not hashes:
        return set()
    found = con.execute("select distinct sha256 from submission where sha256 in (select unnest($hashes))", {"hashes": list(set(hashes))})
    return {row[0] for row in found.fetchall()}


def submissions_by_hash(con: duckdb.DuckDBPyConnection, hashes: list[str]) -> dict[str, list[str]]:
    """The submissions each of these files (by content) became when it was first loaded."""
    if not hashes:
        return {}
    rows = con.execute(
        "select sha256, list(submission_id order by submission_id) from submission where sha256 in (select unnest($1)) group by sha256",
        [hashes],
    ).fetchall()
    return dict(rows)


def set_info(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert or replace into info values (?, ?)", [key, value])


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Insert many rows (dicts of column → value) in one statement, column lists unnested
    by DuckDB and named, so the table's column order does not matter.

    Several times faster than executemany, and it needs neither pandas nor pyarrow
    (pyarrow imports pandas, which alone costs a command-line load 0.2 s)."""
    if not rows:
        return
    names = list(rows[0])
    columns = [[row[name] for row in rows] for name in names]
    selects = ", ".join(f"unnest(${n + 1})" for n in range(len(names)))
    quoted = ", ".join(f'"{name}"' for name in names)
    con.execute(f"insert into {table} ({quoted}) select {selects}", columns)


def insert_values(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert many rows given in the table's column order in one statement, as insert_rows does
    (executemany runs one statement per row: 50 ms for the 60 rows of the reference data)."""
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    selects = ", ".join(f"unnest(${n + 1})" for n in range(len(columns)))
    con.execute(f"insert into {table} select {selects}", columns)


def _insert_facts(con: duckdb.DuckDBPyConnection, lines: str) -> None:
    """Insert the numbers of a batch from the CSV lines the readers made: DuckDB's CSV
    reader takes 100,000 of them in a few milliseconds, far faster than any Python path."""
    if not lines:
        return
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as handle:
        handle.write(lines)
    try:
        con.execute(
            "insert into fact (submission_id, village_code, indicator_code, value, qualifier, cell) "
            "select * from read_csv(?, header = false, delim = ',', quote = '', escape = '', nullstr = '', "
            "columns = {'submission_id': 'VARCHAR', 'village_code': 'VARCHAR', 'indicator_code': 'VARCHAR', "
            "'value': 'BIGINT', 'qualifier': 'VARCHAR', 'cell': 'VARCHAR'})",
            [handle.name],
        )
    finally:
        os.unlink(handle.name)


def commit_files(con: duckdb.DuckDBPyConnection, files: list[PreparedFile], now: dt.datetime | None = None) -> None:
    """Write one batch of load attempts (loaded, duplicate and refused) in one transaction,
    with their audit entries. A file with a sheet of a frozen (topic, year) is refused here,
    inside the writing session, so a freeze cannot race a load."""
    now = now or dt.datetime.now().replace(microsecond=0)
    refuse_frozen(con, files)
    attempts: list[dict] = []
    submissions: list[dict] = []
    facts: list[str] = []
    events: list[tuple] = []
    # (topic, year, town) → the batch's newest submission of it: in a district, each town's
    # sheet of a year stands beside the others' and replaces only its own earlier one.
    latest: dict[tuple[str, int, str], dict] = {}
    for prepared in files:
        attempts.append(
            {
                "attempt_id": prepared.attempt_id,
                "attempted_at": now,
                "file_name": prepared.file_name,
                "sha256": prepared.sha256,
                "status": prepared.status,
                "error_count": len(prepared.problems),
                "errors": json.dumps([p.to_dict() for p in prepared.problems], ensure_ascii=False),
                "notices": json.dumps(prepared.notices, ensure_ascii=False),
            }
        )
        if prepared.status != "loaded":
            continue
        for part in prepared.parts:
            submission = {
                "submission_id": part.submission_id,
                "attempt_id": prepared.attempt_id,
                "file_name": prepared.file_name,
                "sheet_name": part.sheet_name,
                "sha256": prepared.sha256,
                "department": part.department,
                "topic": part.topic,
                "year": part.year,
                "town_code": part.town_code,
                "loaded_at": now,
                "status": "loaded",
                "row_count": part.row_count,
                "superseded_by": None,
                "unfilled_villages": part.unfilled_villages,
            }
            key = (part.topic, part.year, part.town_code)
            earlier = latest.get(key)
            if earlier is not None:  # a later file of the same batch replaces an earlier one
                earlier["status"], earlier["superseded_by"] = "superseded", part.submission_id
            latest[key] = submission
            submissions.append(submission)
            facts.append(part.facts_csv)
            events.extend(part.event_rows)
    con.execute("begin")
    try:
        audits = [_load_audit(prepared, now) for prepared in files]
        if latest:
            # One statement supersedes every earlier submission these files replace.
            topics, years, towns = ([key[n] for key in latest] for n in range(3))
            audits += _supersede_audit(con, files, submissions, latest, now)
            con.execute(
                "update submission set status = 'superseded', superseded_by = replacing.new_id "
                "from (select unnest($1) as topic, unnest($2) as year, unnest($3) as town_code, unnest($4) as new_id) as replacing "
                "where submission.topic = replacing.topic and submission.year = replacing.year "
                "and submission.town_code = replacing.town_code and submission.status = 'loaded'",
                [topics, years, towns, [s["submission_id"] for s in latest.values()]],
            )
        insert_rows(con, "load_attempt", attempts)
        insert_rows(con, "submission", submissions)
        _insert_facts(con, "".join(facts))
        insert_rows(con, "event", [dict(zip(EVENT_COLUMNS, row, strict=True)) for row in events])
        insert_rows(con, "audit", audits)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


# The columns of an event row as the readers make it (etl.workbook.prepare).
EVENT_COLUMNS = (
    "event_id",
    "submission_id",
    "event_date",
    "year",
    "village_code",
    "location",
    "theme",
    "partners",
    "materials",
    "materials_qualifier",
    "banners",
    "banners_qualifier",
    "consultations",
    "consultations_qualifier",
    "participants",
    "participants_qualifier",
    "source_ref",
)


# ---------------------------------------------------------------- audit trail, freeze, roll back

CLI_ACTOR = "命令行"


def _actor(prepared: PreparedFile) -> str:
    return getattr(prepared, "actor", "") or CLI_ACTOR


def audit_entry(at: dt.datetime, actor: str, action: str, detail: str, subject: str | None = None) -> dict:
    """One row of the audit trail: `subject` names the submission it is about, if any."""
    return {"at": at, "actor": actor, "action": action, "detail": detail, "subject": subject}


def _load_audit(prepared: PreparedFile, now: dt.datetime) -> dict:
    """One audit entry per load attempt: file name, outcome, ids, counts and codes only."""
    if prepared.status == "loaded":
        ids = "、".join(p.submission_id for p in prepared.parts)
        rows = sum(p.row_count for p in prepared.parts)
        return audit_entry(now, _actor(prepared), "load", f"{prepared.file_name}：导入 {ids}，{rows} 个数值")
    if prepared.status == "duplicate":
        return audit_entry(now, _actor(prepared), "duplicate", f"{prepared.file_name}：与已导入的文件完全相同，未计入")
    codes = "、".join(dict.fromkeys(p.code for p in prepared.problems)) or "未知"
    return audit_entry(now, _actor(prepared), "reject", f"{prepared.file_name}：拒收，{len(prepared.problems)} 个问题（{codes}）")


def _supersede_audit(
    con: duckdb.DuckDBPyConnection, files: list[PreparedFile], submissions: list[dict], latest: dict[tuple[str, int, str], dict], now
) -> list[dict]:
    """Entries for the submissions this batch replaces: earlier ones in the warehouse, and
    earlier files of the same batch."""
    actor_of = {p.attempt_id: _actor(p) for p in files}
    attempt_of = {s["submission_id"]: s["attempt_id"] for s in submissions}
    old = con.execute(
        "select submission_id, file_name, topic, year, town_code from submission "
        "where status = 'loaded' and (topic, year, town_code) in (select unnest($1), unnest($2), unnest($3))",
        [[key[n] for key in latest] for n in range(3)],
    ).fetchall()
    replaced = [(old_id, file_name, latest[(topic, year, town)]["submission_id"]) for old_id, file_name, topic, year, town in old]
    replaced += [(s["submission_id"], s["file_name"], s["superseded_by"]) for s in submissions if s["status"] == "superseded"]
    return [
        audit_entry(now, actor_of[attempt_of[new_id]], "supersede", f"{old_id}（{file_name}）被 {new_id} 替代", subject=old_id)
        for old_id, file_name, new_id in replaced
    ]


def record_audit(
    con: duckdb.DuckDBPyConnection, actor: str, action: str, detail: str, now: dt.datetime | None = None, subject: str | None = None
) -> None:
    insert_rows(con, "audit", [audit_entry(now or dt.datetime.now(), actor, action, detail, subject)])


def audit(path: str | Path, actor: str, action: str, detail: str) -> None:
    """Record one entry that is not part of a load (a download, a login) in the journal beside
    the warehouse (etl.loading.journal): the warehouse itself is not rewritten."""
    journal.append(path, actor, action, detail)


def frozen_keys(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], tuple[str, dt.datetime]]:
    rows = con.execute("select topic, year, frozen_by, frozen_at from frozen").fetchall()
    return {(topic, year): (by, at) for topic, year, by, at in rows}


def refuse_frozen(con: duckdb.DuckDBPyConnection, files: list[PreparedFile]) -> None:
    """Turn files with a sheet of a frozen (topic, year) into refusals (code FROZEN)."""
    frozen = frozen_keys(con)
    if not frozen:
        return
    from etl.reference.problems import Problem

    names = dict(con.execute("select topic, topic_name from catalog_topic").fetchall())
    for prepared in files:
        if prepared.status != "loaded":
            continue
        hits = [part for part in prepared.parts if (part.topic, part.year) in frozen]
        if not hits:
            continue
        problems = []
        for part in hits:
            by, at = frozen[(part.topic, part.year)]
            problems.append(
                Problem(
                    "FROZEN",
                    f"{part.year}年的{names.get(part.topic, part.topic)}数据已由管理员“{by}”于 {at:%Y-%m-%d %H:%M} 冻结，"
                    f"不再接受新文件，整个文件未导入。如确需更正，请联系“{by}”解冻后重新上报",
                    part.sheet_name,
                    "A1",
                )
            )
        prepared.status, prepared.parts, prepared.problems = "rejected", [], problems


class AdminRefused(ValueError):
    """An admin action that cannot be done; the message is the Chinese reason."""


def freeze(path: str | Path, topic: str, year: int, actor: str) -> None:
    """Refuse later loads of one (topic, year) until it is unfrozen."""
    with writing(path) as con:
        if con.execute("select 1 from frozen where topic = ? and year = ?", [topic, year]).fetchone():
            raise AdminRefused(f"{year}年的这项报表已经冻结")
        now = dt.datetime.now()
        con.execute("insert into frozen values (?, ?, ?, ?)", [topic, year, now.replace(microsecond=0), actor])
        record_audit(con, actor, "freeze", f"冻结 {topic} {year}", now)


def unfreeze(path: str | Path, topic: str, year: int, actor: str) -> None:
    with writing(path) as con:
        if not con.execute("select 1 from frozen where topic = ? and year = ?", [topic, year]).fetchone():
            raise AdminRefused(f"{year}年的这项报表没有冻结")
        con.execute("delete from frozen where topic = ? and year = ?", [topic, year])
        record_audit(con, actor, "unfreeze", f"解冻 {topic} {year}")


def roll_back(path: str | Path, submission_id: str, actor: str) -> str | None:
    """Withdraw the current submission `submission_id`: the one it replaced becomes current
    again (or, if it replaced none, the topic and year have no submission). The withdrawn
    one stays as history with status `superseded`. Returns the id made current, if any."""
    with writing(path) as con:
        row = con.execute("select topic, year, status, file_name from submission where submission_id = ?", [submission_id]).fetchone()
        if row is None:
            raise AdminRefused("找不到这份报送")
        topic, year, status, file_name = row
        if status != "loaded":
            raise AdminRefused("只能撤回当前有效的版本")
        if con.execute("select 1 from frozen where topic = ? and year = ?", [topic, year]).fetchone():
            raise AdminRefused(f"{year}年的这项报表已冻结，请先解冻再撤回")
        previous = con.execute(
            "select submission_id from submission where superseded_by = ? order by loaded_at desc, submission_id desc limit 1",
            [submission_id],
        ).fetchone()
        restored = previous[0] if previous else None
        con.execute("begin")
        # Withdrawn, not replaced: superseded_by stays empty, so rolling back the restored
        # version later goes on to the one before it, never back to this one.
        con.execute("update submission set status = 'superseded', superseded_by = null where submission_id = ?", [submission_id])
        if restored:
            con.execute("update submission set status = 'loaded', superseded_by = null where submission_id = ?", [restored])
        record_audit(
            con,
            actor,
            "roll_back",
            f"撤回 {submission_id}（{file_name}），" + (f"恢复 {restored} 为当前版本" if restored else "该报表该年度不再有当前版本"),
            subject=submission_id,
        )
        con.execute("commit")
    return restored
