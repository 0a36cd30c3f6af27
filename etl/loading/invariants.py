"""The warehouse's invariants (declared in invariants.toml) checked against a warehouse.

Each declared check becomes one query (or, for the catalog's rules and the kept originals,
a short pass in Python) that returns the rows breaking it; `check` returns one `Outcome`
per declaration. `python -m etl check` prints them for the town's IT person and exits 1 on
any violation; the tests run them after every load, so a number loaded twice or a rule
broken in the warehouse is caught where it happens.
"""

from __future__ import annotations

import hashlib
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
    kept-originals check is skipped and says so.

    The declarations written in SQL are counted in one query (one round trip instead of one
    a check: the tests run this after every load); only a check that finds rows asks for
    its examples."""
    catalog = catalog or load_catalog()
    checks = declared()
    queries = {n: _SQL[c.kind](c.spec) for n, c in enumerate(checks) if c.kind in _SQL}
    counts = _counts(con, queries)
    outcomes = []
    for n, declaration in enumerate(checks):
        if n in queries:
            outcomes.append(_examples(con, declaration, *queries[n], counts[n]))
        else:
            outcomes.append(_RUNNERS[declaration.kind](con, declaration, store, catalog))
    return outcomes


def violations(outcomes: list[Outcome]) -> list[Outcome]:
    return [outcome for outcome in outcomes if not outcome.passed]


def _describe(names: list[str], row: tuple) -> str:
    return "，".join(f"{name}={'空' if value is None else value}" for name, value in zip(names, row))


def _counts(con: duckdb.DuckDBPyConnection, queries: dict[int, tuple[str, dict]]) -> dict[int, int]:
    """How many rows each query returns, all in one statement (each query's parameters are
    named for its check, so they do not collide)."""
    if not queries:
        return {}
    columns = ", ".join(f"(select count(*) from ({sql}) as broken) as c{n}" for n, (sql, _) in queries.items())
    parameters = {name: value for _, named in queries.values() for name, value in named.items()}
    row = con.execute(f"select {columns}", parameters).fetchone()
    return dict(zip(queries, row))


def _examples(con: duckdb.DuckDBPyConnection, declaration: Check, sql: str, parameters: dict, count: int) -> Outcome:
    if not count:
        return Outcome(declaration)
    cursor = con.execute(f"select * from ({sql}) as broken limit {EXAMPLES}", parameters)
    names = [column[0] for column in cursor.description]
    return Outcome(declaration, count, [_describe(names, row) for row in cursor.fetchall()])


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unique(spec: dict) -> tuple[str, dict]:
    columns = ", ".join(_quoted(c) for c in spec["columns"])
    where = f"where {spec['where']}" if spec.get("where") else ""
    return f"select {columns}, count(*) as times from {_quoted(spec['view'])} {where} group by all having count(*) > 1", {}


def _not_null(spec: dict) -> tuple[str, dict]:
    condition = " or ".join(f"{_quoted(c)} is null" for c in spec["columns"])
    return f"select * from {_quoted(spec['view'])} where {condition}", {}


def _accepted_values(spec: dict) -> tuple[str, dict]:
    column = _quoted(spec["column"])
    # The parameter is named for the column and its values, so two checks never share one by accident.
    name = "accepted_" + hashlib.sha256(repr((spec["column"], spec["values"])).encode()).hexdigest()[:12]
    sql = (
        f"select {column}, count(*) as times from {_quoted(spec['view'])} "
        f"where {column} is not null and {column} not in (select unnest(${name})) group by all"
    )
    return sql, {name: list(spec["values"])}


def _relationships(spec: dict) -> tuple[str, dict]:
    column, to_column = _quoted(spec["column"]), _quoted(spec["to_column"])
    sql = (
        f"select {column}, count(*) as times from {_quoted(spec['view'])} as child "
        f"where {column} is not null and {column} not in (select {to_column} from {_quoted(spec['to'])} "
        f"where {to_column} is not null) group by all"
    )
    return sql, {}


def _singular(spec: dict) -> tuple[str, dict]:
    return spec["sql"], {}


def _catalog_rules(con, declaration: Check, store, catalog: Catalog) -> Outcome:
    """The same rules, with the same reading, as etl.workbook.rules applies to a sheet: checked
    where the total and at least one part are there and every number is exact."""
    outcome = Outcome(declaration)
    codes = sorted({code for rule in catalog.rules for code in (rule.total, *rule.parts)})
    rows = con.execute(
        "select year, town_code, village_code, indicator_code, value, qualifier, source_ref "
        "from indicator_values where indicator_code in (select unnest($1))",
        [codes],
    ).fetchall()
    # One read for every rule; each place and year's numbers, by indicator.
    groups: dict[tuple, dict[str, tuple]] = {}
    for year, town, village, code, value, qualifier, ref in rows:
        groups.setdefault((year, town, village), {})[code] = (value, qualifier, ref)
    ordered = sorted(groups.items(), key=lambda item: str(item[0]))
    for rule in catalog.rules:
        for (year, _, village), values in ordered:
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
    if store is None:
        return Outcome(declaration, skipped="这个数据库没有对应的原始文件夹（测试直接写入的库），未检查")
    current = con.execute(
        "select distinct submission_id, file_name, sha256 from submissions where status = 'loaded' order by submission_id"
    ).fetchall()
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


# Checks declared as SQL: each gives its query and its named parameters.
_SQL = {
    "unique": _unique,
    "not_null": _not_null,
    "accepted_values": _accepted_values,
    "relationships": _relationships,
    "rows": _singular,
}
# Checks that need Python.
_RUNNERS = {
    "catalog_rules": _catalog_rules,
    "kept_originals": _kept_originals,
}
KINDS = frozenset(_SQL) | frozenset(_RUNNERS)
