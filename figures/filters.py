"""The filters a person chose (years, compare year, town, villages, meeting mode), as plain
values, and the names a selection goes by on a page and in a file name.

In a district (a village list of several towns) the pages roll up 区 → 镇 → 村: with no town
chosen the district's towns are the units a page ranks and tables list (`rollup`); with a
town chosen, its villages, as in a one-town installation."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from figures.charts import ChartStyle

ALL_VILLAGES_LABEL = "全镇"
ALL_VILLAGES_FILE_LABEL = "全部村"
WHOLE_TOWN_PICK = "全镇（全部村、社区）"
WHOLE_DISTRICT_LABEL = "全区"
VILLAGE_UNIT, TOWN_UNIT = "村（社区）", "镇（街道）"
# How many villages a label names one by one before it only counts them.
NAMED_VILLAGES_MAX = 3


@dataclass(frozen=True)
class Filters:
    """What the person chose in the sidebar."""

    year_from: int
    year_to: int
    compare_year: int
    villages: tuple[str, ...]
    villages_label: str
    file_label: str
    meeting: bool
    town: str  # the place shown, in titles and file names: 十里亭镇, or 浈江区 / 乐园镇 in a district
    small_count_k: int = 0
    # Years not every department has reported (year → 已报 n/m 个部门), and the sheet
    # kinds reported with numbers in each year (figures.periods).
    partial: tuple[tuple[int, str], ...] = ()
    reported: tuple[tuple[int, frozenset[str]], ...] = ()
    # A district: the chosen town's code ("" = every town) and whether there are several.
    town_code: str = ""
    district: bool = False

    @property
    def rollup(self) -> bool:
        """A district seen whole: its towns are the units of rankings and tables."""
        return self.district and not self.town_code

    @property
    def unit_name(self) -> str:
        """What a page's units are: 村（社区）, or 镇（街道） when a district is seen whole."""
        return TOWN_UNIT if self.rollup else VILLAGE_UNIT

    def partial_note(self, year: int) -> str:
        """已报 1/4 个部门 when `year` is partial; empty when complete."""
        return dict(self.partial).get(year, "")

    def topic_reported(self, topic: str, year: int) -> bool:
        """Whether this sheet kind holds numbers for `year` (True when coverage is unknown)."""
        known = dict(self.reported)
        return year not in known or topic in known[year]

    @property
    def years(self) -> tuple[int, int]:
        """The years shown."""
        return self.year_from, self.year_to

    @property
    def span(self) -> tuple[int, int]:
        """The years a page must read: the range shown plus the comparison year."""
        return min(self.year_from, self.compare_year), max(self.year_to, self.compare_year)

    @property
    def years_label(self) -> str:
        if self.year_from == self.year_to:
            return f"{self.year_to}年"
        return f"{self.year_from}–{self.year_to}年"

    @property
    def style(self) -> ChartStyle:
        return ChartStyle(meeting=self.meeting)

    def summary(self) -> str:
        return f"{self.years_label} · 对比 {self.compare_year} 年 · 范围：{self.villages_label}"


def quick_picks(villages: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Named village selections: the whole town, by type, by police station."""
    picks: dict[str, tuple[str, ...]] = {WHOLE_TOWN_PICK: ()}
    for village_type, label in (("社区", "全部社区"), ("村", "全部行政村")):
        codes = tuple(villages.loc[villages["village_type"] == village_type, "village_code"])
        if codes:
            picks[label] = codes
    for station in sorted(villages["police_station"].dropna().unique()):
        picks[f"{station}辖区"] = tuple(villages.loc[villages["police_station"] == station, "village_code"])
    return picks


def villages_labels(codes: tuple[str, ...], villages: pd.DataFrame, whole: str = "") -> tuple[str, str]:
    """How a selection reads on a page and in a file name; `whole` names all of `villages`
    (a district's town: 乐园镇) where 全镇 would not say which."""
    if not codes or set(codes) == set(villages["village_code"]):
        return (whole, whole) if whole else (ALL_VILLAGES_LABEL, ALL_VILLAGES_FILE_LABEL)
    for label, pick in quick_picks(villages).items():
        if pick and set(pick) == set(codes):
            return label, label
    names = dict(zip(villages["village_code"], villages["village_name"], strict=True))
    if len(codes) <= NAMED_VILLAGES_MAX:
        joined = "、".join(names[c] for c in codes)
        return joined, joined
    return f"{len(codes)}个村（社区）", f"{len(codes)}个村社区"
