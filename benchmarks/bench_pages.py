"""Benchmark: each page's server-side run, cold and warm, and the server's start to first chart.

Everything runs on a freshly built demo warehouse and is reported as a ratio against a
baseline measured in the same run, because the machine is noisy:
  - page runs: AppTest of dashboard.py switched to each page; "cold" is the first run
    after st.cache_data.clear() (the connection stays, as in a live process), "warm" the
    median of --repeat further runs. Baseline: AppTest of a one-line script.
  - start to first chart: `streamlit run dashboard.py` until a headless Chromium at
    1280x720 shows the first plotly chart. Baseline: `streamlit run` of a one-line
    script until its text shows.
Goals: each page ≤ 200 ms warm, start to first chart ≤ 3 s. No test asserts on time.

    python benchmarks/bench_pages.py [--repeat 5] [--skip-browser]
"""

from __future__ import annotations

import argparse
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

from etl import demo  # noqa: E402

PAGES = ["overview", "staffing", "correction", "mental_health", "drugs", "outreach", "upload", "ledger"]
BASELINE_SCRIPT = "import streamlit as st\nst.write('基线')\n"
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


def page_runs(repeat: int) -> tuple[float, dict[str, tuple[float, float]]]:
    baseline_app = AppTest.from_string(BASELINE_SCRIPT, default_timeout=60).run()
    baseline = statistics.median(timed(baseline_app.run) for _ in range(repeat))
    results = {}
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    for page in PAGES:
        app.switch_page(f"pages/{page}.py")
        st.cache_data.clear()
        cold = timed(app.run)
        assert not app.exception, [e.value for e in app.exception]
        warm = statistics.median(timed(app.run) for _ in range(repeat))
        results[page] = (cold, warm)
    return baseline, results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_to_first(script: Path, selector: str, env: dict) -> float:
    """Seconds from launching `streamlit run script` to `selector` visible in Chromium."""
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
            tab.locator(selector).first.wait_for(timeout=60_000)
            return time.perf_counter() - start
        finally:
            process.terminate()
            process.wait(timeout=10)
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        warehouse = Path(folder) / "demo.duckdb"
        demo.build_demo(warehouse)
        os.environ["FAZHI_DB"] = str(warehouse)
        _navigation_mode()
        baseline, results = page_runs(args.repeat)
        print(f"page runs (AppTest), baseline one-line script: {baseline * 1000:.0f} ms")
        print(f"{'page':<15}{'cold ms':>9}{'warm ms':>9}{'warm/baseline':>15}{'goal ≤200ms':>13}")
        for page, (cold, warm) in results.items():
            verdict = "ok" if warm <= 0.2 else "SLOW"
            print(f"{page:<15}{cold * 1000:>9.0f}{warm * 1000:>9.0f}{warm / baseline:>15.1f}{verdict:>13}")
        if args.skip_browser:
            return
        # This process still holds the first file open (one connection per process).
        served = Path(folder) / "served.duckdb"
        shutil.copy(warehouse, served)
        env = {**os.environ, "FAZHI_DB": str(served)}
        hello = Path(folder) / "hello.py"
        hello.write_text(BASELINE_SCRIPT, encoding="utf-8")
        base_start = start_to_first(hello, "text=基线", env)
        ours = start_to_first(ROOT / "dashboard.py", "[data-testid='stPlotlyChart'] .main-svg", env)
        verdict = "ok" if ours <= 3 else "SLOW"
        print(f"start to first chart: {ours:.2f} s (baseline start to first text {base_start:.2f} s, "
              f"ratio {ours / base_start:.1f}; goal ≤3 s: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
