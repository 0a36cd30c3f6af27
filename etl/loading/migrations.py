"""The warehouse's internal tables, as numbered steps each applied once (the way simonw's
sqlite-utils keeps SQLite schemas in migrations.py).

Each step is a file `sql/steps/NNN_what.sql`, and may have a Python step of the same
number below for data the SQL alone cannot carry over. A warehouse records the last step
it has had in `info('schema_version')`. A writer opening an older warehouse applies the
missing steps, in order, in one transaction, before it writes anything; a warehouse made
by a newer version of this program is refused rather than half understood. A warehouse
of the first release (before versions were recorded) counts as step 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

STEPS_DIR = Path(__file__).parent / "sql" / "steps"
VERSION_KEY = "schema_version"


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    sql: str


def steps() -> list[Step]:
    found = []
    for path in sorted(STEPS_DIR.glob("[0-9][0-9][0-9]_*.sql")):
        number, _, name = path.stem.partition("_")
        found.append(Step(int(number), name, path.read_text(encoding="utf-8")))
    return found


def latest() -> int:
    return max(step.number for step in steps())


class WarehouseTooNew(RuntimeError):
    """The warehouse was written by a newer version of this program."""

    def __init__(self, found: int, known: int):
        super().__init__(f"数据库的结构版本为 {found}，本程序只认识到 {known}。请升级本程序后再打开这个数据库")
        self.found, self.known = found, known


def current(con: duckdb.DuckDBPyConnection) -> int:
    """The last step this warehouse has had: 0 for an empty database."""
    tables = {name for (name,) in con.execute("select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
    if "submission" not in tables:
        return 0
    if "info" in tables:
        row = con.execute("select value from info where key = ?", [VERSION_KEY]).fetchone()
        if row:
            return int(row[0])
    return 1  # the first release recorded no version


def upgrade(con: duckdb.DuckDBPyConnection) -> bool:
    """Apply every step this warehouse has not had, in one transaction; returns whether there
    were any (the views are then made again over the changed tables)."""
    have, known = current(con), latest()
    if have > known:
        raise WarehouseTooNew(have, known)
    if have == known:
        return False
    con.execute("begin")
    try:
        for step in steps():
            if step.number > have:
                con.execute(step.sql)
                if step.number in DATA_STEPS:
                    DATA_STEPS[step.number](con)
        con.execute("insert or replace into info values (?, ?)", [VERSION_KEY, str(known)])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return True


# ---------------------------------------------------------------- data carried over by a step

# Roll-backs written before step 2 name their submission only in the detail text
# ("撤回 <id>（<file>），…"): read it once, here, so nothing later has to.
_ROLLED_BACK_TEXT = re.compile(r"^撤回 (\S+?)（")


def _subjects_of_old_roll_backs(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""select rowid, detail from audit where action = 'roll_back' and subject is null""").fetchall()
    for rowid, detail in rows:
        found = _ROLLED_BACK_TEXT.match(detail)
        if found:
            con.execute("update audit set subject = ? where rowid = ?", [found.group(1), rowid])


DATA_STEPS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {2: _subjects_of_old_roll_backs}
