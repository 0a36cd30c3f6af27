"""社区矫正: people under community correction, by type, by village, over the years."""

from pages import charts, ui

TOPIC = "correction"
TOPIC_NAME = "社区矫正"
TYPES = ["cc_probation", "cc_parole", "cc_control", "cc_medical_parole"]
CARDS = ["cc_registered", "cc_absconded", "cc_missed", "cc_admitted", "cc_released"]


def body(f: ui.Filters) -> None:
    totals, values, page = ui.village_topic(f, TOPIC, TOPIC_NAME)
    if totals.empty:
        ui.no_data()
        return
    ui.kpi_row(ui.kpis_from_totals(totals, CARDS, f), f)

    left, right = ui.chart_columns(f)
    with left:
        flows = ui.in_range(totals, f, ["cc_registered", "cc_admitted", "cc_released"])
        page.chart(
            charts.trend(flows, "在册人数与当年接收、解除", f.style, unit="人"),
            ui.tidy_for_export(flows, ui.YEARLY_COLUMNS),
            "历年趋势",
        )
    with right:
        types = ui.in_range(totals, f, TYPES)
        page.chart(
            charts.stacked_by_year(types, "矫正类别构成（年末在册）", f.style, "indicator_name", ui.names_of(totals, TYPES), unit="人"),
            ui.tidy_for_export(types, ui.YEARLY_COLUMNS),
            "矫正类别构成",
        )

    registered = ui.of_year(values, f.year_to, ["cc_registered"])
    page.chart(
        charts.ranked_bars(registered, "village_name", f"{f.year_to}年各村（社区）在册社区矫正对象", f.style, unit="人"),
        ui.tidy_for_export(registered, ui.VILLAGE_COLUMNS),
        "分村对比",
    )

    ui.village_detail(page, values)
    page.workbook()


ui.run_page(TOPIC_NAME, body)
