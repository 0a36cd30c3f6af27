"""Cell values as people write them: counts with qualifiers, dates, header labels.

Every parser here either returns a value or raises `ValueProblem` with a code and a
Chinese sentence; none returns a silent zero.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

EXACT, AT_LEAST, APPROX = "exact", "at_least", "approx"

# Written where a count has no value: not zero, just nothing reported.
NO_VALUE = {"", "-", "--", "—", "——", "–", "/", "\\", "_", "空", "暂无", "不详", "N/A", "NA", "n/a", "null"}
# Written where the count is zero.
ZERO_WORDS = {"无", "没有", "零", "〇"}

UNIT_WORDS = "人次|人|名|个|项|份|幅|起|次|场|件|户|张|册|条|期|处|所|家|例|位"
_UNIT_RE = re.compile(rf"(?:{UNIT_WORDS})$")
_BRACKET_UNIT_RE = re.compile(rf"\((?:单位:)?(?:{UNIT_WORDS})(?:/(?:{UNIT_WORDS}))*\)")
_NUMBERING_RE = re.compile(r"^(?:\d{1,2}[.、)]|[一二三四五六七八九十]{1,3}[、.]|\(\d{1,2}\)|\([一二三四五六七八九十]{1,3}\))")
_QUOTES_RE = re.compile(r"[《》“”\"'「」‘’]")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER_RE = re.compile(r"^[零〇一二两三四五六七八九十百千万]+$")

_AT_LEAST_SUFFIX = ("余", "多", "以上", "+", "有余", "来")
_APPROX_PREFIX = ("大约", "约计", "约", "近", "接近", "大概", "估计", "约有")
_APPROX_SUFFIX = ("左右", "上下")


class ValueProblem(ValueError):
    """A cell that cannot be read as what its column needs."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Count:
    value: int
    qualifier: str = EXACT

    def display(self) -> str:
        if self.qualifier == AT_LEAST:
            return f"{self.value}+"
        if self.qualifier == APPROX:
            return f"约{self.value}"
        return str(self.value)


_SPACES = re.compile(r"\s+")


def normalize_text(value: object) -> str:
    """Full-width to half-width, every kind of space and line break removed."""
    if value is None:
        return ""
    return _normalize(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=65536)
def _normalize(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def header_key(value: object) -> tuple[str, bool]:
    """A header or form label reduced to what identifies it, and whether it began with 其中."""
    if value is None:
        return "", False
    return _header_key(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=16384)
def _header_key(value: str) -> tuple[str, bool]:
    text = normalize_text(value)
    text = _NUMBERING_RE.sub("", text)
    is_part = False
    for prefix in ("其中:", "其中,", "其中、", "其中", "(其中)"):
        if text.startswith(prefix):
            text, is_part = text[len(prefix) :], True
            break
    text = _BRACKET_UNIT_RE.sub("", text)
    text = _QUOTES_RE.sub("", text)
    text = text.strip(":,、.;")
    return text, is_part


def chinese_numeral(text: str) -> int | None:
    """十二 → 12, 一百零五 → 105, 两千 → 2000; None if the text is not a numeral."""
    if not text or not _CN_NUMBER_RE.match(text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
    return total + section + (digit or 0)


def _whole(number: float, shown: str) -> int:
    if math.isnan(number) or math.isinf(number):
        raise ValueProblem("NOT_A_COUNT", f"“{shown}”不是一个数，这里应填写整数")
    if number < 0:
        raise ValueProblem("NEGATIVE", "数量不能为负数，请填写 0 或正整数")
    if number != int(number):
        raise ValueProblem("FRACTIONAL", f"数量应为整数，这一格存的却是 {shown}（表上可能因单元格格式只显示了整数），请改为整数")
    return int(number)


def parse_count(raw: object) -> Count | None:
    """A count as a clerk writes it, or None where the cell says there is no value.

    `1,000`, `１０００`, `1000余` (at least), `约30` (about), `30余人次`, `十二`,
    `-` or empty (no value), `0`.
    """
    if raw is None:
        return None
    if type(raw) is float and raw >= 0 and raw.is_integer():  # the common case, first
        return Count(int(raw))
    if isinstance(raw, bool):
        raise ValueProblem("NOT_A_COUNT", "这里应填写整数，不能填写“是/否”")
    if isinstance(raw, (int, float)):
        return Count(_whole(float(raw), f"{raw:g}" if isinstance(raw, float) else str(raw)))
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        raise ValueProblem("NOT_A_COUNT", "这里应填写人数或件数，单元格却是日期或时间格式，请改为常规格式的整数")
    text = normalize_text(raw)
    if text in NO_VALUE:
        return None
    if text in ZERO_WORDS:
        return Count(0)
    shown = str(raw).strip()[:20]
    qualifier = EXACT
    body = text
    for prefix in _APPROX_PREFIX:
        if body.startswith(prefix):
            body, qualifier = body[len(prefix) :], APPROX
            break
    body = _UNIT_RE.sub("", body)
    for suffix in _APPROX_SUFFIX:
        if body.endswith(suffix):
            body, qualifier = body[: -len(suffix)], APPROX
            break
    body = _UNIT_RE.sub("", body)
    for suffix in _AT_LEAST_SUFFIX:
        if body.endswith(suffix) and len(body) > len(suffix):
            if qualifier == APPROX:
                raise ValueProblem("NOT_A_COUNT", f"“{shown}”既写了“约”又写了“余/多”，请只保留一种")
            body, qualifier = body[: -len(suffix)], AT_LEAST
            break
    body = _UNIT_RE.sub("", body)
    multiplier = 1
    if body.endswith("万") and re.match(r"^\d", body):
        body, multiplier = body[:-1], 10000
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", body):
        number = float(body.replace(",", "")) * multiplier
        if number != int(number):
            raise ValueProblem("FRACTIONAL", f"“{shown}”不是整数，数量应为整数，请改正")
        return Count(_whole(number, shown), qualifier)
    if re.fullmatch(r"-\d+(?:\.\d+)?", body):
        raise ValueProblem("NEGATIVE", "数量不能为负数，请填写 0 或正整数")
    numeral = chinese_numeral(body)
    if numeral is not None:
        return Count(numeral, qualifier)
    raise ValueProblem("NOT_A_COUNT", f"“{shown}”不是数量，这里应填写整数（如 12、1000余、约30），没有数据请留空")


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(raw: object, year_hint: int | None = None) -> dt.date | None:
    """A date in the spellings clerks use, an Excel serial, or None for an empty cell."""
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, bool):
        raise ValueProblem("BAD_DATE", "活动日期应为日期，如 2021-07-15")
    if isinstance(raw, (int, float)):
        if 20000 <= raw <= 80000 and float(raw).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(raw))
        if 19000101 <= raw <= 21001231 and float(raw).is_integer():
            return parse_date(str(int(raw)))
        raise ValueProblem("BAD_DATE", "活动日期应为日期，如 2021-07-15")
    text = normalize_text(raw)
    if text in NO_VALUE:
        return None
    for pattern in _DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            year, month, day = (int(part) for part in found.groups())
            return _make_date(year, month, day, raw)
    found = _MONTH_DAY.match(text)
    if found and year_hint:
        return _make_date(year_hint, int(found.group(1)), int(found.group(2)), raw)
    raise ValueProblem("BAD_DATE", f"“{str(raw)[:20]}”不是日期，请写成 2021-07-15 或 2021年7月15日")


def _make_date(year: int, month: int, day: int, raw: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem("BAD_DATE", f"“{str(raw)[:20]}”不是有效日期，请检查年月日") from None


def parse_text(raw: object) -> str | None:
    """Free text: trimmed, inner line breaks kept as spaces, None when empty."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = re.sub(r"\s+", " ", str(raw)).strip()
    return text or None
