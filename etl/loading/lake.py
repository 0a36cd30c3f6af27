"""The warehouse's public views as a Parquet lake, for readers that are not this program
(Spark, pandas, another DuckDB) and for the dashboard's read-only lake mode (FAZHI_LAKE).

    DIR/_schema.json                   views, their columns and DuckDB types, rows, partitions
    DIR/villages.parquet               small views: one file each
    DIR/indicator_values/year=…/town_code=…/*.parquet   large views: hive-partitioned
    DIR/_internal/topics.parquet       what the dashboard's pages read beyond the contract

A lake is written into a hidden sibling folder and renamed into place at the end, so a failed
export leaves the previous lake (or nothing) and never half of one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMA_FILE = "_schema.json"
FORMAT = "fazhi-lake"
FORMAT_VERSION = 1
INTERNAL_DIR = "_internal"


@dataclass(frozen=True)
class LakeView:
    name: str
    select: str  # what is written: the view's columns, plus any partition key it lacks
    partition_by: tuple[str, ...] = ()
    internal: bool = False  # beyond the public contract: the dashboard's pages read it


# outreach_events has no town_code of its own: a village's town, else the town whose sheet it was.
_EVENTS_WITH_TOWN = """
    select e.*, coalesce(v.town_code, s.town_code) as town_code
    from outreach_events e
    left join villages v using (village_code)
    left join submission_history s using (submission_id)
"""

VIEWS = (
    LakeView("villages", "select * from villages"),
    LakeView("indicators", "select * from indicators"),
    LakeView("indicator_values", "select * from indicator_values", ("year", "town_code")),
    LakeView("outreach_events", _EVENTS_WITH_TOWN, ("year", "town_code")),
    LakeView("submissions", "select * from submissions"),
    LakeView("topics", "select * from topics", internal=True),
    LakeView("submission_history", "select * from submission_history", internal=True),
    LakeView("warehouse_info", "select * from warehouse_info", internal=True),
    LakeView("frozen_submissions", "select * from frozen_submissions", internal=True),
    # Columns only: refused loads and the audit trail stay with the warehouse, but the ledger
    # page's queries name them.
    LakeView("load_log", "select * from load_log limit 0", internal=True),
    LakeView("audit_trail", "select * from audit_trail limit 0", internal=True),
)
PUBLIC_VIEWS = tuple(v.name for v in VIEWS if not v.internal)


class NotALake(Exception):
    """The target folder exists and was not written by export (it has no _schema.json)."""


@dataclass(frozen=True)
class ExportSummary:
    target: Path
    rows: dict[str, int]
    seconds: float


def is_lake(folder: Path) -> bool:
    return (folder / SCHEMA_FILE).is_file()


def _relative_path(view: LakeView) -> str:
    base = f"{INTERNAL_DIR}/{view.name}" if view.internal else view.name
    return f"{base}/**/*.parquet" if view.partition_by else f"{base}.parquet"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export(db: Path, target: Path) -> ExportSummary:
    """Write the warehouse `db` (opened read-only) as a lake at `target`, replacing a lake
    written here before. Raises NotALake when `target` is anything else, FileNotFoundError
    when there is no warehouse."""
    started = dt.datetime.now(dt.UTC)
    target = Path(target)
    if target.exists() and not is_lake(target):
        raise NotALake(str(target))
    if not Path(db).is_file():
        raise FileNotFoundError(str(db))
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = Path(tempfile.mkdtemp(prefix=f".{target.name}.writing-", dir=target.parent))
    try:
        schema = _write(Path(db), draft, started)
        (draft / SCHEMA_FILE).write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
        _swap_in(draft, target)
    except BaseException:
        shutil.rmtree(draft, ignore_errors=True)
        raise
    rows = {name: view["rows"] for name, view in schema["views"].items() if not view["internal"]}
    return ExportSummary(target, rows, (dt.datetime.now(dt.UTC) - started).total_seconds())


def _write(db: Path, folder: Path, started: dt.datetime) -> dict:
    # ATTACHed to a private in-memory database: duckdb.connect(path) could hand back this
    # process's cached read-write instance of the file.
    con = duckdb.connect()
    try:
        con.execute(f"attach {_sql_string(str(db))} as warehouse (read_only)")
        con.execute("use warehouse")
        info = dict(con.execute("select key, value from warehouse_info").fetchall())
        views = {}
        for view in VIEWS:
            views[view.name] = _write_view(con, view, folder)
    finally:
        con.close()
    stat = db.stat()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": started.isoformat(timespec="seconds"),
        "warehouse": {
            "file": db.name,
            "modified_at": dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(timespec="seconds"),
            "bytes": stat.st_size,
            "schema_version": info.get("schema_version"),
            "views_fingerprint": info.get("views"),
            "dataset": info.get("dataset"),
        },
        "views": views,
    }


def _write_view(con: duckdb.DuckDBPyConnection, view: LakeView, folder: Path) -> dict:
    columns = [{"name": name, "type": kind} for name, kind, *_ in con.execute(f"describe {view.name}").fetchall()]
    written = {name: kind for name, kind, *_ in con.execute(f"describe ({view.select})").fetchall()}
    rows = con.execute(f"select count(*) from ({view.select})").fetchone()[0]
    path = folder / _relative_path(view).split("/**", 1)[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    if view.partition_by:
        if rows:  # an empty view has no partitions and so no files: readers go by the row count
            keys = ", ".join(view.partition_by)
            con.execute(f"copy ({view.select}) to {_sql_string(str(path))} (format parquet, partition_by ({keys}))")
    else:
        con.execute(f"copy ({view.select}) to {_sql_string(str(path))} (format parquet)")
    return {
        "columns": columns,
        "partition_by": [{"name": key, "type": written[key]} for key in view.partition_by],
        "added_columns": [name for name in written if name not in {c["name"] for c in columns}],
        "rows": rows,
        "path": _relative_path(view),
        "internal": view.internal,
    }


def _swap_in(draft: Path, target: Path) -> None:
    """Put the finished lake at `target`; an earlier lake there is moved aside first and
    removed after, so there is always a whole lake or none."""
    if not target.exists():
        os.replace(draft, target)
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.previous-", dir=target.parent))
    os.replace(target, previous / target.name)
    os.replace(draft, target)
    shutil.rmtree(previous, ignore_errors=True)


def read_schema(lake: Path) -> dict:
    schema = json.loads((Path(lake) / SCHEMA_FILE).read_text(encoding="utf-8"))
    if schema.get("format") != FORMAT:
        raise NotALake(str(lake))
    return schema


def view_sql(lake: Path, name: str, schema: dict | None = None) -> str:
    """A select over the lake that gives the warehouse view `name` back: its columns, in its
    order, with its types (a hive partition key comes back typed as it was written)."""
    schema = schema or read_schema(lake)
    view = schema["views"][name]
    casts = ", ".join(f'cast("{c["name"]}" as {c["type"]}) as "{c["name"]}"' for c in view["columns"])
    if view["partition_by"] and not view["rows"]:
        nulls = ", ".join(f'null as "{c["name"]}"' for c in view["columns"])
        return f"select {casts} from (select {nulls}) where false"
    location = _sql_string(str(Path(lake) / view["path"]))
    if view["partition_by"]:
        hive_types = ", ".join(f"'{key['name']}': '{key['type']}'" for key in view["partition_by"])
        source = f"read_parquet({location}, hive_partitioning = true, hive_types = {{{hive_types}}})"
    else:
        source = f"read_parquet({location})"
    return f"select {casts} from {source}"


def attach_views(con: duckdb.DuckDBPyConnection, lake: Path) -> dict:
    """Create every view of the lake in `con` as a view over its Parquet files; returns the schema."""
    schema = read_schema(lake)
    for name in schema["views"]:
        con.execute(f'create or replace view "{name}" as {view_sql(lake, name, schema)}')
    return schema


def open_lake(lake: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose database `warehouse` holds the lake's views, for readers
    written against the warehouse (the dashboard): `use warehouse` and query as usual."""
    con = duckdb.connect()
    try:
        con.execute("attach ':memory:' as warehouse")
        con.execute("use warehouse")
        attach_views(con, lake)
        con.execute("use memory")
    except BaseException:
        con.close()
        raise
    return con
