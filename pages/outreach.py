"""普法宣传: legal outreach events — how many, where, and what they reached."""

import streamlit as st

from figures import charts, kpis, tables
from figures.filters import Filters
from ui import connection, frame, widgets

TOPIC = "outreach"
TOPIC_NAME = "普法宣传"
CARDS = ["events", "participants", "materials", "consultations", "banners"]
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
EVENT_EXPORT_COLUMNS = {
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


def body(f: Filters) -> None:
    totals = connection.read("outreach_yearly", years=f.span, village_codes=f.villages)
    events = connection.read("outreach_events", years=f.years, village_codes=f.villages)
    page = widgets.PageExports(f, TOPIC_NAME, connection.read("source_refs", topic=TOPIC, years=f.years, village_codes=f.villages))
    if totals.empty and events.empty:
        widgets.no_data()
        return
    widgets.kpi_row(kpis.kpis_from_totals(totals, CARDS, f, better=dict.fromkeys(CARDS, "higher")), f)

    left, right = widgets.chart_columns(f)
    with left:
        counts = tables.in_range(totals, f, ["events"])
        page.chart(
            charts.trend(counts, "历年普法活动场次", f.style, unit="场"),
            tables.tidy_for_export(counts, tables.YEARLY_COLUMNS),
            "活动场次趋势",
        )
    with right:
        reach = tables.in_range(totals, f, ["materials", "consultations", "participants"])
        page.chart(
            charts.trend(reach, "发放资料、解答咨询与参与人数", f.style),
            tables.tidy_for_export(reach, tables.YEARLY_COLUMNS),
            "覆盖面趋势",
        )

    by_village = connection.read("outreach_by_village", years=f.years, village_codes=f.villages)
    by_village = by_village.assign(value=by_village["events"], display=by_village["events"].astype(str))
    page.chart(
        charts.ranked_bars(by_village, "village_name", f"{f.years_label}各村（社区）普法活动场次", f.style, unit="场"),
        tables.tidy_for_export(
            by_village,
            {"village_name": "村（社区）", "village_type": "类型", "police_station": "派出所", "events": "活动场次"},
        ),
        "分村活动场次",
    )

    st.subheader("活动明细")
    shown = events[list(EVENT_COLUMNS)].rename(columns=EVENT_COLUMNS)
    shown["活动日期"] = shown["活动日期"].dt.strftime("%Y-%m-%d")
    page.table(shown, tables.tidy_for_export(events, EVENT_EXPORT_COLUMNS), "活动明细")
    page.workbook()


frame.run_page(TOPIC_NAME, body)
