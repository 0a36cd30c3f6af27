"""Joint audit of what one page and its downloads publish, for each year and topic.

Published: shown village cells; each hidden cell's marker, read as a domain; town and
station totals of every indicator; the catalog rules in every village row where they hold on
exact data. For every hidden cell the audit computes its smallest and largest possible value
over all of these at once — two small LPs per cell over the real relaxation (HiGHS through
scipy.optimize.linprog), as statistical offices audit tables (τ-ARGUS, sdcTable's protection
intervals) — and counts its possible integer values n = floor(max) − ceil(min) + 1.

A hidden *primary* cell (true value below k; a non-exact one stated below 2k) is narrowed when
n < min(k, n0), n0 the count over the always-published facts alone (protection.required_values;
`baseline=True` also computes n0 by LP). Every hidden cell with n = 1 is *pinned*.

`propagate` is the cheap audit: interval propagation over the same relations until nothing
changes. Its intervals contain the LP's, so it finds a subset of the LP's narrowed cells.

Town totals are the sums of the station totals, so a town equation adds nothing once every
station's is in; the LP leaves it out and splits into independent blocks (a station's cells
and the rules tying them), which is exact, and fast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from figures import protection as prot

EPS = 1e-7


@dataclass
class Publication:
    """One year and topic as published. `cells`: village_code, station, indicator_code,
    value (the true value: the auditor knows it), exact, shown, lo, hi (the domain a reader
    knows; lo = hi = value when shown), primary, display."""

    year: int
    k: int
    cells: pd.DataFrame
    rules: list[prot.Rule]


def publications(
    original: pd.DataFrame,
    protected: pd.DataFrame,
    k: int,
    stations: Mapping[str, str],
    rules: Iterable[prot.Rule],
    semantics: str = "new",
) -> list[Publication]:
    """What each year's page publishes, from the true values and the protected frame.

    semantics "new": `<k` is 0…k−1, `*` is k…S, `…` is 0…S. "old" (etl/privacy.py, zeros
    shown): `<k` is 1…k−1 and `*` is 1…S (a `*` there may be a small count)."""
    rules = list(rules)
    frame = original[["year", "village_code", "indicator_code", "value"]].copy()
    frame["qualifier"] = original["qualifier"].fillna(prot.EXACT) if "qualifier" in original.columns else prot.EXACT
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["station"] = frame["village_code"].map(lambda v: stations.get(v, ""))
    hidden = protected["qualifier"] == prot.SUPPRESSED
    frame["shown"] = ~hidden.reindex(frame.index).fillna(False).to_numpy(dtype=bool)
    frame["display"] = protected["display"].reindex(frame.index) if "display" in protected.columns else None
    frame["exact"] = frame["qualifier"] == prot.EXACT
    out = []
    for year, cells in frame.groupby("year", sort=True):
        cells = cells.copy()
        totals = cells.groupby(["station", "indicator_code"])["value"].transform(lambda s: s.fillna(0).sum())
        lo, hi = [], []
        for shown, display, value, total in zip(cells["shown"], cells["display"], cells["value"], totals, strict=True):
            if shown or pd.isna(value):
                v = 0.0 if pd.isna(value) else float(value)
                lo.append(v)
                hi.append(v)
            elif semantics == "old":
                lo.append(1.0)
                hi.append(float(min(k - 1, total)) if display == prot.small_marker(k) else float(total))
            else:
                a, b = prot.domain(display, k, total)
                lo.append(a)
                hi.append(b)
        cells["lo"], cells["hi"] = lo, hi
        cells["missing"] = cells["value"].isna()
        cells["value"] = cells["value"].fillna(0.0)
        small = cells["value"] < np.where(cells["exact"], k, 2 * k)
        cells["primary"] = ~cells["shown"] & small
        out.append(Publication(int(year), k, cells.reset_index(drop=True), rules))
    return out


# ---------------------------------------------------------------- the linear system


@dataclass
class _System:
    """Hidden cells as variables; equations and ≤ rows with the shown cells moved right."""

    hidden: np.ndarray  # positions in cells
    lo: np.ndarray
    hi: np.ndarray
    rows: list[tuple[dict[int, float], float, str]]  # ({variable: coefficient}, right side, "eq" | "le")


def _system(pub: Publication, with_cells: bool = True) -> _System:
    """with_cells=False: the always-published facts alone — every present cell a variable in
    [0, ∞), no marker (the baseline n0 of the requirement)."""
    cells = pub.cells
    unknown = ~cells["shown"].to_numpy() if with_cells else ~cells["missing"].to_numpy()
    hidden = np.nonzero(unknown)[0]
    var = {int(p): n for n, p in enumerate(hidden)}
    value = cells["value"].to_numpy(dtype=float)
    rows: list[tuple[dict[int, float], float, str]] = []

    def add(terms: list[tuple[int, float]], rhs: float, kind: str) -> None:
        coef: dict[int, float] = {}
        for pos, a in terms:
            if pos in var:
                coef[var[pos]] = coef.get(var[pos], 0.0) + a
            else:
                rhs -= a * value[pos]
        if coef:
            rows.append((coef, rhs, kind))

    for _, group in cells.groupby(["station", "indicator_code"]):
        positions = group.index.to_list()
        add([(p, 1.0) for p in positions], float(value[positions].sum()), "eq")
    where = {(v, i): n for n, (v, i) in enumerate(zip(cells["village_code"], cells["indicator_code"], strict=True))}
    exact = cells["exact"].to_numpy()
    for village in cells["village_code"].unique():
        for rule in pub.rules:
            total = where.get((village, rule.total))
            parts = [where.get((village, p)) for p in rule.parts]
            present = [p for p in parts if p is not None]
            if total is None or not present:
                continue
            members = [total, *present]
            if not all(exact[m] for m in members):
                continue
            diff = value[total] - value[present].sum()
            check = rule.check if len(present) == len(parts) else "at_most"
            if check == "sum" and abs(diff) < EPS:
                add([(total, 1.0)] + [(p, -1.0) for p in present], 0.0, "eq")
            elif check == "at_most" and diff > -EPS:
                add([(p, 1.0) for p in present] + [(total, -1.0)], 0.0, "le")
    lo = cells["lo"].to_numpy(dtype=float)[hidden] if with_cells else np.zeros(len(hidden))
    hi = cells["hi"].to_numpy(dtype=float)[hidden] if with_cells else np.full(len(hidden), np.inf)
    return _System(hidden, lo, hi, rows)


def _blocks(system: _System) -> list[tuple[np.ndarray, list[int]]]:
    """Independent blocks: variables tied by some row, with their rows."""
    n = len(system.hidden)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for coef, _, _ in system.rows:
        first, *rest = coef
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[int, list[int]] = {}
    for v in range(n):
        groups.setdefault(find(v), []).append(v)
    rows_of: dict[int, list[int]] = {}
    for r, (coef, _, _) in enumerate(system.rows):
        rows_of.setdefault(find(next(iter(coef))), []).append(r)
    return [(np.array(vs), rows_of.get(root, [])) for root, vs in groups.items()]


def _matrix(system: _System, variables: np.ndarray, selected: list[int]) -> tuple[np.ndarray | None, np.ndarray | None]:
    if not selected:
        return None, None
    local = {int(v): n for n, v in enumerate(variables)}
    A = np.zeros((len(selected), len(variables)))
    b = np.zeros(len(selected))
    for i, r in enumerate(selected):
        coef, rhs, _ = system.rows[r]
        for v, a in coef.items():
            A[i, local[v]] = a
        b[i] = rhs
    return A, b


def lp_ranges(pub: Publication, baseline: bool = False, integer: bool = False) -> pd.DataFrame:
    """min and max of every hidden cell over the LP of everything published (or, with
    baseline=True, of the always-published facts alone: totals and rules, no cell, no marker).
    integer=True solves the integer programs instead (scipy.optimize.milp, HiGHS): a stricter
    audit, for an attacker who also uses that counts are whole numbers."""
    system = _system(pub, with_cells=not baseline)
    low = np.full(len(system.hidden), np.nan)
    high = np.full(len(system.hidden), np.nan)
    for variables, rows in _blocks(system):
        A_eq, b_eq = _matrix(system, variables, [r for r in rows if system.rows[r][2] == "eq"])
        A_ub, b_ub = _matrix(system, variables, [r for r in rows if system.rows[r][2] == "le"])
        bounds = list(zip(system.lo[variables], [None if math.isinf(h) else h for h in system.hi[variables]], strict=True))
        # Every optimum found is a feasible point of the whole block: a variable it puts on
        # its own bound (its box lower or upper limit) has that bound as its min or max, with
        # no program of its own to solve. Only exact bounds count, never a near one.
        reached_lo = np.zeros(len(variables), dtype=bool)
        reached_hi = np.zeros(len(variables), dtype=bool)
        for n, v in enumerate(variables):
            for sense, store, reached, limit in (
                (1.0, low, reached_lo, system.lo[variables]),
                (-1.0, high, reached_hi, system.hi[variables]),
            ):
                if reached[n]:
                    store[v] = limit[n]
                    continue
                c = np.zeros(len(variables))
                c[n] = sense
                if integer:
                    constraints = [
                        LinearConstraint(A, -np.inf if kind == "le" else b, b)
                        for A, b, kind in ((A_eq, b_eq, "eq"), (A_ub, b_ub, "le"))
                        if A is not None
                    ]
                    res = milp(
                        c,
                        constraints=constraints,
                        integrality=np.ones(len(variables)),
                        bounds=Bounds(system.lo[variables], system.hi[variables]),
                    )
                else:
                    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
                if res.status != 0:
                    raise RuntimeError(f"audit {'MILP' if integer else 'LP'} failed ({res.message}) for year {pub.year}")
                store[v] = sense * res.fun
                reached_lo |= res.x == system.lo[variables]
                reached_hi |= res.x == system.hi[variables]
    return _report(pub, system, low, high)


def propagate(pub: Publication, rounds: int = 200) -> pd.DataFrame:
    """Interval propagation: tighten each variable's bounds from each row in turn."""
    system = _system(pub)
    lo, hi = system.lo.copy(), system.hi.copy()
    rows = [(np.array(list(c)), np.array(list(c.values())), rhs, kind) for c, rhs, kind in system.rows]
    for _ in range(rounds):
        changed = False
        for idx, a, rhs, kind in rows:
            # Σ a x (=|≤) rhs: for each x_j, a_j x_j (=|≤) rhs − Σ_{i≠j} a_i x_i.
            mins = np.where(a > 0, a * lo[idx], a * hi[idx])
            maxs = np.where(a > 0, a * hi[idx], a * lo[idx])
            smin, smax = mins.sum(), maxs.sum()
            for n, j in enumerate(idx):
                rest_min = smin - mins[n]
                rest_max = smax - maxs[n]
                upper = rhs - rest_min  # a_j x_j ≤ upper
                lower = rhs - rest_max if kind == "eq" else -np.inf  # a_j x_j ≥ lower
                if a[n] > 0:
                    new_lo, new_hi = lower / a[n], upper / a[n]
                else:
                    new_lo, new_hi = upper / a[n], lower / a[n]
                if new_lo > lo[j] + EPS:
                    lo[j] = new_lo
                    changed = True
                if new_hi < hi[j] - EPS:
                    hi[j] = new_hi
                    changed = True
        if not changed:
            break
    return _report(pub, system, lo, hi)


def _report(pub: Publication, system: _System, low: np.ndarray, high: np.ndarray) -> pd.DataFrame:
    cells = pub.cells.iloc[system.hidden].reset_index(drop=True)
    out = cells[["village_code", "station", "indicator_code", "display", "value", "primary"]].copy()
    out.insert(0, "year", pub.year)
    out["min"], out["max"] = low, high
    with np.errstate(invalid="ignore"):
        out["n"] = (np.floor(high + EPS) - np.ceil(low - EPS) + 1).astype(int)
    counts = pub.cells.groupby("station")["village_code"].nunique()
    totals = pub.cells.groupby(["station", "indicator_code"])["value"].sum()
    out["required"] = [
        prot.required_values(pub.k, totals[(s, i)], int(counts[s])) if p else 0
        for s, i, p in zip(out["station"], out["indicator_code"], out["primary"], strict=True)
    ]
    out["narrowed"] = out["n"] < out["required"]
    out["pinned"] = out["n"] <= 1
    return out


def audit(pubs: Iterable[Publication], method: str = "lp") -> pd.DataFrame:
    """Every hidden cell of these publications with its range; `narrowed` marks a failure.
    method: "lp" (the audit), "milp" (integer, stricter) or "propagation" (cheap, weaker)."""
    runs = {"lp": lp_ranges, "milp": lambda p: lp_ranges(p, integer=True), "propagation": propagate}
    run = runs[method]
    frames = [run(p) for p in pubs]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def audit_protected(
    original: pd.DataFrame,
    protected: pd.DataFrame,
    k: int,
    stations: Mapping[str, str],
    rules: Iterable[prot.Rule],
    method: str = "lp",
    semantics: str = "new",
) -> pd.DataFrame:
    return audit(publications(original, protected, k, stations, rules, semantics), method)


def compare(pubs: Iterable[Publication]) -> dict[str, int]:
    """LP audit against interval propagation on the same publications: how many hidden
    primary cells each finds narrowed, and how many the cheap one misses."""
    pubs = list(pubs)
    lp = audit(pubs, "lp")
    prop = audit(pubs, "propagation")
    both = lp["narrowed"] & prop["narrowed"]
    wider = (prop["min"] <= lp["min"] + EPS) & (prop["max"] >= lp["max"] - EPS)
    return {
        "hidden": len(lp),
        "primary": int(lp["primary"].sum()),
        "lp_narrowed": int(lp["narrowed"].sum()),
        "propagation_narrowed": int(prop["narrowed"].sum()),
        "found_by_both": int(both.sum()),
        "missed_by_propagation": int((lp["narrowed"] & ~prop["narrowed"]).sum()),
        "propagation_interval_contains_lp": int(wider.sum()),
        "lp_pinned": int(lp["pinned"].sum()),
        "propagation_pinned": int(prop["pinned"].sum()),
    }
