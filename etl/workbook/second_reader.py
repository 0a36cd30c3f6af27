"""A second reader for workbooks that python-calamine refuses but an office program opens.

python-calamine 0.9.1 refuses every .ods written by Gnumeric: Gnumeric pretty-prints
content.xml, and calamine's row reader accepts nothing between two ``<table:table-cell>``
elements but another cell or the row's end, so the indentation between cells fails with
``Expecting 'table-cell', found 'Text(BytesText { content: Borrowed("\\n          ") })'`` (shown by
``CalamineWorkbook.from_filelike`` as "Cannot detect file format"). A comment between cells
fails the same way. LibreOffice opens such files, so the reader should too.

`read_sheets` returns what the reader builds its grids from, in the shape calamine gives:
(sheet name, visible, rows of values from A1, merged ranges ((r0, c0), (r1, c1)) 0-based),
with floats for numbers, str for text, ``datetime.date``/``datetime.datetime`` for dates,
``datetime.time`` for times of day (``datetime.timedelta`` for durations of a day or more),
bool, and None for empty cells. Rows are cut after ``max_rows + 1`` and columns after
``max_cols + 1``, so the caller's "sheet too large" check still sees that there was more.

- .ods: content.xml is streamed with ``xml.etree.ElementTree.iterparse`` (the caller has already
  refused DOCTYPE/ENTITY declarations and zip bombs). Whitespace between elements is ignored, as
  ODF says; text in ``text:p`` follows ODF's white-space rules (runs collapse to one space;
  ``text:s``, ``text:tab`` and ``text:line-break`` give spaces, a tab and a line break); runs of
  repeated empty rows or cells are counted, never materialised.
- .xlsx: openpyxl in read-only mode with ``data_only=True`` (the values the writer saved), rows
  streamed and bounded; merged ranges are read from the sheet's ``<mergeCell>`` elements.
- .xls: xlrd 2.0.2 (``formatting_info=True`` for merged ranges).
- .xlsb: not supported here (raises FormatsUnreadable).

Every failure is a `FormatsUnreadable` (MemoryError and interrupts pass through).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from xml.etree import ElementTree

from etl.workbook.number_formats import FormatsUnreadable

__all__ = ["FormatsUnreadable", "read_sheets"]

Merge = tuple[tuple[int, int], tuple[int, int]]
Sheet = tuple[str, bool, list[list[object]], list[Merge]]

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_MAX_REPEAT = 1 << 21
_MAX_SPACES = 1000
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)
_WHITESPACE = re.compile(r"([ \t\r\n]+)")
_DURATION = re.compile(r"(-?)P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def read_sheets(data: bytes, kind: str, max_rows: int = 5000, max_cols: int = 100) -> list[Sheet]:
    """(sheet name, visible, rows of values from A1, merged ranges ((r0,c0),(r1,c1)) 0-based) for each worksheet.

    ``kind`` is what ``opening.sniff`` returned ("ods", "xlsx", "xls"; "xlsb" is refused). Raises only
    FormatsUnreadable (and MemoryError).
    """
    try:
        if kind == "ods":
            return _ods(data, max_rows, max_cols)
        if kind == "xlsx":
            return _xlsx(data, max_rows, max_cols)
        if kind == "xls":
            return _xls(data, max_rows, max_cols)
    except (FormatsUnreadable, MemoryError):
        raise
    except Exception as exc:  # a last-resort reader: whatever the parsers raise means "cannot read this file"
        raise FormatsUnreadable(f"{type(exc).__name__}: {exc}") from None
    raise FormatsUnreadable(f"the second reader cannot read {kind!r} files")


def _grid(cells: dict[int, dict[int, object]]) -> list[list[object]]:
    """Rows from A1 up to the last non-empty cell, every row as wide as the widest."""
    if not cells:
        return []
    height = max(cells) + 1
    width = max(max(line) for line in cells.values()) + 1
    rows = []
    for r in range(height):
        line = [None] * width
        for c, value in cells.get(r, {}).items():
            line[c] = value
        rows.append(line)
    return rows


# ---------------------------------------------------------------------------------------------
# .ods
# ---------------------------------------------------------------------------------------------


def _paragraph(element: ElementTree.Element) -> str:
    """The character content of a text:p, with ODF's white-space collapsing (ODF 1.2 part 1, 6.1.2)."""
    out: list[str] = []
    state = {"space": True}  # leading white space in a paragraph is ignored

    def collapsible(text: str) -> None:
        for piece in _WHITESPACE.split(text):
            if not piece:
                continue
            if piece[0] in " \t\r\n":
                if not state["space"]:
                    out.append(" ")
                    state["space"] = True
            else:
                out.append(piece)
                state["space"] = False

    def walk(node: ElementTree.Element) -> None:
        if node.text:
            collapsible(node.text)
        for child in node:
            tag = child.tag
            if tag == _TEXT + "s":
                try:
                    count = int(child.get(_TEXT + "c", "1") or 1)
                except ValueError:
                    count = 1
                out.append("\x00" * max(1, min(count, _MAX_SPACES)))
                state["space"] = True
            elif tag == _TEXT + "tab":
                out.append("\x01")
                state["space"] = True
            elif tag == _TEXT + "line-break":
                out.append("\x02")
                state["space"] = True
            elif tag not in (_OFFICE + "annotation", _TEXT + "note", _TEXT + "ruby-text", _TEXT + "bookmark-ref"):
                walk(child)
            if child.tail:
                collapsible(child.tail)

    walk(element)
    text = "".join(out).strip(" ")  # only collapsed spaces; the marked ones are kept
    return text.replace("\x00", " ").replace("\x01", "\t").replace("\x02", "\n")


def _ods_time(text: str) -> object:
    match = _DURATION.fullmatch(text.strip())
    if not match:
        return text or None
    sign, days, hours, minutes, seconds = match.groups()
    span = dt.timedelta(days=float(days or 0), hours=float(hours or 0), minutes=float(minutes or 0), seconds=round(float(seconds or 0), 6))
    if sign:
        return -span
    if span < dt.timedelta(days=1):
        return (dt.datetime.min + span).time()
    return span


def _ods_date(text: str) -> object:
    text = text.strip()
    try:
        if "T" in text:
            stamp = dt.datetime.fromisoformat(text.rstrip("Z"))
            return stamp.replace(tzinfo=None)
        return dt.date.fromisoformat(text)
    except ValueError:
        return text or None


def _ods_value(cell: ElementTree.Element) -> object:
    value_type = cell.get(_OFFICE + "value-type")
    if value_type in ("float", "percentage", "currency"):
        try:
            return float(cell.get(_OFFICE + "value", ""))
        except ValueError:
            return None
    if value_type == "string":
        explicit = cell.get(_OFFICE + "string-value")
        text = explicit if explicit is not None else "\n".join(_paragraph(p) for p in cell if p.tag in (_TEXT + "p", _TEXT + "h"))
        return text or None
    if value_type == "date":
        return _ods_date(cell.get(_OFFICE + "date-value", ""))
    if value_type == "time":
        return _ods_time(cell.get(_OFFICE + "time-value", ""))
    if value_type == "boolean":
        return cell.get(_OFFICE + "boolean-value", "").strip().lower() in ("true", "1")
    return None


def _count(element: ElementTree.Element, attribute: str) -> int:
    try:
        return max(1, min(int(element.get(_TABLE + attribute, "1") or 1), _MAX_REPEAT))
    except ValueError:
        return 1


def _ods(data: bytes, max_rows: int, max_cols: int) -> list[Sheet]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = {info.filename.lower(): info for info in archive.infolist()}
        if "content.xml" not in names:
            raise FormatsUnreadable("no content.xml")
        content = archive.read(names["content.xml"])
    hidden_styles: set[str] = set()
    sheets: list[Sheet] = []
    stack: list[ElementTree.Element] = []
    depth = 0  # of table:table elements; only top-level tables are sheets
    name, visible = "", True
    cells: dict[int, dict[int, object]] = {}
    merges: list[Merge] = []
    line: dict[int, object] = {}
    row = col = 0
    row_limit, col_limit = max_rows + 1, max_cols + 1
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
            tag = element.tag
            if event == "start":
                stack.append(element)
                if tag == _TABLE + "table":
                    depth += 1
                    if depth == 1:
                        name = element.get(_TABLE + "name", "")
                        visible = element.get(_TABLE + "style-name", "") not in hidden_styles
                        cells, merges, row = {}, [], 0
                elif depth == 1 and tag == _TABLE + "table-row":
                    line, col = {}, 0
                continue
            stack.pop()
            if tag == _STYLE + "table-properties" and element.get(_TABLE + "display", "").lower() == "false" and stack:
                hidden_styles.add(stack[-1].get(_STYLE + "name", ""))
            elif tag == _TABLE + "table":
                if depth == 1:
                    sheets.append((name, visible, _grid(cells), merges))
                    element.clear()
                    if stack:
                        del stack[-1][:]
                depth -= 1
            elif depth != 1:
                continue
            elif tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                repeat = _count(element, "number-columns-repeated")
                if col < col_limit and row < row_limit:
                    value = _ods_value(element)
                    if value is not None:
                        for c in range(col, min(col + repeat, col_limit)):
                            line[c] = value
                    if tag == _TABLE + "table-cell":
                        down, across = _count(element, "number-rows-spanned"), _count(element, "number-columns-spanned")
                        if down > 1 or across > 1:
                            merges.append(((row, col), (row + down - 1, col + across - 1)))
                col += repeat
                element.clear()
            elif tag == _TABLE + "table-row":
                repeat = _count(element, "number-rows-repeated")
                if line:
                    for r in range(row, min(row + repeat, row_limit)):
                        cells[r] = dict(line)
                row += repeat
                element.clear()
                if stack:
                    del stack[-1][:]
            elif tag in (_OFFICE + "automatic-styles", _TABLE + "table-column", _TABLE + "table-columns"):
                element.clear()
    except ElementTree.ParseError as exc:
        raise FormatsUnreadable(f"content.xml: {exc}") from None
    return sheets


# ---------------------------------------------------------------------------------------------
# .xlsx
# ---------------------------------------------------------------------------------------------

_MERGE = re.compile(
    rb"""<(?:[\w.-]+:)?mergeCell\b[^>]*?\sref\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})["']"""
)


def _col(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col - 1


def _plain(value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _xlsx(data: bytes, max_rows: int, max_cols: int) -> list[Sheet]:
    import openpyxl  # only needed on this rare path

    with warnings.catch_warnings():  # openpyxl warns about every oddity it meets; the caller only needs values
        warnings.simplefilter("ignore")
        return _xlsx_sheets(
            openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False), data, max_rows, max_cols
        )


def _xlsx_sheets(book, data: bytes, max_rows: int, max_cols: int) -> list[Sheet]:
    try:
        sheets: list[Sheet] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename.lstrip("/"): info for info in archive.infolist()}
            for sheet in book.worksheets:
                cells: dict[int, dict[int, object]] = {}
                rows = sheet.iter_rows(min_row=1, min_col=1, max_row=max_rows + 1, max_col=max_cols + 1, values_only=True)
                for r, values in enumerate(rows):
                    line = {c: v for c, v in enumerate(map(_plain, values)) if v is not None}
                    if line:
                        cells[r] = line
                merges: list[Merge] = []
                path = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
                if path in members:
                    xml = archive.read(members[path])
                    for c0, r0, c1, r1 in _MERGE.findall(xml):
                        merges.append(((int(r0) - 1, _col(c0)), (int(r1) - 1, _col(c1))))
                sheets.append((sheet.title, sheet.sheet_state == "visible", _grid(cells), merges))
        return sheets
    finally:
        book.close()


# ---------------------------------------------------------------------------------------------
# .xls
# ---------------------------------------------------------------------------------------------


def _xls(data: bytes, max_rows: int, max_cols: int) -> list[Sheet]:
    import xlrd  # xlrd 2.0.2 reads .xls only, which is all it is used for here

    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO())
    try:
        sheets: list[Sheet] = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            cells: dict[int, dict[int, object]] = {}
            for r in range(min(sheet.nrows, max_rows + 1)):
                types, values = sheet.row_types(r), sheet.row_values(r)
                line: dict[int, object] = {}
                for c in range(min(len(values), max_cols + 1)):
                    value = _xls_value(types[c], values[c], book.datemode)
                    if types[c] == xlrd.XL_CELL_DATE and _elapsed(book, sheet, r, c):
                        value = dt.timedelta(days=values[c])
                    if value is not None:
                        line[c] = value
                if line:
                    cells[r] = line
            merges = [((rlo, clo), (rhi - 1, chi - 1)) for rlo, rhi, clo, chi in sheet.merged_cells]
            sheets.append((sheet.name, sheet.visibility == 0, _grid(cells), merges))
            book.unload_sheet(index)
        return sheets
    finally:
        book.release_resources()


def _elapsed(book, sheet, row: int, col: int) -> bool:
    """Whether the cell's format is a duration ([h]:mm …), which xlrd would turn into a date in 1900."""
    try:
        fmt = book.format_map[book.xf_list[sheet.cell_xf_index(row, col)].format_key].format_str
    except (IndexError, KeyError, AttributeError):
        return False
    return bool(_ELAPSED.search(re.sub(r'"[^"]*"', "", fmt)))


def _xls_value(ctype: int, value: object, datemode: int) -> object:
    import xlrd

    if ctype == xlrd.XL_CELL_NUMBER:
        return float(value)
    if ctype == xlrd.XL_CELL_TEXT:
        return value or None
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERR")
    if ctype == xlrd.XL_CELL_DATE:
        try:
            stamp = xlrd.xldate.xldate_as_datetime(value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return float(value)
        if 0 <= value < 1:
            return stamp.time()
        return stamp.date() if stamp.time() == dt.time(0) else stamp
    return None
