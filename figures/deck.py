"""The meeting's slides (汇报模式), as data: data/deck.toml lists them in order, each with its
title and what it shows ("correction.cards", "correction.types", "ledger.gaps"), so a town
reorders its meeting without code. Each part names a topic view's cards or one of its charts
(figures.views), so a slide always shows what the topic page shows."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from etl import settings
from figures import views

CARDS, GAPS = "cards", "ledger.gaps"
# Per slide: this many cards when a chart shares it (one row), two charts side by side.
CARDS_WITH_A_CHART, CHARTS_PER_SLIDE = 4, 2


@dataclass(frozen=True)
class Part:
    topic: str  # a key of views.TOPIC_VIEWS, or "ledger"
    item: str  # "cards", a chart key, or "gaps"

    @property
    def is_cards(self) -> bool:
        return self.item == CARDS

    @property
    def is_chart(self) -> bool:
        return self.topic in views.TOPIC_VIEWS and self.item != CARDS


@dataclass(frozen=True)
class Slide:
    number: int  # from 1
    title: str
    parts: tuple[Part, ...]

    @property
    def cards(self) -> Part | None:
        return next((part for part in self.parts if part.is_cards), None)

    @property
    def charts(self) -> tuple[Part, ...]:
        return tuple(part for part in self.parts if part.is_chart)

    @property
    def gaps(self) -> bool:
        return any(f"{part.topic}.{part.item}" == GAPS for part in self.parts)


class DeckError(ValueError):
    """The deck file says something the dashboard cannot show; the message is Chinese."""


def deck_file() -> Path:
    configured = os.environ.get("FAZHI_DECK")
    return Path(configured) if configured else settings.DATA_DIR / "deck.toml"


def read_deck(path: Path | None = None) -> list[Slide]:
    path = path or deck_file()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeckError(f"汇报页序文件 {path.name} 读不出来（{type(exc).__name__}），请检查它是否存在、是否为有效的 TOML") from exc
    slides = []
    for number, entry in enumerate(raw.get("slide", []), start=1):
        title = str(entry.get("title", "")).strip()
        shown = [str(item) for item in entry.get("show", [])]
        if not title or not shown:
            raise DeckError(f"{path.name} 第 {number} 页缺少 title 或 show")
        parts = []
        for item in shown:
            topic, _, name = item.partition(".")
            if item != GAPS and (topic not in views.CHART_KEYS or (name != CARDS and name not in views.CHART_KEYS[topic])):
                raise DeckError(f"{path.name} 第 {number} 页（{title}）的“{item}”不认识。可用的写法见该文件开头的说明")
            parts.append(Part(topic, name))
        slide = Slide(number, title, tuple(parts))
        if len(slide.charts) > CHARTS_PER_SLIDE:
            raise DeckError(f"{path.name} 第 {number} 页（{title}）放了 {len(slide.charts)} 张图，一页最多 {CHARTS_PER_SLIDE} 张")
        slides.append(slide)
    if not slides:
        raise DeckError(f"{path.name} 里没有任何一页（[[slide]]）")
    return slides
