"""Small-count protection of sensitive village counts, with a joint guarantee.

What is published, for one year and topic (the annual report and every page and download):
town totals and police-station totals of every indicator (NEVER hidden), the village cells
that are shown, a marker for every hidden village cell, and the catalog's per-village rules
(sum: total = Σ parts; at_most: Σ parts ≤ total), which anyone can read in the catalog.

Markers and what they tell a reader (the *domain* of a hidden cell):

    <k   the cell is one of 0, 1, …, k−1          (every sensitive count below k, zeros too)
    *    the cell is k or more (at most its station total)   (hidden only to cover others)
    …    the cell is hidden and nothing is said of its size: 0 … its station total
         (rare: where `<k`/`*` would themselves give a count away, see below; and the
         marker of a total over a hand-picked set of villages that cannot be shown)

THE REQUIREMENT (precise). Let c be a hidden sensitive village cell whose true value is below k
(a *primary* cell; a non-exact sensitive value stated below 2k counts as primary too). Let
P be the set of real-valued tables that agree with everything published (shown cells, the
domains of the markers, station and town totals, and the rules of every village row where the
rule holds on exact data), and let

    n(c)  = floor(max_P x_c) − ceil(min_P x_c) + 1        (what the LP audit counts)
    n0(c) = the same count over P0, the tables that agree with the always-published facts only
            (station and town totals and the rules, no village cell, no marker).

Required: n(c) ≥ min(k, n0(c)) for every primary cell c.

n0(c) is simple (the proof is the sentence that follows): if c's station has two or more villages, n0(c) = 1 + S,
S = c's station total of that indicator (all of S can sit in c's village, or in another one,
and any village row of the station, scaled, still obeys the rules); if c's village is the only
one of its station, n0(c) = 1 (the annual report publishes it). So the requirement reads
"every hidden small count keeps at least min(k, 1 + S) possible values", S its station total;
a tighter bound from a village's own rule total is not used: a shown village total is itself
≥ k (smaller ones are hidden), so it never lowers min(k, ·). Since a `<k` cell has at most
min(k, 1 + S) values in its domain, the requirement means: every value 0 … min(k−1, S) of a
primary cell stays possible. Complementary (`*`) cells carry no requirement of their own, as
in τ-ARGUS: a count ≥ k is one the page would show anyway; they only have to cover the
primary cells, which the requirement checks jointly.

HOW IT IS MET (the functions below say each step). Every primary cell is *certified* in both directions — down
to 0 and up to min(k−1, S) — by witnesses: integer tables that agree with everything the page
publishes and put the cell at that end (so the LP range, and the integer one, contains it). A
witness is a sum of unit moves inside one station that keep every station total and every rule
(an at_most rule gets a slack column, total − Σ parts ≥ 0, never published); shown cells never
move, hidden ones stay in their marker's domain. Checks run vectorised over all stations (a
"bundle" of cells of one row — the cell and a buddy part of its rule, the cell with its row
total, a total with one part of each rule — moved against many partner villages; whole village
rows moved), then, for the cells left, an exact search: augmenting paths (Ford–Fulkerson) in
each rule's flow network of the station (total → village rows → parts), exact for a component
with one rule. A cell that cannot be certified makes the algorithm change the cheapest cells
that give one bundle what it lacks: hide a shown cell (`*`, cost its value) or, only where no
hide helps, widen a marker to `…` (far costlier). When nothing can be changed any more, the
station's whole component becomes `…`, which the theorem above certifies (it says nothing
beyond the station totals). Every round changes something, changes only go one way, and a
certificate stays valid when more is hidden or a domain widens: the loop ends.

Other decisions: a station total of 0 (every village 0): its villages still show `<k`, as
everywhere (`<k` must never look different from 0), and need nothing (n0 = 1). Non-exact
sensitive values (at_least "1000余", approx "约30") are always hidden with `…` in meeting
mode (their true value may be on either side of k; no marker may claim a side); for the
totals and the audit they count at their stated number, and a rule is applied to a village
row only where all its numbers are exact and the row obeys it, as the loader checks them. A
missing (NA) cell stays missing and counts as a fixed 0 (the attacker is assumed to know it).
Pure Python + pandas + numpy, no Streamlit.
"""

from __future__ import annotations

import itertools
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl import settings

SUPPRESSED = "suppressed"  # the qualifier of a hidden value
HIDDEN_LARGE = "*"  # hidden, k or more
HIDDEN_ANY = "…"  # hidden, nothing said about its size
DEFAULT_MEETING_K = 3
EXACT, AT_LEAST, APPROX = "exact", "at_least", "approx"

# Kinds of cell inside the algorithm.
_SHOWN, _SMALL, _LARGE, _ANY = 0, 1, 2, 3
_BIG = 1e12  # capacity of a slack column upwards (no bound)
_WIDEN_COST = 1e6  # saying nothing of a size (`…`) costs more than hiding any count as `*`


def small_marker(k: int) -> str:
    return f"<{k}"


def domain(display: str, k: int, station_total: float) -> tuple[float, float]:
    """What a reader knows of a hidden cell from its marker: [low, high]."""
    if display == small_marker(k):
        return 0.0, float(min(k - 1, station_total))
    if display == HIDDEN_LARGE:
        return float(k), float(station_total)
    return 0.0, float(station_total)


def required_values(k: int, station_total: float, villages_in_station: int) -> int:
    """min(k, n0): how many values a hidden small count must keep (see the module docstring)."""
    if k <= 0:
        return 0
    if villages_in_station < 2:
        return 1
    return int(min(k, 1 + station_total))


def note(k: int) -> str:
    """What a page says about the protection in force, in one line (Markdown: `*` escaped)."""
    return f"小数保护：各村 0–{k - 1} 人显示为“<{k}”，“\\*”“…”为已隐去的数，全镇和派出所合计照常显示"


def settings_file() -> Path:
    """data/settings.toml, or the file FAZHI_SETTINGS names."""
    configured = os.environ.get("FAZHI_SETTINGS")
    return Path(configured) if configured else settings.DATA_DIR / "settings.toml"


def small_count_k(meeting: bool = False, settings_path: str | Path | None = None) -> int:
    """k for the desk view (`small_count_k`, env FAZHI_SMALL_COUNT_K; 0 = off) or for meeting
    mode (`meeting_small_count_k`, env FAZHI_MEETING_SMALL_COUNT_K; 3 unless set), never less
    protective than the desk view."""
    path = Path(settings_path) if settings_path else settings_file()
    raw = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def setting(env: str, key: str, default: int) -> int:
        if os.environ.get(env, "").strip():
            return max(0, int(os.environ[env]))
        return max(0, int(raw[key])) if key in raw else default

    desk = setting("FAZHI_SMALL_COUNT_K", "small_count_k", 0)
    return desk if not meeting else max(desk, setting("FAZHI_MEETING_SMALL_COUNT_K", "meeting_small_count_k", DEFAULT_MEETING_K))


@dataclass(frozen=True)
class Rule:
    """A catalog rule that holds in every village row: sum (total = Σ parts) or at_most (Σ parts ≤ total)."""

    check: str
    total: str
    parts: tuple[str, ...]


def rules_from(sum_rules: Iterable = (), at_most_rules: Iterable = ()) -> list[Rule]:
    out = [Rule("sum", t, tuple(p)) for t, p in sum_rules]
    out += [Rule("at_most", t, tuple(p)) for t, p in at_most_rules]
    return out


# ---------------------------------------------------------------- the published result


@dataclass
class Protected:
    """Village values with hidden cells marked; station and town totals are never hidden.

    `values`: the input long frame (extra columns kept) where a hidden cell has value NA,
    qualifier `suppressed` and display `<k`, `*` or `…`.
    """

    k: int
    values: pd.DataFrame
    stations: dict[str, str] = field(default_factory=dict)  # village → station
    hidden_totals: dict = field(default_factory=dict)  # kept for the old interface: always empty now
    station_totals: dict[tuple[int, str, str], float] = field(default_factory=dict)  # (year, station, indicator) → published total
    warnings: list[str] = field(default_factory=list)  # cells that could not be certified (should stay empty)
    _hidden: dict[tuple[int, str], dict[str, str]] = field(default_factory=dict, repr=False)  # (year, indicator) → village → marker

    def marker_of(self, year: int, indicator: str, village: str) -> str | None:
        return self._hidden.get((int(year), indicator), {}).get(village)

    def total_marker(self, year: int, indicator: str, village_codes: Iterable[str] | None) -> str | None:
        """The marker a total over these villages must show instead of its value, or None.

        A total is shown exactly when it can be worked out from what is published anyway:
        the pick holds, for every station, either all or none of that station's hidden cells
        of this indicator (then total = Σ those stations' totals − their shown cells outside
        the pick + the pick's other shown cells). The town total and every whole station are
        always such picks. So no pick, and no two picks differing by one village, tells more
        than the audited page. Otherwise `…` (a pick's total may be below k: no `*`)."""
        if self.k <= 0:
            return None
        hidden = self._hidden.get((int(year), indicator))
        if not hidden:
            return None
        chosen = set(village_codes) if village_codes else None
        if chosen is None:
            return None
        by_station: dict[str, list[str]] = {}
        for village in hidden:
            by_station.setdefault(self.stations.get(village, ""), []).append(village)
        for members in by_station.values():
            inside = sum(v in chosen for v in members)
            if 0 < inside < len(members):
                return HIDDEN_ANY
        return None

    def grouped(
        self,
        year: int,
        indicator: str,
        village_codes: Iterable[str] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """One year × indicator as a meeting chart or table shows it.

        Rows, in order: every shown village (largest first: a ranking), then one row per
        hidden kind that occurs — `*` "另有 m 个村（社区）已隐去，每村不少于 k 人" (they rank
        above every `<k` village but cannot be placed among the shown ones, so they are
        listed, never drawn as bars and never dropped), `…` "另有 j 个村（社区）已隐去", `<k`
        "其余 n 个村（社区），每村少于 k 人" — and, if the pick's total is published anyway
        (total_marker is None), one row "以上隐去的 N 个村（社区）合计" with total − shown. No
        hidden group gets a total of its own: the `<k` group's sum would tell how many of them
        are not 0 (e.g. 1 over 8 villages), which nothing else publishes.

        Columns: kind (village | large | any | small | hidden_total), label, villages (list of
        codes), n, value (Int64; NA where nothing may be shown), display.
        """
        names = names or {}
        frame = self.values
        rows = frame[(frame["year"] == year) & (frame["indicator_code"] == indicator)]
        if village_codes:
            rows = rows[rows["village_code"].isin(set(village_codes))]
        hidden_mask = rows["qualifier"] == SUPPRESSED
        shown = rows[~hidden_mask & rows["value"].notna()].sort_values(["value", "village_code"], ascending=[False, True])
        out: list[dict] = [
            {
                "kind": "village",
                "label": names.get(v, v),
                "villages": [v],
                "n": 1,
                "value": int(x),
                "display": d if isinstance(d, str) and d else str(int(x)),
            }
            for v, x, d in zip(shown["village_code"], shown["value"], shown.get("display", shown["value"]), strict=True)
        ]
        hidden = rows[hidden_mask]
        displays = hidden["display"].tolist() if "display" in hidden.columns else [HIDDEN_ANY] * len(hidden)
        groups: dict[str, list[str]] = {}
        for village, display in zip(hidden["village_code"], displays, strict=True):
            groups.setdefault(display, []).append(village)
        k = self.k
        texts = {
            HIDDEN_LARGE: ("large", "另有 {n} 个村（社区）已隐去，每村不少于 " + str(k) + " 人"),
            HIDDEN_ANY: ("any", "另有 {n} 个村（社区）已隐去"),
            small_marker(k): ("small", "其余 {n} 个村（社区），每村少于 " + str(k) + " 人"),
        }
        for display in (HIDDEN_LARGE, HIDDEN_ANY, small_marker(k)):
            if display in groups:
                kind, text = texts[display]
                members = sorted(groups[display])
                out.append(
                    {
                        "kind": kind,
                        "label": text.format(n=len(members)),
                        "villages": members,
                        "n": len(members),
                        "value": None,
                        "display": display,
                    }
                )
        every_hidden = sorted(hidden["village_code"])
        if every_hidden and self.total_marker(year, indicator, village_codes) is None:
            # The pick holds all hidden cells of these stations: their published totals minus
            # their shown cells is the hidden cells' sum, which anyone can work out.
            stations = {self.stations.get(v, "") for v in every_hidden}
            everywhere = frame[(frame["year"] == year) & (frame["indicator_code"] == indicator)]
            there = everywhere[everywhere["village_code"].map(lambda v: self.stations.get(v, "")).isin(stations)]
            shown_sum = pd.to_numeric(there.loc[there["qualifier"] != SUPPRESSED, "value"], errors="coerce").fillna(0).sum()
            hidden_sum = round(float(sum(self.station_totals.get((int(year), s, indicator), 0) for s in stations) - shown_sum))
            out.append(
                {
                    "kind": "hidden_total",
                    "label": f"以上隐去的 {len(every_hidden)} 个村（社区）合计",
                    "villages": every_hidden,
                    "n": len(every_hidden),
                    "value": hidden_sum,
                    "display": str(hidden_sum),
                }
            )
        result = pd.DataFrame(out, columns=["kind", "label", "villages", "n", "value", "display"])
        result["value"] = result["value"].astype("Int64")
        return result


def combine(parts: list[Protected]) -> Protected:
    """The towns of a district, each protected on its own (disjoint villages), as one result."""
    hidden: dict[tuple[int, str], dict[str, str]] = {}
    for part in parts:
        for key, markers in part._hidden.items():
            hidden.setdefault(key, {}).update(markers)
    return Protected(
        parts[0].k,
        pd.concat([part.values for part in parts], ignore_index=True),
        stations={v: s for part in parts for v, s in part.stations.items()},
        station_totals={key: t for part in parts for key, t in part.station_totals.items()},
        warnings=[w for part in parts for w in part.warnings],
        _hidden=hidden,
    )


# ---------------------------------------------------------------- rule components


@dataclass
class _Component:
    """Indicators tied by rules (or one free indicator), as columns: the real ones, then one
    slack column per at_most rule (total − Σ parts ≥ 0)."""

    codes: list[str]
    total: int | None = None
    groups: list[tuple[str, list[int], int | None]] = field(default_factory=list)  # (check, parts, slack column)
    supported: bool = True
    bundles: dict[int, list[tuple[tuple[int, int], ...]]] = field(default_factory=dict)

    @property
    def free(self) -> bool:
        return len(self.codes) == 1 and not self.groups

    @property
    def ncols(self) -> int:
        return len(self.codes) + sum(1 for _, _, s in self.groups if s is not None)


def _components(indicators: list[str], rules: list[Rule]) -> list[_Component]:
    parent = {code: code for code in indicators}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    usable = []
    for r in rules:
        if r.total in parent and any(p in parent for p in r.parts):
            present = tuple(p for p in r.parts if p in parent)
            # A sum with a part that is not published is only a bound on the others.
            usable.append(Rule(r.check if len(present) == len(r.parts) else "at_most", r.total, present))
    for rule in usable:
        for part in rule.parts:
            if part in parent:
                parent[find(part)] = find(rule.total)
    members: dict[str, list[str]] = {}
    for code in indicators:
        members.setdefault(find(code), []).append(code)
    out = []
    for codes in members.values():
        comp = _Component(codes=list(codes))
        mine = [r for r in usable if r.total in codes]
        if mine:
            totals = {r.total for r in mine}
            parts = [p for r in mine for p in r.parts if p in codes]
            comp.supported = len(totals) == 1 and len(parts) == len(set(parts)) and not (totals & set(parts))
            if comp.supported:
                col = {c: i for i, c in enumerate(codes)}
                comp.total = col[next(iter(totals))]
                nxt = len(codes)
                for r in mine:
                    slack = None
                    if r.check == "at_most":
                        slack, nxt = nxt, nxt + 1
                    comp.groups.append((r.check, [col[p] for p in r.parts if p in col], slack))
        _make_bundles(comp)
        out.append(comp)
    return out


def _make_bundles(comp: _Component) -> None:
    """The unit moves that can carry a cell of this component: (column, sign) with the cell first."""
    if not comp.supported:
        comp.bundles = {}
        return
    if comp.free:
        comp.bundles = {0: [((0, 1),)]}
        return
    T = comp.total
    choices = [list(parts) + ([slack] if slack is not None else []) for _, parts, slack in comp.groups]
    bundles: dict[int, list[tuple[tuple[int, int], ...]]] = {}
    for j, (_, parts, _slack) in enumerate(comp.groups):
        for p in parts:
            own = [((p, 1), (q, -1)) for q in choices[j] if q != p]  # a buddy in the same rule
            others = [choices[m] for m in range(len(comp.groups)) if m != j]
            with_total = [((p, 1), (T, 1), *((b, 1) for b in combo)) for combo in itertools.product(*others)]
            bundles[p] = own + with_total
    bundles[T] = [((T, 1), *((b, 1) for b in combo)) for combo in itertools.product(*choices)]
    comp.bundles = bundles


# ---------------------------------------------------------------- the algorithm


class _Problem:
    """One component's cells over every (year, station) group, rows sorted by group."""

    def __init__(self, comp: _Component, cells: _Cells, k: int, sensitive: set[str]) -> None:
        self.comp, self.k = comp, k
        codes = comp.codes
        col_of = np.full(len(cells.indicators), -1)
        for i, code in enumerate(codes):
            col_of[cells.indicators.index(code)] = i
        c_all = col_of[cells.ind]
        mine = np.nonzero(c_all >= 0)[0]
        c = c_all[mine]
        key = cells.row_key[mine]
        row_key, r = np.unique(key, return_inverse=True)  # sorted: by year, station, village
        R, Creal, C = len(row_key), len(codes), comp.ncols
        self.R, self.Creal, self.C = R, Creal, C
        self.row_village = cells.village_of_key(row_key)
        self.row_year = cells.year_of_key(row_key)
        self.src = np.full((R, Creal), -1, dtype=np.int64)
        self.src[r, c] = mine  # position in the input frame
        V = np.full((R, Creal), np.nan)
        V[r, c] = cells.value[mine]
        Q = np.full((R, Creal), "missing", dtype=object)
        Q[r, c] = cells.qualifier[mine]
        gkey = cells.group_of_key(row_key)
        _, self.gid = np.unique(gkey, return_inverse=True)
        self.na = np.isnan(V)
        self.qual = Q
        self.exact = Q == EXACT
        X = np.zeros((R, C))
        X[:, :Creal] = np.nan_to_num(V)
        self.G = int(self.gid.max()) + 1 if R else 0
        self.gstart = np.searchsorted(self.gid, np.arange(self.G), side="left")
        self.gend = np.searchsorted(self.gid, np.arange(self.G), side="right")
        self.nvill = self.gend - self.gstart
        self.S = np.zeros((self.G, Creal))
        for j in range(Creal):
            self.S[:, j] = np.bincount(self.gid, weights=X[:, j], minlength=self.G)
        # Rules hold in a row only where all their numbers are exact and the row obeys them.
        self.applicable = np.ones((R, len(comp.groups)), dtype=bool)
        for g, (check, parts, slack) in enumerate(comp.groups):
            members = [comp.total, *parts]
            ok = ~self.na[:, members].any(axis=1) & self.exact[:, members].all(axis=1)
            diff = X[:, comp.total] - X[:, parts].sum(axis=1)
            ok &= (np.abs(diff) < 1e-9) if check == "sum" else (diff > -1e-9)
            self.applicable[:, g] = ok
            if slack is not None:
                X[:, slack] = np.where(ok, np.maximum(diff, 0), _BIG)
        self.X = X
        sens = np.array([code in sensitive for code in codes])
        self.sens = sens
        Xr = X[:, :Creal]
        kind = np.full((R, Creal), _SHOWN)
        small = sens[None, :] & ~self.na & self.exact & (Xr < k)
        inexact = sens[None, :] & ~self.na & ~self.exact
        kind[small] = _SMALL
        kind[inexact] = _ANY
        self.kind = kind
        self.primary = small | (inexact & (Xr < 2 * k))
        self.Srow = self.S[self.gid]  # (R, Creal) station totals per row
        # What a shown cell would be if hidden to cover others.
        at_least_big = (Q == AT_LEAST) & (Xr >= k)
        self.kind_if_hidden = np.where(self.exact | at_least_big, np.where(Xr >= k, _LARGE, _SMALL), _ANY)
        self.kind_if_hidden[self.na] = _SHOWN
        # Targets: every value 0 … r−1 must stay possible, r = min(k, 1 + S) (1 if alone).
        req = np.where(self.nvill[self.gid][:, None] >= 2, np.minimum(k, 1 + self.Srow), 1)
        self.need_up = np.where(self.primary & (req >= 2), np.maximum(req - 1 - Xr, 0), 0)
        self.need_dn = np.where(self.primary & (req >= 2), Xr, 0)
        self.ok_up = self.need_up <= 0
        self.ok_dn = self.need_dn <= 0
        self.uncertified = np.zeros((R, Creal), dtype=bool)
        self.version = np.zeros(self.G, dtype=np.int64)  # bumped when a station's kinds change
        self._plan_cache: dict[tuple[int, bool], list] = {}
        self.tried: dict[tuple, bool] = {}  # (station, version, column, direction, need, row) → could move
        self._bounds()

    # -- state

    def _bounds(self) -> None:
        """Domains and capacities from the kinds: a hidden cell can move within its marker's
        domain; a shown one cannot. Also what a cell could move if hidden (`pot`: as `*`, or
        `<k` for a small non-sensitive one) or if it said nothing of its size (`pot_any`: `…`)."""
        k, R, Creal, C = self.k, self.R, self.Creal, self.C
        Xr = self.X[:, :Creal]
        lo = Xr.copy()
        hi = Xr.copy()
        small, large, anyk = self.kind == _SMALL, self.kind == _LARGE, self.kind == _ANY
        lo[small | anyk] = 0
        hi[small] = np.minimum(k - 1, self.Srow)[small]
        lo[large] = k
        hi[large | anyk] = self.Srow[large | anyk]
        self.lo, self.hi = lo, hi
        self.up = np.zeros((R, C))
        self.dn = np.zeros((R, C))
        self.up[:, :Creal] = hi - Xr
        self.dn[:, :Creal] = Xr - lo
        if Creal < C:
            self.up[:, Creal:] = _BIG
            self.dn[:, Creal:] = self.X[:, Creal:]
        kh = self.kind_if_hidden
        plo = np.where(kh == _LARGE, k, 0)
        phi = np.where(kh == _SMALL, np.minimum(k - 1, self.Srow), self.Srow)
        shown = (self.kind == _SHOWN) & (kh != _SHOWN)
        self.pot_up = np.zeros((R, C))
        self.pot_dn = np.zeros((R, C))
        self.pot_up[:, :Creal] = np.where(shown, phi - Xr, 0)
        self.pot_dn[:, :Creal] = np.where(shown, Xr - plo, 0)
        widen = (self.kind != _ANY) & ~self.na
        self.any_up = np.zeros((R, C))
        self.any_dn = np.zeros((R, C))
        self.any_up[:, :Creal] = np.where(widen, self.Srow - Xr, 0)
        self.any_dn[:, :Creal] = np.where(widen, Xr, 0)

    def _activate(self, todo: np.ndarray) -> None:
        """This round works on the stations that still have work: their rows, in order."""
        busy = np.zeros(self.G, dtype=bool)
        busy[self.gid[todo.any(axis=1)]] = True
        self.act = np.nonzero(busy[self.gid])[0]
        self.gid_act = self.gid[self.act]
        self.pos = np.full(self.R, -1)
        self.pos[self.act] = np.arange(len(self.act))  # row → position among the active rows
        self.first_act = np.searchsorted(self.gid_act, np.arange(self.G))  # a station's first active position

    def _gsum(self, m: np.ndarray) -> np.ndarray:
        """Sum per station of a value given for every active row."""
        return np.bincount(self.gid_act, weights=m, minlength=self.G)

    # -- one bundle, many partner villages (vectorised)

    def _check(self, bundle, direction: int, rows: np.ndarray, need: np.ndarray):
        """Can the cell move `need` with this bundle: its row's other cells (row_cap) and the
        same cells of other villages of the station, each taking part of it (partners)?"""
        row_cap = np.full(len(rows), _BIG)
        for col, sign in bundle[1:]:
            cap = self.up if sign * direction > 0 else self.dn
            row_cap = np.minimum(row_cap, cap[rows, col])
        act = self.act
        m = None
        for col, sign in bundle:
            cap = (self.dn if sign * direction > 0 else self.up)[act, col]
            m = cap if m is None else np.minimum(m, cap)
        partners = self._gsum(m)[self.gid[rows]] - m[self.pos[rows]]
        return (row_cap >= need) & (partners >= need - 1e-9), row_cap, partners

    def _options(self, rows, col: int, up: bool, threshold):
        """For cells that cannot move enough: can one more hide (`*`) or widening (`…`) make
        them move at least one, and at what cost (their value; `…` costs far more)."""
        if col >= self.Creal:  # a slack column is never published: nothing to hide
            cap = (self.up if up else self.dn)[rows, col]
            capable = cap >= threshold
            return capable, np.zeros_like(capable), np.zeros(len(capable)), np.zeros(len(capable), dtype=int)
        cap = (self.up if up else self.dn)[rows, col]
        pot = (self.pot_up if up else self.pot_dn)[rows, col]
        wide = (self.any_up if up else self.any_dn)[rows, col]
        capable = cap >= threshold
        hide = ~capable & (pot >= 1)
        widen = ~capable & ~hide & (wide >= 1)
        value = self.X[rows, col]
        cost = np.where(hide, value, np.where(widen, value + _WIDEN_COST, 0))
        kind = np.where(hide, self.kind_if_hidden[rows, col], np.where(widen, _ANY, 0))
        return capable, hide | widen, cost, kind

    def _partner_candidates(self, bundle, direction: int, rows: np.ndarray):
        """Among `rows` (whole stations, in order): per station, the cheapest village that one
        more change would make a partner — (best, second best) rows by station, the cost by
        row, and per bundle cell which rows to change and to what kind."""
        ok_all = np.ones(len(rows), dtype=bool)
        anyfix = np.zeros(len(rows), dtype=bool)
        cost = np.zeros(len(rows))
        fixes = []
        for col, sign in bundle:
            capable, fixable, c, kind = self._options(rows, col, sign * direction < 0, 1)
            ok_all &= capable | fixable
            anyfix |= fixable
            cost += np.where(fixable, c, 0)
            fixes.append((col, fixable, kind))
        cost = np.where(ok_all & anyfix, cost, np.inf)
        gid = self.gid[rows]
        order = np.lexsort((cost, gid))
        first = np.minimum(np.searchsorted(gid, np.arange(self.G)), len(rows) - 1)
        best = order[first]  # positions in `rows`, by station
        second = np.where(self.nvill >= 2, order[np.minimum(first + 1, len(rows) - 1)], best)
        return best, second, cost, fixes

    def _row_candidates(self, bundle, direction: int, rows: np.ndarray, need: np.ndarray):
        ok_all = np.ones(len(rows), dtype=bool)
        anyfix = np.zeros(len(rows), dtype=bool)
        cost = np.zeros(len(rows))
        fixes = []
        for col, sign in bundle[1:]:
            capable, fixable, c, kind = self._options(rows, col, sign * direction > 0, need)
            ok_all &= capable | fixable
            anyfix |= fixable
            cost += np.where(fixable, c, 0)
            fixes.append((col, fixable, kind))
        return np.where(ok_all & anyfix, cost, np.inf), fixes

    # -- a few cells: exact unit steps (augmenting paths), then mixed bundles

    def _local(self, g: int):
        s, e = int(self.gstart[g]), int(self.gend[g])
        X = self.X[s:e].tolist()
        lo = (self.X[s:e] - self.dn[s:e]).tolist()
        hi = (self.X[s:e] + self.up[s:e]).tolist()
        return s, e, X, lo, hi

    def _networks(self, a: int) -> list[int]:
        """The rules whose flow network carries column a (a part: its rule; the total: all)."""
        comp = self.comp
        if comp.free or not comp.supported:
            return []
        if a == comp.total:
            return list(range(len(comp.groups)))
        return [j for j, (_, parts, _) in enumerate(comp.groups) if a in parts]

    def _mixed(self, a: int, bundles, direction: int, rows: np.ndarray, need: np.ndarray, row_caps: list[np.ndarray]) -> np.ndarray:
        """Partner villages, each with its own bundle: every partner takes the bundle it can
        carry most with (among those whose row side can move at least one), and a bundle
        carries min(its row capacity, what its partners carry). Only bundles with pairwise
        different row cells are mixed (the buddy rules, and the first with the total), so
        no row cell is counted twice, nor any partner's cell."""
        chosen, seen = [], set()
        for b, bundle in enumerate(bundles):
            cells = {col for col, _ in bundle[1:]}
            if not cells & seen:
                chosen.append(b)
                seen |= cells
        if len(chosen) < 2:
            return np.zeros(len(rows), dtype=bool)
        g = self.gid[rows]
        size = self.nvill[g]
        owner = np.repeat(np.arange(len(rows)), size)
        offset = np.arange(len(owner)) - np.repeat(np.cumsum(size) - size, size)
        partner = self.gstart[g][owner] + offset
        carry = np.zeros((len(chosen), len(owner)))
        for n, b in enumerate(chosen):
            m = None
            for col, sign in bundles[b]:
                cap = (self.dn if sign * direction > 0 else self.up)[partner, col]
                m = cap if m is None else np.minimum(m, cap)
            usable = (row_caps[b] >= 1)[owner] & (partner != rows[owner])
            carry[n] = np.where(usable, np.minimum(m, need[owner]), 0)
        pick = carry.argmax(axis=0)
        total = np.zeros(len(rows))
        for n, b in enumerate(chosen):
            mine = np.bincount(owner, weights=np.where(pick == n, carry[n], 0), minlength=len(rows))
            total += np.minimum(mine, row_caps[b])
        return total >= need - 1e-9

    def _whole_row(self, a: int, rows: np.ndarray, need: np.ndarray) -> np.ndarray:
        """Down to 0 by moving the village's whole row (every cell of the component) to one
        other village of the station: each rule holds in both rows (rules are linear and
        homogeneous), every column sum stays. The row's non-zero cells must be allowed to
        reach 0, the partner's cells to take them."""
        reach = need >= self.X[rows, a] - 1e-9  # the target is 0
        cols = np.arange(self.Creal)
        x = self.X[rows][:, cols]
        movable = ((x == 0) | (self.dn[rows][:, cols] >= x)).all(axis=1) & reach
        g = self.gid[rows]
        size = self.nvill[g]
        owner = np.repeat(np.arange(len(rows)), size)
        offset = np.arange(len(owner)) - np.repeat(np.cumsum(size) - size, size)
        partner = self.gstart[g][owner] + offset
        fits = (self.up[partner][:, cols] >= x[owner]).all(axis=1) & (partner != rows[owner])
        return movable & (np.bincount(owner, weights=fits, minlength=len(rows)) > 0)

    def _hope(self, a: int, direction: int, rows: np.ndarray, need: np.ndarray) -> np.ndarray:
        """Necessary for any move of `need` (so the exact search is not run in vain): the
        cell's row can balance it within one of its rules, through cells whose own columns
        can be balanced by other villages; and the other villages of the station can give
        (take) it in this column and balance that in their own rows."""
        comp = self.comp
        T = comp.total
        row_ok = np.zeros(len(rows), dtype=bool)
        partners_ok = np.zeros(len(rows), dtype=bool)
        first = self.up if direction > 0 else self.dn  # the cell's own row moves this way
        second = self.dn if direction > 0 else self.up  # the partners' cells of its column the other
        g = self.gid[rows]

        def balanced(row_cap: np.ndarray, col: int, other: np.ndarray) -> np.ndarray:
            # What the row can move through `col`, limited by what the column's other villages can take.
            column = self._gsum(other[self.act, col])[g] - other[rows, col]
            return np.minimum(row_cap, column)

        for j in self._networks(a):
            _, parts, slack = comp.groups[j]
            others = [sl for m, (_, _, sl) in enumerate(comp.groups) if m != j]
            movable = all(sl is not None for sl in others)
            cols = list(parts) + ([slack] if slack is not None else [])
            if a == T:
                if not movable:
                    continue
                mine = sum(balanced(first[rows, c], c, second) for c in cols)  # T up: parts up
                flex = second[:, cols].sum(axis=1)  # a partner's T down: its parts down
            else:
                rest = [c for c in cols if c != a]
                t_first = first[:, T] if movable else np.zeros(self.R)
                t_second = second[:, T] if movable else np.zeros(self.R)
                if movable:
                    for sl in others:  # a total going down takes the other rules' slacks with it
                        if direction < 0:
                            t_first = np.minimum(t_first, self.dn[:, sl])
                        else:
                            t_second = np.minimum(t_second, self.dn[:, sl])
                mine = sum(balanced(second[rows, c], c, first) for c in rest) if rest else np.zeros(len(rows))
                if movable:
                    mine = mine + balanced(t_first[rows], T, second)
                flex = (first[:, rest].sum(axis=1) if rest else 0) + t_second
            give = np.minimum(second[:, a], flex)
            row_ok |= mine >= need
            partners_ok |= self._gsum(give[self.act])[g] - give[rows] >= need
        return row_ok & partners_ok

    def _plans(self, a: int, thorough: bool = False) -> list[tuple[list[int], tuple[int, ...] | None]]:
        """For each rule network that carries column a: its part columns (and slack), and what
        a total's cell carries with it in the other rules (None: the total cannot move). A
        cycle uses two edges at the total node (one up, one down), so the carried cells move
        +1 in one village and −1 in another: their columns stay balanced. The quick search
        carries the other at_most rules' slacks; the thorough one also tries their parts."""
        key = (a, thorough)
        if key not in self._plan_cache:
            comp = self.comp
            plans = []
            for j in self._networks(a):
                _, parts, slack = comp.groups[j]
                cols = list(parts) + ([slack] if slack is not None else [])
                options = []
                for m, (_, other_parts, other_slack) in enumerate(comp.groups):
                    if m == j:
                        continue
                    options.append(([other_slack] if other_slack is not None else []) + (list(other_parts) if thorough else []))
                combos = list(itertools.product(*options))
                if not combos:  # some other rule offers nothing to carry: the total stays
                    if a == comp.total:
                        continue
                    plans.append((cols, None))
                for combo in combos:
                    plans.append((cols, tuple(combo)))
            self._plan_cache[key] = plans
        return self._plan_cache[key]

    def _augment(self, row: int, a: int, direction: int, need: int, thorough: bool = False) -> bool:
        """Move the cell by `need` in unit steps, each an augmenting cycle in one rule's flow
        network of its station: total node → village rows (the total's cells) → part nodes
        (the parts' cells; an at_most rule's slack too). Flow is conserved at every node, so
        every station total and every row's rule still holds; residual capacities keep every
        cell inside its marker's domain. A total's cell carries one cell of each other rule
        with it (see _plans). For a component with one rule this is Ford–Fulkerson on the exact
        LP of the station (a network matrix: LP = IP), so it finds a move whenever one exists."""
        plans = self._plans(a, thorough)
        if not plans:
            return False
        T = self.comp.total
        g = int(self.gid[row])
        s, e = int(self.gstart[g]), int(self.gend[g])
        up = self.up[s:e].tolist()  # capacities left, updated as steps move cells
        dn = self.dn[s:e].tolist()
        n = e - s
        v = row - s
        rng = range(n)
        moves: list[tuple[int, int, int]] = []
        for _ in range(int(need)):
            done = False
            for cols, carried in plans:
                ncols = len(cols)
                movable_total = carried is not None
                others = carried or ()

                def t_up(w: int, others=others) -> bool:
                    return up[w][T] >= 1 and all(up[w][b] >= 1 for b in others)

                def t_dn(w: int, others=others) -> bool:
                    return dn[w][T] >= 1 and all(dn[w][b] >= 1 for b in others)

                # Nodes: 0 the total, 1..n the rows, n+1.. the part columns. The cell's own
                # edge is the one the cycle closes through: it is left out of the search.
                if a == T:
                    if not movable_total or not (t_up(v) if direction > 0 else t_dn(v)):
                        continue
                    start, goal = (1 + v, 0) if direction > 0 else (0, 1 + v)
                    skip_row, skip_col = v, -1  # the edge total → row v
                else:
                    ca = cols.index(a)
                    if not ((up[v][a] >= 1) if direction > 0 else (dn[v][a] >= 1)):
                        continue
                    start, goal = (1 + n + ca, 1 + v) if direction > 0 else (1 + v, 1 + n + ca)
                    skip_row, skip_col = v, ca
                parent = {start: (start, 0)}
                queue = [start]
                found = False
                for node in queue:
                    steps: list[tuple[int, int]]
                    if node == 0:
                        steps = [(1 + w, 1) for w in rng if movable_total and not (w == skip_row and skip_col < 0) and t_up(w)]
                    elif node <= n:
                        w = node - 1
                        uw = up[w]
                        steps = [(1 + n + c, 1) for c in range(ncols) if uw[cols[c]] >= 1 and not (w == skip_row and c == skip_col)]
                        if movable_total and not (w == skip_row and skip_col < 0) and t_dn(w):
                            steps.append((0, -1))
                    else:
                        c = node - 1 - n
                        col = cols[c]
                        steps = [(1 + w, -1) for w in rng if dn[w][col] >= 1 and not (w == skip_row and c == skip_col)]
                    for nxt, sign in steps:
                        if nxt not in parent:
                            parent[nxt] = (node, sign)
                            if nxt == goal:
                                found = True
                                break
                            queue.append(nxt)
                    if found:
                        break
                if not found:
                    continue
                changes: list[tuple[int, int, int]] = []
                node = goal
                while node != start:
                    prev, sign = parent[node]
                    if prev == 0 or node == 0:  # a total's edge, with the cells it carries
                        w = (node if node else prev) - 1
                        changes += [(w, T, sign)] + [(w, b, sign) for b in others]
                    else:
                        w, c = (prev - 1, node - 1 - n) if prev <= n else (node - 1, prev - 1 - n)
                        changes.append((w, cols[c], sign))
                    node = prev
                if a == T:
                    changes += [(v, T, direction)] + [(v, b, direction) for b in others]
                else:
                    changes.append((v, a, direction))
                for w, col, sign in changes:
                    up[w][col] -= sign
                    dn[w][col] += sign
                moves += changes
                done = True
                break
            if not done:
                return False
        self.last_witness = (s, moves)  # the station's changes that realise the move: (row, column, ±1)
        return True

    def witness(self) -> tuple[int, np.ndarray]:
        """The last successful search as a table of the station's cells (for tests)."""
        s, moves = self.last_witness
        g = int(self.gid[s])
        X = self.X[s : int(self.gend[g])].copy()
        for w, col, sign in moves:
            X[w, col] += sign
        return s, X

    def _greedy(self, row: int, a: int, direction: int, need: int) -> bool:
        """Unit steps of the bundles (two villages each), mixing bundles and partners."""
        g = int(self.gid[row])
        s, e, X, lo, hi = self._local(g)
        v = row - s
        bundles = self.comp.bundles.get(a, [])
        for _ in range(int(need)):
            moved = False
            for bundle in bundles:
                if not all(lo[v][col] <= X[v][col] + sign * direction <= hi[v][col] for col, sign in bundle):
                    continue
                for w in range(e - s):
                    if w != v and all(lo[w][col] <= X[w][col] - sign * direction <= hi[w][col] for col, sign in bundle):
                        for col, sign in bundle:
                            X[v][col] += sign * direction
                            X[w][col] -= sign * direction
                        moved = True
                        break
                if moved:
                    break
            if not moved:
                return False
        return True

    # -- the loop

    def solve(self) -> None:
        comp = self.comp
        for _ in range(100000):
            todo = self.primary & ~(self.ok_up & self.ok_dn) & ~self.uncertified
            if not todo.any():
                return
            self._activate(todo)
            hides: dict[int, dict[tuple[int, int], int]] = {}  # station → (row, column) → new kind
            widen: dict[int, tuple[float, list[tuple[int, int, int]]]] = {}  # station → cheapest `…` change
            stuck: set[int] = set()  # stations where nothing can help any more
            for a in np.unique(np.nonzero(todo)[1]):
                a = int(a)
                bundles = comp.bundles.get(a, [])
                for direction, need_all, ok_all in ((1, self.need_up, self.ok_up), (-1, self.need_dn, self.ok_dn)):
                    rows = np.nonzero(todo[:, a] & ~ok_all[:, a])[0]
                    if not len(rows):
                        continue
                    need = need_all[rows, a]
                    passed = np.zeros(len(rows), dtype=bool)
                    row_hope = np.zeros(len(rows), dtype=bool)
                    checks = []
                    for bundle in bundles:
                        ok, row_cap, partners = self._check(bundle, direction, rows, need)
                        passed |= ok
                        row_hope |= row_cap >= 1
                        checks.append((row_cap, partners))
                    rest = np.nonzero(~passed)[0]
                    if len(rest) and len(bundles) > 1:
                        passed[rest] = self._mixed(a, bundles, direction, rows[rest], need[rest], [c[0][rest] for c in checks])
                    rest = np.nonzero(~passed)[0]
                    if len(rest) and direction < 0 and not comp.free and comp.supported:
                        passed[rest] = self._whole_row(a, rows[rest], need[rest])
                    hope = self._hope(a, direction, rows, need) if not comp.free else np.zeros(len(rows), dtype=bool)
                    for n in np.nonzero(~passed & hope)[0]:
                        r, nd = int(rows[n]), int(need[n])
                        # Two villages of a station with the same row (values and markers) fare
                        # alike (swap them): one search serves both, until the station changes.
                        g0 = int(self.gid[r])
                        key = (g0, int(self.version[g0]), a, direction, nd, self.X[r].tobytes(), self.kind[r].tobytes())
                        if key not in self.tried:
                            self.tried[key] = self._augment(r, a, direction, nd) or (
                                len(comp.groups) > 1 and a == comp.total and self._greedy(r, a, direction, nd)
                            )
                        passed[n] = self.tried[key]
                    ok_all[rows[passed], a] = True
                    failing = np.nonzero(~passed)[0]
                    if not len(failing):
                        continue
                    frows, fneed = rows[failing], need[failing]
                    g = self.gid[frows]
                    # The stations of the failing cells, whole and in order.
                    busy = np.zeros(self.G, dtype=bool)
                    busy[g] = True
                    around = np.nonzero(busy[self.gid])[0]
                    at = np.searchsorted(around, frows)  # each failing row's position in `around`
                    costs, options = [], []
                    for b, bundle in enumerate(bundles):
                        row_cap, partners = checks[b][0][failing], checks[b][1][failing]
                        # The row lacks capacity: change what limits it.
                        # What the bundle lacks, on either side, and the cheapest changes that
                        # give it: the cells that limit the row; one more partner village.
                        row_short = row_cap < fneed
                        rcost, rfix = self._row_candidates(bundle, direction, frows, fneed)
                        rcost = np.where(row_short, rcost, 0.0)
                        partner_short = partners < fneed
                        pbest, psecond, pcost, pfix = self._partner_candidates(bundle, direction, around)
                        partner = np.where(pbest[g] == at, psecond[g], pbest[g])
                        pc = np.where(partner_short, np.where(partner == at, np.inf, pcost[partner]), 0.0)
                        costs.append(rcost + pc)
                        options.append((row_short, rfix, partner_short, partner, pfix))
                    choice = np.argmin(np.stack(costs), axis=0) if costs else np.zeros(len(frows), dtype=int)
                    best_cost = np.stack(costs)[choice, np.arange(len(frows))] if costs else np.full(len(frows), np.inf)
                    best: list[list[tuple[int, int, int]]] = [[] for _ in frows]
                    for n in np.nonzero(np.isfinite(best_cost))[0]:
                        row_short, rfix, partner_short, partner, pfix = options[choice[n]]
                        if row_short[n]:
                            best[n] += [(int(frows[n]), col, int(kind[n])) for col, fixable, kind in rfix if fixable[n]]
                        if partner_short[n]:
                            p = int(partner[n])
                            best[n] += [(int(around[p]), col, int(kind[p])) for col, fixable, kind in pfix if fixable[p]]
                    for n, row in enumerate(frows):
                        if not np.isfinite(best_cost[n]) and len(comp.groups) > 1:
                            # Nothing left to hide for it: search harder before saying nothing.
                            r, nd = int(row), int(fneed[n])
                            if self._augment(r, a, direction, nd, thorough=True) or self._greedy(r, a, direction, nd):
                                ok_all[r, a] = True
                                continue
                        if np.isfinite(best_cost[n]):
                            station = int(self.gid[row])
                            if best_cost[n] < _WIDEN_COST:
                                hides.setdefault(station, {})
                                for r, c, kind in best[n]:
                                    hides[station][(r, c)] = max(hides[station].get((r, c), 0), kind)
                            elif best_cost[n] < widen.get(station, (np.inf, []))[0]:
                                widen[station] = (best_cost[n], best[n])
                        else:
                            stuck.add(int(self.gid[row]))
            # Hides (`*`) wherever they help; `…` only in stations no hide helps, one cell's
            # worth per round (the next round sees whether the others still need it).
            change: dict[tuple[int, int], int] = {}
            for station_hides in hides.values():
                change.update(station_hides)
            for station, (_, cells) in widen.items():
                if station not in hides:
                    for r, c, kind in cells:
                        change[(r, c)] = max(change.get((r, c), 0), kind)
            for (r, c), kind in change.items():
                self.kind[r, c] = kind
            touched = {int(self.gid[r]) for r, _ in change}
            for g in touched | stuck:
                self.version[g] += 1
            for g in stuck - touched:  # changes elsewhere in the station may still help it
                self._say_nothing(g, todo)
            self._bounds()
        raise RuntimeError("small-count protection did not settle")  # pragma: no cover

    def _say_nothing(self, g: int, todo: np.ndarray) -> None:
        """Nothing left to hide or widen helps: the station's whole component (a free
        indicator: its column) becomes `…`. It then says nothing beyond the station totals,
        and the theorem certifies it: any village row, scaled, can move to another village.
        (The theorem needs every cell present and every rule in force in the station's rows;
        where not, the searches go on with the wider domains, and a cell that still cannot be
        certified is reported in Protected.warnings.)"""
        s, e = int(self.gstart[g]), int(self.gend[g])
        cols = np.arange(self.Creal) if not self.comp.free else np.array([0])
        usable = ~self.na[s:e][:, cols]
        block = self.kind[s:e][:, cols]
        already = bool((block[usable] == _ANY).all())
        block[usable] = _ANY
        self.kind[s:e, cols] = block
        rows_ok = bool(self.applicable[s:e].all()) if self.applicable.size else True
        if usable.all() and rows_ok:
            self.ok_up[s:e, cols] = True
            self.ok_dn[s:e, cols] = True
        elif already:
            self.uncertified[s:e, cols] |= todo[s:e][:, cols]

    def markers(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions in the input frame of every hidden cell, and their kinds."""
        hidden = (self.kind != _SHOWN) & (self.src >= 0)
        return self.src[hidden], self.kind[hidden]


class _Cells:
    """The input frame as integer arrays: each cell's row key (year, station, village) and indicator."""

    def __init__(self, frame: pd.DataFrame, stations: Mapping[str, str]) -> None:
        village_codes, self.village_index = _factorize(frame["village_code"])
        self.villages = list(village_codes)
        station_names = [stations.get(v, "") for v in self.villages]
        station_codes, station_index = np.unique(np.array(station_names, dtype=object).astype(str), return_inverse=True)
        self.stations = list(station_codes)
        self.station_of_village = station_index
        years = frame["year"].to_numpy().astype(np.int64)
        self.year_min = int(years.min())
        self.nv, self.ns = len(self.villages), max(len(self.stations), 1)
        sid = self.station_of_village[self.village_index]
        self.row_key = ((years - self.year_min) * self.ns + sid) * self.nv + self.village_index
        indicator_codes, self.ind = _factorize(frame["indicator_code"])
        self.indicators = list(indicator_codes)
        self.value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
        if "qualifier" in frame.columns:
            self.qualifier = frame["qualifier"].astype(object).where(frame["qualifier"].notna(), EXACT).to_numpy(dtype=object)
        else:
            self.qualifier = np.full(len(frame), EXACT, dtype=object)

    def village_of_key(self, key: np.ndarray) -> np.ndarray:
        return key % self.nv

    def year_of_key(self, key: np.ndarray) -> np.ndarray:
        return key // (self.nv * self.ns) + self.year_min

    def group_of_key(self, key: np.ndarray) -> np.ndarray:
        return key // self.nv  # (year, station)


def _factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(series, sort=True)
    return np.asarray(uniques, dtype=object), codes


def suppress(
    values: pd.DataFrame,
    k: int,
    stations: Mapping[str, str],
    sensitive: Iterable[str],
    sum_rules: Iterable[tuple[str, Iterable[str]]] = (),
    *,
    at_most_rules: Iterable[tuple[str, Iterable[str]]] = (),
    rules: Iterable[Rule] = (),
) -> Protected:
    """Hide small sensitive village counts, and enough others that none can be narrowed.

    `values` is long: year, village_code, indicator_code, value, qualifier (more columns are
    kept), every village of the town, one topic (or several: rules decide what is tied);
    `stations` maps each village to its police station; rules as in the catalog. k ≤ 0: off.
    """
    out = values.copy()
    all_rules = rules_from(sum_rules, at_most_rules) + list(rules)
    protected = Protected(k, out, stations=dict(stations))
    if out.empty:
        return protected
    cells = _Cells(out, stations)
    numbers = np.nan_to_num(cells.value)
    sid = cells.station_of_village[cells.village_index]
    years = out["year"].to_numpy().astype(np.int64)
    totals = pd.Series(numbers).groupby([years, sid, cells.ind]).sum()
    protected.station_totals = {(int(y), cells.stations[s], cells.indicators[i]): float(t) for (y, s, i), t in totals.items()}
    if k <= 0:
        return protected
    sensitive = set(sensitive)
    positions: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    for comp in _components(cells.indicators, all_rules):
        if not sensitive & set(comp.codes):
            continue
        problem = _Problem(comp, cells, k, sensitive)
        if not problem.primary.any():
            continue
        problem.solve()
        for r, c in zip(*np.nonzero(problem.uncertified), strict=True):
            village = cells.villages[problem.row_village[r]]
            protected.warnings.append(f"{problem.row_year[r]} {village} {comp.codes[c]}: not certified")
        where, kind = problem.markers()
        positions.append(where)
        kinds.append(kind)
    if positions and sum(len(p) for p in positions):
        where = np.concatenate(positions)
        kind = np.concatenate(kinds)
        text = np.array([None, small_marker(k), HIDDEN_LARGE, HIDDEN_ANY], dtype=object)[kind]
        value = pd.array(pd.to_numeric(out["value"], errors="coerce"), dtype="Int64")
        value[where] = pd.NA
        out["value"] = value
        qualifier = out["qualifier"].to_numpy(dtype=object).copy() if "qualifier" in out.columns else np.full(len(out), EXACT, dtype=object)
        qualifier[where] = SUPPRESSED
        out["qualifier"] = qualifier
        display = out["display"].to_numpy(dtype=object).copy() if "display" in out.columns else np.full(len(out), None, dtype=object)
        display[where] = text
        out["display"] = display
        years_h = years[where]
        ind_h = cells.ind[where]
        vil_h = cells.village_index[where]
        for n in np.lexsort((ind_h, years_h)):
            key = (int(years_h[n]), cells.indicators[ind_h[n]])
            protected._hidden.setdefault(key, {})[cells.villages[vil_h[n]]] = text[n]
    return protected
