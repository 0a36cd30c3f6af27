"""Chart builders for the pages and the deck: each takes a tidy DataFrame and returns a plotly figure.

No Streamlit here, so charts can be built and checked in a plain test. Colours are the
Okabe–Ito palette (readable with the common colour-vision deficiencies); every label and
tooltip shows the qualified value (1000+, 约30) with its unit, never a bare number that hides
a 余; years read horizontally as 2021年; a chart never puts 份, 人次 and 人 on one axis.

Each figure is assembled as plain data (traces and one layout) and built once: plotly's
update_* calls validate every property on every call, which made a page's charts cost more
than everything else it did.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

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


def _layout(title: str, style: ChartStyle, height: int | None = None, **extra) -> dict:
    """The layout every chart shares, as plain data."""
    layout = {
        "title": {"text": title, "font": {"size": style.title_size}, "x": 0, "xanchor": "left"},
        "font": {"family": FONT_STACK, "size": style.font_size, "color": "#111111"},
        "height": height or style.height,
        "margin": {"l": 10, "r": 20, "t": 60 if style.meeting else 50, "b": 10},
        # No named template: the few things plotly_white gave (white ground, light grid) are set here.
        "template": "none",
        "plot_bgcolor": "#FFFFFF",
        "paper_bgcolor": "#FFFFFF",
        "colorway": OKABE_ITO,
        # Below the plot: above it, a legend collides with the title at 1280 px.
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.12,
            "xanchor": "left",
            "x": 0,
            "title": {"text": ""},
            "traceorder": "normal",
        },
        "hoverlabel": {"font": {"family": FONT_STACK, "size": style.font_size}},
        "separators": ".,",
        "uniformtext": {"minsize": style.font_size - 4, "mode": "hide"},
        "xaxis": _x_axis(),
        "yaxis": _y_axis(),
    }
    layout.update(extra)
    return layout


_AXIS = {"automargin": True, "gridcolor": "#E6E6E6", "linecolor": "#BBBBBB", "zeroline": False, "ticks": ""}


def _x_axis(**extra) -> dict:
    return {**_AXIS, "showgrid": False, "tickangle": 0, **extra}


def _y_axis(**extra) -> dict:
    return {**_AXIS, "showgrid": True, "rangemode": "tozero", **extra}


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    return go.Figure(data=traces, layout=layout)


def _peak(values: pd.Series) -> float:
    """The largest value shown; a value hidden by the small-count protection is NA."""
    peak = values.max() if len(values) else 0
    return 0.0 if pd.isna(peak) else float(peak)


def _counts(peak: float) -> dict:
    """Counts are whole: no 0.5 ticks when the largest value is small."""
    return {"tickformat": "d", **({"dtick": 1, "tick0": 0} if peak <= 10 else {})}


def _years(years: list[int]) -> dict:
    """Whole years only, read horizontally: 2021年 (never 2021.5 between two ticks)."""
    return {"type": "category", "categoryorder": "array", "categoryarray": [year_label(y) for y in years], "title": {"text": ""}}


def _values(series: pd.Series) -> list:
    """Numbers for plotly, with None where a value is hidden."""
    return [None if pd.isna(v) else v for v in series]


def _label_positions(frame: pd.DataFrame, series: str) -> dict[str, list[str]]:
    """Where each point's label goes so two close lines do not print over each other: at
    each year the highest series is labelled above its point and the lowest below it; one in
    between goes to the side with more room (of two close values the upper one is labelled
    above, the lower one below; of two equal values, the first drawn above)."""
    positions: dict[str, list[str]] = {}
    names = list(dict.fromkeys(frame[series]))
    # Hidden values (meeting mode, one village picked) are NA: a year may have none at all.
    wide = frame.pivot_table(index="year", columns=series, values="value", aggfunc="first")
    for name in names:
        places = []
        for year in sorted(frame.loc[frame[series] == name, "year"].unique()):
            row = wide.loc[year].dropna() if name in wide.columns and year in wide.index else pd.Series(dtype=float)
            ranked = sorted(row.index, key=lambda other: (-row[other], names.index(other)))
            if name not in ranked or ranked.index(name) == 0:
                places.append("top center")
                continue
            at = ranked.index(name)
            if at == len(ranked) - 1:
                places.append("bottom center")
                continue
            room_above = row[ranked[at - 1]] - row[name]
            room_below = row[name] - row[ranked[at + 1]]
            places.append("top center" if room_above > room_below else "bottom center")
        positions[str(name)] = places
    return positions


LABELLED_LINES_MAX = 4


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
    traces = []
    positions = _label_positions(frame, series)
    # Many lines (a district's towns): each labelled at its last year only, or labels pile up.
    last_only = frame[series].nunique() > LABELLED_LINES_MAX
    for n, (name, part) in enumerate(frame.groupby(series, sort=False)):
        part = part.sort_values("year")
        colour = (colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)])
        texts = list(part["display"])
        if last_only:
            texts = [""] * (len(texts) - 1) + texts[-1:]
        traces.append(
            {
                "type": "scatter",
                "x": [year_label(y) for y in part["year"]],
                "y": _values(part["value"]),
                "name": str(name),
                "mode": "lines+markers+text",
                "text": texts,
                "customdata": [f"{d}{u}" for d, u in zip(part["display"], _unit_of(part), strict=True)]
                if last_only
                else list(_unit_of(part)),
                "textposition": "middle right" if last_only else positions.get(str(name), "top center"),
                "line": {"color": colour, "width": 4 if style.meeting else 3},
                "marker": {"size": 12 if style.meeting else 8, "color": colour},
                "hovertemplate": f"%{{x}} {name}：{'' if last_only else '%{text}'}%{{customdata}}<extra></extra>",
            }
        )
    peak = max(1.0, _peak(frame["value"]))
    layout = _layout(
        title,
        style,
        xaxis=_x_axis(**_years(sorted(frame["year"].unique().tolist()))),
        # Headroom above the highest point and below the lowest for their labels.
        yaxis=_y_axis(title={"text": ""}, range=[-0.08 * peak, peak * 1.2], **_counts(_peak(frame["value"]))),
    )
    return _figure(traces, layout)


def _stack_traces(
    frame: pd.DataFrame, series: str, order: list[str], colours, legend: bool = True, axes: tuple[str, str] = ("x", "y")
) -> list[dict]:
    palette = colours or {}
    traces = []
    for n, name in enumerate(order):
        part = frame[frame[series] == name].sort_values("year")
        if part.empty or part["value"].isna().all():
            continue  # nothing drawn, so nothing in the legend either
        traces.append(
            {
                "type": "bar",
                "x": [year_label(y) for y in part["year"]],
                "y": _values(part["value"]),
                "name": name,
                "text": list(part["display"]),
                "customdata": list(_unit_of(part)),
                "textposition": "inside",
                "textangle": 0,
                "insidetextanchor": "middle",
                "marker": {"color": palette.get(name, OKABE_ITO[n % len(OKABE_ITO)])},
                "hovertemplate": f"%{{x}} {name}：%{{text}}%{{customdata}}<extra></extra>",
                "showlegend": legend,
                "xaxis": axes[0],
                "yaxis": axes[1],
            }
        )
    return traces


def stacked_by_year(
    frame: pd.DataFrame,
    title: str,
    style: ChartStyle,
    series: str,
    order: list[str],
    colours: dict[str, str] | None = None,
) -> go.Figure:
    """Stacked columns per year: the composition of a total (types, kinds of post)."""
    layout = _layout(
        title,
        style,
        barmode="stack",
        xaxis=_x_axis(**_years(sorted(frame["year"].unique().tolist()))),
        yaxis=_y_axis(**_counts(_peak(frame.groupby("year")["value"].sum()))),
    )
    return _figure(_stack_traces(frame, series, order, colours), layout)


def _panel_domains(count: int, columns: int, gap_x: float, gap_y: float) -> list[tuple[list[float], list[float]]]:
    """The (x, y) domain of each panel of a grid, left to right, top to bottom."""
    rows = max(1, -(-count // columns))
    width = (1 - gap_x * (columns - 1)) / columns
    height = (1 - gap_y * (rows - 1)) / rows
    domains = []
    for n in range(count):
        row, col = divmod(n, columns)
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        domains.append(([round(x0, 6), round(x0 + width, 6)], [round(y1 - height, 6), round(y1, 6)]))
    return domains


def _panel_title(text: str, x_domain: list[float], y_domain: list[float], style: ChartStyle) -> dict:
    return {
        "text": text,
        "x": (x_domain[0] + x_domain[1]) / 2,
        "y": y_domain[1],
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": style.font_size},
    }


def _axis_name(prefix: str, n: int) -> str:
    return prefix if n == 0 else f"{prefix}{n + 1}"


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
    years = sorted(frame["year"].unique().tolist())
    traces: list[dict] = []
    axes: dict[str, dict] = {}
    annotations = []
    for n, ((name, order), (x_domain, y_domain)) in enumerate(zip(panels, _panel_domains(len(panels), len(panels), 0.08, 0), strict=True)):
        x, y = _axis_name("x", n), _axis_name("y", n)
        traces += _stack_traces(frame, series, order, colours, axes=(x, y))
        part = frame[frame[series].isin(order)]
        ticks = _years(years)
        if len(years) > SPARK_LABELS_ALL:  # the first and last year: 2019年 … 2023年, never run together
            ticks["tickvals"] = [year_label(years[0]), year_label(years[-1])]
        axes[_axis_name("xaxis", n)] = _x_axis(domain=x_domain, anchor=y, **ticks)
        axes[_axis_name("yaxis", n)] = _y_axis(domain=y_domain, anchor=x, **_counts(_peak(part.groupby("year")["value"].sum())))
        annotations.append(_panel_title(name, x_domain, y_domain, style))
    layout = _layout(title, style, barmode="stack", annotations=annotations, **axes)
    layout["legend"] = {**layout["legend"], "y": -0.2}
    return _figure(traces, layout)


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
    traces = []
    if groups:
        traces.append(
            {
                "type": "bar",
                "x": [g.value or 0 for g in groups],
                "y": [g.label for g in groups],
                "orientation": "h",
                "text": [g.display for g in groups],
                "textposition": "outside",
                "constraintext": "none",
                "cliponaxis": False,
                "marker": {"color": GROUP_COLOUR, "pattern": {"shape": "/"}},
                "hovertemplate": "%{y}：%{text}<extra></extra>",
                "showlegend": False,
            }
        )
    traces.append(
        {
            "type": "bar",
            "x": _values(shown["value"]),
            "y": list(shown[category]),
            "orientation": "h",
            "text": list(shown["display"]),
            "textposition": "outside",
            "constraintext": "none",
            "cliponaxis": False,
            "marker": {"color": colour},
            "customdata": list(shown["village_code"] if "village_code" in shown else shown[category]),
            "hovertemplate": f"%{{y}}：%{{text}}{unit}<extra></extra>",
            "showlegend": False,
        }
    )
    peak = max(_peak(shown["value"]), max((g.value or 0 for g in groups), default=0))
    # Top to bottom: the villages largest first, then the groups in the order given.
    order = [g.label for g in reversed(groups)] + list(shown[category])
    layout = _layout(
        title,
        style,
        height=max(style.height, 90 + style.bar_height * (len(shown) + len(groups))),
        # A label beside its bar is never squeezed out, however thin the bars of a slide get.
        uniformtext={"mode": False},
        xaxis=_x_axis(title={"text": ""}, range=[0, max(1.0, peak) * 1.15], **_counts(peak)),
        yaxis=_y_axis(title={"text": ""}, type="category", categoryorder="array", categoryarray=order),
    )
    return _figure(traces, layout)


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
    traces = []
    for n, name in enumerate(order):
        part = frame[frame[series] == name].set_index(category).reindex(totals.index).reset_index()
        if part["value"].isna().all():
            continue
        traces.append(
            {
                "type": "bar",
                "x": _values(part["value"]),
                "y": list(part[category]),
                "name": name,
                "orientation": "h",
                "text": [None if pd.isna(d) else d for d in part["display"]],
                "customdata": list(_unit_of(part)),
                "textposition": "inside",
                "textangle": 0,
                "insidetextanchor": "middle",
                "marker": {"color": (colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)])},
                "hovertemplate": f"%{{y}} {name}：%{{text}}%{{customdata}}<extra></extra>",
            }
        )
    layout = _layout(
        title,
        style,
        height=max(style.height, 140 + style.bar_height * len(totals)),
        barmode="stack",
        xaxis=_x_axis(**_counts(_peak(totals))),
        yaxis=_y_axis(title={"text": ""}),
    )
    return _figure(traces, layout)


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
    traces = []
    for n, name in enumerate(order):
        part = frame[frame[series] == name]
        if part.empty or part["value"].isna().all():
            continue  # nothing drawn, so nothing in the legend either
        traces.append(
            {
                "type": "bar",
                "x": list(part[category]),
                "y": _values(part["value"]),
                "name": name,
                "text": list(part["display"]),
                "customdata": list(_unit_of(part)),
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": (colours or {}).get(name, OKABE_ITO[n % len(OKABE_ITO)])},
                "hovertemplate": f"%{{x}} {name}：%{{text}}%{{customdata}}<extra></extra>",
            }
        )
    peak = _peak(frame["value"])
    layout = _layout(
        title,
        style,
        barmode="group",
        xaxis=_x_axis(title={"text": ""}, type="category"),
        yaxis=_y_axis(range=[0, max(1.0, peak) * 1.15], **_counts(peak)),
    )
    return _figure(traces, layout)


SPARK_LABELS_ALL = 3  # a small panel labels every year up to this many, else its first and last


def small_multiples(frame: pd.DataFrame, title: str, style: ChartStyle, columns: int = 3) -> go.Figure:
    """One small trend per indicator, each with its own scale (a count of 12 beside 304) and
    its unit in its title, so 份, 人次 and 人 never share an axis.

    `frame` has columns panel (the small chart's title), year, value, display, unit.
    """
    panels = list(dict.fromkeys(frame["panel"]))
    units = dict(zip(frame["panel"], _unit_of(frame), strict=True))
    titles = [f"{panel}（{units[panel]}）" if units.get(panel) and not panel.endswith("）") else panel for panel in panels]
    rows = max(1, -(-len(panels) // columns))
    years = sorted(frame["year"].unique().tolist())
    traces: list[dict] = []
    axes: dict[str, dict] = {}
    annotations = []
    domains = _panel_domains(len(panels), columns, 0.06, 0.22 / max(rows - 1, 1) if rows > 1 else 0)
    for n, (panel, (x_domain, y_domain)) in enumerate(zip(panels, domains, strict=True)):
        part = frame[frame["panel"] == panel].sort_values("year")
        x, y = _axis_name("x", n), _axis_name("y", n)
        shown = list(part["display"])
        traces.append(
            {
                "type": "scatter",
                "x": [year_label(v) for v in part["year"]],
                "y": _values(part["value"]),
                "mode": "lines+markers+text",
                # A small panel has room for the first and the last value (1300 … 1423), not
                # five four-digit numbers side by side; each year's value is in its tooltip.
                "text": shown if len(shown) <= SPARK_LABELS_ALL else [shown[0], *[""] * (len(shown) - 2), shown[-1]],
                "customdata": list(_unit_of(part)),
                "hovertext": shown,
                "textposition": "top center",
                "cliponaxis": False,
                "line": {"color": OKABE_ITO[0], "width": 3},
                "marker": {"size": 9 if style.meeting else 7},
                "name": panel,
                "showlegend": False,
                "hovertemplate": f"{panel} %{{x}}：%{{hovertext}}%{{customdata}}<extra></extra>",
                "xaxis": x,
                "yaxis": y,
            }
        )
        peak = _peak(part["value"])
        ticks = _years(years)
        if len(years) > SPARK_LABELS_ALL:  # the first and last year: 2019年 … 2023年, never run together
            ticks["tickvals"] = [year_label(years[0]), year_label(years[-1])]
        axes[_axis_name("xaxis", n)] = _x_axis(domain=x_domain, anchor=y, **ticks)
        # Headroom above the highest point for its label.
        axes[_axis_name("yaxis", n)] = _y_axis(domain=y_domain, anchor=x, showticklabels=False, range=[0, max(1.0, peak) * 1.35])
        annotations.append(_panel_title(titles[n], x_domain, y_domain, style))
    layout = _layout(title, style, height=(300 if style.meeting else 230) * rows + 40, annotations=annotations, **axes)
    return _figure(traces, layout)
