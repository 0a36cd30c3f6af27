"""严重精神障碍患者: patients under management by national risk grade 0–5 (高危 = 3级以上)."""

from figures import charts, kpis, tables
from figures.filters import Filters
from figures.queries import derived_total
from ui import frame, widgets

TOPIC = "mental_health"
TOPIC_NAME = "严重精神障碍患者"
GRADES = [f"mh_risk_{grade}" for grade in range(6)]
HIGH_RISK_NAME = "高危患者（3级以上）"


def body(f: Filters) -> None:
    totals, values, page = widgets.village_topic(f, TOPIC, TOPIC_NAME)
    if totals.empty:
        widgets.no_data()
        return
    # 高危 and 一般风险 are derived from the grades, never submitted.
    high = derived_total(totals, "mh_high_risk", HIGH_RISK_NAME, GRADES[3:])
    general = derived_total(totals, "mh_general_risk", "一般风险患者（0–2级）", GRADES[:3])
    cards = kpis.kpis_from_totals(
        tables.concat(totals, high, general),
        ["mh_managed", "mh_high_risk", "mh_general_risk", "mh_guardian_signed", "mh_forced_treatment"],
        f,
        better={"mh_high_risk": "lower"},
    )
    widgets.kpi_row(cards, f)

    grade_names = tables.names_of(totals, GRADES)
    grade_colours = dict(zip(grade_names, charts.RISK_GRADE_COLOURS, strict=False))
    left, right = widgets.chart_columns(f)
    with left:
        grades = tables.in_range(totals, f, GRADES)
        page.chart(
            charts.stacked_by_year(grades, "风险等级构成（3级以上为高危）", f.style, "indicator_name", grade_names, grade_colours, "人"),
            tables.tidy_for_export(grades, tables.YEARLY_COLUMNS),
            "风险等级构成",
        )
    with right:
        lines = tables.in_range(tables.concat(totals[totals["indicator_code"] == "mh_managed"], high), f)
        page.chart(
            charts.trend(
                lines,
                "在管患者与高危患者",
                f.style,
                unit="人",
                colours={"在管患者": charts.OKABE_ITO[0], HIGH_RISK_NAME: charts.OKABE_ITO[3]},
            ),
            tables.tidy_for_export(lines, tables.YEARLY_COLUMNS),
            "历年趋势",
        )

    latest = tables.of_year(values, f.year_to, GRADES)
    page.chart(
        charts.stacked_bars_by_category(
            latest,
            "village_name",
            "indicator_name",
            grade_names,
            f"{f.year_to}年各村（社区）在管患者风险等级",
            f.style,
            grade_colours,
            "人",
        ),
        tables.tidy_for_export(latest, tables.VILLAGE_COLUMNS),
        "分村风险等级",
    )
    widgets.village_detail(page, values)
    page.workbook()


frame.run_page(TOPIC_NAME, body)
