"""禁毒: registered drug users — status, risk level, by police station and by village.

A police station's figure is the sum over the villages in its jurisdiction.
"""

from figures import charts, kpis, tables
from figures.filters import Filters
from ui import connection, frame, widgets

TOPIC = "drugs"
TOPIC_NAME = "禁毒"
STATUS = ["drug_registered", "drug_reporting", "drug_deceased", "drug_detained"]
RISK = ["drug_risk_high", "drug_risk_medium", "drug_risk_low"]
CARDS = ["drug_registered", "drug_reporting", "drug_detained", "drug_deceased", "drug_risk_high", "drug_incidents"]


def body(f: Filters) -> None:
    totals, values, page = widgets.village_topic(f, TOPIC, TOPIC_NAME)
    stations = connection.read("station_totals", topic=TOPIC, years=f.years, village_codes=f.villages)
    if totals.empty:
        widgets.no_data()
        return
    widgets.kpi_row(kpis.kpis_from_totals(totals, CARDS, f), f)

    station_columns = {"police_station": "派出所", **tables.YEARLY_COLUMNS}
    left, right = widgets.chart_columns(f)
    with left:
        status = tables.of_year(stations, f.year_to, STATUS)
        page.chart(
            charts.grouped_bars(
                status,
                "police_station",
                "indicator_name",
                tables.names_of(totals, STATUS),
                f"{f.year_to}年各派出所辖区在册、报到、服刑强戒、死亡",
                f.style,
                unit="人",
            ),
            tables.tidy_for_export(status, station_columns),
            "派出所辖区状态",
        )
    with right:
        registered = tables.in_range(stations, f, ["drug_registered"])
        page.chart(
            charts.trend(registered, "各派出所辖区在册人数", f.style, series="police_station", unit="人"),
            tables.tidy_for_export(registered, station_columns),
            "派出所辖区趋势",
        )

    left, right = widgets.chart_columns(f)
    with left:
        risk = tables.in_range(totals, f, RISK)
        names = tables.names_of(totals, RISK)
        page.chart(
            charts.stacked_by_year(risk, "风险等级构成", f.style, "indicator_name", names, charts.RISK_LEVEL_COLOURS, "人"),
            tables.tidy_for_export(risk, tables.YEARLY_COLUMNS),
            "风险等级构成",
        )
    with right:
        by_village = tables.of_year(values, f.year_to, ["drug_registered"])
        page.chart(
            charts.ranked_bars(by_village, "village_name", f"{f.year_to}年各村（社区）在册人数", f.style, unit="人"),
            tables.tidy_for_export(by_village, tables.VILLAGE_COLUMNS),
            "分村对比",
        )
    widgets.village_detail(page, values)
    page.workbook()


frame.run_page(TOPIC_NAME, body)
