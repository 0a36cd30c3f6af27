"""Benchmark: one small workbook loaded into a 500 MB warehouse, against the same workbook
loaded into a town's warehouse, in the same run.

Both warehouses hold the same town (benchmarks/synthetic.py: 16 villages × 5 years); the big
one also carries superseded history until its file is about --mb MB, as years of corrected
submissions would leave. Each repeat loads one correction table (16 villages, a new year)
into a fresh copy of each, alternating, through the loader the command line uses
(`loader.load_paths`: reading in its worker, checks, copy of the warehouse, commit, swap);
the copy is made before the clock starts. Medians are compared.

Goal (issue 12): at most 1.5 × the time on the town's warehouse.

    python benchmarks/bench_big_load.py [--mb 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import synthetic  # noqa: E402
from benchmarks.bench_load import _village_values  # noqa: E402
from etl.authoring.writer import SheetSpec, write_xlsx  # noqa: E402
from etl.loading import loader  # noqa: E402
from etl.reference.catalog import load_catalog  # noqa: E402
from etl.reference.places import load_places  # noqa: E402

GOAL = 1.5
NEW_YEAR = 2031


def correction_table(path: Path) -> Path:
    """A correction table of every village of the (synthetic) town, for a year not yet loaded."""
    catalog = load_catalog()
    indicators = catalog.topic_indicators("correction")
    town = next(iter(load_places().towns.values()))
    rows: list[list[object]] = [[f"{town.name}{NEW_YEAR}年度社区矫正"], ["年度", NEW_YEAR], ["村（社区）", *(i.label for i in indicators)]]
    rng = random.Random(NEW_YEAR)
    for village in load_places().villages:
        rows.append([village.name, *_village_values("correction", [i.code for i in indicators], rng)])
    write_xlsx(path, [SheetSpec(catalog.topics["correction"].name, rows)])
    return path


def load_once(master: Path, work: Path, workbook: Path) -> float:
    target = work / "warehouse.duckdb"
    for leftover in work.iterdir():
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    shutil.copy(master, target)
    start = time.perf_counter()
    [report] = loader.load_paths(target, [workbook])
    elapsed = time.perf_counter() - start
    if report.status != "loaded":
        sys.exit(f"the benchmark's workbook did not load: {report}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        small = folder / "town.duckdb"
        listed = synthetic.build(small, 1, 16, 5)
        big = folder / "big.duckdb"
        synthetic.build(big, 1, 16, 5, history_mb=args.mb)
        print(
            f"warehouses: town {small.stat().st_size / 1e6:.1f} MB, big {big.stat().st_size / 1e6:.0f} MB (built in {time.perf_counter() - start:.0f} s)"
        )
        with synthetic.village_list(listed):
            workbook = correction_table(folder / "社区矫正.xlsx")
            work = folder / "work"
            work.mkdir()
            load_once(small, work, workbook)  # reader workers started, imports done
            on_small, on_big = [], []
            for _ in range(args.repeat):
                on_small.append(load_once(small, work, workbook))
                on_big.append(load_once(big, work, workbook))
        a, b = statistics.median(on_small), statistics.median(on_big)
        ratio = b / a
        print(
            f"one small workbook loaded: town warehouse {a * 1000:.0f} ms, {args.mb} MB warehouse {b * 1000:.0f} ms (medians of {args.repeat})"
        )
        print(f"ratio {ratio:.2f}, goal ≤ {GOAL}: {'ok' if ratio <= GOAL else 'SLOW'}")


if __name__ == "__main__":
    main()
