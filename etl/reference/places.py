"""The town's villages and communities (data/villages.csv) and how names written by
clerks (前进路, 前进路社区居委会, 金凤坪村委会, stray spaces) resolve to them."""

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


class Places:
    """The village list of one town, with lookup by any usual spelling of a name."""

    def __init__(self, villages: list[Village], aliases: dict[str, list[str]]):
        self.villages = villages
        self.by_code = {v.code: v for v in villages}
        self._lookup: dict[str, Village] = {}
        for village in villages:
            for name in (village.name, *aliases.get(village.code, ())):
                for key in _keys(name):
                    self._lookup.setdefault(key, village)
        if len({v.town_code for v in villages}) != 1:
            raise ValueError("villages.csv must list the villages of exactly one town")
        self.town_code = villages[0].town_code
        self.town_name = villages[0].town_name

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
    return Places(villages, aliases)


@cache
def load_places() -> Places:
    return read_places(settings.VILLAGES_FILE)
