"""The dashboard in a real headless Chromium at 1280x720: every page in both modes, the
projector mode's type sizes, a CSV download, and the upload of a good and a bad workbook.

One `streamlit run` server per module on a private copy of the demo warehouse. Tests
wait on page conditions, never on sleeps. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from etl.reference.places import load_places
from tests.builders import correction_sheet
from tests.dashboard_support import PAGES, ROOT

# Browser tests are slow (a real server and Chromium): the fast tier (-m "not slow") skips them.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 720}
ARTIFACTS = ROOT / "test-artifacts"
START_TIMEOUT = 60
PAGE_TIMEOUT_MS = 30_000
TOPIC_PAGES = ["overview", "staffing", "correction", "mental_health", "drugs", "outreach"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(folder: Path, env_extra: dict[str, str]):
    """`streamlit run dashboard.py` on a free port until the fixture ends; yields its base
    URL, warehouse and log. Waits on the health endpoint; prints the log if it never starts."""
    port = free_port()
    log_path = folder / "server.log"
    env = {**os.environ, **env_extra}
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"streamlit did not start; its log:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.1)
    yield {"url": base, "warehouse": Path(env_extra["FAZHI_DB"]), "log": log_path}
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def server(demo_db_master, tmp_path_factory):
    """`streamlit run dashboard.py` on a free port; yields its base URL."""
    folder = tmp_path_factory.mktemp("browser")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(demo_db_master, warehouse)
    yield from _serve(folder, {"FAZHI_DB": str(warehouse), "FAZHI_USERS": "none"})


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A 1280x720 tab; fails the test if the page asked anything of another host."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(PAGE_TIMEOUT_MS)
    elsewhere: list[str] = []
    local = server["url"].split("//", 1)[1]
    tab.on("request", lambda request: local in request.url or request.url.startswith(("data:", "blob:")) or elsewhere.append(request.url))
    yield tab
    context.close()
    assert not elsewhere, f"the intranet dashboard called out: {elsewhere}"


@contextlib.contextmanager
def new_tab(browser):
    """A 1280x720 tab of its own (its own session), closed at the end."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield tab
    finally:
        context.close()


def open_page(tab, server, path: str, title: str):
    """Go to a page and wait until its script has finished and its title is drawn."""
    tab.goto(f"{server['url']}/{path}")
    tab.locator("h1", has_text=title).first.wait_for()
    tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    return tab


def wait_for_charts(tab) -> int:
    tab.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
    return tab.locator("[data-testid='stPlotlyChart']").count()


def assert_no_exception(tab, server) -> None:
    if tab.locator("[data-testid='stException']").count():
        pytest.fail(f"exception on {tab.url}; server log:\n{server['log'].read_text(errors='replace')}")
    assert not tab.get_by_text("本页数据加载出错").count()


def screenshot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# Runs first, on a fresh server: Streamlit treats pages/ as old-style pages until some
# session has called st.navigation, so this is where a deep link could lose its frame.
def test_a_link_as_the_first_request_opens_the_page_with_its_filters(server, page):
    open_page(page, server, "correction?from=2020&to=2021&v=440204100001", "社区矫正")
    assert_no_exception(page, server)
    page.get_by_text("统计期 2020–2021年度 · 对比 2020 年 · 范围：前进路社区").wait_for()
    page.locator("[data-testid='stSidebar']").get_by_text("年份范围").wait_for()
    assert "v=440204100001" in page.url


@pytest.mark.parametrize("mode", ["normal", "meeting"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_in_chromium_without_an_exception(server, page, name, mode):
    path = "" if name == "overview" else name
    open_page(page, server, f"{path}?meeting=1" if mode == "meeting" else path, PAGES[name])
    if name in TOPIC_PAGES:
        assert wait_for_charts(page) >= 1
    page.get_by_text("份来源工作簿").first.wait_for()
    page.get_by_text("演示数据").first.wait_for()
    assert_no_exception(page, server)
    screenshot(page, f"{mode}_{name}")


def test_meeting_mode_is_legible_from_the_back_of_the_room(server, page):
    open_page(page, server, "drugs?meeting=1", "禁毒")
    wait_for_charts(page)
    sizes = page.evaluate(
        """() => {
            const px = (el) => parseFloat(getComputedStyle(el).fontSize);
            const q = (s) => [...document.querySelectorAll(s)];
            return {
                body: q("[data-testid='stMain'] [data-testid='stMarkdownContainer'] p").map(px),
                kpi: q("[data-testid='stMetricValue']").map(px),
                sidebar: document.querySelector("[data-testid='stSidebar']").getBoundingClientRect().width,
                deploy: q("[data-testid='stAppDeployButton'], [data-testid='stMainMenu']")
                    .filter((el) => el.offsetParent !== null).length,
                font: getComputedStyle(document.querySelector("[data-testid='stMain'] p")).fontFamily,
            };
        }"""
    )
    assert sizes["body"] and min(sizes["body"]) >= 22
    assert sizes["kpi"] and min(sizes["kpi"]) >= 48
    assert sizes["sidebar"] < 50, "the sidebar starts collapsed in meeting mode"
    assert sizes["deploy"] == 0
    assert "Noto Sans CJK SC" in sizes["font"]
    screenshot(page, "meeting_legibility")


def test_meeting_mode_is_never_a_trap_the_menu_is_one_click_away(server, page):
    open_page(page, server, "correction?meeting=1", "社区矫正")
    expand = page.locator("[data-testid='stExpandSidebarButton']")
    expand.wait_for()
    assert expand.is_visible(), "the sidebar's button stays on the projector"
    expand.click()
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("总览").first.wait_for()
    sidebar.get_by_text("会议模式（投影）").wait_for()
    screenshot(page, "meeting_menu_open")


def _luminance(rgb: tuple[float, float, float]) -> float:
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _rgba(text: str) -> tuple[float, float, float, float]:
    parts = [float(x) for x in text[text.index("(") + 1 : text.index(")")].split(",")]
    return (*parts[:3], parts[3] if len(parts) == 4 else 1.0)


@pytest.mark.parametrize("mode", ["normal", "meeting"])
def test_the_change_on_every_card_is_readable_wcag_aa(server, page, mode):
    open_page(page, server, "overview?meeting=1" if mode == "meeting" else "", "总览")
    # Every card drawn (a loaded machine draws them some moments after the run ends).
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stMetricDelta']\").length >= 8")
    colours = page.evaluate(
        r"""() => [...document.querySelectorAll("[data-testid='stMetricDelta']")].map((el) => {
            const text = getComputedStyle(el.querySelector('p') || el).color;
            let node = el, background = 'rgba(0, 0, 0, 0)';
            while (node && /rgba\(0, 0, 0, 0\)|transparent/.test(background)) { background = getComputedStyle(node).backgroundColor; node = node.parentElement; }
            return [text, background];
        })"""
    )
    assert len(colours) >= 8
    for text, background in colours:
        red, green, blue, alpha = _rgba(background)
        # A tinted chip over the white card: blend it as the screen shows it.
        under = tuple(alpha * c + (1 - alpha) * 255 for c in (red, green, blue))
        lighter, darker = sorted((_luminance(_rgba(text)[:3]), _luminance(under)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (text, background)


DECK_SLIDES = 12


def _no_scroll(tab) -> bool:
    return tab.evaluate("() => { const m = document.querySelector('[data-testid=stMain]'); return m.scrollHeight <= m.clientHeight + 1; }")


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def test_the_deck_pages_by_keyboard_fits_every_slide_and_leaves_with_esc(server, browser, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        tab.goto(f"{server['url']}/deck?slide=1")
        tab.get_by_text(f"1 / {DECK_SLIDES}", exact=True).wait_for()
        tab.locator("h2").first.click()  # the window has the focus, as the meeting room's screen does
        for number in range(1, DECK_SLIDES + 1):
            tab.get_by_text(f"{number} / {DECK_SLIDES}", exact=True).wait_for()
            tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
            if tab.locator("[data-testid='stPlotlyChart']").count():
                tab.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
            assert_no_exception(tab, server)
            assert _no_scroll(tab), f"slide {number} scrolls at {width}x{height}"
            assert f"slide={number}" in tab.url
            tab.get_by_text("统计期").first.wait_for()  # every slide names its period and sources
            screenshot(tab, f"deck_{width}x{height}_{number:02d}")
            if number < DECK_SLIDES:
                # What a presentation clicker sends, and the keyboard's arrow, in turn.
                tab.keyboard.press("PageDown" if number % 2 else "ArrowRight")
        tab.keyboard.press("PageUp")
        tab.get_by_text(f"{DECK_SLIDES - 1} / {DECK_SLIDES}", exact=True).wait_for()
        tab.keyboard.press("ArrowLeft")
        tab.get_by_text(f"{DECK_SLIDES - 2} / {DECK_SLIDES}", exact=True).wait_for()
        tab.keyboard.press("Escape")
        tab.locator("h1", has_text="总览").wait_for()
        # The link brings a slide back.
        tab.goto(f"{server['url']}/deck?slide=4")
        tab.get_by_text(f"4 / {DECK_SLIDES}", exact=True).wait_for()
    finally:
        context.close()


def test_clicking_a_villages_bar_filters_the_pages_to_it_and_back(server, page):
    open_page(page, server, "drugs?from=2021&to=2021", "禁毒")
    wait_for_charts(page)
    ranking = page.locator("[data-testid='stPlotlyChart']", has_text="各村（社区）在册吸毒人员")
    ranking.scroll_into_view_if_needed()
    bars = ranking.locator("g.trace.bars").last.locator("g.point path")
    bars.first.wait_for()
    count = bars.count()
    # A person clicks where the bar is drawn (plotly takes the click on its drag layer above it).
    bars.nth(count - 1).click(force=True)  # the top bar: the village with the most
    page.get_by_role("button", name="返回之前的范围").wait_for()
    page.wait_for_url(lambda url: "v=" in url)
    village = page.url.split("v=")[1].split("&")[0]
    assert len(village) == 12 and village.startswith("440204100")
    page.get_by_text("范围：前进路社区").first.wait_for()  # the top village of 2021; every figure is now its own
    screenshot(page, "click_to_filter")
    page.get_by_role("button", name="返回之前的范围").click()
    page.wait_for_url(lambda url: "v=" not in url)
    assert_no_exception(page, server)


def test_a_csv_download_opens_with_its_chinese_intact(server, page):
    open_page(page, server, "correction", "社区矫正")
    wait_for_charts(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 CSV").first.click()
    download = download_info.value
    assert download.suggested_filename == "十里亭镇_社区矫正_2019-2023_全部村_历年趋势.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "年份,指标,单位,数值,限定,显示值"
    assert "在册社区矫正对象" in text


def test_the_page_workbook_has_one_sheet_per_chart_and_table_plus_notes(server, page):
    open_page(page, server, "correction", "社区矫正")
    charts = wait_for_charts(page)
    frames = page.locator("[data-testid='stDataFrame']")
    frames.first.wait_for()  # the detail table is drawn after the charts: count once it is there
    tables = frames.count()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载本页全部数据").click()
    download = download_info.value
    assert download.suggested_filename == "十里亭镇_社区矫正_2019-2023_全部村.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    # One sheet per chart and table, the detail's long form with its source cells, and 说明.
    assert book.sheetnames == ["历年趋势", "矫正类别构成", "分村对比", "明细", "明细（逐格来源）", "说明"]
    assert len(book.sheetnames) == charts + 2 * tables + 1
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert notes["年份范围"] == "2019–2023年"
    assert notes["村（社区）"] == "全镇"
    assert notes["数据集"] == "演示数据"
    assert "!" in book["说明"].cell(book["说明"].max_row, 2).value  # a source cell: file!sheet!cell


def test_uploading_a_good_and_a_bad_workbook_reports_each_in_chinese(server, page, books):
    # The server holds the warehouse open: the village list comes from the data file.
    names = [village.name for village in load_places().villages]
    good = books.write("社区矫正_2024.xlsx", correction_sheet([[n, 1, 1, 0, 0, 0, 0, 0] for n in names], year=2024))
    rows = [[n, 1, 1, 0, 0, 0, 0, 0] for n in names]
    rows[0][1] = "很多"
    bad = books.write("社区矫正_2024_有误.xlsx", correction_sheet(rows, year=2024))
    open_page(page, server, "upload", "数据上报")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(good), str(bad)])
    page.get_by_text(bad.name).first.wait_for()
    page.get_by_role("button", name="载入").click()
    page.get_by_text("本次结果：载入 1 个，重复 0 个，拒绝 1 个").wait_for()
    assert page.get_by_text(f"已载入：共 {len(names) * 7} 个数值").count() == 1
    assert page.get_by_text("已拒绝：整个文件未载入").count() == 1
    page.locator("[data-testid='stTable'] td", has_text="B3").wait_for()
    cells = [text.strip() for text in page.locator("[data-testid='stTable'] td").all_inner_texts()]
    # The message comes first, then where; the code last.
    assert cells[1:3] == ["社区矫正", "B3"], cells
    assert any("\u4e00" <= ch <= "\u9fff" for ch in cells[0]) and cells[3] == "NOT_A_COUNT"
    # Streamlit's own English on the uploader is covered by Chinese.
    words = page.evaluate(
        """() => [...document.querySelectorAll("[data-testid='stFileUploaderDropzone'] button p, [data-testid='stFileUploaderDropzoneInstructions'] span")]
            .map((el) => [getComputedStyle(el).fontSize, getComputedStyle(el, '::after').content])"""
    )
    assert words and all(size == "0px" and any("\u4e00" <= ch <= "\u9fff" for ch in after) for size, after in words), words
    assert_no_exception(page, server)
    screenshot(page, "upload_results")
    # The new year is there on the next page without a restart.
    open_page(page, server, "correction?from=2024&to=2024", "社区矫正")
    page.get_by_text("统计期 2024年度 · 对比 2023 年 · 范围：全镇").wait_for()
    value = page.locator("[data-testid='stMetricValue']").first.inner_text()
    assert value.strip() == str(len(names))


# ---------------------------------------------------------------- access by role (etl.access)


def test_workbook_text_in_a_projector_table_stays_text_never_a_link(server, page, books):
    """st.table renders Markdown: a theme holding an address must not become a link."""
    from etl.loading.loader import load_blobs
    from tests.builders import EVENT_HEADER

    theme = "详见 www.example.com 与 http://x.cn/a 的“送法进村”活动"
    path = books.write(
        "普法活动_2025.xlsx",
        books.sheet(
            "普法", [["十里亭镇2025年度普法宣传活动登记表"], EVENT_HEADER, ["2025-03-01", "前进路社区", "广场", theme, "", 10, 1, 2, 30]]
        ),
    )
    assert load_blobs(server["warehouse"], [(path.name, path.read_bytes())])[0].status == "loaded"
    open_page(page, server, "outreach?meeting=1&from=2025&to=2025", "普法宣传")
    table = page.locator("[data-testid='stTable']").last
    table.get_by_text("www.example.com", exact=False).wait_for()
    assert table.locator("a").count() == 0
    assert "http://x.cn/a" in table.inner_text().replace("\u200b", "")  # shown as typed


@pytest.fixture(scope="module")
def broken_server(demo_db_master, tmp_path_factory):
    """A server whose warehouse was cut in half (a disk that filled, a copy that stopped)."""
    folder = tmp_path_factory.mktemp("broken")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(demo_db_master, warehouse)
    with open(warehouse, "r+b") as handle:
        handle.truncate(warehouse.stat().st_size // 2)
    yield from _serve(folder, {"FAZHI_DB": str(warehouse), "FAZHI_USERS": "none"})


MODULE_NAMES = ("dashboard", "admin", "correction", "overview", "upload", "ledger", "deck", "widgets", "frame")


def test_a_broken_warehouse_is_said_in_chinese_without_english_or_module_names(browser, broken_server):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    tab = context.new_page()
    try:
        tab.goto(broken_server["url"])
        tab.get_by_text("暂时读不出数据仓库").wait_for(timeout=PAGE_TIMEOUT_MS)
        text = tab.inner_text("body")
        assert "encountered an error" not in text and "Traceback" not in text
        assert not any(name in text.split() for name in MODULE_NAMES), text[:300]
        screenshot(tab, "failure_broken_warehouse")
    finally:
        context.close()


def test_an_address_that_is_no_page_is_said_in_chinese(server, page):
    page.goto(f"{server['url']}/ui")
    page.locator("[role='dialog'] h2").wait_for()
    page.locator("h1", has_text="总览").wait_for()  # the main page ran, with the frame's CSS
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    words = page.evaluate(
        """() => { const h = document.querySelector("[role='dialog'] h2");
                  return [getComputedStyle(h).fontSize, getComputedStyle(h, '::after').content]; }"""
    )
    assert words == ["0px", '"没有这个页面"']
    assert not page.locator("[data-testid='stSidebarNav']").get_by_text("ui", exact=True).count()


def test_the_uploader_and_the_loader_state_one_limit():
    import tomllib

    from etl import settings

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == settings.MAX_FILE_MB and settings.MAX_FILE_BYTES == settings.MAX_FILE_MB * 1_000_000


@pytest.fixture(scope="module")
def login_server(demo_db_master, tmp_path_factory):
    """A second server, with a users file: an admin and a viewer."""
    from figures import access

    folder = tmp_path_factory.mktemp("login")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(demo_db_master, warehouse)
    users = folder / "users.toml"
    access.add_user("赵管理", "admin", "admin-password-1", path=users)
    yield from _serve(folder, {"FAZHI_DB": str(warehouse), "FAZHI_USERS": str(users)})


def test_an_admin_logs_in_through_the_real_form_and_reaches_the_admin_page(browser, login_server):
    with new_tab(browser) as tab:
        # A deep link to a page shows the login form first, and no number; after the
        # login the person starts at 总览.
        open_page(tab, login_server, "admin", "法治看板 · 登录")
        assert not tab.locator("[data-testid='stMetricValue']").count()
        screenshot(tab, "login")
        tab.get_by_label("用户名").fill("赵管理")
        tab.get_by_label("密码").fill("wrong password")
        tab.get_by_role("button", name="登录").click()
        tab.get_by_text("用户名或密码不正确").wait_for()
        tab.get_by_label("密码").fill("admin-password-1")
        tab.get_by_role("button", name="登录").click()
        tab.locator("h1", has_text="总览").first.wait_for()
        tab.locator("[data-testid='stSidebarNav']").get_by_text("管理").click()
        tab.locator("h1", has_text="管理").first.wait_for()
        tab.get_by_text("审计记录").first.wait_for()
        tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
        assert_no_exception(tab, login_server)
        assert tab.get_by_text("当前用户：赵管理（管理员）").count() == 1
        tab.get_by_text("报表", exact=True).first.wait_for()
        screenshot(tab, "admin")
        # Meeting mode hides small village counts.
        tab.locator("[data-testid='stSidebarNav']").get_by_text("社区矫正").click()
        tab.locator("h1", has_text="社区矫正").first.wait_for()
        tab.get_by_text("会议模式（投影）").click()
        # The town's totals stay; the caption states the rule and villages show <3.
        tab.get_by_text("小数保护：各村 0–2 人显示为").first.wait_for()
        tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
        wait_for_charts(tab)
        assert_no_exception(tab, login_server)
        marked = tab.locator("[data-testid='stTable'] td", has_text="<3").first
        marked.wait_for()
        marked.scroll_into_view_if_needed()
        screenshot(tab, "meeting_correction_small_counts")


@pytest.fixture(scope="module")
def district_server(district_db_master, tmp_path_factory):
    """A server on the district demo (浈江区, eight towns and streets)."""
    from tests.conftest import DISTRICT_VILLAGES

    folder = tmp_path_factory.mktemp("district")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(district_db_master, warehouse)
    yield from _serve(folder, {"FAZHI_DB": str(warehouse), "FAZHI_USERS": "none", "FAZHI_VILLAGES": str(DISTRICT_VILLAGES)})


def _district_figure(warehouse: Path, indicator: str, town: str = "") -> int:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        year = con.execute("select max(year) from indicator_values").fetchone()[0]
        where = "indicator_code = ? and year = ?" + (" and town_code = ?" if town else "")
        return int(
            con.execute(f"select sum(value) from indicator_values where {where}", [indicator, year, *([town] if town else [])]).fetchone()[
                0
            ]
        )


def choose(tab, selectbox, option: str) -> None:
    """Pick an option of a select box as a person does: open it, click the option. A rerun that
    redraws the sidebar just then closes the list: opened again until the option shows."""
    for _ in range(3):
        selectbox.get_by_role("combobox").click()
        try:
            tab.get_by_role("option").filter(has_text=option).first.wait_for(timeout=5_000)
            break
        except playwright_api.TimeoutError:
            continue
    tab.get_by_role("option").filter(has_text=option).first.click()


def _card_value(tab, label: str) -> str:
    card = tab.locator("[data-testid='stMetric']", has_text=label).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_a_district_is_seen_whole_then_one_town_chosen_in_the_sidebar_and_kept_in_the_link(browser, district_server):
    with new_tab(browser) as tab:
        open_page(tab, district_server, "correction", "社区矫正")
        tab.get_by_text("范围：浈江区（8 个镇、街道）").first.wait_for()
        assert_no_exception(tab, district_server)
        warehouse = district_server["warehouse"]
        assert _card_value(tab, "在册社区矫正对象") == str(_district_figure(warehouse, "cc_registered"))
        screenshot(tab, "district_whole")
        # A leader picks 乐园镇 from the sidebar: its figures, its villages, and the link keeps it.
        sidebar = tab.locator("[data-testid='stSidebar']")
        tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
        choose(tab, sidebar.locator("[data-testid='stSelectbox']", has_text="镇（街道）"), "乐园镇")
        tab.get_by_text("范围：乐园镇").first.wait_for()
        tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
        tab.wait_for_url("**t=440204102**")
        assert _card_value(tab, "在册社区矫正对象") == str(_district_figure(warehouse, "cc_registered", "440204102"))
        sidebar.get_by_text("村（社区）").first.wait_for()
        assert_no_exception(tab, district_server)
        screenshot(tab, "district_town")
        # The link opens the same town for whoever it is sent to.
        other = tab.context.new_page()
        other.goto(tab.url)
        other.get_by_text("范围：乐园镇").first.wait_for()
        assert _card_value(other, "在册社区矫正对象") == str(_district_figure(warehouse, "cc_registered", "440204102"))
