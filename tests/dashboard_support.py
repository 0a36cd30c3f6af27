"""Fixtures and helpers for the dashboard tests.

The warehouses come from the fixture ladder in tests/conftest.py: `demo_db_master` (the
ETL's demo warehouse, built once per session) for tests that only read, `demo_db` (a
private copy) for tests that load. `open_app` starts an AppTest of dashboard.py on one.
Expected numbers come from SQL on the public views, never from the code under test.
"""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from etl.loading import warehouse

ROOT = Path(__file__).resolve().parent.parent
ENTRY = str(ROOT / "dashboard.py")
PAGES = {
    "overview": "总览",
    "staffing": "队伍建设",
    "correction": "社区矫正",
    "mental_health": "严重精神障碍患者",
    "drugs": "禁毒",
    "outreach": "普法宣传",
    "upload": "数据上报",
    "ledger": "上报台账",
}
# A page may take longer on its first, cold run than a user would wait in a test.
RUN_TIMEOUT = 60


def sql(path: Path, query: str, params: list | dict | None = None) -> list[tuple]:
    """Ask the public views directly, read-only, as any outside check would."""
    con = warehouse.connect(path, read_only=True)
    try:
        return con.cursor().execute(query, params or []).fetchall()
    finally:
        con.close()


def _navigation_mode(monkeypatch) -> None:
    """Run as a live server does once st.navigation has run: pages/ is not old-style pages.

    AppTest forgets that before every run, so a pages/ folder would make it execute a
    switched-to page file alone, without dashboard.py (and drop button clicks when the
    page reruns itself through the entry).
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def _no_component_scan(monkeypatch) -> None:
    """Every new AppTest scans the metadata of every installed package for custom
    components (about 0.9 s here); the dashboard uses none, so the tests skip the scan."""
    monkeypatch.setattr(BidiComponentManager, "discover_and_register_components", lambda self, *args, **kwargs: None)


def open_app(path: Path, monkeypatch, query: dict | None = None, users: Path | None = None, page: str | None = None) -> AppTest:
    """An AppTest of dashboard.py on the warehouse at `path`, run once: on the overview, or
    on `page` opened by its address (/correction), as a bookmark or a link opens it. Access
    control is off (FAZHI_USERS=none) unless a users file is given (a data/users.toml on
    the machine does not count)."""
    monkeypatch.setenv("FAZHI_DB", str(path))
    monkeypatch.setenv("FAZHI_USERS", str(users) if users else "none")
    _navigation_mode(monkeypatch)
    _no_component_scan(monkeypatch)
    at = AppTest.from_file(ENTRY, default_timeout=RUN_TIMEOUT)
    at.query_params.update(query or {})
    if page is not None:
        at.switch_page(f"pages/{page}.py")
    return at.run()


def goto(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"pages/{page}.py").run()


_CARD_YEAR = re.compile(r"^\d{4}年 ")


def card_label(label: str) -> str:
    """A card's label without the year it names (2023年 在管患者（人） → 在管患者（人））."""
    return _CARD_YEAR.sub("", label)


def metric_values(at: AppTest) -> dict[str, str]:
    return {card_label(metric.label): metric.value for metric in at.metric}


def status(at: AppTest) -> str:
    """The line under a page's title: 统计期, comparison, villages, sources."""
    return next(m.value for m in at.markdown if m.value.startswith(("**统计期", "本页不受")))


def card(at: AppTest, label: str):
    """The KPI card whose label (without its year) is `label`."""
    return next(metric for metric in at.metric if card_label(metric.label) == label)


def assert_clean(at: AppTest) -> None:
    """No exception and no error box (a page shows st.error when its body failed)."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def styles(at: AppTest) -> str:
    """The static CSS the frame put on the page (st.html of style only)."""
    return "".join(element.proto.body for element in at.get("html"))
