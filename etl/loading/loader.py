"""Load files: read → recognise → validate each file whole, then commit in batches.

Each file is all or nothing: a file with any problem writes no number, only its entry
in the load log. The same bytes again are a `duplicate` and change nothing. A file
for a sheet kind and year already loaded supersedes the earlier submission.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from queue import Empty, Queue
from typing import TYPE_CHECKING

from etl.loading import originals
from etl.workbook import sandbox

# DuckDB (etl.loading.warehouse) and the workbook readers (etl.workbook.prepare) are imported
# where first used, not here: a load starts its reader workers first, and this process loads
# them meanwhile instead of before (together about 0.2 s of every command-line load).
if TYPE_CHECKING:
    import duckdb

    from etl.workbook.prepare import FileReport, PreparedFile

    Target = duckdb.DuckDBPyConnection | Path

WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods", ".xlsm", ".xlsb")
BATCH_SIZE = int(os.environ.get("FAZHI_BATCH_SIZE", 500))  # files per commit
PARALLEL_FROM = 24  # below this many files, a second worker costs more than it saves


def load_blobs(
    db: Target,
    blobs: Iterable[tuple[str, bytes]],
    year: int | None = None,
    progress: Callable[[FileReport], None] | None = None,
    actor: str = "",
    departments: frozenset[str] | None = None,
    town: str | None = None,
) -> list[FileReport]:
    """Load (file name, bytes) pairs; returns one report per file, in order.

    `db` is the warehouse file (the normal case: each batch is written to a copy that
    is swapped in, and the originals are kept beside it) or an open connection (tests
    write straight into it). Files are read in a capped worker process (etl.workbook.sandbox).
    `actor` names who loads, for the audit trail. `departments`, when given, are the only
    departments whose sheets may load (an uploader's own): a file with another's sheet is
    refused whole, and its original is never kept. `town` (a town code) says whose files
    these are in a district (an uploader's town, --town); without it the file says
    (etl.workbook.prepare).
    """
    root = _store_root(db)
    if departments is None:
        jobs = ((name, data, year, root, town) for name, data in blobs)
        return _load_prepared(db, _stamped(sandbox.prepare_all(jobs), actor), (year, town), progress)
    held: deque[bytes] = deque()

    def jobs_holding_data():
        for name, data in blobs:
            held.append(data)
            yield name, data, year, None, town  # kept below, once the file is known to be theirs

    def restricted(stream: Iterable[PreparedFile]) -> Iterator[PreparedFile]:
        from etl.workbook.prepare import restrict_departments

        for prepared in stream:
            data = held.popleft()
            restrict_departments(prepared, departments)
            if root is not None and prepared.status == "loaded":
                originals.keep(root, prepared.sha256, prepared.file_name, data, synced=False)
            yield prepared

    stream = restricted(sandbox.prepare_all(jobs_holding_data()))
    return _load_prepared(db, _stamped(stream, actor), (year, town), progress)


def _stamped(stream: Iterable[PreparedFile], actor: str) -> Iterator[PreparedFile]:
    for prepared in stream:
        prepared.actor = actor
        yield prepared


def load_paths(
    db: Target,
    paths: list[Path],
    year: int | None = None,
    progress: Callable[[FileReport], None] | None = None,
    actor: str = "",
    town: str | None = None,
) -> list[FileReport]:
    """Load files; a large folder is read and checked by one worker per core (reading
    is CPU-bound Python), while this process alone writes the warehouse."""
    workers = min(os.cpu_count() or 1, 4) if len(paths) >= PARALLEL_FROM else 1
    root = _store_root(db)
    # Absolute, for the workers run in the project folder; not resolved, which costs a lookup
    # per folder of the path, per file: opening it follows any link just the same.
    jobs = ((path.name, path.absolute(), year, root, town) for path in paths)
    return _load_prepared(db, _stamped(sandbox.prepare_all(jobs, workers), actor), (year, town), progress)


def _is_file(db: Target) -> bool:
    """A warehouse file, written through a swapped-in copy; otherwise an open connection (tests)."""
    return isinstance(db, (str, os.PathLike))


def _store_root(db: Target) -> Path | None:
    # Absolute: the reader workers run in the project folder, not in the caller's.
    return originals.store_dir(Path(db).resolve()) if _is_file(db) else None


def _load_prepared(
    db: Target, stream: Iterable[PreparedFile], given: tuple[int | None, str | None], progress: Callable[[FileReport], None] | None
) -> list[FileReport]:
    """`given` is the load's --year and --town, which the manifest keeps for a rebuild."""
    reports: list[FileReport] = []
    batch: list[PreparedFile] = []
    root = _store_root(db)
    with originals.deferred_sync(root) if root else contextlib.nullcontext() as sync:
        for prepared in _ahead(stream):
            batch.append(prepared)
            if len(batch) >= BATCH_SIZE:
                reports.extend(_flush(db, batch, given, progress, sync))
                batch = []
        reports.extend(_flush(db, batch, given, progress, sync))
    return reports


def _ahead(stream: Iterable[PreparedFile]) -> Iterator[PreparedFile]:
    """Keep the readers busy while this thread commits: the stream is drawn in a thread
    of its own, at most two batches ahead. If the consumer stops early (an error while
    committing), the reading stops too and the workers are handed back."""
    queue: Queue = Queue(maxsize=2 * BATCH_SIZE)
    finished = object()
    failure: list[BaseException] = []
    stop = threading.Event()

    def pump() -> None:
        try:
            for item in stream:
                queue.put(item)
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the consuming thread, which raises it
            failure.append(exc)
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()
            queue.put(finished)

    thread = threading.Thread(target=pump, name="etl-readers", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not finished:
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(Empty):
                queue.get(timeout=0.1)
    if failure:
        raise failure[0]


def _mark_duplicates(con: duckdb.DuckDBPyConnection, batch: list[PreparedFile]) -> None:
    """Files whose bytes are already in the warehouse (or earlier in this batch) add nothing.

    Checked inside the writing session, so two loads racing each other cannot both add a file."""
    from etl.loading import warehouse

    known = warehouse.known_hashes(con, [p.sha256 for p in batch if p.status == "loaded"])
    first_ids = warehouse.submissions_by_hash(con, [p.sha256 for p in batch if p.status == "loaded" and p.sha256 in known])
    for prepared in batch:
        if prepared.status != "loaded":
            continue
        if prepared.sha256 in known:
            prepared.status, prepared.parts = "duplicate", []
            prepared.duplicate_of = first_ids[prepared.sha256]
            prepared.notices.insert(0, "这个文件之前已经导入过（内容完全相同），本次未重复计入")
        else:
            known.add(prepared.sha256)
            first_ids[prepared.sha256] = [p.submission_id for p in prepared.parts]


def _flush(
    db: Target,
    batch: list[PreparedFile],
    given: tuple[int | None, str | None],
    progress,
    sync: Callable[[], None] | None,
    now: dt.datetime | None = None,
) -> list[FileReport]:
    from etl.loading import warehouse
    from etl.workbook.prepare import report

    if not batch:
        return []
    now = now or dt.datetime.now().replace(microsecond=0)
    if not _is_file(db):
        _mark_duplicates(db, batch)
        warehouse.commit_files(db, batch, now)
    else:
        with warehouse.writing(db) as con:
            _mark_duplicates(con, batch)
            checked = [p for p in batch if p.status == "loaded"]
            warehouse.commit_files(con, batch, now)
            _discard_refused(con, _store_root(db), checked)
            # The batch's originals were kept unsynced (by the readers, or by load_blobs): they are
            # made durable here, before the manifest lists them and the warehouse that references
            # them is swapped in, so a power cut never leaves a loaded file without its original.
            sync()
            # Recorded before the swap: a crash in between leaves the manifest listing a
            # file the warehouse lacks (loading again adds it), never the reverse.
            loaded = [p for p in batch if p.status == "loaded"]
            year, town = given
            originals.record(_store_root(db), [originals.Stored(p.sha256, p.file_name, year, now, town) for p in loaded])
            warehouse.crash_point("recorded")
    reports = [report(p) for p in batch]
    if progress:
        for item in reports:
            progress(item)
    return reports


def _discard_refused(con: duckdb.DuckDBPyConnection, root: Path | None, checked: list[PreparedFile]) -> None:
    """A file the workers kept but the commit refused (a frozen year) is not kept: refused files
    never are. Removed before the swap, so a crash leaves at most an original that is not loaded,
    never a loaded file without its original."""
    refused = [p for p in checked if p.status == "rejected"]
    if root is None or not refused:
        return
    from etl.loading import warehouse

    loaded = warehouse.known_hashes(con, [p.sha256 for p in refused])
    for prepared in refused:
        if prepared.sha256 not in loaded:
            originals.discard(root, prepared.sha256, prepared.file_name)


def collect_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Files named, and workbooks found in folders named; plus what could not be found."""
    found: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in WORKBOOK_SUFFIXES and not child.name.startswith(("~$", ".~")):
                    found.append(child)
        elif path.is_file():
            found.append(path)
        else:
            missing.append(str(raw))
    return found, missing


def read_blobs(paths: Iterable[Path]) -> Iterable[tuple[str, bytes]]:
    """File names and contents, one at a time; an oversized file is read only far
    enough to be refused, so memory stays bounded."""
    for path in paths:
        yield path.name, sandbox.read_source(path)
