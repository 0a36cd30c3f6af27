"""Shared parts of every page: the warehouse connection and cached reads, the sidebar
filters (kept in the URL), the page frame, KPI cards, downloads and meeting-mode CSS.

Pages stay thin: they read `current_filters()`, call `read(...)` and hand figures to
`PageExports`. Nothing from a workbook ever goes into unsafe HTML here: the only raw
HTML is the static CSS below.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl import access, export, privacy, queries, settings, warehouse
from pages.charts import ChartStyle

LOGGER = logging.getLogger("fazhi.dashboard")

KEY_YEARS = "f_years"
KEY_COMPARE = "f_compare"
KEY_VILLAGES = "f_villages"
KEY_PICK = "f_pick"
KEY_MEETING = "f_meeting"
KEY_FILTERS = "filters"
_KEY_URL_READ = "_filters_from_url"
_KEY_ENTRY_RAN = "_entry_ran"
_KEY_YEARS_SHOWN = "_years_shown"
AUTO_COMPARE = 0  # "the year before the last year shown"

ALL_VILLAGES_LABEL = "全镇"
ALL_VILLAGES_FILE_LABEL = "全部村"
TOWN_LEVEL_NOTE = "本页是全镇指标，村（社区）筛选对本页不适用，显示的始终是全镇数字。"

_PROJECTOR_ROWS = 40
# This run's download callables by name, so tests fetch exactly what the buttons serve.
KEY_EXPORTS = "_exports"
QUALIFIER_NAMES = {"exact": "", "at_least": "至少", "approx": "约", queries.SUPPRESSED: "已隐去"}

# Okabe–Ito blue for good news, vermillion-orange for bad: both readable with
# red-green colour blindness, unlike Streamlit's default green/red.
_GOOD, _BAD, _NEUTRAL = "blue", "orange", "gray"


# ---------------------------------------------------------------- warehouse and cached reads


def db_path() -> str:
    return str(settings.db_path())


@st.cache_resource(show_spinner=False, max_entries=3)
def _warehouse(path: str, version: tuple[int, int] | None) -> duckdb.DuckDBPyConnection:
    """The process's connection to one version of the warehouse file; every query takes
    its own cursor from it.

    A load writes a copy and swaps it in (etl.warehouse.writing), so a new file version
    means a new connection, while queries already running finish on the old file. The
    file is ATTACHed read-only to a private in-memory database: duckdb.connect(path)
    would hand back the process's cached instance of the replaced file instead.
    """
    con = duckdb.connect()
    con.execute("attach ? as warehouse (read_only)", [path])
    return con


def _cursor(path: str, version: tuple[int, int] | None) -> duckdb.DuckDBPyConnection:
    cur = _warehouse(path, version).cursor()
    cur.execute("use warehouse")
    return cur


def open_warehouse() -> None:
    """Make sure a warehouse exists (the demo one on a first start) and can be read.

    If it cannot be opened, the page says so in Chinese and stops; the traceback goes to
    the server log.
    """
    path = db_path()
    try:
        if not Path(path).exists():
            # A newcomer's first start has no database: build the demo one. Imported
            # here: the demo pulls in the workbook readers, which most starts never need.
            from etl import demo

            with st.spinner("首次启动：正在用示例工作簿生成演示数据，请稍候……"):
                demo.ensure_demo(Path(path))
        _warehouse(path, warehouse.version(path))
    except (duckdb.Error, OSError):
        LOGGER.exception("cannot open the warehouse at %s", path)
        st.error("暂时无法打开数据仓库。请稍后刷新页面；如仍不行，请联系系统管理员。")
        st.stop()


@st.cache_data(show_spinner=False, max_entries=2000)
def _read(path: str, version: tuple[int, int] | None, name: str, args: tuple):
    with _cursor(path, version) as cur:
        return getattr(queries, name)(cur, *args)


def read(name: str, *args):
    """A cached call of `etl.queries.<name>(cursor, *args)`; args are plain values.

    The cache key holds the warehouse file's version, so a load from the command line
    shows on the next rerun too, without a restart. Reads of village-level counts get the
    page's small-count k (etl.privacy), so no page can forget it.
    """
    path = db_path()
    if name in queries.PROTECTED_QUERIES:
        args = (*args, current_filters().small_count_k)
    return _read(path, warehouse.version(path), name, args)


def load_workbooks(blobs: list[tuple[str, bytes]]) -> list[dict]:
    """Load uploaded workbooks through the ETL, the same code as `python -m etl load`:
    written to a copy of the warehouse, swapped in, originals kept. Raises
    etl.warehouse.WarehouseBusy when another load holds the warehouse too long."""
    # Imported on first use: the workbook readers are heavy and most sessions never upload.
    from etl.loader import load_blobs

    user = current_user()
    reports = [report.to_dict() for report in load_blobs(Path(db_path()), blobs, actor=user.name, departments=user.departments)]
    # Results of the old file are never asked for again: free them.
    st.cache_data.clear()
    return reports


def template_bytes(department: str) -> bytes:
    """The blank template of one department, as the ETL writes it."""
    from etl.templates import write_template

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_template(department, path)
        return path.read_bytes()


# ---------------------------------------------------------------- who is looking

KEY_USER = "user"
_KEY_FAILURES = "_login_failures"
LOGIN_FAILED = "用户名或密码不正确。请重试；忘记密码请联系系统管理员。"


@st.cache_resource(show_spinner=False)
def _failures_by_name() -> dict[str, int]:
    """Failed logins per user name across all sessions of this server: a new browser
    session does not reset the delay."""
    return {}


def current_user() -> access.User:
    """The logged-in person; with no users file (the demo), one with every right."""
    if not access.enabled():
        return access.NOBODY
    return st.session_state.get(KEY_USER) or access.User("", "")


def login_gate() -> None:
    """With a users file, nobody sees a page before logging in. One message for any
    failure (it never says whether the name exists), and a growing delay after a few."""
    if not access.enabled() or st.session_state.get(KEY_USER):
        return
    # The only page before a login: without a navigation Streamlit would list pages/.
    st.navigation([st.Page(_login_form, title="登录", url_path="login", default=True)], position="hidden").run()
    st.stop()


def _login_form() -> None:
    st.title("法治看板 · 登录")
    st.caption("本看板含社区矫正、严重精神障碍患者、吸毒人员等敏感个人信息的统计数，仅限授权人员使用。")
    with st.form("login_form", border=True):
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary", key="login_submit")
    if submitted:
        failures = _failures_by_name()
        key = name.strip()
        user = access.authenticate(name, password)
        if user is None:
            failures[key] = failures.get(key, 0) + 1
            st.session_state[_KEY_FAILURES] = st.session_state.get(_KEY_FAILURES, 0) + 1
            time.sleep(access.failure_delay(max(failures[key], st.session_state[_KEY_FAILURES])))
            st.error(LOGIN_FAILED)
        else:
            failures.pop(key, None)
            st.session_state.pop(_KEY_FAILURES, None)
            # The session keeps who it is, never the password hash.
            st.session_state[KEY_USER] = access.User(user.name, user.role, user.department)
            st.rerun()


def user_box() -> None:
    """Who is logged in, and 退出登录, at the top of the sidebar."""
    if not access.enabled():
        return
    user = current_user()
    with st.sidebar:
        department = f"·{user.department}" if user.department else ""
        st.caption(f"当前用户：{user.name}（{access.ROLE_NAMES.get(user.role, user.role)}{department}）")
        if st.button("退出登录", key="logout", icon=":material/logout:"):
            for key in (KEY_USER, "upload_reports"):
                st.session_state.pop(key, None)
            st.rerun()


def require(action: str) -> None:
    """Checked again inside each restricted page: hiding it from the menu is not enough,
    a page can be asked for by its address or by st.switch_page."""
    if not current_user().may(action):
        st.error("你的账号无权使用本页。如需权限，请联系系统管理员。", icon=":material/block:")
        st.stop()


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """What the person chose in the sidebar, as plain values."""

    year_from: int
    year_to: int
    compare_year: int
    villages: tuple[str, ...]
    villages_label: str
    file_label: str
    meeting: bool
    town: str
    small_count_k: int = 0

    @property
    def span(self) -> tuple[int, int]:
        """The years a page must read: the range shown plus the comparison year."""
        return min(self.year_from, self.compare_year), max(self.year_to, self.compare_year)

    @property
    def years_label(self) -> str:
        if self.year_from == self.year_to:
            return f"{self.year_to}年"
        return f"{self.year_from}–{self.year_to}年"

    @property
    def style(self) -> ChartStyle:
        return ChartStyle(meeting=self.meeting)

    def summary(self) -> str:
        return f"{self.years_label} · 对比 {self.compare_year} 年 · 范围：{self.villages_label}"


def _quick_picks(villages: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Named village selections: the whole town, by type, by police station."""
    picks: dict[str, tuple[str, ...]] = {"全镇（全部村、社区）": ()}
    for village_type, label in (("社区", "全部社区"), ("村", "全部行政村")):
        codes = tuple(villages.loc[villages["village_type"] == village_type, "village_code"])
        if codes:
            picks[label] = codes
    for station in sorted(villages["police_station"].dropna().unique()):
        picks[f"{station}辖区"] = tuple(villages.loc[villages["police_station"] == station, "village_code"])
    return picks


def _villages_labels(codes: tuple[str, ...], villages: pd.DataFrame) -> tuple[str, str]:
    """How a selection reads on a page and in a file name."""
    if not codes or set(codes) == set(villages["village_code"]):
        return ALL_VILLAGES_LABEL, ALL_VILLAGES_FILE_LABEL
    for label, pick in _quick_picks(villages).items():
        if pick and set(pick) == set(codes):
            return label, label
    names = dict(zip(villages["village_code"], villages["village_name"], strict=True))
    if len(codes) <= 3:
        joined = "、".join(names[c] for c in codes)
        return joined, joined
    return f"{len(codes)}个村（社区）", f"{len(codes)}个村社区"


def _int_or_none(text: object) -> int | None:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return None


def _seed_from_url(years: list[int], village_codes: list[str]) -> None:
    """Once per session: a shared link (?from=2019&to=2023&v=…&meeting=1) sets the filters."""
    params = st.query_params
    first, last = years[0], years[-1]
    year_from = _int_or_none(params.get("from"))
    year_to = _int_or_none(params.get("to"))
    year_from = year_from if year_from in years else first
    year_to = year_to if year_to in years else last
    st.session_state[KEY_YEARS] = (min(year_from, year_to), max(year_from, year_to))
    compare = _int_or_none(params.get("cmp"))
    st.session_state[KEY_COMPARE] = compare if compare in years else AUTO_COMPARE
    wanted = [code for code in str(params.get("v", "")).split(",") if code]
    st.session_state[KEY_VILLAGES] = [code for code in wanted if code in village_codes]
    st.session_state[KEY_MEETING] = str(params.get("meeting", "")).lower() in {"1", "true", "yes", "on"}


def _repair_state(years: list[int], village_codes: list[str]) -> None:
    """Keep widget state valid when the data changed under it (a load added a year)."""
    chosen = st.session_state.get(KEY_YEARS)
    if not (isinstance(chosen, tuple | list) and len(chosen) == 2 and all(years[0] <= y <= years[-1] for y in chosen)):
        st.session_state[KEY_YEARS] = (years[0], years[-1])
    if st.session_state.get(KEY_COMPARE) not in [AUTO_COMPARE, *years]:
        st.session_state[KEY_COMPARE] = AUTO_COMPARE
    if st.session_state.get(_KEY_YEARS_SHOWN) != years:
        # New years in the data make new year widgets, which would forget the choices:
        # hand the choices to the new widgets explicitly.
        for key in (KEY_YEARS, KEY_COMPARE):
            st.session_state[key] = st.session_state[key]
        st.session_state[_KEY_YEARS_SHOWN] = years
    kept = [c for c in st.session_state.get(KEY_VILLAGES, []) if c in village_codes]
    if kept != st.session_state.get(KEY_VILLAGES):
        st.session_state[KEY_VILLAGES] = kept
    st.session_state.setdefault(KEY_MEETING, False)
    st.session_state.setdefault(KEY_PICK, None)


def prepare_filters() -> bool:
    """Seed the filter state before any widget is drawn; returns whether meeting mode is on.

    Runs before st.set_page_config so the sidebar can start collapsed in meeting mode.
    """
    years = read("available_years") or [dt.date.today().year]
    codes = read("villages")["village_code"].tolist()
    if not st.session_state.get(_KEY_URL_READ):
        _seed_from_url(years, codes)
        st.session_state[_KEY_URL_READ] = True
    _repair_state(years, codes)
    return bool(st.session_state[KEY_MEETING])


def _apply_pick() -> None:
    choice = st.session_state.get(KEY_PICK)
    picks = _quick_picks(read("villages"))
    if choice in picks:
        st.session_state[KEY_VILLAGES] = list(picks[choice])
    # Back to the placeholder: the multiselect is the one place the selection lives.
    st.session_state[KEY_PICK] = None


def sidebar_filters() -> Filters:
    """Draw the shared filters in the sidebar, store them for the page, mirror them in the URL."""
    years = read("available_years") or [dt.date.today().year]
    villages = read("villages")
    names = dict(zip(villages["village_code"], villages["village_name"], strict=True))
    with st.sidebar:
        st.subheader("筛选")
        if len(years) > 1:
            # A range slider, not select_slider: AppTest loses a select_slider range on rerun.
            st.slider("年份范围", min_value=years[0], max_value=years[-1], step=1, key=KEY_YEARS, format="%d年")
        else:
            st.session_state[KEY_YEARS] = (years[0], years[0])
            st.caption(f"年份：{years[0]}年（仓库中只有这一年）")
        st.selectbox(
            "对比年份",
            options=[AUTO_COMPARE, *years],
            key=KEY_COMPARE,
            format_func=lambda y: "上一年（自动）" if y == AUTO_COMPARE else f"{y}年",
            help="卡片上的增减与这一年比较：存量指标比年末数，流量指标比全年合计。",
        )
        st.multiselect(
            "村（社区）",
            options=villages["village_code"].tolist(),
            key=KEY_VILLAGES,
            format_func=lambda code: names.get(code, code),
            placeholder="全镇（全部村、社区）",
            help="不选即全镇。队伍建设等全镇指标不受此筛选影响。",
        )
        st.selectbox(
            "快速选择",
            options=list(_quick_picks(villages)),
            index=None,
            key=KEY_PICK,
            placeholder="按类型或派出所辖区选择……",
            on_change=_apply_pick,
        )
        st.toggle("会议模式（投影）", key=KEY_MEETING, help="大字号、高对比、收起侧栏，适合投影到会议室。")
    year_from, year_to = st.session_state[KEY_YEARS]
    compare = st.session_state[KEY_COMPARE] or year_to - 1
    codes = tuple(st.session_state[KEY_VILLAGES])
    label, file_label = _villages_labels(codes, villages)
    filters = Filters(
        year_from=int(year_from),
        year_to=int(year_to),
        compare_year=int(compare),
        villages=codes,
        villages_label=label,
        file_label=file_label,
        meeting=bool(st.session_state[KEY_MEETING]),
        town=str(villages["town_name"].iloc[0]) if len(villages) else "本镇",
        small_count_k=privacy.small_count_k(bool(st.session_state[KEY_MEETING])),
    )
    st.session_state[KEY_FILTERS] = filters
    _write_url(filters)
    return filters


def _write_url(filters: Filters) -> None:
    """Mirror the filters in the query string so a copied link opens the same view."""
    wanted = {"from": str(filters.year_from), "to": str(filters.year_to)}
    if st.session_state[KEY_COMPARE] != AUTO_COMPARE:
        wanted["cmp"] = str(filters.compare_year)
    if filters.villages:
        wanted["v"] = ",".join(filters.villages)
    if filters.meeting:
        wanted["meeting"] = "1"
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def current_filters() -> Filters:
    return st.session_state[KEY_FILTERS]


# ---------------------------------------------------------------- look: CSS and the frame

_BASE_CSS = """
<style>
html, body, .stApp, .stApp button, .stApp input, .stApp textarea {
  font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", sans-serif;
}
/* No developer buttons on an intranet dashboard. */
[data-testid="stAppDeployButton"], [data-testid="stMainMenu"], #MainMenu { display: none !important; }
[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
/* Let a long Chinese label wrap instead of ending in "…". */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * { white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
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
.stApp h1, .stApp h1 * { font-size: 44px !important; }
.stApp h2, .stApp h2 * { font-size: 34px !important; }
.stApp h3, .stApp h3 * { font-size: 28px !important; }
.stApp [data-testid="stMetricValue"], .stApp [data-testid="stMetricValue"] * {
  font-size: 60px !important; line-height: 1.15 !important; font-weight: 700 !important; color: #000000 !important;
}
.stApp [data-testid="stMetricLabel"], .stApp [data-testid="stMetricLabel"] * { font-size: 24px !important; font-weight: 600; }
.stApp [data-testid="stMetricDelta"], .stApp [data-testid="stMetricDelta"] * { font-size: 24px !important; }
.stApp [data-testid="stMetric"] { border: 2px solid #000000 !important; }
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
.stApp [data-testid="stDownloadButton"] button p { font-size: 22px !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 3.5rem !important; max-width: 100% !important; }
</style>
"""


def apply_style(meeting: bool) -> None:
    """Static CSS only: the font stack always, big type and high contrast in meeting mode."""
    st.markdown(_BASE_CSS, unsafe_allow_html=True)
    if meeting:
        st.markdown(_MEETING_CSS, unsafe_allow_html=True)


def status_line() -> None:
    """数据截至 … · n 份来源工作簿, and a 演示数据 badge when the demo data is loaded."""
    status = read("warehouse_status")
    as_of = status["as_of"]
    as_of_text = pd.Timestamp(as_of).strftime("%Y-%m-%d %H:%M") if as_of is not None else "尚未载入数据"
    line = f"数据截至 **{as_of_text}** · **{status['source_files']}** 份来源工作簿"
    if status["dataset"] == "demo":
        line += " · :orange-badge[演示数据]"
    st.markdown(line)


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
    st.caption(filters.summary() if filtered else "本页不受左侧年份和村（社区）筛选影响。")
    if town_level:
        st.info(TOWN_LEVEL_NOTE)
    elif filtered and filters.small_count_k:
        st.caption(small_count_note(filters.small_count_k))
    try:
        body(filters)
    except Exception:
        LOGGER.exception("page %s failed", title)
        st.error("本页数据加载出错，已记录到服务器日志。请刷新页面重试；如仍出错，请联系系统管理员。")


def small_count_note(k: int) -> str:
    return (
        f"为保护个人信息，各村（社区）1–{k - 1} 人的数显示为“<{k}”；标“\\*”的数也已隐去（为防止由合计倒推，不说明大小）。全镇合计照常显示。"
    )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def plain(text: object) -> str:
    """Text from a workbook or the ETL, escaped so st.markdown shows it as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


# ---------------------------------------------------------------- KPI cards


@dataclass(frozen=True)
class Kpi:
    label: str
    value: int | None
    qualifier: str = "exact"
    previous: int | None = None
    previous_qualifier: str = "exact"
    better: str = "neutral"
    kind: str = "stock"
    unit: str = ""
    display: str | None = None  # the marker of a hidden value (<3, *)
    hidden_before: bool = False


def kpis_from_totals(
    totals: pd.DataFrame,
    codes: list[str],
    filters: Filters,
    labels: dict[str, str] | None = None,
    better: dict[str, str] | None = None,
) -> list[Kpi]:
    """KPI cards for indicators of a yearly_totals frame: the last year shown vs the compare year."""
    direction = {**queries.indicator_direction(), **(better or {})}
    cards = []
    for code in codes:
        rows = totals[totals["indicator_code"] == code].set_index("year")
        if rows.empty:
            continue
        now = rows.loc[filters.year_to] if filters.year_to in rows.index else None
        before = rows.loc[filters.compare_year] if filters.compare_year in rows.index else None
        hidden_now = now is not None and now["qualifier"] == queries.SUPPRESSED
        hidden_before = before is not None and before["qualifier"] == queries.SUPPRESSED
        cards.append(
            Kpi(
                label=(labels or {}).get(code, rows["indicator_name"].iloc[0]),
                value=None if now is None or hidden_now else int(now["value"]),
                qualifier="exact" if now is None else now["qualifier"],
                previous=None if before is None or hidden_before else int(before["value"]),
                previous_qualifier="exact" if before is None else before["qualifier"],
                better=direction.get(code, "neutral"),
                kind=rows["kind"].iloc[0],
                unit=rows["unit"].iloc[0] or "",
                display=str(now["display"]) if hidden_now else None,
                hidden_before=hidden_before,
            )
        )
    return cards


def _delta(kpi: Kpi) -> tuple[str | None, str, str]:
    """Delta text, colour and arrow: the colour says good or bad news for this indicator."""
    if kpi.value is None or kpi.previous is None:
        return None, _NEUTRAL, "off"
    change = kpi.value - kpi.previous
    vague = kpi.qualifier != "exact" or kpi.previous_qualifier != "exact"
    text = ("约" if vague else "") + (f"+{change}" if change > 0 else str(change))
    if change == 0:
        return "持平", _NEUTRAL, "off"
    arrow = "up" if change > 0 else "down"
    if kpi.better == "neutral":
        return text, _NEUTRAL, arrow
    good = (change > 0) == (kpi.better == "higher")
    return text, _GOOD if good else _BAD, arrow


def _with_unit(label: str, unit: str) -> str:
    """在管患者（人）; a label that already ends in brackets takes the unit inside them."""
    if not unit:
        return label
    if label.endswith("）"):
        return f"{label[:-1]}，{unit}）"
    return f"{label}（{unit}）"


def kpi_row(cards: list[Kpi], filters: Filters) -> None:
    """KPI cards in rows: at most four across when there are many (and in meeting mode),
    so labels and 56 px numbers fit at 1280 px."""
    per_row = 4 if filters.meeting or len(cards) > 5 else max(3, len(cards))
    for start in range(0, len(cards), per_row):
        columns = st.columns(per_row)
        for column, card in zip(columns, cards[start : start + per_row], strict=False):
            delta, colour, arrow = _delta(card)
            basis = "全年合计" if card.kind == "flow" else "年末数"
            if delta:
                description = f"较{filters.compare_year}年"
            elif card.display or card.hidden_before:
                description = "为保护个人信息不显示"
            else:
                description = f"{filters.compare_year}年无数据"
            with column:
                st.metric(
                    label=_with_unit(card.label, card.unit),
                    value=card.display or queries.display_value(card.value, card.qualifier),
                    delta=delta,
                    delta_color=colour,
                    delta_arrow=arrow,
                    delta_description=description,
                    help=f"{filters.year_to}年{basis}；与{filters.compare_year}年{basis}比较。",
                    border=True,
                )


# ---------------------------------------------------------------- tables for display and download


def tidy_for_export(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Chosen columns renamed to Chinese; a qualifier column reads 至少 / 约."""
    out = frame[list(columns)].rename(columns=columns)
    for col in out.columns:
        if col.endswith("限定"):
            out[col] = out[col].map(lambda q: QUALIFIER_NAMES.get(q, q))
    return out


YEARLY_COLUMNS = {
    "year": "年份",
    "indicator_name": "指标",
    "unit": "单位",
    "value": "数值",
    "qualifier": "限定",
    "display": "显示值",
}
VILLAGE_COLUMNS = {
    "year": "年份",
    "village_name": "村（社区）",
    "village_type": "类型",
    "police_station": "派出所",
    "indicator_name": "指标",
    "unit": "单位",
    "value": "数值",
    "qualifier": "限定",
    "display": "显示值",
    "source_ref": "来源单元格",
}


def in_range(frame: pd.DataFrame, filters: Filters, codes: list[str] | None = None) -> pd.DataFrame:
    """Rows of the years shown (the compare year may lie outside), optionally of some indicators."""
    chosen = frame[frame["year"].between(filters.year_from, filters.year_to)]
    if codes is not None:
        chosen = chosen[chosen["indicator_code"].isin(codes)]
    return chosen


def names_of(frame: pd.DataFrame, codes: list[str]) -> list[str]:
    """Indicator names in the order of `codes` (the order a chart's legend should follow)."""
    names = dict(zip(frame["indicator_code"], frame["indicator_name"], strict=True))
    return [names[code] for code in codes if code in names]


def no_data() -> None:
    st.info("所选年份和范围内暂无数据。请调整左侧筛选，或到“数据上报”页上传工作簿。")


def of_year(frame: pd.DataFrame, year: int, codes: list[str]) -> pd.DataFrame:
    return frame[(frame["year"] == year) & frame["indicator_code"].isin(codes)]


def wide_detail(values: pd.DataFrame, index: list[str], index_names: dict[str, str]) -> pd.DataFrame:
    """Detail table for the screen: one row per year (and village), one column per
    indicator in catalog order, each cell the qualified value (1000+, 约30)."""
    order = queries.indicator_order()
    names = values.drop_duplicates("indicator_code").set_index("indicator_code")["indicator_name"]
    codes = sorted(names.index, key=lambda c: order.get(c, 999))
    table = values.pivot_table(index=index, columns="indicator_code", values="display", aggfunc="first")
    table = table.reindex(columns=codes).rename(columns=names.to_dict()).fillna("—").reset_index()
    # Newest year first, villages in the official (code) order.
    rank = dict(zip(values.get("village_name", []), values.get("village_code", []), strict=True))
    keys = [col for col in ("year", "village_name") if col in table.columns]
    table = table.sort_values(keys, ascending=[col != "year" for col in keys], key=lambda s: s.map(rank) if s.name == "village_name" else s)
    table = table.rename(columns=index_names)
    if "年份" in table.columns:
        table["年份"] = table["年份"].astype(str)
    return table


def indicators_by_year(values: pd.DataFrame) -> pd.DataFrame:
    """A town-level form as the template reads: one row per indicator, one column per year."""
    order = queries.indicator_order()
    table = values.pivot_table(index="indicator_code", columns="year", values="display", aggfunc="first")
    table = table.reindex(sorted(table.index, key=lambda c: order.get(c, 999)))
    parents = queries.indicator_parent()
    names = {
        code: ("其中：" if code in parents else "") + name
        for code, name in zip(values["indicator_code"], values["indicator_name"], strict=True)
    }
    units = dict(zip(values["indicator_code"], values["unit"], strict=True))
    table.columns = [f"{year}年" for year in table.columns]
    table.insert(0, "单位", [units[c] or "" for c in table.index])
    table.insert(0, "指标", [names[c] for c in table.index])
    return table.fillna("—").reset_index(drop=True)


_MISSING_NOW = "background-color: #E69F00; color: #000000; font-weight: 700"
_MISSING_BEFORE = "background-color: #EEEEEE; color: #555555"


def ledger_matrix(ledger: pd.DataFrame, reporting_year: int):
    """Topic × year grid of ✔ (with the load date) or ✖; missing for the reporting year in orange."""
    cells = ledger.assign(
        label=[f"{row.topic_name}（{row.department}）" for row in ledger.itertuples()],
        mark=[f"✔ {pd.Timestamp(row.loaded_at):%Y-%m-%d}" if pd.notna(row.submission_id) else "✖ 未上报" for row in ledger.itertuples()],
    )
    table = cells.pivot(index="label", columns="year", values="mark")
    table.columns = [f"{year}年" for year in table.columns]
    table.index.name = "报表（报送部门）"
    table = table.reset_index()
    now = f"{reporting_year}年"

    def colour(column: pd.Series) -> list[str]:
        if column.name == table.columns[0]:
            return [""] * len(column)
        missing_style = _MISSING_NOW if column.name == now else _MISSING_BEFORE
        return [missing_style if str(v).startswith("✖") else "" for v in column]

    return table.style.apply(colour)


def concat(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame for frame in frames if not frame.empty], ignore_index=True)


def village_detail(page: PageExports, values: pd.DataFrame) -> None:
    """The detail table of a per-village topic: one row per year and village."""
    st.subheader("明细")
    page.table(
        wide_detail(values, ["year", "village_name"], {"year": "年份", "village_name": "村（社区）"}),
        tidy_for_export(values, VILLAGE_COLUMNS),
        "明细",
    )


def chart_columns(filters: Filters) -> list:
    """Two charts side by side at the desk; one under the other on the projector."""
    if filters.meeting:
        return [st.container(), st.container()]
    return list(st.columns(2, gap="large"))


def show_table(frame, filters: Filters) -> None:
    """A table: an interactive grid at the desk, a plain large-type table on the projector.

    `frame` is a DataFrame or a pandas Styler (for colour-marked cells).
    """
    if not filters.meeting:
        st.dataframe(frame, hide_index=True, width="stretch")
        return
    if isinstance(frame, pd.DataFrame):
        rows = len(frame)
        # st.table renders Markdown: workbook text (themes, names) must show as typed.
        frame = frame.head(_PROJECTOR_ROWS).map(lambda v: plain(v) if isinstance(v, str) else v)
    else:
        rows = len(frame.data)
    st.table(frame, hide_index=True)
    if rows > _PROJECTOR_ROWS:
        st.caption(f"仅显示前 {_PROJECTOR_ROWS} 行，共 {rows} 行；完整数据请下载。")


def village_topic(f: Filters, topic: str, topic_name: str) -> tuple[pd.DataFrame, pd.DataFrame, PageExports]:
    """What every per-village topic page reads first: yearly totals, village values, and
    the page's exports with the source cells of the chosen years and villages."""
    totals = read("yearly_totals", topic, *f.span, f.villages)
    values = read("village_values", topic, f.year_from, f.year_to, f.villages)
    page = PageExports(f, topic_name, read("source_refs", topic, f.year_from, f.year_to, f.villages))
    return totals, values, page


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
            *([("小数保护", small_count_note(f.small_count_k).replace("\\*", "*"))] if f.small_count_k else []),
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
