"""Every read the dashboard makes: parameterised SQL over the warehouse's public views.

Functions take a DuckDB cursor and keyword-only plain arguments (`topic`, `years` as
(first, last), `town` a town's code where "" means every town of the list, `village_codes`
where an empty tuple means the whole town, `k` for the small-count protection) and return
pandas DataFrames, so they can be cached, tested and
called without Streamlit. Values always travel as parameters.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from etl.reference.catalog import load_catalog
from figures import protection

EXACT, AT_LEAST, APPROX = "exact", "at_least", "approx"
SUPPRESSED = protection.SUPPRESSED

# Reads that carry village-level counts: the dashboard passes them the small-count k.
PROTECTED_QUERIES = frozenset({"yearly_totals", "village_values", "station_totals", "grouped_villages"})

# The measures of an outreach event (name, unit); each has a <measure>_qualifier column.
OUTREACH_MEASURES = {
    "materials": ("发放资料", "份"),
    "banners": ("悬挂横幅", "幅"),
    "consultations": ("解答咨询", "人次"),
    "participants": ("参与人数", "人"),
}


def topic_of(code: str) -> str | None:
    """The sheet kind a submitted figure comes from: a catalog indicator's topic; outreach for
    the event count and the events' measures; None for anything else."""
    catalog = load_catalog()
    if code in catalog.indicators:
        return catalog.indicators[code].topic
    if code == "events" or code in OUTREACH_MEASURES:
        return "outreach"
    return None


# A sum is only as exact as its vaguest part: "about" beats "at least" beats exact.
_QUALIFIER_OF_SUM = """
    case when bool_or({q} = 'approx') then 'approx'
         when bool_or({q} = 'at_least') then 'at_least'
         else 'exact' end
"""

# Rows of the chosen villages; town-level rows (no village) always belong to the town.
_CHOSEN = "($villages::VARCHAR[] IS NULL OR list_contains($villages::VARCHAR[], {col}))"
# Rows of the chosen town of a district ('' = every town; a one-town list has only its own).
_IN_TOWN = "($town = '' OR {col} = $town)"


def _villages_param(village_codes: tuple[str, ...]) -> list[str] | None:
    """An empty selection means the whole town, which SQL sees as NULL."""
    return list(village_codes) if village_codes else None


def _frame(cur: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    return cur.execute(sql, params or {}).df()


def display_value(value: object, qualifier: str | None = EXACT) -> str:
    """A count as a page shows it: 12, 1000+ (at least 1000), 约30 (about 30), — (none)."""
    if qualifier == SUPPRESSED:
        return protection.HIDDEN_ANY  # a hidden total or a sum with a hidden part: nothing said of its size
    if value is None or pd.isna(value):
        return "—"
    number = int(value)
    if qualifier == AT_LEAST:
        return f"{number}+"
    if qualifier == APPROX:
        return f"约{number}"
    return str(number)


def with_display(frame: pd.DataFrame, value: str = "value", qualifier: str = "qualifier") -> pd.DataFrame:
    """The frame with a `display` column of qualified values (1000+, 约30)."""
    out = frame.copy()
    out["display"] = [display_value(v, q) for v, q in zip(out[value], out[qualifier], strict=True)]
    return out


@cache
def indicator_order() -> dict[str, int]:
    """Catalog order of the indicators, so pages list them as the template does."""
    return {code: n for n, code in enumerate(load_catalog().indicators)}


@cache
def indicator_direction() -> dict[str, str]:
    """Which way is good news for each indicator: higher, lower or neutral (from the catalog)."""
    return {code: ind.better for code, ind in load_catalog().indicators.items()}


@cache
def indicator_parent() -> dict[str, str]:
    """For a 其中 part, the total it belongs to (two parts share the name 行政执法专项编制)."""
    return {code: ind.parent for code, ind in load_catalog().indicators.items() if ind.parent}


@cache
def indicator_part_of() -> dict[str, str]:
    """Every indicator that is part of a total (其中): a form's 其中 rows, and the parts of the
    catalog's rules (缓刑 of 在册社区矫正对象, 3级 of 在管患者, 现报到 of 在册吸毒人员)."""
    parts = dict(indicator_parent())
    for rule in load_catalog().rules:
        if rule.total not in parts:
            for part in rule.parts:
                parts.setdefault(part, rule.total)
    return parts


def _in_catalog_order(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Rows sorted by `first`, then indicators in catalog order (the main figure first)."""
    order = indicator_order()
    rank = frame["indicator_code"].map(lambda code: order.get(code, len(order)))
    return frame.assign(_rank=rank).sort_values([*first, "_rank"]).drop(columns="_rank").reset_index(drop=True)


# ---------------------------------------------------------------- the warehouse as a whole


def warehouse_status(cur: duckdb.DuckDBPyConnection, *, town: str = "") -> dict:
    """What every page's frame says: demo or real data, as-of time, number of source workbooks
    (of the chosen town of a district)."""
    row = cur.execute(
        f"""
        select
            (select max(value) from warehouse_info where key = 'dataset') as dataset,
            (select max(loaded_at) from submissions) as as_of,
            (select count(distinct sha256) from submission_history where status = 'loaded'
               and {_IN_TOWN.format(col="town_code")}) as source_files
        """,
        {"town": town},
    ).fetchone()
    dataset, as_of, source_files = row
    return {"dataset": dataset or "real", "as_of": as_of, "source_files": int(source_files or 0)}


def villages(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(
        cur,
        """
        select town_code, town_name, village_code, village_name, village_type, police_station
        from villages
        order by village_code
        """,
    )


def area_name(cur: duckdb.DuckDBPyConnection) -> str:
    """What the whole village list is called: the town's name, or the district's (浈江区)."""
    row = cur.execute(
        "select coalesce((select max(value) from warehouse_info where key = 'town_name'), (select min(town_name) from villages))"
    ).fetchone()
    return str(row[0] or "本镇")


def available_years(cur: duckdb.DuckDBPyConnection) -> list[int]:
    rows = cur.execute(
        """
        select year from indicator_values
        union
        select year from outreach_events
        order by year
        """
    ).fetchall()
    return [int(year) for (year,) in rows]


def topics(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(cur, "select topic, topic_name, department, breakdown from topics order by topic")


# ---------------------------------------------------------------- indicator values


def yearly_totals(
    cur: duckdb.DuckDBPyConnection,
    *,
    topic: str,
    years: tuple[int, int],
    village_codes: tuple[str, ...] = (),
    k: int = 0,
    town: str = "",
) -> pd.DataFrame:
    """Year × indicator totals over the chosen villages (town-level values as they are).

    Columns: year, indicator_code, indicator_name, unit, kind, value, qualifier, display.
    Village-level indicators have no total rows in the warehouse: a total is a sum.
    With k > 0, a total that would reveal a hidden village count shows its marker instead
    (figures.protection): the whole town's totals stay, a pick of villages may not.
    """
    frame = _frame(
        cur,
        f"""
        with chosen as (
            select *
            from indicator_values
            where topic = $topic
              and year between $year_from and $year_to
              and {_IN_TOWN.format(col="town_code")}
              and (village_code is null or {_CHOSEN.format(col="village_code")})
        )
        select
            c.year,
            c.indicator_code,
            any_value(c.indicator_name) as indicator_name,
            any_value(c.unit) as unit,
            any_value(i.kind) as kind,
            sum(c.value)::BIGINT as value,
            {_QUALIFIER_OF_SUM.format(q="c.qualifier")} as qualifier
        from chosen c
        join indicators i using (indicator_code)
        group by c.year, c.indicator_code
        """,
        {"topic": topic, "year_from": years[0], "year_to": years[1], "villages": _villages_param(village_codes), "town": town},
    )
    frame = with_display(_in_catalog_order(frame, ["year"]))
    if k > 0 and _sensitive(topic) and village_codes:
        protected = _protected(cur, topic, years, k, town)
        frame = _hide(frame, [protected.total_marker(r.year, r.indicator_code, village_codes) for r in frame.itertuples()])
    return frame


def village_values(
    cur: duckdb.DuckDBPyConnection,
    *,
    topic: str,
    years: tuple[int, int],
    village_codes: tuple[str, ...] = (),
    k: int = 0,
    town: str = "",
) -> pd.DataFrame:
    """One row per village, year and indicator, with the village's type, station and source cell.

    With k > 0, small counts of sensitive indicators (and the cells that would give them
    away) have value NA, qualifier `suppressed` and display `<k` or `*` (figures.protection)."""
    if k > 0 and _sensitive(topic):
        values = _protected(cur, topic, years, k, town).values
        if village_codes:
            values = values[values["village_code"].isin(village_codes)]
        return values.reset_index(drop=True)
    frame = _frame(
        cur,
        f"""
        select
            iv.year, iv.village_code, v.village_name, v.village_type, v.police_station,
            iv.indicator_code, iv.indicator_name, iv.unit, iv.value, iv.qualifier, iv.source_ref
        from indicator_values iv
        join villages v using (village_code)
        where iv.topic = $topic
          and iv.year between $year_from and $year_to
          and {_IN_TOWN.format(col="iv.town_code")}
          and {_CHOSEN.format(col="iv.village_code")}
        order by iv.year, iv.village_code, iv.indicator_code
        """,
        {"topic": topic, "year_from": years[0], "year_to": years[1], "villages": _villages_param(village_codes), "town": town},
    )
    return with_display(frame)


def town_values(cur: duckdb.DuckDBPyConnection, *, topic: str, years: tuple[int, int], town: str = "") -> pd.DataFrame:
    """Town-level values (no village) of a topic, with their source cells; over several towns,
    each year's sum (its sources are then the download's 说明 sheet)."""
    frame = _frame(
        cur,
        f"""
        select year, indicator_code, any_value(indicator_name) as indicator_name, any_value(unit) as unit,
               sum(value)::BIGINT as value, {_QUALIFIER_OF_SUM.format(q="qualifier")} as qualifier,
               case when count(*) = 1 then any_value(source_ref) end as source_ref
        from indicator_values
        where topic = $topic and village_code is null and year between $year_from and $year_to
          and {_IN_TOWN.format(col="town_code")}
        group by year, indicator_code
        order by year, indicator_code
        """,
        {"topic": topic, "year_from": years[0], "year_to": years[1], "town": town},
    )
    return with_display(frame)


def town_rollup(cur: duckdb.DuckDBPyConnection, *, topic: str, years: tuple[int, int]) -> pd.DataFrame:
    """A district's towns as the units of a topic (区 → 镇): one row per town, year and
    indicator, shaped like `village_values` (the town in village_code and village_name), so the
    same rankings, charts and tables show them. A town's total is never hidden: each town's
    own pages show it (figures.protection)."""
    frame = _frame(
        cur,
        f"""
        with towns as (select distinct town_code, town_name from villages)
        select iv.year, iv.town_code as village_code, t.town_name as village_name,
               '镇（街道）' as village_type, '' as police_station, iv.indicator_code,
               any_value(iv.indicator_name) as indicator_name, any_value(iv.unit) as unit,
               sum(iv.value)::BIGINT as value, {_QUALIFIER_OF_SUM.format(q="iv.qualifier")} as qualifier,
               null::VARCHAR as source_ref
        from indicator_values iv
        join towns t using (town_code)
        where iv.topic = $topic and iv.year between $year_from and $year_to
        group by iv.year, iv.town_code, t.town_name, iv.indicator_code
        order by iv.year, iv.town_code, iv.indicator_code
        """,
        {"topic": topic, "year_from": years[0], "year_to": years[1]},
    )
    return with_display(frame)


def station_totals(
    cur: duckdb.DuckDBPyConnection,
    *,
    topic: str,
    years: tuple[int, int],
    village_codes: tuple[str, ...] = (),
    k: int = 0,
    town: str = "",
) -> pd.DataFrame:
    """Year × police station × indicator: a station's figure is the sum over its villages.
    With k > 0, a station figure that would reveal a hidden village count shows its marker."""
    frame = _frame(
        cur,
        f"""
        select
            iv.year, v.police_station, iv.indicator_code,
            any_value(iv.indicator_name) as indicator_name,
            any_value(iv.unit) as unit,
            sum(iv.value)::BIGINT as value,
            {_QUALIFIER_OF_SUM.format(q="iv.qualifier")} as qualifier
        from indicator_values iv
        join villages v using (village_code)
        where iv.topic = $topic
          and iv.year between $year_from and $year_to
          and {_IN_TOWN.format(col="iv.town_code")}
          and {_CHOSEN.format(col="iv.village_code")}
        group by iv.year, v.police_station, iv.indicator_code
        """,
        {"topic": topic, "year_from": years[0], "year_to": years[1], "villages": _villages_param(village_codes), "town": town},
    )
    frame = with_display(_in_catalog_order(frame, ["year", "police_station"]))
    if k > 0 and _sensitive(topic) and village_codes:
        protected = _protected(cur, topic, years, k, town)
        members: dict[str, set[str]] = {}
        for village, station in protected.stations.items():
            if not village_codes or village in village_codes:
                members.setdefault(station, set()).add(village)
        markers = [protected.total_marker(r.year, r.indicator_code, members.get(r.police_station, set())) for r in frame.itertuples()]
        frame = _hide(frame, markers)
    return frame


def source_refs(
    cur: duckdb.DuckDBPyConnection,
    *,
    topic: str,
    years: tuple[int, int],
    village_codes: tuple[str, ...] = (),
    town: str = "",
) -> list[str]:
    """Where a topic's figures came from (file!sheet!cell), for a download's 说明 sheet."""
    if topic == "outreach":
        sql = f"""
            select distinct e.source_ref from outreach_events e
            join submission_history s using (submission_id)
            where e.year between $year_from and $year_to and {_CHOSEN.format(col="e.village_code")}
              and {_IN_TOWN.format(col="s.town_code")}
            order by e.source_ref
        """
        params = {"year_from": years[0], "year_to": years[1], "villages": _villages_param(village_codes), "town": town}
    else:
        sql = f"""
            select distinct source_ref from indicator_values
            where topic = $topic and year between $year_from and $year_to
              and {_IN_TOWN.format(col="town_code")}
              and (village_code is null or {_CHOSEN.format(col="village_code")})
            order by source_ref
        """
        params = {
            "topic": topic,
            "year_from": years[0],
            "year_to": years[1],
            "villages": _villages_param(village_codes),
            "town": town,
        }
    return [ref for (ref,) in cur.execute(sql, params).fetchall() if ref]


# ---------------------------------------------------------------- small-count protection


@cache
def _sensitive_codes(topic: str) -> frozenset[str]:
    catalog = load_catalog()
    if catalog.topics[topic].breakdown != "village":
        return frozenset()
    return frozenset(code for code, ind in catalog.indicators.items() if ind.topic == topic and ind.sensitive)


def _sensitive(topic: str) -> bool:
    return topic in load_catalog().topics and bool(_sensitive_codes(topic))


def protected_values(cur: duckdb.DuckDBPyConnection, *, topic: str, years: tuple[int, int], k: int, town: str = "") -> protection.Protected:
    """A town's village values of a topic with small counts hidden (figures.protection),
    against every sum and ≤ rule of the catalog. Each town of a district is protected on its
    own, against its own total (which its pages publish); `town` "" is every town."""
    listed = villages(cur)
    stations = dict(zip(listed["village_code"], listed["police_station"], strict=True))
    rules = [protection.Rule(rule.check, rule.total, rule.parts) for rule in load_catalog().topic_rules(topic)]
    towns = [town] if town else list(dict.fromkeys(listed["town_code"]))
    parts = [
        protection.suppress(village_values(cur, topic=topic, years=years, town=code), k, stations, _sensitive_codes(topic), rules=rules)
        for code in towns
    ]
    return parts[0] if len(parts) == 1 else protection.combine(parts)


def _protected(cur: duckdb.DuckDBPyConnection, topic: str, years: tuple[int, int], k: int, town: str) -> protection.Protected:
    # `town` only when one is chosen: a one-town reader (or a test's stand-in) never sees it.
    return protected_values(cur, topic=topic, years=years, k=k, **({"town": town} if town else {}))


def grouped_villages(
    cur: duckdb.DuckDBPyConnection,
    *,
    topic: str,
    years: tuple[int, int],
    year: int,
    indicator: str,
    village_codes: tuple[str, ...] = (),
    k: int = 0,
    town: str = "",
) -> pd.DataFrame:
    """One year × indicator by village as a meeting chart shows it: the villages shown, then
    the hidden ones as groups, then their total where it can be worked out anyway
    (figures.protection.Protected.grouped)."""
    protected = _protected(cur, topic, years, k, town)
    names = dict(zip(protected.values["village_code"], protected.values["village_name"], strict=False))
    return protected.grouped(year, indicator, village_codes or None, names)


def _hide(frame: pd.DataFrame, markers: list[str | None]) -> pd.DataFrame:
    """Rows with a marker lose their value and show the marker instead."""
    rows = [n for n, m in enumerate(markers) if m]
    if not rows:
        return frame
    out = frame.copy()
    out["value"] = out["value"].astype("Int64")
    index = out.index[rows]
    out.loc[index, "value"] = pd.NA
    out.loc[index, "qualifier"] = SUPPRESSED
    out.loc[index, "display"] = [markers[n] for n in rows]
    return out


# ---------------------------------------------------------------- outreach events


# The events of the chosen town: the event list's town is its submission's.
_EVENTS_IN_TOWN = """
    select e.* from outreach_events e
    join submission_history s using (submission_id)
    where e.year between $year_from and $year_to
      and {chosen}
      and ($town = '' or s.town_code = $town)
"""


def outreach_events(
    cur: duckdb.DuckDBPyConnection,
    *,
    years: tuple[int, int],
    village_codes: tuple[str, ...] = (),
    town: str = "",
) -> pd.DataFrame:
    """The event list, newest first; each measure also as a display string (1000+, 约30)."""
    frame = _frame(
        cur,
        f"""
        select event_id, event_date, year, village_code, village_name, location, theme, partners,
               materials, materials_qualifier, banners, banners_qualifier,
               consultations, consultations_qualifier, participants, participants_qualifier,
               source_ref
        from ({_EVENTS_IN_TOWN.format(chosen=_CHOSEN.format(col="e.village_code"))})
        order by event_date desc, event_id
        """,
        {"year_from": years[0], "year_to": years[1], "villages": _villages_param(village_codes), "town": town},
    )
    for measure in OUTREACH_MEASURES:
        frame[f"{measure}_display"] = [display_value(v, q) for v, q in zip(frame[measure], frame[f"{measure}_qualifier"], strict=True)]
    return frame


def outreach_yearly(
    cur: duckdb.DuckDBPyConnection,
    *,
    years: tuple[int, int],
    village_codes: tuple[str, ...] = (),
    town: str = "",
) -> pd.DataFrame:
    """Year × measure totals of the events, shaped like `yearly_totals` so the same cards and
    charts serve them: indicator_code is `events` (the number of events) or a measure.
    """
    names = {"events": ("活动场次", "场"), **OUTREACH_MEASURES}
    # Column names come from the fixed OUTREACH_MEASURES, never from input.
    sums = "\n".join(
        f"""
        union all
        select year, '{m}' as indicator_code, sum({m})::BIGINT as value,
               {_QUALIFIER_OF_SUM.format(q=m + "_qualifier")} as qualifier
        from chosen where {m} is not null group by year
        """
        for m in OUTREACH_MEASURES
    )
    frame = _frame(
        cur,
        f"""
        with chosen as ({_EVENTS_IN_TOWN.format(chosen=_CHOSEN.format(col="e.village_code"))})
        select year, 'events' as indicator_code, count(*)::BIGINT as value, 'exact' as qualifier
        from chosen group by year
        {sums}
        order by year, indicator_code
        """,
        {"year_from": years[0], "year_to": years[1], "villages": _villages_param(village_codes), "town": town},
    )
    frame.insert(2, "indicator_name", frame["indicator_code"].map(lambda m: names[m][0]))
    frame.insert(3, "unit", frame["indicator_code"].map(lambda m: names[m][1]))
    frame.insert(4, "kind", "flow")
    return with_display(frame)


def outreach_by_village(
    cur: duckdb.DuckDBPyConnection,
    *,
    years: tuple[int, int],
    village_codes: tuple[str, ...] = (),
    town: str = "",
    by_town: bool = False,
) -> pd.DataFrame:
    """Events per village over the years chosen (villages without an event count 0); with
    `by_town`, per town of a district (its events with or without a village), shaped alike."""
    if by_town:
        return _frame(
            cur,
            """
            with towns as (select distinct town_code, town_name from villages)
            select t.town_code as village_code, t.town_name as village_name, '镇（街道）' as village_type,
                   '' as police_station, count(e.event_id)::BIGINT as events
            from towns t
            left join submission_history s on s.town_code = t.town_code and s.status = 'loaded' and s.topic = 'outreach'
            left join outreach_events e on e.submission_id = s.submission_id and e.year between $year_from and $year_to
            group by all
            order by events desc, village_code
            """,
            {"year_from": years[0], "year_to": years[1]},
        )
    return _frame(
        cur,
        f"""
        select v.village_code, v.village_name, v.village_type, v.police_station,
               count(e.event_id)::BIGINT as events
        from villages v
        left join outreach_events e
               on e.village_code = v.village_code and e.year between $year_from and $year_to
        where {_CHOSEN.format(col="v.village_code")}
          and {_IN_TOWN.format(col="v.town_code")}
        group by all
        order by events desc, v.village_code
        """,
        {"year_from": years[0], "year_to": years[1], "villages": _villages_param(village_codes), "town": town},
    )


# ---------------------------------------------------------------- submissions ledger


def submission_ledger(cur: duckdb.DuckDBPyConnection, *, town: str = "") -> pd.DataFrame:
    """Topic × year × town: the current submission (if any), when, which file, how many
    values, how many listed villages it left without a number, and how many earlier versions
    it superseded. A one-town list has one town; `town` narrows a district to one."""
    return _frame(
        cur,
        f"""
        with years as (
            select distinct year from submission_history
            union select distinct year from indicator_values
            union select distinct year from outreach_events
        ),
        towns as (
            select distinct town_code, town_name from villages where {_IN_TOWN.format(col="town_code")}
        ),
        cells as (
            select t.topic, t.topic_name, t.department, y.year, w.town_code, w.town_name
            from topics t cross join years y cross join towns w
        ),
        current_version as (
            select topic, year, town_code, file_name, loaded_at, row_count, submission_id, unfilled_villages
            from submission_history
            where status = 'loaded'
            qualify row_number() over (partition by topic, year, town_code order by loaded_at desc) = 1
        ),
        earlier as (
            select topic, year, town_code, count(*)::BIGINT as superseded
            from submission_history
            where status = 'superseded'
            group by topic, year, town_code
        )
        select c.topic, c.topic_name, c.department, c.year,
               cv.submission_id, cv.file_name, cv.loaded_at, cv.row_count, cv.unfilled_villages,
               coalesce(e.superseded, 0)::BIGINT as superseded, c.town_code, c.town_name
        from cells c
        left join current_version cv using (topic, year, town_code)
        left join earlier e using (topic, year, town_code)
        order by c.topic, c.year, c.town_code
        """,
        {"town": town},
    )


def year_coverage(cur: duckdb.DuckDBPyConnection, *, town: str = "") -> dict:
    """Each year's coverage: which departments have reported it with numbers (figures.periods);
    in a district seen whole, a department has reported a year when every town's sheet is in."""
    from figures import periods

    return periods.coverage(submission_ledger(cur, town=town))


def submission_versions(cur: duckdb.DuckDBPyConnection, *, town: str = "") -> pd.DataFrame:
    """Every version ever loaded, superseded ones included, newest first."""
    return _frame(
        cur,
        f"""
        select submission_id, topic, topic_name, department, year, file_name, loaded_at,
               status, row_count, superseded_by, town_code, town_name
        from submission_history
        where {_IN_TOWN.format(col="town_code")}
        order by loaded_at desc, topic, year desc, submission_id
        """,
        {"town": town},
    )


def refused_attempts(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Refused load attempts, newest first, with their problems as readable text."""
    frame = _frame(
        cur,
        """
        select attempt_id, attempted_at, file_name, error_count, errors
        from load_log
        where status = 'rejected'
        order by attempted_at desc, attempt_id desc
        """,
    )
    frame["reasons"] = [_reasons(text) for text in frame["errors"]]
    return frame.drop(columns=["errors"])


def _reasons(errors_json: str | None) -> str:
    """The load log's JSON problem list as one line per problem: 工作表!单元格：说明."""
    try:
        problems = json.loads(errors_json or "[]")
    except ValueError:
        return str(errors_json)
    lines = []
    for problem in problems:
        where = "!".join(str(part) for part in (problem.get("sheet"), problem.get("cell")) if part)
        lines.append(f"{where}：{problem.get('message', '')}" if where else str(problem.get("message", "")))
    return "\n".join(lines)


# ---------------------------------------------------------------- derived figures


def derived_total(totals: pd.DataFrame, code: str, name: str, parts: list[str]) -> pd.DataFrame:
    """Year rows of a figure that is a sum of others (高危 = grades 3–5), never submitted.

    `totals` is a yearly_totals frame; the result has its columns, one row per year in
    which at least one part has a value.
    """
    chosen = totals[totals["indicator_code"].isin(parts)]
    rows = []
    for year, group in chosen.groupby("year", sort=True):
        qualifiers = set(group["qualifier"])
        if SUPPRESSED in qualifiers:  # a sum with a hidden part would give the part away
            rows.append(
                {
                    "year": year,
                    "indicator_code": code,
                    "indicator_name": name,
                    "unit": group["unit"].iloc[0],
                    "kind": group["kind"].iloc[0],
                    "value": pd.NA,
                    "qualifier": SUPPRESSED,
                }
            )
            continue
        qualifier = APPROX if APPROX in qualifiers else AT_LEAST if AT_LEAST in qualifiers else EXACT
        rows.append(
            {
                "year": year,
                "indicator_code": code,
                "indicator_name": name,
                "unit": group["unit"].iloc[0],
                "kind": group["kind"].iloc[0],
                "value": int(group["value"].sum()),
                "qualifier": qualifier,
            }
        )
    frame = pd.DataFrame(rows, columns=[*totals.columns.drop("display")])
    return with_display(frame)


# ---------------------------------------------------------------- administration


def audit_trail(cur: duckdb.DuckDBPyConnection, *, journal: str | None = None, journal_version: object = None) -> pd.DataFrame:
    """Who loaded, superseded, refused, rolled back, froze, exported or logged in, newest
    first: the warehouse's own entries (loads and admin actions, written in their
    transactions) and the journal beside it (downloads and logins, etl.loading.journal).
    `journal_version` only tells a cache that the journal changed."""
    own = 'select "at", actor, action, detail from audit_trail'
    if journal and Path(journal).is_file() and Path(journal).stat().st_size:
        appended = (
            'select cast("at" as timestamp) as "at", actor, action, detail from read_json(?, format = \'newline_delimited\', '
            "columns = {'at': 'VARCHAR', 'actor': 'VARCHAR', 'action': 'VARCHAR', 'detail': 'VARCHAR', 'subject': 'VARCHAR'}, "
            "ignore_errors = true)"
        )
        return cur.execute(f'{own} union all {appended} order by "at" desc, action', [journal]).df()
    return _frame(cur, f'{own} order by "at" desc, action')


def frozen_submissions(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(cur, "select topic, topic_name, year, frozen_at, frozen_by from frozen_submissions order by topic, year")
