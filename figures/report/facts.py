"""The figures a sentence may name, for a year and the years before it: each a value with its
qualifier, what it is, the cells it was summed from and when they were loaded — or why it
is missing (a department has not reported: a gap, never a guess) or hidden (small-count
protection: the page does not publish it).

Two readers fill them. `report_facts` is the annual report's: the whole town, no
small-count protection, every source cell. `page_facts` is a topic page's 要点: the page's
own reads with its filters and its k, so a finding says nothing the page does not show.
`read(name, **arguments)` is any function that runs figures.queries.<name>(cursor, ...):
the dashboard's cached reader, or `reader(cursor)` for the command line or an API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from etl.reference.catalog import load_catalog
from figures import periods, queries
from figures.filters import Filters

Reader = Callable[..., object]

# Topic pages that publish police-station totals (figures.views.drugs): only there may a
# 要点 name a station.
PAGE_STATION_TOPICS = ("drugs",)
WHOLE_TOWN = "全镇合计"


@dataclass(frozen=True)
class Figure:
    value: float | None
    qualifier: str = queries.EXACT
    label: str = ""  # what it is: 在册社区矫正对象（全镇合计）
    year: int | None = None
    kind: str = "stock"
    sources: tuple[str, ...] = ()  # file!sheet!cell of every number it is made of
    loaded_at: tuple[str, ...] = ()  # when those workbooks were loaded
    gap: str | None = None  # why it is missing: 禁毒办2024年报表未上报
    hidden: bool = False  # small-count protection: not published on the page
    text: str | None = None  # a figure shown as words (an event's date), not as a number

    @property
    def absent(self) -> bool:
        return self.value is None and self.text is None


@dataclass
class YearFacts:
    year: int
    figures: dict[str, Figure] = field(default_factory=dict)
    stations: dict[str, dict[str, Figure]] = field(default_factory=dict)
    events: list[dict[str, Figure | str | None]] = field(default_factory=list)
    gaps: dict[str, str] = field(default_factory=dict)  # topic → why it has no numbers this year


@dataclass
class Facts:
    town: str
    year: int
    compare_year: int | None  # None: no 同比 (turned off, a partial year, no earlier year)
    years: dict[int, YearFacts]
    partial_note: str = ""  # 已报 1/4 个部门
    as_of: object = None
    dataset: str = "real"
    villages_label: str = "全镇"
    whole: str = "全镇"  # what the whole of the place is called in a sentence: 全区 for a district seen whole

    def figure(self, name: str, year: int | None = None, station: str | None = None) -> Figure:
        """A figure of `year` (default the year written about): the town's, or a station's."""
        year = self.year if year is None else year
        found = self.years.get(year)
        if found is None:
            return Figure(None, label=name, year=year)
        topic = queries.topic_of(name)
        if topic in found.gaps:
            return Figure(None, label=name, year=year, gap=found.gaps[topic])
        figures = found.stations.get(station, {}) if station else found.figures
        return figures.get(name, Figure(None, label=name, year=year))

    def stations(self, year: int | None = None) -> list[str]:
        return list(self.years.get(self.year if year is None else year, YearFacts(0)).stations)

    def events(self, year: int | None = None) -> list[dict[str, Figure | str | None]]:
        return self.years.get(self.year if year is None else year, YearFacts(0)).events

    def gap_of(self, topic: str, year: int | None = None) -> str | None:
        return self.years.get(self.year if year is None else year, YearFacts(0)).gaps.get(topic)


def kind_of(code: str) -> str:
    """stock (value at 31 Dec) or flow (over the year): the catalog's word; outreach counts are flows."""
    indicator = load_catalog().indicators.get(code)
    return indicator.kind if indicator else "flow"


def reader(cursor) -> Reader:
    """`read` over one DuckDB cursor, for callers without the dashboard's cache."""
    return lambda name, **arguments: getattr(queries, name)(cursor, **arguments)


# The reads a town of a district narrows (figures.queries: their `town` argument).
TOWN_READS = frozenset(
    {
        "yearly_totals",
        "village_values",
        "station_totals",
        "town_values",
        "outreach_yearly",
        "outreach_events",
        "submission_ledger",
        "warehouse_status",
    }
)


def in_town(read: Reader, town: str) -> Reader:
    """`read` narrowed to one town of a district (its villages, figures and ledger); "" = all."""
    if not town:
        return read

    def scoped(name: str, **arguments):
        if name == "villages":
            villages = read("villages")
            return villages[villages["town_code"] == town].reset_index(drop=True)
        if name in TOWN_READS:
            arguments["town"] = town
        return read(name, **arguments)

    return scoped


def not_reported(topic: str, year: int) -> str:
    """禁毒办2024年报表未上报; a department with two sheets names the sheet (司法所2024年社区矫正报表未上报)."""
    catalog = load_catalog()
    department = catalog.topics[topic].department
    sheets = [t for t in catalog.topics.values() if t.department == department]
    sheet = catalog.topics[topic].name if len(sheets) > 1 else ""
    return f"{department}{year}年{sheet}报表未上报"


def not_filled(topic: str, year: int, name: str, villages: int = 0) -> str:
    department = load_catalog().topics[topic].department
    who = f"有{villages}个村（社区）" if villages else ""
    return f"{department}{year}年报表中{who}未填“{name}”"


def _when(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _number(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


# ---------------------------------------------------------------- the annual report


def report_facts(read: Reader, year: int, compare: bool = True, town: str = "") -> Facts:
    """Every figure of `year` and the years before it, for the whole town, with its cells
    (`town`: which town of a district)."""
    read = in_town(read, town)
    catalog = load_catalog()
    ledger = read("submission_ledger")
    covered = periods.coverage(ledger)
    known = sorted(set(read("available_years")) | set(covered) | {year})
    span = (known[0], year)
    villages = read("villages")
    town = str(villages["town_name"].iloc[0]) if not villages.empty else ""
    loaded = {
        (row.topic, int(row.year)): _when(row.loaded_at)
        for row in ledger.itertuples()
        if isinstance(row.submission_id, str) and row.submission_id
    }
    years = {y: YearFacts(y) for y in range(span[0], span[1] + 1)}
    for y, facts in years.items():
        for topic in catalog.topics:
            if y not in covered or topic not in covered[y].topics:
                facts.gaps[topic] = not_reported(topic, y)
    stations = _station_order(villages)
    for topic in catalog.topics.values():
        if topic.breakdown == "village":
            _village_topic(read, years, topic.code, span, len(villages), stations, loaded)
        elif topic.breakdown == "town":
            _town_topic(read, years, topic.code, span, loaded)
        else:
            _outreach(read, years, span, loaded)
    status = read("warehouse_status")
    coverage = covered.get(year)
    partial = coverage.note if coverage else ""
    compare_year = year - 1 if compare and not partial and year - 1 in years else None
    return Facts(town, year, compare_year, years, partial, status["as_of"], status["dataset"])


def _station_order(villages: pd.DataFrame) -> list[str]:
    """Police stations in the order of the village list (the report names 十里亭 before 五里亭)."""
    return list(dict.fromkeys(villages.sort_values("village_code")["police_station"].dropna()))


def _village_topic(read: Reader, years: dict[int, YearFacts], topic: str, span, village_count: int, stations: list[str], loaded) -> None:
    catalog = load_catalog()
    totals = read("yearly_totals", topic=topic, years=span)
    values = read("village_values", topic=topic, years=span)
    by_station = read("station_totals", topic=topic, years=span)
    refs = values.groupby(["year", "indicator_code"])["source_ref"].apply(tuple).to_dict()
    station_refs = values.groupby(["year", "police_station", "indicator_code"])["source_ref"].apply(tuple).to_dict()
    for year, facts in years.items():
        if topic in facts.gaps:
            continue
        when = (loaded.get((topic, year), ""),)
        rows = totals[totals["year"] == year].set_index("indicator_code")
        for indicator in catalog.topic_indicators(topic):
            code = indicator.code
            cells = refs.get((year, code), ())
            if code not in rows.index:
                facts.figures[code] = Figure(None, label=indicator.name, year=year, gap=not_filled(topic, year, indicator.name))
                continue
            missing = village_count - len(cells)
            row = rows.loc[code]
            facts.figures[code] = Figure(
                _number(row["value"]),
                row["qualifier"],
                f"{indicator.name}（{WHOLE_TOWN}）",
                year,
                indicator.kind,
                cells,
                when,
                gap=not_filled(topic, year, indicator.name, missing) if missing > 0 else None,
            )
        station_rows = by_station[by_station["year"] == year]
        for station in stations:
            figures = facts.stations.setdefault(station, {})
            for row in station_rows[station_rows["police_station"] == station].itertuples():
                indicator = catalog.indicators[row.indicator_code]
                figures[row.indicator_code] = Figure(
                    _number(row.value),
                    row.qualifier,
                    f"{indicator.name}（{station}辖区）",
                    year,
                    indicator.kind,
                    station_refs.get((year, station, row.indicator_code), ()),
                    when,
                    gap=facts.figures.get(row.indicator_code, Figure(None)).gap,
                )


def _town_topic(read: Reader, years: dict[int, YearFacts], topic: str, span, loaded) -> None:
    catalog = load_catalog()
    rows = read("town_values", topic=topic, years=span)
    for year, facts in years.items():
        if topic in facts.gaps:
            continue
        when = (loaded.get((topic, year), ""),)
        found = rows[rows["year"] == year].set_index("indicator_code")
        for indicator in catalog.topic_indicators(topic):
            if indicator.code not in found.index:
                facts.figures[indicator.code] = Figure(None, label=indicator.name, year=year, gap=not_filled(topic, year, indicator.name))
                continue
            row = found.loc[indicator.code]
            facts.figures[indicator.code] = Figure(
                _number(row["value"]), row["qualifier"], indicator.name, year, indicator.kind, (row["source_ref"],), when
            )


def _outreach(read: Reader, years: dict[int, YearFacts], span, loaded) -> None:
    totals = read("outreach_yearly", years=span)
    events = read("outreach_events", years=span).sort_values(["event_date", "event_id"])
    names = {"events": ("普法活动", "场"), **queries.OUTREACH_MEASURES}
    for year, facts in years.items():
        if "outreach" in facts.gaps:
            continue
        when = (loaded.get(("outreach", year), ""),)
        of_year = events[events["year"] == year]
        rows = totals[totals["year"] == year].set_index("indicator_code")
        for code, (name, _unit) in names.items():
            with_value = of_year if code == "events" else of_year[of_year[code].notna()]
            if code not in rows.index:
                facts.figures[code] = Figure(None, label=f"{name}（全年）", year=year, kind="flow")
                continue
            row = rows.loc[code]
            label = "普法活动场次（全年）" if code == "events" else f"{name}（全年各场活动之和）"
            facts.figures[code] = Figure(
                _number(row["value"]), row["qualifier"], label, year, "flow", tuple(with_value["source_ref"]), when
            )
        facts.events = [_event(row, when) for row in of_year.itertuples()]


def _event(row, when: tuple[str, ...]) -> dict[str, Figure | str | None]:
    date = pd.Timestamp(row.event_date)
    day = f"{date.year}年{date.month}月{date.day}日"
    about = f"{day}“{row.theme}”活动"
    event: dict[str, Figure | str | None] = {
        "date": Figure(None, label=f"{about}的日期", year=int(row.year), sources=(row.source_ref,), loaded_at=when, text=day),
        "village": _text(row.village_name),
        "location": _text(row.location),
        "theme": _text(row.theme),
        "partners": _text(row.partners),
    }
    for measure, (name, _unit) in queries.OUTREACH_MEASURES.items():
        event[measure] = Figure(
            _number(getattr(row, measure)),
            getattr(row, f"{measure}_qualifier") or queries.EXACT,
            f"{about}的{name}",
            int(row.year),
            "flow",
            (row.source_ref,),
            when,
        )
    return event


def _text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value).strip() or None


# ---------------------------------------------------------------- a topic page's 要点


def page_facts(read: Reader, f: Filters, topics: list[str]) -> Facts:
    """The figures a topic page publishes for its filters: the totals of the villages chosen
    (the town's for town-level topics), station totals where the page shows them, with the
    page's small-count protection (a hidden figure is `hidden`, never its value)."""
    read = in_town(read, f.town_code)
    catalog = load_catalog()
    years = {y: YearFacts(y) for y in {f.year_to, f.compare_year}}
    for y, facts in years.items():
        for topic in topics:
            if not f.topic_reported(topic, y):
                facts.gaps[topic] = not_reported(topic, y)
    for topic in topics:
        breakdown = catalog.topics[topic].breakdown
        if breakdown == "village":
            totals = read("yearly_totals", topic=topic, years=f.span, village_codes=f.villages)
        elif breakdown == "town":
            totals = read("yearly_totals", topic=topic, years=f.span)
        else:
            totals = read("outreach_yearly", years=f.span, village_codes=f.villages)
        for y, facts in years.items():
            if topic not in facts.gaps:
                facts.figures.update(_page_figures(totals[totals["year"] == y], y))
        if topic in PAGE_STATION_TOPICS and not f.rollup:  # a district's stations are each its town's
            stations = read("station_totals", topic=topic, years=f.years, village_codes=f.villages)
            facts = years[f.year_to]
            if topic not in facts.gaps:
                of_year = stations[stations["year"] == f.year_to]
                for station in _station_order(read("villages")):
                    rows = of_year[of_year["police_station"] == station]
                    if not rows.empty:
                        facts.stations.setdefault(station, {}).update(_page_figures(rows, f.year_to))
    compare_year = None if f.partial_note(f.year_to) or f.compare_year == f.year_to else f.compare_year
    whole = "全区" if f.rollup else "全镇"
    return Facts("", f.year_to, compare_year, years, f.partial_note(f.year_to), villages_label=f.villages_label, whole=whole)


def _page_figures(rows: pd.DataFrame, year: int) -> dict[str, Figure]:
    figures = {}
    for row in rows.itertuples():
        hidden = row.qualifier == queries.SUPPRESSED
        figures[row.indicator_code] = Figure(
            None if hidden else _number(row.value),
            queries.EXACT if hidden else row.qualifier,
            row.indicator_name,
            year,
            kind_of(row.indicator_code),
            hidden=hidden,
        )
    return figures
