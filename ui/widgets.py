"""What pages draw: KPI cards, tables for the desk or the projector, and charts and tables
with their CSV and Excel downloads (each download audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl.loading import warehouse
from figures import charts, export, kpis, protection, queries, tables, views
from figures.filters import Filters
from figures.report.template import TemplateError
from ui.connection import LOGGER, db_path, key_points_of, read
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
            description = kpis.description(card, filters)
            if filters.meeting and description == f"较{filters.compare_year}年":
                description = None  # on the projector the line under the title names the year compared with
            with column:
                st.metric(
                    label=kpis.title(card),
                    value=card.display or queries.display_value(card.value, card.qualifier),
                    delta=delta,
                    delta_color=colour,
                    delta_arrow=arrow,
                    delta_description=description,
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


# A download's table, or the function that makes it when someone asks.
Sheet = pd.DataFrame | Callable[[], pd.DataFrame]


def made(sheet: Sheet) -> pd.DataFrame:
    return sheet() if callable(sheet) else sheet


def made_all(sheets: dict[str, Sheet]) -> dict[str, pd.DataFrame]:
    return {name: made(sheet) for name, sheet in sheets.items()}


class PageExports:
    """Charts and tables of one page, each with CSV and Excel downloads, and a workbook
    of the whole page (one sheet per chart or table, plus 说明)."""

    def __init__(self, filters: Filters, topic_name: str, sources: list[str] | Callable[[], list[str]]):
        self.filters = filters
        self.topic_name = topic_name
        self._sources = sources
        self.sheets: dict[str, Sheet] = {}
        self.extra: dict[str, Sheet] = {}  # long forms behind tables, for the page workbook

    @property
    def sources(self) -> list[str]:
        """The source cells of the page's figures: looked up only when a download is made."""
        return self._sources() if callable(self._sources) else self._sources

    def _name(self, extension: str, part: str | None = None) -> str:
        f = self.filters
        return export.file_name(f.town, self.topic_name, f.year_from, f.year_to, f.file_label, extension, part)

    def notes(self) -> list[tuple[str, str]]:
        f = self.filters
        status = read("warehouse_status", town=f.town_code)
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

    def downloads(self, data: Sheet, part: str, extra: dict[str, Sheet] | None = None) -> None:
        """CSV and Excel of one chart's or table's data, side by side; a table given as a
        function is made only when someone downloads it."""
        self.sheets[part] = data
        sheets = {part: data, **(extra or {})}
        self.extra.update(extra or {})
        key = f"dl_{len(self.sheets)}"
        with st.container(horizontal=True, gap="small"):
            st.download_button(
                "下载 CSV",
                data=self._audited(f"{part}（CSV）", lambda: export.csv_bytes(made(data))),
                file_name=self._name("csv", part),
                mime="text/csv",
                key=f"{key}_csv",
                on_click="ignore",
                icon=":material/download:",
            )
            st.download_button(
                "下载 Excel",
                data=self._audited(f"{part}（Excel）", lambda: export.xlsx_bytes(made_all(sheets), self.notes(), self.sources)),
                file_name=self._name("xlsx", part),
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"{key}_xlsx",
                on_click="ignore",
                icon=":material/download:",
            )

    def chart(self, figure: go.Figure, data: pd.DataFrame, part: str, picks_village: bool = False) -> None:
        key = f"chart_{len(self.sheets) + 1}"
        if picks_village:
            st.plotly_chart(
                figure,
                theme=None,
                width="stretch",
                config=charts.PLOTLY_CONFIG,
                key=key,
                on_select=lambda: pick_village(key),
                selection_mode="points",
            )
        else:
            st.plotly_chart(figure, theme=None, width="stretch", config=charts.PLOTLY_CONFIG, key=key)
        self.downloads(data, part)

    def table(self, shown: pd.DataFrame, data: Sheet, part: str, long: Sheet | None = None) -> None:
        """A table as the screen shows it; its downloads carry the same layout, and the long
        form with each number's source cell as a second sheet for checking."""
        show_table(shown, self.filters)
        self.downloads(data, part, extra={f"{part}（逐格来源）": long} if long is not None else None)

    def workbook(self) -> None:
        """One Excel file with every chart's and table's data on this page."""
        sheets = {**self.sheets, **self.extra}
        st.download_button(
            "下载本页全部数据（Excel，每个图表一张工作表 + 说明）",
            data=self._audited("本页全部数据（Excel）", lambda: export.xlsx_bytes(made_all(sheets), self.notes(), self.sources)),
            file_name=self._name("xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="dl_page_xlsx",
            on_click="ignore",
            type="primary",
            icon=":material/table_view:",
        )


KEY_PICKED_FROM = "_villages_before_pick"


def pick_village(key: str) -> None:
    """A click on a village's bar filters the pages to that village (on a district seen whole,
    a town's bar to that town); a second click on it, or 返回, goes back to what was chosen before."""
    from ui.filters import KEY_TOWN, KEY_VILLAGES

    event = st.session_state.get(key) or {}
    points = (event.get("selection") or {}).get("points") or []
    codes = [point.get("customdata") for point in points if isinstance(point.get("customdata"), str)]
    if not codes:
        return
    current = (st.session_state.get(KEY_TOWN, ""), list(st.session_state.get(KEY_VILLAGES, [])))
    towns = set(read("villages")["town_code"])
    wanted = (codes[0], []) if codes[0] in towns and not current[0] else (current[0], [codes[0]])
    if current == wanted:
        _unpick()
    else:
        st.session_state.setdefault(KEY_PICKED_FROM, current)
        st.session_state[KEY_TOWN], st.session_state[KEY_VILLAGES] = wanted


def _unpick() -> None:
    from ui.filters import KEY_TOWN, KEY_VILLAGES

    before = st.session_state.pop(KEY_PICKED_FROM, (st.session_state.get(KEY_TOWN, ""), []))
    st.session_state[KEY_TOWN], st.session_state[KEY_VILLAGES] = before


def picked_note(f: Filters) -> None:
    """After a click on a bar: what is shown now, and the way back."""
    picked_town = f.district and f.town_code and not f.villages
    if KEY_PICKED_FROM not in st.session_state or not (len(f.villages) == 1 or picked_town):
        st.session_state.pop(KEY_PICKED_FROM, None)
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"已按图中点选，只看{f.villages_label}。")
        st.button("返回之前的范围", key="unpick", on_click=_unpick, icon=":material/undo:")


def chart_panel(page: PageExports, chart: views.Chart) -> None:
    figure, data = chart.make()
    page.chart(figure, data, chart.title, picks_village=chart.picks_village)


def key_points(view: views.TopicView, f: Filters) -> None:
    """要点: two or three plain sentences of what the page shows, written by data/report.toml
    from the page's own reads (so in meeting mode a hidden figure is never in them)."""
    try:
        points = key_points_of(view.code, f)
    except TemplateError:
        LOGGER.exception("the report template cannot be used")
        st.caption("要点暂缺：报告模板 data/report.toml 有误，请联系系统管理员。")
        return
    if points:
        whole = f.town if f.district else "全镇"  # a town-level form is the whole town's (or district's)
        scope = whole if view.code == "staffing" else f.villages_label
        st.markdown(f"**要点**（{f.year_to}年 · {tables.plain(scope)}）\n\n" + "\n".join(f"- {tables.plain(point)}" for point in points))


def topic_page(view: views.TopicView, f: Filters) -> None:
    """A topic's page: 要点, cards, charts two by two at the desk (one under another on the
    projector, rankings at full width), its tables, and the page's workbook."""
    if view.empty:
        no_data()
        return
    picked_note(f)
    key_points(view, f)
    kpi_row(view.cards, f)
    if view.note:
        st.caption(view.note)
    page = PageExports(f, view.name, view.sources)
    pending: list[views.Chart] = []
    for chart in view.charts:
        if chart.wide:
            _pair(page, pending, f)
            pending = []
            chart_panel(page, chart)
        else:
            pending.append(chart)
            if len(pending) == 2:
                _pair(page, pending, f)
                pending = []
    _pair(page, pending, f)
    for table in view.tables:
        st.subheader(table.title)
        shown, data, long = table.make()
        page.table(shown, data, table.title, long)
    page.workbook()


def _pair(page: PageExports, pending: list[views.Chart], f: Filters) -> None:
    if not pending:
        return
    if len(pending) == 1:
        chart_panel(page, pending[0])
        return
    for column, chart in zip(chart_columns(f), pending, strict=True):
        with column:
            chart_panel(page, chart)
