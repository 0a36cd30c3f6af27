"""The original workbooks that were loaded, kept by content beside the warehouse.

`<warehouse>.originals/ab/abcd….xlsx` holds each loaded file once, whatever it was
called; `manifest.jsonl` lists every load in order (file name, hash, --year, --town, time),
so `python -m etl rebuild` can recreate the warehouse from them. Refused files are
never kept: one may hold personal data.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from etl.loading import files


@dataclass(frozen=True)
class Stored:
    sha256: str
    file_name: str
    year: int | None
    loaded_at: dt.datetime
    town: str | None = None  # the town code given with the load (a district's uploader or --town)


def store_dir(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.name}.originals")


def _blob_path(root: Path, sha256: str, file_name: str) -> Path:
    suffix = Path(file_name).suffix.lower()
    if suffix not in (".xlsx", ".xls", ".ods", ".xlsm", ".xlsb"):
        suffix = ".bin"
    return root / sha256[:2] / f"{sha256}{suffix}"


def keep(root: Path, sha256: str, file_name: str, data: bytes, synced: bool = True) -> None:
    """Write the bytes once, readable by the service only (atomically: a killed or failed
    writer — a full disk — leaves no file, whole or half, under any name).

    `synced=False` is for a load, which keeps hundreds of originals and makes them durable
    together (`deferred_sync`) before the warehouse that references them is swapped in; where
    that one sync cannot report a failed write (`batch_sync_reports_errors`), each is synced
    here after all. Until then a power cut can leave a kept name holding fewer bytes than were
    written, so a copy already there counts only if its bytes still hash to its name."""
    target = _blob_path(root, sha256, file_name)
    if _intact(target, sha256):
        return
    files.private_dir(root)
    files.private_dir(target.parent)
    files.ensure_room(target.parent, len(data))
    files.write_private(target, data, synced=synced or not batch_sync_reports_errors())


def _intact(target: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(target.read_bytes()).hexdigest() == sha256
    except FileNotFoundError:
        return False


@contextmanager
def deferred_sync(root: Path) -> Iterator[Callable[[], None]]:
    """For one load: yields `sync`, which makes every original kept since with `synced=False`
    durable at once — one syncfs of their filesystem instead of an fsync per file (each fsync
    is a journal commit, and they were most of what keeping an original cost).

    The folder is opened before any original is written: syncfs reports a failed write-back
    to the descriptors that were open when it happened."""
    files.private_dir(root)
    folder = os.open(root, os.O_RDONLY)
    try:
        yield lambda: _sync_filesystem(folder)
    finally:
        os.close(folder)


def _sync_filesystem(folder: int) -> None:
    syncfs = getattr(_libc(), "syncfs", None)
    if syncfs is None:  # not Linux: sync(2) flushes every filesystem, this one included
        os.sync()
        return
    if syncfs(folder) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


@functools.cache
def batch_sync_reports_errors() -> bool:
    """Whether the batch's one sync says so when a write failed: syncfs(2) does from Linux 5.8
    on; older kernels (4.19, as Kylin V10 and UOS ship) and sync(2) elsewhere return as if
    all went well, so there each original is synced as it is kept, as before."""
    if not hasattr(_libc(), "syncfs"):
        return False
    found = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return bool(found) and (int(found.group(1)), int(found.group(2))) >= (5, 8)


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def kept(root: Path, sha256: str, file_name: str) -> bool:
    return _blob_path(root, sha256, file_name).is_file()


def discard(root: Path, sha256: str, file_name: str) -> None:
    """Remove a kept original again: its file was refused after all (a frozen year)."""
    _blob_path(root, sha256, file_name).unlink(missing_ok=True)


def record(root: Path, entries: list[Stored]) -> None:
    """Append loads to the manifest, in the order they were committed."""
    if not entries:
        return
    files.private_dir(root)
    lines = "".join(
        json.dumps(
            {"sha256": e.sha256, "file_name": e.file_name, "year": e.year, "loaded_at": e.loaded_at.isoformat()}
            | ({"town": e.town} if e.town else {}),
            ensure_ascii=False,
        )
        + "\n"
        for e in entries
    )
    fd = os.open(root / "manifest.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, files.PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(lines)
        handle.flush()
        os.fsync(handle.fileno())


def entries(root: Path) -> list[Stored]:
    """The manifest, skipping a last line cut short by a crash."""
    manifest = root / "manifest.jsonl"
    if not manifest.exists():
        return []
    found = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            continue
        found.append(Stored(raw["sha256"], raw["file_name"], raw.get("year"), dt.datetime.fromisoformat(raw["loaded_at"]), raw.get("town")))
    return found


def read(root: Path, entry: Stored) -> bytes:
    return _blob_path(root, entry.sha256, entry.file_name).read_bytes()
