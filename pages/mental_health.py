"""严重精神障碍患者: patients under management by national risk grade 0–5 (高危 = 3级以上)."""

from etl.queries import derived_total
from pages import charts, ui

TOPIC = "mental_health"
TOPIC_NAME = "严重精神障碍患者"
GRADES = [f"mh_risk_{grade}" for grade in range(6)]
HIGH_RISK_NAME = "高危患者（3级以上）"


def body(f: ui.Filters) -> None:
    totals, values, page = ui.village_topic(f, TOPIC, TOPIC_NAME)
    if totals.empty:
        ui.no_data()
        return
    # 高危 and 一般风险 are derived from the grades, never submitted.
    high = derived_total(totals, "mh_high_risk", HIGH_RISK_NAME, GRADES[3:])
    general = derived_total(totals, "mh_general_risk", "一般风险患者（0–2级）", GRADES[:3])
    cards = ui.kpis_from_totals(
        ui.concat(totals, high, general),
        ["mh_managed", "mh_high_risk", "mh_general_risk", "mh_guardian_signed", "mh_forced_treatment"],
        f,
        better={"mh_high_risk": "lower"},
    )
    ui.kpi_row(cards, f)

    grade_names = ui.names_of(totals, GRADES)
    grade_colours = dict(zip(grade_names, charts.RISK_GRADE_COLOURS, strict=False))
    left, right = ui.chart_columns(f)
    with left:
        grades = ui.in_range(totals, f, GRADES)
        page.chart(
            charts.stacked_by_year(grades, "风险等级构成（3级以上为高危）", f.style, "indicator_name", grade_names, grade_colours, "人"),
            ui.tidy_for_export(grades, ui.YEARLY_COLUMNS),
            "风险等级构成",
        )
    with right:
        lines = ui.in_range(ui.concat(totals[totals["indicator_code"] == "mh_managed"], high), f)
        page.chart(
            charts.trend(
                lines,
                "在管患者与高危患者",
                f.style,
                unit="人",
                colours={"在管患者": charts.OKABE_ITO[0], HIGH_RISK_NAME: charts.OKABE_ITO[3]},
            ),
            ui.tidy_for_export(lines, ui.YEARLY_COLUMNS),
            "历年趋势",
        )

    latest = ui.of_year(values, f.year_to, GRADES)
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
        ui.tidy_for_export(latest, ui.VILLAGE_COLUMNS),
        "分村风险等级",
    )
    ui.village_detail(page, values)
    page.workbook()


ui.run_page(TOPIC_NAME, body)
