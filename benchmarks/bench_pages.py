"""Benchmark: each page's server-side run, cold and warm, desk and meeting mode, on a town, a
district or a city; and the server's start to its first chart against a bare Streamlit app.

Everything is measured in this run, against a baseline measured in the same run, because the
machine is noisy. No test asserts on time.
  - page runs: AppTest of dashboard.py switched to each page; "cold" is the first run after
    st.cache_data.clear() (the connection stays, as in a live process), "warm" the median of
    --repeat further runs. Baseline: AppTest of a one-line script. A district or city runs
    each page seen whole (全区: the towns ranked) and for one town (?t=…).
  - start to first chart (--browser): `streamlit run dashboard.py` until headless Chromium at
    1280x720 draws the first plotly chart, against `streamlit run` of a bare app drawing one
    plotly chart, alternated --starts times; the medians' ratio is the figure.

Scales (issue 12): town = the demo (16 villages × 5 years); district = 10 towns × 20 villages
× 10 years (200 villages); city = 100 towns × 20 villages × 20 years (2,000 villages).
Goals: every page ≤ 200 ms warm at district scale, ≤ 300 ms at city scale, desk and
meeting mode; start to first chart ≤ 1.05 × the bare app.

    python benchmarks/bench_pages.py --scale district [--repeat 5]
    python benchmarks/bench_pages.py --scale town --browser [--starts 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks import synthetic  # noqa: E402
from etl.authoring import demo  # noqa: E402

PAGES = ["overview", "staffing", "correction", "mental_health", "drugs", "outreach", "ledger", "deck", "report", "upload"]
SCALES = {"district": (10, 20, 10), "city": (100, 20, 20)}  # towns, villages per town, years
GOALS_MS = {"town": 200, "district": 200, "city": 300}
BASELINE_SCRIPT = "import streamlit as st\nst.write('基线')\n"
BARE_CHART_APP = (
    "import plotly.graph_objects as go\nimport streamlit as st\nst.plotly_chart(go.Figure(go.Bar(x=['2022年', '2023年'], y=[3, 4])))\n"
)
CHART = "[data-testid='stPlotlyChart'] .main-svg"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


def _navigation_mode() -> None:
    """As a live server after st.navigation: pages/ is not old-style pages (see tests)."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def page_runs(repeat: int, query: dict) -> dict[str, tuple[float, float]]:
    results = {}
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    app.query_params.update(query)
    app.run()
    for page in PAGES:
        app.switch_page(f"pages/{page}.py")
        st.cache_data.clear()
        cold = timed(app.run)
        problems = [e.value for e in app.exception] + [e.value for e in app.error]
        assert not problems, (page, query, problems)
        warm = statistics.median(timed(app.run) for _ in range(repeat))
        results[page] = (cold, warm)
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_to_first(script: Path, env: dict) -> float:
    """Seconds from launching `streamlit run script` to its first plotly chart drawn in Chromium."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 720})
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", str(port), "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=script.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                        break
                except OSError:
                    if time.perf_counter() - start > 60:
                        raise RuntimeError("server did not start") from None
                    time.sleep(0.02)
            tab.goto(f"http://127.0.0.1:{port}/")
            tab.locator(CHART).first.wait_for(timeout=60_000)
            return time.perf_counter() - start
        finally:
            process.terminate()
            process.wait(timeout=10)
            browser.close()


@contextlib.contextmanager
def warehouse_of(scale: str, folder: Path):
    """The warehouse of a scale (and its village list in force while measuring)."""
    path = folder / f"{scale}.duckdb"
    if scale == "town":
        demo.build_demo(path)
        yield path
        return
    towns, villages, years = SCALES[scale]
    started = time.perf_counter()
    listed = synthetic.build(path, towns, villages, years)
    print(f"{scale}: {towns} towns × {villages} villages × {years} years built in {time.perf_counter() - started:.1f} s")
    with synthetic.village_list(listed):
        yield path


def report_pages(scale: str, repeat: int, path: Path) -> None:
    os.environ["FAZHI_DB"] = str(path)
    os.environ["FAZHI_USERS"] = "none"
    _navigation_mode()
    baseline_app = AppTest.from_string(BASELINE_SCRIPT, default_timeout=60).run()
    baseline = statistics.median(timed(baseline_app.run) for _ in range(repeat))
    goal = GOALS_MS[scale]
    levels = {"": {}} if scale == "town" else {"全区": {}, "一个镇": {"t": "440200100"}}
    print(f"page runs (AppTest), baseline one-line script {baseline * 1000:.0f} ms; goal ≤ {goal} ms warm")
    print(f"{'level':<8}{'mode':<8}{'page':<15}{'cold ms':>9}{'warm ms':>9}{'warm/base':>11}{'goal':>7}")
    slow = 0
    for level, query in levels.items():
        for mode, extra in (("desk", {}), ("meeting", {"meeting": "1"})):
            for page, (cold, warm) in page_runs(repeat, {**query, **extra}).items():
                verdict = "ok" if warm * 1000 <= goal else "SLOW"
                slow += verdict == "SLOW"
                print(f"{level:<8}{mode:<8}{page:<15}{cold * 1000:>9.0f}{warm * 1000:>9.0f}{warm / baseline:>11.1f}{verdict:>7}")
    print(f"{scale}: {'every page met' if not slow else f'{slow} page runs missed'} the goal of {goal} ms warm")


def report_start(starts: int, path: Path, folder: Path) -> None:
    served = folder / "served.duckdb"
    shutil.copy(path, served)
    env = {**os.environ, "FAZHI_DB": str(served), "FAZHI_USERS": "none"}
    bare = folder / "bare.py"
    bare.write_text(BARE_CHART_APP, encoding="utf-8")
    ours_times, bare_times = [], []
    for _ in range(starts):  # alternated, so a busy moment of the machine hits both
        bare_times.append(start_to_first(bare, env))
        ours_times.append(start_to_first(ROOT / "dashboard.py", env))
    ours, base = statistics.median(ours_times), statistics.median(bare_times)
    verdict = "ok" if ours <= 1.05 * base else "SLOW"
    print(f"start to first chart: dashboard {ours:.2f} s, bare app with one plotly chart {base:.2f} s "
          f"(medians of {starts}); ratio {ours / base:.2f}, goal ≤ 1.05: {verdict}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["town", *SCALES], default="town")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also time server start to first chart")
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--no-pages", action="store_true", help="only the start (with --browser)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, warehouse_of(args.scale, Path(folder)) as path:
        if not args.no_pages:
            report_pages(args.scale, args.repeat, path)
        if args.browser:
            report_start(args.starts, path, Path(folder))


if __name__ == "__main__":
    main()
