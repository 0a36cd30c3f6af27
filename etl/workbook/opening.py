"""Open a workbook's bytes safely and return its sheets as grids of cell values.

The content decides what a file is, not its name. Before python-calamine reads
anything, the container is checked: a zip must not declare more than a bounded
uncompressed size or ratio, and its XML must carry no DOCTYPE or entity declarations;
an OLE file that wraps an encrypted package is refused as password protected. Every
failure of the reader itself (including a Rust panic) becomes a `WorkbookProblem`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree import ElementTree

import python_calamine as calamine

from etl import settings
from etl.workbook import second_reader
from etl.workbook.appearance import appearance
from etl.workbook.number_formats import FormatsUnreadable, Shown, number_formats, remember_zip

log = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookProblem(Exception):
    """The file as a whole cannot be read; `code` and a Chinese `message` say why."""

    def __init__(self, code: str, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.code, self.message, self.sheet, self.cell = code, message, sheet, cell


@dataclass
class Grid:
    """One sheet: rows of values from A1, merged ranges filled with their first value, and
    what a person sees that the values do not say (number formats, hidden rows and columns,
    formulas without a saved result)."""

    name: str
    visible: bool
    rows: list[list[object]]
    # Cells that hold a copy of a merged range's value rather than their own.
    merged_copies: set[tuple[int, int]] = field(default_factory=set)
    # Number cells under a format that is not a plain number (100%, a date, ¥12.00): what they show.
    formats: dict[tuple[int, int], Shown] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    # Formula cells whose result the file does not hold (written by a program, never calculated).
    uncalculated: set[tuple[int, int]] = field(default_factory=set)
    # .xls formula cells whose saved result is empty text (read as blank; said so where a count is read).
    blank_formulas: set[tuple[int, int]] = field(default_factory=set)

    @property
    def height(self) -> int:
        return len(self.rows)

    def cell(self, row: int, col: int) -> object:
        line = self.rows[row] if row < len(self.rows) else ()
        return line[col] if col < len(line) else None

    def hidden_note(self, row: int | None, col: int | None) -> str:
        """How to see a cell that is hidden (its sheet, row or column), or "" when it is in view."""
        notes = []
        if not self.visible:
            notes.append(f"工作表“{self.name}”是隐藏的：在 Excel/WPS 中右键任一工作表标签，选“取消隐藏”即可看到")
        if row is not None and row in self.hidden_rows:
            notes.append(f"第 {row + 1} 行是隐藏的：选中它上下相邻的两行，右键选“取消隐藏”即可看到")
        if col is not None and col in self.hidden_cols:
            notes.append(f"{column_name(col)} 列是隐藏的：选中它左右相邻的两列，右键选“取消隐藏”即可看到")
        return "；".join(notes)


@dataclass
class Workbook:
    kind: str  # xlsx | xls | ods | xlsb
    grids: list[Grid]
    skipped: list[str]  # sheets passed over, said to the user (chart sheets, …)


@lru_cache(maxsize=65536)
def cell_name(row: int, col: int) -> str:
    """(0, 0) → A1."""
    return f"{column_name(col)}{row + 1}"


@lru_cache(maxsize=1024)
def column_name(col: int) -> str:
    """0 → A, 26 → AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_CELL_NAME = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


def cell_position(name: str) -> tuple[int, int] | None:
    """A1 → (0, 0); None for anything that is not one cell's name."""
    found = _CELL_NAME.match(name or "")
    if not found:
        return None
    col = 0
    for ch in found.group(1):
        col = col * 26 + ord(ch) - 64
    return int(found.group(2)) - 1, col - 1


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, RuntimeError, NotImplementedError, KeyError)


def _prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 1024) -> bytes:
    """The first bytes of a member, where a DOCTYPE would have to stand; read straight
    from the archive's bytes (opening each member through zipfile costs more than the
    whole rest of a small workbook's check)."""
    raw = archive.fp.getbuffer() if isinstance(archive.fp, io.BytesIO) else None
    if raw is None or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with archive.open(info) as member:
            return member.read(size)
    offset = info.header_offset
    if bytes(raw[offset : offset + 4]) != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    name_length = int.from_bytes(raw[offset + 26 : offset + 28], "little")
    extra_length = int.from_bytes(raw[offset + 28 : offset + 30], "little")
    start = offset + 30 + name_length + extra_length
    chunk = bytes(raw[start : start + min(info.compress_size, 4 * size)])
    if info.compress_type == zipfile.ZIP_STORED:
        return chunk[:size]
    return zlib.decompressobj(-15).decompress(chunk, size)


def _sniff_zip(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        kind = _inspect_zip(archive)
        remember_zip(data, archive)  # the formats and hidden rows are read from the same zip
        return kind
    except _ZIP_ERRORS:
        raise WorkbookProblem("FILE_CORRUPT", "文件已损坏或不完整，无法打开。请在 Excel/WPS 中打开确认后重新保存再报送") from None


def _inspect_zip(archive: zipfile.ZipFile) -> str:
    infos = archive.infolist()
    if len(infos) > 10_000:
        raise WorkbookProblem("FILE_TOO_COMPLEX", "文件内部结构异常（条目过多），不像正常的统计表，请另存为新文件后再报送")
    declared = sum(max(info.file_size, 0) for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    if declared > settings.MAX_UNCOMPRESSED_BYTES or declared / packed > settings.MAX_COMPRESSION_RATIO:
        raise WorkbookProblem("FILE_TOO_LARGE", "文件解压后过大，超出统计表的正常大小，可能已损坏。请检查后重新保存再报送")
    if any(info.flag_bits & 0x1 for info in infos):
        raise WorkbookProblem("FILE_ENCRYPTED", "文件设置了密码保护，无法读取。请取消密码后重新保存再报送")
    names = {info.filename for info in infos}
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size:
            head = _prolog(archive, info)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise WorkbookProblem("FILE_UNSAFE", "文件内含不安全的 XML 声明，已拒收。请用 Excel/WPS 另存为新文件后再报送")
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100]
        if b"opendocument.spreadsheet" in mimetype:
            if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read("META-INF/manifest.xml")[:1_000_000]:
                raise WorkbookProblem("FILE_ENCRYPTED", "文件设置了密码保护，无法读取。请取消密码后重新保存再报送")
            return "ods"
        raise WorkbookProblem("FILE_TYPE", "这不是电子表格文件（可能是文字文档或演示文稿）。请报送 .xlsx、.xls 或 .ods 表格")
    if "[Content_Types].xml" in names:
        folders = {name.replace("\\", "/").split("/", 1)[0] for name in names}
        if folders & {"word", "ppt"} and "xl" not in folders:
            raise WorkbookProblem("FILE_TYPE", "这不是电子表格文件（是 Word 或 PowerPoint 文件）。请报送 .xlsx、.xls 或 .ods 表格")
        return "xlsb" if "xl/workbook.bin" in names else "xlsx"
    raise WorkbookProblem("FILE_TYPE", "这是一个压缩包，不是电子表格。请直接报送 .xlsx、.xls 或 .ods 表格")


def sniff(data: bytes) -> str:
    """What the bytes are, by content; refuses anything that is not a workbook."""
    if len(data) > settings.MAX_FILE_BYTES:
        raise WorkbookProblem("FILE_TOO_LARGE", f"文件超过 {settings.MAX_FILE_MB} MB，统计表不应这么大。请删除图片和无关工作表后再报送")
    if not data:
        raise WorkbookProblem("FILE_EMPTY", "文件是空的（0 字节）。请重新保存后再报送")
    if data.startswith(ZIP_MAGIC):
        return _sniff_zip(data)
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise WorkbookProblem("FILE_ENCRYPTED", "文件设置了密码保护，无法读取。请取消密码后重新保存再报送")
        if "WordDocument".encode("utf-16-le") in data or "PowerPoint Document".encode("utf-16-le") in data:
            raise WorkbookProblem("FILE_TYPE", "这不是电子表格文件（是旧版 Word 或 PowerPoint 文件）。请报送 .xlsx、.xls 或 .ods 表格")
        return "xls"
    head = data[:8]
    if head.startswith(b"%PDF"):
        what = "PDF 文件"
    elif head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        what = "程序文件"
    elif head[:3] in (b"\xff\xd8\xff", b"\x89PN", b"GIF"):
        what = "图片"
    else:
        what = "不是电子表格的文件"
    raise WorkbookProblem("FILE_TYPE", f"这是{what}，不是电子表格。请报送 .xlsx、.xls 或 .ods 格式的统计表")


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merges(data: bytes) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Merged ranges of each sheet of an .ods (calamine gives them for Excel formats only).

    Streams content.xml; the zip was already checked for size and for DOCTYPE/entities.
    """
    merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    ranges: list = []
    row = col = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as content:
        for event, element in ElementTree.iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _ODS_TABLE + "table":
                    ranges = merges.setdefault(element.get(_ODS_TABLE + "name", ""), [])
                    row = 0
                elif tag == _ODS_TABLE + "table-row":
                    col = 0
                elif tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
                    rows_spanned = int(element.get(_ODS_TABLE + "number-rows-spanned", 1))
                    cols_spanned = int(element.get(_ODS_TABLE + "number-columns-spanned", 1))
                    if tag.endswith("}table-cell") and (rows_spanned > 1 or cols_spanned > 1) and row <= settings.MAX_ROWS:
                        ranges.append(((row, col), (row + rows_spanned - 1, col + cols_spanned - 1)))
                    col += min(int(element.get(_ODS_TABLE + "number-columns-repeated", 1)), 1 << 20)
            elif tag == _ODS_TABLE + "table-row":
                row += min(int(element.get(_ODS_TABLE + "number-rows-repeated", 1)), 1 << 21)
                element.clear()
    return merges


Merge = tuple[tuple[int, int], tuple[int, int]]


def _grid_from_rows(name: str, visible: bool, rows: list[list[object]], merges) -> Grid:
    """A grid from a reader's rows: empty strings as None, trailing blanks trimmed, the size
    limits checked, merged ranges filled with their first value."""
    rows = [[None if v == "" else v for v in line] for line in rows]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if len(rows) > settings.MAX_ROWS:
        raise WorkbookProblem(
            "SHEET_TOO_LARGE", f"工作表超过 {settings.MAX_ROWS} 行，不像一份统计表。请只保留统计表本身后再报送", sheet=name
        )
    for line in rows:
        while line and line[-1] is None:
            line.pop()
        if len(line) > settings.MAX_COLUMNS:
            raise WorkbookProblem(
                "SHEET_TOO_LARGE", f"工作表超过 {settings.MAX_COLUMNS} 列，不像一份统计表。请只保留统计表本身后再报送", sheet=name
            )
    grid = Grid(name=name, visible=visible, rows=rows)
    for (r0, c0), (r1, c1) in merges or ():
        if r1 - r0 > settings.MAX_ROWS or c1 - c0 > settings.MAX_COLUMNS or r0 >= len(rows):
            continue
        value = grid.cell(r0, c0)
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            line = rows[r]
            for c in range(c0, c1 + 1):
                if (r, c) == (r0, c0):
                    continue
                if value is not None:
                    line.extend([None] * (c + 1 - len(line)))
                    line[c] = value
                grid.merged_copies.add((r, c))
    return grid


CORRUPT_MESSAGE = "文件已损坏或格式无法识别，无法打开。请在 Excel/WPS 中打开确认后另存为 .xlsx 再报送"
XLSB_MESSAGE = (
    "这是 Excel 二进制工作簿（.xlsb），系统读不出其中单元格的显示格式（百分比、日期等），无法确认数字与表上显示的一致。"
    "请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再报送"
)
FORMATS_MESSAGE = (
    "文件的单元格格式部分已损坏，系统无法确认每个数字在表上显示的样子（如 100% 实际存的是 1）。"
    "请在 Excel/WPS 中打开，另存为新的 .xlsx 文件后再报送"
)


def read_workbook(data: bytes) -> Workbook:
    """All worksheets of a workbook; hidden ones are read too (for the privacy scan).

    python-calamine reads the values; a file it cannot open is tried with the second
    reader before it is called damaged. Number formats, hidden rows and columns and
    uncalculated formulas are read from the file itself (calamine gives values only)."""
    kind = sniff(data)
    if kind == "xlsb":
        raise WorkbookProblem("FORMATS_UNREADABLE", XLSB_MESSAGE)
    try:
        grids, skipped = _read_with_calamine(data, kind)
    except WorkbookProblem as problem:
        if problem.code != "FILE_CORRUPT":
            raise
        grids, skipped = _read_with_second_reader(data, kind, problem)
    try:
        formats = number_formats(data, kind, max_rows=settings.MAX_ROWS, max_cols=settings.MAX_COLUMNS)
        looks = appearance(data, kind, settings.MAX_ROWS, settings.MAX_COLUMNS)
    except FormatsUnreadable as exc:
        log.info("number formats unreadable: %s", str(exc)[:200])
        raise WorkbookProblem("FORMATS_UNREADABLE", FORMATS_MESSAGE) from None
    names = {grid.name for grid in grids}
    if not set(formats) <= names or not set(looks) <= names:
        # Formats read for a sheet the values reader does not know would be silently dropped.
        log.info("number formats name sheets the reader does not: %s", sorted((set(formats) | set(looks)) - names)[:5])
        raise WorkbookProblem("FORMATS_UNREADABLE", FORMATS_MESSAGE)
    for grid in grids:
        grid.formats = formats.get(grid.name, {})
        look = looks.get(grid.name)
        if look:
            grid.hidden_rows, grid.hidden_cols, grid.uncalculated = look.hidden_rows, look.hidden_cols, look.uncalculated
            grid.blank_formulas = look.blank_formulas
    return Workbook(kind=kind, grids=grids, skipped=skipped)


def _read_with_second_reader(data: bytes, kind: str, problem: WorkbookProblem) -> tuple[list[Grid], list[str]]:
    """The sheets as the second reader gives them, or the first reader's refusal if it cannot either."""
    try:
        sheets = second_reader.read_sheets(data, kind, settings.MAX_ROWS, settings.MAX_COLUMNS)
    except FormatsUnreadable:
        raise problem from None
    if len(sheets) > settings.MAX_SHEETS:
        raise WorkbookProblem("FILE_TOO_COMPLEX", f"文件有 {len(sheets)} 个工作表，超过 {settings.MAX_SHEETS} 个。请只保留统计表后再报送")
    return [_grid_from_rows(name, visible, rows, merges) for name, visible, rows, merges in sheets], []


def _read_with_calamine(data: bytes, kind: str) -> tuple[list[Grid], list[str]]:
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise WorkbookProblem("FILE_ENCRYPTED", "文件设置了密码保护，无法读取。请取消密码后重新保存再报送") from None
    except BaseException as exc:  # calamine raises its own errors and, on some files, a Rust panic
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise WorkbookProblem("FILE_CORRUPT", CORRUPT_MESSAGE) from None
    grids: list[Grid] = []
    skipped: list[str] = []
    try:
        metadata = book.sheets_metadata
        if len(metadata) > settings.MAX_SHEETS:
            raise WorkbookProblem(
                "FILE_TOO_COMPLEX", f"文件有 {len(metadata)} 个工作表，超过 {settings.MAX_SHEETS} 个。请只保留统计表后再报送"
            )
        ods_merges = {}
        if kind == "ods":
            # Without them a merged village cell would leave the rows below it nameless.
            with contextlib.suppress(*_ZIP_ERRORS, ElementTree.ParseError):
                ods_merges = _ods_merges(data)
        for index, meta in enumerate(metadata):
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                skipped.append(f"工作表“{meta.name}”不是数据表（图表或宏表），已跳过")
                continue
            visible = meta.visible == calamine.SheetVisibleEnum.Visible
            sheet = book.get_sheet_by_index(index)
            raw = sheet.to_python(skip_empty_area=False, nrows=settings.MAX_ROWS + 1)
            grids.append(_grid_from_rows(meta.name, visible, raw, sheet.merged_cell_ranges or ods_merges.get(meta.name)))
    except WorkbookProblem:
        raise
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise WorkbookProblem("FILE_CORRUPT", "文件内容已损坏，无法完整读取。请在 Excel/WPS 中打开确认后另存为 .xlsx 再报送") from None
    finally:
        # Closing a half-read workbook may fail again; there is nothing left to free.
        with contextlib.suppress(BaseException):
            book.close()
    return grids, skipped
