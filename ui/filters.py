"""The shared sidebar filters: seeded from a shared link once per session, kept valid when
the data changes under them, and mirrored in the URL (?from=…&to=…&cmp=…&t=…&v=…&meeting=1).
A district's list adds the town (t): 全区, one town, or villages of one town."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from figures import periods, protection
from figures.filters import WHOLE_DISTRICT_LABEL, Filters, quick_picks, villages_labels
from ui.connection import read

KEY_YEARS = "f_years"
KEY_COMPARE = "f_compare"
KEY_VILLAGES = "f_villages"
KEY_TOWN = "f_town"  # a district's chosen town code; "" = the whole district
KEY_PICK = "f_pick"
KEY_MEETING = "f_meeting"
KEY_FILTERS = "filters"
_KEY_URL_READ = "_filters_from_url"
_KEY_YEARS_SHOWN = "_years_shown"
AUTO_COMPARE = 0  # "the year before the last year shown"
_TRUE_WORDS = {"1", "true", "yes", "on"}


def _int_or_none(text: object) -> int | None:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return None


def _coverage() -> dict[int, periods.YearCoverage]:
    """Which departments reported each year: the chosen town's, or every town's."""
    return read("year_coverage", town=st.session_state.get(KEY_TOWN, ""))


def _towns(villages) -> dict[str, str]:
    """Town code → name, in list order."""
    return dict(zip(villages["town_code"], villages["town_name"], strict=False))


def _town_villages(villages, town: str):
    """The villages the village filter offers: the chosen town's (all of a one-town list)."""
    return villages[villages["town_code"] == town] if town else villages


def _seed_from_url(years: list[int], village_codes: list[str]) -> None:
    """Once per session: a shared link (?from=2019&to=2023&v=…&meeting=1) sets the filters.
    Without one, the years run to the latest year every department has reported."""
    params = st.query_params
    st.session_state[KEY_TOWN] = str(params.get("t", ""))  # checked by _repair_town
    first, last = periods.default_range(years, _coverage())
    year_from = _int_or_none(params.get("from"))
    year_to = _int_or_none(params.get("to"))
    year_from = year_from if year_from in years else first
    year_to = year_to if year_to in years else last
    st.session_state[KEY_YEARS] = (min(year_from, year_to), max(year_from, year_to))
    compare = _int_or_none(params.get("cmp"))
    st.session_state[KEY_COMPARE] = compare if compare in years else AUTO_COMPARE
    wanted = [code for code in str(params.get("v", "")).split(",") if code]
    st.session_state[KEY_VILLAGES] = [code for code in wanted if code in village_codes]
    st.session_state[KEY_MEETING] = str(params.get("meeting", "")).lower() in _TRUE_WORDS


def _repair_state(years: list[int], village_codes: list[str]) -> None:
    """Keep widget state valid when the data changed under it (a load added a year)."""
    chosen = st.session_state.get(KEY_YEARS)
    if not (isinstance(chosen, tuple | list) and len(chosen) == 2 and all(years[0] <= y <= years[-1] for y in chosen)):
        st.session_state[KEY_YEARS] = periods.default_range(years, _coverage())
    if st.session_state.get(KEY_COMPARE) not in [AUTO_COMPARE, *years]:
        st.session_state[KEY_COMPARE] = AUTO_COMPARE
    if st.session_state.get(_KEY_YEARS_SHOWN) != years:
        # New years in the data make new year widgets, which would forget the choices:
        # hand the choices to the new widgets explicitly.
        for key in (KEY_YEARS, KEY_COMPARE):
            st.session_state[key] = st.session_state[key]
        st.session_state[_KEY_YEARS_SHOWN] = years
    _repair_town(village_codes)
    st.session_state.setdefault(KEY_MEETING, False)
    st.session_state.setdefault(KEY_PICK, None)


def _repair_town(village_codes: list[str]) -> None:
    """A district's town is one of its towns, and the villages chosen are of that town (a link
    with villages but no town opens their town); a one-town list has no town to choose."""
    villages = read("villages")
    towns = _towns(villages)
    town = st.session_state.get(KEY_TOWN, "")
    if len(towns) < 2 or town not in towns:
        town = ""
    chosen = [c for c in st.session_state.get(KEY_VILLAGES, []) if c in village_codes]
    if len(towns) > 1:
        of = dict(zip(villages["village_code"], villages["town_code"], strict=True))
        if not town and chosen:
            town = of[chosen[0]]
        chosen = [c for c in chosen if of[c] == town]
    if st.session_state.get(KEY_TOWN) != town:
        st.session_state[KEY_TOWN] = town
    if chosen != st.session_state.get(KEY_VILLAGES):
        st.session_state[KEY_VILLAGES] = chosen


def _town_changed() -> None:
    # Another town: the villages chosen were the old town's.
    st.session_state[KEY_VILLAGES] = []


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
    picks = quick_picks(_town_villages(read("villages"), st.session_state.get(KEY_TOWN, "")))
    if choice in picks:
        st.session_state[KEY_VILLAGES] = list(picks[choice])
    # Back to the placeholder: the multiselect is the one place the selection lives.
    st.session_state[KEY_PICK] = None


def sidebar_filters(deck: bool = False) -> Filters:
    """Draw the shared filters in the sidebar, store them for the page, mirror them in the URL.
    On the deck (汇报) meeting mode is on whatever the toggle says, and the slide's number
    stays in the URL."""
    years = read("available_years") or [dt.date.today().year]
    every_village = read("villages")
    towns = _towns(every_village)
    district = len(towns) > 1
    area = read("area_name")
    town = st.session_state.get(KEY_TOWN, "")
    villages = _town_villages(every_village, town)
    covered = _coverage()
    partial = periods.partial_years(years, covered)
    names = dict(zip(villages["village_code"], villages["village_name"], strict=True))
    with st.sidebar:
        st.subheader("筛选")
        if district:
            st.selectbox(
                "镇（街道）",
                options=["", *towns],
                key=KEY_TOWN,
                format_func=lambda code: towns.get(code) or f"{WHOLE_DISTRICT_LABEL}（{area}，{len(towns)} 个镇、街道）",
                on_change=_town_changed,
                help="全区：各页按镇（街道）排名和列表；选一个镇（街道）后按村（社区）。",
            )
        if len(years) > 1:
            # A range slider, not select_slider: AppTest loses a select_slider range on rerun.
            st.slider("年份范围", min_value=years[0], max_value=years[-1], step=1, key=KEY_YEARS, format="%d年")
        else:
            st.session_state[KEY_YEARS] = (years[0], years[0])
            st.caption(f"年份：{years[0]}年（仓库中只有这一年）")
        if partial:
            st.caption("；".join(f"{year}年尚未报齐（{note}）" for year, note in partial.items()) + "，默认不显示，可拖动年份范围查看。")
        st.selectbox(
            "对比年份",
            options=[AUTO_COMPARE, *years],
            key=KEY_COMPARE,
            format_func=lambda y: "上一年（自动）" if y == AUTO_COMPARE else f"{y}年",
            help="卡片上的增减与这一年比较：存量指标比年末数，流量指标比全年合计。",
        )
        if district and not town:
            st.caption("选一个镇（街道）后，可再按村（社区）筛选。")
        else:
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
                options=list(quick_picks(villages)),
                index=None,
                key=KEY_PICK,
                placeholder="按类型或派出所辖区选择……",
                on_change=_apply_pick,
            )
        st.toggle("会议模式（投影）", key=KEY_MEETING, help="大字号、高对比、收起侧栏，适合投影到会议室。")
    year_from, year_to = st.session_state[KEY_YEARS]
    compare = st.session_state[KEY_COMPARE] or year_to - 1
    codes = tuple(st.session_state[KEY_VILLAGES]) if not (district and not town) else ()
    if district and not town:
        label, file_label = f"{area}（{len(towns)} 个镇、街道）", area
    else:
        label, file_label = villages_labels(codes, villages, towns[town] if district else "")
    filters = Filters(
        year_from=int(year_from),
        year_to=int(year_to),
        compare_year=int(compare),
        villages=codes,
        villages_label=label,
        file_label=file_label,
        meeting=bool(st.session_state[KEY_MEETING]) or deck,
        town=towns[town] if district and town else area,
        small_count_k=protection.small_count_k(bool(st.session_state[KEY_MEETING]) or deck),
        partial=tuple(partial.items()),
        reported=tuple((year, c.topics) for year, c in covered.items()),
        town_code=town,
        district=district,
    )
    st.session_state[KEY_FILTERS] = filters
    _write_url(filters, keep=("slide",) if deck else ())
    return filters


def url_params(filters: Filters) -> dict[str, str]:
    """The filters as a query string: ?from=…&to=…&cmp=…&v=…&meeting=1."""
    wanted = {"from": str(filters.year_from), "to": str(filters.year_to)}
    if st.session_state[KEY_COMPARE] != AUTO_COMPARE:
        wanted["cmp"] = str(filters.compare_year)
    if filters.town_code:
        wanted["t"] = filters.town_code
    if filters.villages:
        wanted["v"] = ",".join(filters.villages)
    if st.session_state.get(KEY_MEETING):
        wanted["meeting"] = "1"
    return wanted


def _write_url(filters: Filters, keep: tuple[str, ...] = ()) -> None:
    """Mirror the filters in the query string so a copied link opens the same view."""
    wanted = url_params(filters)
    wanted.update({name: st.query_params[name] for name in keep if name in st.query_params})
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def current_filters() -> Filters:
    return st.session_state[KEY_FILTERS]
