"""What pages draw: KPI cards, tables for the desk or the projector, and charts and tables
with their CSV and Excel downloads (each download audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl.loading import warehouse
from figures import export, kpis, protection, queries, tables
from figures.filters import Filters
from ui.connection import db_path, read
from ui.frame import KEY_EXPORTS
from ui.login import current_user

# A projector shows this many rows of a table; the rest is in the download.
_PROJECTOR_ROWS = 40


def kpi_row(cards: list[kpis.Kpi], filters: Filters) -> None:
    """KPI cards in rows: at most four across when there are many (and in meeting mode),
    so labels and 56 px numbers fit at 1280 px."""
    per_row = 4 if filters.meeting or len(cards) > 5 else max(3, len(cards))
    for start in range(0, len(cards), per_row):
        columns = st.columns(per_row)
        for column, card in zip(columns, cards[start : start + per_row], strict=False):
            delta, colour, arrow = kpis.delta(card)
            with column:
                st.metric(
                    label=kpis.title(card),
                    value=card.display or queries.display_value(card.value, card.qualifier),
                    delta=delta,
                    delta_color=colour,
                    delta_arrow=arrow,
                    delta_description=kpis.description(card, filters),
                    help=kpis.basis_help(card, filters),
                    border=True,
                )


def no_data() -> None:
    st.info("所选年份和范围内暂无数据。请调整左侧筛选，或到“数据上报”页上传工作簿。")


def chart_columns(filters: Filters) -> list:
    """Two charts side by side at the desk; one under the other on the projector."""
    if filters.meeting:
        return [st.container(), st.container()]
    return list(st.columns(2, gap="large"))


def show_table(frame, filters: Filters) -> None:
    """A table: an interactive grid at the desk, a plain large-type table on the projector.

    `frame` is a DataFrame or a pandas Styler (for colour-marked cells).
    """
    if isinstance(frame, pd.DataFrame):
        frame = tables.for_screen(frame)
    if not filters.meeting:
        st.dataframe(frame, hide_index=True, width="stretch")
        return
    if isinstance(frame, pd.DataFrame):
        rows = len(frame)
        # st.table renders Markdown: workbook text (themes, names) must show as typed.
        frame = frame.head(_PROJECTOR_ROWS).map(lambda v: tables.plain(v) if isinstance(v, str) else v)
    else:
        rows = len(frame.data)
    st.table(frame, hide_index=True)
    if rows > _PROJECTOR_ROWS:
        st.caption(f"仅显示前 {_PROJECTOR_ROWS} 行，共 {rows} 行；完整数据请下载。")


class PageExports:
    """Charts and tables of one page, each with CSV and Excel downloads, and a workbook
    of the whole page (one sheet per chart or table, plus 说明)."""

    def __init__(self, filters: Filters, topic_name: str, sources: list[str]):
        self.filters = filters
        self.topic_name = topic_name
        self.sources = sources
        self.sheets: dict[str, pd.DataFrame] = {}

    def _name(self, extension: str, part: str | None = None) -> str:
        f = self.filters
        return export.file_name(f.town, self.topic_name, f.year_from, f.year_to, f.file_label, extension, part)

    def notes(self) -> list[tuple[str, str]]:
        f = self.filters
        status = read("warehouse_status")
        as_of = status["as_of"]
        return [
            ("标题", f"{f.town}{self.topic_name}"),
            ("年份范围", f.years_label),
            ("对比年份", f"{f.compare_year}年"),
            ("村（社区）", f.villages_label),
            ("所选村（社区）代码", ",".join(f.villages) or "全部"),
            ("数据截至", pd.Timestamp(as_of).strftime("%Y-%m-%d %H:%M") if as_of is not None else "尚未载入数据"),
            ("来源工作簿数", str(status["source_files"])),
            ("数据集", "演示数据" if status["dataset"] == "demo" else "正式数据"),
            ("导出时间", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
            ("数值说明", "“1000+”表示至少1000（原表写“1000余”），“约30”表示约数；合计为各村（社区）之和。"),
            *([("小数保护", protection.note(f.small_count_k).replace("\\*", "*"))] if f.small_count_k else []),
        ]

    def _audited(self, what: str, make: Callable[[], bytes]) -> Callable[[], bytes]:
        """A download's data, made on click, after an `export` entry in the audit trail
        (who, which page and table, which filters). If the entry cannot be written, the
        download fails rather than go unrecorded."""
        actor, path, f = current_user().name, db_path(), self.filters
        detail = f"{self.topic_name}·{what}；{f.summary()}" + (f"；小数保护 k={f.small_count_k}" if f.small_count_k else "")

        def audited() -> bytes:
            warehouse.audit(path, actor, "export", detail)
            return make()

        exports = st.session_state.setdefault(KEY_EXPORTS, {})
        exports[what] = audited
        return audited

    def downloads(self, data: pd.DataFrame, part: str) -> None:
        """CSV and Excel of one chart's or table's data, side by side."""
        self.sheets[part] = data
        key = f"dl_{len(self.sheets)}"
        with st.container(horizontal=True, gap="small"):
            st.download_button(
                "下载 CSV",
                data=self._audited(f"{part}（CSV）", lambda: export.csv_bytes(data)),
                file_name=self._name("csv", part),
                mime="text/csv",
                key=f"{key}_csv",
                on_click="ignore",
                icon=":material/download:",
            )
            st.download_button(
                "下载 Excel",
                data=self._audited(f"{part}（Excel）", lambda: export.xlsx_bytes({part: data}, self.notes(), self.sources)),
                file_name=self._name("xlsx", part),
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"{key}_xlsx",
                on_click="ignore",
                icon=":material/download:",
            )

    def chart(self, figure: go.Figure, data: pd.DataFrame, part: str) -> None:
        st.plotly_chart(figure, theme=None, width="stretch", config={"displaylogo": False})
        self.downloads(data, part)

    def table(self, shown: pd.DataFrame, data: pd.DataFrame, part: str) -> None:
        show_table(shown, self.filters)
        self.downloads(data, part)

    def workbook(self) -> None:
        """One Excel file with every chart's and table's data on this page."""
        sheets = dict(self.sheets)
        st.download_button(
            "下载本页全部数据（Excel，每个图表一张工作表 + 说明）",
            data=self._audited("本页全部数据（Excel）", lambda: export.xlsx_bytes(sheets, self.notes(), self.sources)),
            file_name=self._name("xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="dl_page_xlsx",
            on_click="ignore",
            type="primary",
            icon=":material/table_view:",
        )


def village_topic(f: Filters, topic: str, topic_name: str) -> tuple[pd.DataFrame, pd.DataFrame, PageExports]:
    """What every per-village topic page reads first: yearly totals, village values, and
    the page's exports with the source cells of the chosen years and villages."""
    totals = read("yearly_totals", topic=topic, years=f.span, village_codes=f.villages)
    values = read("village_values", topic=topic, years=f.years, village_codes=f.villages)
    page = PageExports(f, topic_name, read("source_refs", topic=topic, years=f.years, village_codes=f.villages))
    return totals, values, page


def village_detail(page: PageExports, values: pd.DataFrame) -> None:
    """The detail table of a per-village topic: one row per year and village."""
    st.subheader("明细")
    page.table(
        tables.wide_detail(values, ["year", "village_name"], {"year": "年份", "village_name": "村（社区）"}),
        tables.tidy_for_export(values, tables.VILLAGE_COLUMNS),
        "明细",
    )
