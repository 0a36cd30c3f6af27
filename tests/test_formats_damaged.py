"""Damaged workbooks (seeded byte flips and truncations): only FormatsUnreadable comes out, and quickly."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time

import pytest

from etl.workbook.number_formats import FormatsUnreadable, number_formats
from etl.workbook.second_reader import read_sheets
from tests.format_writers import Fmt, ods_bytes, xls_bytes, xlsx_bytes
from tests.gnumeric import gnumeric_like_ods

ROWS = [["村名", "人数", "占比", "日期"]] + [
    [f"第{i}村", i, Fmt(i / 10, "0%"), Fmt(dt.date(2021, 7, i), "yyyy-mm-dd")] for i in range(1, 12)
]
SOURCES = {
    "xlsx": xlsx_bytes(ROWS, bordered=True),
    "xls": xls_bytes(ROWS, bordered=True),
    "ods": ods_bytes(ROWS, bordered=True),
    "gnumeric": gnumeric_like_ods(),
}


def _mutants(data: bytes, count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        damaged = bytearray(data)
        if rng.random() < 0.3:
            yield bytes(damaged[: rng.randrange(len(damaged))])
            continue
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        yield bytes(damaged)


@pytest.mark.parametrize("source", SOURCES)
def test_number_formats_on_damaged_files(source):
    kind = "ods" if source == "gnumeric" else source
    for mutant in _mutants(SOURCES[source], 150, seed=len(source)):
        start = time.perf_counter()
        with contextlib.suppress(FormatsUnreadable):
            number_formats(mutant, kind)
        assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("source", SOURCES)
def test_read_sheets_on_damaged_files(source):
    kind = "ods" if source == "gnumeric" else source
    for mutant in _mutants(SOURCES[source], 40, seed=7 * len(source)):
        start = time.perf_counter()
        with contextlib.suppress(FormatsUnreadable):
            read_sheets(mutant, kind)
        assert time.perf_counter() - start < 2.0
