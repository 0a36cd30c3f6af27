"""What each topic shows — its KPI cards, its charts and its tables — built from reads of the
public views for the filters in force. A topic page draws all of it; a slide of the deck
(data/deck.toml) draws one part by name ("correction.types"), so the page and the meeting
always show the same figures.

`read(name, **arguments)` is any function that runs `figures.queries.<name>(cursor, ...)`
(the dashboard passes its cached, protection-aware reader). Charts and tables are built
only when drawn: a slide builds one figure, not the page's six.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from figures import charts, kpis, queries, tables
from figures.charts import Group
from figures.filters import Filters

Reader = Callable[..., object]

YEARLY_COLUMNS = tables.YEARLY_COLUMNS
VILLAGE_COLUMNS = tables.VILLAGE_COLUMNS
STATION_COLUMNS = {"police_station": "派出所", **YEARLY_COLUMNS}


@dataclass
class Chart:
    key: str
    title: str  # the name of its downloads: 历年趋势
    make: Callable[[], tuple[go.Figure, pd.DataFrame]]  # the figure and the table behind it
    wide: bool = False  # the whole width of a page (a ranking of villages)
    picks_village: bool = False  # a click on a bar filters the page to that village


@dataclass
class Table:
    key: str
    title: str
    # What the screen shows, then the download and the long form with sources as functions:
    # those are made only when someone downloads them.
    make: Callable[[], tuple[pd.DataFrame, Callable[[], pd.DataFrame], Callable[[], pd.DataFrame] | None]]


@dataclass
class TopicView:
    code: str
    name: str  # as pages and downloads say it
    cards: list[kpis.Kpi]
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    sources: Callable[[], list[str]] = list
    empty: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        # A view may be shared (ui.connection.view): each part is made once, when first drawn.
        for part in (*self.charts, *self.tables):
            part.make = functools.cache(part.make)
        self.sources = functools.cache(self.sources)

    def chart(self, key: str) -> Chart:
        return next(chart for chart in self.charts if chart.key == key)


def _yearly(frame: pd.DataFrame) -> pd.DataFrame:
    return tables.tidy_for_export(frame, YEARLY_COLUMNS)


def unit_columns(f: Filters) -> dict[str, str]:
    """A download's columns of village rows, or of town rows when a district is seen whole."""
    if not f.rollup:
        return VILLAGE_COLUMNS
    return {key: (f.unit_name if key == "village_name" else title) for key, title in VILLAGE_COLUMNS.items() if key != "police_station"}


def by_unit(f: Filters) -> str:
    """分村 / 分镇: the name of a page's breakdown chart and its downloads."""
    return "分镇" if f.rollup else "分村"


# ---------------------------------------------------------------- villages under protection


def ranking(read: Reader, f: Filters, topic: str, values: pd.DataFrame, code: str) -> tuple[pd.DataFrame, tuple[Group, ...]]:
    """One indicator of the last year shown, by village: the villages whose count is shown,
    and — in meeting mode — the hidden ones as groups (其余 n 个村（社区），每村少于 3 人; 另有 m
    个已隐去), never as empty bars or left out of a ranking, with their total only where it
    can be worked out from what is published anyway (figures.protection)."""
    rows = tables.of_year(values, f.year_to, [code])
    if not f.small_count_k or rows.empty or f.rollup:  # a town's total is never hidden
        return rows, ()
    grouped = read(
        "grouped_villages", topic=topic, years=f.years, year=f.year_to, indicator=code, village_codes=f.villages, town=f.town_code
    )
    unit = rows["unit"].iloc[0] or ""
    villages = grouped[grouped["kind"] == "village"]
    shown = pd.DataFrame(
        {
            "village_name": villages["label"],
            "village_code": [codes[0] for codes in villages["villages"]],
            "value": villages["value"].astype("float"),
            "display": villages["display"],
            "unit": unit,
        }
    )
    groups = tuple(
        Group(
            row.label, None if pd.isna(row.value) else int(row.value), row.display if row.kind != "hidden_total" else f"{row.display}{unit}"
        )
        for row in grouped[grouped["kind"] != "village"].itertuples()
    )
    return shown, groups


def _village_chart(key: str, read: Reader, f: Filters, topic: str, values: pd.DataFrame, code: str, what: str) -> Chart:
    """The last year shown by village (by town when a district is seen whole), ranked."""

    def make() -> tuple[go.Figure, pd.DataFrame]:
        shown, groups = ranking(read, f, topic, values, code)
        figure = charts.ranked_bars(shown, "village_name", f"{f.year_to}年各{f.unit_name}{what}", f.style, groups=groups)
        data = tables.tidy_for_export(tables.of_year(values, f.year_to, [code]), unit_columns(f))
        return figure, data

    return Chart(key, f"{by_unit(f)}对比", make, wide=True, picks_village=True)


def detail_rows(values: pd.DataFrame, k: int) -> pd.DataFrame:
    """Village rows of the detail table; in meeting mode the villages whose every count is
    hidden are one row per year (其余 n 个村（社区）), not a wall of <3 and *."""
    if not k or values.empty:
        return values
    hidden = values["qualifier"] == queries.SUPPRESSED
    all_hidden = hidden.groupby([values["year"], values["village_code"]]).transform("all")
    kept = values[~all_hidden]
    folded = []
    for _year, rows in values[all_hidden].groupby("year"):
        count = rows["village_code"].nunique()
        for _code, cells in rows.groupby("indicator_code", sort=False):
            markers = set(cells["display"].astype(str))
            folded.append(
                {
                    **cells.iloc[0].to_dict(),
                    "village_code": "~",  # sorts after every real code
                    "village_name": f"其余 {count} 个村（社区）",
                    "value": pd.NA,
                    "display": f"每村<{k}" if markers == {f"<{k}"} else "已隐去",  # * or … among them
                }
            )
    return pd.concat([kept, pd.DataFrame(folded)], ignore_index=True) if folded else kept


def _village_detail(values: pd.DataFrame, totals: pd.DataFrame, f: Filters) -> Table:
    def make():
        rows = detail_rows(values, f.small_count_k)
        shown = tables.wide_detail(rows, ["year", "village_name"], {"year": "年份", "village_name": f.unit_name})
        return (
            shown,
            lambda: tables.wide_export(values, tables.in_range(totals, f)),
            lambda: tables.tidy_for_export(values, unit_columns(f)),
        )

    return Table("detail", "明细", make)


def _village_topic(read: Reader, f: Filters, topic: str) -> tuple[pd.DataFrame, pd.DataFrame, Callable[[], list[str]]]:
    """The topic's totals, its units' values (villages, or a whole district's towns) and sources."""
    totals = read("yearly_totals", topic=topic, years=f.span, village_codes=f.villages, town=f.town_code)
    if f.rollup:
        values = read("town_rollup", topic=topic, years=f.years)
    else:
        values = read("village_values", topic=topic, years=f.years, village_codes=f.villages, town=f.town_code)
    return totals, values, lambda: read("source_refs", topic=topic, years=f.years, village_codes=f.villages, town=f.town_code)


# ---------------------------------------------------------------- the topics


CORRECTION_TYPES = ["cc_probation", "cc_parole", "cc_control", "cc_medical_parole"]


def correction(read: Reader, f: Filters) -> TopicView:
    totals, values, sources = _village_topic(read, f, "correction")
    cards = kpis.kpis_from_totals(totals, ["cc_registered", "cc_absconded", "cc_missed", "cc_admitted", "cc_released"], f)

    def trend():
        flows = tables.in_range(totals, f, ["cc_registered", "cc_admitted", "cc_released"])
        return charts.trend(flows, "在册人数与当年接收、解除", f.style), _yearly(flows)

    def types():
        part = tables.in_range(totals, f, CORRECTION_TYPES)
        figure = charts.stacked_by_year(
            part, "矫正类别构成（年末在册）", f.style, "indicator_name", tables.names_of(totals, CORRECTION_TYPES)
        )
        return figure, _yearly(part)

    return TopicView(
        "correction",
        "社区矫正",
        cards,
        [
            Chart("trend", "历年趋势", trend),
            Chart("types", "矫正类别构成", types),
            _village_chart("villages", read, f, "correction", values, "cc_registered", "在册社区矫正对象"),
        ],
        [_village_detail(values, totals, f)],
        sources,
        empty=totals.empty,
    )


GRADES = [f"mh_risk_{grade}" for grade in range(6)]
HIGH_RISK_NAME = "高危患者（3级以上）"
GENERAL_RISK_NAME = "一般风险患者（0–2级）"


def mental_health(read: Reader, f: Filters) -> TopicView:
    totals, values, sources = _village_topic(read, f, "mental_health")
    # 高危 and 一般风险 are derived from the grades, never submitted.
    high = queries.derived_total(totals, "mh_high_risk", HIGH_RISK_NAME, GRADES[3:])
    general = queries.derived_total(totals, "mh_general_risk", GENERAL_RISK_NAME, GRADES[:3])
    cards = kpis.kpis_from_totals(
        tables.concat(totals, high, general),
        ["mh_managed", "mh_high_risk", "mh_general_risk", "mh_guardian_signed", "mh_forced_treatment"],
        f,
        better={"mh_high_risk": "lower"},
    )
    grade_names = tables.names_of(totals, GRADES)
    colours = dict(zip(grade_names, charts.RISK_GRADE_COLOURS, strict=False))

    def grades():
        part = tables.in_range(totals, f, GRADES)
        panels = [("一般风险（0–2级）", grade_names[:3]), ("高危（3–5级）", grade_names[3:])]
        figure = charts.split_stacks(part, "风险等级构成（3级以上为高危，右图单独标尺）", f.style, "indicator_name", panels, colours)
        return figure, _yearly(part)

    def trend():
        lines = tables.in_range(tables.concat(totals[totals["indicator_code"] == "mh_managed"], high), f)
        colours_ = {"在管患者": charts.OKABE_ITO[0], HIGH_RISK_NAME: charts.OKABE_ITO[3]}
        return charts.trend(lines, "在管患者与高危患者", f.style, colours=colours_), _yearly(lines)

    def villages():
        if f.small_count_k:
            # Grades of one village are mostly below k: the projector ranks villages by 在管患者.
            return _village_chart("villages", read, f, "mental_health", values, "mh_managed", "在管患者").make()
        latest = tables.of_year(values, f.year_to, GRADES)
        figure = charts.stacked_bars_by_category(
            latest, "village_name", "indicator_name", grade_names, f"{f.year_to}年各{f.unit_name}在管患者风险等级", f.style, colours
        )
        return figure, tables.tidy_for_export(latest, unit_columns(f))

    return TopicView(
        "mental_health",
        "严重精神障碍患者",
        cards,
        [
            Chart("grades", "风险等级构成", grades),
            Chart("trend", "历年趋势", trend),
            Chart("villages", f"{by_unit(f)}风险等级", villages, wide=True, picks_village=True),
        ],
        [_village_detail(values, totals, f)],
        sources,
        empty=totals.empty,
    )


DRUG_STATUS = ["drug_registered", "drug_reporting", "drug_deceased", "drug_detained"]
DRUG_RISK = ["drug_risk_high", "drug_risk_medium", "drug_risk_low"]


def drugs(read: Reader, f: Filters) -> TopicView:
    """A police station's figure is the sum over the villages of its jurisdiction; the annual
    report publishes the station figures, so they are never hidden."""
    totals, values, sources = _village_topic(read, f, "drugs")
    if f.rollup:  # a district seen whole: its towns where a town's page shows its stations
        stations = values.drop(columns="police_station").rename(columns={"village_name": "police_station"})
        where, station_columns = f.unit_name, {**STATION_COLUMNS, "police_station": f.unit_name}
    else:
        stations = read("station_totals", topic="drugs", years=f.years, village_codes=f.villages, town=f.town_code)
        where, station_columns = "派出所辖区", STATION_COLUMNS
    cards = kpis.kpis_from_totals(
        totals, ["drug_registered", "drug_reporting", "drug_detained", "drug_deceased", "drug_risk_high", "drug_incidents"], f
    )

    def by_station():
        status = tables.of_year(stations, f.year_to, DRUG_STATUS)
        figure = charts.grouped_bars(
            status,
            "police_station",
            "indicator_name",
            tables.names_of(totals, DRUG_STATUS),
            f"{f.year_to}年各{where}在册、报到、服刑强戒、死亡",
            f.style,
        )
        return figure, tables.tidy_for_export(status, station_columns)

    def station_trend():
        registered = tables.in_range(stations, f, ["drug_registered"])
        figure = charts.trend(registered, f"各{where}在册人数", f.style, series="police_station")
        return figure, tables.tidy_for_export(registered, station_columns)

    def risk():
        part = tables.in_range(totals, f, DRUG_RISK)
        figure = charts.stacked_by_year(
            part, "风险等级构成", f.style, "indicator_name", tables.names_of(totals, DRUG_RISK), charts.RISK_LEVEL_COLOURS
        )
        return figure, _yearly(part)

    return TopicView(
        "drugs",
        "禁毒",
        cards,
        [
            Chart("stations", f"{where}状态", by_station, wide=f.rollup),
            Chart("station_trend", f"{where}趋势", station_trend, wide=f.rollup),
            Chart("risk", "风险等级构成", risk),
            _village_chart("villages", read, f, "drugs", values, "drug_registered", "在册吸毒人员"),
        ],
        [_village_detail(values, totals, f)],
        sources,
        empty=totals.empty,
    )


STAFF_POSTS = ["staff_posts_admin", "staff_posts_enforcement"]
STAFF_ACTUAL = ["staff_actual_admin", "staff_actual_enforcement"]
ENFORCEMENT_OFFICE = ["enf_office_staff_special", "enf_office_staff_institution", "enf_office_staff_contract"]
# The two kinds of post, as the report writes them, for the posts-versus-staff chart.
POST_KINDS = {
    "staff_posts_admin": ("行政编制", "核定编制"),
    "staff_posts_enforcement": ("行政执法专项编制", "核定编制"),
    "staff_actual_admin": ("行政编制", "实有人数"),
    "staff_actual_enforcement": ("行政执法专项编制", "实有人数"),
}


def staffing(read: Reader, f: Filters) -> TopicView:
    """Town level: the village filter does not apply. A district seen whole sums its towns'
    forms, and its detail lists the towns."""
    totals = read("yearly_totals", topic="staffing", years=f.span, town=f.town_code)
    actual = queries.derived_total(totals, "staff_actual_total", "实有人数（行政+执法专项）", STAFF_ACTUAL)
    with_actual = tables.concat(totals, actual)
    cards = kpis.kpis_from_totals(
        with_actual,
        [
            "staff_posts_total",
            "staff_actual_total",
            "enf_office_staff",
            "cert_enforcement_exam_passed",
            "cert_leader_exam_participants",
            "disclosure_items_published",
            "org_internal_bodies",
            "org_committees",
        ],
        f,
        better={"staff_actual_total": "higher"},
    )

    def posts():
        lines = tables.in_range(with_actual, f, ["staff_posts_total", "staff_actual_total"])
        return charts.trend(lines, "核定编制与实有人数", f.style), _yearly(lines)

    def kinds():
        part = tables.of_year(totals, f.year_to, [*STAFF_POSTS, *STAFF_ACTUAL]).copy()
        part["kind_of_post"] = part["indicator_code"].map(lambda c: POST_KINDS[c][0])
        part["measure"] = part["indicator_code"].map(lambda c: POST_KINDS[c][1])
        figure = charts.grouped_bars(
            part, "kind_of_post", "measure", ["核定编制", "实有人数"], f"{f.year_to}年各类编制：核定与实有", f.style
        )
        return figure, tables.tidy_for_export(part, {"kind_of_post": "编制类别", "measure": "口径", **YEARLY_COLUMNS})

    def office():
        part = tables.in_range(totals, f, ENFORCEMENT_OFFICE)
        figure = charts.stacked_by_year(
            part, "综合行政执法办公室人员构成", f.style, "indicator_name", tables.names_of(totals, ENFORCEMENT_OFFICE)
        )
        return figure, _yearly(part)

    def certified():
        part = tables.in_range(totals, f, ["cert_enforcement_exam_passed", "cert_leader_exam_participants"])
        return charts.trend(part, "执法资格与学法考试", f.style), _yearly(part)

    def detail():
        if f.rollup:  # the district's towns side by side, as the form of the last year shown
            towns = tables.of_year(read("town_rollup", topic="staffing", years=f.years), f.year_to)
            return (
                tables.indicators_by_year(towns, across="village_name"),
                lambda: tables.form_export(towns, across="village_name"),
                lambda: tables.tidy_for_export(towns, unit_columns(f)),
            )
        rows = read("town_values", topic="staffing", years=f.years, town=f.town_code)
        return (
            tables.indicators_by_year(rows),
            lambda: tables.form_export(rows),
            lambda: tables.tidy_for_export(rows, {**YEARLY_COLUMNS, "source_ref": "来源单元格"}),
        )

    return TopicView(
        "staffing",
        "队伍建设",
        cards,
        [
            Chart("posts", "编制与实有趋势", posts),
            Chart("kinds", "编制类别", kinds),
            Chart("office", "执法办人员构成", office),
            Chart("certified", "执法资格与学法考试", certified),
        ],
        [Table("detail", "明细", detail)],
        lambda: read("source_refs", topic="staffing", years=f.years, town=f.town_code),
        empty=totals.empty,
    )


OUTREACH_CARDS = ["events", "participants", "materials", "consultations", "banners"]
EVENT_COLUMNS = {
    "event_date": "活动日期",
    "village_name": "村（社区）",
    "location": "地点",
    "theme": "活动主题",
    "partners": "联合单位",
    "materials_display": "发放资料（份）",
    "banners_display": "悬挂横幅（幅）",
    "consultations_display": "解答咨询（人次）",
    "participants_display": "参与人数（人）",
}
EVENT_SOURCE_COLUMNS = {
    "event_date": "活动日期",
    "year": "年份",
    "village_name": "村（社区）",
    "location": "地点",
    "theme": "活动主题",
    "partners": "联合单位",
    "materials": "发放资料（份）",
    "materials_qualifier": "发放资料限定",
    "banners": "悬挂横幅（幅）",
    "banners_qualifier": "悬挂横幅限定",
    "consultations": "解答咨询（人次）",
    "consultations_qualifier": "解答咨询限定",
    "participants": "参与人数（人）",
    "participants_qualifier": "参与人数限定",
    "source_ref": "来源单元格",
}


def events_export(events: pd.DataFrame, totals: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The event list for a download: dates as dates, counts as numbers (1000+ as text),
    and a 合计 row of the years shown."""
    out = pd.DataFrame(
        {
            "活动日期": [d.date() if hasattr(d, "date") else d for d in events["event_date"]],
            "村（社区）": events["village_name"].fillna("全镇"),
            "地点": events["location"],
            "活动主题": events["theme"],
            "联合单位": events["partners"],
        }
    )
    for measure, (name, unit) in queries.OUTREACH_MEASURES.items():
        out[f"{name}（{unit}）"] = [
            cell_value_or_blank(v, q, d)
            for v, q, d in zip(events[measure], events[f"{measure}_qualifier"], events[f"{measure}_display"], strict=True)
        ]
    total = {"活动日期": None, "村（社区）": tables.TOTAL_ROW, "地点": f"{len(events)} 场", "活动主题": "", "联合单位": ""}
    shown = tables.in_range(totals, f)
    for measure, (name, unit) in queries.OUTREACH_MEASURES.items():
        rows = shown[shown["indicator_code"] == measure]
        if rows.empty:
            total[f"{name}（{unit}）"] = ""
        elif (rows["qualifier"] == "exact").all():
            total[f"{name}（{unit}）"] = int(rows["value"].sum())
        else:
            vague = "约" if (rows["qualifier"] == "approx").any() else ""
            total[f"{name}（{unit}）"] = f"{vague}{int(rows['value'].sum())}" + ("" if vague else "+")
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def cell_value_or_blank(value, qualifier, display):
    if value is None or pd.isna(value):
        return ""
    return tables.cell_value(value, qualifier, display)


def outreach(read: Reader, f: Filters) -> TopicView:
    totals = read("outreach_yearly", years=f.span, village_codes=f.villages, town=f.town_code)
    events = read("outreach_events", years=f.years, village_codes=f.villages, town=f.town_code)
    cards = kpis.kpis_from_totals(totals, OUTREACH_CARDS, f, better=dict.fromkeys(OUTREACH_CARDS, "higher"))

    def counts():
        part = tables.in_range(totals, f, ["events"])
        return charts.trend(part, "历年普法活动场次", f.style), _yearly(part)

    def reach():
        part = tables.in_range(totals, f, ["materials", "consultations", "participants"]).copy()
        part["panel"] = part["indicator_name"]
        return charts.small_multiples(part, "发放资料、解答咨询与参与人数（各自标尺）", f.style, columns=3), _yearly(part)

    def villages():
        by_village = read("outreach_by_village", years=f.years, village_codes=f.villages, town=f.town_code, by_town=f.rollup)
        by_village = by_village.assign(value=by_village["events"], display=by_village["events"].astype(str), unit="场")
        figure = charts.ranked_bars(by_village, "village_name", f"{f.years_label}各{f.unit_name}普法活动场次", f.style)
        columns = {"village_name": f.unit_name, "village_type": "类型", "police_station": "派出所", "events": "活动场次"}
        data = tables.tidy_for_export(by_village, {k: v for k, v in columns.items() if not (f.rollup and k == "police_station")})
        return figure, data

    def event_list():
        shown = events[list(EVENT_COLUMNS)].rename(columns=EVENT_COLUMNS)
        shown["活动日期"] = shown["活动日期"].dt.strftime("%Y-%m-%d")
        return shown, lambda: events_export(events, totals, f), lambda: tables.tidy_for_export(events, EVENT_SOURCE_COLUMNS)

    return TopicView(
        "outreach",
        "普法宣传",
        cards,
        [
            Chart("events", "活动场次趋势", counts),
            Chart("reach", "覆盖面趋势", reach),
            Chart("villages", f"{by_unit(f)}活动场次", villages, wide=True, picks_village=True),
        ],
        [Table("events", "活动明细", event_list)],
        lambda: read("source_refs", topic="outreach", years=f.years, village_codes=f.villages, town=f.town_code),
        empty=totals.empty and events.empty,
    )


# (topic, indicator) of each headline card, in the order a meeting goes through them.
HEADLINES = [
    ("staffing", "staff_posts_total"),
    ("staffing", "cert_enforcement_exam_passed"),
    ("correction", "cc_registered"),
    ("mental_health", "mh_managed"),
    ("mental_health", "mh_high_risk"),
    ("drugs", "drug_registered"),
    ("drugs", "drug_incidents"),
    ("outreach", "events"),
]
HEADLINE_LABELS = {
    "staff_posts_total": "核定编制",
    "cert_enforcement_exam_passed": "通过执法资格考试",
    "cc_registered": "在册社区矫正对象",
    "mh_managed": "在管严重精神障碍患者",
    "mh_high_risk": "高危患者（3级以上）",
    "drug_registered": "在册吸毒人员",
    "drug_incidents": "吸毒人员肇事肇祸",
    "events": "普法活动场次",
}


def overview(read: Reader, f: Filters) -> TopicView:
    """The headline figure of every topic for the last year shown, with its change and trend."""
    scope = {"village_codes": f.villages, "town": f.town_code}
    mental = read("yearly_totals", topic="mental_health", years=f.span, **scope)
    totals = tables.concat(
        read("yearly_totals", topic="staffing", years=f.span, town=f.town_code),
        read("yearly_totals", topic="correction", years=f.span, **scope),
        mental,
        queries.derived_total(mental, "mh_high_risk", HIGH_RISK_NAME, GRADES[3:]),
        read("yearly_totals", topic="drugs", years=f.span, **scope),
        read("outreach_yearly", years=f.span, **scope),
    )
    codes = [code for _, code in HEADLINES]
    cards = (
        kpis.kpis_from_totals(totals, codes, f, labels=HEADLINE_LABELS, better={"mh_high_risk": "lower", "events": "higher"})
        if not totals.empty
        else []
    )

    def trends():
        part = tables.in_range(totals, f, codes).copy()
        part["panel"] = part["indicator_code"].map(HEADLINE_LABELS)
        part = part.sort_values("indicator_code", key=lambda s: s.map(codes.index), kind="stable")
        return charts.small_multiples(part, "各项指标历年走势", f.style, columns=4), tables.tidy_for_export(
            part, {"panel": "卡片", **YEARLY_COLUMNS}
        )

    def sources() -> list[str]:
        found: list[str] = []
        for topic in dict.fromkeys(topic for topic, _ in HEADLINES):
            found += read(
                "source_refs", topic=topic, years=f.years, village_codes=() if topic == "staffing" else f.villages, town=f.town_code
            )
        return sorted(set(found))

    note = "队伍建设为全镇指标，不受村（社区）筛选影响；其余卡片为所选村（社区）之和。" if f.villages else ""
    towns = [Table("towns", "各镇（街道）", lambda: _towns_table(read, f))] if f.rollup else []
    return TopicView("overview", "总览", cards, [Chart("trends", "历年走势", trends)], towns, sources, empty=totals.empty, note=note)


def _towns_table(read: Reader, f: Filters):
    """A district seen whole: each town's headline figures of the last year shown, side by side."""
    year = (f.year_to, f.year_to)
    parts = [read("town_rollup", topic=topic, years=year) for topic in ("staffing", "correction", "mental_health", "drugs")]
    mental = parts[2]
    high = mental[mental["indicator_code"].isin(GRADES[3:])].groupby(["year", "village_code", "village_name"], as_index=False)
    high = queries.with_display(high.agg(value=("value", "sum"), qualifier=("qualifier", _vaguest)).assign(indicator_code="mh_high_risk"))
    events = read("outreach_by_village", years=year, by_town=True)
    events = events.assign(indicator_code="events", value=events["events"], display=events["events"].astype(str), qualifier="exact")
    rows = tables.concat(*parts, high, events)
    rows = rows[rows["indicator_code"].isin([code for _, code in HEADLINES])]
    order = list(dict.fromkeys(read("villages")["town_name"]))
    labels = {code: HEADLINE_LABELS[code] for _, code in HEADLINES}

    def grid(cell: str) -> pd.DataFrame:
        table = rows.pivot_table(index="village_name", columns="indicator_code", values=cell, aggfunc="first")
        table = table.reindex(index=order, columns=list(labels)).rename(columns=labels)
        table.index.name = f"{f.year_to}年 · 镇（街道）"
        return table.reset_index()

    rows = rows.assign(cell=[tables.cell_value(v, q, d) for v, q, d in zip(rows["value"], rows["qualifier"], rows["display"], strict=True)])
    return grid("display").fillna("—"), lambda: grid("cell"), None


def _vaguest(qualifiers: pd.Series) -> str:
    """A sum is only as exact as its vaguest part."""
    found = set(qualifiers)
    return queries.APPROX if queries.APPROX in found else queries.AT_LEAST if queries.AT_LEAST in found else queries.EXACT


# The charts each topic view draws, by key: what data/deck.toml may name (a test checks
# these are the views' own keys).
CHART_KEYS: dict[str, tuple[str, ...]] = {
    "overview": ("trends",),
    "staffing": ("posts", "kinds", "office", "certified"),
    "correction": ("trend", "types", "villages"),
    "mental_health": ("grades", "trend", "villages"),
    "drugs": ("stations", "station_trend", "risk", "villages"),
    "outreach": ("events", "reach", "villages"),
}

TOPIC_VIEWS: dict[str, Callable[[Reader, Filters], TopicView]] = {
    "overview": overview,
    "staffing": staffing,
    "correction": correction,
    "mental_health": mental_health,
    "drugs": drugs,
    "outreach": outreach,
}
