"""The warehouse connection of this server process and cached reads of figures.queries;
loads from the upload page go through the same ETL as the command line. With FAZHI_LAKE the
same reads go to a Parquet lake (etl.loading.lake) instead, read-only."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import duckdb
import streamlit as st

from etl import settings
from etl.loading import warehouse
from figures import queries

LOGGER = logging.getLogger("fazhi.dashboard")


def db_path() -> str:
    """The warehouse file, or in lake mode the lake's folder (its journal of downloads and
    logins is kept beside it, as a warehouse's is)."""
    lake_dir = settings.lake_path()
    return str(lake_dir) if lake_dir else str(settings.db_path())


def read_only() -> bool:
    """Lake mode (FAZHI_LAKE): nothing is uploaded or administered, only read."""
    return settings.lake_path() is not None


@st.cache_resource(show_spinner=False, max_entries=3)
def _warehouse(path: str, version: tuple[int, int] | None) -> duckdb.DuckDBPyConnection:
    """The process's connection to one version of the warehouse file; every query takes
    its own cursor from it.

    A load writes a copy and swaps it in (etl.loading.warehouse.writing), so a new file
    version means a new connection, while queries already running finish on the old file.
    The file is ATTACHed read-only to a private in-memory database: duckdb.connect(path)
    would hand back the process's cached instance of the replaced file instead.
    """
    if read_only():  # a new export is a new folder, so a new version too
        from etl.loading import lake

        return lake.open_lake(Path(path))
    con = duckdb.connect()
    con.execute("attach ? as warehouse (read_only)", [path])
    return con


def _cursor(path: str, version: tuple[int, int] | None) -> duckdb.DuckDBPyConnection:
    cur = _warehouse(path, version).cursor()
    cur.execute("use warehouse")
    return cur


@st.cache_resource(show_spinner="正在升级数据仓库，请稍候……")
def _bring_up_to_date(path: str) -> None:
    """Once per server and warehouse: one written by an earlier version of this program gets
    this version's tables and views before anything reads it."""
    try:
        warehouse.bring_up_to_date(path)
    except (warehouse.WarehouseBusy, OSError, duckdb.Error):
        LOGGER.exception("could not bring the warehouse at %s up to date", path)


def open_warehouse() -> None:
    """Make sure a warehouse exists (the demo one on a first start) and can be read.

    If it cannot be opened, the page says so in Chinese and stops; the traceback goes to
    the server log.
    """
    path = db_path()
    if read_only():
        _open_lake(path)
        return
    try:
        if not Path(path).exists():
            # A newcomer's first start has no database: build the demo one. Imported
            # here: the demo pulls in the workbook readers, which most starts never need.
            from etl.authoring import demo

            with st.spinner("首次启动：正在用示例工作簿生成演示数据，请稍候……"):
                demo.ensure_demo(Path(path))
        _bring_up_to_date(str(path))
        _warehouse(path, warehouse.version(path))
    except (duckdb.Error, OSError):
        LOGGER.exception("cannot open the warehouse at %s", path)
        st.error("暂时无法打开数据仓库。请稍后刷新页面；如仍不行，请联系系统管理员。")
        st.stop()


def _open_lake(path: str) -> None:
    from etl.loading import lake

    try:
        if not lake.is_lake(Path(path)):
            st.error(f"找不到数据湖 {path}（FAZHI_LAKE）：请先用 python -m etl export --parquet 导出，或改正这个设置。")
            st.stop()
        _warehouse(path, warehouse.version(path))
    except (duckdb.Error, OSError, ValueError, KeyError, lake.NotALake):
        LOGGER.exception("cannot open the lake at %s", path)
        st.error("暂时无法打开数据湖。请稍后刷新页面；如仍不行，请联系系统管理员。")
        st.stop()


@st.cache_data(show_spinner=False, max_entries=2000)
def _read(path: str, version: tuple[int, int] | None, name: str, arguments: tuple[tuple[str, object], ...]):
    with _cursor(path, version) as cur:
        return getattr(queries, name)(cur, **dict(arguments))


def read(name: str, **arguments):
    """A cached call of `figures.queries.<name>(cursor, **arguments)`; arguments are plain values.

    The cache key holds the warehouse file's version, so a load from the command line
    shows on the next rerun too, without a restart. Reads of village-level counts get the
    page's small-count k (figures.protection), so no page can forget it.
    """
    if name in queries.PROTECTED_QUERIES:
        # Imported here: ui.filters reads through this module to draw its widgets.
        from ui.filters import current_filters

        arguments["k"] = current_filters().small_count_k
    path = db_path()
    return _read(path, warehouse.version(path), name, tuple(sorted(arguments.items())))


# Topic views kept at once (figures.views): each is a page's figures for one warehouse version
# and one set of filters, shared by every session that asks for the same.
VIEWS_KEPT = 64


@st.cache_resource(max_entries=VIEWS_KEPT, show_spinner=False)
def _view(path: str, version: tuple[int, int] | None, filters_key: str, topic: str, _filters):
    from figures import views

    return views.TOPIC_VIEWS[topic](read, _filters)


def view(topic: str, filters):
    """A topic's view (figures.views.TopicView) for these filters: built once per warehouse
    version and filters, its charts and tables made once when first drawn, then shared by
    every rerun and session (a rerun redraws, it does not recompute)."""
    path = db_path()
    return _view(str(path), warehouse.version(path), repr(filters), topic, filters)


@st.cache_resource(max_entries=VIEWS_KEPT, show_spinner=False)
def _key_points(path: str, version: tuple[int, int] | None, filters_key: str, page: str, _filters) -> list[str]:
    from figures.report.draft import findings

    return findings(read, _filters, page)


def key_points_of(page: str, filters) -> list[str]:
    """A topic page's 要点 (figures.report.draft.findings), once per warehouse version and filters."""
    path = db_path()
    return _key_points(str(path), warehouse.version(path), repr(filters), page, filters)


@st.cache_resource(max_entries=16, show_spinner=False)
def _report_draft(path: str, version: tuple[int, int] | None, year: int, compare: bool, town: str, _wording, wording_key: str):
    from figures.report import draft

    return draft.draft_report(read_unprotected, year, _wording, compare, town=town)


def report_draft(year: int, wording, compare: bool, town: str = ""):
    """The annual report's draft (figures.report.draft), once per warehouse version, year,
    template and choice of 同比."""
    path = db_path()
    return _report_draft(str(path), warehouse.version(path), year, compare, town, wording, repr(wording))


def journal() -> dict:
    """The journal of downloads and logins beside the warehouse, for figures.queries.audit_trail:
    its path, and a version so cached reads see new entries."""
    from etl.loading.journal import journal_path

    path = journal_path(db_path())
    try:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        version = None
    return {"journal": str(path), "journal_version": version}


def read_unprotected(name: str, **arguments):
    """A cached read without small-count protection, for the annual report (the town's own
    document, figures.report). Only a page that checked access.REPORT may call it."""
    if name in queries.PROTECTED_QUERIES:
        arguments["k"] = 0
    path = db_path()
    return _read(path, warehouse.version(path), name, tuple(sorted(arguments.items())))


def load_workbooks(blobs: list[tuple[str, bytes]], actor: str, departments: frozenset[str] | None, town: str | None = None) -> list[dict]:
    """Load uploaded workbooks through the ETL, the same code as `python -m etl load`:
    written to a copy of the warehouse, swapped in, originals kept. `town`: a district's town
    the files are of (None: each file says). Raises etl.loading.warehouse.WarehouseBusy when
    another load holds the warehouse too long."""
    if read_only():
        raise PermissionError("lake mode is read-only")
    # Imported on first use: the workbook readers are heavy and most sessions never upload.
    from etl.loading.loader import load_blobs

    reports = [report.to_dict() for report in load_blobs(Path(db_path()), blobs, actor=actor, departments=departments, town=town)]
    forget_old_results()
    return reports


def forget_old_results() -> None:
    """After a write: results of the old warehouse file are never asked for again, free them."""
    st.cache_data.clear()
    _view.clear()
    _key_points.clear()
    _report_draft.clear()


def template_bytes(department: str, town: str | None = None) -> bytes:
    """The blank template of one department (of one town of a district), as the ETL writes it."""
    from etl.authoring.templates import write_template

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_template(department, path, town=town)
        return path.read_bytes()
