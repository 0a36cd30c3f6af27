"""汇报: the meeting as a deck of slides (data/deck.toml), paged by keyboard and clicker.

→ / PageDown next, ← / PageUp back, Esc or 退出汇报 leaves; every slide names its period and
sources, fits the screen, keeps the filters and its number in the link (?slide=3), and keeps
small-count protection (meeting mode's k) on every figure.
"""

import streamlit as st

from figures import charts, deck, periods, tables, views
from figures.filters import Filters
from ui import connection, frame, widgets

KEY_SLIDE = "deck_slide"
_KEY_SEEDED = "_deck_slide_from_url"


def _move(step: int, count: int) -> None:
    st.session_state[KEY_SLIDE] = min(max(1, st.session_state.get(KEY_SLIDE, 1) + step), count)


def _current(count: int) -> int:
    """The slide to show: from the link the first time in a session, then as paged."""
    if not st.session_state.get(_KEY_SEEDED):
        st.session_state[_KEY_SEEDED] = True
        try:
            st.session_state[KEY_SLIDE] = int(st.query_params.get("slide", 1))
        except (TypeError, ValueError):
            st.session_state[KEY_SLIDE] = 1
    number = min(max(1, int(st.session_state.get(KEY_SLIDE, 1))), count)
    st.session_state[KEY_SLIDE] = number
    return number


def _controls(slide: deck.Slide, count: int) -> bool:
    """Title, the paging buttons (PageUp/PageDown as clickers send, ← → from a keyboard) and
    the way out; returns whether 退出汇报 was asked for."""
    with st.container(horizontal=True, vertical_alignment="center", key="deck_bar", wrap=False):
        st.markdown(f"## {slide.title}")
        st.space("stretch")
        st.button("上一页", key="deck_prev", shortcut="PageUp", on_click=_move, args=(-1, count), disabled=slide.number == 1)
        st.button("下一页", key="deck_next", shortcut="PageDown", on_click=_move, args=(1, count), disabled=slide.number == count)
        leave = st.button("退出汇报", key="deck_exit", shortcut="Esc", icon=":material/close:")
        st.markdown(f"**{slide.number} / {count}**")
    # The arrow keys page too; their buttons are not drawn twice (CSS hides them, the keys work).
    st.button("←", key="deck_left", shortcut="Left", on_click=_move, args=(-1, count))
    st.button("→", key="deck_right", shortcut="Right", on_click=_move, args=(1, count))
    return leave


def _source_line(f: Filters) -> None:
    """统计期, the year compared with, the villages, the sources and the protection, in one line."""
    status = connection.read("warehouse_status", town=f.town_code)
    line = f"{periods.period_label(f.year_from, f.year_to)} · 与 {f.compare_year} 年比较 · {f.villages_label} · 来源：{status['source_files']} 份报表"
    if status["dataset"] == "demo":
        line += "（演示数据）"
    partial = f.partial_note(f.year_to)
    if partial:
        line += f" · {f.year_to}年尚未报齐（{partial}）"
    if f.small_count_k:
        line += f" · 各村 0–{f.small_count_k - 1} 人显示为“<{f.small_count_k}”，“\\*”“…”为已隐去"
    st.caption(line)


def _gaps(f: Filters) -> None:
    ledger = connection.read("submission_ledger", town=f.town_code)
    if ledger.empty:
        widgets.no_data()
        return
    year = tables.reporting_year(ledger)
    missing = tables.missing_sheets(ledger, year)
    if missing:
        st.markdown(f"### {year}年度尚未报齐：{tables.plain('、'.join(missing))}")
    else:
        st.markdown(f"### {year}年度各项报表均已上报。")
    partial = tables.partial_sheets(ledger, year)
    if partial:
        st.markdown(f"有村未填：{tables.plain('、'.join(partial))}")
    # The last three years, as the ledger page shows them: what came in, and when.
    recent = ledger[ledger["year"] > year - 3]
    st.table(tables.towns_matrix(ledger, year) if f.rollup else tables.ledger_matrix(recent, year), hide_index=True)


def _slide(slide: deck.Slide, f: Filters) -> None:
    built: dict[str, views.TopicView] = {}

    def view(topic: str) -> views.TopicView:
        if topic not in built:
            built[topic] = connection.view(topic, f)
        return built[topic]

    if slide.gaps:
        _gaps(f)
    with st.container(key="slide_with_cards" if slide.cards and slide.charts else "slide_charts"):
        if slide.cards:
            cards = view(slide.cards.topic).cards
            widgets.kpi_row(cards[: deck.CARDS_WITH_A_CHART] if slide.charts else cards, f)
        columns = st.columns(len(slide.charts), gap="large") if len(slide.charts) > 1 else [st.container()]
        for n, (column, part) in enumerate(zip(columns, slide.charts, strict=False)):
            figure, _ = view(part.topic).chart(part.item).make()
            # The slide, not the figure, decides the height: it fills what the screen has left;
            # the legend goes up beside the title, where it never runs off the bottom.
            figure.update_layout(height=None, autosize=True, legend={"traceorder": "normal"})
            if not figure.layout.annotations:  # panels have their titles up there
                figure.update_layout(
                    legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1}, margin={"b": 10}
                )
            with column:
                st.plotly_chart(figure, theme=None, width="stretch", config=charts.PLOTLY_CONFIG, key=f"slide_chart_{n}")


def body(f: Filters) -> None:
    try:
        slides = deck.read_deck()
    except deck.DeckError as problem:
        st.error(str(problem))
        return
    number = _current(len(slides))
    slide = slides[number - 1]
    if _controls(slide, len(slides)):
        st.session_state.pop(_KEY_SEEDED, None)
        st.switch_page("pages/overview.py")
    st.query_params["slide"] = str(number)
    _source_line(f)
    _slide(slide, f)


frame.run_page("汇报", body, deck=True)
