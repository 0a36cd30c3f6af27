"""Property tests: the cell parser and the header matcher never throw and never make a silent zero;
a bounded fuzz of real workbooks only ever loads or refuses."""

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.reference.catalog import load_catalog
from etl.reference.problems import CODES
from etl.reference.spellings import AT_LEAST, EXACT, Count, ValueProblem, header_key, parse_count
from etl.workbook import sandbox

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
DIGITS = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千万]")

cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.from_regex(r"\A[约近]?[0-9,，０-９]{1,7}(余|多|以上|左右)?(人次|人|份|幅|起)?\Z"),
)


@given(cell_values)
@settings(max_examples=600, deadline=None)
def test_any_cell_parses_to_a_qualified_count_or_a_coded_problem(raw):
    try:
        result = parse_count(raw)
    except ValueProblem as problem:
        assert problem.code in CODES and problem.message
        return
    if result is None:
        return
    assert isinstance(result, Count) and result.value >= 0 and isinstance(result.value, int)
    if result.value == 0 and isinstance(raw, str):
        # A zero from text must have been written as zero, not made up.
        assert DIGITS.search(raw) or raw.strip() in ("无", "没有", "零", "〇")


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["", "余", "多", "以上"]), st.sampled_from(["", "人", "份", "人次"]))
def test_written_numbers_round_trip_with_their_qualifier(number, suffix, unit):
    parsed = parse_count(f"{number:,}{suffix}{unit}")
    assert parsed == Count(number, AT_LEAST if suffix else EXACT)


@given(st.text(max_size=40))
@settings(max_examples=400, deadline=None)
def test_the_header_matcher_never_throws_and_is_stable(text):
    catalog = load_catalog()
    key, is_part = header_key(text)
    assert isinstance(key, str) and isinstance(is_part, bool)
    for topic in catalog.topics:
        codes, _ = catalog.match_indicator(topic, text)
        assert all(catalog.indicators[c].topic == topic for c in codes)
        assert catalog.match_indicator(topic, text) == (codes, _)


@given(st.sampled_from([i for i in load_catalog().indicators.values()]), st.sampled_from(["", "（人）", "(人)", "\n", " ", "："]))
def test_every_catalog_label_is_recognised_however_it_is_decorated(indicator, decoration):
    codes, _ = load_catalog().match_indicator(indicator.topic, f"{indicator.name}{decoration}")
    assert indicator.code in codes


@pytest.mark.slow
def test_mutated_real_workbooks_only_ever_load_or_refuse():
    """A bounded fuzz: flip, cut and splice bytes of the sample workbooks."""
    rng = random.Random(20211231)
    originals = [p.read_bytes() for p in sorted(SAMPLES.rglob("*")) if p.is_file()]
    outcomes = {"loaded": 0, "rejected": 0}
    jobs, codes = [], set()
    for n in range(300):
        data = bytearray(rng.choice(originals))
        how = n % 3
        if how == 0:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1:
            data = data[: rng.randrange(len(data))]
        else:
            start = rng.randrange(len(data))
            data[start:start] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        jobs.append((f"fuzz{n}.xlsx", bytes(data), None, None))
    # Through the capped workers, as every load runs: one mutation makes the Rust reader
    # ask for 4 GB and abort, which in-process would kill the interpreter (or the server).
    for prepared in sandbox.prepare_all(jobs, workers=2):
        assert prepared.status in outcomes
        outcomes[prepared.status] += 1
        for problem in prepared.problems:
            assert problem.code in CODES and problem.code != "READ_FAILED", problem
            codes.add(problem.code)
    assert outcomes["rejected"] > 0
    assert "FILE_CORRUPT" in codes  # the reader that aborts on its 4 GB request is among them
