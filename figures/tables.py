"""Tables shaped for the screen and for downloads: columns in Chinese, indicators in
catalog order, the submissions ledger as a topic × year grid."""

from __future__ import annotations

import re

import pandas as pd

from figures import queries
from figures.filters import Filters

QUALIFIER_NAMES = {"exact": "", "at_least": "至少", "approx": "约", queries.SUPPRESSED: "已隐去"}

YEARLY_COLUMNS = {
    "year": "年份",
    "indicator_name": "指标",
    "unit": "单位",
    "value": "数值",
    "qualifier": "限定",
    "display": "显示值",
}
VILLAGE_COLUMNS = {
    "year": "年份",
    "village_name": "村（社区）",
    "village_type": "类型",
    "police_station": "派出所",
    "indicator_name": "指标",
    "unit": "单位",
    "value": "数值",
    "qualifier": "限定",
    "display": "显示值",
    "source_ref": "来源单元格",
}
# Sorts after every catalog indicator (a derived figure such as 高危 has no catalog place).
_AFTER_CATALOG = 999


def tidy_for_export(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Chosen columns renamed to Chinese; a qualifier column reads 至少 / 约."""
    out = frame[list(columns)].rename(columns=columns)
    for col in out.columns:
        if col.endswith("限定"):
            out[col] = out[col].map(lambda q: QUALIFIER_NAMES.get(q, q))
    return out


def in_range(frame: pd.DataFrame, filters: Filters, codes: list[str] | None = None) -> pd.DataFrame:
    """Rows of the years shown (the compare year may lie outside), optionally of some indicators."""
    chosen = frame[frame["year"].between(filters.year_from, filters.year_to)]
    if codes is not None:
        chosen = chosen[chosen["indicator_code"].isin(codes)]
    return chosen


def names_of(frame: pd.DataFrame, codes: list[str]) -> list[str]:
    """Indicator names in the order of `codes` (the order a chart's legend should follow)."""
    names = dict(zip(frame["indicator_code"], frame["indicator_name"], strict=True))
    return [names[code] for code in codes if code in names]


def of_year(frame: pd.DataFrame, year: int, codes: list[str] | None = None) -> pd.DataFrame:
    """The rows of one year (of these indicators, or all)."""
    rows = frame["year"] == year
    return frame[rows & frame["indicator_code"].isin(codes)] if codes is not None else frame[rows]


def concat(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame for frame in frames if not frame.empty], ignore_index=True)


def wide_detail(values: pd.DataFrame, index: list[str], index_names: dict[str, str]) -> pd.DataFrame:
    """Detail table for the screen: one row per year (and village), one column per
    indicator in catalog order, each cell the qualified value (1000+, 约30)."""
    order = queries.indicator_order()
    names = values.drop_duplicates("indicator_code").set_index("indicator_code")["indicator_name"]
    codes = sorted(names.index, key=lambda c: order.get(c, _AFTER_CATALOG))
    table = values.pivot_table(index=index, columns="indicator_code", values="display", aggfunc="first")
    table = table.reindex(columns=codes).rename(columns=names.to_dict()).fillna("—").reset_index()
    # Newest year first, villages in the official (code) order.
    rank = dict(zip(values.get("village_name", []), values.get("village_code", []), strict=True))
    keys = [col for col in ("year", "village_name") if col in table.columns]
    table = table.sort_values(keys, ascending=[col != "year" for col in keys], key=lambda s: s.map(rank) if s.name == "village_name" else s)
    table = table.rename(columns=index_names)
    if "年份" in table.columns:
        table["年份"] = table["年份"].astype(str)
    return table


def _form_columns(values: pd.DataFrame, cell: str, across: str) -> pd.DataFrame:
    """Indicator × `across` (year: 2021年…, or a district's towns in list order) of `cell`."""
    order = queries.indicator_order()
    table = values.pivot_table(index="indicator_code", columns=across, values=cell, aggfunc="first")
    table = table.reindex(
        index=sorted(table.index, key=lambda c: order.get(c, _AFTER_CATALOG)), columns=list(dict.fromkeys(values[across]))
    )
    table.columns = [f"{year}年" for year in table.columns] if across == "year" else list(table.columns)
    return table


def indicators_by_year(values: pd.DataFrame, across: str = "year") -> pd.DataFrame:
    """A town-level form as the template reads: one row per indicator, one column per year
    (or per town of a district, `across="village_name"` of a town_rollup)."""
    table = _form_columns(values, "display", across)
    parents = queries.indicator_parent()
    names = {
        code: ("其中：" if code in parents else "") + name
        for code, name in zip(values["indicator_code"], values["indicator_name"], strict=True)
    }
    units = dict(zip(values["indicator_code"], values["unit"], strict=True))
    table.insert(0, "单位", [units[c] or "" for c in table.index])
    table.insert(0, "指标", [names[c] for c in table.index])
    return table.fillna("—").reset_index(drop=True)


def reported(ledger: pd.DataFrame) -> pd.Series:
    """Ledger rows whose sheet kind came in with numbers for its year."""
    return ledger["submission_id"].notna() & (ledger["row_count"].fillna(0) > 0)


def reporting_year(ledger: pd.DataFrame) -> int:
    """The year being reported now: the latest year any sheet came in with numbers."""
    done = reported(ledger)
    return int(ledger.loc[done, "year"].max()) if done.any() else int(ledger["year"].max())


def _many_towns(ledger: pd.DataFrame) -> bool:
    return "town_code" in ledger.columns and ledger["town_code"].nunique() > 1


def sheet_label(row, many_towns: bool = False) -> str:
    """报表（部门）, with its town in front when a ledger covers several: 乐园镇·吸毒人员（禁毒办）."""
    label = f"{row.topic_name}（{row.department}）"
    return f"{row.town_name}·{label}" if many_towns else label


def missing_sheets(ledger: pd.DataFrame, year: int) -> list[str]:
    """Sheets (报表（部门）) not reported with numbers for `year`."""
    rows = ledger[(ledger["year"] == year) & ~reported(ledger)]
    return [sheet_label(row, _many_towns(ledger)) for row in rows.itertuples()]


def unfilled(row) -> int:
    """How many villages a reported sheet listed without a single number (0 for forms)."""
    value = getattr(row, "unfilled_villages", None)
    return 0 if value is None or pd.isna(value) else int(value)


def partial_sheets(ledger: pd.DataFrame, year: int) -> list[str]:
    """Sheets reported for `year` that left some listed villages blank: 社区矫正（司法所）3 个村未填."""
    rows = ledger[(ledger["year"] == year) & reported(ledger)]
    return [f"{sheet_label(row, _many_towns(ledger))}{unfilled(row)} 个村未填" for row in rows.itertuples() if unfilled(row)]


def for_screen(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty cells show empty, not as None or NaN."""
    return frame.astype(object).where(frame.notna(), "")


_MISSING_NOW = "background-color: #E69F00; color: #000000; font-weight: 700"
_MISSING_BEFORE = "background-color: #EEEEEE; color: #555555"


def ledger_matrix(ledger: pd.DataFrame, reporting_year: int):
    """Topic × year grid: ✔ with the load date when the sheet holds numbers, ◐ when it left
    some listed villages blank, ○ 空表 when a sheet came in with none (an empty template is
    not a report), ✖ 未上报; what is missing or partial for the reporting year in orange."""

    cells = ledger.assign(label=sheet_labels(ledger), mark=ledger_marks(ledger))
    if _many_towns(ledger):  # a district seen whole: how many of its towns each sheet came from
        towns = ledger["town_code"].nunique()
        done = cells.assign(done=cells["mark"].str.startswith("✔")).groupby(["label", "year"], sort=False, as_index=False)["done"].sum()
        cells = done.assign(mark=[_towns_mark(int(n), towns) for n in done["done"]])
    table = cells.pivot(index="label", columns="year", values="mark").reindex(list(dict.fromkeys(cells["label"])))
    table.columns = [f"{year}年" for year in table.columns]
    table.index.name = "报表（报送部门）"
    return _orange_unless_done(table.reset_index(), f"{reporting_year}年")


def sheet_labels(ledger: pd.DataFrame) -> pd.Series:
    """报表（部门） of each ledger row."""
    return ledger["topic_name"].astype(str) + "（" + ledger["department"].astype(str) + "）"


def ledger_marks(ledger: pd.DataFrame) -> pd.Series:
    """Each sheet of a year: ✔ with the load date, ◐ when villages were left blank, ○ 空表, ✖ 未上报."""
    loaded = pd.to_datetime(ledger["loaded_at"]).dt.strftime("%Y-%m-%d")
    blank = pd.to_numeric(ledger.get("unfilled_villages", pd.Series(0, index=ledger.index)), errors="coerce").fillna(0).astype(int)
    marks = ("✔ " + loaded).where(blank == 0, "◐ " + loaded + "（" + blank.astype(str) + " 个村未填）")
    marks = marks.where(pd.to_numeric(ledger["row_count"], errors="coerce").fillna(0) > 0, "○ 空表（无数字）")
    return marks.where(ledger["submission_id"].notna(), "✖ 未上报").astype(object)


def _towns_mark(done: int, towns: int) -> str:
    return f"✔ {towns} 个镇（街道）都已上报" if done == towns else f"◐ {done}/{towns} 个镇（街道）已上报"


def _orange_unless_done(table: pd.DataFrame, now: str):
    """Cells not fully reported in orange for the year being reported (grey for earlier years)."""

    def colour(column: pd.Series) -> list[str]:
        if column.name == table.columns[0]:
            return [""] * len(column)
        missing_style = _MISSING_NOW if column.name == now else _MISSING_BEFORE
        return [missing_style if not str(v).startswith("✔") else "" for v in column]

    return table.style.apply(colour)


def towns_matrix(ledger: pd.DataFrame, year: int):
    """A district's towns × sheets of one year, each cell as `ledger_marks` says it; every
    cell of that year not fully reported in orange."""
    rows = ledger[ledger["year"] == year]
    cells = rows.assign(label=sheet_labels(rows), mark=ledger_marks(rows))
    table = cells.pivot(index="town_name", columns="label", values="mark")
    table = table.reindex(index=list(dict.fromkeys(cells["town_name"])), columns=list(dict.fromkeys(cells["label"])))
    table.index.name = "镇（街道）"
    table = table.reset_index()

    def colour(column: pd.Series) -> list[str]:
        if column.name == table.columns[0]:
            return [""] * len(column)
        return [_MISSING_NOW if not str(v).startswith("✔") else "" for v in column]

    return table.style.apply(colour)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")
# What Markdown would turn into a link by itself (www., http://, a@b): a zero-width space
# breaks the pattern and shows nothing.
_AUTOLINK_START = re.compile(r"(?i)(www|https?|ftp|mailto)(?=[.:])|(?<=\w)(@)(?=\w)")


def plain(text: object) -> str:
    """Text from a workbook or the ETL, escaped so Markdown shows it as typed, and never as
    a link (an address in a theme stays text)."""
    text = _AUTOLINK_START.sub(lambda m: (m.group(1) or m.group(2)) + "\u200b", str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


# ---------------------------------------------------------------- downloads shaped like the screen

TOTAL_ROW = "合计"


def column_title(name: str, unit: str, is_part: bool) -> str:
    """A download's column header: 其中：缓刑（人）."""
    return ("其中：" if is_part else "") + (f"{name}（{unit}）" if unit else name)


def cell_value(value: object, qualifier: str | None, display: str) -> object:
    """An exact count stays a number (Excel can sum it); 1000+, 约30 and hidden cells are text."""
    if qualifier == "exact" and value is not None and not pd.isna(value):
        return int(value)
    return display


def wide_export(values: pd.DataFrame, totals: pd.DataFrame | None = None, by_village: bool = True) -> pd.DataFrame:
    """The detail table as the screen shows it, for a download: one row per year and village
    (newest year first, villages in official order), one column per indicator in catalog
    order with its unit, 其中 parts marked, and a 合计 row per year from the published totals.

    `values` is long (year, village_code, village_name, indicator_code, indicator_name, unit,
    value, qualifier, display); `totals` is the yearly_totals frame of the same villages."""
    if values.empty:
        return pd.DataFrame()
    order = queries.indicator_order()
    parents = queries.indicator_part_of()
    names = values.drop_duplicates("indicator_code").set_index("indicator_code")
    codes = sorted(names.index, key=lambda c: order.get(c, _AFTER_CATALOG))
    titles = {c: column_title(names.at[c, "indicator_name"], names.at[c, "unit"] or "", c in parents) for c in codes}
    keyed = values.assign(
        cell=[cell_value(v, q, d) for v, q, d in zip(values["value"], values["qualifier"], values["display"], strict=True)]
    )
    index = ["year", "village_code", "village_name"] if by_village else ["year"]
    table = keyed.pivot_table(index=index, columns="indicator_code", values="cell", aggfunc="first").reindex(columns=codes)
    table = table.reset_index()
    rows = []
    for year, group in table.groupby("year", sort=False):
        group = group.sort_values("village_code") if by_village else group
        rows.append(group)
        if by_village and totals is not None and not totals.empty:
            year_totals = totals[totals["year"] == year].set_index("indicator_code")
            total = {"year": year, "village_code": "", "village_name": TOTAL_ROW}
            for code in codes:
                if code in year_totals.index:
                    row = year_totals.loc[code]
                    total[code] = cell_value(row["value"], row["qualifier"], row["display"])
            rows.append(pd.DataFrame([total]))
    out = pd.concat(rows, ignore_index=True)
    out = out.sort_values("year", ascending=False, kind="stable")
    out = out.drop(columns=[c for c in ("village_code",) if c in out.columns])
    out = out.rename(columns={"year": "年份", "village_name": "村（社区）", **titles})
    return out.astype(object).where(out.notna(), "").reset_index(drop=True)


def form_export(values: pd.DataFrame, across: str = "year") -> pd.DataFrame:
    """A town-level form for a download: one row per indicator (其中 parts marked, unit in
    its own column), one column per year (or town), exact counts as numbers."""
    if values.empty:
        return pd.DataFrame()
    keyed = values.assign(
        cell=[cell_value(v, q, d) for v, q, d in zip(values["value"], values["qualifier"], values["display"], strict=True)]
    )
    parents = queries.indicator_parent()
    table = _form_columns(keyed, "cell", across)
    names = dict(zip(values["indicator_code"], values["indicator_name"], strict=True))
    units = dict(zip(values["indicator_code"], values["unit"], strict=True))
    table.insert(0, "单位", [units[c] or "" for c in table.index])
    table.insert(0, "指标", [("其中：" if c in parents else "") + names[c] for c in table.index])
    return table.astype(object).where(table.notna(), "").reset_index(drop=True)


_SUBMISSION_ID = re.compile(r"\b([0-9a-f]{12})-([a-z_]+)-(\d{4})\b")
_TOPIC_YEAR = re.compile(r"^(冻结|解冻) ([a-z_]+) (\d{4})$")


def readable_audit(detail: str, topic_names: dict[str, str]) -> str:
    """An audit entry in people's words: 社区矫正2021年（a1b2c3） for a submission id, the
    topic's name for its code."""

    def submission(found: re.Match) -> str:
        sha, topic, year = found.groups()
        return f"{topic_names.get(topic, topic)}{year}年（{sha[:6]}）"

    text = _TOPIC_YEAR.sub(lambda m: f"{m.group(1)} {topic_names.get(m.group(2), m.group(2))} {m.group(3)}年", detail)
    return _SUBMISSION_ID.sub(submission, text)
