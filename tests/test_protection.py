"""Small-count protection (figures.protection), audited jointly as statistical offices audit
tables (τ-ARGUS, sdcTable): for every hidden cell, its smallest and largest possible value over
everything one page and its downloads publish together — shown village cells, the hidden
cells' markers, town and police-station totals, and the catalog's sum and ≤ rules in every
village row — by LP (tests/protection_audit.py). A hidden small count must keep every value
0 … min(k−1, S), S its station total (the module docstring says why that is the bar).

The audit passes on the demo warehouse and on many random tables, and it fails on the
previous design (tests/old_protection.py), which zeros shown and per-sum checks left open.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from figures import protection
from tests import old_protection
from tests import protection_audit as audit
from tests import protection_tables as bench

K = 3
DONGTIAN = "440204100205"  # 东田村 (data/villages.csv), 五里亭派出所
TOPICS = list(bench.TOPIC_CODES)
RANDOM_TABLES = int(os.environ.get("PROTECTION_RANDOM_TABLES", "36"))


def sensitive(topic: str) -> set[str]:
    return set(bench.sensitive(topic))


def topic_rules(topic: str) -> list[protection.Rule]:
    return bench.rules(topic)


@pytest.fixture(scope="module")
def demo(demo_db_master) -> pd.DataFrame:
    """The demo warehouse's village values of the sensitive topics, from the public views."""
    from tests.dashboard_support import sql

    rows = sql(
        demo_db_master,
        """
        select iv.year, iv.village_code, v.police_station, iv.indicator_code, iv.topic, iv.value, iv.qualifier
        from indicator_values iv join villages v using (village_code)
        where iv.village_code is not null and iv.topic in ('correction', 'mental_health', 'drugs')
        order by iv.topic, iv.year, iv.village_code, iv.indicator_code
        """,
    )
    return pd.DataFrame(rows, columns=["year", "village_code", "police_station", "indicator_code", "topic", "value", "qualifier"])


@pytest.fixture(scope="module")
def demo_stations(demo) -> dict[str, str]:
    return dict(zip(demo["village_code"], demo["police_station"], strict=True))


@pytest.fixture(scope="module")
def demo_protected(demo, demo_stations) -> dict[str, protection.Protected]:
    """The design on each demo topic, meeting mode (k = 3)."""
    return {
        topic: protection.suppress(demo[demo["topic"] == topic], K, demo_stations, sensitive(topic), rules=topic_rules(topic))
        for topic in TOPICS
    }


# ---------------------------------------------------------------- the previous design fails the audit


@pytest.fixture(scope="module")
def old_reports(demo, demo_stations) -> pd.DataFrame:
    """Today's design as figures/queries.protected_values calls it (sum rules only), audited
    with its own semantics: zeros are shown, so `<3` is 1–2 and `*` is 1…S (a `*` there may
    be a small count); every station total is known (the annual report publishes them)."""
    reports = []
    for topic in TOPICS:
        values = demo[demo["topic"] == topic]
        sums = [(r.total, r.parts) for r in topic_rules(topic) if r.check == "sum"]
        protected = old_protection.suppress(values, K, demo_stations, sensitive(topic), sums)
        pubs = audit.publications(values, protected.values, K, demo_stations, topic_rules(topic), semantics="old")
        report = audit.audit(pubs)
        report["topic"] = topic
        reports.append(report)
    return pd.concat(reports, ignore_index=True)


@pytest.mark.slow
def test_the_audit_pins_hundreds_of_cells_of_todays_design(old_reports):
    assert len(old_reports) == 685, "today's design hides 685 village cells of the demo data"
    pinned = int(old_reports["pinned"].sum())
    narrowed = int(old_reports["narrowed"].sum())
    primary = int(old_reports["primary"].sum())
    # The issue's own check found 363 pinned; this audit (every relation at once, ≤ rules
    # included) finds 387 of 685: a worked-out count for each of them.
    assert pinned == 387
    assert primary == 549
    assert narrowed == 543, "all but 6 hidden small counts keep fewer than min(k, 1 + S) values"
    assert (old_reports.loc[old_reports["pinned"], "min"] == old_reports.loc[old_reports["pinned"], "value"]).all()


@pytest.mark.slow
def test_the_two_examples_of_the_issue_are_pinned_today(old_reports):
    probation = old_reports[(old_reports["year"] == 2023) & (old_reports["indicator_code"] == "cc_probation")]
    assert len(probation) == 8 and probation["pinned"].all() and (probation["max"] == 1).all()
    medium = old_reports[
        (old_reports["year"] == 2023) & (old_reports["village_code"] == DONGTIAN) & (old_reports["indicator_code"] == "drug_risk_medium")
    ]
    assert len(medium) == 1 and bool(medium["pinned"].iloc[0]) and medium["max"].iloc[0] == 1


@pytest.mark.slow
def test_interval_propagation_finds_the_same_on_the_demo(demo, demo_stations):
    values = demo[demo["topic"] == "correction"]
    sums = [(r.total, r.parts) for r in topic_rules("correction")]
    protected = old_protection.suppress(values, K, demo_stations, sensitive("correction"), sums)
    pubs = audit.publications(values, protected.values, K, demo_stations, topic_rules("correction"), semantics="old")
    counts = audit.compare(pubs)
    assert counts["lp_narrowed"] == counts["propagation_narrowed"] > 100
    assert counts["propagation_interval_contains_lp"] == counts["hidden"]


# ---------------------------------------------------------------- this design passes it


@pytest.mark.parametrize("topic", TOPICS)
def test_every_year_of_the_demo_passes_the_lp_audit(demo, demo_stations, demo_protected, topic):
    values = demo[demo["topic"] == topic]
    protected = demo_protected[topic]
    assert protected.warnings == []
    report = audit.audit(audit.publications(values, protected.values, K, demo_stations, topic_rules(topic)))
    assert sorted(report["year"].unique()) == sorted(values["year"].unique()), "every year is audited"
    assert report["primary"].sum() > 100
    narrowed = report[report["narrowed"]]
    assert narrowed.empty, narrowed.head().to_string()
    # Every hidden small count keeps all of 0 … min(k − 1, S): the LP range covers it.
    primary = report[report["primary"] & (report["required"] >= 2)]
    assert (primary["min"] <= 1e-6).all()


@pytest.mark.slow
@pytest.mark.parametrize("topic", TOPICS)
def test_the_demo_passes_the_integer_audit_too(demo, demo_stations, demo_protected, topic):
    values = demo[demo["topic"] == topic]
    pubs = [
        p for p in audit.publications(values, demo_protected[topic].values, K, demo_stations, topic_rules(topic)) if p.year in (2019, 2023)
    ]
    report = audit.audit(pubs, "milp")
    assert not report["narrowed"].any()


def random_table(seed: int) -> tuple[str, pd.DataFrame, dict[str, str], int]:
    rng = np.random.default_rng(seed)
    topic = str(rng.choice(TOPICS))
    stations = int(rng.integers(1, 7))
    villages = int(rng.integers(3, 41))
    sizes = [int(n) for n in np.bincount(rng.integers(0, stations, villages), minlength=stations) if n > 0]
    scale = float(rng.choice([0.2, 0.5, 1.0, 2.0]))
    zeros = float(rng.choice([0.2, 0.5, 0.8]))
    frame, station_of = bench.make_table(topic, sizes, years=int(rng.integers(1, 3)), seed=seed, scale=scale, zeros=zeros)
    if rng.random() < 0.2:  # now and then a value that is not exact (约 / 余)
        pick = rng.choice(len(frame), size=max(1, len(frame) // 50), replace=False)
        frame.loc[pick, "qualifier"] = rng.choice(["approx", "at_least"], size=len(pick))
    k = int(rng.choice([2, 3, 3, 4, 5]))
    return topic, frame, station_of, k


# A few tables in the fast tier, the rest with the slow tests.
@pytest.mark.parametrize("seed", [pytest.param(s, marks=pytest.mark.slow) if s >= 4 else s for s in range(RANDOM_TABLES)])
def test_random_tables_pass_the_lp_audit(seed):
    topic, frame, station_of, k = random_table(seed)
    protected = protection.suppress(frame, k, station_of, sensitive(topic), rules=topic_rules(topic))
    assert protected.warnings == []
    report = audit.audit(audit.publications(frame, protected.values, k, station_of, topic_rules(topic)))
    narrowed = report[report["narrowed"]]
    assert narrowed.empty, narrowed.head().to_string()
    # Sanity: what is shown is true, and every sensitive count below k is hidden.
    merged = frame.join(protected.values[["value", "qualifier"]].add_suffix("_shown"))
    shown = merged["qualifier_shown"] != protection.SUPPRESSED
    assert (merged.loc[shown, "value"] == merged.loc[shown, "value_shown"]).all()
    assert not (shown & (merged["value"] < k)).any()


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 108))
def test_small_random_tables_pass_the_integer_audit(seed):
    topic, frame, station_of, k = random_table(seed)
    protected = protection.suppress(frame, k, station_of, sensitive(topic), rules=topic_rules(topic))
    report = audit.audit(audit.publications(frame, protected.values, k, station_of, topic_rules(topic)), "milp")
    assert not report["narrowed"].any()


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(200, 206))
def test_each_witness_the_search_finds_is_a_table_consistent_with_the_page(seed):
    """The exact search's moves, checked independently: station sums unchanged, every rule
    holds in every row, every cell within its marker's domain, the cell moved by `need`."""
    topic, frame, station_of, k = random_table(seed)
    cells = protection._Cells(frame, station_of)
    checked = 0
    for comp in protection._components(cells.indicators, topic_rules(topic)):
        if comp.free:
            continue
        problem = protection._Problem(comp, cells, k, sensitive(topic))
        problem.solve()
        problem._activate(problem.primary)
        rows, cols = np.nonzero(problem.primary)
        for r, a in list(zip(rows, cols, strict=True))[:60]:
            for direction, need in ((1, problem.need_up[r, a]), (-1, problem.need_dn[r, a])):
                if need <= 0 or not problem._augment(int(r), int(a), direction, int(need)):
                    continue
                s, X = problem.witness()
                e = s + len(X)
                before = problem.X[s:e]
                assert np.allclose(X.sum(axis=0)[: problem.Creal], before.sum(axis=0)[: problem.Creal])
                assert (X[:, : problem.Creal] >= problem.lo[s:e] - 1e-9).all() and (X[:, : problem.Creal] <= problem.hi[s:e] + 1e-9).all()
                assert X[r - s, a] == before[r - s, a] + direction * need
                T = comp.total
                for g, (check, parts, slack) in enumerate(comp.groups):
                    applies = problem.applicable[s:e, g]
                    diff = X[:, T] - X[:, parts].sum(axis=1)
                    if check == "sum":
                        assert np.allclose(diff[applies], 0)
                    else:
                        assert (diff[applies] >= -1e-9).all()
                        assert np.allclose(X[applies, slack], diff[applies])
                checked += 1
    assert checked > 0


# ---------------------------------------------------------------- the rule in detail


STATIONS = {"a1": "A", "a2": "A", "a3": "A", "a4": "A", "b1": "B", "b2": "B", "b3": "B"}


def long_frame(columns: dict[str, dict[str, int]], year: int = 2024) -> pd.DataFrame:
    rows = [(year, village, indicator, value, "exact") for indicator, values in columns.items() for village, value in values.items()]
    return pd.DataFrame(rows, columns=["year", "village_code", "indicator_code", "value", "qualifier"])


def shown(protected: protection.Protected, indicator: str = "x") -> dict[str, str]:
    frame = protected.values[protected.values["indicator_code"] == indicator]
    return {
        v: (d if q == protection.SUPPRESSED else str(int(x)))
        for v, x, q, d in zip(frame["village_code"], frame["value"], frame["qualifier"], frame["display"], strict=True)
    }


def lp(frame: pd.DataFrame, protected: protection.Protected, rules=(), k: int = K) -> pd.DataFrame:
    return audit.audit(audit.publications(frame, protected.values, k, STATIONS, list(rules)))


# ---------------------------------------------------------------- zeros, totals, a zero station


def test_zeros_below_k_are_hidden_exactly_like_ones_and_twos():
    frame = long_frame({"x": {"a1": 0, "a2": 1, "a3": 2, "a4": 9, "b1": 12, "b2": 0, "b3": 15}})
    protected = protection.suppress(frame, K, STATIONS, {"x"})
    cells = shown(protected)
    assert cells["a1"] == cells["a2"] == cells["a3"] == cells["b2"] == "<3"
    hidden = protected.values[protected.values["display"] == "<3"]
    assert hidden["value"].isna().all() and (hidden["qualifier"] == protection.SUPPRESSED).all()
    assert not lp(frame, protected)["narrowed"].any()


def test_station_and_town_totals_are_never_hidden(demo, demo_protected):
    for topic, protected in demo_protected.items():
        values = demo[demo["topic"] == topic]
        for (year, station, indicator), total in values.groupby(["year", "police_station", "indicator_code"])["value"].sum().items():
            members = list(values.loc[values["police_station"] == station, "village_code"].unique())
            assert protected.total_marker(year, indicator, members) is None
            assert protected.station_totals[(year, station, indicator)] == total
        for year, indicator in values[["year", "indicator_code"]].drop_duplicates().itertuples(index=False):
            assert protected.total_marker(year, indicator, None) is None
            assert protected.total_marker(year, indicator, list(values["village_code"].unique())) is None


def test_a_station_whose_total_is_zero_still_shows_below_k_and_needs_nothing():
    """Decision: its villages show `<k` like every other count below k (a `<k` must never
    look different from a 0), although the station total 0 tells everyone they are 0. The
    requirement asks min(k, 1 + 0) = 1 value of them: nothing to protect."""
    frame = long_frame({"x": {"a1": 0, "a2": 0, "a3": 0, "a4": 0, "b1": 1, "b2": 4, "b3": 7}})
    protected = protection.suppress(frame, K, STATIONS, {"x"})
    cells = shown(protected)
    assert [cells[v] for v in ("a1", "a2", "a3", "a4")] == ["<3"] * 4
    report = lp(frame, protected)
    a = report[report["station"] == "A"]
    assert (a["required"] == 1).all() and a["pinned"].all() and not a["narrowed"].any()
    assert protection.required_values(K, 0, 4) == 1
    grouped = protected.grouped(2024, "x", ["a1", "a2", "a3", "a4"])
    assert grouped["kind"].tolist() == ["small", "hidden_total"] and grouped["value"].iloc[-1] == 0


def test_a_village_alone_in_its_station_needs_nothing_more_than_the_annual_report_says():
    stations = {"a1": "A", "a2": "A", "a3": "A", "c1": "C"}
    frame = long_frame({"x": {"a1": 1, "a2": 6, "a3": 0, "c1": 2}})
    protected = protection.suppress(frame, K, stations, {"x"})
    assert shown(protected)["c1"] == "<3"  # hidden like every small count, though C's total says it
    report = audit.audit(audit.publications(frame, protected.values, K, stations, []))
    c1 = report[report["village_code"] == "c1"].iloc[0]
    assert c1["required"] == 1 and c1["n"] == 1


# ---------------------------------------------------------------- the issue's two examples


def test_the_issue_examples_are_no_longer_narrowed(demo, demo_stations, demo_protected):
    correction = demo[(demo["topic"] == "correction") & (demo["year"] == 2023)]
    report = audit.audit(audit.publications(correction, demo_protected["correction"].values, K, demo_stations, topic_rules("correction")))
    probation = report[report["indicator_code"] == "cc_probation"]
    assert correction.loc[correction["indicator_code"] == "cc_probation", "value"].sum() == 8
    assert len(probation) == 16, "all 16 villages' 缓刑 are hidden alike, the 8 zeros too"
    assert (probation["min"] <= 1e-9).all() and (probation["max"] >= 2 - 1e-9).all() and (probation["n"] >= 3).all()
    drugs = demo[(demo["topic"] == "drugs") & (demo["year"] == 2023)]
    report = audit.audit(audit.publications(drugs, demo_protected["drugs"].values, K, demo_stations, topic_rules("drugs")))
    medium = report[(report["village_code"] == DONGTIAN) & (report["indicator_code"] == "drug_risk_medium")].iloc[0]
    assert medium["display"] == "<3" and medium["min"] <= 1e-9 and medium["max"] >= 2 - 1e-9 and not medium["narrowed"]


# ---------------------------------------------------------------- covering cells


def test_one_small_count_among_large_ones_takes_cover_and_keeps_all_its_values():
    frame = long_frame({"x": {"a1": 1, "a2": 9, "a3": 12, "a4": 15, "b1": 4, "b2": 5, "b3": 6}})
    protected = protection.suppress(frame, K, STATIONS, {"x"})
    cells = shown(protected)
    assert cells["a1"] == "<3"
    assert sum(cells[v] in ("*", "…") for v in ("a2", "a3", "a4")) >= 1, cells
    report = lp(frame, protected)
    a1 = report[report["village_code"] == "a1"].iloc[0]
    assert a1["min"] <= 1e-9 and a1["max"] >= 2 - 1e-9


def test_a_village_row_rule_cannot_give_a_hidden_part_back():
    # 在册 6 = 缓刑 5 + 假释 1 in a1: with 在册 and 缓刑 shown, 假释 would be 6 − 5.
    frame = long_frame(
        {
            "cc_registered": {"a1": 6, "a2": 7, "a3": 9, "a4": 8, "b1": 3, "b2": 4, "b3": 5},
            "cc_probation": {"a1": 5, "a2": 7, "a3": 9, "a4": 8, "b1": 3, "b2": 4, "b3": 5},
            "cc_parole": {"a1": 1, "a2": 0, "a3": 0, "a4": 0, "b1": 0, "b2": 0, "b3": 0},
        }
    )
    rules = [protection.Rule("sum", "cc_registered", ("cc_probation", "cc_parole"))]
    protected = protection.suppress(frame, K, STATIONS, {"cc_registered", "cc_probation", "cc_parole"}, rules=rules)
    row = protected.values[protected.values["village_code"] == "a1"].set_index("indicator_code")
    assert row.loc["cc_parole", "display"] == "<3"
    assert (row.loc[["cc_registered", "cc_probation"], "qualifier"] == protection.SUPPRESSED).any()
    assert not lp(frame, protected, rules)["narrowed"].any()


def test_an_at_most_rule_is_respected():
    # 东田村-like: 在册 10, 高 0, 低 9 shown and 高+中+低 ≤ 在册 would pin 中 = 1.
    frame = long_frame(
        {
            "drug_registered": {"a1": 10, "a2": 10, "a3": 15, "a4": 23},
            "drug_risk_high": {"a1": 0, "a2": 0, "a3": 0, "a4": 1},
            "drug_risk_medium": {"a1": 1, "a2": 1, "a3": 1, "a4": 2},
            "drug_risk_low": {"a1": 9, "a2": 9, "a3": 13, "a4": 19},
        }
    )
    rules = [protection.Rule("at_most", "drug_registered", ("drug_risk_high", "drug_risk_medium", "drug_risk_low"))]
    stations = {v: "A" for v in ("a1", "a2", "a3", "a4")}
    protected = protection.suppress(frame, K, stations, set(frame["indicator_code"]), rules=rules)
    report = audit.audit(audit.publications(frame, protected.values, K, stations, rules))
    assert not report["narrowed"].any()
    medium = report[(report["village_code"] == "a1") & (report["indicator_code"] == "drug_risk_medium")].iloc[0]
    assert medium["min"] <= 1e-9 and medium["max"] >= 2 - 1e-9


# ---------------------------------------------------------------- totals over picks of villages


def test_a_pick_total_is_shown_only_when_it_can_be_worked_out_anyway(demo, demo_protected):
    protected = demo_protected["mental_health"]
    values = demo[(demo["topic"] == "mental_health") & (demo["year"] == 2023)]
    everyone = sorted(values["village_code"].unique())
    stations = protected.stations
    for indicator in values["indicator_code"].unique():
        hidden = {v for v in everyone if protected.marker_of(2023, indicator, v)}
        for village in everyone:
            pick = [v for v in everyone if v != village]
            marker = protected.total_marker(2023, indicator, pick)
            # Two picks differing by one village: both totals shown only if that village is shown.
            assert (marker is None) == (village not in hidden), (indicator, village)
            if marker is not None:
                assert marker == protection.HIDDEN_ANY, "a pick's total may be below k: no `*`"
        if hidden:
            station = stations[next(iter(hidden))]
            whole = [v for v in everyone if stations[v] == station]
            some = [v for v in whole if v in hidden][:1] + [v for v in whole if v not in hidden]
            assert protected.total_marker(2023, indicator, whole) is None
            in_station = [v for v in whole if v in hidden]
            if len(in_station) > 1:
                assert protected.total_marker(2023, indicator, some) == protection.HIDDEN_ANY


# ---------------------------------------------------------------- the grouped meeting form


def test_the_grouped_form_lists_every_village_once_and_totals_only_what_is_derivable(demo, demo_protected):
    protected = demo_protected["mental_health"]
    values = demo[(demo["topic"] == "mental_health") & (demo["year"] == 2023)]
    everyone = set(values["village_code"])
    for indicator in values["indicator_code"].unique():
        grouped = protected.grouped(2023, indicator)
        listed = [v for kind, vs in zip(grouped["kind"], grouped["villages"], strict=True) if kind != "hidden_total" for v in vs]
        assert sorted(listed) == sorted(everyone), "no village dropped, none twice"
        villages = grouped[grouped["kind"] == "village"]
        assert villages["value"].is_monotonic_decreasing, "shown villages are ranked"
        groups = grouped[grouped["kind"].isin(["small", "large", "any"])]
        assert groups["value"].isna().all(), "no hidden group has a total of its own"
        mine = values[values["indicator_code"] == indicator]
        true = dict(zip(mine["village_code"], mine["value"], strict=True))
        total = grouped[grouped["kind"] == "hidden_total"]
        hidden = [v for vs in groups["villages"] for v in vs]
        if hidden:
            assert len(total) == 1 and total["value"].iloc[0] == sum(true[v] for v in hidden)
        small = grouped[grouped["kind"] == "small"]
        if len(small):
            assert small["label"].iloc[0] == f"其余 {small['n'].iloc[0]} 个村（社区），每村少于 3 人"
        large = grouped[grouped["kind"] == "large"]
        if len(large):
            assert large["label"].iloc[0].startswith(f"另有 {large['n'].iloc[0]} 个村（社区）已隐去")
    assert any((protected.grouped(2023, i)["kind"] == "large").any() for i in values["indicator_code"].unique())


def test_a_grouped_pick_that_splits_a_station_shows_no_hidden_total(demo, demo_protected):
    protected = demo_protected["drugs"]
    values = demo[(demo["topic"] == "drugs") & (demo["year"] == 2023)]
    hidden = [v for v in sorted(values["village_code"].unique()) if protected.marker_of(2023, "drug_risk_medium", v)]
    grouped = protected.grouped(2023, "drug_risk_medium", hidden[:2])
    assert "hidden_total" not in set(grouped["kind"])


# ---------------------------------------------------------------- qualifiers, missing cells, k = 0


def test_non_exact_sensitive_values_are_hidden_without_a_size_claim():
    frame = long_frame({"x": {"a1": 2, "a2": 30, "a3": 9, "a4": 0, "b1": 1, "b2": 6, "b3": 8}})
    frame.loc[frame["village_code"] == "a1", "qualifier"] = "approx"  # 约2: may be 3
    frame.loc[frame["village_code"] == "a2", "qualifier"] = "at_least"  # 30余
    protected = protection.suppress(frame, K, STATIONS, {"x"})
    cells = shown(protected)
    assert cells["a1"] == protection.HIDDEN_ANY and cells["a2"] == protection.HIDDEN_ANY
    assert not lp(frame, protected)["narrowed"].any()


def test_a_missing_cell_stays_missing():
    frame = long_frame({"x": {"a1": 1, "a2": 5, "a3": 7, "a4": 0, "b1": 1, "b2": 6, "b3": 8}})
    frame["value"] = frame["value"].astype("Float64")
    frame.loc[frame["village_code"] == "a4", "value"] = pd.NA
    protected = protection.suppress(frame, K, STATIONS, {"x"})
    a4 = protected.values[protected.values["village_code"] == "a4"].iloc[0]
    assert pd.isna(a4["value"]) and a4["qualifier"] != protection.SUPPRESSED
    assert not lp(frame, protected)["narrowed"].any()


def test_k_zero_is_the_desk_view_nothing_hidden(demo, demo_stations):
    values = demo[demo["topic"] == "drugs"]
    protected = protection.suppress(values, 0, demo_stations, sensitive("drugs"), rules=topic_rules("drugs"))
    assert (protected.values["qualifier"] != protection.SUPPRESSED).all()
    assert protected.total_marker(2023, "drug_risk_medium", [DONGTIAN]) is None


def test_settings_off_at_the_desk_and_three_in_meeting_mode(monkeypatch, tmp_path):
    for name in ("FAZHI_SMALL_COUNT_K", "FAZHI_MEETING_SMALL_COUNT_K", "FAZHI_SETTINGS"):
        monkeypatch.delenv(name, raising=False)
    assert protection.small_count_k(False) == 0 and protection.small_count_k(True) == 3
    path = tmp_path / "s.toml"
    path.write_text("small_count_k = 5\nmeeting_small_count_k = 3\n", encoding="utf-8")
    assert protection.small_count_k(False, path) == 5 and protection.small_count_k(True, path) == 5
    assert "<3" in protection.note(3) and "…" in protection.note(3)


# ---------------------------------------------------------------- the definition and the two audits


@pytest.mark.parametrize("topic", TOPICS)
def test_the_always_published_bound_is_one_plus_the_station_total(demo, demo_stations, demo_protected, topic):
    """n0 (totals and rules alone, no cell, no marker), computed by LP, is 1 + S for every
    village of a station of several: the definition's min(k, 1 + S) is exactly min(k, n0)."""
    values = demo[(demo["topic"] == topic) & (demo["year"] == 2022)]
    (pub,) = audit.publications(values, demo_protected[topic].values.loc[values.index], K, demo_stations, topic_rules(topic))
    baseline = audit.lp_ranges(pub, baseline=True)
    totals = values.groupby(["police_station", "indicator_code"])["value"].sum()
    expected = [1 + totals[(s, i)] for s, i in zip(baseline["station"], baseline["indicator_code"], strict=True)]
    assert (baseline["n"].to_numpy() == np.array(expected)).all()
    assert (baseline["min"] <= 1e-9).all()


@pytest.mark.slow
def test_interval_propagation_contains_the_lp_ranges_and_misses_narrowed_cells():
    """The cheap audit's intervals contain the LP's (it finds a subset of the narrowed
    cells): on tables with only the small counts hidden, it misses some the LP finds."""
    missed = found = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        topic = TOPICS[seed % 3]
        sizes = [int(n) for n in rng.integers(3, 9, size=int(rng.integers(1, 4)))]
        frame, stations = bench.make_table(topic, sizes, 1, seed=seed, scale=0.5, zeros=0.5)
        naive = frame.copy()
        small = naive["value"] < K
        naive["value"] = naive["value"].astype("Int64")
        naive.loc[small, "value"] = pd.NA
        naive.loc[small, "qualifier"] = protection.SUPPRESSED
        naive["display"] = np.where(small, "<3", None)
        counts = audit.compare(audit.publications(frame, naive, K, stations, topic_rules(topic)))
        assert counts["propagation_interval_contains_lp"] == counts["hidden"]
        assert counts["found_by_both"] == counts["propagation_narrowed"] <= counts["lp_narrowed"]
        missed += counts["missed_by_propagation"]
        found += counts["lp_narrowed"]
    assert found > 0 and missed > 0
