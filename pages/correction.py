"""社区矫正: people under community correction, by type, by village, over the years."""

from figures import charts, kpis, tables
from figures.filters import Filters
from ui import frame, widgets

TOPIC = "correction"
TOPIC_NAME = "社区矫正"
TYPES = ["cc_probation", "cc_parole", "cc_control", "cc_medical_parole"]
CARDS = ["cc_registered", "cc_absconded", "cc_missed", "cc_admitted", "cc_released"]


def body(f: Filters) -> None:
    totals, values, page = widgets.village_topic(f, TOPIC, TOPIC_NAME)
    if totals.empty:
        widgets.no_data()
        return
    widgets.kpi_row(kpis.kpis_from_totals(totals, CARDS, f), f)

    left, right = widgets.chart_columns(f)
    with left:
        flows = tables.in_range(totals, f, ["cc_registered", "cc_admitted", "cc_released"])
        page.chart(
            charts.trend(flows, "在册人数与当年接收、解除", f.style, unit="人"),
            tables.tidy_for_export(flows, tables.YEARLY_COLUMNS),
            "历年趋势",
        )
    with right:
        types = tables.in_range(totals, f, TYPES)
        page.chart(
            charts.stacked_by_year(types, "矫正类别构成（年末在册）", f.style, "indicator_name", tables.names_of(totals, TYPES), unit="人"),
            tables.tidy_for_export(types, tables.YEARLY_COLUMNS),
            "矫正类别构成",
        )

    registered = tables.of_year(values, f.year_to, ["cc_registered"])
    page.chart(
        charts.ranked_bars(registered, "village_name", f"{f.year_to}年各村（社区）在册社区矫正对象", f.style, unit="人"),
        tables.tidy_for_export(registered, tables.VILLAGE_COLUMNS),
        "分村对比",
    )

    widgets.village_detail(page, values)
    page.workbook()


frame.run_page(TOPIC_NAME, body)
