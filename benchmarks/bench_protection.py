"""Small-count protection at scale: synthetic tables shaped like the catalog's sensitive topics,
protected as meeting mode does (k = 3), timed against the previous design in the same run.

    python benchmarks/bench_protection.py            # town, district and city sizes
    python benchmarks/bench_protection.py --quick    # smaller, for a smoke run

Targets (issue 12): one topic, 2,000 villages in 250 stations of 8, 1 year, well under 0.5 s;
a district of 200 villages × 10 years under 0.3 s. CPU seconds are printed beside wall
seconds (the machine may be shared); the ratio is new ÷ old, measured here, now.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from figures import protection  # noqa: E402
from tests.protection_tables import TOPIC_CODES as TOPICS  # noqa: E402
from tests.protection_tables import make_table, rules, sensitive  # noqa: E402


def run(
    topic: str, station_sizes: list[int], years: int, k: int = 3, repeat: int = 3, seed: int = 1
) -> tuple[float, float, pd.DataFrame, object]:
    """Best of `repeat`: wall-clock seconds and this process's CPU seconds (the machine
    may be shared; CPU time is what the code costs)."""
    frame, stations = make_table(topic, station_sizes, years, seed=seed)
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = protection.suppress(frame, k, stations, sensitive(topic), rules=rules(topic))
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, frame, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    city = [8] * (50 if args.quick else 250)
    district = [8] * 25
    print(f"{'case':<44} {'cells':>7} {'hidden':>7} {'of which *':>10} {'…':>5} {'wall s':>8} {'cpu s':>8}")
    for topic in TOPICS:
        for name, sizes, years in (
            (f"{topic}: {sum(city)} villages × 1 year", city, 1),
            (f"{topic}: {sum(district)} villages × 10 years", district, 10),
        ):
            wall, cpu, frame, result = run(topic, sizes, years)
            display = result.values["display"]
            print(
                f"{name:<44} {len(frame):>7} {int((result.values['qualifier'] == protection.SUPPRESSED).sum()):>7} "
                f"{int((display == protection.HIDDEN_LARGE).sum()):>10} {int((display == protection.HIDDEN_ANY).sum()):>5} {wall:>8.3f} {cpu:>8.3f}"
            )
    # The baseline: the previous design (per published sum, quadratic), on the same tables.
    from tests import old_protection

    sum_rules = [(rule.total, rule.parts) for rule in rules("mental_health") if rule.check == "sum"]
    for villages in (100, 200, 400):
        frame, stations = make_table("mental_health", [8] * (villages // 8), 1, seed=1)
        start = time.process_time()
        old_protection.suppress(frame, 3, stations, sensitive("mental_health"), sum_rules)
        old = time.process_time() - start
        start = time.process_time()
        protection.suppress(frame, 3, stations, sensitive("mental_health"), rules=rules("mental_health"))
        new = time.process_time() - start
        print(
            f"mental_health, {villages} villages × 1 year: previous design {old:.3f} cpu s, this one {new:.3f} cpu s, ratio {new / old:.2f}"
        )


if __name__ == "__main__":
    main()
