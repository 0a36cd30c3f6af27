"""KPI cards: the figure of the last year shown (named on the card), its change on the
compare year in number and percent, and whether that change is good or bad news (the
catalog's `better`). A year not every department has reported is never compared with a
full one without saying so."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from figures import queries
from figures.filters import Filters

# Okabe–Ito blue for good news, vermillion-orange for bad: both readable with
# red-green colour blindness, unlike Streamlit's default green/red. Their text colours are
# set dark enough in .streamlit/config.toml for WCAG AA on white and on the projector.
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
    year: int | None = None
    compare_year: int | None = None
    partial_note: str = ""  # 已报 1/4 个部门: the card's year is not complete
    not_reported: bool = False  # the card's sheet kind has no numbers for its year


def topic_of(code: str) -> str | None:
    """The sheet kind an indicator comes from (outreach measures and derived figures included)."""
    return queries.topic_of(code) or DERIVED_TOPICS.get(code)


# Figures computed from others, never submitted: the topic of what they are made of.
DERIVED_TOPICS = {"mh_high_risk": "mental_health", "mh_general_risk": "mental_health", "staff_actual_total": "staffing"}


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
        topic = topic_of(code)
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
                year=filters.year_to,
                compare_year=filters.compare_year,
                partial_note=filters.partial_note(filters.year_to),
                not_reported=topic is not None and not filters.topic_reported(topic, filters.year_to),
            )
        )
    return cards


def change_text(change: int, previous: int, vague: bool) -> str:
    """+2（+12.5%）; 持平 when unchanged; no percent on a base of 0; 约 when a figure is vague."""
    if change == 0:
        return "持平"
    text = f"{change:+d}"
    if previous > 0:
        text += f"（{change / previous * 100:+.1f}%）"
    return ("约" if vague else "") + text


def delta(kpi: Kpi) -> tuple[str | None, str, str]:
    """Delta text, colour and arrow: the colour says good or bad news for this indicator.

    In a partial year the change is shown without a verdict (grey): the year may not be over."""
    if kpi.value is None or kpi.previous is None or kpi.not_reported:
        return None, NEUTRAL, "off"
    change = kpi.value - kpi.previous
    vague = kpi.qualifier != "exact" or kpi.previous_qualifier != "exact"
    text = change_text(change, kpi.previous, vague)
    if change == 0:
        return text, NEUTRAL, "off"
    arrow = "up" if change > 0 else "down"
    if kpi.better == "neutral" or kpi.partial_note:
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


def title(kpi: Kpi) -> str:
    """The card's label, naming the year of its big number: 2023年 在管患者（人）."""
    label = with_unit(kpi.label, kpi.unit)
    return f"{kpi.year}年 {label}" if kpi.year else label


def description(kpi: Kpi, filters: Filters | None = None) -> str:
    """The words under a card's change: what it is compared with, or why there is none."""
    year = kpi.year if kpi.year is not None else filters.year_to if filters else None
    compare = kpi.compare_year if kpi.compare_year is not None else filters.compare_year if filters else None
    if kpi.not_reported:
        return f"{year}年尚未上报" + (f"（{kpi.partial_note}）" if kpi.partial_note else "")
    if kpi.display or kpi.hidden_before:
        return "为保护个人信息不显示"
    if kpi.value is None:
        return f"{year}年无数据"
    if kpi.previous is None:
        return f"{compare}年无数据，无法比较"
    if kpi.partial_note:
        return f"较{compare}年；{year}年尚未报齐（{kpi.partial_note}）"
    return f"较{compare}年"


def basis_help(kpi: Kpi, filters: Filters) -> str:
    """The tooltip of a card: which figure of the year it shows and compares."""
    basis = "全年合计" if kpi.kind == "flow" else "年末数"
    return f"{filters.year_to}年{basis}；与{filters.compare_year}年{basis}比较。"
