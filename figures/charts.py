"""Chart builders for the pages and the deck: each takes a tidy DataFrame and returns a plotly figure.

No Streamlit here, so charts can be built and checked in a plain test. Colours are the
Okabe–Ito palette (readable with the common colour-vision deficiencies); every label and
tooltip shows the qualified value (1000+, 约30) with its unit, never a bare number that hides
a 余; years read horizontally as 2021年; a chart never puts 份, 人次 and 人 on one axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

FONT_STACK = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC", sans-serif'

# Okabe & Ito (2008): distinguishable with protanopia, deuteranopia and tritanopia.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Risk grades 0–5: blues for 一般风险 (0–2), oranges deepening for 高危 (3–5).
RISK_GRADE_COLOURS = ["#C6DBEF", "#6BAED6", "#2171B5", "#F4A259", "#D55E00", "#8C2D04"]
RISK_LEVEL_COLOURS = {"高风险": "#D55E00", "中风险": "#E69F00", "低风险": "#56B4E9"}
# A bar that stands for several villages whose own counts are hidden.
GROUP_COLOUR = "#9E9E9E"
# Plotly's own buttons (zoom, PNG) speak English and help nobody in a meeting; every chart
# has its CSV and Excel downloads instead.
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class ChartStyle:
    """Sizes for the desk (normal) or the projector (meeting mode)."""

    meeting: bool = False

    @property
    def font_size(self) -> int:
        return 22 if self.meeting else 14

    @property
    def title_size(self) -> int:
        return 26 if self.meeting else 17

    @property
    def height(self) -> int:
        return 460 if self.meeting else 360

    @property
    def bar_height(self) -> int:
        """Height per bar of a ranked bar chart, so labels never overlap."""
        return 38 if self.meeting else 26


def year_label(year: int) -> str:
    return f"{int(year)}年"


def _unit_of(frame: pd.DataFrame) -> pd.Series:
    return frame["unit"].fillna("") if "unit" in frame.columns else pd.Series("", index=frame.index)


def _layout(fig: go.Figure, title: str, style: ChartStyle, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": style.title_size}, "x": 0, "xanchor": "left"},
        font={"family": FONT_STACK, "size": style.font_size, "color": "#111111"},
        height=height or style.height,
        margin={"l": 10, "r": 20, "t": 60 if style.meeting else 50, "b": 10},
        # No named template: instantiating one costs ~10 ms per figure; the few
        # things plotly_white gave (white ground, light grid) are set below.
        template="none",
        plot_bgcolor="#FFFFFF",
        paper_bgcolor="#FFFFFF",
        colorway=OKABE_ITO,
        # Below the plot: above it, a legend collides with the title at 1280 px.
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0, "title": None},
        hoverlabel={"font": {"family": FONT_STACK, "size": style.font_size}},
        separators=".,",
        uniformtext={"minsize": style.font_size - 4, "mode": "hide"},
    )
    axis = {"automargin": True, "gridcolor": "#E6E6E6", "linecolor": "#BBBBBB", "zeroline": False, "ticks": ""}
    fig.update_xaxes(showgrid=False, tickangle=0, **axis)
    fig.update_yaxes(rangemode="tozero", showgrid=True, **axis)
    return fig


def _peak(values: pd.Series) -> float:
    """The largest value shown; a value hidden by the small-count protection is NA."""
    peak = values.max() if len(values) else 0
    return 0.0 if pd.isna(peak) else float(peak)


def _whole_numbers(fig: go.Figure, peak: float, axis: str = "y", **where) -> None:
    """Counts are whole: no 0.5 ticks when the largest value is small."""
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    if peak <= 10:
        update(dtick=1, tick0=0, **where)
    update(tickformat="d", **where)


def _years_axis(fig: go.Figure, years: list[int], **where) -> None:
    """Whole years only, read horizontally: 2021年 (never 2021.5 between two ticks)."""
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[year_label(y) for y in years], title=None, **where)


def _label_positions(frame: pd.DataFrame, series: str) -> dict[str, list[str]]:
    """Where each point's label goes so two close lines do not print over each other: at
    each year the highest series is labelled above its point, the others below it (of two
    equal values, the first drawn above, the second below)."""
    positions: dict[str, list[str]] = {}
    names = list(dict.fromkeys(frame[series]))
    wide = frame.pivot_table(index="year", columns=series, values="value", aggfunc="first")
    for name in names:
        places = []
        for year in sorted(frame.loc[frame[series] == name, "year"].unique()):
            row = wide.loc[year].dropna() if name in wide.columns else pd.Series(dtype=float)
            ranked = sorted(row.index, key=lambda other: (-row[other], names.index(other)))
            places.append("top center" if not ranked or ranked[0] == name else "bottom center")
        positions[str(name)] = places
    return positions


def trend(
    frame: pd.DataFrame,
    title: str,
    style: ChartStyle,
    series: str = "indicator_name",
    colours: dict[str, str] | None = None,
) -> go.Figure:
    """Lines over the years, one per series, each point labelled with its qualified value.

    `frame` has columns year, value, display, unit and the `series` column. Series of one
    chart share a unit (a chart of 份 and 人次 is `small_multiples`).
    """
    fig = go.Figure()
    positions = _label_positions(frame, series)
    for n, (name, part) in enumerate(frame.groupby(series, sort=False)):
        part = part.sort_values("year")
        colour = (colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)])
        fig.add_trace(
            go.Scatter(
                x=[year_label(y) for y in part["year"]],
                y=part["value"],
                name=str(name),
                mode="lines+markers+text",
                text=part["display"],
                customdata=_unit_of(part),
                textposition=positions.get(str(name), "top center"),
                line={"color": colour, "width": 4 if style.meeting else 3},
                marker={"size": 12 if style.meeting else 8, "color": colour},
                hovertemplate=f"%{{x}} {name}：%{{text}}%{{customdata}}<extra></extra>",
            )
        )
    _layout(fig, title, style)
    _years_axis(fig, sorted(frame["year"].unique().tolist()))
    _whole_numbers(fig, _peak(frame["value"]))
    # Headroom above the highest point and below the lowest for their labels.
    fig.update_yaxes(title=None, range=[-0.08 * max(1.0, _peak(frame["value"])), max(1.0, _peak(frame["value"])) * 1.2])
    return fig


def stacked_by_year(
    frame: pd.DataFrame,
    title: str,
    style: ChartStyle,
    series: str,
    order: list[str],
    colours: dict[str, str] | None = None,
) -> go.Figure:
    """Stacked columns per year: the composition of a total (types, kinds of post)."""
    fig = go.Figure()
    _stack(fig, frame, series, order, colours)
    _layout(fig, title, style)
    fig.update_layout(barmode="stack")
    _years_axis(fig, sorted(frame["year"].unique().tolist()))
    _whole_numbers(fig, _peak(frame.groupby("year")["value"].sum()))
    return fig


def _stack(fig: go.Figure, frame: pd.DataFrame, series: str, order: list[str], colours, legend: bool = True, **where) -> None:
    palette = colours or {}
    for n, name in enumerate(order):
        part = frame[frame[series] == name].sort_values("year")
        if part.empty or part["value"].isna().all():
            continue  # nothing drawn, so nothing in the legend either
        fig.add_trace(
            go.Bar(
                x=[year_label(y) for y in part["year"]],
                y=part["value"],
                name=name,
                text=part["display"],
                customdata=_unit_of(part),
                textposition="inside",
                textangle=0,
                insidetextanchor="middle",
                marker_color=palette.get(name, OKABE_ITO[n % len(OKABE_ITO)]),
                hovertemplate=f"%{{x}} {name}：%{{text}}%{{customdata}}<extra></extra>",
                showlegend=legend,
            ),
            **where,
        )


def split_stacks(
    frame: pd.DataFrame,
    title: str,
    style: ChartStyle,
    series: str,
    panels: list[tuple[str, list[str]]],
    colours: dict[str, str] | None = None,
) -> go.Figure:
    """Stacked columns per year in side-by-side panels, each on its own scale: grades 3–5
    (a handful of people) are read on their own axis, not as slivers on top of grades 0–2."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[name for name, _ in panels], horizontal_spacing=0.08)
    years = sorted(frame["year"].unique().tolist())
    for col, (_, order) in enumerate(panels, start=1):
        _stack(fig, frame, series, order, colours, row=1, col=col)
        part = frame[frame[series].isin(order)]
        _whole_numbers(fig, _peak(part.groupby("year")["value"].sum()), row=1, col=col)
        _years_axis(fig, years, row=1, col=col)
    _layout(fig, title, style)
    fig.update_layout(barmode="stack", legend={"y": -0.2})
    fig.update_annotations(font={"size": style.font_size})
    return fig


@dataclass(frozen=True)
class Group:
    """Several villages drawn as one bar: their own counts are hidden (small-count protection).

    `label` says what the bar holds (其余 9 个村（社区），每村少于 3 人); `value` is their total
    when publishing it tells nothing new (it is the published total minus the villages
    shown), else None and the bar is drawn without a length."""

    label: str
    value: int | None
    display: str


def ranked_bars(
    frame: pd.DataFrame,
    category: str,
    title: str,
    style: ChartStyle,
    colour: str = OKABE_ITO[0],
    groups: tuple[Group, ...] = (),
) -> go.Figure:
    """Horizontal bars sorted largest first: which village has most. Villages whose counts are
    hidden are drawn as grey group bars at the bottom, never as empty bars or left out.

    `frame` has the `category` column, value, display and unit.
    """
    shown = frame[frame["value"].notna()].sort_values(["value", category], ascending=[True, False])
    unit = _unit_of(frame).iloc[0] if len(frame) else ""
    fig = go.Figure()
    if groups:
        fig.add_trace(
            go.Bar(
                x=[g.value or 0 for g in groups],
                y=[g.label for g in groups],
                orientation="h",
                text=[g.display for g in groups],
                textposition="outside",
                constraintext="none",
                cliponaxis=False,
                marker={"color": GROUP_COLOUR, "pattern": {"shape": "/"}},
                hovertemplate="%{y}：%{text}<extra></extra>",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Bar(
            x=shown["value"],
            y=shown[category],
            orientation="h",
            text=shown["display"],
            textposition="outside",
            constraintext="none",
            cliponaxis=False,
            marker_color=colour,
            customdata=shown.get("village_code", shown[category]),
            hovertemplate=f"%{{y}}：%{{text}}{unit}<extra></extra>",
            showlegend=False,
        )
    )
    bars = len(shown) + len(groups)
    height = max(style.height, 90 + style.bar_height * bars)
    _layout(fig, title, style, height=height)
    # A label beside its bar is never squeezed out, however thin the bars of a slide get.
    fig.update_layout(uniformtext={"mode": False})
    fig.update_xaxes(title=None)
    # Top to bottom: the villages largest first, then the groups in the order given.
    order = [g.label for g in reversed(groups)] + list(shown[category])
    fig.update_yaxes(title=None, type="category", categoryorder="array", categoryarray=order)
    peak = max(_peak(shown["value"]), max((g.value or 0 for g in groups), default=0))
    _whole_numbers(fig, peak, axis="x")
    fig.update_xaxes(range=[0, max(1.0, peak) * 1.15])
    return fig


def stacked_bars_by_category(
    frame: pd.DataFrame,
    category: str,
    series: str,
    order: list[str],
    title: str,
    style: ChartStyle,
    colours: dict[str, str] | None = None,
) -> go.Figure:
    """Horizontal stacked bars per village (or station), the largest total on top."""
    totals = frame.groupby(category)["value"].sum().sort_values(ascending=True)
    fig = go.Figure()
    for n, name in enumerate(order):
        part = frame[frame[series] == name].set_index(category).reindex(totals.index).reset_index()
        if part["value"].isna().all():
            continue
        fig.add_trace(
            go.Bar(
                x=part["value"],
                y=part[category],
                name=name,
                orientation="h",
                text=part["display"],
                customdata=_unit_of(part),
                textposition="inside",
                textangle=0,
                insidetextanchor="middle",
                marker_color=(colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)]),
                hovertemplate=f"%{{y}} {name}：%{{text}}%{{customdata}}<extra></extra>",
            )
        )
    height = max(style.height, 140 + style.bar_height * len(totals))
    _layout(fig, title, style, height=height)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=None)
    _whole_numbers(fig, _peak(totals), axis="x")
    return fig


def grouped_bars(
    frame: pd.DataFrame,
    category: str,
    series: str,
    order: list[str],
    title: str,
    style: ChartStyle,
    colours: dict[str, str] | None = None,
) -> go.Figure:
    """Side-by-side columns: the same indicators for each police station (or kind of post)."""
    fig = go.Figure()
    for n, name in enumerate(order):
        part = frame[frame[series] == name]
        if part.empty or part["value"].isna().all():
            continue  # nothing drawn, so nothing in the legend either
        fig.add_trace(
            go.Bar(
                x=part[category],
                y=part["value"],
                name=name,
                text=part["display"],
                customdata=_unit_of(part),
                textposition="outside",
                cliponaxis=False,
                marker_color=(colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)]),
                hovertemplate=f"%{{x}} {name}：%{{text}}%{{customdata}}<extra></extra>",
            )
        )
    _layout(fig, title, style)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=None, type="category")
    peak = _peak(frame["value"])
    _whole_numbers(fig, peak)
    fig.update_yaxes(range=[0, max(1.0, peak) * 1.15])
    return fig


def small_multiples(frame: pd.DataFrame, title: str, style: ChartStyle, columns: int = 3) -> go.Figure:
    """One small trend per indicator, each with its own scale (a count of 12 beside 304) and
    its unit in its title, so 份, 人次 and 人 never share an axis.

    `frame` has columns panel (the small chart's title), year, value, display, unit.
    """
    panels = list(dict.fromkeys(frame["panel"]))
    units = dict(zip(frame["panel"], _unit_of(frame), strict=True))
    titles = [f"{panel}（{units[panel]}）" if units.get(panel) and not panel.endswith("）") else panel for panel in panels]
    rows = max(1, -(-len(panels) // columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        vertical_spacing=0.22 if rows > 1 else 0.1,
        horizontal_spacing=0.06,
    )
    years = sorted(frame["year"].unique().tolist())
    for n, panel in enumerate(panels):
        part = frame[frame["panel"] == panel].sort_values("year")
        row, col = divmod(n, columns)
        fig.add_trace(
            go.Scatter(
                x=[year_label(y) for y in part["year"]],
                y=part["value"],
                mode="lines+markers+text",
                text=part["display"],
                customdata=_unit_of(part),
                textposition="top center",
                line={"color": OKABE_ITO[0], "width": 3},
                marker={"size": 9 if style.meeting else 7},
                name=panel,
                showlegend=False,
                hovertemplate=f"{panel} %{{x}}：%{{text}}%{{customdata}}<extra></extra>",
            ),
            row=row + 1,
            col=col + 1,
        )
    _layout(fig, title, style, height=(300 if style.meeting else 230) * rows + 40)
    for n in range(len(panels)):
        row, col = divmod(n, columns)
        _years_axis(fig, years, row=row + 1, col=col + 1)
    fig.update_yaxes(rangemode="tozero", showticklabels=False)
    # Panel titles are annotations: give them the chart's font size.
    fig.update_annotations(font={"size": style.font_size})
    # Leave headroom above the highest point for its label.
    for n, panel in enumerate(panels):
        peak = frame.loc[frame["panel"] == panel, "value"].max()
        if pd.notna(peak):
            row, col = divmod(n, columns)
            fig.update_yaxes(range=[0, max(1, float(peak)) * 1.35], row=row + 1, col=col + 1)
    return fig
