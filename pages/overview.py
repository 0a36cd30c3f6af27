"""总览: the headline figure of every topic for the last year shown, with its change and trend."""

import streamlit as st

from etl.queries import derived_total
from pages import charts, ui

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


def body(f: ui.Filters) -> None:
    staffing = ui.read("yearly_totals", "staffing", *f.span, ())
    mental = ui.read("yearly_totals", "mental_health", *f.span, f.villages)
    totals = ui.concat(
        staffing,
        ui.read("yearly_totals", "correction", *f.span, f.villages),
        mental,
        derived_total(mental, "mh_high_risk", "高危患者（3级以上）", ["mh_risk_3", "mh_risk_4", "mh_risk_5"]),
        ui.read("yearly_totals", "drugs", *f.span, f.villages),
        ui.read("outreach_yearly", *f.span, f.villages),
    )
    if totals.empty:
        ui.no_data()
        return
    codes = [code for _, code in HEADLINES]
    better = {"mh_high_risk": "lower", "events": "higher"}
    ui.kpi_row(ui.kpis_from_totals(totals, codes, f, labels=LABELS, better=better), f)
    if f.villages:
        st.caption("队伍建设为全镇指标，不受村（社区）筛选影响；其余卡片为所选村（社区）之和。")

    sources = []
    for topic in dict.fromkeys(topic for topic, _ in HEADLINES):
        sources += ui.read("source_refs", topic, f.year_from, f.year_to, () if topic == "staffing" else f.villages)
    page = ui.PageExports(f, "总览", sorted(set(sources)))
    trends = ui.in_range(totals, f, codes).copy()
    trends["panel"] = trends["indicator_code"].map(LABELS)
    trends = trends.sort_values("indicator_code", key=lambda s: s.map(codes.index), kind="stable")
    page.chart(
        charts.small_multiples(trends, "各项指标历年走势", f.style, columns=4),
        ui.tidy_for_export(trends, {"panel": "卡片", **ui.YEARLY_COLUMNS}),
        "历年走势",
    )
    page.workbook()


ui.run_page("总览", body)
