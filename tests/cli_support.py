"""Running `python -m etl …` in a test.

`etl` runs the command line in the test's own process (etl.cli.main with its arguments,
its environment and its working folder for the duration, its output captured): the same
code a clerk's command runs, without starting Python, importing DuckDB and starting a
reader worker again for every call, which made the command-line tests the slowest of the
quick ones. The process boundary itself (exit status, nothing on stderr but a sentence) is
what `etl_process` tests; the README's examples, the lock and the reader that holds the
warehouse open, and the whole corpus run through it.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from etl import cli, settings
from tests.conftest import village_list

ROOT = Path(__file__).resolve().parent.parent


def etl_process(
    *args, env: dict | None = None, cwd: Path = ROOT, input: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` as its own process (its environment: this one's, with `env` on top)."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        input=input,
        timeout=timeout,
    )


def etl(*args, env: dict | None = None, cwd: Path = ROOT, input: str | None = None) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` in this process: the exit status a shell would see (argparse's
    usage errors included) and what it wrote to stdout and stderr. An exception that
    escapes the command line is not caught here: the test fails with it, as a clerk would
    have seen a traceback."""
    argv = [str(arg) for arg in args]
    out, err = io.StringIO(), io.StringIO()
    with _environment(env or {}), contextlib.chdir(cwd), _stdin(input), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(argv)
        except SystemExit as exit_:  # argparse on a usage error, or --help
            status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    return subprocess.CompletedProcess(["python", "-m", "etl", *argv], status, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _environment(env: dict) -> Iterator[None]:
    """Set these environment variables for a while. FAZHI_VILLAGES also switches the
    village list the program has already read (and the reader workers it started)."""
    env = {key: str(value) for key, value in env.items()}
    villages = env.pop("FAZHI_VILLAGES", None)
    before = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        if villages is not None and Path(villages) != Path(settings.VILLAGES_FILE):
            with village_list(Path(villages)):
                yield
        else:
            yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _stdin(text: str | None) -> Iterator[None]:
    if text is None:
        yield
        return
    before = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = before
