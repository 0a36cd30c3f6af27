"""The original workbooks that were loaded, kept by content beside the warehouse.

`<warehouse>.originals/ab/abcd….xlsx` holds each loaded file once, whatever it was
called; `manifest.jsonl` lists every load in order (file name, hash, --year, --town, time),
so `python -m etl rebuild` can recreate the warehouse from them. Refused files are
never kept: one may hold personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
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


def keep(root: Path, sha256: str, file_name: str, data: bytes) -> None:
    """Write the bytes once, readable by the service only (atomically: a killed or failed
    writer — a full disk — leaves no file, whole or half, under any name)."""
    target = _blob_path(root, sha256, file_name)
    if target.exists():
        return
    files.private_dir(root)
    files.private_dir(target.parent)
    files.ensure_room(target.parent, len(data))
    files.write_private(target, data)


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
