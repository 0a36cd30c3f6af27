"""KPI cards: the figure of the last year shown, its change on the compare year, and
whether that change is good or bad news (the catalog's `better`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from figures import queries
from figures.filters import Filters

# Okabe–Ito blue for good news, vermillion-orange for bad: both readable with
# red-green colour blindness, unlike Streamlit's default green/red.
GOOD, BAD, NEUTRAL = "blue", "orange", "gray"


@dataclass(frozen=True)
class Kpi:
    label: str
    value: int | None
    qualifier: str = "exact"
    previous: int | None = None
    previous_qualifier: str = "exact"
    better: str = "neutral"
    kind: str = "stock"
    unit: str = ""
    display: str | None = None  # the marker of a hidden value (<3, *)
    hidden_before: bool = False


def kpis_from_totals(
    totals: pd.DataFrame,
    codes: list[str],
    filters: Filters,
    labels: dict[str, str] | None = None,
    better: dict[str, str] | None = None,
) -> list[Kpi]:
    """KPI cards for indicators of a yearly_totals frame: the last year shown vs the compare year."""
    direction = {**queries.indicator_direction(), **(better or {})}
    cards = []
    for code in codes:
        rows = totals[totals["indicator_code"] == code].set_index("year")
        if rows.empty:
            continue
        now = rows.loc[filters.year_to] if filters.year_to in rows.index else None
        before = rows.loc[filters.compare_year] if filters.compare_year in rows.index else None
        hidden_now = now is not None and now["qualifier"] == queries.SUPPRESSED
        hidden_before = before is not None and before["qualifier"] == queries.SUPPRESSED
        cards.append(
            Kpi(
                label=(labels or {}).get(code, rows["indicator_name"].iloc[0]),
                value=None if now is None or hidden_now else int(now["value"]),
                qualifier="exact" if now is None else now["qualifier"],
                previous=None if before is None or hidden_before else int(before["value"]),
                previous_qualifier="exact" if before is None else before["qualifier"],
                better=direction.get(code, "neutral"),
                kind=rows["kind"].iloc[0],
                unit=rows["unit"].iloc[0] or "",
                display=str(now["display"]) if hidden_now else None,
                hidden_before=hidden_before,
            )
        )
    return cards


def delta(kpi: Kpi) -> tuple[str | None, str, str]:
    """Delta text, colour and arrow: the colour says good or bad news for this indicator."""
    if kpi.value is None or kpi.previous is None:
        return None, NEUTRAL, "off"
    change = kpi.value - kpi.previous
    vague = kpi.qualifier != "exact" or kpi.previous_qualifier != "exact"
    text = ("约" if vague else "") + (f"+{change}" if change > 0 else str(change))
    if change == 0:
        return "持平", NEUTRAL, "off"
    arrow = "up" if change > 0 else "down"
    if kpi.better == "neutral":
        return text, NEUTRAL, arrow
    good = (change > 0) == (kpi.better == "higher")
    return text, GOOD if good else BAD, arrow


def with_unit(label: str, unit: str) -> str:
    """在管患者（人）; a label that already ends in brackets takes the unit inside them."""
    if not unit:
        return label
    if label.endswith("）"):
        return f"{label[:-1]}，{unit}）"
    return f"{label}（{unit}）"


def description(kpi: Kpi, filters: Filters) -> str:
    """The words under a card's change: what it is compared with, or why there is none."""
    if delta(kpi)[0]:
        return f"较{filters.compare_year}年"
    if kpi.display or kpi.hidden_before:
        return "为保护个人信息不显示"
    return f"{filters.compare_year}年无数据"


def basis_help(kpi: Kpi, filters: Filters) -> str:
    """The tooltip of a card: which figure of the year it shows and compares."""
    basis = "全年合计" if kpi.kind == "flow" else "年末数"
    return f"{filters.year_to}年{basis}；与{filters.compare_year}年{basis}比较。"
