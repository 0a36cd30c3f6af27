"""The files the warehouse keeps — the database, its copies while writing, the originals, the
journal, backups: readable by the service's account only, checked for room before they are
written, and never left half written when the disk is full.

New files are created 0600 and folders 0700; a file that is replaced keeps the mode an
administrator gave the one it replaces (a deliberate 0640 for a backup reader survives).
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# Room a write needs beyond its own bytes (DuckDB's checkpoint, the journal, the manifest).
HEADROOM_BYTES = 16 * 1024 * 1024


class DiskFull(OSError):
    """Not enough free space for a write; `message` says how much is needed, in Chinese."""

    def __init__(self, needed: int, free: int, where: Path):
        self.needed, self.free, self.where = needed, free, where
        self.message = (
            f"磁盘空间不足：写入需要约 {_mb(needed)} MB，{where} 所在的磁盘只剩 {_mb(free)} MB。"
            "请清理磁盘（如删除旧的备份）后再试，本次没有写入任何数字"
        )
        super().__init__(errno.ENOSPC, self.message)


def _mb(size: int) -> str:
    return f"{max(size, 0) / 1_000_000:.1f}"


@contextmanager
def private_creation() -> Iterator[None]:
    """Files created meanwhile (by DuckDB, which takes no mode) are the service's alone.

    The process's umask is shared by its threads: for this short while another thread's new
    file is private too, which is the safe side."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def private_dir(path: Path) -> Path:
    """A folder only the service can enter (created 0700; an existing one is left as set)."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(PRIVATE_DIR)
    return path


def mode_for(replaced: Path) -> int:
    """The mode a new file replacing `replaced` gets: the old one's, else 0600."""
    try:
        return replaced.stat().st_mode & 0o777
    except FileNotFoundError:
        return PRIVATE_FILE


_FICLONE = 0x40049409  # Linux's ioctl that makes a file share another's blocks (copy on write)


def copy_file(source: Path, target: Path) -> None:
    """A copy of `source` at `target`. On a file system with copy-on-write clones (XFS with
    reflink, the default of mkfs.xfs since 2019; btrfs) it is a clone: instant, and only the
    blocks the writer then changes take new space and need syncing. Elsewhere (ext4) a
    plain copy by the kernel."""
    import fcntl

    with open(source, "rb") as src, open(target, "wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
            return
        except OSError:
            pass  # not supported here: copy the bytes
    shutil.copyfile(source, target)


def ensure_room(folder: Path, needed: int) -> None:
    """Refuse before writing when the disk has no room for `needed` bytes and some headroom."""
    free = shutil.disk_usage(folder).free
    if free < needed + HEADROOM_BYTES:
        raise DiskFull(needed + HEADROOM_BYTES, free, folder)


def is_disk_full(exc: BaseException) -> bool:
    """An error that means the disk ran out (the OS's ENOSPC, or DuckDB's words for it)."""
    if isinstance(exc, DiskFull):
        return True
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left" in text or "disk full" in text or "not enough space" in text


def disk_full_message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, DiskFull) else "磁盘空间不足，写入中止，本次没有写入任何数字。请清理磁盘（如删除旧的备份）后再试"


def write_private(path: Path, data: bytes, synced: bool = True) -> None:
    """Write a file whole, 0600, synced; a partial file never stays behind under any name.

    `synced=False` skips the fsync: the caller makes the file durable later, together with
    others (originals.deferred_sync), before anything that relies on it is committed."""
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if synced:
                os.fsync(handle.fileno())
        os.replace(draft, path)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
