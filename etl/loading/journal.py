"""The audit entries that are not part of a load — downloads, logins, refused logins — kept in
an append-only file beside the warehouse (`<warehouse>.journal.jsonl`, one JSON line each,
readable by the service's account only).

A load's audit entries still commit in the load's own transaction (etl.loading.warehouse);
these do not touch the warehouse at all, so a thousand downloads never rewrite it, never
make other people's pages wait and never flush their caches. Each line is written with one
`write` on a file opened for appending and synced, so concurrent writers never interleave
within a line and a crash loses at most the line being written, never an earlier one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from etl.loading import files

SUFFIX = ".journal.jsonl"
# The columns of an entry, as in the warehouse's audit table.
FIELDS = ("at", "actor", "action", "detail", "subject")


def journal_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.name}{SUFFIX}")


def append(db_path: str | Path, actor: str, action: str, detail: str, subject: str | None = None, at: dt.datetime | None = None) -> None:
    """Add one entry; raises OSError (disk full, read-only) so the caller can refuse what it
    was about to do rather than do it unrecorded."""
    entry = {
        "at": (at or dt.datetime.now()).replace(microsecond=0).isoformat(sep=" "),
        "actor": actor,
        "action": action,
        "detail": detail,
        "subject": subject,
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = journal_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, files.PRIVATE_FILE)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def entries(db_path: str | Path) -> list[dict]:
    """Every entry, oldest first; a last line cut short by a crash is skipped."""
    path = journal_path(db_path)
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            continue
        found.append({name: raw.get(name) for name in FIELDS})
    return found
