"""Warehouses of any size for the benchmarks: a district or a city as towns of villages, with
every topic of every year, written straight into the warehouse's tables (the ETL's own speed
is bench_load.py's business).

The figures follow the catalog's rules (a registered total is the sum of its kinds, 3级 and up
is part of 在管, …) because the demo's own generators make them: each town is 十里亭镇's demo
resized, each year one of the demo's five. So small-count protection has as much to do as on
real data. `history_mb` adds superseded submissions (old versions a warehouse keeps) until
the file is about that size, for the "one small load into a large warehouse" goal.

    from benchmarks.synthetic import build
    build(Path("city.duckdb"), towns=100, villages_per_town=20, years=20)
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
from pathlib import Path

import pandas as pd

from etl import settings
from etl.authoring import demo
from etl.loading import warehouse
from etl.reference import places as place_list
from etl.reference.catalog import load_catalog
from etl.workbook import sandbox

FIRST_YEAR = 2004
COMMUNITIES = 6  # the first villages of each town are 社区, the rest 村
STATIONS_PER_TOWN = 2


def write_places(path: Path, towns: int, villages_per_town: int) -> Path:
    """A village list of `towns` towns (demo codes 4402xx1nn) of `villages_per_town` villages."""
    rows = []
    for t in range(towns):
        town_code = f"4402{t // 100:02d}{100 + t % 100:03d}"
        town_name = f"第{t + 1}镇"
        for v in range(villages_per_town):
            community = v < COMMUNITIES
            suffix = f"{v + 1:03d}" if community else f"{200 + v - COMMUNITIES + 1:03d}"
            rows.append(
                {
                    "district_name": "演示市" if towns > 1 else "",
                    "town_code": town_code,
                    "town_name": town_name,
                    "village_code": town_code + suffix,
                    "village_name": f"{town_name}{v + 1}{'社区' if community else '村'}",
                    "village_type": "社区" if community else "村",
                    "police_station": f"{town_name}第{v % STATIONS_PER_TOWN + 1}派出所",
                    "aliases": "",
                }
            )
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@contextlib.contextmanager
def village_list(path: Path):
    """This process (and reader workers it starts) use `path` as the village list for a while."""
    before, before_env = settings.VILLAGES_FILE, os.environ.get("FAZHI_VILLAGES")
    try:
        os.environ["FAZHI_VILLAGES"] = str(path)
        settings.VILLAGES_FILE = Path(path)
        place_list.load_places.cache_clear()
        sandbox._stop_all()
        yield
    finally:
        settings.VILLAGES_FILE = before
        if before_env is None:
            os.environ.pop("FAZHI_VILLAGES", None)
        else:
            os.environ["FAZHI_VILLAGES"] = before_env
        place_list.load_places.cache_clear()
        sandbox._stop_all()


def _town_figures(villages, demo_year: int, scale: float) -> dict[str, dict[str, dict[str, int]]]:
    codes = [v.code for v in villages]
    return {
        "correction": demo.correction_data(demo_year, codes, scale),
        "mental_health": demo.mental_health_data(demo_year, codes, scale),
        "drugs": demo.drugs_data(demo_year, villages, scale),
    }


def build(path: Path, towns: int, villages_per_town: int, years: int, history_mb: int = 0) -> Path:
    """Write the warehouse at `path` (and its village list beside it); returns the list's path."""
    path = Path(path)
    listed = write_places(path.with_suffix(".villages.csv"), towns, villages_per_town)
    catalog = load_catalog()
    with village_list(listed):
        places = place_list.load_places()
        con = warehouse.connect(path)
        submissions, facts, events = [], [], []
        loaded_at = dt.datetime(2025, 1, 10, 9, 0)
        for n, town_code in enumerate(places.towns):
            villages = places.of_town(town_code).villages
            scale = round(0.4 + demo.hash_int(town_code, 1) % 61 / 100, 2)
            for offset in range(years):
                year = FIRST_YEAR + offset
                demo_year = demo.YEARS[offset % len(demo.YEARS)]
                figures = _town_figures(villages, demo_year, scale)
                for topic, by_indicator in figures.items():
                    sid = f"{n:06d}{offset:02d}{topic[:4]}-{topic}-{year}"
                    submissions.append(_submission(sid, topic, catalog, year, town_code, loaded_at))
                    for indicator, per_village in by_indicator.items():
                        for village, value in per_village.items():
                            facts.append((sid, village, indicator, value, "exact", "B5"))
                sid = f"{n:06d}{offset:02d}staf-staffing-{year}"
                submissions.append(_submission(sid, "staffing", catalog, year, town_code, loaded_at))
                for indicator, value in demo.staffing_figures(demo_year, scale).items():
                    if value is not None:
                        facts.append((sid, None, indicator, value, "exact", "B4"))
                sid = f"{n:06d}{offset:02d}outr-outreach-{year}"
                submissions.append(_submission(sid, "outreach", catalog, year, town_code, loaded_at))
                for e, event in enumerate(demo.outreach_events(demo_year, villages)):
                    date = event[0].replace(year=year)
                    village = next(v.code for v in villages if v.name == event[1])
                    events.append(
                        (
                            f"{sid}-r{e + 3}",
                            sid,
                            date,
                            year,
                            village,
                            event[2],
                            event[3],
                            event[4],
                            300,
                            "exact",
                            1,
                            "exact",
                            25,
                            "exact",
                            100,
                            "exact",
                            f"outreach_{year}.xlsx!Sheet1!A{e + 3}",
                        )
                    )
        _write(con, submissions, facts, events)
        if history_mb:
            _add_history(con, path, history_mb)
        con.close()
    return listed


def _submission(sid: str, topic: str, catalog, year: int, town: str, at: dt.datetime) -> dict:
    return {
        "submission_id": sid,
        "attempt_id": sid[:16],
        "file_name": f"{topic}_{year}.xlsx",
        "sheet_name": "Sheet1",
        "sha256": f"{sid:0<64}"[:64],
        "department": catalog.topics[topic].department,
        "topic": topic,
        "year": year,
        "town_code": town,
        "loaded_at": at,
        "status": "loaded",
        "row_count": 0,
        "superseded_by": None,
        "unfilled_villages": None,
    }


def _write(con, submissions: list[dict], facts: list[tuple], events: list[tuple]) -> None:
    fact_frame = pd.DataFrame(facts, columns=["submission_id", "village_code", "indicator_code", "value", "qualifier", "cell"])
    counts = fact_frame.groupby("submission_id").size()
    event_frame = pd.DataFrame(events, columns=list(warehouse.EVENT_COLUMNS))
    counts = counts.add(event_frame.groupby("submission_id").size(), fill_value=0)
    sub_frame = pd.DataFrame(submissions)
    sub_frame["row_count"] = sub_frame["submission_id"].map(counts).fillna(0).astype(int)
    con.execute("begin")
    con.execute("insert into submission by name select * from sub_frame")
    con.execute("insert into fact by name select * from fact_frame")
    con.execute("insert into event by name select * from event_frame")
    con.execute("commit")
    con.execute("checkpoint")


def _add_history(con, path: Path, target_mb: int) -> None:
    """Superseded copies of the current submissions until the file is about `target_mb`: one
    round first, to learn what a round costs on disk, then the rest in large batches."""
    done = 0

    def rounds(count: int) -> None:
        nonlocal done
        con.execute("begin")
        con.execute(
            "insert into submission select s.* replace (s.submission_id || '-old' || (r.range + $first) as submission_id, "
            "'superseded' as status, s.submission_id as superseded_by, s.sha256 || (r.range + $first) as sha256) "
            "from submission s cross join range($count) r where s.status = 'loaded'",
            {"first": done, "count": count},
        )
        con.execute(
            "insert into fact select f.* replace (f.submission_id || '-old' || (r.range + $first) as submission_id) from fact f "
            "join submission s on s.submission_id = f.submission_id and s.status = 'loaded' cross join range($count) r",
            {"first": done, "count": count},
        )
        con.execute("commit")
        con.execute("checkpoint")
        done += count

    before = path.stat().st_size
    rounds(20)
    per_round = max(1, (path.stat().st_size - before) // 20)
    while path.stat().st_size < target_mb * 1_000_000:
        rounds(max(1, min(2000, (target_mb * 1_000_000 - path.stat().st_size) // per_round + 1)))


PROVINCE_FIRST_YEAR = 2015


def build_province(path: Path, towns: int, villages_per_town: int, indicators: int, years: int) -> int:
    """A province-sized warehouse written by DuckDB SQL alone (no Python row loops): `towns`
    towns of `villages_per_town` villages, each reporting `indicators` village-level counts
    every year from 2015, one loaded submission per town, year and topic. The catalog's
    village-level indicators come first; when more are asked for, synthetic ones (合成指标NN,
    under 社区矫正) are added to the catalog. No town-level figures, one outreach event per
    town and year, no history. Returns the number of values written."""
    path = Path(path)
    con = warehouse.connect(path)  # the schema, views and catalog; the demo's places are replaced below
    have = con.execute("select count(*) from catalog_indicator where breakdown = 'village'").fetchone()[0]
    params = {
        "towns": towns,
        "villages": villages_per_town,
        "indicators": indicators,
        "years": years,
        "first": PROVINCE_FIRST_YEAR,
        "extra": max(indicators - have, 0),
    }

    def run(sql: str) -> None:
        con.execute(sql, {key: value for key, value in params.items() if f"${key}" in sql})

    con.execute("begin")
    con.execute("delete from place")
    run(
        """
        insert into place
        select printf('44%04d100', t) as town_code, printf('第%d镇', t + 1) as town_name,
               printf('44%04d100%03d', t, v + 1) as village_code,
               printf('第%d镇%d%s', t + 1, v + 1, case when v < 6 then '社区' else '村' end) as village_name,
               case when v < 6 then '社区' else '村' end as village_type,
               printf('第%d镇第%d派出所', t + 1, v % 2 + 1) as police_station,
               t * $villages + v as sort_order
        from range($towns) a(t), range($villages) b(v)
        """
    )
    run(
        """
        insert into catalog_indicator
        select printf('syn_%02d', k + 1), printf('合成指标%02d', k + 1), 'correction', department, '人', 'village', 'stock',
               false, 'neutral', null, 1000 + k
        from range($extra) r(k), (select department from catalog_topic where topic = 'correction')
        """
    )
    run(
        "create temp table chosen as select indicator_code, topic from catalog_indicator where breakdown = 'village' "
        "order by sort_order limit $indicators"
    )
    run(
        """
        insert into submission by name
        select w.town_code || '-' || ($first + y) || '-' || c.topic as submission_id,
               'a-' || w.town_code || '-' || ($first + y) as attempt_id,
               c.topic || '_' || ($first + y) || '.xlsx' as file_name, 'Sheet1' as sheet_name,
               sha256(w.town_code || ($first + y) || c.topic) as sha256, t.department, c.topic, ($first + y)::integer as year,
               w.town_code, timestamp '2025-01-10 09:00:00' as loaded_at, 'loaded' as status, 0 as row_count
        from (select distinct town_code from place) w, range($years) r(y), (select distinct topic from chosen) c
        join catalog_topic t using (topic)
        """
    )
    run(
        """
        insert into fact
        select p.town_code || '-' || ($first + y) || '-' || c.topic, p.village_code, c.indicator_code,
               (hash(p.village_code, c.indicator_code, y) % 40)::bigint, 'exact', 'B5'
        from place p, range($years) r(y), chosen c
        """
    )
    run(
        """
        insert into event by name
        select w.town_code || '-' || ($first + y) || '-ev' as event_id,
               w.town_code || '-' || ($first + y) || '-correction' as submission_id,
               make_date(($first + y)::integer, 3, 15) as event_date, ($first + y)::integer as year,
               w.town_code || '001' as village_code, '文化广场' as location, '宪法宣传周' as theme, null as partners,
               300 as materials, 'exact' as materials_qualifier, 1 as banners, 'exact' as banners_qualifier,
               25 as consultations, 'exact' as consultations_qualifier, 100 as participants, 'exact' as participants_qualifier,
               'outreach_' || ($first + y) || '.xlsx!Sheet1!A3' as source_ref
        from (select distinct town_code from place) w, range($years) r(y)
        """
    )
    con.execute("insert or replace into info values ('town_code', 'province'), ('town_name', '演示省')")
    con.execute("commit")
    con.execute("checkpoint")
    written = con.execute("select count(*) from fact").fetchone()[0]
    con.close()
    return written
