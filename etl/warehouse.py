"""The DuckDB warehouse: schema, public views, and the one transaction a load writes.

Writes arrive as whole, already validated files (`PreparedFile`s from the loader);
`commit_files` writes a batch of them in a single transaction, so a crash or an error
leaves either all of a batch or none of it, and never part of a file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from etl.catalog import Catalog, load_catalog
from etl.places import Places, load_places

if TYPE_CHECKING:
    from etl.loader import PreparedFile

SQL_DIR = Path(__file__).parent / "sql"
SCHEMA_SQL = (SQL_DIR / "schema.sql").read_text(encoding="utf-8")
VIEWS_SQL = (SQL_DIR / "views.sql").read_text(encoding="utf-8")


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writable connection creates the schema and refreshes the
    village list and the catalog from the data files."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(SCHEMA_SQL)
    sync_reference_data(con, load_catalog(), load_places())
    con.execute(VIEWS_SQL)
    return con


def sync_reference_data(con: duckdb.DuckDBPyConnection, catalog: Catalog, places: Places) -> None:
    """Replace the village list and the catalog with what the data files say now."""
    con.execute("begin")
    con.execute("delete from place")
    con.executemany(
        "insert into place values (?, ?, ?, ?, ?, ?, ?)",
        [(v.town_code, v.town_name, v.code, v.name, v.type, v.police_station, n) for n, v in enumerate(places.villages)],
    )
    con.execute("delete from catalog_topic")
    con.executemany(
        "insert into catalog_topic values (?, ?, ?, ?, ?, ?)",
        [(t.code, t.name, t.department, t.breakdown, t.layout, n) for n, t in enumerate(catalog.topics.values())],
    )
    con.execute("delete from catalog_indicator")
    con.executemany(
        "insert into catalog_indicator values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i.code,
                i.name,
                i.topic,
                catalog.topics[i.topic].department,
                i.unit,
                catalog.topics[i.topic].breakdown,
                i.kind,
                i.sensitive,
                i.better,
                i.parent,
                n,
            )
            for n, i in enumerate(catalog.indicators.values())
        ],
    )
    con.execute("insert or replace into info values ('town_code', ?), ('town_name', ?)", [places.town_code, places.town_name])
    con.execute("commit")


def known_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Files already loaded, by content."""
    return {row[0] for row in con.execute("select distinct sha256 from submission").fetchall()}


def set_info(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("insert or replace into info values (?, ?)", [key, value])


def _insert_columns(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert many rows in one statement, column lists unnested by DuckDB.

    Several times faster than executemany, and it needs neither pandas nor pyarrow
    (pyarrow imports pandas, which alone costs a command-line load 0.2 s)."""
    if not rows:
        return
    columns = [list(column) for column in zip(*rows)]
    selects = ", ".join(f"unnest(${n + 1})" for n in range(len(columns)))
    con.execute(f"insert into {table} select {selects}", columns)


def commit_files(con: duckdb.DuckDBPyConnection, files: list[PreparedFile]) -> None:
    """Write one batch of load attempts (loaded, duplicate and refused) in one transaction."""
    now = dt.datetime.now().replace(microsecond=0)
    attempts, submissions, facts, events = [], [], [], []
    latest: dict[tuple[str, int], int] = {}
    for prepared in files:
        attempts.append(
            (
                prepared.attempt_id,
                now,
                prepared.file_name,
                prepared.sha256,
                prepared.status,
                len(prepared.problems),
                json.dumps([p.to_dict() for p in prepared.problems], ensure_ascii=False),
                json.dumps(prepared.notices, ensure_ascii=False),
            )
        )
        if prepared.status != "loaded":
            continue
        for part in prepared.parts:
            key = (part.topic, part.year)
            if key in latest:  # a later file of the same batch replaces an earlier one
                earlier = latest[key]
                submissions[earlier] = submissions[earlier][:10] + ("superseded", submissions[earlier][11], part.submission_id)
            latest[key] = len(submissions)
            submissions.append(
                (
                    part.submission_id,
                    prepared.attempt_id,
                    prepared.file_name,
                    part.sheet_name,
                    prepared.sha256,
                    part.department,
                    part.topic,
                    part.year,
                    part.town_code,
                    now,
                    "loaded",
                    part.row_count,
                    None,
                )
            )
            facts.extend(part.fact_rows)
            events.extend(part.event_rows)
    con.execute("begin")
    try:
        if latest:
            # One statement supersedes every earlier submission these files replace.
            keys = [(topic, year, submissions[index][0]) for (topic, year), index in latest.items()]
            topics, years, new_ids = (list(column) for column in zip(*keys))
            con.execute(
                "update submission set status = 'superseded', superseded_by = replacing.new_id "
                "from (select unnest($1) as topic, unnest($2) as year, unnest($3) as new_id) as replacing "
                "where submission.topic = replacing.topic and submission.year = replacing.year and submission.status = 'loaded'",
                [topics, years, new_ids],
            )
        _insert_columns(con, "load_attempt", attempts)
        _insert_columns(con, "submission", submissions)
        _insert_columns(con, "fact", facts)
        _insert_columns(con, "event", events)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
