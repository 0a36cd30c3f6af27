"""PORTED, UNCHANGED IN BEHAVIOUR, from /work/main etl/privacy.py (git HEAD 76ffc0f), for the audit test
that shows the old design can be undone. Only `small_count_k`/`settings_file` (settings I/O) were
left out so this file imports nothing from the repository. Do not use it for pages.

Small-count protection: village-level counts of people 1 to k−1 are not shown.

In a village a count of 1 or 2 people under community correction, with a severe mental
disorder or registered as drug users can point at a neighbour. With k > 0:

- a sensitive village cell of 1..k−1 shows as `<k` (primary suppression); zero stays 0;
- the town totals stay (they are what the pages are for); because "total minus the
  villages shown" would give a hidden cell back, more cells are hidden (complementary
  suppression) until, in every published sum a hidden cell is part of — the town total,
  its police station's total, its village's row rule such as 在管患者 = 0–5级之和 — the
  hidden small count could still be anything from 1 to k−1. Village cells are hidden
  first (the smallest that helps), then a station's total; a cell hidden to cover
  another shows `*`, which says only that a count is hidden, not how large;
- where nothing is left to hide beside a small count (the others are zeros, which stay
  zero, and the town total stays), `<k` itself would say too much (two `<3` in a town
  total of 2 are both 1): those small counts show as `*` too, so no count is pinned;
- a total over a hand-picked set of villages is shown only if it hides nothing (or is a
  whole station's published total): otherwise two overlapping picks would differ by one
  village.

Limit, stated in the README: the check is per published sum (the usual heuristic for
complementary suppression), not a solver over all sums at once; and a village that
alone has a count still shows that it has one (`<k` or `*`), and the town total then
says how many.
Pure pandas, no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

SUPPRESSED = "suppressed"  # the qualifier of a hidden value
HIDDEN_LARGE = "*"
DEFAULT_MEETING_K = 3


def marker(value: int, k: int) -> str:
    return f"<{k}" if value < k else HIDDEN_LARGE


# A cell of one year: ("v", village, indicator), ("s", station, indicator) or ("t", "", indicator).
Cell = tuple[str, str, str]


@dataclass
class Protected:
    """Village values with hidden cells marked, and the station and town totals hidden too."""

    k: int
    values: pd.DataFrame
    hidden_totals: dict[tuple[int, str, str, str], str] = field(default_factory=dict)  # (year, scope, station, indicator) → marker
    stations: dict[str, str] = field(default_factory=dict)  # village → station

    def total_marker(self, year: int, indicator: str, village_codes: Iterable[str] | None) -> str | None:
        """The marker a total over these villages must show instead of its value, or None.

        None or all villages is the town total; a whole station is its station total; any
        other pick shows its sum only if none of its cells is hidden."""
        if self.k <= 0:
            return None
        everyone = set(self.stations)
        chosen = everyone if not village_codes else set(village_codes) & everyone
        if chosen == everyone:
            return self.hidden_totals.get((year, "t", "", indicator))
        for station in set(self.stations.values()):
            if chosen == {v for v, s in self.stations.items() if s == station}:
                return self.hidden_totals.get((year, "s", station, indicator))
        rows = self.values[
            (self.values["year"] == year) & (self.values["indicator_code"] == indicator) & self.values["village_code"].isin(chosen)
        ]
        return HIDDEN_LARGE if (rows["qualifier"] == SUPPRESSED).any() else None


def suppress(
    values: pd.DataFrame,
    k: int,
    stations: Mapping[str, str],
    sensitive: Iterable[str],
    sum_rules: Iterable[tuple[str, tuple[str, ...]]] = (),
) -> Protected:
    """Hide small sensitive village counts and enough others that none can be worked out.

    `values` is long: year, village_code, indicator_code, value, qualifier (more columns
    are kept) for every village of the town; `stations` maps each village to its police
    station; `sum_rules` are (total, parts) that hold in each village row.
    """
    out = values.copy()
    protected = Protected(k, out, stations=dict(stations))
    if k <= 0 or out.empty:
        return protected
    sensitive = set(sensitive)
    rules = [(total, tuple(parts)) for total, parts in sum_rules]
    hidden_rows: list[int] = []
    markers: list[str] = []
    for year, group in out.groupby("year", sort=True):
        cells: dict[Cell, int] = {}
        index: dict[Cell, int] = {}
        for row, village, indicator, value in zip(group.index, group["village_code"], group["indicator_code"], group["value"], strict=True):
            if pd.isna(value):
                continue
            cells[("v", village, indicator)] = int(value)
            index[("v", village, indicator)] = row
        problem = _Year(cells, k, stations, sensitive, rules)
        for cell in problem.protect():
            if cell[0] == "v":
                hidden_rows.append(index[cell])
                markers.append(problem.marker(cell))
            else:
                protected.hidden_totals[(int(year), cell[0], cell[1], cell[2])] = problem.marker(cell)
    if hidden_rows:
        out["value"] = out["value"].astype("Int64")
        out.loc[hidden_rows, "value"] = pd.NA
        out.loc[hidden_rows, "qualifier"] = SUPPRESSED
        if "display" in out.columns:
            out.loc[hidden_rows, "display"] = markers
        else:
            out["display"] = None
            out.loc[hidden_rows, "display"] = markers
    return protected


def _relations(cells: dict[Cell, int], stations: Mapping[str, str], rules) -> list[tuple[list[Cell], Cell]]:
    """Every sum a page publishes, as (parts, total): a total is itself a cell."""
    relations: list[tuple[list[Cell], Cell]] = []
    by_indicator: dict[str, list[Cell]] = {}
    for cell in list(cells):
        by_indicator.setdefault(cell[2], []).append(cell)
    for indicator, parts in by_indicator.items():
        town = ("t", "", indicator)
        cells[town] = sum(cells[c] for c in parts)
        relations.append((parts, town))
        by_station: dict[str, list[Cell]] = {}
        for cell in parts:
            by_station.setdefault(stations.get(cell[1], ""), []).append(cell)
        for station, members in by_station.items():
            total = ("s", station, indicator)
            cells[total] = sum(cells[c] for c in members)
            relations.append((members, total))
        relations.append(([("s", station, indicator) for station in by_station], town))
    # A row rule holds in each village, so also for each station's totals (implied by the
    # village rows, but stated so that hiding a station total looks at its row). The
    # town's row is left out: its totals are never hidden, so it cannot be helped.
    places = {(cell[0], cell[1]) for cell in cells if cell[0] != "t"}
    for scope, place in sorted(places):
        for total, parts in rules:
            row = [(scope, place, part) for part in parts if (scope, place, part) in cells]
            if (scope, place, total) in cells and row:
                relations.append((row, (scope, place, total)))
    return relations


class _Year:
    """The cells of one year, the sums published over them, and what is hidden so far.

    A hidden cell's marker tells a reader its range: `<k` is 1..k−1 and `*` is k or more.
    """

    RANK: ClassVar[dict[str, int]] = {"v": 0, "s": 1, "t": 2}  # hide villages first, then station totals, the town total last

    def __init__(self, cells: dict[Cell, int], k: int, stations, sensitive: set[str], rules) -> None:
        self.cells, self.k = cells, k
        self.hidden = {cell for cell, value in cells.items() if cell[2] in sensitive and 1 <= value < k}
        self.weak: set[Cell] = set()  # small counts shown as `*`: where `<k` would be pinned down
        self.relations = _relations(cells, stations, rules) if self.hidden else []

    def bounds(self, cell: Cell) -> tuple[float, float]:
        if cell in self.weak:
            return (1, math.inf)
        return (1, self.k - 1) if self.cells[cell] < self.k else (self.k, math.inf)

    def marker(self, cell: Cell) -> str:
        return HIDDEN_LARGE if cell in self.weak else marker(self.cells[cell], self.k)

    def too_narrow(self, cell: Cell, low: float, high: float) -> bool:
        """A hidden count below k must stay anywhere in 1..k−1; one of k or more is hidden
        only to cover small ones, so what is known of it does not matter by itself."""
        if self.cells[cell] >= self.k:
            return False
        if cell in self.weak:
            return high - low < 1  # shown as `*`: it must not be worked out exactly
        return low > 1 or high < self.k - 1

    def safe(self, parts: list[Cell], total: Cell) -> bool:
        """Does this one sum, on its own, leave every hidden cell in it open enough?"""
        terms = [(cell, 1) for cell in parts] + [(total, -1)]
        secret = [(cell, sign) for cell, sign in terms if cell in self.hidden]
        constant = -sum(sign * self.cells[cell] for cell, sign in terms if cell not in self.hidden)
        for cell, sign in secret:
            lo_rest = hi_rest = 0.0
            for other, other_sign in secret:
                if other != cell:
                    lb, ub = self.bounds(other)
                    lo_rest += lb if other_sign > 0 else -ub
                    hi_rest += ub if other_sign > 0 else -lb
            low, high = constant - hi_rest, constant - lo_rest  # sign * x = constant - rest
            if sign < 0:
                low, high = -high, -low
            lb, ub = self.bounds(cell)
            if self.too_narrow(cell, max(low, lb), min(high, ub)):
                return False
        return True

    def hide_one_more(self, relations) -> bool:
        # The town's totals are what the pages are for: never hidden.
        options = {c for parts, total in relations for c in [*parts, total] if c[0] != "t" and c not in self.hidden and self.cells[c] > 0}
        if not options:
            return False
        self.hidden.add(min(options, key=lambda c: (self.RANK[c[0]], self.cells[c], c)))
        return True

    def protect(self) -> set[Cell]:
        """Hide more cells until each published sum, on its own, leaves every hidden small
        count anywhere in 1..k−1. A sum whose other cells are all zeros or already hidden
        and whose total is the town's cannot be helped: see the module docstring."""
        changed = bool(self.hidden)
        while changed:
            changed = False
            for relation in self.relations:
                if not self.safe(*relation) and self.hide_one_more([relation]):
                    changed = True
            if changed:
                continue
            # Nothing left to hide beside them (the rest are zeros, or the town total):
            # `<k` would say too much, so those small counts show as `*`, which says
            # only that a count is hidden.
            for parts, total in self.relations:
                if not self.safe(parts, total):
                    small = {c for c in [*parts, total] if c in self.hidden and c not in self.weak and self.cells[c] < self.k}
                    if small:
                        self.weak |= small
                        changed = True
        return self.hidden
