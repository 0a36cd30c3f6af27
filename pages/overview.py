"""总览: the headline figure of every topic for the last year shown, with its change and trend."""

import streamlit as st

from figures import charts, kpis, tables
from figures.filters import Filters
from figures.queries import derived_total
from ui import connection, frame, widgets

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
LABELS = {
    "staff_posts_total": "核定编制",
    "cert_enforcement_exam_passed": "通过执法资格考试",
    "cc_registered": "在册社区矫正对象",
    "mh_managed": "在管严重精神障碍患者",
    "mh_high_risk": "高危患者（3级以上）",
    "drug_registered": "在册吸毒人员",
    "drug_incidents": "吸毒人员肇事肇祸",
    "events": "普法活动场次",
}


def body(f: Filters) -> None:
    staffing = connection.read("yearly_totals", topic="staffing", years=f.span)
    mental = connection.read("yearly_totals", topic="mental_health", years=f.span, village_codes=f.villages)
    totals = tables.concat(
        staffing,
        connection.read("yearly_totals", topic="correction", years=f.span, village_codes=f.villages),
        mental,
        derived_total(mental, "mh_high_risk", "高危患者（3级以上）", ["mh_risk_3", "mh_risk_4", "mh_risk_5"]),
        connection.read("yearly_totals", topic="drugs", years=f.span, village_codes=f.villages),
        connection.read("outreach_yearly", years=f.span, village_codes=f.villages),
    )
    if totals.empty:
        widgets.no_data()
        return
    codes = [code for _, code in HEADLINES]
    better = {"mh_high_risk": "lower", "events": "higher"}
    widgets.kpi_row(kpis.kpis_from_totals(totals, codes, f, labels=LABELS, better=better), f)
    if f.villages:
        st.caption("队伍建设为全镇指标，不受村（社区）筛选影响；其余卡片为所选村（社区）之和。")

    sources = []
    for topic in dict.fromkeys(topic for topic, _ in HEADLINES):
        sources += connection.read("source_refs", topic=topic, years=f.years, village_codes=() if topic == "staffing" else f.villages)
    page = widgets.PageExports(f, "总览", sorted(set(sources)))
    trends = tables.in_range(totals, f, codes).copy()
    trends["panel"] = trends["indicator_code"].map(LABELS)
    trends = trends.sort_values("indicator_code", key=lambda s: s.map(codes.index), kind="stable")
    page.chart(
        charts.small_multiples(trends, "各项指标历年走势", f.style, columns=4),
        tables.tidy_for_export(trends, {"panel": "卡片", **tables.YEARLY_COLUMNS}),
        "历年走势",
    )
    page.workbook()


frame.run_page("总览", body)
