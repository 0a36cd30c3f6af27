"""Chart builders for the pages: each takes a tidy DataFrame and returns a plotly figure.

No Streamlit here, so charts can be built and checked in a plain test. Colours are the
Okabe–Ito palette (readable with the common colour-vision deficiencies); every label and
tooltip shows the qualified value (1000+, 约30), never a bare number that hides a 余.
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
    fig.update_xaxes(showgrid=False, **axis)
    fig.update_yaxes(rangemode="tozero", showgrid=True, **axis)
    return fig


def _peak(values: pd.Series) -> float:
    """The largest value shown; a value hidden by the small-count protection is NA."""
    peak = values.max() if len(values) else 0
    return 0.0 if pd.isna(peak) else float(peak)


def _whole_numbers(fig: go.Figure, peak: float, axis: str = "y") -> None:
    """Counts are whole: no 0.5 ticks when the largest value is small."""
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    if peak <= 10:
        update(dtick=1, tick0=0)
    update(tickformat="d")


def _years_axis(fig: go.Figure, years: list[int]) -> None:
    """Whole years only: never 2021.5 between two ticks."""
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[f"{y}年" for y in years], title=None)


def trend(
    frame: pd.DataFrame,
    title: str,
    style: ChartStyle,
    series: str = "indicator_name",
    unit: str = "",
    colours: dict[str, str] | None = None,
) -> go.Figure:
    """Lines over the years, one per series, each point labelled with its qualified value.

    `frame` has columns year, value, display and the `series` column.
    """
    fig = go.Figure()
    for n, (name, part) in enumerate(frame.groupby(series, sort=False)):
        part = part.sort_values("year")
        colour = (colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)])
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["value"],
                name=str(name),
                mode="lines+markers+text",
                text=part["display"],
                textposition="top center",
                line={"color": colour, "width": 4 if style.meeting else 3},
                marker={"size": 12 if style.meeting else 8, "color": colour},
                hovertemplate=f"%{{x}}年 {name}：%{{text}}{unit}<extra></extra>",
            )
        )
    _layout(fig, title, style)
    _years_axis(fig, sorted(frame["year"].unique().tolist()))
    _whole_numbers(fig, _peak(frame["value"]))
    # Leave headroom above the highest point for its label.
    fig.update_yaxes(title=None, range=[0, max(1.0, _peak(frame["value"])) * 1.18])
    return fig


def stacked_by_year(
    frame: pd.DataFrame,
    title: str,
    style: ChartStyle,
    series: str,
    order: list[str],
    colours: dict[str, str] | None = None,
    unit: str = "",
) -> go.Figure:
    """Stacked columns per year: the composition of a total (grades, types, kinds of post)."""
    fig = go.Figure()
    for n, name in enumerate(order):
        part = frame[frame[series] == name].sort_values("year")
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["year"],
                y=part["value"],
                name=name,
                text=part["display"],
                textposition="inside",
                textangle=0,
                insidetextanchor="middle",
                marker_color=(colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)]),
                hovertemplate=f"%{{x}}年 {name}：%{{text}}{unit}<extra></extra>",
            )
        )
    _layout(fig, title, style)
    fig.update_layout(barmode="stack")
    _years_axis(fig, sorted(frame["year"].unique().tolist()))
    _whole_numbers(fig, _peak(frame.groupby("year")["value"].sum()))
    return fig


def ranked_bars(
    frame: pd.DataFrame,
    category: str,
    title: str,
    style: ChartStyle,
    unit: str = "",
    colour: str = OKABE_ITO[0],
) -> go.Figure:
    """Horizontal bars sorted largest first: which village has most.

    `frame` has the `category` column, value and display.
    """
    ordered = frame.sort_values(["value", category], ascending=[True, False])
    fig = go.Figure(
        go.Bar(
            x=ordered["value"],
            y=ordered[category],
            orientation="h",
            text=ordered["display"],
            textposition="outside",
            cliponaxis=False,
            marker_color=colour,
            hovertemplate=f"%{{y}}：%{{text}}{unit}<extra></extra>",
        )
    )
    height = max(style.height, 90 + style.bar_height * len(ordered))
    _layout(fig, title, style, height=height)
    fig.update_xaxes(title=None)
    fig.update_yaxes(title=None)
    _whole_numbers(fig, _peak(ordered["value"]), axis="x")
    return fig


def stacked_bars_by_category(
    frame: pd.DataFrame,
    category: str,
    series: str,
    order: list[str],
    title: str,
    style: ChartStyle,
    colours: dict[str, str] | None = None,
    unit: str = "",
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
                textposition="inside",
                textangle=0,
                insidetextanchor="middle",
                marker_color=(colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)]),
                hovertemplate=f"%{{y}} {name}：%{{text}}{unit}<extra></extra>",
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
    unit: str = "",
) -> go.Figure:
    """Side-by-side columns: the same indicators for each police station (or kind of post)."""
    fig = go.Figure()
    for n, name in enumerate(order):
        part = frame[frame[series] == name]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part[category],
                y=part["value"],
                name=name,
                text=part["display"],
                textposition="outside",
                cliponaxis=False,
                marker_color=(colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)]),
                hovertemplate=f"%{{x}} {name}：%{{text}}{unit}<extra></extra>",
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
    """One small trend per indicator, each with its own scale (a count of 12 beside 304).

    `frame` has columns panel (the small chart's title), year, value, display.
    """
    panels = list(dict.fromkeys(frame["panel"]))
    rows = max(1, -(-len(panels) // columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=panels,
        vertical_spacing=0.22 if rows > 1 else 0.1,
        horizontal_spacing=0.06,
    )
    years = sorted(frame["year"].unique().tolist())
    for n, panel in enumerate(panels):
        part = frame[frame["panel"] == panel].sort_values("year")
        row, col = divmod(n, columns)
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["value"],
                mode="lines+markers+text",
                text=part["display"],
                textposition="top center",
                line={"color": OKABE_ITO[0], "width": 3},
                marker={"size": 9 if style.meeting else 7},
                name=panel,
                showlegend=False,
                hovertemplate=f"{panel} %{{x}}年：%{{text}}<extra></extra>",
            ),
            row=row + 1,
            col=col + 1,
        )
    _layout(fig, title, style, height=(300 if style.meeting else 230) * rows + 40)
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years])
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
