"""The indicator catalog (data/catalog.toml) as Python objects, and label matching.

The catalog says once what each department submits; the reader, the validation, the
templates, the warehouse's `indicators` view and the tests all read it from here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from etl import settings
from etl.reference.spellings import header_key, normalize_text

# Labels remembered per catalog: a folder of files repeats the same headers; the memo is
# dropped when it grows past this (a hostile file could make it grow without bound).
MEMO_LIMIT = 100_000
# A known label is looked for inside a longer header only if it is at least this long:
# one character (如 “在”) would match almost anything.
MIN_CONTAINED_LABEL = 2


@dataclass(frozen=True)
class Indicator:
    code: str
    topic: str
    name: str
    unit: str
    kind: str
    better: str = "neutral"
    sensitive: bool = False
    parent: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The template's header: name and unit, as in 在管患者（人）."""
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class Topic:
    code: str
    name: str
    department: str
    layout: str
    breakdown: str
    title: str
    keywords: tuple[str, ...]
    department_aliases: tuple[str, ...] = ()
    label_column: tuple[str, ...] = ()
    value_column: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    check: str  # "sum": total == sum(parts); "at_most": sum(parts) <= total
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class EventField:
    code: str
    name: str
    type: str
    unit: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class Catalog:
    topics: dict[str, Topic]
    indicators: dict[str, Indicator]
    rules: tuple[Rule, ...]
    event_fields: tuple[EventField, ...]
    village_column: tuple[str, ...]
    total_labels: tuple[str, ...]
    total_suffixes: tuple[str, ...]
    note_prefixes: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    _keys: dict[str, object] = field(default_factory=dict, repr=False)

    def is_total_label(self, text: str) -> bool:
        """A normalised row label that makes the row a total (合计, 全镇合计, 十里亭派出所小计)."""
        keys = self._cached("totals", lambda: {normalize_text(label) for label in self.total_labels})
        return text in keys or text.endswith(self.total_suffix_keys)

    @property
    def total_suffix_keys(self) -> tuple[str, ...]:
        return self._cached("total_suffixes", lambda: tuple(normalize_text(s) for s in self.total_suffixes))

    @property
    def note_keys(self) -> tuple[str, ...]:
        """Normalised beginnings of the note lines under a table."""
        return self._cached("notes", lambda: tuple(normalize_text(p) for p in self.note_prefixes))

    def topic_indicators(self, topic: str) -> list[Indicator]:
        return [ind for ind in self.indicators.values() if ind.topic == topic]

    def topic_rules(self, topic: str) -> list[Rule]:
        return [rule for rule in self.rules if self.indicators[rule.total].topic == topic]

    def departments(self) -> dict[str, list[Topic]]:
        grouped: dict[str, list[Topic]] = {}
        for topic in self.topics.values():
            grouped.setdefault(topic.department, []).append(topic)
        return grouped

    def label_keys(self, topic: str) -> dict[str, tuple[str, ...]]:
        """Normalised label → indicator codes of one topic (a label may name several)."""

        def build() -> dict[str, tuple[str, ...]]:
            keys: dict[str, list[str]] = {}
            for ind in self.topic_indicators(topic):
                for label in (ind.name, ind.label, *ind.aliases):
                    key = header_key(label)[0]
                    if ind.code not in keys.setdefault(key, []):
                        keys[key].append(ind.code)
            return {key: tuple(codes) for key, codes in keys.items()}

        return self._cached(f"labels:{topic}", build)

    def match_indicator(self, topic: str, text: object) -> tuple[tuple[str, ...], bool]:
        """The indicator codes a header or form label may mean, and whether it is a 其中 part.

        Exact match on the normalised label first; else the longest known label the
        text contains (如 “在管患者总数” → 在管患者). Results are remembered: the same
        headers come back in every file of a folder.
        """
        if text is None or isinstance(text, (int, float)):
            return (), False
        memo = self._cached("memo", dict)
        found = memo.get((topic, text))
        if found is None:
            if len(memo) > MEMO_LIMIT:
                memo.clear()
            found = memo[(topic, text)] = self._match_indicator(topic, text)
        return found

    def _match_indicator(self, topic: str, text: object) -> tuple[tuple[str, ...], bool]:
        key, is_part = header_key(text)
        if not key:
            return (), is_part
        keys = self.label_keys(topic)
        if key in keys:
            return keys[key], is_part
        if self.is_ignored(topic, key):
            return (), is_part
        best = max((known for known in keys if len(known) >= MIN_CONTAINED_LABEL and known in key), key=len, default=None)
        return (keys[best] if best else ()), is_part

    def _cached(self, name: str, build):
        if name not in self._keys:
            self._keys[name] = build()
        return self._keys[name]

    def is_ignored(self, topic: str, key: str) -> bool:
        words = self._cached(
            f"ignored:{topic}", lambda: tuple(header_key(word)[0] for word in self.ignored_columns + self.topics[topic].ignored_columns)
        )
        return any(word in key for word in words)

    def is_village_header(self, text: object) -> bool:
        key = header_key(text)[0]
        return bool(key) and key in self._cached("village", lambda: {header_key(label)[0] for label in self.village_column})

    def match_event_field(self, text: object) -> EventField | None:
        if text is None or isinstance(text, (int, float)):
            return None
        memo = self._cached("event_memo", dict)
        if text not in memo:
            if len(memo) > MEMO_LIMIT:
                memo.clear()
            memo[text] = self._match_event_field(text)
        return memo[text]

    def _match_event_field(self, text: object) -> EventField | None:
        key = header_key(text)[0]
        if not key:
            return None
        if self.is_village_header(text):
            return next(f for f in self.event_fields if f.type == "village")
        exact = self._cached(
            "events", lambda: {header_key(label)[0]: f for f in self.event_fields for label in (f.name, f.label, *f.aliases)}
        )
        if key in exact:
            return exact[key]
        best = max((known for known in exact if len(known) >= MIN_CONTAINED_LABEL and known in key), key=len, default=None)
        return exact[best] if best else None


def _tuple(entry: dict, name: str) -> tuple[str, ...]:
    return tuple(entry.get(name, ()))


def read_catalog(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    topics = {
        t["code"]: Topic(
            code=t["code"],
            name=t["name"],
            department=t["department"],
            layout=t["layout"],
            breakdown=t["breakdown"],
            title=t["title"],
            keywords=_tuple(t, "keywords"),
            department_aliases=_tuple(t, "department_aliases"),
            label_column=_tuple(t, "label_column"),
            value_column=_tuple(t, "value_column"),
            ignored_columns=_tuple(t, "ignored_columns"),
        )
        for t in raw["topic"]
    }
    indicators = {
        i["code"]: Indicator(
            code=i["code"],
            topic=i["topic"],
            name=i["name"],
            unit=i.get("unit", ""),
            kind=i["kind"],
            better=i.get("better", "neutral"),
            sensitive=bool(i.get("sensitive", False)),
            parent=i.get("parent"),
            aliases=_tuple(i, "aliases"),
        )
        for i in raw["indicator"]
    }
    rules = tuple(Rule(r["check"], r["total"], tuple(r["parts"])) for r in raw.get("rule", ()))
    event_fields = tuple(
        EventField(
            code=f["code"],
            name=f["name"],
            type=f["type"],
            unit=f.get("unit", ""),
            required=bool(f.get("required", False)),
            aliases=_tuple(f, "aliases"),
        )
        for f in raw.get("event_field", ())
    )
    for ind in indicators.values():
        if ind.topic not in topics or (ind.parent and ind.parent not in indicators):
            raise ValueError(f"catalog: indicator {ind.code} names an unknown topic or parent")
    for rule in rules:
        unknown = {rule.total, *rule.parts} - indicators.keys()
        if unknown:
            raise ValueError(f"catalog: rule on {rule.total} names unknown indicators {sorted(unknown)}")
    return Catalog(
        topics=topics,
        indicators=indicators,
        rules=rules,
        event_fields=event_fields,
        village_column=_tuple(raw, "village_column"),
        total_labels=_tuple(raw, "total_labels"),
        total_suffixes=_tuple(raw, "total_suffixes"),
        note_prefixes=_tuple(raw, "note_prefixes"),
        ignored_columns=_tuple(raw, "ignored_columns"),
    )


@cache
def load_catalog() -> Catalog:
    return read_catalog(settings.CATALOG_FILE)
