"""The frame around every page: the static CSS (font stack, meeting-mode type sizes), the
status line, the title and filters in words, and a Chinese message instead of a traceback.

Nothing from a workbook ever goes into unsafe HTML here: the only raw HTML is the static CSS.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from figures import access, periods, protection
from figures.filters import Filters
from ui.connection import LOGGER, read
from ui.filters import current_filters
from ui.login import require

_KEY_ENTRY_RAN = "_entry_ran"
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


def apply_style(meeting: bool) -> None:
    """Static CSS only: the font stack always, big type and high contrast in meeting mode."""
    st.markdown(_BASE_CSS, unsafe_allow_html=True)
    if meeting:
        st.markdown(_MEETING_CSS, unsafe_allow_html=True)


def status_line(filters: Filters, filtered: bool = True) -> None:
    """One line under the title: the statistical period (统计期 2019–2023年度, what the figures
    describe, never the load time), the comparison, the villages, the sources, 演示数据; then,
    small, when data was last loaded and the protection in force."""
    status = read("warehouse_status")
    sources = f"{status['source_files']} 份来源工作簿"
    if filtered:
        period = periods.period_label(filters.year_from, filters.year_to)
        line = f"**{period}** · 对比 {filters.compare_year} 年 · 范围：{filters.villages_label} · {sources}"
    else:
        line = f"本页不受左侧年份和村（社区）筛选影响 · {sources}"
    if status["dataset"] == "demo":
        line += " · :orange-badge[演示数据]"
    st.markdown(line)
    as_of = status["as_of"]
    small = f"数据最近一次导入：{pd.Timestamp(as_of):%Y-%m-%d %H:%M}" if as_of is not None else "尚未导入数据"
    if filtered and filters.small_count_k:
        small += " · " + protection.note(filters.small_count_k)
    st.caption(small)


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
    title: str, body: Callable[[Filters], None], *, town_level: bool = False, filtered: bool = True, needs: str = access.VIEW
) -> None:
    """The page frame: the role check, title, the filters in words, then the body. A
    failure shows a Chinese message (the traceback goes to the server log), never a traceback."""
    _ensure_entry_ran()
    st.session_state[KEY_EXPORTS] = {}
    filters = current_filters()
    st.title(title)
    require(needs)
    status_line(filters, filtered)
    if town_level and filters.villages:
        st.info(TOWN_LEVEL_NOTE)
    try:
        body(filters)
    except Exception:
        LOGGER.exception("page %s failed", title)
        st.error("本页数据加载出错，已记录到服务器日志。请刷新页面重试；如仍出错，请联系系统管理员。")
