"""What a number cell shows a person: percentages, dates, times and money behind plain-looking values.

python-calamine returns a cell's value, not its number format. A cell that shows ``100%``
holds the value 1 under a percentage format and would load as a count of 1. This module
reads the number formats straight from the file and reports, for every cell that holds a
number under a format that is not a plain number format, what the cell shows and what
kind of format it is, so the caller can refuse it with the cell and what a person sees.

Only the parts of the file that carry formats are read, and the common case (no cell has a
non-plain format) returns after reading the styles alone:

- .xlsx: ``xl/styles.xml`` (``numFmts`` and ``cellXfs``), then only the ``<c>`` elements whose
  ``s=`` names a non-plain ``xf``, found with one regular expression built for that file.
- .xls: the compound file is opened here (no olefile/xlrd needed) and the BIFF records are
  walked: FORMAT, XF, DATEMODE and BOUNDSHEET in the globals, then NUMBER, RK, MULRK and
  FORMULA (numeric result) in each worksheet, only when some cell XF is non-plain.
- .ods: ``office:value-type`` (percentage, currency, date, time) is the primary signal; a
  ``float`` cell is also reported when its style's data style is a percentage, currency, date
  or time style, or when the text the writer saved for it (``text:p``) shows a percent sign or
  a currency symbol (Gnumeric writes percentages as ``float`` cells with a percentage style and
  loses ``[$¥-804]`` currency formats to a plain number style, but saves "¥12.50" as the text).
- .xlsb: not read; ``number_formats`` returns ``{}`` (calamine reads .xlsb values only, and no
  department has sent one; parsing BIFF12 styles is left until one does).

Coordinates are 0-based (row, col) from A1, the same as
``CalamineSheet.to_python(skip_empty_area=False)``. Cells beyond ``max_rows``/``max_cols`` are not
reported (the reader refuses such sheets anyway). Every failure is a `FormatsUnreadable`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import struct
import sys
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from xml.etree import ElementTree

__all__ = ["KIND_LABELS", "NOT_A_COUNT", "FormatsUnreadable", "Shown", "classify", "number_formats", "show"]


class FormatsUnreadable(Exception):
    """The file's number formats (or, in `second_reader`, its cells) could not be read."""


@dataclass(frozen=True)
class Shown:
    """What a number cell shows a person under its (non-plain) number format."""

    kind: str  # one of KIND_LABELS
    text: str  # what the cell shows, e.g. "100%", "85.00%", "2021-07-15", "¥12.00", "12:00"
    format_code: str  # the Excel format code; for .ods the data style's name (or the value type)


# The closed set of kinds; "general" and plain number formats (0, #,##0, 0.00, @, 0_ …) are never reported.
KIND_LABELS: dict[str, str] = {
    "percent": "百分比",
    "currency": "货币",
    "date": "日期",
    "time": "时间",
    "datetime": "日期时间",
    "scientific": "科学计数",
    "fraction": "分数",
}
# Kinds that mean a count cell does not hold a count; scientific and fraction still show the number itself.
NOT_A_COUNT = frozenset({"percent", "currency", "date", "time", "datetime"})

# Bounds on what one file may cost.
_MAX_XF = 65_536
_MAX_FORMATS = 65_536
_MAX_REPEAT = 1 << 20

# ---------------------------------------------------------------------------------------------
# Format codes
# ---------------------------------------------------------------------------------------------

# Built-in number formats as a zh-CN Excel shows them (ECMA-376 Part 1, 18.8.30). Ids 5–8 and
# 41–44 are currency formats whose symbol follows the reader's locale: here ¥.
_BUILTIN: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"¥"#,##0;"¥"\\-#,##0',
    6: '"¥"#,##0;[Red]"¥"\\-#,##0',
    7: '"¥"#,##0.00;"¥"\\-#,##0.00',
    8: '"¥"#,##0.00;[Red]"¥"\\-#,##0.00',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "yyyy/m/d",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "yyyy/m/d h:mm",
    27: 'yyyy"年"m"月"',
    28: 'm"月"d"日"',
    29: 'm"月"d"日"',
    30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"',
    33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"',
    35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"',
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    41: '_ * #,##0_ ;_ * \\-#,##0_ ;_ * "-"_ ;_ @_ ',
    42: '_ "¥"* #,##0_ ;_ "¥"* \\-#,##0_ ;_ "¥"* "-"_ ;_ @_ ',
    43: '_ * #,##0.00_ ;_ * \\-#,##0.00_ ;_ * "-"??_ ;_ @_ ',
    44: '_ "¥"* #,##0.00_ ;_ "¥"* \\-#,##0.00_ ;_ "¥"* "-"??_ ;_ @_ ',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mm:ss.0",
    48: "##0.0E+0",
    49: "@",
    50: 'yyyy"年"m"月"',
    51: 'm"月"d"日"',
    52: 'yyyy"年"m"月"',
    53: 'm"月"d"日"',
    54: 'm"月"d"日"',
    55: '上午/下午h"时"mm"分"',
    56: '上午/下午h"时"mm"分"ss"秒"',
    57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
    59: "0",
    60: "0.00",
    61: "#,##0",
    62: "#,##0.00",
    67: "0%",
    68: "0.00%",
    69: "# ?/?",
    70: "# ??/??",
    71: "d/m/yyyy",
    72: "d-mmm-yy",
    73: "d-mmm",
    74: "mmm-yy",
    75: "h:mm",
    76: "h:mm:ss",
    77: "d/m/yyyy h:mm",
    78: "mm:ss",
    79: "[h]:mm:ss",
    80: "mm:ss.0",
    81: "d/m/bb",
}

_CURRENCY_CHARS = frozenset("¥￥$€£₩₹₽¢฿₫₱₪₺₦")
_CURRENCY_WORDS = ("元", "圆", "RMB", "CNY", "USD", "EUR", "HKD", "JPY", "GBP")
_NUMBER_RUN = re.compile(
    r"(?P<frac>(?:[#0?,]+ +)?[#0?]+ */ *(?:[#0?]+|[1-9][0-9]*))"
    r"|(?P<num>[#0?,]*(?:\.[#0?,]*)?(?:[eE][+-][#0?]+)?)"
)
_ELAPSED = re.compile(r"(?i)h+|m+|s+")
_DATE_LETTERS = frozenset("ymdhsebga")
_GENERAL_WORDS = ("g/通用格式", "通用格式", "general")

Token = tuple[str, str]


@dataclass(frozen=True)
class _Section:
    kind: str | None
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class _Format:
    code: str
    sections: tuple[_Section, ...]
    kind: str | None  # the first non-plain section's kind: is this format worth reporting at all


def _split_sections(code: str) -> list[str]:
    sections, start, i, n = [], 0, 0, len(code)
    while i < n:
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            i = n if end < 0 else end + 1
            continue
        if ch in "\\_*":
            i += 2
            continue
        if ch == "[":
            end = code.find("]", i + 1)
            i = n if end < 0 else end + 1
            continue
        if ch == ";":
            sections.append(code[start:i])
            start = i + 1
        i += 1
    sections.append(code[start:])
    return sections


def _tokens(section: str) -> tuple[Token, ...]:
    """The tokens of one section: literals, currency symbols, number runs, date letters, %."""
    out: list[Token] = []
    low = section.lower()
    i, n = 0, len(section)
    while i < n:
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = n if end < 0 else end
            out.append(("lit", section[i + 1 : end]))
            i = end + 1
        elif ch == "\\":
            out.append(("lit", section[i + 1 : i + 2]))
            i += 2
        elif ch == "_":
            out.append(("lit", " "))
            i += 2
        elif ch == "*":
            i += 2
        elif ch == "[":
            end = section.find("]", i + 1)
            end = n if end < 0 else end
            inner = section[i + 1 : end]
            i = end + 1
            if inner.startswith("$"):
                symbol = inner[1:].split("-", 1)[0]
                if symbol:
                    out.append(("cur", symbol))
            elif _ELAPSED.fullmatch(inner):
                out.append(("elapsed", inner[0].lower()))
            # colours, conditions, [DBNum1], [$-804] locales: nothing shown
        elif ch in "0#?" or (ch == "." and i + 1 < n and section[i + 1] in "0#?"):
            match = _NUMBER_RUN.match(section, i)
            run = match.group(0) if match and match.group(0) else ch
            out.append(("frac" if match and match.group("frac") else "num", run))
            i += len(run)
        elif ch == "%":
            out.append(("pct", "%"))
            i += 1
        elif ch == "@":
            out.append(("text", "@"))
            i += 1
        elif low.startswith("am/pm", i):
            out.append(("ampm", section[i : i + 5]))
            i += 5
        elif low.startswith("a/p", i):
            out.append(("ampm", section[i : i + 3]))
            i += 3
        elif section.startswith("上午/下午", i):
            out.append(("ampm", "上午/下午"))
            i += 5
        elif any(low.startswith(word, i) for word in _GENERAL_WORDS):
            word = next(word for word in _GENERAL_WORDS if low.startswith(word, i))
            out.append(("general", ""))
            i += len(word)
        elif ch.lower() in _DATE_LETTERS:
            j = i
            while j < n and section[j].lower() == ch.lower():
                j += 1
            out.append(("dt", section[i:j].lower()))
            i = j
        else:
            out.append(("lit", ch))
            i += 1
    return tuple(out)


def _is_currency_text(text: str) -> bool:
    return any(ch in _CURRENCY_CHARS for ch in text) or any(word in text.upper() for word in _CURRENCY_WORDS)


def _section_kind(tokens: tuple[Token, ...]) -> str | None:
    stamps = [(typ, val) for typ, val in tokens if typ in ("dt", "ampm", "elapsed")]
    if stamps:
        has_date = has_time = False
        for index, (typ, val) in enumerate(stamps):
            letter = val[0]
            if typ != "dt" or letter in "hs":
                has_time = True
            elif letter == "m":
                before = stamps[index - 1] if index else None
                after = stamps[index + 1] if index + 1 < len(stamps) else None
                if (before and before[1][:1] == "h") or (after and after[1][:1] == "s"):
                    has_time = True
                else:
                    has_date = True
            else:
                has_date = True
        return "datetime" if has_date and has_time else "date" if has_date else "time"
    if any(typ == "pct" for typ, _ in tokens):
        return "percent"
    if any(typ == "cur" or (typ == "lit" and _is_currency_text(val)) for typ, val in tokens):
        return "currency"
    if any(typ == "num" and ("E" in val or "e" in val) for typ, val in tokens):
        return "scientific"
    if any(typ == "frac" for typ, _ in tokens):
        return "fraction"
    return None


@lru_cache(maxsize=4096)
def _parse_format(code: str) -> _Format:
    sections = tuple(_Section(_section_kind(tokens), tokens) for tokens in map(_tokens, _split_sections(code)[:4]))
    kind = next((section.kind for section in sections[:3] if section.kind), None)
    return _Format(code, sections, kind)


def classify(code: str) -> str | None:
    """The kind of an Excel number format code (see KIND_LABELS), or None for a plain one."""
    return _parse_format(code).kind


# ---------------------------------------------------------------------------------------------
# Rendering what a cell shows
# ---------------------------------------------------------------------------------------------


def _general(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = format(value, ".10g")
    return text


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def _plain_number(value: float, run: str, percent: int) -> str:
    """value (≥ 0) under a number run such as #,##0.00 (scaled by 100 per % and 1/1000 per trailing comma)."""
    int_part, dot, dec_part = run.partition(".")
    stripped = int_part.rstrip(",")
    scale_commas = len(int_part) - len(stripped)
    dec_stripped = dec_part.rstrip(",")
    scale_commas += len(dec_part) - len(dec_stripped)
    grouping = "," in stripped
    min_int = stripped.count("0")
    required = dec_stripped.count("0")
    total = sum(dec_stripped.count(ch) for ch in "0#?")
    number = _decimal(value) * (Decimal(100) ** percent) / (Decimal(1000) ** scale_commas)
    number = number.quantize(Decimal(1).scaleb(-total), rounding=ROUND_HALF_UP)
    text = f"{number:,f}" if grouping else f"{number:f}"
    whole, _, frac = text.partition(".")
    while len(frac) > required and frac.endswith("0"):
        frac = frac[:-1]
    if whole == "0" and min_int == 0:
        whole = ""
    elif not grouping and len(whole) < min_int:
        whole = whole.zfill(min_int)
    return whole + (dot + frac if dot else "")


def _scientific(value: float, run: str) -> str:
    """value (≥ 0) under a run such as 0.00E+00."""
    mantissa_part = re.split(r"[eE][+-]", run, maxsplit=1)[0]
    match = re.search(r"[eE]([+-])([#0?]+)", run)
    sign_rule, exp_digits = (match.group(1), match.group(2).count("0") or 1) if match else ("+", 2)
    _, _, dec = mantissa_part.partition(".")
    decimals = sum(dec.count(ch) for ch in "0#?")
    mantissa, _, exponent = f"{value:.{decimals}E}".partition("E")
    exp = int(exponent)
    sign = "-" if exp < 0 else ("+" if sign_rule == "+" else "")
    return f"{mantissa}E{sign}{abs(exp):0{exp_digits}d}"


def _fraction(value: float, run: str) -> str:
    """value (≥ 0) under a run such as # ?/? or # ?/8."""
    whole_part, _, denominator = run.partition("/")
    denominator = denominator.strip()
    has_whole = len(whole_part.split()) > 1
    whole = int(value) if has_whole else 0
    if denominator.isdigit():
        den = int(denominator) or 1
        num = round((value - whole) * den)
    else:
        approx = Fraction(value - whole).limit_denominator(10 ** max(len(denominator), 1) - 1)
        num, den = approx.numerator, approx.denominator
    if num and num == den and has_whole:
        whole, num = whole + 1, 0
    if num == 0:
        return str(whole)
    return f"{whole} {num}/{den}" if has_whole and whole else f"{num}/{den}"


def _render_number(section: _Section, value: float, signed: bool) -> str:
    """Literal text, currency symbols and the number, as Excel lays out one section."""
    percent = sum(1 for typ, _ in section.tokens if typ == "pct")
    magnitude = abs(value)
    pieces: list[str] = []
    number_done = False
    for typ, val in section.tokens:
        if typ in ("lit", "cur"):
            pieces.append(val)
        elif typ == "pct":
            pieces.append("%")
        elif typ in ("num", "frac", "general") and not number_done:
            number_done = True
            if typ == "general":
                pieces.append(_general(magnitude * 100**percent))
            elif typ == "frac":
                pieces.append(_fraction(magnitude * 100**percent, val))
            elif "E" in val or "e" in val:
                pieces.append(_scientific(magnitude * 100**percent, val))
            else:
                pieces.append(_plain_number(magnitude, val, percent))
    text = "".join(pieces).strip()
    if signed and value < 0 and number_done and text.strip("0.,%") and not re.fullmatch(r"[^1-9]*", text):
        text = "-" + text
    return text


_EPOCH_1904 = dt.datetime(1904, 1, 1)
_EPOCH_1900 = dt.datetime(1899, 12, 30)


def _render_stamp(section: _Section, kind: str, value: float, date1904: bool) -> str:
    letters = {val[:1] for typ, val in section.tokens if typ == "dt"} | {val for typ, val in section.tokens if typ == "elapsed"}
    seconds_shown = "s" in letters
    elapsed = next((val for typ, val in section.tokens if typ == "elapsed"), None)
    if elapsed:  # [h]:mm, [mm]:ss, [ss]: the whole duration in the first unit
        total = round(abs(value) * 86400)
        sign = "-" if value < 0 else ""
        if elapsed == "s":
            return f"{sign}{total}"
        if elapsed == "m":
            return f"{sign}{total // 60}:{total % 60:02d}"
        hours, rest = divmod(total, 3600)
        return f"{sign}{hours}:{rest // 60:02d}" + (f":{rest % 60:02d}" if seconds_shown else "")
    if value < 0 or value >= 2958466 or math.isnan(value):
        return "########"
    days = int(value)
    seconds = round((value - days) * 86400)
    if seconds >= 86400:
        days, seconds = days + 1, seconds - 86400
    hh, rest = divmod(seconds, 3600)
    mm, ss = divmod(rest, 60)
    if "h" in letters or "m" not in letters or not seconds_shown:
        clock = f"{hh:02d}:{mm:02d}" + (f":{ss:02d}" if seconds_shown else "")
    else:  # mm:ss
        clock = f"{mm:02d}:{ss:02d}"
    if kind == "time":
        return clock
    if date1904:
        day = (_EPOCH_1904 + dt.timedelta(days=days)).date().isoformat()
    elif days == 0:
        day = "1900-01-00"
    elif days == 60:
        day = "1900-02-29"  # the day Excel counts in 1900, which was no leap year
    else:
        day = (_EPOCH_1900 + dt.timedelta(days=days + (1 if days < 60 else 0))).date().isoformat()
    return day if kind == "date" else f"{day} {clock}"


def show(code: str, value: float, date1904: bool = False) -> Shown | None:
    """What a number shows under an Excel format code, or None if the format is plain for this value."""
    fmt = _parse_format(code)
    if fmt.kind is None or not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        return None
    sections = fmt.sections
    section, signed = sections[0], True
    if value < 0 and len(sections) >= 2 and sections[1].tokens:
        section, signed = sections[1], False
    elif value == 0 and len(sections) >= 3 and sections[2].tokens:
        section, signed = sections[2], False
    kind = section.kind
    if kind is None:
        if any(typ in ("num", "frac", "general") for typ, _ in section.tokens):
            return None  # e.g. a plain negative section under a percentage positive one
        kind = fmt.kind
    try:
        if kind in ("date", "time", "datetime"):
            text = _render_stamp(section, kind, value, date1904)
        else:
            text = _render_number(section, value, signed)
    except (ArithmeticError, InvalidOperation, ValueError, OverflowError):
        text = _general(value)
    return Shown(kind=kind, text=text, format_code=code)


# ---------------------------------------------------------------------------------------------
# Helpers shared by the containers
# ---------------------------------------------------------------------------------------------


def _col_index(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col - 1


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise FormatsUnreadable(f"not a readable zip: {exc}") from None


_MAX_MEMBER = 64 * 1024 * 1024


class _Members:
    """Reads zip members by name, case-insensitively and with backslashes tolerated.

    Stored and deflated members are read straight from the archive's bytes (zipfile's own
    open/read costs more than the rest of a small workbook's work); the declared size bounds
    what a member may inflate to, so a lying header cannot cost more than _MAX_MEMBER.
    """

    def __init__(self, archive: zipfile.ZipFile, data: bytes):
        self.archive = archive
        self.data = data
        self.names = {info.filename.replace("\\", "/").lstrip("/").lower(): info for info in archive.infolist()}
        self.read: dict[str, bytes | None] = {}  # parts already inflated, by name
        self.rels: dict[str, dict[str, tuple[str, str]]] = {}  # relationships already read, by part

    def get(self, name: str) -> bytes | None:
        if name not in self.read:
            self.read[name] = self._inflate(name)
        return self.read[name]

    def _inflate(self, name: str) -> bytes | None:
        info = self.names.get(name.lstrip("/").lower())
        if info is None:
            return None
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            return self.archive.read(info)
        offset = info.header_offset
        if self.data[offset : offset + 4] != b"PK\x03\x04":
            raise FormatsUnreadable(f"bad local header for {info.filename}")
        name_length, extra_length = struct.unpack_from("<HH", self.data, offset + 26)
        start = offset + 30 + name_length + extra_length
        chunk = self.data[start : start + info.compress_size]
        limit = min(info.file_size, _MAX_MEMBER)
        if info.compress_type == zipfile.ZIP_STORED:
            return chunk[:limit]
        return zlib.decompressobj(-15).decompress(chunk, limit) if limit else b""


# (the bytes, their members): one workbook is asked about twice in a row (its formats, then its
# hidden rows). One tuple, read and replaced whole, so threads never pair one file's bytes with
# another's members.
_last_members: list[tuple[bytes, _Members] | None] = [None]


def remember_zip(data: bytes, archive: zipfile.ZipFile) -> None:
    """Hand over a zip the caller has already opened for these bytes (the reader's content sniff)."""
    _last_members[0] = (data, _Members(archive, data))


def _members(data: bytes) -> _Members:
    """The members of this zip, parsed once for the number formats and the appearance of one file."""
    cached = _last_members[0]
    if cached is not None and cached[0] is data:
        return cached[1]
    members = _Members(_open_zip(data), data)
    _last_members[0] = (data, members)
    return members


# ---------------------------------------------------------------------------------------------
# .xlsx
# ---------------------------------------------------------------------------------------------

_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_NUMFMT = re.compile(rb"<(?:[\w.-]+:)?numFmt\b([^>]*)>")
_CELLXFS = re.compile(rb"<(?:[\w.-]+:)?cellXfs\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?cellXfs\s*>)", re.DOTALL)
_XF = re.compile(rb"<(?:[\w.-]+:)?xf\b([^>]*)>")
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")
_WORKBOOK_PR = re.compile(rb"<(?:[\w.-]+:)?workbookPr\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_CELL_R = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})["']""")
_CELL_T = re.compile(rb"""\st\s*=\s*["']([\w-]*)["']""")
_CELL_S = re.compile(rb"""\ss\s*=\s*["']([0-9]+)["']""")
_VALUE_OR_END = re.compile(rb"<(?:[\w.-]+:)?v\s*>([^<]*)<|</(?:[\w.-]+:)?c\s*>")
_ROW_OR_CELL = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*?)(/?)>")
_ROW_R = re.compile(rb"""\sr\s*=\s*["']([0-9]{1,7})["']""")


def _attrs(raw: bytes) -> dict[str, str]:
    """The attributes of a start tag's inside, by local name (xmlns declarations keep theirs)."""
    out = {}
    for key, double, single in _ATTR.findall(raw):
        value = (double or single).decode("utf-8", "replace")
        if "&" in value:
            value = html.unescape(value)
        name = key.decode("utf-8", "replace")
        if ":" in name and not name.startswith("xmlns"):
            name = name.rsplit(":", 1)[1]
        out[name] = value
    return out


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [p for p in base_dir.split("/") if p]
    for piece in target.replace("\\", "/").split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _relationships(members: _Members, part: str) -> dict[str, tuple[str, str]]:
    """rId → (type, resolved part path) for a part's relationships."""
    if part not in members.rels:
        members.rels[part] = _read_relationships(members, part)
    return members.rels[part]


def _read_relationships(members: _Members, part: str) -> dict[str, tuple[str, str]]:
    folder, _, name = part.rpartition("/")
    rels = members.get(f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels")
    out: dict[str, tuple[str, str]] = {}
    if rels:
        for raw in _RELATIONSHIP.findall(rels):
            attrs = _attrs(raw)
            if "Id" in attrs and "Target" in attrs and attrs.get("TargetMode") != "External":
                out[attrs["Id"]] = (attrs.get("Type", ""), _resolve(folder, attrs["Target"]))
    return out


def _workbook_part(members: _Members) -> str:
    if "xl/workbook.xml" in members.names:
        return "xl/workbook.xml"
    for rel_type, target in _relationships(members, "").values():
        if rel_type.endswith("/officeDocument"):
            return target
    raise FormatsUnreadable("no workbook part")


def _xlsx_styles(styles: bytes) -> list[_Format | None]:
    """The number format of each cellXfs entry, None where it is plain."""
    custom: dict[int, str] = {}
    for raw in _NUMFMT.findall(styles)[:_MAX_FORMATS]:
        attrs = _attrs(raw)
        try:
            custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
        except ValueError:
            continue
    block = _CELLXFS.search(styles)
    if not block or not block.group(1):
        return []
    formats: list[_Format | None] = []
    by_id: dict[int, _Format | None] = {}
    for raw in _XF.findall(block.group(1))[:_MAX_XF]:
        match = re.search(rb"""numFmtId\s*=\s*["']([0-9]+)["']""", raw)
        fmt_id = int(match.group(1)) if match else 0
        if fmt_id not in by_id:
            code = custom.get(fmt_id, _BUILTIN.get(fmt_id, "General"))
            parsed = _parse_format(code)
            by_id[fmt_id] = parsed if parsed.kind else None
        formats.append(by_id[fmt_id])
    return formats


@lru_cache(maxsize=256)
def _styled_cell_pattern(indices: tuple[int, ...]) -> re.Pattern[bytes]:
    """s="3" / s='3' for the given xf indices: a literal-led pattern the regex engine scans for fast."""
    alternation = b"|".join(str(i).encode() for i in indices)
    return re.compile(rb"s=[\"'](?:" + alternation + rb")[\"']")


_FIRST_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>][^>]*>")
_SPACED_EQUALS = re.compile(rb"[ \t\r\n]=|=[ \t\r\n]")


def _styled_cells(xml: bytes, styled: tuple[int, ...]) -> Iterator[tuple[bytes, bool, int]]:
    """(attributes, self-closed, end of the start tag) of each <c> whose s= names a styled xf.

    Writers put attributes the same way throughout a sheet; if its first cell spaces them out
    (s = "3", legal but written by nobody we know), every cell is matched the careful, slower way.
    """
    first = _FIRST_CELL.search(xml)
    if first and _SPACED_EQUALS.search(first.group(0)):
        pattern = re.compile(
            rb"<(?:[\w.-]+:)?c\b(?=[^>]*?\ss\s*=\s*[\"'](?:" + b"|".join(str(i).encode() for i in styled) + rb")[\"'])([^>]*?)(/?)>"
        )
        for match in pattern.finditer(xml):
            yield match.group(1), bool(match.group(2)), match.end()
        return
    for match in _styled_cell_pattern(styled).finditer(xml):
        at = match.start()
        if xml[at - 1 : at] not in (b" ", b"\t", b"\n", b"\r"):
            continue
        lt = xml.rfind(b"<", 0, at)
        gt = xml.find(b">", at)
        if lt < 0 or gt < 0:
            continue
        head = xml[lt + 1 : at].split(None, 1)[0] if lt + 1 < at else b""
        if head != b"c" and not head.endswith(b":c"):
            continue  # a row's or a column's style
        yield xml[lt + 1 + len(head) : gt], xml[gt - 1 : gt] == b"/", gt + 1


def _xlsx_number(xml: bytes, attrs: bytes, closed: bytes | bool, end: int) -> float | None:
    if closed:
        return None
    kind = _CELL_T.search(attrs)
    if kind and kind.group(1) not in (b"n", b""):
        return None
    value = _VALUE_OR_END.search(xml, end)
    if not value or value.group(1) is None:
        return None
    try:
        number = float(value.group(1))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _xlsx_sheet(
    xml: bytes, formats: list[_Format | None], styled: tuple[int, ...], date1904: bool, max_rows: int, max_cols: int
) -> dict[tuple[int, int], Shown]:
    found: dict[tuple[int, int], Shown] = {}
    for attrs, closed, end in _styled_cells(xml, styled):
        ref = _CELL_R.search(attrs)
        if ref is None:
            return _xlsx_sheet_positional(xml, formats, date1904, max_rows, max_cols)
        row, col = int(ref.group(2)) - 1, _col_index(ref.group(1))
        if row >= max_rows or col >= max_cols or row < 0:
            continue
        number = _xlsx_number(xml, attrs, closed, end)
        if number is None:
            continue
        fmt = formats[int(_CELL_S.search(attrs).group(1))]
        shown = show(fmt.code, number, date1904) if fmt else None
        if shown:
            found[(row, col)] = shown
    return found


def _xlsx_sheet_positional(
    xml: bytes, formats: list[_Format | None], date1904: bool, max_rows: int, max_cols: int
) -> dict[tuple[int, int], Shown]:
    """The same, for writers that leave out r= on rows and cells (positions count from the previous one)."""
    found: dict[tuple[int, int], Shown] = {}
    row, col = -1, -1
    for match in _ROW_OR_CELL.finditer(xml):
        tag, attrs, closed = match.groups()
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
        style = _CELL_S.search(attrs)
        if style is None or not (0 <= row < max_rows and 0 <= col < max_cols):
            continue
        index = int(style.group(1))
        fmt = formats[index] if index < len(formats) else None
        if fmt is None:
            continue
        number = _xlsx_number(xml, attrs, closed, match.end())
        shown = show(fmt.code, number, date1904) if number is not None else None
        if shown:
            found[(row, col)] = shown
    return found


def _xlsx(data: bytes, max_rows: int, max_cols: int) -> dict[str, dict[tuple[int, int], Shown]]:
    members = _members(data)
    workbook_part = _workbook_part(members)
    rels = _relationships(members, workbook_part)
    styles_part = next((target for rel_type, target in rels.values() if rel_type.endswith("/styles")), None)
    styles = members.get(styles_part) if styles_part else members.get("xl/styles.xml")
    if not styles:
        return {}
    formats = _xlsx_styles(styles)
    styled = tuple(index for index, fmt in enumerate(formats) if fmt is not None)
    if not styled:
        return {}
    workbook = members.get(workbook_part) or b""
    pr = _WORKBOOK_PR.search(workbook)
    date1904 = bool(pr) and _attrs(pr.group(1)).get("date1904", "").lower() in ("1", "true")
    out: dict[str, dict[tuple[int, int], Shown]] = {}
    for raw in _SHEET.findall(workbook):
        attrs = _attrs(raw)
        rel = rels.get(attrs.get("id", ""))
        if rel is None or not rel[0].endswith("/worksheet"):
            continue
        xml = members.get(rel[1])
        if not xml:
            continue
        cells = _xlsx_sheet(xml, formats, styled, date1904, max_rows, max_cols)
        if cells:
            out[attrs.get("name", "")] = cells
    return out


# ---------------------------------------------------------------------------------------------
# .xls (BIFF5/BIFF8 inside a compound file)
# ---------------------------------------------------------------------------------------------

_FREESECT, _ENDOFCHAIN, _MAXREGSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFA


def _u32_array(raw: bytes) -> array:
    values = array("I")
    values.frombytes(raw[: len(raw) // 4 * 4])
    if sys.byteorder == "big":
        values.byteswap()
    return values


class _Compound:
    """Just enough of [MS-CFB] to read one stream, with every chain bounded by the file's size."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise FormatsUnreadable("not a compound file")
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise FormatsUnreadable("bad sector size")
        self.size = 1 << shift
        n_fat, self.dir_start = struct.unpack_from("<II", data, 44)
        self.mini_cutoff, self.minifat_start, _n_minifat, difat_start, n_difat = struct.unpack_from("<IIIII", data, 56)
        self.sectors = (len(data) + self.size - 1) // self.size - 1
        difat = list(_u32_array(data[76:512]))
        sector, seen = difat_start, 0
        per = self.size // 4 - 1
        while sector <= _MAXREGSECT and seen < n_difat and seen <= self.sectors:
            block = _u32_array(self._sector(sector))
            difat.extend(block[:per])
            sector = block[per] if len(block) > per else _ENDOFCHAIN
            seen += 1
        fat_sectors = [s for s in difat[: max(n_fat, 0)] if s <= _MAXREGSECT][: self.sectors + 1]
        self.fat = _u32_array(b"".join(self._sector(s) for s in fat_sectors))
        self._minifat: array | None = None
        self._ministream: bytes | None = None
        self.entries = self._directory()

    def _sector(self, index: int) -> bytes:
        if index >= self.sectors + 1 or index < 0:
            raise FormatsUnreadable("sector out of range")
        start = (index + 1) * self.size
        return self.data[start : start + self.size]

    def _chain(self, start: int, fat: array, limit: int) -> list[int]:
        chain: list[int] = []
        sector = start
        while sector <= _MAXREGSECT:
            if len(chain) > limit or sector >= len(fat):
                raise FormatsUnreadable("broken sector chain")
            chain.append(sector)
            sector = fat[sector]
        return chain

    def _read(self, start: int, size: int | None = None) -> bytes:
        raw = b"".join(self._sector(s) for s in self._chain(start, self.fat, self.sectors))
        return raw if size is None else raw[:size]

    def _directory(self) -> list[tuple[str, int, int, int]]:
        raw = self._read(self.dir_start)
        entries = []
        for offset in range(0, len(raw) - 127, 128):
            name_len = struct.unpack_from("<H", raw, offset + 64)[0]
            kind = raw[offset + 66]
            start, size = struct.unpack_from("<II", raw, offset + 116)
            name = raw[offset : offset + min(max(name_len - 2, 0), 64)].decode("utf-16-le", "replace")
            entries.append((name, kind, start, size))
        return entries

    def stream(self, *names: str) -> bytes:
        wanted = [name.lower() for name in names]
        found = [entry for entry in self.entries if entry[1] == 2 and entry[0].lower() in wanted]
        if not found:
            raise FormatsUnreadable("no workbook stream")
        found.sort(key=lambda entry: wanted.index(entry[0].lower()))
        _, _, start, size = found[0]
        if size < self.mini_cutoff:
            return self._mini(start, size)
        return self._read(start, size)

    def _mini(self, start: int, size: int) -> bytes:
        if self._minifat is None:
            root = next((entry for entry in self.entries if entry[1] == 5), None)
            if root is None:
                raise FormatsUnreadable("no root entry")
            self._ministream = self._read(root[2], root[3])
            self._minifat = _u32_array(self._read(self.minifat_start)) if self.minifat_start <= _MAXREGSECT else array("I")
        chain = self._chain(start, self._minifat, len(self._minifat))
        stream = self._ministream or b""
        return b"".join(stream[s * 64 : s * 64 + 64] for s in chain)[:size]


def _rk(raw: int) -> float:
    if raw & 2:
        value = float(raw >> 2 if raw < 0x80000000 else (raw >> 2) - (1 << 30))
    else:
        value = struct.unpack("<d", struct.pack("<Q", (raw & 0xFFFFFFFC) << 32))[0]
    return value / 100 if raw & 1 else value


def _biff_string(body: bytes, offset: int, length_bytes: int, biff8: bool, codepage: str) -> str:
    if length_bytes == 2:
        count = struct.unpack_from("<H", body, offset)[0]
    else:
        count = body[offset] if offset < len(body) else 0
    offset += length_bytes
    if not biff8:
        return body[offset : offset + count].decode(codepage, "replace")
    flags = body[offset] if offset < len(body) else 0
    offset += 1
    if flags & 0x08:
        offset += 2
    if flags & 0x04:
        offset += 4
    if flags & 0x01:
        return body[offset : offset + 2 * count].decode("utf-16-le", "replace")
    return body[offset : offset + count].decode("latin-1")


_CELL_RECORDS = frozenset((0x0203, 0x027E, 0x00BD, 0x0006))  # NUMBER, RK, MULRK, FORMULA
_BOF_RECORDS = frozenset((0x0809, 0x0409, 0x0209, 0x0009))
_CODEPAGES = {936: "gbk", 1200: "utf-16-le", 1252: "cp1252", 65001: "utf-8", 950: "big5", 932: "cp932"}


def _xls(data: bytes, max_rows: int, max_cols: int) -> dict[str, dict[tuple[int, int], Shown]]:
    stream = _Compound(data).stream("Workbook", "Book")
    end = len(stream)
    if end < 8:
        raise FormatsUnreadable("empty workbook stream")
    rtype, rlen = struct.unpack_from("<HH", stream, 0)
    if rtype != 0x0809:
        return {}  # BIFF2–4: neither calamine nor this module reads them
    version = struct.unpack_from("<H", stream, 4)[0]
    biff8 = version >= 0x0600 or version == 0
    codepage = "gbk"
    custom: dict[int, str] = {}
    xfs: list[tuple[int, bool]] = []
    sheets: list[tuple[str, int]] = []
    date1904 = False
    pos = 0
    while pos + 4 <= end:
        rtype, rlen = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + rlen]
        pos += 4 + rlen
        if rtype == 0x000A:  # EOF of the globals
            break
        if rtype == 0x00E0 and len(body) >= 6 and len(xfs) < _MAX_XF:
            fmt_id, flags = struct.unpack_from("<HH", body, 2)
            xfs.append((fmt_id, bool(flags & 0x0004)))
        elif rtype == 0x041E and len(body) >= 3 and len(custom) < _MAX_FORMATS:
            fmt_id = struct.unpack_from("<H", body, 0)[0]
            custom[fmt_id] = _biff_string(body, 2, 2 if biff8 else 1, biff8, codepage)
        elif rtype == 0x0085 and len(body) >= 8:
            offset, _visibility, sheet_type = struct.unpack_from("<IBB", body, 0)
            if sheet_type == 0:
                sheets.append((_biff_string(body, 6, 1, biff8, codepage), offset))
        elif rtype == 0x0022 and len(body) >= 2:
            date1904 = struct.unpack_from("<H", body, 0)[0] == 1
        elif rtype == 0x0042 and len(body) >= 2:
            codepage = _CODEPAGES.get(struct.unpack_from("<H", body, 0)[0], "gbk")
            if codepage == "utf-16-le":
                codepage = "latin-1"
    formats: dict[int, _Format] = {}
    for index, (fmt_id, is_style) in enumerate(xfs):
        if is_style:
            continue
        parsed = _parse_format(custom.get(fmt_id, _BUILTIN.get(fmt_id, "General")))
        if parsed.kind:
            formats[index] = parsed
    if not formats:
        return {}
    out: dict[str, dict[tuple[int, int], Shown]] = {}
    unpack = struct.unpack_from
    for name, start in sheets:
        found: dict[tuple[int, int], Shown] = {}
        pos, depth = start, 0
        while pos >= 0 and pos + 4 <= end:
            rtype, rlen = unpack("<HH", stream, pos)
            body_at = pos + 4
            pos = body_at + rlen
            if rtype not in _CELL_RECORDS:
                if rtype in _BOF_RECORDS:
                    depth += 1
                elif rtype == 0x000A:
                    depth -= 1
                    if depth <= 0:
                        break
                continue
            if depth != 1 or rlen < 6:
                continue
            row, col, xf = unpack("<HHH", stream, body_at)
            if row >= max_rows:
                continue
            if rtype == 0x00BD:  # MULRK: (xf, rk) for columns col … colLast
                count = (rlen - 6) // 6
                for k in range(count):
                    xf_k, raw = unpack("<HI", stream, body_at + 4 + 6 * k)
                    fmt = formats.get(xf_k)
                    if fmt and col + k < max_cols and (shown := show(fmt.code, _rk(raw), date1904)):
                        found[(row, col + k)] = shown
                continue
            fmt = formats.get(xf)
            if fmt is None or col >= max_cols:
                continue
            if rtype == 0x0203 and rlen >= 14:
                number = unpack("<d", stream, body_at + 6)[0]
            elif rtype == 0x027E and rlen >= 10:
                number = _rk(unpack("<I", stream, body_at + 6)[0])
            elif rtype == 0x0006 and rlen >= 14 and stream[body_at + 12 : body_at + 14] != b"\xff\xff":
                number = unpack("<d", stream, body_at + 6)[0]
            else:
                continue
            if math.isfinite(number) and (shown := show(fmt.code, number, date1904)):
                found[(row, col)] = shown
        if found:
            out[name] = found
    return out


# ---------------------------------------------------------------------------------------------
# .ods
# ---------------------------------------------------------------------------------------------

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_NUMBER = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODS_SPECIAL_TYPES = {"percentage": "percent", "currency": "currency", "date": "date", "time": "time"}
_DATA_STYLE_KINDS = {
    _NUMBER + "percentage-style": "percent",
    _NUMBER + "currency-style": "currency",
    _NUMBER + "date-style": "date",
    _NUMBER + "time-style": "time",
}
_CURRENCY_BY_CODE = {"CNY": "¥", "RMB": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$"}


@dataclass
class _DataStyle:
    kind: str | None
    decimals: int = 0
    symbol: str = ""
    has_date: bool = False
    has_time: bool = False
    seconds: bool = False


@dataclass
class _OdsStyles:
    data: dict[str, _DataStyle]
    cells: dict[str, tuple[str | None, str | None]]  # cell style → (data style, parent style)

    def unresolved(self, style: str) -> bool:
        """Whether the style (or its data style) is defined outside content.xml, i.e. in styles.xml."""
        if style not in self.cells:
            return True
        data_name, parent = self.cells[style]
        return (bool(data_name) and data_name not in self.data) or (not data_name and bool(parent))

    def data_style(self, style: str | None) -> tuple[str, _DataStyle] | None:
        seen = 0
        while style and seen < 16:
            data_name, parent = self.cells.get(style, (None, None))
            if data_name:
                found = self.data.get(data_name)
                return (data_name, found) if found else None
            style, seen = parent, seen + 1
        return None


def _read_data_styles(root_children: ElementTree.Element, styles: _OdsStyles) -> None:
    for element in root_children:
        tag = element.tag
        if tag.startswith(_NUMBER) and tag.endswith("-style"):
            name = element.get(_STYLE + "name")
            if not name:
                continue
            style = _DataStyle(_DATA_STYLE_KINDS.get(tag))
            for child in element.iter():
                local = child.tag.rsplit("}", 1)[-1]
                if local == "number" and child.tag.startswith(_NUMBER):
                    try:
                        style.decimals = max(0, min(int(child.get(_NUMBER + "decimal-places", "0") or 0), 30))
                    except ValueError:
                        style.decimals = 0
                elif local == "currency-symbol":
                    style.symbol = (child.text or "").strip()
                elif local in ("year", "month", "day", "day-of-week", "era", "quarter", "week-of-year"):
                    style.has_date = True
                elif local in ("hours", "minutes", "seconds", "am-pm"):
                    style.has_time = True
                    style.seconds = style.seconds or local == "seconds"
            styles.data[name] = style
        elif tag == _STYLE + "style":
            name = element.get(_STYLE + "name")
            if name:
                styles.cells[name] = (element.get(_STYLE + "data-style-name"), element.get(_STYLE + "parent-style-name"))


def _ods_styles_xml(members: _Members, styles: _OdsStyles) -> None:
    """Adds the common and automatic styles of styles.xml (Gnumeric keeps its data styles there)."""
    raw = members.get("styles.xml")
    if not raw:
        return
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        return
    for section in root:
        if section.tag in (_OFFICE + "styles", _OFFICE + "automatic-styles"):
            _read_data_styles(section, styles)


def _paragraph_text(element: ElementTree.Element) -> str:
    pieces: list[str] = []

    def walk(node: ElementTree.Element) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            tag = child.tag
            if tag == _TEXT + "s":
                try:
                    pieces.append(" " * max(1, min(int(child.get(_TEXT + "c", "1") or 1), 1000)))
                except ValueError:
                    pieces.append(" ")
            elif tag == _TEXT + "tab":
                pieces.append("\t")
            elif tag == _TEXT + "line-break":
                pieces.append("\n")
            elif tag not in (_OFFICE + "annotation", _TEXT + "note"):
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return "".join(pieces)


def _cell_text(cell: ElementTree.Element) -> str:
    return "\n".join(_paragraph_text(p).strip() for p in cell if p.tag == _TEXT + "p")


def _ods_duration(text: str) -> float | None:
    match = re.fullmatch(r"-?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?", text.strip())
    if not match:
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = days + hours / 24 + minutes / 1440 + seconds / 86400
    return -total if text.strip().startswith("-") else total


def _ods_shown(cell: ElementTree.Element, value_type: str, styles: _OdsStyles, style_name: str | None) -> Shown | None:
    """What an .ods number cell shows: the saved text:p where there is one, else rendered from its data style."""
    found = styles.data_style(style_name)
    data_name, data_style = found if found else ("", None)
    kind = _ODS_SPECIAL_TYPES.get(value_type)
    if kind is None and value_type == "float" and data_style is not None and data_style.kind:
        kind = data_style.kind
    text = _cell_text(cell)
    if kind is None and value_type == "float":
        if text.rstrip().endswith("%"):
            kind = "percent"
        elif any(token in text for token in _SHOWN_PERCENT_OR_MONEY[1:]):
            kind = "currency"
    if kind is None:
        return None
    code = data_name or value_type
    if kind in ("date", "time"):
        return _ods_stamp(cell, kind, value_type, data_style, text, code)
    if text:
        return Shown(kind, text, code)
    try:
        number = float(cell.get(_OFFICE + "value", ""))
    except ValueError:
        return Shown(kind, text, code)
    decimals = data_style.decimals if data_style else (0 if kind == "percent" else 2)
    sign = "-" if number < 0 else ""
    if kind == "percent":
        return Shown(kind, f"{sign}{_plain_number(abs(number), '0.' + '0' * decimals if decimals else '0', 1)}%", code)
    symbol = (data_style.symbol if data_style else "") or _CURRENCY_BY_CODE.get(cell.get(_OFFICE + "currency", "").upper(), "")
    body = _plain_number(abs(number), "#,##0." + "0" * decimals if decimals else "#,##0", 0)
    return Shown(kind, f"{sign}{symbol}{body}", code)


def _ods_serial(value: str) -> str:
    """A float cell under a date style: days since ODF's default null date 1899-12-30, as ISO text."""
    try:
        stamp = _EPOCH_1900 + dt.timedelta(seconds=round(float(value) * 86400))
    except (ValueError, OverflowError):
        return ""
    return stamp.isoformat()


def _ods_stamp(cell: ElementTree.Element, kind: str, value_type: str, data_style: _DataStyle | None, text: str, code: str) -> Shown:
    """Dates as YYYY-MM-DD (HH:MM when the value has a time), times and durations as HH:MM."""
    seconds_shown = data_style is not None and data_style.seconds
    if kind == "date":
        stamp = cell.get(_OFFICE + "date-value", "") or _ods_serial(cell.get(_OFFICE + "value", ""))
        day, _, clock = stamp.partition("T")
        clock = clock[:8] if seconds_shown else clock[:5]
        if data_style is not None and data_style.has_time and not data_style.has_date:
            return Shown("time", clock, code)
        has_time = bool(clock) and (clock.strip("0:.") != "" or (data_style is not None and data_style.has_time))
        return Shown("datetime", f"{day} {clock}", code) if has_time else Shown("date", day, code)
    if value_type == "time":
        days = _ods_duration(cell.get(_OFFICE + "time-value", ""))
    else:
        try:
            days = float(cell.get(_OFFICE + "value", ""))
        except ValueError:
            days = None
    if days is None:
        return Shown("time", text, code)
    total = round(abs(days) * 86400)
    hours, rest = divmod(total, 3600)
    return Shown("time", f"{hours:02d}:{rest // 60:02d}" + (f":{rest % 60:02d}" if seconds_shown else ""), code)


_SPECIAL_VALUE_TYPE = re.compile(rb"""value-type\s*=\s*["'](?:percentage|currency|date|time)["']""")
_DATA_STYLE_DEF = re.compile(rb"""-style[ \t\r\n][^>]*?style:name\s*=\s*["']([^"']*)["']""")
_SPECIAL_DATA_KINDS = (b":percentage", b":currency", b":date", b":time")
_CELL_STYLE = re.compile(rb":style[ \t\r\n]([^>]*)>")
# What a float cell's saved text may show to count as a percentage or money (Gnumeric's only trace of them).
_SHOWN_PERCENT_OR_MONEY = ("%", *sorted(_CURRENCY_CHARS), "元", "圆")


def _ods_style_table(xml: bytes, special: set[str], cells: dict[str, tuple[str | None, str | None]]) -> set[str]:
    """Adds xml's special data style names to special and its styles to cells; returns every data style name it defines."""
    defined = set()
    for match in _DATA_STYLE_DEF.finditer(xml):
        name = match.group(1).decode("utf-8", "replace")
        defined.add(name)
        lead = xml[max(0, match.start() - 12) : match.start()]
        if lead.endswith(_SPECIAL_DATA_KINDS):
            special.add(name)
    for raw in _CELL_STYLE.findall(xml):
        attrs = _attrs(raw)
        if "name" in attrs:
            cells.setdefault(attrs["name"], (attrs.get("data-style-name"), attrs.get("parent-style-name")))
    return defined


def _ods_may_show_formats(content: bytes, members: _Members) -> bool:
    """Whether any cell can be a formatted number; False lets a plain .ods go without being parsed.

    True when a cell has a percentage/currency/date/time value type, when the body's text shows a
    percent sign or a currency (Gnumeric keeps nothing else), or when the body names a cell style
    whose data style (here or in styles.xml, through parent styles) is a percentage, currency, date
    or time style. A cheap scan of the bytes; the parse that follows decides cell by cell.
    """
    if _SPECIAL_VALUE_TYPE.search(content):
        return True
    body_at = max(content.find(b"office:body"), 0)
    body = content[body_at:].decode("utf-8", "replace")  # str.find is far faster than bytes.find for multi-byte symbols
    if any(token in body for token in _SHOWN_PERCENT_OR_MONEY):
        return True
    special: set[str] = set()
    cells: dict[str, tuple[str | None, str | None]] = {}
    defined = _ods_style_table(content[:body_at], special, cells)
    if any((data and data not in defined) or (parent and parent not in cells) for data, parent in cells.values()):
        _ods_style_table(members.get("styles.xml") or b"", special, cells)
    if not special:
        return False
    marked = set()
    for name in cells:
        style, hops = name, 0
        while style in cells and hops < 16:
            data, parent = cells[style]
            if data:
                if data in special:
                    marked.add(name)
                break
            style, hops = parent, hops + 1
    for name in marked:
        encoded = html.escape(name).encode()
        if content.find(b'style-name="' + encoded + b'"', body_at) >= 0 or content.find(b"style-name='" + encoded + b"'", body_at) >= 0:
            return True
    return False


_CELL_TAGS = frozenset((_TABLE + "table-cell", _TABLE + "covered-table-cell"))
_CALCEXT_VALUE_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
_ODS_NUMERIC_TYPES = frozenset(("float", "percentage", "currency", "date", "time"))


def _shows_percent_or_money(cell: ElementTree.Element) -> bool:
    """Whether the text a writer saved for a float cell shows a percent sign or a currency (Gnumeric keeps only that)."""
    for paragraph in cell:
        if paragraph.tag == _TEXT + "p":
            text = paragraph.text if not len(paragraph) else "".join(paragraph.itertext())
            if text and any(token in text for token in _SHOWN_PERCENT_OR_MONEY):
                return True
    return False


def _ods(data: bytes, max_rows: int, max_cols: int) -> dict[str, dict[tuple[int, int], Shown]]:
    members = _members(data)
    info = members.names.get("content.xml")
    if info is None:
        raise FormatsUnreadable("no content.xml")
    content = members.get("content.xml") or b""
    if not _ods_may_show_formats(content, members):
        return {}
    styles = _OdsStyles({}, {})
    styles_xml_read = False
    special_styles: dict[str | None, bool] = {}
    out: dict[str, dict[tuple[int, int], Shown]] = {}
    found: dict[tuple[int, int], Shown] = {}
    table_depth = 0
    row = col = 0
    row_repeat = 1
    row_style: str | None = None
    column_styles: list[tuple[int, int, str]] = []
    name = ""
    stack: list[ElementTree.Element] = []
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
            tag = element.tag
            if event == "start":
                stack.append(element)
                if tag == _TABLE + "table":
                    table_depth += 1
                    if table_depth == 1:
                        name = element.get(_TABLE + "name", "")
                        found, row, column_styles = {}, 0, []
                elif table_depth != 1:
                    continue
                elif tag == _TABLE + "table-row":
                    col = 0
                    row_repeat = max(1, min(int(element.get(_TABLE + "number-rows-repeated", "1") or 1), _MAX_REPEAT))
                    row_style = element.get(_TABLE + "default-cell-style-name")
                elif tag == _TABLE + "table-column":
                    repeat = max(1, min(int(element.get(_TABLE + "number-columns-repeated", "1") or 1), _MAX_REPEAT))
                    start = column_styles[-1][1] if column_styles else 0
                    column_styles.append((start, start + repeat, element.get(_TABLE + "default-cell-style-name") or ""))
                continue
            stack.pop()
            if tag == _OFFICE + "automatic-styles" and len(stack) == 1:
                _read_data_styles(element, styles)
                element.clear()
            elif tag == _TABLE + "table":
                if table_depth == 1 and found:
                    out[name] = found
                table_depth -= 1
                element.clear()
            elif table_depth != 1:
                continue
            elif tag in _CELL_TAGS:
                get = element.get
                repeated = get(_TABLE + "number-columns-repeated")
                repeat = max(1, min(int(repeated), _MAX_REPEAT)) if repeated else 1
                value_type = get(_OFFICE + "value-type") or get(_CALCEXT_VALUE_TYPE)
                if value_type in _ODS_NUMERIC_TYPES and row < max_rows and col < max_cols:
                    style_name = get(_TABLE + "style-name")
                    if style_name is None:
                        style_name = row_style or next((s for a, b, s in column_styles if a <= col < b and s), None)
                    special = special_styles.get(style_name)
                    if special is None:
                        if not styles_xml_read and style_name and styles.unresolved(style_name):
                            _ods_styles_xml(members, styles)
                            styles_xml_read = True
                        resolved = styles.data_style(style_name)
                        special = special_styles[style_name] = bool(resolved and resolved[1].kind)
                    if value_type != "float" or special or _shows_percent_or_money(element):
                        shown = _ods_shown(element, value_type, styles, style_name)
                        if shown:
                            for r in range(row, min(row + row_repeat, max_rows)):
                                for c in range(col, min(col + repeat, max_cols)):
                                    found[(r, c)] = shown
                col += repeat
                element.clear()
            elif tag == _TABLE + "table-row":
                row += row_repeat
                element.clear()
                if stack:
                    parent = stack[-1]
                    if len(parent):
                        del parent[:]
    except ElementTree.ParseError as exc:
        raise FormatsUnreadable(f"content.xml: {exc}") from None
    return out


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def number_formats(data: bytes, kind: str, *, max_rows: int = 5000, max_cols: int = 100) -> dict[str, dict[tuple[int, int], Shown]]:
    """For each sheet name: (row, col) 0-based from A1 → Shown, only for cells holding a NUMBER whose number
    format is not a plain number format. Sheets with no such cell are left out.

    ``kind`` is what ``opening.sniff`` returned: "xlsx", "xls", "ods" or "xlsb" (→ {}: not read).
    Cells at row ≥ max_rows or col ≥ max_cols are not reported. Raises only FormatsUnreadable.
    """
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
    except Exception as exc:  # zipfile, zlib, struct, expat and odd XML all fail in their own ways: one clean type out
        raise FormatsUnreadable(f"{type(exc).__name__}: {exc}") from None
    raise FormatsUnreadable(f"unknown kind {kind!r}")
