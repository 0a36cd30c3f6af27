"""Benchmark: the dashboard server's memory at city scale, with one session and with ten.

A city warehouse (benchmarks/synthetic.py: 100 towns × 20 villages × 20 years, 2,000
villages) is served by `streamlit run dashboard.py`; headless Chromium opens sessions one after
another, each walking the pages a leader walks (overview, the topics, the ledger, the deck),
half of them for the whole city and half for a town of their own, some in meeting mode. The
server's resident memory (VmRSS of its process) is read after the first session and after
the tenth, every session still open.

Goal (issue 12): at most 400 MB with one session, and at most 20 MB for each further one.

    python benchmarks/bench_memory.py [--sessions 10] [--scale city]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import synthetic  # noqa: E402
from benchmarks.bench_pages import CHART, CHROMIUM_ARGS, SCALES, free_port  # noqa: E402

PAGES = ["", "staffing", "correction", "mental_health", "drugs", "outreach", "ledger", "deck"]
GOAL_FIRST_MB, GOAL_EACH_MB = 400, 20


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def walk(browser, port: int, query: str):
    """One session: a new browser context (its own websocket and session) through every page."""
    tab = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    for page in PAGES:
        tab.goto(f"http://127.0.0.1:{port}/{page}{query}")
        tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=120_000)
        if page in ("", "drugs"):
            tab.locator(CHART).first.wait_for(timeout=120_000)
    return tab


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--scale", choices=list(SCALES), default="city")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{args.scale}.duckdb"
        listed = synthetic.build(path, *SCALES[args.scale])
        towns = sorted({line.split(",")[1] for line in listed.read_text(encoding="utf-8").splitlines()[1:]})
        port = free_port()
        env = {**os.environ, "FAZHI_DB": str(path), "FAZHI_VILLAGES": str(listed), "FAZHI_USERS": "none"}
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(600):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            print(f"server started: {rss_mb(server.pid):.0f} MB")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                tabs, first = [], 0.0
                for n in range(args.sessions):
                    query = "" if n % 2 == 0 else f"?t={towns[n % len(towns)]}"
                    query += ("&" if query else "?") + "meeting=1" if n % 4 == 3 else ""
                    tabs.append(walk(browser, port, query))
                    now = rss_mb(server.pid)
                    first = first or now
                    print(f"after session {n + 1:2d} ({query or '全区'}): {now:.0f} MB")
                each = (now - first) / max(1, args.sessions - 1)
                verdict_first = "ok" if first <= GOAL_FIRST_MB else "OVER"
                verdict_each = "ok" if each <= GOAL_EACH_MB else "OVER"
                print(f"one session {first:.0f} MB (goal ≤ {GOAL_FIRST_MB}: {verdict_first}); "
                      f"each further session {each:.1f} MB (goal ≤ {GOAL_EACH_MB}: {verdict_each})")  # fmt: skip
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
