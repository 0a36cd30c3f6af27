"""Read, recognise and validate one workbook, without touching the warehouse.

This is what the reader workers (etl.workbook.worker) run; it imports no database driver, so a
worker starts quickly. The loader (etl.loading.loader) commits what it returns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from etl import settings
from etl.loading import originals
from etl.reference.catalog import Catalog, load_catalog
from etl.reference.places import Places, load_places
from etl.reference.problems import Problem
from etl.workbook.layout import find_layout
from etl.workbook.opening import Grid, Workbook, WorkbookProblem, cell_name, cell_position, column_name, read_workbook
from etl.workbook.period import year_from_file_name
from etl.workbook.personal import ID_MASK, find_personal_data, find_personal_data_in_names, mask_identifiers
from etl.workbook.rules import check_rules
from etl.workbook.sheets import SheetData, read_sheet

log = logging.getLogger(__name__)


@dataclass
class PreparedPart:
    """One sheet kind of one year from one file: a future row of `submissions`."""

    submission_id: str
    topic: str
    department: str
    year: int
    town_code: str
    sheet_name: str
    # The numbers as CSV lines (submission_id,village_code,indicator_code,value,qualifier,cell):
    # made here, in the reader workers, so the committing process only hands text to DuckDB.
    facts_csv: str
    fact_count: int
    event_rows: list[tuple]
    # How many villages the sheet lists without a single number (None: not a per-village sheet).
    unfilled_villages: int | None = None

    @property
    def row_count(self) -> int:
        return self.fact_count + len(self.event_rows)


@dataclass
class PreparedFile:
    file_name: str
    sha256: str
    status: str  # loaded | duplicate | rejected
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    parts: list[PreparedPart] = field(default_factory=list)
    attempt_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    duplicate_of: list[str] = field(default_factory=list)
    actor: str = ""  # who loaded it, for the audit trail (empty: the command line)


@dataclass
class FileReport:
    file: str
    status: str
    submission_ids: list[str]
    rows: int
    errors: list[Problem]
    notices: list[str]

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "submission_id": ",".join(self.submission_ids) or None,
            "rows": self.rows,
            "errors": [p.to_dict() for p in self.errors],
            "notices": self.notices,
        }


def _sheet_year(sheet: SheetData, file_year: int | None, given_year: int | None) -> None:
    if any(p.code == "YEAR_CONFLICT" for p in sheet.problems):
        return
    sources = dict(sheet.year_sources)
    if file_year:
        sources["文件名"] = file_year
    if given_year:
        sources["--year 参数"] = given_year
    distinct = set(sources.values())
    if len(distinct) > 1:
        said = "，".join(f"{where}为 {year}" for where, year in sources.items())
        sheet.problem("YEAR_CONFLICT", f"年度不一致：{said}。请改正表内或文件名中的年度，使其一致")
        return
    if distinct:
        sheet.year = distinct.pop()
        return
    event_years = {event.date.year for event in sheet.events}
    if len(event_years) == 1:
        sheet.year = event_years.pop()
        return
    sheet.problem(
        "YEAR_MISSING", "找不到这张表是哪一年的数据。请在标题中写明年度（如“2021年度”），或加一行“年度：2021”，或在导入时指定 --year"
    )


# ---------------------------------------------------------------- whose file: one town of a district

# Rows above the first with this many filled cells (the header) are the title rows of a sheet.
HEADER_LIKE_CELLS = 3


def _title_texts(grid: Grid) -> list[str]:
    """The sheet's name and the text of its rows above the header: where a clerk names the town."""
    texts = [grid.name]
    for line in grid.rows[: settings.HEADER_SEARCH_ROWS]:
        filled = [value for value in line if value is not None and str(value).strip()]
        if len(filled) >= HEADER_LIKE_CELLS:
            break
        texts += [value for value in filled if isinstance(value, str)]
    return texts


def _towns_by_village_names(workbook: Workbook, places: Places) -> tuple[dict[str, int], set[str]]:
    """For each town, how many distinct village names of the file it knows; and the towns
    that alone know some name (a name two towns share proves nothing)."""
    known: dict[str, set[str]] = {}
    sole: set[str] = set()
    for grid in workbook.grids:
        if not grid.visible:
            continue
        for line in grid.rows:
            for value in line[:TABLE_LIKE_COLUMNS]:
                if not isinstance(value, str) or not value.strip():
                    continue
                towns = [code for code in places.towns if places.of_town(code).find(value)]
                for code in towns:
                    known.setdefault(code, set()).add(value)
                if len(towns) == 1:
                    sole.add(towns[0])
    return {code: len(names) for code, names in known.items()}, sole


def _town_of_file(prepared: PreparedFile, workbook: Workbook, places: Places, given: str | None) -> Places | None:
    """The villages the file is about. One town: its own. A district: the town the uploader
    chose (`given`), else the one its title or file name names, else the only town whose
    villages its names are; when none of these says, the file is refused (TOWN_UNKNOWN)."""
    if not places.is_district:
        return places
    named = {town.code: town for town in places.towns_mentioned(prepared.file_name)}
    for grid in workbook.grids:
        if grid.visible:
            for text in _title_texts(grid):
                named.update((town.code, town) for town in places.towns_mentioned(text))
    if given is not None:
        chosen = places.towns[given]
        others = [town.name for code, town in named.items() if code != given]
        if others:
            prepared.problems.append(_town_conflict(f"上传时选择的是{chosen.name}，但文件名或标题写的是{'、'.join(others)}"))
            return None
        return places.of_town(given)
    if len(named) > 1:
        prepared.problems.append(_town_conflict(f"文件名或标题中写了{'、'.join(t.name for t in named.values())}"))
        return None
    if named:
        town = next(iter(named.values()))
        prepared.notices.append(f"按文件名或标题认定为{town.name}的报表")
        return places.of_town(town.code)
    counts, sole = _towns_by_village_names(workbook, places)
    best = max(counts.values(), default=0)
    leaders = [code for code, count in counts.items() if count == best]
    if best and len(leaders) == 1 and sole <= set(leaders):
        town = places.towns[leaders[0]]
        prepared.notices.append(f"文件名和标题没有写镇（街道），按表中的村（社区）名称认定为{town.name}的报表")
        return places.of_town(town.code)
    prepared.problems.append(
        Problem(
            "TOWN_UNKNOWN",
            "看不出这份表是哪个镇（街道）的，文件未导入。请在标题或文件名中写明镇（街道）的全称"
            f"（如“{next(iter(places.towns.values())).name}2021年度社区矫正情况统计表”），或上传时选择镇（街道）",
        )
    )
    return None


def _town_conflict(said: str) -> Problem:
    return Problem("TOWN_CONFLICT", f"{said}。一个文件只能报一个镇（街道）的数字，文件未导入。请改正文件名或标题，或分开报送")


# A sheet naming this many villages in its first columns, beside this many numbers, is a
# table of the town even if no header was recognised: refused, not skipped as notes.
TABLE_LIKE_VILLAGES, TABLE_LIKE_COLUMNS, TABLE_LIKE_NUMBERS = 3, 4, 3


def _looks_like_a_table(grid, places: Places) -> bool:
    villages = sum(1 for line in grid.rows for value in line[:TABLE_LIKE_COLUMNS] if isinstance(value, str) and places.find(value))
    numbers = sum(1 for line in grid.rows for value in line if isinstance(value, (int, float)) and not isinstance(value, bool))
    return villages >= TABLE_LIKE_VILLAGES and numbers >= TABLE_LIKE_NUMBERS


def _sideways(grid: Grid, catalog: Catalog) -> Problem | None:
    """TRANSPOSED when the sheet reads as a per-village table only once its rows and columns are
    swapped (villages across the top, indicators down the side): it is refused, never read wrong."""
    if not grid.rows or len(grid.rows) > 4 * settings.MAX_COLUMNS:
        return None
    width = max(len(line) for line in grid.rows)
    turned = Grid(
        name=grid.name,
        visible=grid.visible,
        rows=[[grid.cell(r, c) for r in range(len(grid.rows))] for c in range(width)],
        merged_copies={(c, r) for r, c in grid.merged_copies},
    )
    layout = find_layout(turned, catalog)
    if layout is None or layout.topic.layout != "village_table":
        return None
    villages_row, indicators_col = layout.village_col, layout.header_row
    return Problem(
        "TRANSPOSED",
        f"这张{layout.topic.name}表的行列颠倒了：村（社区）写在第 {villages_row + 1} 行作列标题，指标写在 {column_name(indicators_col)} 列。"
        "系统按“每个村（社区）一行、每个指标一列”读取，不能照这样导入。请选中整张表复制，在新工作表中右键“选择性粘贴”，"
        "勾选“转置”后粘贴，让村（社区）竖着排成一列，再报送",
        grid.name,
        cell_name(villages_row, indicators_col),
    )


def _with_hidden_notes(problems: list[Problem], grids: dict[str, Grid]) -> list[Problem]:
    """Say so when a problem's cell cannot be seen (a hidden sheet, row or column), and how to show it."""
    out = []
    for problem in problems:
        grid = grids.get(problem.sheet)
        if grid is not None:
            where = cell_position(problem.cell)
            note = grid.hidden_note(*(where or (None, None)))
            if note:
                problem = dataclasses.replace(problem, message=f"{problem.message}（{note}）")
        out.append(problem)
    return out


def prepare(
    file_name: str,
    data: bytes,
    year: int | None = None,
    catalog: Catalog | None = None,
    places: Places | None = None,
    town: str | None = None,
) -> PreparedFile:
    """Read and validate one file completely, without touching the warehouse.

    Whatever goes wrong inside, the file ends refused with a coded message: one odd
    workbook must not stop a folder of others or show a traceback to a clerk.
    """
    file_name = mask_identifiers(Path(file_name).name)  # the name goes into every report, log and audit entry
    prepared = PreparedFile(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), status="rejected")
    if ID_MASK in file_name:
        prepared.problems = [
            Problem(
                "PERSONAL_DATA",
                "文件名里有像身份证号的内容，文件未读取、未保存。本系统只收统计数字：请把文件改名（去掉身份证号），并确认表中只有人数后再报送",
            )
        ]
        return prepared
    try:
        _prepare(prepared, data, year, catalog or load_catalog(), places or load_places(), town)
    except WorkbookProblem as problem:
        prepared.problems = [Problem(problem.code, problem.message, problem.sheet, problem.cell)]
    except RecursionError:
        prepared.problems = [Problem("READ_FAILED", READ_FAILED_MESSAGE)]
    except Exception as exc:  # noqa: BLE001 — a bug or an unforeseen file; logged by type only
        log.warning("unexpected %s while reading %s", type(exc).__name__, file_name)
        prepared.problems = [Problem("READ_FAILED", READ_FAILED_MESSAGE)]
    if prepared.problems:
        prepared.status, prepared.parts = "rejected", []
    # Whatever names a sheet in a message (a chart sheet skipped, a hidden sheet) never carries an ID number.
    prepared.problems = [replace(p, sheet=mask_identifiers(p.sheet), message=mask_identifiers(p.message)) for p in prepared.problems]
    prepared.notices = [mask_identifiers(notice) for notice in prepared.notices]
    return prepared


READ_FAILED_MESSAGE = "读取这个文件时出现意外错误，文件未导入。请另存为新的 .xlsx 后重试；仍不行请联系管理员"


def _prepare(prepared: PreparedFile, data: bytes, year: int | None, catalog: Catalog, places: Places, town: str | None) -> None:
    workbook = read_workbook(data)
    grids = {grid.name: grid for grid in workbook.grids}
    personal = find_personal_data_in_names(workbook.grids) + [p for grid in workbook.grids for p in find_personal_data(grid)]
    if personal:
        prepared.problems = _with_hidden_notes(personal, grids)
        return
    own = _town_of_file(prepared, workbook, places, town)
    if own is None:
        return
    _read_sheets(prepared, workbook, year, catalog, own)
    prepared.problems = _with_hidden_notes(prepared.problems, grids)


def _read_sheets(prepared: PreparedFile, workbook: Workbook, year: int | None, catalog: Catalog, places: Places) -> None:
    file_name = prepared.file_name
    prepared.notices.extend(workbook.skipped)
    file_year = year_from_file_name(file_name)
    sheets: list[SheetData] = []
    for grid in workbook.grids:
        if not grid.visible:
            prepared.notices.append(f"隐藏的工作表“{mask_identifiers(grid.name)}”未读取")
            continue
        layout = find_layout(grid, catalog)
        if layout is None:
            sideways = _sideways(grid, catalog)
            if sideways is not None:
                prepared.problems.append(sideways)
            elif _looks_like_a_table(grid, places):
                prepared.problems.append(
                    Problem(
                        "NO_DATA_SHEET",
                        "这张表列有村（社区）和数字，但列标题一个也认不出，数字无法入库。请使用模板的列标题",
                        grid.name,
                        "A1",
                    )
                )
            elif any(any(v is not None for v in line) for line in grid.rows):
                prepared.notices.append(f"工作表“{grid.name}”不是统计表，已跳过")
            continue
        sheet = read_sheet(grid, layout, catalog, places)
        check_rules(sheet, catalog)
        _sheet_year(sheet, file_year, year)
        if sheet.year and sheet.topic.layout == "event_list":
            for event in sheet.events:
                if event.date.year != sheet.year:
                    sheet.problem(
                        "DATE_OUTSIDE_YEAR",
                        f"活动日期 {event.date:%Y-%m-%d} 不在所报的 {sheet.year} 年度内。请改正日期，或把它报在对应年度的表里",
                        event.cells.split(":")[0],
                    )
        sheets.append(sheet)
        prepared.problems.extend(sheet.problems)
        prepared.notices.extend(sheet.notices)
    seen: dict[tuple[str, int | None], str] = {}
    for sheet in sheets:
        key = (sheet.topic.code, sheet.year)
        if key in seen:
            prepared.problems.append(
                Problem(
                    "DUPLICATE_TOPIC",
                    f"工作表“{seen[key]}”和“{sheet.sheet}”都是 {sheet.year} 年的{sheet.topic.name}表，数字会重复计算。请只保留一张",
                    sheet.sheet,
                    "A1",
                )
            )
        seen[key] = sheet.sheet
    if not sheets and not prepared.problems:
        prepared.problems.append(
            Problem(
                "NO_DATA_SHEET", "文件里没有认得出的统计表。请使用系统提供的模板（python -m etl template 部门名称），保留其中的列标题后填报"
            )
        )
    if prepared.problems:
        return
    town = places.town_code
    for sheet in sheets:
        if sheet.row_count == 0:
            prepared.notices.append(f"工作表“{sheet.sheet}”是{sheet.topic.name}表，但没有填写任何数字")
        submission_id = f"{prepared.sha256[:12]}-{sheet.topic.code}-{sheet.year}"
        ref = f"{file_name}!{sheet.sheet}!"
        facts = "".join(
            f"{submission_id},{f.village or ''},{f.indicator},{f.count.value},{f.count.qualifier},{f.cell}\n" for f in sheet.facts
        )
        events = []
        for event in sheet.events:
            counts = []
            for code in ("materials", "banners", "consultations", "participants"):
                count = event.counts.get(code)
                counts += [count.value, count.qualifier] if count else [None, None]
            events.append(
                (
                    f"{submission_id}-r{event.row + 1}",
                    submission_id,
                    event.date,
                    event.date.year,
                    event.village,
                    event.location,
                    event.theme,
                    event.partners,
                    *counts,
                    ref + event.cells,
                )
            )
        prepared.parts.append(
            PreparedPart(
                submission_id,
                sheet.topic.code,
                sheet.topic.department,
                sheet.year,
                town,
                sheet.sheet,
                facts,
                len(sheet.facts),
                events,
                None if sheet.unfilled is None else len(sheet.unfilled),
            )
        )
    prepared.status = "loaded"


def report(prepared: PreparedFile) -> FileReport:
    ids = prepared.duplicate_of if prepared.status == "duplicate" else [p.submission_id for p in prepared.parts]
    return FileReport(
        prepared.file_name, prepared.status, ids, sum(p.row_count for p in prepared.parts), prepared.problems, prepared.notices
    )


def restrict_departments(prepared: PreparedFile, departments: frozenset[str] | None, catalog: Catalog | None = None) -> PreparedFile:
    """Refuse the whole file if it holds a sheet of a department not in `departments`
    (an uploader may submit only their own department's sheets). None allows all."""
    if departments is None or prepared.status != "loaded":
        return prepared
    foreign = [part for part in prepared.parts if part.department not in departments]
    if not foreign:
        return prepared
    catalog = catalog or load_catalog()
    mine = "、".join(sorted(departments)) or "任何部门"
    prepared.problems = [
        Problem(
            "NOT_YOUR_DEPARTMENT",
            f"这张表是{catalog.topics[part.topic].name}表，属于{part.department}；你的账号只能上报{mine}的报表，整个文件未导入。"
            f"请删去这张表后重新上传，或请{part.department}自行上报",
            part.sheet_name,
            "A1",
        )
        for part in foreign
    ]
    prepared.status, prepared.parts = "rejected", []
    return prepared


def prepare_and_keep(name: str, data: bytes, year: int | None, root: Path | None, town: str | None = None) -> PreparedFile:
    """Prepare one file and, if it will load, keep its original bytes (unsynced: the loader
    syncs a whole batch's originals at once before committing it)."""
    prepared = prepare(name, data, year, town=town)
    if root is not None and prepared.status == "loaded":
        originals.keep(root, prepared.sha256, prepared.file_name, data, synced=False)
    return prepared
