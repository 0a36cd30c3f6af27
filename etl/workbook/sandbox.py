"""Read untrusted workbooks in worker processes with a memory cap and a time limit.

A malformed .xls can make the Rust reader ask for gigabytes and abort the whole
process, which no `except` can catch; in the dashboard that would take the server
down for everyone. So every file is read and checked (`etl.workbook.prepare`) in a worker
(`python -m etl.workbook.worker`) whose address space is capped; a worker that dies or
overruns its time takes only its own file with it, which is refused as damaged.

Workers are plain subprocesses speaking length-prefixed pickles over their pipes,
not `multiprocessing`, which re-imports `__main__` in its children — under Streamlit
that would be the page script. Each worker holds one file at a time, so the file
that broke a worker is always known. Workers outlive one load.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from etl import settings

MEMORY_LIMIT_MB = int(os.environ.get("FAZHI_READER_MEMORY_MB", 2048))
TIME_LIMIT_SECONDS = float(os.environ.get("FAZHI_READER_SECONDS", 60))

# File name, bytes or path, --year, store root, and optionally --town (a town code).
Job = tuple


class WorkerLost(Exception):
    """The worker died (e.g. the reader aborted on its memory cap) or ran out of time."""

    def __init__(self, timed_out: bool):
        super().__init__("timeout" if timed_out else "died")
        self.timed_out = timed_out


class Worker:
    def __init__(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(settings.PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
            "FAZHI_READER_MEMORY_MB": str(MEMORY_LIMIT_MB),
            "RUST_BACKTRACE": "0",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "etl.workbook.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a reader that aborts prints a Rust backtrace; the clerk gets a sentence
            cwd=settings.PROJECT_ROOT,
            env=env,
        )
        self.busy_since: float | None = None

    def send(self, job: Job) -> None:
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.process.stdin.write(len(payload).to_bytes(8, "big") + payload)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerLost(timed_out=False) from None
        self.busy_since = time.monotonic()

    def receive(self):
        """The result of the job sent last; waits at most until the job's time is up."""
        assert self.busy_since is not None
        header = self._read(8)
        payload = self._read(int.from_bytes(header, "big"))
        self.busy_since = None
        return pickle.loads(payload)

    def _read(self, size: int) -> bytes:
        chunks, left = [], size
        stream = self.process.stdout
        while left:
            remaining = TIME_LIMIT_SECONDS - (time.monotonic() - self.busy_since)
            if remaining <= 0:
                raise WorkerLost(timed_out=True)
            ready, _, _ = select.select([stream], [], [], remaining)
            if not ready:
                raise WorkerLost(timed_out=True)
            chunk = os.read(stream.fileno(), min(left, 1 << 20))
            if not chunk:
                raise WorkerLost(timed_out=False)
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


_lock = threading.Lock()
_idle: list[Worker] = []


def _take(count: int) -> list[Worker]:
    with _lock:
        workers = [w for w in _idle[:count] if w.process.poll() is None]
        del _idle[:count]
    return workers + [Worker() for _ in range(count - len(workers))]


def _give_back(workers: list[Worker]) -> None:
    with _lock:
        _idle.extend(w for w in workers if w.process.poll() is None and w.busy_since is None)


@atexit.register
def _stop_all() -> None:
    with _lock:
        for worker in _idle:
            worker.kill()
        _idle.clear()


def read_source(source: bytes | Path) -> bytes:
    """The bytes of a job: given, or read from a path only far enough to refuse an oversized file."""
    if isinstance(source, bytes):
        return source
    with open(source, "rb") as handle:
        return handle.read(settings.MAX_FILE_BYTES + 1)


def _lost(job: Job, lost: WorkerLost):
    from etl.reference.problems import Problem
    from etl.workbook.personal import mask_identifiers
    from etl.workbook.prepare import PreparedFile

    name, source, _, _ = job
    data = read_source(source)
    prepared = PreparedFile(file_name=mask_identifiers(Path(name).name), sha256=hashlib.sha256(data).hexdigest(), status="rejected")
    if lost.timed_out:
        prepared.problems.append(Problem("FILE_TOO_COMPLEX", "文件过于复杂，读取超时，已拒收。请只保留统计表后另存为新文件再报送"))
    else:
        prepared.problems.append(
            Problem("FILE_CORRUPT", "文件已损坏：读取时耗尽了内存，已拒收。请在 Excel/WPS 中打开确认后另存为新的 .xlsx 再报送")
        )
    return prepared


def prepare_all(jobs: Iterable[Job], workers: int = 1) -> Iterator:
    """`prepare.prepare_and_keep` for each job, in worker processes, yielded in order."""
    pool = _take(workers)
    jobs = iter(jobs)
    running: dict[int, tuple[int, Job]] = {}  # worker index → (job number, job)
    done: dict[int, object] = {}
    next_job = next_out = 0
    exhausted = False
    try:
        while True:
            for index, worker in enumerate(pool):
                if index not in running and not exhausted:
                    job = next(jobs, None)
                    if job is None:
                        exhausted = True
                        break
                    try:
                        worker.send(job)
                    except WorkerLost as lost:
                        done[next_job] = _lost(job, lost)
                        pool[index] = _replace(worker)
                    else:
                        running[index] = (next_job, job)
                    next_job += 1
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if not running:
                if exhausted:
                    return
                continue
            streams = {pool[i].process.stdout: i for i in running}
            ready, _, _ = select.select(list(streams), [], [], 0.5)
            now = time.monotonic()
            for index in [streams[s] for s in ready] + [i for i in running if now - pool[i].busy_since > TIME_LIMIT_SECONDS]:
                if index not in running:
                    continue
                number, job = running.pop(index)
                try:
                    done[number] = pool[index].receive()
                except WorkerLost as lost:
                    done[number] = _lost(job, lost)
                    pool[index] = _replace(pool[index])
    finally:
        for index in running:
            pool[index] = _replace(pool[index])  # abandoned mid-job: its answer would be stale
        _give_back(pool)


def _replace(worker: Worker) -> Worker:
    worker.kill()
    return Worker()
