"""The test tiers: the slow list is what the measurement says, and the quick tier keeps the
product's first promises."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests import tiers


def test_the_list_holds_the_tests_at_or_over_the_threshold_and_never_the_always_quick_ones(tmp_path):
    kept = next(iter(tiers.ALWAYS_QUICK))
    seconds = {
        "tests/test_a.py::test_slow": tiers.THRESHOLD_SECONDS + 0.5,
        "tests/test_a.py::test_at_the_line": tiers.THRESHOLD_SECONDS,
        "tests/test_a.py::test_quick": tiers.THRESHOLD_SECONDS - 0.01,
        "tests/test_b.py::test_with_a_param[a b]": 3.0,  # ids may hold spaces
        kept: 9.0,
    }
    path = tmp_path / "slow_tests.txt"
    tiers.write(seconds, path)
    assert set(tiers.listed(path)) == {
        "tests/test_a.py::test_slow",
        "tests/test_a.py::test_at_the_line",
        "tests/test_b.py::test_with_a_param[a b]",
    }
    assert tiers.listed(path)["tests/test_b.py::test_with_a_param[a b]"] == "3.0 s"
    assert tiers.listed(tmp_path / "missing.txt") == {}


@pytest.mark.slow
def test_the_quick_tier_runs_the_always_quick_tests_and_leaves_out_the_listed_ones():
    quick = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not slow", "-p", "no:cacheprovider"],
        cwd=tiers.ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert quick.returncode == 0, quick.stdout + quick.stderr
    collected = set(quick.stdout.splitlines())
    assert collected >= tiers.ALWAYS_QUICK
    listed = set(tiers.listed())
    assert listed and not listed & collected
