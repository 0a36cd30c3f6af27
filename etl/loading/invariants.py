"""The warehouse's invariants (declared in invariants.toml) checked against a warehouse.

Each declared check becomes one query (or, for the catalog's rules and the kept originals,
a short pass in Python) that returns the rows breaking it; `check` returns one `Outcome`
per declaration. `python -m etl check` prints them for the town's IT person and exits 1 on
any violation; the tests run them after every load, so a number loaded twice or a rule
broken in the warehouse is caught where it happens.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.loading import originals
from etl.reference.catalog import Catalog, load_catalog

DECLARATIONS = Path(__file__).with_name("invariants.toml")
EXAMPLES = 5  # violating rows shown per check


@dataclass(frozen=True)
class Check:
    name: str
    kind: str
    spec: dict


@dataclass
class Outcome:
    check: Check
    violations: int = 0
    examples: list[str] = field(default_factory=list)
    skipped: str = ""  # why the check could not run here (e.g. no originals folder)

    @property
    def passed(self) -> bool:
        return self.violations == 0


def declared(path: Path = DECLARATIONS) -> list[Check]:
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    return [Check(entry["name"], entry["kind"], entry) for entry in raw["check"]]


def check(con: duckdb.DuckDBPyConnection, store: Path | None = None, catalog: Catalog | None = None) -> list[Outcome]:
    """Every declared invariant against the warehouse `con` is connected to. `store` is its
    originals folder; without one (a warehouse written straight through a connection) the
    kept-originals check is skipped and says so."""
    catalog = catalog or load_catalog()
    outcomes = []
    for declaration in declared():
        runner = _RUNNERS[declaration.kind]
        outcomes.append(runner(con, declaration, store, catalog))
    return outcomes


def violations(outcomes: list[Outcome]) -> list[Outcome]:
    return [outcome for outcome in outcomes if not outcome.passed]


def _describe(names: list[str], row: tuple) -> str:
    return "，".join(f"{name}={'空' if value is None else value}" for name, value in zip(names, row))


def _rows(con: duckdb.DuckDBPyConnection, declaration: Check, sql: str, parameters: list | None = None) -> Outcome:
    cursor = con.execute(f"select * from ({sql}) as broken limit {EXAMPLES}", parameters or [])
    names = [column[0] for column in cursor.description]
    examples = [_describe(names, row) for row in cursor.fetchall()]
    if not examples:
        return Outcome(declaration)
    count = con.execute(f"select count(*) from ({sql}) as broken", parameters or []).fetchone()[0]
    return Outcome(declaration, count, examples)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unique(con, declaration: Check, store, catalog) -> Outcome:
    columns = ", ".join(_quoted(c) for c in declaration.spec["columns"])
    where = f"where {declaration.spec['where']}" if declaration.spec.get("where") else ""
    sql = f"select {columns}, count(*) as times from {_quoted(declaration.spec['view'])} {where} group by all having count(*) > 1"
    return _rows(con, declaration, sql)


def _not_null(con, declaration: Check, store, catalog) -> Outcome:
    columns = declaration.spec["columns"]
    condition = " or ".join(f"{_quoted(c)} is null" for c in columns)
    sql = f"select * from {_quoted(declaration.spec['view'])} where {condition}"
    return _rows(con, declaration, sql)


def _accepted_values(con, declaration: Check, store, catalog) -> Outcome:
    column = _quoted(declaration.spec["column"])
    sql = (
        f"select {column}, count(*) as times from {_quoted(declaration.spec['view'])} "
        f"where {column} is not null and {column} not in (select unnest($1)) group by all"
    )
    return _rows(con, declaration, sql, [list(declaration.spec["values"])])


def _relationships(con, declaration: Check, store, catalog) -> Outcome:
    column, to_column = _quoted(declaration.spec["column"]), _quoted(declaration.spec["to_column"])
    sql = (
        f"select {column}, count(*) as times from {_quoted(declaration.spec['view'])} as child "
        f"where {column} is not null and {column} not in (select {to_column} from {_quoted(declaration.spec['to'])} "
        f"where {to_column} is not null) group by all"
    )
    return _rows(con, declaration, sql)


def _singular(con, declaration: Check, store, catalog) -> Outcome:
    return _rows(con, declaration, declaration.spec["sql"])


def _catalog_rules(con, declaration: Check, store, catalog: Catalog) -> Outcome:
    """The same rules, with the same reading, as etl.workbook.rules applies to a sheet: checked
    where the total and at least one part are there and every number is exact."""
    outcome = Outcome(declaration)
    for rule in catalog.rules:
        codes = [rule.total, *rule.parts]
        rows = con.execute(
            "select year, town_code, village_code, indicator_code, value, qualifier, source_ref "
            "from indicator_values where indicator_code in (select unnest($1))",
            [codes],
        ).fetchall()
        groups: dict[tuple, dict[str, tuple]] = {}
        for year, town, village, code, value, qualifier, ref in rows:
            groups.setdefault((year, town, village), {})[code] = (value, qualifier, ref)
        for (year, _, village), values in sorted(groups.items(), key=lambda item: str(item[0])):
            total = values.get(rule.total)
            parts = [values[p] for p in rule.parts if p in values]
            if total is None or not parts or total[1] != "exact" or any(p[1] != "exact" for p in parts):
                continue
            summed = sum(p[0] for p in parts)
            broken = summed != total[0] if rule.check == "sum" else summed > total[0]
            if broken:
                outcome.violations += 1
                if len(outcome.examples) < EXAMPLES:
                    relation = "=" if rule.check == "sum" else "≥"
                    outcome.examples.append(
                        f"{year} 年 {village or '全镇'}：{rule.total}={total[0]}，{'+'.join(rule.parts)}={summed}"
                        f"（应 {rule.total} {relation} 各项之和；{total[2]}）"
                    )
    return outcome


def _kept_originals(con, declaration: Check, store: Path | None, catalog) -> Outcome:
    current = con.execute(
        "select distinct submission_id, file_name, sha256 from submissions where status = 'loaded' order by submission_id"
    ).fetchall()
    if store is None:
        return Outcome(declaration, skipped="这个数据库没有对应的原始文件夹（测试直接写入的库），未检查")
    listed = {entry.sha256 for entry in originals.entries(store)}
    outcome = Outcome(declaration)
    for submission_id, file_name, sha256 in current:
        kept = originals.kept(store, sha256, file_name)
        if kept and sha256 in listed:
            continue
        outcome.violations += 1
        if len(outcome.examples) < EXAMPLES:
            missing = "原始文件不在原始文件夹里" if not kept else "原始文件没有记在 manifest.jsonl 里"
            outcome.examples.append(f"{submission_id}（{file_name}）：{missing}")
    return outcome


_RUNNERS = {
    "unique": _unique,
    "not_null": _not_null,
    "accepted_values": _accepted_values,
    "relationships": _relationships,
    "rows": _singular,
    "catalog_rules": _catalog_rules,
    "kept_originals": _kept_originals,
}
