"""What a person sees that the cells' values do not say: hidden rows and columns, and
formulas whose result the file does not really hold.

python-calamine gives values only. A number in a hidden row is read like any other, and a
problem found there must say the row is hidden and how to show it. A formula written by
a program (openpyxl, XlsxWriter) and never calculated by an office program has no saved
result, or a placeholder 0 that Excel replaces when it opens the file (`fullCalcOnLoad`):
the reader would see nothing or 0 where a person sees the sum.

- .xlsx: `<row hidden="1">`, `<col hidden="1">`, and `<c>` cells holding an `<f>`; read only
  from sheets whose bytes mention them, so a plain sheet costs one search of its bytes.
- .xls: ROW and COLINFO records (hidden flags). BIFF formulas always carry their result.
- .ods: `table:visibility="collapse"` / `"filter"` rows and columns, parsed only when the
  bytes hold such an attribute. ODF formulas always carry their result.
- .xlsb: nothing (refused before this is asked).

Coordinates are 0-based from A1, as the grids'. Every failure is a `FormatsUnreadable`.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field
from xml.etree import ElementTree

from etl.workbook.number_formats import (
    _SHEET,
    FormatsUnreadable,
    _attrs,
    _col_index,
    _Compound,
    _members,
    _relationships,
    _workbook_part,
)

__all__ = ["SheetAppearance", "appearance"]


@dataclass
class SheetAppearance:
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    # Formula cells whose saved result is missing or a placeholder the writer never calculated.
    uncalculated: set[tuple[int, int]] = field(default_factory=set)
    # .xls formula cells whose saved result is empty text: blank to the reader, perhaps a number in
    # Excel (xlwt writes every formula so); not refused, since Excel's own ="" looks the same.
    blank_formulas: set[tuple[int, int]] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.hidden_rows or self.hidden_cols or self.uncalculated or self.blank_formulas)


def appearance(data: bytes, kind: str, max_rows: int = 5000, max_cols: int = 100) -> dict[str, SheetAppearance]:
    """Sheet name → what it hides and which formulas hold no real result; sheets with none are left out."""
    try:
        if kind == "xlsx":
            return _xlsx(data, max_rows, max_cols)
        if kind == "xls":
            return _xls(data, max_rows, max_cols)
        if kind == "ods":
            return _ods(data, max_rows, max_cols)
        if kind == "xlsb":
            return {}
    except (FormatsUnreadable, MemoryError):
        raise
    except Exception as exc:  # zipfile, zlib, struct and expat fail in their own ways: one clean type out
        raise FormatsUnreadable(f"{type(exc).__name__}: {exc}") from None
    raise FormatsUnreadable(f"unknown kind {kind!r}")


# ---------------------------------------------------------------------------------------------
# .xlsx
# ---------------------------------------------------------------------------------------------

_HIDDEN_ATTR = re.compile(rb"""\shidden\s*=\s*["'](?:1|true)["']""")
_HIDDEN_ROW = re.compile(rb"""<(?:[\w.-]+:)?row\b([^>]*?\shidden\s*=\s*["'](?:1|true)["'][^>]*)>""")
_HIDDEN_COL = re.compile(rb"""<(?:[\w.-]+:)?col\b([^>]*?\shidden\s*=\s*["'](?:1|true)["'][^>]*)>""")
_CALC_PR = re.compile(rb"<(?:[\w.-]+:)?calcPr\b([^>]*)>")
_HAS_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_ROW_OR_CELL = re.compile(rb"<((?:[\w.-]+:)?)(row|c)\b([^>]*?)(/?)>")
_CELL_R = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})["']""")
_ROW_R = re.compile(rb"""\sr\s*=\s*["']([0-9]{1,7})["']""")
_CELL_T = re.compile(rb"""\st\s*=\s*["']([\w-]*)["']""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\s*>([^<]*)<")


def _xlsx(data: bytes, max_rows: int, max_cols: int) -> dict[str, SheetAppearance]:
    members = _members(data)
    workbook_part = _workbook_part(members)
    rels = _relationships(members, workbook_part)
    workbook = members.get(workbook_part) or b""
    calc = _CALC_PR.search(workbook)
    recalculated = bool(calc) and _attrs(calc.group(1)).get("fullCalcOnLoad", "").lower() in ("1", "true")
    out: dict[str, SheetAppearance] = {}
    for raw in _SHEET.findall(workbook):
        attrs = _attrs(raw)
        rel = rels.get(attrs.get("id", ""))
        if rel is None or not rel[0].endswith("/worksheet"):
            continue
        xml = members.get(rel[1])
        if not xml:
            continue
        seen = SheetAppearance()
        # Plain byte searches first: a regular expression over every sheet costs more than reading it.
        if b"hidden" in xml and _HIDDEN_ATTR.search(xml):
            _xlsx_hidden(xml, seen, max_rows, max_cols)
        if (b"<f" in xml or b":f" in xml) and _HAS_FORMULA.search(xml):
            _xlsx_formulas(xml, seen, recalculated, max_rows, max_cols)
        if seen:
            out[attrs.get("name", "")] = seen
    return out


def _xlsx_hidden(xml: bytes, seen: SheetAppearance, max_rows: int, max_cols: int) -> None:
    for raw in _HIDDEN_ROW.findall(xml):
        ref = _ROW_R.search(raw)
        if ref and 0 < int(ref.group(1)) <= max_rows:
            seen.hidden_rows.add(int(ref.group(1)) - 1)
    for raw in _HIDDEN_COL.findall(xml):
        attrs = _attrs(raw)
        try:
            first, last = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
        except ValueError:
            continue
        seen.hidden_cols.update(range(max(first, 1) - 1, min(last, max_cols)))


def _xlsx_formulas(xml: bytes, seen: SheetAppearance, recalculated: bool, max_rows: int, max_cols: int) -> None:
    """Formula cells with no saved result, or (in a workbook the writer marked for recalculation on
    opening, as XlsxWriter and openpyxl do) a saved 0 that is only a placeholder."""
    row, col = -1, -1
    for match in _ROW_OR_CELL.finditer(xml):
        prefix, tag, attrs, closed = match.groups()
        if tag == b"row":
            ref = _ROW_R.search(attrs)
            row = int(ref.group(1)) - 1 if ref else row + 1
            col = -1
            continue
        ref = _CELL_R.search(attrs)
        if ref:
            row, col = int(ref.group(2)) - 1, _col_index(ref.group(1))
        else:
            col += 1
        if closed or not (0 <= row < max_rows and 0 <= col < max_cols):
            continue
        end = xml.find(b"</" + prefix + b"c", match.end())
        body = xml[match.end() : end if end >= 0 else len(xml)]
        if not _HAS_FORMULA.search(body):
            continue
        kind = _CELL_T.search(attrs)
        if kind and kind.group(1) not in (b"n", b""):
            continue  # a text, error or boolean result: never read as a count
        value = _VALUE.search(body)
        saved = value.group(1).strip() if value else b""
        if not saved or (recalculated and saved in (b"0", b"0.0")):
            seen.uncalculated.add((row, col))


# ---------------------------------------------------------------------------------------------
# .xls
# ---------------------------------------------------------------------------------------------

_ROW_RECORD, _COLINFO, _BOUNDSHEET, _EOF, _FORMULA = 0x0208, 0x007D, 0x0085, 0x000A, 0x0006
_BOF_RECORDS = frozenset((0x0809, 0x0409, 0x0209, 0x0009))


def _xls(data: bytes, max_rows: int, max_cols: int) -> dict[str, SheetAppearance]:
    from etl.workbook.number_formats import _biff_string

    stream = _Compound(data).stream("Workbook", "Book")
    end = len(stream)
    if end < 8 or struct.unpack_from("<H", stream, 0)[0] != 0x0809:
        return {}
    version = struct.unpack_from("<H", stream, 4)[0]
    biff8 = version >= 0x0600 or version == 0
    sheets: list[tuple[str, int]] = []
    pos = 0
    while pos + 4 <= end:
        rtype, rlen = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + rlen]
        pos += 4 + rlen
        if rtype == _EOF:
            break
        if rtype == _BOUNDSHEET and len(body) >= 8 and body[5] == 0:
            sheets.append((_biff_string(body, 6, 1, biff8, "gbk"), struct.unpack_from("<I", body, 0)[0]))
    out: dict[str, SheetAppearance] = {}
    unpack = struct.unpack_from
    for name, start in sheets:
        seen = SheetAppearance()
        pos, depth = start, 0
        while pos >= 0 and pos + 4 <= end:
            rtype, rlen = unpack("<HH", stream, pos)
            body_at = pos + 4
            pos = body_at + rlen
            if rtype in _BOF_RECORDS:
                depth += 1
            elif rtype == _EOF:
                depth -= 1
                if depth <= 0:
                    break
            elif depth != 1:
                continue
            elif rtype == _ROW_RECORD and rlen >= 14:
                row = unpack("<H", stream, body_at)[0]
                if unpack("<H", stream, body_at + 12)[0] & 0x0020 and row < max_rows:
                    seen.hidden_rows.add(row)
            elif rtype == _COLINFO and rlen >= 10:
                first, last = unpack("<HH", stream, body_at)
                if unpack("<H", stream, body_at + 8)[0] & 0x0001:
                    seen.hidden_cols.update(range(first, min(last + 1, max_cols)))
            elif rtype == _FORMULA and rlen >= 14 and stream[body_at + 12 : body_at + 14] == b"\xff\xff":
                row, col = unpack("<HH", stream, body_at)
                if stream[body_at + 6] in (0, 3) and row < max_rows and col < max_cols:  # a text or an empty result
                    seen.blank_formulas.add((row, col))
        if seen:
            out[name] = seen
    return out


# ---------------------------------------------------------------------------------------------
# .ods
# ---------------------------------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_HIDING = re.compile(rb"""visibility\s*=\s*["'](?:collapse|filter)["']""")
_MAX_REPEAT = 1 << 20


def _repeat(element: ElementTree.Element, attribute: str) -> int:
    try:
        return max(1, min(int(element.get(_TABLE + attribute, "1") or 1), _MAX_REPEAT))
    except ValueError:
        return 1


def _ods(data: bytes, max_rows: int, max_cols: int) -> dict[str, SheetAppearance]:
    members = _members(data)
    content = members.get("content.xml")
    if content is None:
        raise FormatsUnreadable("no content.xml")
    if not _HIDING.search(content):
        return {}
    out: dict[str, SheetAppearance] = {}
    depth = 0
    name = ""
    seen = SheetAppearance()
    row = col = 0
    stack: list[ElementTree.Element] = []
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
            tag = element.tag
            if event == "start":
                stack.append(element)
                if tag == _TABLE + "table":
                    depth += 1
                    if depth == 1:
                        name, seen, row, col = element.get(_TABLE + "name", ""), SheetAppearance(), 0, 0
                elif depth == 1 and tag == _TABLE + "table-column":
                    repeat = _repeat(element, "number-columns-repeated")
                    if element.get(_TABLE + "visibility", "visible") != "visible":
                        seen.hidden_cols.update(range(col, min(col + repeat, max_cols)))
                    col += repeat
                elif depth == 1 and tag == _TABLE + "table-row":
                    repeat = _repeat(element, "number-rows-repeated")
                    if element.get(_TABLE + "visibility", "visible") != "visible":
                        seen.hidden_rows.update(range(row, min(row + repeat, max_rows)))
                    row += repeat
                continue
            stack.pop()
            if tag == _TABLE + "table":
                if depth == 1 and seen:
                    out[name] = seen
                depth -= 1
                element.clear()
            elif tag == _TABLE + "table-row":
                element.clear()
                if stack and len(stack[-1]):
                    del stack[-1][:]
    except ElementTree.ParseError as exc:
        raise FormatsUnreadable(f"content.xml: {exc}") from None
    return out
