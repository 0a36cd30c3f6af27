"""Which tests are slow: measured, not guessed.

A test is in the slow tier when it says so (`@pytest.mark.slow`: concurrency, crashes,
fuzzing, browsers …) or when it is listed in tests/slow_tests.txt, the tests that took
half a second or more on the reference machine (2 cores) the last time they were measured
(about one test in twenty, and half of the quick tier's time).
`python -m pytest -m "not slow"` runs the rest; CI runs everything.

    python -m tests.tiers          # measure every test of the quick tier, one at a time, and rewrite the list

The list is read by tests/conftest.py, which marks the listed tests slow before `-m` selects,
and refuses a list that names a test that no longer exists (so it cannot rot quietly).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = Path(__file__).with_name("slow_tests.txt")
THRESHOLD_SECONDS = 0.5
# Never listed, however long they take: the product's first promises, which every edit should
# be checked against at once (the 2021 report's figures exactly; the small-count protection
# under the joint audit on the demo's correction data).
ALWAYS_QUICK = {
    "tests/test_dashboard_numbers.py::test_the_2021_pages_reproduce_the_annual_report",
    "tests/test_protection.py::test_every_year_of_the_demo_passes_the_lp_audit[correction]",
}
# Set while measuring: the list is not applied, so every listed test is measured again.
MEASURING = "FAZHI_MEASURING_TIERS"

HEADER = """\
# Tests of the slow tier by measurement: each took {threshold:g} s or more (setup, call and teardown)
# on the reference machine (2 cores) when last measured. Written by `python -m tests.tiers`; do not
# edit by hand except to remove a test. Tests marked @pytest.mark.slow in their files are not listed,
# nor the few tests.tiers.ALWAYS_QUICK keeps in the quick tier whatever they take.
"""


def listed(path: Path = LIST) -> dict[str, str]:
    """node id → the line's note (its measured seconds)."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            node, _, note = line.partition("  # ")
            found[node.strip()] = note
    return found


def measure() -> dict[str, float]:
    """Seconds per test of the quick tier (the listed ones included), run one process, serially."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "durations.txt"
        with open(report, "w", encoding="utf-8") as out:
            subprocess.run(
                [sys.executable, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider", "--durations=0", "-n", "0"],
                cwd=ROOT,
                env={**os.environ, MEASURING: "1"},
                stdout=out,
                check=False,
            )
        seconds: dict[str, float] = defaultdict(float)
        for line in report.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^([\d.]+)s (?:setup|call|teardown)\s+(\S.*)$", line)
            if match:
                seconds[match[2].strip()] += float(match[1])
    return dict(seconds)


def write(seconds: dict[str, float], path: Path = LIST) -> list[str]:
    slow = [node for node, s in seconds.items() if s >= THRESHOLD_SECONDS and node not in ALWAYS_QUICK]
    lines = [HEADER.format(threshold=THRESHOLD_SECONDS)]
    lines += [f"{node}  # {seconds[node]:.1f} s" for node in sorted(slow)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return slow


def main() -> int:
    seconds = measure()
    if not seconds:
        print("no durations were reported: did the tests run?", file=sys.stderr)
        return 1
    slow = write(seconds)
    total = sum(seconds.values())
    moved = sum(seconds[node] for node in slow)
    print(f"{len(seconds)} tests measured, {total:.0f} s in all; {len(slow)} of them ({moved:.0f} s) listed slow in {LIST.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
