"""汇报模式: the deck of slides from data/deck.toml — every slide draws, pages forward and
back and never past either end, keeps its number in the link, leaves to 总览, and a wrong
deck file is said in Chinese. Real key presses and fitting the screen: test_browser.py."""

from __future__ import annotations

import pytest

from figures import deck, views
from tests.dashboard_support import assert_clean, open_app

SLIDES = deck.read_deck()


def open_deck(path, monkeypatch, query: dict | None = None):
    """The deck as a link to it opens it (AppTest starts at the default page, then goes there)."""
    at = open_app(path, monkeypatch, query)
    at.query_params.update(query or {})
    return at.switch_page("pages/deck.py").run()


def counter(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**") and " / " in m.value)


def test_the_deck_file_names_only_charts_the_views_draw(demo_db_master, monkeypatch):
    """data/deck.toml may name what views.CHART_KEYS lists; those are the views' own keys."""
    from ui import connection  # noqa: F401  (the views read through any reader; here a stub)

    class Reader:
        def __call__(self, name, **arguments):
            import duckdb

            from figures import queries

            con = duckdb.connect(str(demo_db_master), read_only=True)
            try:
                return getattr(queries, name)(con.cursor(), **arguments)
            finally:
                con.close()

    from figures.filters import Filters

    f = Filters(2019, 2023, 2022, (), "全镇", "全部村", True, "十里亭镇", small_count_k=3)
    for topic, build in views.TOPIC_VIEWS.items():
        assert tuple(chart.key for chart in build(Reader(), f).charts) == views.CHART_KEYS[topic], topic


def test_every_slide_draws_without_an_error_with_its_number(demo_db_master, monkeypatch):
    at = open_deck(demo_db_master, monkeypatch)
    for slide in SLIDES:
        assert_clean(at)
        assert counter(at) == f"**{slide.number} / {len(SLIDES)}**"
        assert any(m.value == f"## {slide.title}" for m in at.markdown)
        assert at.query_params["slide"] == str(slide.number)
        if slide.charts:
            assert len(at.get("plotly_chart")) == len(slide.charts)
        if slide.cards:
            assert at.metric
        if slide.number < len(SLIDES):
            at.button(key="deck_next").click().run()
    assert at.button(key="deck_next").disabled
    at.button(key="deck_right").click().run()
    assert counter(at) == f"**{len(SLIDES)} / {len(SLIDES)}**", "never past the last slide"


def test_paging_back_stops_at_the_first_slide_and_the_arrow_keys_page_too(demo_db_master, monkeypatch):
    at = open_deck(demo_db_master, monkeypatch, {"slide": "2"})
    assert counter(at).startswith("**2 /")
    at.button(key="deck_prev").click().run()
    at.button(key="deck_left").click().run()
    assert counter(at).startswith("**1 /")
    at.button(key="deck_right").click().run()
    assert counter(at).startswith("**2 /")


def test_a_link_restores_the_slide_and_the_filters(demo_db_master, monkeypatch):
    at = open_deck(demo_db_master, monkeypatch, {"slide": "5", "from": "2020", "to": "2021", "v": "440204100001"})
    assert_clean(at)
    assert counter(at).startswith("**5 /")
    assert at.query_params["slide"] == "5" and at.query_params["v"] == "440204100001"
    assert any("统计期 2020–2021年度" in c.value and "前进路社区" in c.value for c in at.caption)


def test_the_deck_keeps_small_count_protection_whatever_the_toggle_says(demo_db_master, monkeypatch, tmp_path):
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "none.toml"))
    at = open_deck(demo_db_master, monkeypatch, {"slide": "5"})
    assert at.toggle(key="f_meeting").value is False
    assert any("显示为“<3”" in c.value for c in at.caption)


def test_leaving_goes_to_the_overview(demo_db_master, monkeypatch):
    at = open_deck(demo_db_master, monkeypatch, {"slide": "3"})
    at.button(key="deck_exit").click().run()
    assert_clean(at)
    assert at.title[0].value == "总览"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[slide]]\ntitle = "x"\nshow = ["correction.nonsense"]\n', "“correction.nonsense”不认识"),
        ('[[slide]]\ntitle = "x"\nshow = ["drugs.risk", "drugs.villages", "drugs.stations"]\n', "一页最多 2 张"),
        ("this is not toml", "读不出来"),
    ],
)
def test_a_wrong_deck_file_is_said_in_chinese(demo_db_master, monkeypatch, tmp_path, text, message):
    path = tmp_path / "deck.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("FAZHI_DECK", str(path))
    at = open_deck(demo_db_master, monkeypatch)
    assert not at.exception
    assert message in at.error[0].value
