"""队伍建设: posts, staff in post, the enforcement office and certification (town level)."""

import streamlit as st

from figures import charts, kpis, tables
from figures.filters import Filters
from figures.queries import derived_total
from ui import connection, frame, widgets

TOPIC = "staffing"
TOPIC_NAME = "队伍建设"
POSTS = ["staff_posts_admin", "staff_posts_enforcement"]
ACTUAL = ["staff_actual_admin", "staff_actual_enforcement"]
OFFICE = ["enf_office_staff_special", "enf_office_staff_institution", "enf_office_staff_contract"]
CARDS = [
    "staff_posts_total",
    "staff_actual_total",
    "enf_office_staff",
    "cert_enforcement_exam_passed",
    "cert_leader_exam_participants",
    "disclosure_items_published",
    "org_internal_bodies",
    "org_committees",
]
# The two kinds of post, as the report writes them, for the posts-versus-staff chart.
KINDS = {
    "staff_posts_admin": ("行政编制", "核定编制"),
    "staff_posts_enforcement": ("行政执法专项编制", "核定编制"),
    "staff_actual_admin": ("行政编制", "实有人数"),
    "staff_actual_enforcement": ("行政执法专项编制", "实有人数"),
}


def body(f: Filters) -> None:
    # Town-level: the village filter does not apply, so no village codes are passed.
    totals = connection.read("yearly_totals", topic=TOPIC, years=f.span)
    page = widgets.PageExports(f, TOPIC_NAME, connection.read("source_refs", topic=TOPIC, years=f.years))
    if totals.empty:
        widgets.no_data()
        return
    actual = derived_total(totals, "staff_actual_total", "实有人数（行政+执法专项）", ACTUAL)
    with_actual = tables.concat(totals, actual)
    widgets.kpi_row(kpis.kpis_from_totals(with_actual, CARDS, f, better={"staff_actual_total": "higher"}), f)

    left, right = widgets.chart_columns(f)
    with left:
        lines = tables.in_range(with_actual, f, ["staff_posts_total", "staff_actual_total"])
        page.chart(
            charts.trend(lines, "核定编制与实有人数", f.style, unit="人"),
            tables.tidy_for_export(lines, tables.YEARLY_COLUMNS),
            "编制与实有趋势",
        )
    with right:
        kinds = tables.of_year(totals, f.year_to, [*POSTS, *ACTUAL]).copy()
        kinds["kind_of_post"] = kinds["indicator_code"].map(lambda c: KINDS[c][0])
        kinds["measure"] = kinds["indicator_code"].map(lambda c: KINDS[c][1])
        page.chart(
            charts.grouped_bars(kinds, "kind_of_post", "measure", ["核定编制", "实有人数"], f"{f.year_to}年各类编制：核定与实有", f.style),
            tables.tidy_for_export(kinds, {"kind_of_post": "编制类别", "measure": "口径", **tables.YEARLY_COLUMNS}),
            "编制类别",
        )

    left, right = widgets.chart_columns(f)
    with left:
        office = tables.in_range(totals, f, OFFICE)
        page.chart(
            charts.stacked_by_year(
                office, "综合行政执法办公室人员构成", f.style, "indicator_name", tables.names_of(totals, OFFICE), unit="人"
            ),
            tables.tidy_for_export(office, tables.YEARLY_COLUMNS),
            "执法办人员构成",
        )
    with right:
        certified = tables.in_range(totals, f, ["cert_enforcement_exam_passed", "cert_leader_exam_participants"])
        page.chart(
            charts.trend(certified, "执法资格与学法考试", f.style, unit="人"),
            tables.tidy_for_export(certified, tables.YEARLY_COLUMNS),
            "执法资格与学法考试",
        )

    rows = connection.read("town_values", topic=TOPIC, years=f.years)
    st.subheader("明细")
    page.table(
        tables.indicators_by_year(rows),
        tables.tidy_for_export(rows, {**tables.YEARLY_COLUMNS, "source_ref": "来源单元格"}),
        "明细",
    )
    page.workbook()


frame.run_page(TOPIC_NAME, body, town_level=True)
