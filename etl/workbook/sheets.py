"""The numbers of a recognised sheet, each with the cell it came from.

Title, unit and note rows around the table are passed over; total rows are checked
against the villages' sum and dropped. Nothing here touches the warehouse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from etl.reference.catalog import Catalog, Topic
from etl.reference.places import Places
from etl.reference.problems import Problem
from etl.reference.spellings import Count, ValueProblem, header_key, normalize_text, parse_count, parse_date, parse_text
from etl.workbook.layout import Layout, looks_numeric
from etl.workbook.number_formats import KIND_LABELS, NOT_A_COUNT
from etl.workbook.opening import Grid, cell_name, cell_position, column_name
from etl.workbook.period import period_below, year_in_sheet


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
    # Villages the sheet lists without a single number (None: not a per-village sheet).
    unfilled: list[str] | None = None
    # Count cells that are formulas with an empty saved result, read as blank.
    blank_formulas: list[str] = field(default_factory=list)

    def problem(self, code: str, message: str, cell: str = "") -> None:
        self.problems.append(Problem(code, message, self.sheet, cell))

    @property
    def row_count(self) -> int:
        return len(self.facts) + len(self.events)


def _is_note(catalog: Catalog, text: str) -> bool:
    return text.startswith(catalog.note_keys)


# What a count of each unit is called in a sentence: 这里应填写人数.
_COUNT_WORDS = {"人": "人数", "名": "人数", "人次": "人次", "份": "份数", "起": "起数", "个": "个数", "项": "项数", "幅": "幅数"}


def count_word(unit: str) -> str:
    return _COUNT_WORDS.get(unit, "数量")


# The counts a reader gives most often: whole numbers, as floats (3.0). Made once, as parse_count
# would make them (Count is immutable), so such a cell costs a lookup; anything else is parsed.
_WHOLE_COUNTS = {n: Count(n) for n in range(2048)}
# What parse_count made of each text (30余, 约50, -) or the problem it raised: the same texts come
# back in every file of a folder, and parsing one costs more than the rest of its cell.
_TEXT_COUNTS: dict[str, Count | ValueProblem | None] = {}
_TEXT_COUNTS_LIMIT = 65536
_UNSEEN = object()


def _parsed(value: object) -> Count | None:
    """parse_count(value), remembered for texts."""
    if type(value) is float:
        whole = _WHOLE_COUNTS.get(value)
        if whole is not None:
            return whole
    if type(value) is not str:
        return parse_count(value)
    found = _TEXT_COUNTS.get(value, _UNSEEN)
    if found is _UNSEEN:
        try:
            found = parse_count(value)
        except ValueProblem as problem:
            found = problem
        if len(_TEXT_COUNTS) > _TEXT_COUNTS_LIMIT:
            _TEXT_COUNTS.clear()
        _TEXT_COUNTS[value] = found
    if isinstance(found, ValueProblem):
        raise ValueProblem(found.code, found.message)
    return found


def _count(sheet: SheetData, grid: Grid, row: int, col: int, unit: str = "") -> Count | None:
    """The count in one cell, or None (blank, or a problem recorded). The number must be what
    the cell shows a person: a count under a percentage, date, time or currency format, or a
    formula whose result the file does not hold, is refused rather than read."""
    where = (row, col)
    cell = cell_name(row, col)
    shown = grid.formats.get(where)
    if shown is not None and shown.kind in NOT_A_COUNT:
        sheet.problem(
            "COUNT_FORMAT",
            f"单元格 {cell} 显示为 {shown.text}（{KIND_LABELS[shown.kind]}），这里应填写{count_word(unit)}（整数）。"
            "请把这一格的单元格格式改为“常规”或“数值”，填入实际的数后再报送",
            cell,
        )
        return None
    if where in grid.uncalculated:
        sheet.problem(
            "FORMULA_NOT_CALCULATED",
            f"单元格 {cell} 是公式，但文件里没有保存它算出的结果（文件可能由程序生成，没有在 Excel/WPS 中打开保存过），"
            "系统读到的不是表上显示的数。请在 Excel/WPS 中打开这个文件，保存一次后再报送",
            cell,
        )
        return None
    value = grid.cell(row, col)
    if value is None and where in grid.blank_formulas:
        sheet.blank_formulas.append(cell)
    try:
        count = _parsed(value)
    except ValueProblem as problem:
        sheet.problem(problem.code, problem.message, cell)
        return None
    if count is not None and where in grid.merged_copies:
        sheet.problem("MERGED_COUNT", "这个数字所在的单元格与上面的行合并了，系统分不清它属于哪一行。请取消合并，每行填写自己的数字", cell)
        return None
    return count


def _has_numbers(values: list[object]) -> bool:
    if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return True
    return any(isinstance(v, str) and looks_numeric(v) for v in values)


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


def _duplicate_columns(sheet: SheetData, grid: Grid, layout: Layout, name_of) -> set[int]:
    """DUPLICATE_COLUMN for each header naming what a column before it names; returns those columns."""
    columns = set()
    for (r0, c0), (r1, c1) in layout.duplicates:
        first, second = cell_name(r0, c0), cell_name(r1, c1)
        what = name_of(layout.columns[c0])
        sheet.problem(
            "DUPLICATE_COLUMN",
            f"{first}“{_short(grid.cell(r0, c0))}”和 {second}“{_short(grid.cell(r1, c1))}”两列都是“{what}”，"
            "同一指标只能有一列，否则数字会重复计算。请删去其中一列，或把它的列标题改成它真正统计的指标",
            second,
        )
        columns.add(c1)
    return columns


def _short(value: object) -> str:
    """A header or label as the clerk wrote it, on one line and cut short."""
    return (parse_text(value) or "")[:20]


def _named_station(text: str, stations: dict[str, str]) -> str | None:
    return next((name for key, name in stations.items() if key in text), None)


def _station_column(grid: Grid, layout: Layout, stations: dict[str, str]) -> int | None:
    """The column that names each village's police station (often one cell merged down over
    its villages), if the sheet has one: the column outside the table's own whose cells most
    often are a known station's name."""
    hits: dict[int, int] = {}
    for row in range(layout.data_start, len(grid.rows)):
        for col, value in enumerate(grid.rows[row]):
            if col == layout.village_col or col in layout.columns or not isinstance(value, str):
                continue
            if normalize_text(value) in stations:  # the station's name alone, not a note that mentions one
                hits[col] = hits.get(col, 0) + 1
    return max(hits, key=lambda col: (hits[col], -col)) if hits else None


_TOWN_WORDS = ("全镇", "本镇", "全乡", "本乡", "全街道", "合计", "总计")


@dataclass
class _TotalRow:
    row: int
    station: str | None  # None: the whole town
    block: list[str]  # the villages listed since the previous total row (for a 小计 no station can be found for)
    label: str


def read_village_table(grid: Grid, layout: Layout, catalog: Catalog, places: Places, sheet: SheetData) -> int:
    """Facts of a per-village table; returns the row after the table."""
    village_col = layout.village_col
    assert village_col is not None
    repeated = _duplicate_columns(sheet, grid, layout, lambda code: catalog.indicators[code].name)
    value_cols = sorted(col for col in layout.columns if col not in repeated)
    stations = {normalize_text(v.police_station): v.police_station for v in places.villages if v.police_station}
    station_col = _station_column(grid, layout, stations)
    header_keys = {header_key(grid.cell(layout.header_row + d, c))[0] for d in range(layout.depth) for c in value_cols}
    seen: dict[str, int] = {}
    station_of: dict[str, str] = {}  # village code → the station it is counted under here
    block: list[str] = []
    totals: list[_TotalRow] = []
    unfilled: list[str] = []
    hidden_rows_read: list[str] = []
    columns_read: set[int] = set()
    row = layout.data_start
    units = {col: catalog.indicators[layout.columns[col]].unit for col in value_cols}
    for row in range(layout.data_start, len(grid.rows)):
        line = grid.rows[row]
        width = len(line)
        values = [line[c] if c < width else None for c in value_cols]
        raw_village = line[village_col] if village_col < width else None
        text = normalize_text(raw_village)
        has_numbers = _has_numbers(values)
        if not text and has_numbers:
            # A total written in another column (序号 or 派出所) still names the row.
            others = [normalize_text(v) for c, v in enumerate(line) if c not in layout.columns and isinstance(v, str)]
            text = next((t for t in others if t), "")
        if not text and not has_numbers and all(v is None for v in values):
            continue
        if text and _is_note(catalog, text):
            break
        if catalog.is_village_header(raw_village) or (text and header_key(text)[0] in header_keys):
            continue
        in_column = stations.get(normalize_text(grid.cell(row, station_col))) if station_col is not None else None
        station = _named_station(text, stations)
        if station and (text in stations or text.endswith(catalog.total_suffix_keys)):
            totals.append(_TotalRow(row, station, block, text))  # a label naming a station is that station's subtotal
            block = []
            continue
        if catalog.is_total_label(text):
            # 小计 is a station's subtotal: the station its row stands in (a merged 派出所 cell),
            # else the one its villages above belong to. Any other total is the town's,
            # unless its row stands in a station's merged cell.
            if "小计" in text and not text.startswith(_TOWN_WORDS):
                block_stations = {station_of[code] for code in block if code in station_of}
                station = in_column or (block_stations.pop() if len(block_stations) == 1 else "")
            else:
                station = in_column
            totals.append(_TotalRow(row, station, block, text))
            block = []
            continue
        named = normalize_text(raw_village)
        village = places.find(raw_village) if named else None
        if village is None:
            cell = cell_name(row, village_col)
            if not has_numbers:
                if text:
                    sheet.notices.append(f"工作表“{sheet.sheet}”第 {row + 1} 行不是村（社区）数据，已跳过")
                continue
            if not named:
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
        block.append(village.code)
        if in_column and village.police_station and in_column != village.police_station:
            sheet.problem(
                "STATION_MISMATCH",
                f"{village.name}在村（社区）名单里属于{village.police_station}，表上却列在{in_column}下，两者不一致，派出所小计无法核对。"
                "请核对表上的派出所；如果是名单过时了，请管理员更新村（社区）名单（data/villages.csv）",
                cell_name(row, station_col),
            )
        station_of[village.code] = in_column or village.police_station
        facts_before, problems_before = len(sheet.facts), len(sheet.problems)
        for col in value_cols:
            count = _count(sheet, grid, row, col, units[col])
            if count is not None:
                sheet.facts.append(Fact(layout.columns[col], village.code, count, cell_name(row, col)))
                columns_read.add(col)
        if len(sheet.facts) == facts_before and len(sheet.problems) == problems_before:
            unfilled.append(village.name)
        elif row in grid.hidden_rows and len(sheet.facts) > facts_before:
            hidden_rows_read.append(f"第 {row + 1} 行（{village.name}）")
    end = row + 1
    _check_totals(sheet, grid, layout, catalog, totals, station_of, value_cols)
    _check_unknown_columns(sheet, grid, layout, end)
    sheet.unfilled = unfilled
    if unfilled:
        sheet.notices.append(
            f"工作表“{sheet.sheet}”：{len(unfilled)} 个村（社区）没有填写：{'、'.join(unfilled)}。已导入其余村（社区）的数字，"
            "这些村（社区）记为未填报；如有数字请补填后重新报送"
        )
    if hidden_rows_read:
        sheet.notices.append(
            f"工作表“{sheet.sheet}”的{'、'.join(hidden_rows_read)}是隐藏的，其中的数字也已导入；如果不应报送，请删除这些行后重新报送"
        )
    hidden_columns = sorted(columns_read & grid.hidden_cols)
    if hidden_columns:
        names = "、".join(f"{column_name(c)} 列（{catalog.indicators[layout.columns[c]].name}）" for c in hidden_columns)
        sheet.notices.append(f"工作表“{sheet.sheet}”的{names}是隐藏的，其中的数字也已导入；如果不应报送，请删除这些列后重新报送")
    return end


def _check_totals(
    sheet: SheetData,
    grid: Grid,
    layout: Layout,
    catalog: Catalog,
    totals: list[_TotalRow],
    station_of: dict[str, str],
    value_cols: list[int],
) -> None:
    """Each total row against what it sums: a station's subtotal against that station's villages,
    a 小计 whose station cannot be told against the villages listed above it, the town's total
    against all. A total whose formula result the file does not hold cannot be checked (said so)."""
    unchecked = []
    checked = False
    # A column with a refused cell is not summed: the clerk fixes that cell first.
    refused_cols = {where[1] for p in sheet.problems if (where := cell_position(p.cell)) and where[0] >= layout.data_start}
    facts_of: dict[str, list[Fact]] = {}
    for fact in sheet.facts:
        facts_of.setdefault(fact.indicator, []).append(fact)
    for total in totals:
        for col in value_cols:
            code = layout.columns[col]
            if col in refused_cols:
                continue
            if (total.row, col) in grid.uncalculated:
                unchecked.append(cell_name(total.row, col))
                continue
            stated = _count(sheet, grid, total.row, col, catalog.indicators[code].unit)
            if stated is None:
                continue
            checked = True
            if total.station == "":
                members = set(total.block)
            elif total.station is None:
                members = None
            else:
                members = {village for village, station in station_of.items() if station == total.station}
            parts = [f.count for f in facts_of.get(code, ()) if members is None or f.village in members]
            if any(p.qualifier != "exact" for p in parts) or stated.qualifier != "exact":
                continue
            summed = sum(p.value for p in parts)
            if summed != stated.value:
                name = catalog.indicators[code].name
                if total.station:
                    scope, what = f"{total.station}小计", f"该派出所辖区各村（社区）相加为 {summed}"
                elif total.station == "":
                    scope, what = f"“{total.label}”行", f"它上面各村（社区）相加为 {summed}"
                else:
                    scope, what = "合计行", f"各村（社区）相加为 {summed}"
                sheet.problem(
                    "TOTAL_MISMATCH",
                    f"{scope}的“{name}”为 {stated.value}，但{what}。请核对各村数字或合计数",
                    cell_name(total.row, col),
                )
    if checked:
        sheet.notices.append(f"工作表“{sheet.sheet}”的合计行已与各村之和核对，未重复计入")
    if unchecked:
        sheet.notices.append(
            f"工作表“{sheet.sheet}”合计行的 {'、'.join(unchecked[:5])}{' 等' if len(unchecked) > 5 else ''} 是没有保存计算结果的公式，"
            "未能核对（合计行本身不入库，不会重复计数）"
        )


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
            if looks_numeric(value_cell):
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
            first, second = cell_name(seen[code], layout.label_col), cell_name(row, layout.label_col)
            sheet.problem(
                "DUPLICATE_INDICATOR",
                f"{first}“{_short(grid.cell(seen[code], layout.label_col))}”和 {second}“{_short(label)}”都是"
                f"“{catalog.indicators[code].name}”，同一指标只能填一次，否则数字会重复计算。请删去其中一行",
                second,
            )
            continue
        seen[code] = row
        count = _count(sheet, grid, row, layout.value_col, catalog.indicators[code].unit)
        if count is not None:
            sheet.facts.append(Fact(code, None, count, cell_name(row, layout.value_col)))
    return row + 1


def read_events(grid: Grid, layout: Layout, catalog: Catalog, places: Places, sheet: SheetData, year_hint: int | None) -> int:
    """Rows of the outreach event list."""
    by_field = {code: col for col, code in layout.columns.items()}
    count_fields = [f.code for f in catalog.event_fields if f.type == "count"]
    units = {f.code: f.unit for f in catalog.event_fields}
    names = {f.code: f.name for f in catalog.event_fields}
    counted = set(count_fields)
    repeated = [(first, second) for first, second in layout.duplicates if layout.columns[first[1]] in counted]
    _duplicate_columns(
        sheet, grid, Layout(layout.topic, layout.header_row, layout.depth, 0, layout.columns, duplicates=repeated), names.get
    )
    total_keys = {normalize_text(t) for t in catalog.total_labels}
    field_names = {header_key(f.name)[0] for f in catalog.event_fields}
    first_col = min(layout.columns)
    last_col = max(layout.columns)
    seen: dict[tuple, int] = {}
    totals: list[int] = []
    columns = sorted(layout.columns)
    date_col = by_field["event_date"]
    row = layout.data_start
    for row in range(layout.data_start, len(grid.rows)):
        cells = grid.rows[row]
        line = [cells[c] if c < len(cells) else None for c in columns]
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
            named = normalize_text(raw)
            if named and named not in total_keys:
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
        counts = {code: (_count(sheet, grid, row, by_field[code], units[code]) if code in by_field else None) for code in count_fields}
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
            if (total_row, by_field[code]) in grid.uncalculated:
                continue
            stated = _count(sheet, grid, total_row, by_field[code], units[code])
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
        end = read_form(grid, layout, catalog, sheet)
    elif layout.topic.layout == "event_list":
        end = read_events(grid, layout, catalog, places, sheet, sheet.year)
    else:
        end = read_village_table(grid, layout, catalog, places, sheet)
    if sheet.blank_formulas:
        cells = "、".join(sheet.blank_formulas[:8]) + (" 等" if len(sheet.blank_formulas) > 8 else "")
        sheet.notices.append(
            f"工作表“{sheet.sheet}”的 {cells} 是公式，文件里保存的结果是空的，按没有数据导入。"
            "如果在 Excel/WPS 里这些格子显示有数字，说明文件由程序生成、没有计算过：请打开保存一次后重新报送"
        )
    # A period stated under the table (统计时间：2022年12月31日 beside the signatures).
    below, below_where = period_below(grid, end - 1)
    if below and not any(p.code == "YEAR_CONFLICT" for p in sheet.problems):
        if len(below) > 1 or (sheet.year and sheet.year not in below):
            stated = sorted(below | ({sheet.year} if sheet.year else set()))
            sheet.problem(
                "YEAR_CONFLICT",
                f"表内写了不止一个年度（{'、'.join(str(y) for y in stated)}）。一张表只能报一个年度，请改正",
                below_where,
            )
        elif not sheet.year:
            sheet.year = next(iter(below))
            sheet.year_sources["表内"] = sheet.year
    return sheet
