"""Recognise what a sheet is (from its headers, not its name) and read its numbers.

A sheet is one of three layouts of the catalog: a form (one row per indicator), a
village table (one row per village) or an event list. The header is searched for in
the first rows, one or two rows deep; title, unit and note rows around the table are
passed over; total rows are checked against the villages' sum and dropped. Every
number read keeps the cell it came from. Nothing here touches the warehouse.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from etl import settings
from etl.catalog import Catalog, Topic
from etl.places import Places
from etl.problems import Problem
from etl.readers import Grid, cell_name
from etl.values import Count, ValueProblem, header_key, normalize_text, parse_count, parse_date, parse_text


@dataclass
class Fact:
    indicator: str
    village: str | None
    count: Count
    cell: str


@dataclass
class Event:
    row: int
    date: dt.date
    village: str | None
    location: str | None
    theme: str
    partners: str | None
    counts: dict[str, Count | None]
    cells: str


@dataclass
class SheetData:
    sheet: str
    topic: Topic
    year: int | None = None
    year_sources: dict[str, int] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def problem(self, code: str, message: str, cell: str = "") -> None:
        self.problems.append(Problem(code, message, self.sheet, cell))

    @property
    def row_count(self) -> int:
        return len(self.facts) + len(self.events)


# ------------------------------------------------------------------ personal data

_ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9])")
_PERSONAL_HEADERS = {
    "姓名",
    "名字",
    "人员姓名",
    "患者姓名",
    "矫正对象姓名",
    "吸毒人员姓名",
    "身份证",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "证件号",
    "身份号码",
    "出生日期",
    "家庭住址",
    "现住址",
    "户籍地址",
    "联系电话(本人)",
}


def find_personal_data(grid: Grid) -> list[Problem]:
    """Cells that hold or head personal identifiers. The values are never repeated back."""
    found: list[Problem] = []
    for r, line in enumerate(grid.rows):
        for c, value in enumerate(line):
            if value is None or isinstance(value, (dt.date, dt.time, dt.timedelta, bool)):
                continue
            if isinstance(value, (int, float)):
                if 1e16 < abs(value) < 1e18:
                    text = str(int(value))
                else:
                    continue
            else:
                text = str(value)
            key = header_key(text)[0]
            # A header names a column of identifiers; a long sentence that mentions them does not.
            if key in _PERSONAL_HEADERS or ("身份证" in key and len(key) <= 12):
                what = "姓名、身份证号等个人信息的列"
            elif len(text) >= 18 and _ID_NUMBER.search(normalize_text(text)):
                what = "像身份证号的内容"
            else:
                continue
            found.append(
                Problem(
                    "PERSONAL_DATA",
                    f"这里有{what}。本系统只收统计数字，请删除全部个人信息（姓名、身份证号等）后只报送人数",
                    grid.name,
                    cell_name(r, c),
                )
            )
    return found


# ------------------------------------------------------------------ year

_YEAR_PATTERNS = (
    re.compile(r"(?:统计)?年度[:：]?((?:19|20)\d{2})"),
    re.compile(r"((?:19|20)\d{2})年度"),
    re.compile(r"((?:19|20)\d{2})年(?!\d{1,2}月\d{1,2}日)"),  # a year, not a whole date
)
_YEAR_LABELS = {"年度", "统计年度", "年份", "报告年度", "所属年度"}
_DATE_LINE = ("填报", "报送", "填表", "制表", "日期", "截至", "截止")


def years_in_text(text: str) -> set[int]:
    text = normalize_text(text)
    if not text or text.startswith(_DATE_LINE):
        return set()
    for pattern in _YEAR_PATTERNS:
        found = {int(y) for y in pattern.findall(text)}
        if found:
            return found
    return set()


def year_from_file_name(name: str) -> int | None:
    stem = re.sub(r"\.[A-Za-z]+$", "", name)
    found = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", normalize_text(stem))}
    return found.pop() if len(found) == 1 else None


def year_in_sheet(grid: Grid, header_row: int) -> tuple[set[int], str]:
    """Years stated above the header (title, 年度：2021, a 年度 cell beside a number) or in the sheet's name."""
    years: set[int] = set()
    where = ""
    for r in range(min(header_row, len(grid.rows))):
        line = grid.rows[r]
        for c, value in enumerate(line):
            if value is None:
                continue
            if header_key(value)[0] in _YEAR_LABELS:
                for neighbour in line[c + 1 :]:
                    if neighbour is not None:
                        try:
                            candidate = int(float(normalize_text(neighbour)))
                        except ValueError:
                            candidate = 0
                        if 1990 <= candidate <= 2100:
                            years.add(candidate)
                            where = where or cell_name(r, c)
                        break
                continue
            found = years_in_text(str(value))
            if found:
                years |= found
                where = where or cell_name(r, c)
    if not years:
        years = years_in_text(grid.name)
        where = "工作表名" if years else ""
    return years, where


# ------------------------------------------------------------------ header search


@dataclass
class Layout:
    topic: Topic
    header_row: int
    depth: int  # 1 or 2 header rows
    score: int
    columns: dict[int, str]  # column → indicator code or event field code
    village_col: int | None = None
    unknown: dict[int, str] = field(default_factory=dict)  # column → header text
    label_col: int | None = None
    value_col: int | None = None

    @property
    def data_start(self) -> int:
        return self.header_row + self.depth


def _header_texts(grid: Grid, row: int, depth: int, col: int) -> list[object]:
    top = grid.cell(row, col)
    if depth == 1:
        return [top]
    bottom = grid.cell(row + 1, col)
    texts = [bottom, top]
    if top is not None and bottom is not None and top != bottom:
        texts.append(f"{top}{bottom}")
    return texts


def _width(grid: Grid, rows: range) -> int:
    return max((len(grid.rows[r]) for r in rows if r < len(grid.rows)), default=0)


def _village_table_layout(grid: Grid, catalog: Catalog, topic: Topic, row: int, depth: int) -> Layout | None:
    width = _width(grid, range(row, row + depth))
    village_col = None
    columns: dict[int, str] = {}
    unknown: dict[int, str] = {}
    for col in range(width):
        texts = [t for t in _header_texts(grid, row, depth, col) if t is not None]
        if not texts:
            continue
        if village_col is None and any(catalog.is_village_header(t) for t in texts):
            village_col = col
            continue
        for text in texts:
            codes, _ = catalog.match_indicator(topic.code, text)
            if len(codes) == 1:
                columns[col] = codes[0]
                break
        else:
            key = header_key(texts[0])[0]
            if key and not catalog.is_ignored(topic.code, key) and not catalog.is_village_header(texts[0]):
                unknown[col] = str(texts[0])
    if village_col is None or not columns:
        return None
    return Layout(topic, row, depth, len(set(columns.values())), columns, village_col, unknown)


def _event_layout(grid: Grid, catalog: Catalog, topic: Topic, row: int, depth: int) -> Layout | None:
    width = _width(grid, range(row, row + depth))
    columns: dict[int, str] = {}
    unknown: dict[int, str] = {}
    for col in range(width):
        texts = [t for t in _header_texts(grid, row, depth, col) if t is not None]
        for text in texts:
            found = catalog.match_event_field(text)
            if found and found.code not in columns.values():
                columns[col] = found.code
                break
        else:
            if texts and header_key(texts[0])[0] and not catalog.is_ignored(topic.code, header_key(texts[0])[0]):
                unknown[col] = str(texts[0])
    present = set(columns.values())
    if not {"event_date", "theme"} <= present or len(present) < 3:
        return None
    village_col = next((c for c, code in columns.items() if code == "village"), None)
    return Layout(topic, row, depth, len(present), columns, village_col, unknown)


def _form_layout(grid: Grid, catalog: Catalog, topic: Topic) -> Layout | None:
    label_keys = {header_key(t)[0] for t in topic.label_column}
    value_keys = {header_key(t)[0] for t in topic.value_column}
    search = min(len(grid.rows), settings.HEADER_SEARCH_ROWS)
    for row in range(search):
        line = grid.rows[row]
        keys = [header_key(v)[0] if v is not None else "" for v in line]
        label_col = next((c for c, k in enumerate(keys) if k in label_keys), None)
        value_col = next((c for c, k in enumerate(keys) if k in value_keys and c != label_col), None)
        if label_col is not None and value_col is not None:
            score = _form_matches(grid, catalog, topic, label_col, row + 1)
            if score:
                return Layout(topic, row, 1, score, {}, label_col=label_col, value_col=value_col)
    # A form without a header row: the column of labels, and the numbers to its right.
    best = None
    for col in range(min(_width(grid, range(len(grid.rows))), 6)):
        score = _form_matches(grid, catalog, topic, col, 0)
        if score >= 3 and (best is None or score > best[1]):
            best = (col, score)
    if best is None:
        return None
    label_col, score = best
    first = next(r for r in range(len(grid.rows)) if catalog.match_indicator(topic.code, grid.cell(r, label_col))[0])
    for col in range(label_col + 1, label_col + 4):
        if any(isinstance(grid.cell(r, col), (int, float)) or _looks_numeric(grid.cell(r, col)) for r in range(first, len(grid.rows))):
            return Layout(topic, first - 1, 1, score, {}, label_col=label_col, value_col=col)
    return None


def _looks_numeric(value: object) -> bool:
    try:
        return parse_count(value) is not None
    except ValueProblem:
        return False


def _form_matches(grid: Grid, catalog: Catalog, topic: Topic, col: int, start: int) -> int:
    matched = set()
    for r in range(start, min(len(grid.rows), start + 60)):
        codes, _ = catalog.match_indicator(topic.code, grid.cell(r, col))
        matched.update(codes)
    return len(matched)


def _anchor_rows(grid: Grid, search: int, is_anchor) -> list[int]:
    """Rows that may start a header: those holding an anchor cell, and the row above each
    (the upper row of a two-row header may be all group labels)."""
    rows = set()
    for row in range(min(search + 1, len(grid.rows))):
        if any(isinstance(v, str) and is_anchor(v) for v in grid.rows[row]):
            rows.update((row - 1, row) if row else (row,))
    return sorted(rows)


def _table_candidates(grid: Grid, catalog: Catalog, topic: Topic, rows: list[int]) -> list[Layout]:
    build = _event_layout if topic.layout == "event_list" else _village_table_layout
    if topic.layout == "village_table":
        # Only where this topic's labels stand, in the row or the one below it (memoised lookups).
        labelled = {
            r
            for r in rows
            if r < len(grid.rows) and any(isinstance(v, str) and catalog.match_indicator(topic.code, v)[0] for v in grid.rows[r])
        }
        rows = [r for r in rows if r in labelled or r + 1 in labelled]
    singles = {row: build(grid, catalog, topic, row, 1) for row in rows}
    candidates = [one for one in singles.values() if one]
    for row in rows:
        # Two header rows only where the upper row adds to what each row says alone
        # (a group label such as 其中 over its parts), not a title above the header.
        if row + 1 >= len(grid.rows) or any(isinstance(v, (int, float)) for v in grid.rows[row + 1]):
            continue  # a row with numbers below is data, not a second header row
        two = build(grid, catalog, topic, row, 2)
        alone = max((s.score for s in (singles.get(row), singles.get(row + 1)) if s), default=0)
        if two and two.score > alone:
            candidates.append(two)
    return sorted(candidates, key=lambda layout: layout.header_row)


def find_layout(grid: Grid, catalog: Catalog) -> Layout | None:
    """The best reading of a sheet as one of the catalog's tables, or None.

    Headers are looked for only where an anchor stands (a village column header, or an
    event list's date or theme header), which keeps the search cheap on big folders; a
    form (no village column) is looked for only when no table was found.
    """
    search = min(len(grid.rows), settings.HEADER_SEARCH_ROWS)
    village_rows = _anchor_rows(grid, search, catalog.is_village_header)
    event_rows = _anchor_rows(grid, search, lambda v: (f := catalog.match_event_field(v)) is not None and f.code in ("event_date", "theme"))
    best: Layout | None = None
    for topic in catalog.topics.values():
        if topic.layout == "form":
            continue
        rows = event_rows if topic.layout == "event_list" else village_rows
        for layout in _table_candidates(grid, catalog, topic, rows):
            if best is None or layout.score > best.score:
                best = layout
    if best and best.topic.layout == "village_table" and best.score < 2 and len(best.columns) < 2:
        # One matching column is not enough to call a sheet a department's table.
        best = None
    if best is None:
        for topic in catalog.topics.values():
            if topic.layout == "form":
                layout = _form_layout(grid, catalog, topic)
                if layout and (best is None or layout.score > best.score):
                    best = layout
    return best


# ------------------------------------------------------------------ reading rows


def _is_note(catalog: Catalog, text: str) -> bool:
    return text.startswith(catalog.note_keys)


def _count(sheet: SheetData, grid: Grid, row: int, col: int) -> Count | None:
    value = grid.cell(row, col)
    cell = cell_name(row, col)
    try:
        count = parse_count(value)
    except ValueProblem as problem:
        sheet.problem(problem.code, problem.message, cell)
        return None
    if count is not None and (row, col) in grid.merged_copies:
        sheet.problem("MERGED_COUNT", "这个数字所在的单元格与上面的行合并了，系统分不清它属于哪一行。请取消合并，每行填写自己的数字", cell)
        return None
    return count


def _row_has_numbers(grid: Grid, row: int, cols: list[int]) -> bool:
    values = [grid.cell(row, c) for c in cols]
    if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return True
    return any(isinstance(v, str) and _looks_numeric(v) for v in values)


def _check_unknown_columns(sheet: SheetData, grid: Grid, layout: Layout, end: int) -> None:
    for col, text in layout.unknown.items():
        rows = range(layout.data_start, end)
        if any(isinstance(grid.cell(r, col), (int, float)) and not isinstance(grid.cell(r, col), bool) for r in rows):
            sheet.problem(
                "UNKNOWN_COLUMN",
                f"列标题“{text[:20]}”不是本表的指标，系统不知道这些数字该记在哪里。请改用模板里的列标题，或删除这一列",
                cell_name(layout.header_row + layout.depth - 1, col),
            )
        else:
            sheet.notices.append(f"工作表“{sheet.sheet}”的“{text[:20]}”列不是统计指标，已忽略")


def read_village_table(grid: Grid, layout: Layout, catalog: Catalog, places: Places, sheet: SheetData) -> int:
    """Facts of a per-village table; returns the row after the table."""
    village_col = layout.village_col
    assert village_col is not None
    value_cols = sorted(layout.columns)
    total_keys = {normalize_text(t) for t in catalog.total_labels}
    stations = {normalize_text(v.police_station): v.police_station for v in places.villages}
    header_keys = {header_key(grid.cell(layout.header_row + d, c))[0] for d in range(layout.depth) for c in value_cols}
    seen: dict[str, int] = {}
    totals: list[tuple[int, str | None]] = []  # (row, police station or None for the whole town)
    row = layout.data_start
    for row in range(layout.data_start, len(grid.rows)):
        raw_village = grid.cell(row, village_col)
        text = normalize_text(raw_village)
        has_numbers = _row_has_numbers(grid, row, value_cols)
        if not text and has_numbers:
            # A total written in another column (序号 or 派出所) still names the row.
            others = [normalize_text(v) for c, v in enumerate(grid.rows[row]) if c not in layout.columns and isinstance(v, str)]
            text = next((t for t in others if t), "")
        if not text and not has_numbers and all(grid.cell(row, c) is None for c in value_cols):
            continue
        if text and _is_note(catalog, text):
            break
        if catalog.is_village_header(raw_village) or (text and header_key(text)[0] in header_keys):
            continue
        if text in total_keys or text.replace("合计", "") in total_keys or text.endswith(("合计", "总计")):
            totals.append((row, None))
            continue
        station = next((name for key, name in stations.items() if key in text), None)
        if station and (text.endswith(("小计", "合计")) or text in stations):
            totals.append((row, station))
            continue
        village = places.find(raw_village) if normalize_text(raw_village) else None
        if village is None:
            cell = cell_name(row, village_col)
            if not has_numbers:
                if text:
                    sheet.notices.append(f"工作表“{sheet.sheet}”第 {row + 1} 行不是村（社区）数据，已跳过")
                continue
            if not normalize_text(raw_village):
                sheet.problem("MISSING_VILLAGE", "这一行有数字，却没有填写村（社区）名称。请填写村（社区）名称", cell)
                continue
            close = places.suggest(raw_village)
            hint = f"最接近的有：{'、'.join(close)}。" if close else ""
            sheet.problem("UNKNOWN_VILLAGE", f"“{str(raw_village).strip()[:20]}”不在本镇村（社区）名单里。{hint}请改为名单中的名称", cell)
            continue
        if village.code in seen:
            sheet.problem(
                "DUPLICATE_VILLAGE",
                f"{village.name}在第 {seen[village.code] + 1} 行已经填过一次，同一村（社区）只能有一行。请合并为一行",
                cell_name(row, village_col),
            )
            continue
        seen[village.code] = row
        for col in value_cols:
            count = _count(sheet, grid, row, col)
            if count is not None:
                sheet.facts.append(Fact(layout.columns[col], village.code, count, cell_name(row, col)))
    end = row + 1
    _check_totals(sheet, grid, layout, catalog, places, totals)
    _check_unknown_columns(sheet, grid, layout, end)
    return end


def _check_totals(
    sheet: SheetData, grid: Grid, layout: Layout, catalog: Catalog, places: Places, totals: list[tuple[int, str | None]]
) -> None:
    for row, station in totals:
        for col, code in layout.columns.items():
            stated = _count(sheet, grid, row, col)
            if stated is None:
                continue
            parts = [
                f.count
                for f in sheet.facts
                if f.indicator == code and (station is None or places.by_code[f.village].police_station == station)
            ]
            if any(p.qualifier != "exact" for p in parts) or stated.qualifier != "exact":
                continue
            summed = sum(p.value for p in parts)
            if summed != stated.value:
                name = catalog.indicators[code].name
                scope = f"{station}小计" if station else "合计行"
                sheet.problem(
                    "TOTAL_MISMATCH",
                    f"{scope}的“{name}”为 {stated.value}，但各村（社区）相加为 {summed}。请核对各村数字或合计数",
                    cell_name(row, col),
                )
    if totals:
        sheet.notices.append(f"工作表“{sheet.sheet}”的合计行已与各村之和核对，未重复计入")


def read_form(grid: Grid, layout: Layout, catalog: Catalog, sheet: SheetData) -> int:
    """Facts of a one-row-per-indicator form, read in order so a 其中 row finds its total."""
    assert layout.label_col is not None and layout.value_col is not None
    topic = layout.topic.code
    seen: dict[str, int] = {}
    last_total: str | None = None
    row = layout.data_start
    for row in range(layout.data_start, len(grid.rows)):
        label = grid.cell(row, layout.label_col)
        text = normalize_text(label)
        value_cell = grid.cell(row, layout.value_col)
        if not text and value_cell is None:
            continue
        if text and _is_note(catalog, text):
            break
        codes, is_part = catalog.match_indicator(topic, label)
        if len(codes) > 1:
            narrowed = [c for c in codes if catalog.indicators[c].parent == last_total] if is_part or last_total else []
            if len(narrowed) != 1:
                narrowed = [c for c in codes if catalog.indicators[c].parent is None and not is_part]
            if len(narrowed) != 1:
                sheet.problem(
                    "AMBIGUOUS_INDICATOR",
                    f"“{str(label).strip()[:24]}”是“其中”项，但上面找不到它所属的总数。请把它放在所属总数的下一行",
                    cell_name(row, layout.label_col),
                )
                continue
            codes = tuple(narrowed)
        if not codes:
            if _looks_numeric(value_cell):
                sheet.problem(
                    "UNKNOWN_INDICATOR",
                    f"“{str(label or '').strip()[:24]}”不是本表的指标，系统不知道这个数字该记在哪里。请改用模板里的指标名称",
                    cell_name(row, layout.label_col),
                )
            continue
        code = codes[0]
        if catalog.indicators[code].parent is None:
            last_total = code
        if code in seen:
            sheet.problem(
                "DUPLICATE_INDICATOR",
                f"“{catalog.indicators[code].name}”在第 {seen[code] + 1} 行已填过，同一指标只能填一次",
                cell_name(row, layout.label_col),
            )
            continue
        seen[code] = row
        count = _count(sheet, grid, row, layout.value_col)
        if count is not None:
            sheet.facts.append(Fact(code, None, count, cell_name(row, layout.value_col)))
    return row + 1


def read_events(grid: Grid, layout: Layout, catalog: Catalog, places: Places, sheet: SheetData, year_hint: int | None) -> int:
    """Rows of the outreach event list."""
    by_field = {code: col for col, code in layout.columns.items()}
    count_fields = [f.code for f in catalog.event_fields if f.type == "count"]
    total_keys = {normalize_text(t) for t in catalog.total_labels}
    field_names = {header_key(f.name)[0] for f in catalog.event_fields}
    first_col = min(layout.columns)
    last_col = max(layout.columns)
    seen: dict[tuple, int] = {}
    totals: list[int] = []
    row = layout.data_start
    for row in range(layout.data_start, len(grid.rows)):
        line = [grid.cell(row, c) for c in sorted(layout.columns)]
        if all(v is None for v in line):
            continue
        texts = [normalize_text(v) for v in line if v is not None]
        if texts and _is_note(catalog, texts[0]) and len(texts) <= 2:
            break
        if any(t in total_keys for t in texts):
            totals.append(row)
            continue
        if any(isinstance(v, str) and header_key(v)[0] in field_names for v in line):
            continue  # the header repeated (a second page of a printed list)
        date_col = by_field["event_date"]
        try:
            date = parse_date(grid.cell(row, date_col), year_hint)
        except ValueProblem as problem:
            sheet.problem(problem.code, problem.message, cell_name(row, date_col))
            date = None
        else:
            if date is None:
                sheet.problem("MISSING_DATE", "这项活动没有填写活动日期。请补上日期，如 2021-07-15", cell_name(row, date_col))
        village_code = None
        if "village" in by_field:
            raw = grid.cell(row, by_field["village"])
            if normalize_text(raw) and normalize_text(raw) not in total_keys:
                village = places.find(raw)
                if village is None:
                    close = places.suggest(raw)
                    hint = f"最接近的有：{'、'.join(close)}。" if close else ""
                    sheet.problem(
                        "UNKNOWN_VILLAGE",
                        f"“{str(raw).strip()[:20]}”不在本镇村（社区）名单里。{hint}请改为名单中的名称；全镇性活动可留空",
                        cell_name(row, by_field["village"]),
                    )
                else:
                    village_code = village.code
        theme = parse_text(grid.cell(row, by_field["theme"]))
        if not theme:
            sheet.problem("MISSING_THEME", "这项活动没有填写活动主题。请补上主题", cell_name(row, by_field["theme"]))
        counts = {code: (_count(sheet, grid, row, by_field[code]) if code in by_field else None) for code in count_fields}
        if date is None or not theme:
            continue
        key = (date, village_code, normalize_text(theme))
        if key in seen:
            sheet.problem(
                "DUPLICATE_EVENT",
                f"这项活动与第 {seen[key] + 1} 行的日期、村（社区）和主题都相同，像是登记了两次。请删除重复的一行",
                cell_name(row, by_field["theme"]),
            )
            continue
        seen[key] = row
        sheet.events.append(
            Event(
                row=row,
                date=date,
                village=village_code,
                location=parse_text(grid.cell(row, by_field["location"])) if "location" in by_field else None,
                theme=theme,
                partners=parse_text(grid.cell(row, by_field["partners"])) if "partners" in by_field else None,
                counts=counts,
                cells=f"{cell_name(row, first_col)}:{cell_name(row, last_col)}",
            )
        )
    for total_row in totals:
        for code in count_fields:
            if code not in by_field:
                continue
            stated = _count(sheet, grid, total_row, by_field[code])
            parts = [e.counts[code] for e in sheet.events if e.counts.get(code) is not None]
            if stated is None or stated.qualifier != "exact" or any(p.qualifier != "exact" for p in parts):
                continue
            if sum(p.value for p in parts) != stated.value:
                sheet.problem(
                    "TOTAL_MISMATCH",
                    f"合计行为 {stated.value}，但各项活动相加为 {sum(p.value for p in parts)}。请核对",
                    cell_name(total_row, by_field[code]),
                )
    _check_unknown_columns(sheet, grid, layout, row + 1)
    return row + 1


def read_sheet(grid: Grid, layout: Layout, catalog: Catalog, places: Places) -> SheetData:
    sheet = SheetData(sheet=grid.name, topic=layout.topic)
    years, where = year_in_sheet(grid, max(layout.data_start, 0))
    if len(years) > 1:
        sheet.problem(
            "YEAR_CONFLICT", f"表内写了不止一个年度（{'、'.join(str(y) for y in sorted(years))}）。一张表只能报一个年度，请改正", where
        )
    elif years:
        sheet.year = years.pop()
        sheet.year_sources["表内"] = sheet.year
    if layout.topic.layout == "form":
        read_form(grid, layout, catalog, sheet)
    elif layout.topic.layout == "event_list":
        read_events(grid, layout, catalog, places, sheet, sheet.year)
    else:
        read_village_table(grid, layout, catalog, places, sheet)
    return sheet
