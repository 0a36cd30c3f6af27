"""A reader worker (python -m etl.workbook.worker): jobs in on stdin, prepared files out on stdout.

Started by etl.workbook.sandbox with its address space capped, so a workbook that makes the
reader allocate without bound ends this process, not the dashboard or the loader.
"""

import os
import pickle
import resource
import sys


def main() -> None:
    limit = int(os.environ.get("FAZHI_READER_MEMORY_MB", 2048)) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from etl.reference.problems import Problem
    from etl.workbook.personal import mask_identifiers
    from etl.workbook.prepare import READ_FAILED_MESSAGE, PreparedFile, prepare_and_keep
    from etl.workbook.sandbox import read_source

    jobs, results = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = jobs.read(8)
        if len(header) < 8:
            return
        name, source, year, root, *given_town = pickle.loads(jobs.read(int.from_bytes(header, "big")))
        town = given_town[0] if given_town else None
        try:
            prepared = prepare_and_keep(name, read_source(source), year, root, town)
        except Exception as exc:  # an unreadable path, a full disk: that file is refused, the worker goes on
            prepared = PreparedFile(file_name=mask_identifiers(name), sha256="", status="rejected")
            prepared.problems.append(Problem("READ_FAILED", f"{READ_FAILED_MESSAGE}（{type(exc).__name__}）"))
        payload = pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
        results.write(len(payload).to_bytes(8, "big") + payload)
        results.flush()


if __name__ == "__main__":
    main()
