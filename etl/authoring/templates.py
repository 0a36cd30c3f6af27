"""Blank templates a clerk can fill: headers from the catalog, a village dropdown,
whole-number validation on count cells, a year cell and an instructions sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl.reference.catalog import Catalog, Topic, load_catalog
from etl.reference.places import Places, load_places

LIST_SHEET = "村社区名单"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
YEAR_ROW, HEADER_ROW = 2, 4


def topics_for(department: str, catalog: Catalog) -> list[Topic]:
    """The sheets one department fills, by department name, topic name or topic code."""
    wanted = department.strip()
    matched = [t for t in catalog.topics.values() if wanted in (t.code, t.name, t.department, *t.department_aliases)]
    if not matched:
        matched = [t for t in catalog.topics.values() if wanted and (wanted in t.name or wanted in t.department)]
    return matched


def department_names(catalog: Catalog) -> list[str]:
    names = list(dict.fromkeys(t.department for t in catalog.topics.values()))
    return names + [t.code for t in catalog.topics.values()]


def _validation(kind: str, error_title: str, error: str, prompt: str = "", **options) -> DataValidation:
    """A check Excel and WPS enforce: a wrong entry is stopped with the message (openpyxl's
    default, showErrorMessage off, lets anything through without a word)."""
    rule = DataValidation(type=kind, allow_blank=True, showErrorMessage=True, errorStyle="stop", **options)
    rule.errorTitle, rule.error = error_title, error
    if prompt:
        rule.showInputMessage = True
        rule.promptTitle, rule.prompt = error_title, prompt
    return rule


def _count_validation(first: str, last: str) -> DataValidation:
    rule = _validation(
        "whole",
        "数量应为整数",
        "请填写 0 或正整数；没有数据请留空。",
        "填写整数人数（件数），没有数据请留空",
        operator="greaterThanOrEqual",
        formula1="0",
    )
    rule.add(f"{first}:{last}")
    return rule


def _village_pick(places: Places) -> DataValidation:
    return _validation(
        "list", "村（社区）", "请从下拉列表中选择本镇的村（社区）。", formula1=f"='{LIST_SHEET}'!$A$1:$A${len(places.villages)}"
    )


def _year_cell(sheet, year: int | None) -> None:
    sheet.cell(YEAR_ROW, 1, "年度：").font = Font(bold=True)
    cell = sheet.cell(YEAR_ROW, 2, year)
    cell.fill = PatternFill("solid", fgColor="FFF2CC")
    rule = _validation(
        "whole", "年度", "请填写四位数的年度，如 2021。", "填写统计年度，如 2021", operator="between", formula1="2000", formula2="2100"
    )
    rule.allow_blank = False
    rule.add(cell.coordinate)
    sheet.add_data_validation(rule)
    sheet.cell(YEAR_ROW, 3, "← 请填写统计年度，如 2021")


def _printable(sheet) -> None:
    """Landscape, one page wide: clerks print the form for the signatures."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _header(sheet, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = sheet.cell(HEADER_ROW, col, label)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = max(10, min(26, len(label) * 2 + 2))
    sheet.row_dimensions[HEADER_ROW].height = 36
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2)
    _printable(sheet)


def _village_sheet(book: Workbook, topic: Topic, catalog: Catalog, places: Places, year: int | None) -> None:
    sheet = book.create_sheet(topic.name)
    indicators = catalog.topic_indicators(topic.code)
    sheet.cell(1, 1, f"{places.town_name}{topic.title}").font = Font(bold=True, size=14)
    _year_cell(sheet, year)
    _header(sheet, ["村（社区）", *(i.label for i in indicators)])
    first = HEADER_ROW + 1
    for offset, village in enumerate(places.villages):
        sheet.cell(first + offset, 1, village.name).border = BOX
        for col in range(2, len(indicators) + 2):
            sheet.cell(first + offset, col).border = BOX
    last = first + len(places.villages) - 1
    pick = _village_pick(places)
    pick.add(f"A{first}:A{last + 10}")
    sheet.add_data_validation(pick)
    sheet.add_data_validation(_count_validation(f"B{first}", f"{get_column_letter(len(indicators) + 1)}{last + 10}"))
    sheet.column_dimensions["A"].width = 16
    sheet.cell(last + 2, 1, "填表人：")
    sheet.cell(last + 2, 3, "审核人：")


def _form_sheet(book: Workbook, topic: Topic, catalog: Catalog, places: Places, year: int | None) -> None:
    sheet = book.create_sheet(topic.name)
    sheet.cell(1, 1, f"{places.town_name}{topic.title}").font = Font(bold=True, size=14)
    _year_cell(sheet, year)
    _header(sheet, ["指标", "数值", "备注"])
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["C"].width = 30
    row = HEADER_ROW
    for indicator in catalog.topic_indicators(topic.code):
        row += 1
        label = f"    其中：{indicator.label}" if indicator.parent else indicator.label
        sheet.cell(row, 1, label).border = BOX
        sheet.cell(row, 2).border = BOX
        sheet.cell(row, 3).border = BOX
    sheet.add_data_validation(_count_validation(f"B{HEADER_ROW + 1}", f"B{row}"))
    sheet.cell(row + 2, 1, "填表人：")
    sheet.cell(row + 2, 3, "审核人：")


def _event_sheet(book: Workbook, topic: Topic, catalog: Catalog, places: Places, year: int | None) -> None:
    sheet = book.create_sheet(topic.name)
    fields = catalog.event_fields
    sheet.cell(1, 1, f"{places.town_name}{topic.title}").font = Font(bold=True, size=14)
    _year_cell(sheet, year)
    _header(sheet, [f.label for f in fields])
    first, last = HEADER_ROW + 1, HEADER_ROW + 60
    for col, field in enumerate(fields, start=1):
        letter = get_column_letter(col)
        if field.type == "village":
            pick = _village_pick(places)
            pick.add(f"{letter}{first}:{letter}{last}")
            sheet.add_data_validation(pick)
        elif field.type == "date":
            rule = _validation("date", "活动日期", "请填写日期，如 2021-07-15。", operator="greaterThan", formula1="36526")
            rule.add(f"{letter}{first}:{letter}{last}")
            sheet.add_data_validation(rule)
            for r in range(first, last + 1):
                sheet.cell(r, col).number_format = "yyyy-mm-dd"
    sheet.column_dimensions["D"].width = 40


INSTRUCTIONS = [
    "填表说明",
    "",
    "1. 每个部门每年报送一次，数字为统计数，请勿填写任何人员的姓名、身份证号等个人信息，含个人信息的表格会被整份拒收。",
    "2. 请在每张表的“年度”格填写统计年度（如 2021）。",
    "3. 村（社区）请从下拉列表中选择，名称须与名单一致。",
    "4. 数量填写整数；没有数据请留空，不要填 0 以外的文字。确实不精确的，可写“1000余”（至少1000）或“约30”。",
    "5. “在册/在管”等存量指标填写12月31日的数；“本年”开头的流量指标填写全年合计。",
    "6. 各项之和须与总数一致（如在管患者 = 0级至5级之和），系统会逐格核对，有问题会指出是哪个单元格。",
    "7. 可以加标题行、合计行、填表人等，但请保留列标题的文字。",
    "8. 报送：在看板“数据上报”页上传，或由管理员运行 python -m etl load 文件名。",
]


def write_template(department: str, path: Path, year: int | None = None, town: str | None = None) -> list[Topic]:
    """Write the template of one department; returns the sheets it holds (empty if unknown).
    In a district, `town` (a town code) is whose villages it lists and whose name its titles
    carry, so the file says whose it is when it comes back."""
    catalog = load_catalog()
    places = load_places()
    places = places.of_town(town) if town else places
    topics = topics_for(department, catalog)
    if not topics:
        return []
    book = Workbook()
    guide = book.active
    guide.title = "填表说明"
    for row, text in enumerate(INSTRUCTIONS, start=1):
        guide.cell(row, 1, text)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 110
    builders = {"village_table": _village_sheet, "form": _form_sheet, "event_list": _event_sheet}
    for topic in topics:
        builders[topic.layout](book, topic, catalog, places, year)
    names = book.create_sheet(LIST_SHEET)
    for row, village in enumerate(places.villages, start=1):
        names.cell(row, 1, village.name)
    names.sheet_state = "hidden"
    book.active = 1
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return topics
