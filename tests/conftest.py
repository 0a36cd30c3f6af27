"""The fixture ladder: a fresh warehouse, a path to one, the demo warehouse built once,
and a builder that writes workbooks into tmp_path the way clerks lay them out."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# Compiled modules are cached (in __pycache__, which git ignores) even where the environment
# says PYTHONDONTWRITEBYTECODE: without the cache every process a run starts (the two xdist
# workers, each reader worker, each command line) compiled the project and its test modules
# again, a fifth of the quick tier's time. Set before the project is imported, and for the
# processes the tests start.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from etl.authoring import demo  # noqa: E402
from etl.loading import invariants, warehouse  # noqa: E402
from etl.loading.loader import load_blobs  # noqa: E402
from tests.builders import WorkbookBuilder  # noqa: E402


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture(scope="session")
def empty_warehouse(tmp_path_factory) -> Path:
    """A warehouse as `warehouse.connect` creates it, made once: copying it is quicker than
    creating the schema again for every test."""
    with _made_once(tmp_path_factory, "empty") as (folder, make):
        path = folder / "warehouse.duckdb"
        if make:
            warehouse.connect(path).close()
    return path


@pytest.fixture
def fresh_db(db_path: Path, empty_warehouse: Path):
    shutil.copy(empty_warehouse, db_path)
    con = warehouse.connect(db_path)
    yield con
    con.close()


@contextmanager
def _made_once(tmp_path_factory, name: str) -> Iterator[tuple[Path, bool]]:
    """A folder for something a session makes once, and whether to make it. With pytest-xdist
    (-n 2) every worker is a session of its own; the workers of one run share the folder
    (their base folders' parent is the run's own), and the first to come makes it while the
    others wait on a lock."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield tmp_path_factory.mktemp(name), True
        return
    folder = tmp_path_factory.getbasetemp().parent / name
    folder.mkdir(exist_ok=True)
    with open(folder.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".made"
        yield folder, not done.exists()
        done.touch()


@pytest.fixture(scope="session")
def demo_db_master(tmp_path_factory) -> Path:
    with _made_once(tmp_path_factory, "demo") as (folder, make):
        path = folder / "demo.duckdb"
        if make:
            demo.build_demo(path)
    return path


@pytest.fixture
def demo_db(demo_db_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo warehouse that a test may write to."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_master, path)
    return path


@pytest.fixture
def books(tmp_path: Path) -> WorkbookBuilder:
    return WorkbookBuilder(tmp_path / "books")


def assert_invariants_hold(con, store: Path | None = None) -> None:
    """Every declared warehouse invariant (etl/loading/invariants.toml) holds: run after each load."""
    broken = invariants.violations(invariants.check(con, store))
    assert not broken, [(outcome.check.name, outcome.examples) for outcome in broken]


@pytest.fixture
def load(fresh_db):
    """Load files (paths) into the fresh warehouse; returns the reports. The warehouse's
    invariants are checked after every load."""

    def _load(*paths: Path, year: int | None = None):
        reports = load_blobs(fresh_db, [(p.name, p.read_bytes()) for p in paths], year=year)
        assert_invariants_hold(fresh_db)
        return reports

    return _load


DISTRICT_VILLAGES = Path(__file__).resolve().parent.parent / "data" / "district" / "villages.csv"


def _use_villages(path: Path, env: str | None) -> None:
    from etl import settings
    from etl.reference import places
    from etl.workbook import sandbox

    if env is None:
        os.environ.pop("FAZHI_VILLAGES", None)
    else:
        os.environ["FAZHI_VILLAGES"] = env
    settings.VILLAGES_FILE = path
    places.load_places.cache_clear()
    sandbox._stop_all()  # idle reader workers remember the list they started with


@contextmanager
def village_list(path: Path):
    """This process and the reader workers it starts use another village list for a while."""
    from etl import settings

    before, before_env = settings.VILLAGES_FILE, os.environ.get("FAZHI_VILLAGES")
    _use_villages(path, str(path))
    try:
        yield
    finally:
        _use_villages(before, before_env)


@pytest.fixture
def district():
    """The district demo's village list (浈江区: eight towns and streets) for one test."""
    with village_list(DISTRICT_VILLAGES):
        yield


@pytest.fixture(scope="session")
def district_db_master(tmp_path_factory) -> Path:
    """The district demo warehouse, built once."""
    with _made_once(tmp_path_factory, "district") as (folder, make):
        path = folder / "district.duckdb"
        if make:
            with village_list(DISTRICT_VILLAGES):
                demo.build_demo(path)
    return path


@pytest.fixture
def district_db(district, district_db_master: Path, tmp_path: Path) -> Path:
    """A private copy of the district demo warehouse, with the district list in force."""
    path = tmp_path / "district.duckdb"
    shutil.copy(district_db_master, path)
    return path


# ---------------------------------------------------------------- the slow tier by measurement


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Mark the tests tests/slow_tests.txt lists (measured by `python -m tests.tiers`) slow,
    before -m selects. A listed test that no longer exists stops a run of the whole suite."""
    from tests import tiers

    if os.environ.get(tiers.MEASURING):
        return
    slow = tiers.listed()
    collected = {item.nodeid for item in items}
    for item in items:
        if item.nodeid in slow:
            item.add_marker(pytest.mark.slow)
    whole_suite = not config.args or [Path(a).resolve() for a in config.args] == [Path(config.rootpath, "tests").resolve()]
    gone = sorted(set(slow) - collected)
    if whole_suite and gone and not config.getoption("keyword"):
        raise pytest.UsageError(f"tests/slow_tests.txt lists tests that no longer exist; run python -m tests.tiers: {gone[:5]}")
