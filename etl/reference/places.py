"""The villages and communities of one town, or of the towns of a district (data/villages.csv,
one row per village with its town), and how names written by clerks (前进路, 前进路社区居委会,
金凤坪村委会, stray spaces) resolve to them. In a district a village name is only looked up
within one town: two towns may each have a 联合村."""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl import settings
from etl.reference.spellings import normalize_text

_OFFICE_SUFFIX = re.compile(r"(居民委员会|村民委员会|居委会|村委会|委员会|委会|居委|村委)$")
_KIND_SUFFIX = re.compile(r"(社区|村)$")


@dataclass(frozen=True)
class Village:
    town_code: str
    town_name: str
    code: str
    name: str
    type: str
    police_station: str


def _keys(name: str) -> set[str]:
    base = _OFFICE_SUFFIX.sub("", normalize_text(name))
    keys = {base}
    short = _KIND_SUFFIX.sub("", base)
    if len(short) >= 2:
        keys.add(short)
    return keys


@dataclass(frozen=True)
class Town:
    code: str
    name: str


class Places:
    """The village list of one town or of a district's towns, with lookup by any usual
    spelling of a name. `of_town` narrows a district to one town."""

    def __init__(self, villages: list[Village], aliases: dict[str, list[str]], district_name: str = ""):
        if not villages:
            raise ValueError("the village list is empty")
        self.villages = villages
        self.by_code = {v.code: v for v in villages}
        self._aliases = aliases
        self._lookup: dict[str, Village] = {}
        for village in villages:
            for name in (village.name, *aliases.get(village.code, ())):
                for key in _keys(name):
                    self._lookup.setdefault(key, village)
        self.towns = {v.town_code: Town(v.town_code, v.town_name) for v in villages}
        if len({town.name for town in self.towns.values()}) != len(self.towns):
            raise ValueError("two towns in the village list share a name")
        self.district_name = district_name
        self._one_town: dict[str, Places] = {}

    @property
    def is_district(self) -> bool:
        """More than one town: the dashboard rolls up 区 → 镇 → 村."""
        return len(self.towns) > 1

    @property
    def town_code(self) -> str:
        """The town's code (a district has several: see `towns`)."""
        return self._only_town().code

    @property
    def town_name(self) -> str:
        return self._only_town().name

    @property
    def area_name(self) -> str:
        """What the whole list is called on pages: 十里亭镇, or the district's name (浈江区)."""
        return (self.district_name or "全区") if self.is_district else self.town_name

    def _only_town(self) -> Town:
        if self.is_district:
            raise ValueError("a district has more than one town")
        return next(iter(self.towns.values()))

    def of_town(self, code: str) -> Places:
        """The villages of one town of the list, as a Places of their own."""
        if not self.is_district:
            return self
        if code not in self._one_town:
            mine = [v for v in self.villages if v.town_code == code]
            self._one_town[code] = Places(mine, {c: a for c, a in self._aliases.items() if c in {v.code for v in mine}})
        return self._one_town[code]

    def town_named(self, written: object) -> Town | None:
        """The town whose full name (十里亭镇, 东河街道) or code is `written`."""
        text = normalize_text(written)
        return next((town for town in self.towns.values() if text in (town.name, town.code)), None)

    def towns_mentioned(self, text: str) -> list[Town]:
        """Towns whose full name appears in a title or a file name."""
        text = normalize_text(text)
        return [town for town in self.towns.values() if town.name in text]

    def find(self, written: object) -> Village | None:
        for key in sorted(_keys(str(written)), key=len, reverse=True):
            if key in self._lookup:
                return self._lookup[key]
        return None

    def suggest(self, written: object, limit: int = 3) -> list[str]:
        text = _OFFICE_SUFFIX.sub("", normalize_text(written))
        names = [v.name for v in self.villages]
        close = difflib.get_close_matches(text, names, n=limit, cutoff=0.3)
        if not close:
            close = [name for name in names if set(text) & set(name)][:limit]
        return close


def read_places(path: Path) -> Places:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    villages = [
        Village(
            town_code=row["town_code"].strip(),
            town_name=row["town_name"].strip(),
            code=row["village_code"].strip(),
            name=row["village_name"].strip(),
            type=row["village_type"].strip(),
            police_station=row["police_station"].strip(),
        )
        for row in rows
    ]
    aliases = {row["village_code"].strip(): [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()] for row in rows}
    districts = {(row.get("district_name") or "").strip() for row in rows} - {""}
    return Places(villages, aliases, districts.pop() if len(districts) == 1 else "")


@cache
def load_places() -> Places:
    return read_places(settings.VILLAGES_FILE)
