"""Charts that read well: years as 2021年 read horizontally, tooltips with units and no doubled
年, labels of close lines apart, a legend only for what is drawn, grades 3–5 on their own
scale, units never mixed on one axis, hidden villages drawn as groups."""

from __future__ import annotations

import pandas as pd

from figures import charts
from figures.charts import ChartStyle, Group

STYLE = ChartStyle()


def frame(rows, columns=("year", "indicator_name", "value", "display", "unit")) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def test_a_trend_reads_years_horizontally_and_its_tooltip_has_the_unit_once():
    fig = charts.trend(frame([(2021, "在册", 12, "12", "人"), (2022, "在册", 10, "10", "人")]), "t", STYLE)
    trace = fig.data[0]
    assert list(trace.x) == ["2021年", "2022年"]
    assert trace.hovertemplate == "%{x} 在册：%{text}%{customdata}<extra></extra>"
    assert list(trace.customdata) == ["人", "人"]
    assert fig.layout.xaxis.tickangle == 0
    assert "年年" not in trace.hovertemplate


def test_labels_of_two_close_lines_go_above_and_below():
    rows = [(2021, "通过执法考试", 16, "16", "人"), (2021, "参加学法考试", 16, "16", "人"), (2022, "通过执法考试", 18, "18", "人")]
    rows += [(2022, "参加学法考试", 17, "17", "人")]
    fig = charts.trend(frame(rows), "t", STYLE)
    positions = {trace.name: list(trace.textposition) for trace in fig.data}
    assert positions == {"通过执法考试": ["top center", "top center"], "参加学法考试": ["bottom center", "bottom center"]}


def test_of_three_lines_the_middle_one_is_labelled_on_the_side_away_from_its_close_neighbour():
    # 社区矫正: 在册 15, 解除 8, 接收 7 — the 8 and the 7 must not print over each other.
    rows = [(2019, "在册", 15, "15", "人"), (2019, "解除", 8, "8", "人"), (2019, "接收", 7, "7", "人")]
    rows += [(2022, "在册", 10, "10", "人"), (2022, "解除", 4, "4", "人"), (2022, "接收", 6, "6", "人")]
    fig = charts.trend(frame(rows), "t", STYLE)
    positions = {trace.name: list(trace.textposition) for trace in fig.data}
    assert positions == {
        "在册": ["top center", "top center"],
        "解除": ["top center", "bottom center"],
        "接收": ["bottom center", "top center"],
    }


def test_a_trend_with_every_value_of_a_year_hidden_draws_the_marker_not_a_crash():
    rows = [(2021, "在管患者", 3, "3", "人"), (2021, "高危", 1, "1", "人")]
    rows += [(2022, "在管患者", None, "<3", "人"), (2022, "高危", None, "*", "人")]  # meeting mode, one village
    fig = charts.trend(frame(rows), "t", STYLE)
    assert [list(trace.text) for trace in fig.data] == [["3", "<3"], ["1", "*"]]
    assert [list(trace.y) for trace in fig.data] == [[3, None], [1, None]]


def test_a_legend_lists_only_what_is_drawn():
    rows = [(2021, "缓刑", 8, "8", "人"), (2021, "假释", None, "<3", "人")]
    fig = charts.stacked_by_year(frame(rows), "t", STYLE, "indicator_name", ["缓刑", "假释", "管制"])
    assert [trace.name for trace in fig.data] == ["缓刑"]


def test_grades_three_to_five_have_their_own_scale():
    rows = [(2023, f"{g}级", v, str(v), "人") for g, v in zip(range(6), (170, 50, 17, 2, 1, 1), strict=True)]
    fig = charts.split_stacks(
        frame(rows), "t", STYLE, "indicator_name", [("0–2级", ["0级", "1级", "2级"]), ("3–5级", ["3级", "4级", "5级"])]
    )
    assert {trace.yaxis for trace in fig.data} == {"y", "y2"}
    assert [a.text for a in fig.layout.annotations] == ["0–2级", "3–5级"]


def test_small_multiples_put_each_unit_in_its_panel_title():
    rows = [(2023, 300, "300", "份", "发放资料"), (2023, 25, "25", "人次", "解答咨询")]
    fig = charts.small_multiples(frame(rows, ("year", "value", "display", "unit", "panel")), "t", STYLE)
    assert [a.text for a in fig.layout.annotations] == ["发放资料（份）", "解答咨询（人次）"]


def test_a_small_panel_of_five_years_labels_its_first_and_last_year_and_value_and_tells_every_one_on_hover():
    rows = [
        (year, value, f"{value:,}".replace(",", ""), "人", "在管患者")
        for year, value in zip(range(2019, 2024), (1300, 1344, 1375, 1403, 1423), strict=True)
    ]
    fig = charts.small_multiples(frame(rows, ("year", "value", "display", "unit", "panel")), "t", STYLE, columns=4)
    [trace] = fig.data
    assert list(trace.text) == ["1300", "", "", "", "1423"]
    assert list(trace.hovertext) == ["1300", "1344", "1375", "1403", "1423"]
    assert list(fig.layout.xaxis.tickvals) == ["2019年", "2023年"]
    assert trace.cliponaxis is False  # the first and last labels are not cut at the panel's edges


def test_hidden_villages_are_groups_at_the_bottom_never_empty_bars():
    shown = pd.DataFrame(
        {
            "village_name": ["前进路社区", "十里亭社区"],
            "village_code": ["1", "2"],
            "value": [20.0, 15.0],
            "display": ["20", "15"],
            "unit": "人",
        }
    )
    groups = (Group("其余 9 个村（社区），每村少于 3 人", None, "<3"), Group("以上隐去的 9 个村（社区）合计", 7, "7人"))
    fig = charts.ranked_bars(shown, "village_name", "t", STYLE, groups=groups)
    order = list(fig.layout.yaxis.categoryarray)
    assert order == ["以上隐去的 9 个村（社区）合计", "其余 9 个村（社区），每村少于 3 人", "十里亭社区", "前进路社区"]  # bottom to top
    for trace in fig.data:
        assert None not in list(trace.x)
    assert dict(zip(fig.data[1].y, fig.data[1].customdata, strict=True)) == {"前进路社区": "1", "十里亭社区": "2"}, (
        "a click names its village"
    )
