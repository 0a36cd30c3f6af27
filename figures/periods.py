"""Statistical periods: which years every department has reported (complete), which only
some have (partial), and how a period reads on a page.

A sheet kind counts as reported for a year when its current submission holds at least one
number: an empty template sent back is not a report. A department has reported a year
when every sheet kind it fills is reported. Pages default to the complete years, so one
department's early upload never makes a year look like a collapse.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class YearCoverage:
    year: int
    departments: tuple[str, ...]  # every department that fills a sheet, in catalog order
    reported: tuple[str, ...]  # those that have sent all their sheets, with numbers
    topics: frozenset[str]  # the sheet kinds reported with numbers

    @property
    def complete(self) -> bool:
        return len(self.reported) == len(self.departments)

    @property
    def note(self) -> str:
        """ "已报 1/4 个部门" for a partial year; empty for a complete one."""
        return "" if self.complete else f"已报 {len(self.reported)}/{len(self.departments)} 个部门"

    @property
    def label(self) -> str:
        """2024年（已报 1/4 个部门）, or 2023年."""
        return f"{self.year}年（{self.note}）" if self.note else f"{self.year}年"


def coverage(ledger: pd.DataFrame) -> dict[int, YearCoverage]:
    """Each year's coverage from the submissions ledger (figures.queries.submission_ledger)."""
    if ledger.empty:
        return {}
    reported = ledger["submission_id"].notna() & (ledger["row_count"].fillna(0) > 0)
    ledger = ledger.assign(reported=reported)
    departments = tuple(dict.fromkeys(ledger["department"]))
    found = {}
    for year, rows in ledger.groupby("year", sort=True):
        done = rows.groupby("department", sort=False)["reported"].all()
        found[int(year)] = YearCoverage(
            year=int(year),
            departments=departments,
            reported=tuple(d for d in departments if done.get(d, False)),
            topics=frozenset(rows.loc[rows["reported"], "topic"]),
        )
    return found


def default_range(years: list[int], covered: dict[int, YearCoverage]) -> tuple[int, int]:
    """All years up to the latest complete one; the latest year if none is complete."""
    complete = [year for year in years if year in covered and covered[year].complete]
    last = complete[-1] if complete else years[-1]
    return years[0], last


def partial_years(years: list[int], covered: dict[int, YearCoverage]) -> dict[int, str]:
    """Years with data that not every department has reported: year → 已报 n/m 个部门."""
    return {year: covered[year].note for year in years if year in covered and not covered[year].complete}


def period_label(year_from: int, year_to: int) -> str:
    """统计期 2019–2023年度 (the years the figures describe, not when they were loaded)."""
    years = f"{year_to}" if year_from == year_to else f"{year_from}–{year_to}"
    return f"统计期 {years}年度"
