"""Demo data: the sample workbooks in data/samples/ and the demo warehouse built from them.

2021 reproduces every figure of 十里亭镇's 2021 report on rule-of-law government; the
other years (2019–2023) and the split over villages are plausible inventions, labelled
演示数据 wherever they are shown. The samples are written as clerks really send them
(title rows, two-row headers, 合计 rows, notes, .xls and .ods, a hidden scratch sheet),
so building the demo exercises the same reader as real submissions.

    python -m etl samples   # rewrite data/samples/ from this file
    python -m etl demo      # rebuild the demo warehouse from data/samples/
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from etl import settings
from etl.authoring.writer import SheetSpec, write_workbook
from etl.loading import originals, warehouse
from etl.loading.loader import collect_paths, load_blobs, read_blobs
from etl.reference.catalog import load_catalog
from etl.reference.places import load_places

YEARS = (2019, 2020, 2021, 2022, 2023)
TOWN = "十里亭镇"


@dataclass(frozen=True)
class DemoTown:
    """A town of the demo: its name, its villages and its size against 十里亭镇 (1.0)."""

    name: str
    villages: list
    scale: float = 1.0


# Relative size of each village (by code suffix), used to spread town totals plausibly.
WEIGHTS = {
    "001": 14,
    "002": 11,
    "003": 9,
    "004": 8,
    "005": 7,
    "006": 10,
    "007": 8,
    "008": 6,
    "009": 6,
    "010": 5,
    "201": 9,
    "202": 5,
    "203": 4,
    "204": 5,
    "205": 4,
    "206": 3,
}

STAFFING = {
    # code: value per year 2019..2023 (None: not yet existing, left blank)
    "staff_posts_total": (24, 38, 38, 38, 38),
    "staff_posts_admin": (24, 32, 32, 32, 32),
    "staff_posts_enforcement": (0, 6, 6, 6, 6),
    "staff_actual_admin": (20, 17, 18, 20, 21),
    "staff_actual_enforcement": (0, 1, 2, 4, 5),
    "org_internal_bodies": (6, 9, 9, 9, 9),
    "org_committees": (0, 3, 3, 3, 3),
    "enf_office_staff": (None, 3, 5, 6, 7),
    "enf_office_staff_special": (None, 1, 2, 3, 4),
    "enf_office_staff_institution": (None, 1, 2, 2, 2),
    "enf_office_staff_contract": (None, 1, 1, 1, 1),
    "cert_enforcement_exam_passed": (8, 10, 13, 16, 18),
    "cert_leader_exam_participants": (10, 12, 15, 16, 17),
    "cert_leader_exam_excellent": (9, 12, 15, 16, 16),
    "disclosure_items_published": (None, 3, 7, 10, 12),
}


def split(total: int, codes: list[str], salt: int = 0) -> dict[str, int]:
    """Spread a town total over villages by weight (largest remainder), deterministically."""
    weights = [WEIGHTS.get(c[-3:], 3 + hash_int(c, 0) % 8) + ((hash_int(c, salt) % 5) - 2) for c in codes]
    weights = [max(w, 1) for w in weights]
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    floors = [int(s) for s in shares]
    order = sorted(range(len(codes)), key=lambda i: (floors[i] - shares[i], codes[i]))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return dict(zip(codes, floors))


def hash_int(text: str, salt: int) -> int:
    """A stable small hash (Python's hash() is salted per process)."""
    value = salt * 7919
    for ch in text:
        value = (value * 131 + ord(ch)) % 1_000_003
    return value


def _spread_parts(totals: dict[str, int], parts: dict[str, int], salt: int) -> dict[str, dict[str, int]]:
    """Split each named part's town figure over villages without exceeding a village's total."""
    codes = list(totals)
    result = {name: dict.fromkeys(codes, 0) for name in parts}
    room = dict(totals)
    for n, (name, amount) in enumerate(parts.items()):
        order = sorted(codes, key=lambda c: (-room[c], hash_int(c, salt + n)))
        left = amount
        while left:
            for code in order:
                if left and room[code] > 0:
                    result[name][code] += 1
                    room[code] -= 1
                    left -= 1
            if all(room[c] == 0 for c in codes) and left:
                raise ValueError("parts exceed the total")
    return result


def scaled(figures: tuple[int, ...], scale: float) -> tuple[int, ...]:
    """十里亭镇's figures resized for another town of the district demo (1.0: unchanged)."""
    return figures if scale == 1.0 else tuple(round(n * scale) for n in figures)


def correction_data(year: int, codes: list[str], scale: float = 1.0) -> dict[str, dict[str, int]]:
    town = {
        2019: (15, 13, 1, 0, 1, 7, 8),
        2020: (14, 13, 1, 0, 0, 6, 7),
        2021: (12, 12, 0, 0, 0, 5, 7),
        2022: (10, 9, 1, 0, 0, 4, 6),
        2023: (9, 8, 0, 1, 0, 5, 6),
    }[year]
    _, probation, parole, control, medical, admitted, released = scaled(town, scale)
    registered = probation + parole + control + medical
    active = [c for c in codes if hash_int(c, year) % 3 != 0]
    per = split(registered, active, year)
    per.update({c: 0 for c in codes if c not in active})
    types = _spread_parts(per, {"cc_parole": parole, "cc_control": control, "cc_medical_parole": medical}, year)
    result = {"cc_registered": per}
    result.update(types)
    result["cc_probation"] = {c: per[c] - sum(types[t][c] for t in types) for c in codes}
    assert sum(result["cc_probation"].values()) == probation
    result["cc_absconded"] = dict.fromkeys(codes, 0)
    result["cc_missed"] = dict.fromkeys(codes, 0)
    result["cc_admitted"] = split(admitted, codes, year + 11)
    result["cc_released"] = split(released, codes, year + 13)
    return result


def mental_health_data(year: int, codes: list[str], scale: float = 1.0) -> dict[str, dict[str, int]]:
    grades = {
        2019: (150, 48, 16, 4, 2, 1),
        2020: (156, 49, 17, 3, 2, 1),
        2021: (160, 50, 18, 3, 1, 1),
        2022: (166, 50, 18, 2, 1, 1),
        2023: (170, 50, 17, 2, 1, 1),
    }[year]
    grades = scaled(grades, scale)
    managed = sum(grades)
    per = split(managed, codes, year)
    high = _spread_parts(per, {"mh_risk_3": grades[3], "mh_risk_4": grades[4], "mh_risk_5": grades[5]}, year)
    rest = {c: per[c] - sum(high[g][c] for g in high) for c in codes}
    low = _spread_parts(rest, {"mh_risk_1": grades[1], "mh_risk_2": grades[2]}, year + 1)
    result = {"mh_managed": per, **high, **low}
    result["mh_risk_0"] = {c: rest[c] - low["mh_risk_1"][c] - low["mh_risk_2"][c] for c in codes}
    (unsigned,) = scaled(({2019: 12, 2020: 8, 2021: 4, 2022: 2, 2023: 1}[year],), scale)
    missing = _spread_parts(per, {"x": unsigned}, year + 2)["x"]
    result["mh_guardian_signed"] = {c: per[c] - missing[c] for c in codes}
    (forced,) = scaled(({2019: 3, 2020: 4, 2021: 5, 2022: 4, 2023: 3}[year],), scale)
    result["mh_forced_treatment"] = split(forced, codes, year + 3)
    return result


# Town figures by police station: registered, reporting, deceased, detained, high, medium, incidents.
DRUGS = {
    2019: {"十里亭派出所": (168, 9, 2, 15, 6, 20, 1), "五里亭派出所": (124, 7, 2, 5, 4, 14, 0)},
    2020: {"十里亭派出所": (172, 8, 3, 14, 5, 19, 0), "五里亭派出所": (127, 6, 2, 4, 3, 13, 0)},
    2021: {"十里亭派出所": (175, 6, 4, 12, 4, 17, 0), "五里亭派出所": (129, 5, 3, 3, 3, 12, 0)},
    2022: {"十里亭派出所": (177, 5, 5, 10, 3, 15, 0), "五里亭派出所": (130, 4, 4, 3, 2, 11, 0)},
    2023: {"十里亭派出所": (178, 4, 6, 9, 2, 13, 0), "五里亭派出所": (131, 4, 4, 2, 2, 10, 0)},
}


def drugs_data(year: int, villages, scale: float = 1.0) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    stations = dict.fromkeys(v.police_station for v in villages)
    # Another town of the district demo: each of its stations like 十里亭派出所, resized.
    figures_of = DRUGS[year] if set(stations) == set(DRUGS[year]) else dict.fromkeys(stations, DRUGS[year]["十里亭派出所"])
    for station, figures in figures_of.items():
        codes = [v.code for v in villages if v.police_station == station]
        registered, reporting, deceased, detained, high, medium, incidents = scaled(figures, scale)
        per = split(registered, codes, year)
        status = _spread_parts(per, {"drug_reporting": reporting, "drug_deceased": deceased, "drug_detained": detained}, year)
        room = {c: per[c] - sum(status[s][c] for s in status) for c in codes}
        risk = _spread_parts(room, {"drug_risk_high": high, "drug_risk_medium": medium}, year + 5)
        low = {c: room[c] - risk["drug_risk_high"][c] - risk["drug_risk_medium"][c] for c in codes}
        parts = {"drug_registered": per, **status, **risk, "drug_risk_low": low, "drug_incidents": split(incidents, codes, year + 7)}
        for code, values in parts.items():
            result.setdefault(code, {}).update(values)
    return result


SEED_EVENT = (
    dt.date(2021, 7, 15),
    "前进路社区",
    "保利紫山广场",
    "“送法进社区”民法典法治宣传志愿服务活动",
    "镇人大办、组织办、综治办",
    "1000余",
    2,
    "30余人次",
    None,
)


def outreach_events(year: int, villages=None) -> list[tuple]:
    """(date, village, place, theme, partners, materials, banners, consultations, participants).
    For another town of the district demo (`villages`), the same kinds of event in its own villages."""
    if villages is not None:
        names = [v.name for v in villages]
        station = villages[0].police_station
        return [
            (dt.date(year, 3, 15), names[0], f"{names[0]}文化广场", "3·15消费者权益保护法律宣传", "市场监管所", 200, 1, 20, 90),
            (
                dt.date(year, 6, 26),
                names[1 % len(names)],
                f"{names[1 % len(names)]}村委会",
                "国际禁毒日禁毒宣传",
                f"禁毒办、{station}",
                300,
                2,
                "约30",
                120,
            ),
            (
                dt.date(year, 12, 4),
                names[2 % len(names)],
                f"{names[2 % len(names)]}党群服务中心",
                "国家宪法日宪法宣传",
                "人大办",
                "500余",
                2,
                25,
                150,
            ),
        ]
    events = [
        (dt.date(year, 3, 15), "十里亭社区", "社区文化广场", "3·15消费者权益保护法律宣传", "市场监管所", 300, 1, 25, 120),
        (dt.date(year, 4, 15), "金凤坪村", "金凤坪村委会", "全民国家安全教育日宣传", "派出所、综治办", 400, 2, "约40", 150),
        (dt.date(year, 6, 26), "五里亭社区", "五里亭市场门口", "国际禁毒日禁毒宣传", "禁毒办、五里亭派出所", 500, 2, 35, 200),
        (dt.date(year, 12, 4), "前进路社区", "前进路社区党群服务中心", "国家宪法日宪法宣传", "镇人大办", "800余", 3, "50余", 260),
    ]
    if year == 2021:
        events.insert(2, SEED_EVENT)
    if year >= 2022:
        events.append((dt.date(year, 9, 10), "红岭村", "红岭村文化室", "防范电信网络诈骗进村宣讲", "十里亭派出所", 350, 1, 30, "100余"))
    return events


# ------------------------------------------------------------------ sample workbooks


def _village_sheet(topic_code: str, year: int, values: dict[str, dict[str, int]], style: str, town: DemoTown | None = None) -> SheetSpec:
    """A per-village sheet: plain (template-like) or real (title, unit row, two-row header, 合计, notes)."""
    catalog = load_catalog()
    town = town or DemoTown(TOWN, home_places().villages)
    topic = catalog.topics[topic_code]
    indicators = catalog.topic_indicators(topic_code)
    villages = town.villages
    town_name = town.name
    rows: list[list[object]] = []
    merges: list[tuple[int, int, int, int]] = []
    if style == "plain":
        rows.append([f"{town_name}{topic.title}（演示数据）"])
        rows.append(["年度", year])
        rows.append(["村（社区）", *(i.label for i in indicators)])
        for v in villages:
            rows.append([v.name, *(values[i.code][v.code] for i in indicators)])
        return SheetSpec(topic.name, rows, widths={0: 14})
    # The way a clerk's own form looks: title, unit row, grouped two-row header, 合计, signatures.
    groups = {
        "correction": ("其中", ["cc_probation", "cc_parole", "cc_control", "cc_medical_parole"]),
        "mental_health": ("风险等级", [f"mh_risk_{g}" for g in range(6)]),
        "drugs": ("其中", ["drug_reporting", "drug_deceased", "drug_detained"]),
    }
    group_name, grouped = groups[topic_code]
    rows.append([f"{town_name}{year}年度{topic.title}（演示数据）"])
    rows.append([None] * (len(indicators)) + ["单位：人"])
    top, bottom = ["序号", "村（社区）"], [None, None]
    for ind in indicators:
        label = ind.label.replace("（", "\n（") if len(ind.name) > 4 else ind.name
        if ind.code in grouped:
            top.append(group_name if ind.code == grouped[0] else None)
            bottom.append(ind.name)
        else:
            top.append(label)
            bottom.append(None)
    rows += [top, bottom]
    head = len(rows) - 2
    merges += [(head, 0, head + 1, 0), (head, 1, head + 1, 1)]
    for col, ind in enumerate(indicators, start=2):
        if ind.code not in grouped:
            merges.append((head, col, head + 1, col))
    first = 2 + indicators.index(catalog.indicators[grouped[0]])
    merges.append((head, first, head, first + len(grouped) - 1))
    for n, v in enumerate(villages, start=1):
        name = v.name if n % 5 else f" {v.name.replace('社区', '社区居委会').replace('村', '村委会')}"
        rows.append([n, name, *(values[i.code][v.code] for i in indicators)])
    rows.append([None, "合  计", *(sum(values[i.code].values()) for i in indicators)])
    rows.append([])
    rows.append([None, "填表人：", None, None, "审核人：", None, "填报日期：", f"{year + 1}年1月8日"])
    return SheetSpec(f"{topic.name}{year}", rows, merges, widths={1: 16})


def staffing_figures(year: int, scale: float = 1.0) -> dict[str, int | None]:
    """The staffing form of one year; for another town, the parts resized and the totals summed again."""
    index = YEARS.index(year)
    figures = {code: values[index] for code, values in STAFFING.items()}
    if scale == 1.0:
        return figures
    figures = {code: None if value is None else round(value * scale) for code, value in figures.items()}
    for total, parts in STAFFING_SUMS.items():
        if figures[total] is not None:
            figures[total] = sum(figures[part] or 0 for part in parts)
    figures["cert_leader_exam_excellent"] = min(figures["cert_leader_exam_excellent"], figures["cert_leader_exam_participants"])
    return figures


# The staffing form's totals and their parts (data/catalog.toml's 其中 rows).
STAFFING_SUMS = {
    "staff_posts_total": ("staff_posts_admin", "staff_posts_enforcement"),
    "enf_office_staff": ("enf_office_staff_special", "enf_office_staff_institution", "enf_office_staff_contract"),
}


def _staffing_sheet(year: int, style: str, town: DemoTown | None = None) -> SheetSpec:
    catalog = load_catalog()
    town_name = town.name if town else TOWN
    figures = staffing_figures(year, town.scale if town else 1.0)
    rows: list[list[object]] = []
    if style == "real":
        rows.append([f"{town_name}{year}年度队伍建设及行政执法资格情况表（演示数据）"])
        rows.append([None, None, "报送单位：党政综合办"])
    else:
        rows.append([f"{town_name}队伍建设及执法资格情况表（演示数据）"])
        rows.append(["年度：", year])
    rows.append(["指标", "数值", "备注"])
    for ind in catalog.topic_indicators("staffing"):
        value = figures[ind.code]
        label = f"{'    其中：' if ind.parent else ''}{ind.label}"
        note = None
        if ind.code == "staff_posts_total" and year == 2019:
            note = "2020年8月机构改革前"
        if ind.code == "cert_leader_exam_excellent" and value == figures["cert_leader_exam_participants"]:
            note = "参考人员全部优秀"
        rows.append([label, value if value is not None else "-", note])
    rows.append([])
    rows.append(["填表人：", None, "审核人："])
    return SheetSpec("队伍建设", rows, widths={0: 40})


def _outreach_sheet(year: int, style: str, town: DemoTown | None = None) -> SheetSpec:
    catalog = load_catalog()
    fields = catalog.event_fields
    rows: list[list[object]] = [[f"{town.name if town else TOWN}{year}年普法宣传活动登记表（演示数据）"]]
    rows.append([f.label for f in fields])
    for event in outreach_events(year, town.villages if town else None):
        date = event[0] if style == "real" else event[0].strftime("%Y年%-m月%-d日")
        rows.append([date, *event[1:]])
    rows.append([])
    rows.append(["填表人：", None, None, "审核人："])
    return SheetSpec(f"普法活动{year}", rows, widths={3: 40})


def home_places():
    """十里亭镇's villages, whether the list is the town's or the district's."""
    places = load_places()
    return places.of_town(places.town_named(TOWN).code)


def sample_files() -> dict[str, list[SheetSpec]]:
    """File name → sheets, for every department and year of the demo."""
    places = home_places()
    codes = [v.code for v in places.villages]
    files: dict[str, list[SheetSpec]] = {}
    for year in YEARS:
        real = year == 2021
        style = "real" if real else "plain"
        correction = _village_sheet("correction", year, correction_data(year, codes), style)
        mental = _village_sheet("mental_health", year, mental_health_data(year, codes), style)
        drugs = _village_sheet("drugs", year, drugs_data(year, places.villages), style)
        staffing = _staffing_sheet(year, style)
        outreach = _outreach_sheet(year, style)
        if real:
            scratch = SheetSpec("草稿", [["临时计算", None], ["前进路社区", 3]], hidden=True)
            files[f"{year}/十里亭镇{year}年度队伍建设情况.xlsx"] = [staffing]
            files[f"{year}/社区矫正统计表（司法所）.xls"] = [correction]
            files[f"{year}/严重精神障碍患者管理情况_{year}.xlsx"] = [mental, scratch]
            files[f"{year}/吸毒人员管控情况统计表.ods"] = [drugs]
            files[f"{year}/{year}年普法宣传活动登记表.xlsx"] = [outreach]
        else:
            files[f"{year}/队伍建设_{year}.xlsx"] = [staffing]
            files[f"{year}/司法所_{year}.xlsx"] = [correction, outreach]
            files[f"{year}/综治办_严重精神障碍患者_{year}.{'xls' if year == 2020 else 'xlsx'}"] = [mental]
            files[f"{year}/禁毒办_吸毒人员_{year}.{'ods' if year == 2023 else 'xlsx'}"] = [drugs]
    return files


def district_towns() -> list[DemoTown]:
    """The district demo's towns other than 十里亭镇 (whose samples are data/samples/), each
    resized by a stable factor between 0.4 and 1.0."""
    places = load_places()
    return [
        DemoTown(town.name, places.of_town(code).villages, round(0.4 + hash_int(town.name, 1) % 61 / 100, 2))
        for code, town in places.towns.items()
        if town.name != TOWN
    ]


def town_sample_files(town: DemoTown) -> dict[str, list[SheetSpec]]:
    """File name → sheets of another town of the district demo: the town is named in each
    title (how the loader tells whose file it is), the styles vary by year as 十里亭镇's do."""
    codes = [v.code for v in town.villages]
    files: dict[str, list[SheetSpec]] = {}
    for year in YEARS:
        style = "real" if year % 2 else "plain"
        files[f"{town.name}/{year}/队伍建设_{year}.xlsx"] = [_staffing_sheet(year, style, town)]
        files[f"{town.name}/{year}/司法所_{year}.xlsx"] = [
            _village_sheet("correction", year, correction_data(year, codes, town.scale), style, town),
            _outreach_sheet(year, style, town),
        ]
        files[f"{town.name}/{year}/综治办_{year}.xlsx"] = [
            _village_sheet("mental_health", year, mental_health_data(year, codes, town.scale), style, town)
        ]
        files[f"{town.name}/{year}/禁毒办_{year}.{'ods' if year == 2022 else 'xlsx'}"] = [
            _village_sheet("drugs", year, drugs_data(year, town.villages, town.scale), style, town)
        ]
    return files


def write_samples(folder: Path = settings.SAMPLES_DIR, files: dict[str, list[SheetSpec]] | None = None) -> list[Path]:
    written = []
    for name, sheets in (sample_files() if files is None else files).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(path, sheets)
        written.append(path)
    return written


# ------------------------------------------------------------------ demo warehouse


def build_demo(path: Path, samples: Path = settings.SAMPLES_DIR) -> None:
    """(Re)build the demo warehouse at `path` from the sample workbooks.

    Built beside it under another name, with its originals kept, then moved into
    place, so a dashboard reading `path` sees the old warehouse or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".{path.name}.building-{os.getpid()}")
    for leftover in (building, Path(f"{building}.wal"), Path(f"{building}.lock")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(originals.store_dir(building), ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="fazhi-district-") as others:
        # A district: the other towns' workbooks are written now, and read like real ones.
        for town in district_towns() if load_places().is_district else []:
            write_samples(Path(others), town_sample_files(town))
        files, _ = collect_paths([samples, others])
        reports = load_blobs(building, read_blobs(files))
    refused = [r for r in reports if r.status != "loaded"]
    if refused or not reports:
        details = "; ".join(f"{r.file}: {[e.message for e in r.errors]}" for r in refused)
        raise RuntimeError(f"demo samples did not load: {details or 'no sample files in ' + str(samples)}")
    with warehouse.writing(building) as con:
        warehouse.set_info(con, "dataset", "demo")
        warehouse.set_info(con, "built_at", dt.datetime.now().replace(microsecond=0).isoformat(sep=" "))
    (originals.store_dir(building) / "dataset").write_text("demo\n", encoding="utf-8")
    target_store = originals.store_dir(path)
    with warehouse.writer_lock(path):
        shutil.rmtree(target_store, ignore_errors=True)
        os.replace(originals.store_dir(building), target_store)
        os.replace(building, path)
    Path(f"{building}.lock").unlink(missing_ok=True)


def ensure_demo(path: Path) -> bool:
    """Build the demo warehouse if there is no warehouse yet; True if it was built."""
    if Path(path).exists():
        return False
    build_demo(path)
    return True
