"""The frame around every page: the static CSS (font stack, meeting-mode type sizes), the
status line, the title and filters in words, and a Chinese message instead of a traceback.

Nothing from a workbook ever goes into unsafe HTML here: the only raw HTML is the static CSS.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from etl import settings
from figures import access, periods, protection
from figures.filters import Filters
from ui.connection import LOGGER, read
from ui.filters import current_filters
from ui.login import require

_KEY_ENTRY_RAN = "_entry_ran"
_KEY_NAVIGATION_DRAWN = "_navigation_drawn"
# This run's download callables by name, so tests fetch exactly what the buttons serve.
KEY_EXPORTS = "_exports"
TOWN_LEVEL_NOTE = "本页是全镇指标，村（社区）筛选对本页不适用，显示的始终是全镇数字。"

_BASE_CSS = """
<style>
html, body, .stApp, .stApp button, .stApp input, .stApp textarea {
  font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", sans-serif;
}
/* No developer buttons on an intranet dashboard. */
[data-testid="stAppDeployButton"], [data-testid="stMainMenu"], #MainMenu { display: none !important; }
[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
/* Let a long Chinese label, and the words after a card's change, wrap instead of ending in "…". */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricDeltaDescription"], [data-testid="stMetricDeltaDescription"] * { white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetric"] div:has(> [data-testid="stMetricDelta"]) { flex-wrap: wrap; row-gap: 0.2rem; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 2.5rem !important; }
/* Streamlit's own dialog for an address that is no page speaks English: say it in Chinese
   (the dashboard opens no dialog of its own, so this is the only one that can appear). */
[role="dialog"] h2[slot="title"] { font-size: 0 !important; }
[role="dialog"] h2[slot="title"]::after { content: "没有这个页面"; font-size: 1.5rem; }
[role="dialog"] h2[slot="title"] + div > div { font-size: 0 !important; }
[role="dialog"] h2[slot="title"] + div > div::after { content: "所访问的地址不是本看板的页面，已为你打开总览。请从左侧菜单选择页面。"; font-size: 1rem; }
/* The file uploader's own words are English: say them in Chinese. */
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after { content: "选择文件"; font-size: 1rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0 !important; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "也可以把文件拖到这个框里 · 每个文件不超过 MAX_MB MB · .xlsx、.xls、.ods，可一次选多个"; font-size: 0.95rem;
}
/* A file over the limit: the browser's own words (for screen readers only, in English) shown, in Chinese. */
[data-testid="stFileUploader"] [role="alert"] {
  position: static !important; width: auto !important; height: auto !important; clip: auto !important;
  margin: 0 0 0 0.5rem !important; font-size: 0 !important;
}
[data-testid="stFileUploader"] [role="alert"]::after {
  content: "文件超过 MAX_MB MB，不能上传。请删去图片和无关工作表，另存后再选"; font-size: 0.9rem; color: #9e303b;
}
</style>
"""

_MEETING_CSS = """
<style>
.stApp { background: #ffffff; color: #000000; }
.stApp h1, .stApp h2, .stApp h3, .stApp [data-testid="stMarkdownContainer"] p { color: #000000; }
.stApp p, .stApp li, .stApp label, .stApp td, .stApp th,
.stApp [data-testid="stMarkdownContainer"], .stApp [data-testid="stCaptionContainer"],
.stApp [data-testid="stWidgetLabel"] p { font-size: 22px !important; }
.stApp [data-testid="stMarkdownContainer"] p span { font-size: inherit !important; }
.stApp h1, .stApp h1 * { font-size: 40px !important; }
.stApp h1 { padding-top: 0 !important; }
.stApp h2, .stApp h2 * { font-size: 34px !important; }
.stApp h3, .stApp h3 * { font-size: 28px !important; }
.stApp [data-testid="stMetricValue"], .stApp [data-testid="stMetricValue"] * {
  font-size: 60px !important; line-height: 1.15 !important; font-weight: 700 !important; color: #000000 !important;
}
.stApp [data-testid="stMetricLabel"], .stApp [data-testid="stMetricLabel"] * { font-size: 22px !important; font-weight: 600; }
.stApp [data-testid="stMetricDelta"], .stApp [data-testid="stMetricDelta"] * { font-size: 24px !important; }
.stApp [data-testid="stMetric"] { border: 2px solid #000000 !important; }
/* No toolbar buttons or running-man on the projector; the sidebar's expand button stays,
   so the menu and the filters are always one click away (never a trap). */
[data-testid="stToolbarActions"], [data-testid="stMainMenu"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
.stApp [data-testid="stDownloadButton"] button p { font-size: 22px !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 3rem !important; max-width: 100% !important; }
</style>
"""


_DECK_CSS = """
<style>
/* A slide fills the screen without scrolling, at 1280x720 as at 1920x1080: a header line,
   a source line, at most one row of cards, and charts that take the height left. */
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 2rem !important; padding-bottom: 0 !important; }
/* The header keeps only the sidebar's button at the left; it must not cover the slide's title. */
[data-testid="stHeader"] { background: transparent !important; pointer-events: none; }
[data-testid="stHeader"] button { pointer-events: auto; }
.stApp h2, .stApp h2 * { font-size: 34px !important; padding: 0 !important; line-height: 1.2 !important; }
.st-key-deck_left, .st-key-deck_right { display: none !important; }
.st-key-deck_bar button p { font-size: 20px !important; }
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] * { font-size: 18px !important; }
.stApp [data-testid="stMetricValue"], .stApp [data-testid="stMetricValue"] * { font-size: 46px !important; }
.stApp [data-testid="stMetricLabel"], .stApp [data-testid="stMetricLabel"] * { font-size: 19px !important; }
.stApp [data-testid="stMetric"] { padding: 0.6rem 0.9rem !important; }
.stApp [data-testid="stMetricDelta"], .stApp [data-testid="stMetricDelta"] * { font-size: 22px !important; }
/* The comparison year is on the source line; a card keeps to its number and change. */
.stApp [data-testid="stMetricDeltaDescription"] { display: none !important; }
.st-key-slide_with_cards [class*="st-key-slide_chart_"] { --slide-chart: calc(100vh - 390px); }
.st-key-slide_charts [class*="st-key-slide_chart_"] { --slide-chart: calc(100vh - 175px); }
[class*="st-key-slide_chart_"] { height: var(--slide-chart) !important; max-height: var(--slide-chart) !important; flex: 0 0 auto !important; min-height: 0 !important; }
[class*="st-key-slide_chart_"] > div, [class*="st-key-slide_chart_"] [data-testid="stPlotlyChart"],
[class*="st-key-slide_chart_"] [data-testid="stPlotlyChart"] > div, [class*="st-key-slide_chart_"] .js-plotly-plot,
[class*="st-key-slide_chart_"] .plot-container { height: 100% !important; }
</style>
"""


def _base_css() -> str:
    # The one limit on a workbook, as etl.settings states it.
    return _BASE_CSS.replace("MAX_MB", str(settings.MAX_FILE_MB))


def apply_base_style() -> None:
    """The font stack and the Chinese words over Streamlit's English, on every page from the
    first line on (the login page and a closed dashboard included). An st.html of style only
    is put out of the flow by Streamlit, so it costs no height."""
    st.html(_base_css())


def apply_style(meeting: bool, deck: bool = False) -> None:
    """Static CSS only: big type and high contrast in meeting mode, and a slide that fits
    the screen in the deck."""
    if meeting or deck:
        st.html(_MEETING_CSS + (_DECK_CSS if deck else ""))


def status_line(filters: Filters, filtered: bool = True) -> None:
    """One line under the title: the statistical period (统计期 2019–2023年度, what the figures
    describe, never the load time), the comparison, the villages, the sources, 演示数据; then,
    small, when data was last loaded and the protection in force."""
    status = read("warehouse_status", town=filters.town_code)
    sources = f"{status['source_files']} 份来源工作簿"
    if filtered:
        period = periods.period_label(filters.year_from, filters.year_to)
        line = f"**{period}** · 对比 {filters.compare_year} 年 · 范围：{filters.villages_label} · {sources}"
    else:
        scope = f" · 范围：{filters.villages_label}" if filters.district else ""
        line = f"本页不受左侧年份和村（社区）筛选影响{scope} · {sources}"
    if status["dataset"] == "demo":
        line += " · :orange-badge[演示数据]"
    st.markdown(line)
    as_of = status["as_of"]
    small = f"数据导入于 {pd.Timestamp(as_of):%Y-%m-%d %H:%M}" if as_of is not None else "尚未导入数据"
    if filtered and filters.small_count_k:
        small += " · " + protection.note(filters.small_count_k)
    st.caption(small)


def guarded(main: Callable[[], None]) -> None:
    """Run the dashboard's entry; a failure shows a Chinese message, never Streamlit's English
    error, the traceback or a module name."""
    st.session_state[_KEY_NAVIGATION_DRAWN] = False
    try:
        main()
    except Exception as exc:
        LOGGER.exception("the dashboard failed outside a page")
        import duckdb

        if isinstance(exc, duckdb.Error | OSError):
            message = (
                "暂时读不出数据仓库（文件可能已损坏，或正在被替换）。请稍后刷新页面；如仍不行，请系统管理员运行 "
                "python -m etl check 检查，必要时用 python -m etl restore 从备份恢复。"
            )
        else:
            message = "看板出错，已记录到服务器日志。请稍后刷新页面；如仍出错，请联系系统管理员。"

        def explain() -> None:
            apply_base_style()
            st.title("法治看板")
            st.error(message, icon=":material/error:")

        if st.session_state.get(_KEY_NAVIGATION_DRAWN):
            explain()
        else:
            # No menu yet: a hidden one of this page alone, so no list of files ever shows.
            st.navigation([st.Page(explain, title="出错", url_path="error", default=True)], position="hidden").run()


def navigation_drawn() -> None:
    """dashboard.py has put its menu up: an error after this keeps it."""
    st.session_state[_KEY_NAVIGATION_DRAWN] = True


def entry_started() -> None:
    """dashboard.py says it is running; a page checks this to know its frame is drawn."""
    st.session_state[_KEY_ENTRY_RAN] = True


def _ensure_entry_ran() -> None:
    """Make sure the page runs inside dashboard.py, never alone.

    Streamlit treats a folder named pages/ as old-style pages until some session has
    called st.navigation: a deep link as the first request of a fresh server (and every
    AppTest run) executes the page file by itself, without filters or frame. Switch the
    old mode off and rerun, which goes through dashboard.py to the same page.
    """
    if st.session_state.pop(_KEY_ENTRY_RAN, False):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def run_page(
    title: str,
    body: Callable[[Filters], None],
    *,
    town_level: bool = False,
    filtered: bool = True,
    needs: str = access.VIEW,
    deck: bool = False,
) -> None:
    """The page frame: the role check, title, the filters in words, then the body (a slide
    of the deck draws its own title and source line). A failure shows a Chinese message (the
    traceback goes to the server log), never a traceback."""
    _ensure_entry_ran()
    st.session_state[KEY_EXPORTS] = {}
    filters = current_filters()
    if not deck:
        st.title(title)
    require(needs)
    if not deck:
        status_line(filters, filtered)
    if town_level and filters.villages:
        st.info(TOWN_LEVEL_NOTE)
    try:
        body(filters)
    except Exception:
        LOGGER.exception("page %s failed", title)
        st.error("本页数据加载出错，已记录到服务器日志。请刷新页面重试；如仍出错，请联系系统管理员。")
