"""Read untrusted workbooks in worker processes with a memory cap and a time limit.

A malformed .xls can make the Rust reader ask for gigabytes and abort the whole
process, which no `except` can catch; in the dashboard that would take the server
down for everyone. So every file is read and checked (`etl.workbook.prepare`) in a worker
(`python -m etl.workbook.worker`) whose address space is capped; a worker that dies or
overruns its time takes only its own file with it, which is refused as damaged.

Workers are plain subprocesses speaking length-prefixed pickles over their pipes,
not `multiprocessing`, which re-imports `__main__` in its children — under Streamlit
that would be the page script. Each worker reads one file at a time and answers in
order, so the file that broke a worker is always known: the first one it has not
answered. Small jobs (a path) are sent a few ahead, so a worker never waits for this
process to be scheduled between two files; the ones a lost worker had not begun are
sent again. Workers outlive one load.
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
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from etl import settings

MEMORY_LIMIT_MB = int(os.environ.get("FAZHI_READER_MEMORY_MB", 2048))
TIME_LIMIT_SECONDS = float(os.environ.get("FAZHI_READER_SECONDS", 60))
# Jobs a worker may be sent beyond the one it is reading.
JOBS_AHEAD = 8

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
        # Jobs sent and not yet answered, in order, with the size of their message; the
        # first is the one being read, since `busy_since`.
        self.outstanding: deque[tuple[int, Job, int]] = deque()
        self.busy_since: float | None = None
        self.gone = False  # its pipe broke: no more jobs; its answers are read until it ends

    def takes(self, message: bytes) -> bool:
        """Whether to send this job now. Any job goes to an idle worker; behind others, only
        while all its unread jobs fit in a pipe's smallest buffer, so sending never blocks
        (a blocked send could wait on a worker that waits for this process to read)."""
        if self.gone:
            return False
        if not self.outstanding:
            return True
        queued = sum(size for _, _, size in self.outstanding)
        return len(self.outstanding) < JOBS_AHEAD and queued + len(message) <= select.PIPE_BUF

    def send(self, number: int, job: Job, message: bytes) -> None:
        try:
            self.process.stdin.write(message)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerLost(timed_out=False) from None
        if not self.outstanding:
            self.busy_since = time.monotonic()
        self.outstanding.append((number, job, len(message)))

    def receive(self) -> tuple[int, object]:
        """The number and result of the job answered next; waits at most until that job's time is up."""
        assert self.busy_since is not None
        header = self._read(8)
        payload = self._read(int.from_bytes(header, "big"))
        number, _, _ = self.outstanding.popleft()
        # The worker went straight on to the next job it had been sent.
        self.busy_since = time.monotonic() if self.outstanding else None
        return number, pickle.loads(payload)

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


def job_message(job: Job) -> bytes:
    payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(8, "big") + payload


_lock = threading.Lock()
_idle: list[Worker] = []


def _take(count: int) -> list[Worker]:
    with _lock:
        workers = [w for w in _idle[:count] if w.process.poll() is None]
        del _idle[:count]
    return workers + [Worker() for _ in range(count - len(workers))]


def _give_back(workers: list[Worker]) -> None:
    with _lock:
        _idle.extend(w for w in workers if w.process.poll() is None and not w.outstanding)


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
        # Asked for its size first: a read of the most a file may be allocates all of it.
        size = os.fstat(handle.fileno()).st_size
        data = handle.read(min(size, settings.MAX_FILE_BYTES) + 1)
        if len(data) > size:  # it grew meanwhile: read on, still only far enough to refuse it
            data += handle.read(settings.MAX_FILE_BYTES + 1 - len(data))
        return data


def _lost(job: Job, lost: WorkerLost):
    from etl.reference.problems import Problem
    from etl.workbook.personal import mask_identifiers
    from etl.workbook.prepare import PreparedFile

    name, source = job[:2]
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
    numbered = enumerate(jobs)
    unsent: deque[tuple[int, Job, bytes]] = deque()  # in order; a lost worker's unread jobs go back in front
    done: dict[int, object] = {}
    next_out = 0
    try:
        while True:
            for index in range(len(pool)):
                pool[index] = _send_ahead(pool[index], numbered, unsent, done)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            busy = [i for i, worker in enumerate(pool) if worker.outstanding]
            if not busy:
                if not unsent:
                    return
                continue
            _collect(pool, busy, done, unsent)
    finally:
        for index, worker in enumerate(pool):
            if worker.outstanding:
                pool[index] = _replace(worker)  # abandoned mid-job: its answers would be stale
        _give_back(pool)


def _send_ahead(worker: Worker, numbered: Iterator[tuple[int, Job]], unsent: deque, done: dict[int, object]) -> Worker:
    """Send the worker jobs while it takes them; returns it, or its replacement if it was found
    dead with nothing sent before (that job is refused, so a worker that cannot start ends the load)."""
    while True:
        if not unsent:
            number, job = next(numbered, (None, None))
            if job is None:
                return worker
            unsent.append((number, job, job_message(job)))
        number, job, message = unsent[0]
        if not worker.takes(message):
            return worker
        unsent.popleft()
        try:
            worker.send(number, job, message)
        except WorkerLost as lost:
            if worker.outstanding:
                # It died on a job it was sent before: reading its answers finds which one.
                unsent.appendleft((number, job, message))
                worker.gone = True
            else:
                done[number] = _lost(job, lost)
                worker = _replace(worker)


def _collect(pool: list[Worker], busy: list[int], done: dict[int, object], unsent: deque) -> None:
    """One answer from each busy worker that has one ready, and the loss of any that died or overran."""
    streams = {pool[i].process.stdout: i for i in busy}
    ready, _, _ = select.select(list(streams), [], [], 0.5)
    now = time.monotonic()
    overdue = [i for i in busy if now - pool[i].busy_since > TIME_LIMIT_SECONDS]
    for index in dict.fromkeys([streams[s] for s in ready] + overdue):
        if not pool[index].outstanding:
            continue
        try:
            number, result = pool[index].receive()
            done[number] = result
        except WorkerLost as lost:
            pool[index] = _lose(pool[index], lost, done, unsent)


def _lose(worker: Worker, lost: WorkerLost, done: dict[int, object], unsent: deque) -> Worker:
    """Replace a worker that died or overran: the job it was reading is refused, and the jobs
    queued behind it go back to be sent again, in order."""
    (number, job, _), *queued = worker.outstanding
    done[number] = _lost(job, lost)
    unsent.extendleft(reversed([(n, j, job_message(j)) for n, j, _ in queued]))
    return _replace(worker)


def _replace(worker: Worker) -> Worker:
    worker.kill()
    return Worker()
