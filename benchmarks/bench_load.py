"""Benchmark: load 1,000 typical departmental workbooks, against pandas merely reading them.

Both sides are timed in the same run as whole processes, so start-up counts:
  (a) baseline: a Python process that runs pandas.read_excel(engine="openpyxl") on every file;
  (b) ours: `python -m etl load FOLDER --db fresh.duckdb` — read, recognise, validate,
      commit, every file all or nothing.
It prints both times and the ratio a/b (goal: at least 5), and beside each time the CPU
time it took (ours in all its processes: it reads on every core). The machine is noisy, so
each side runs --repeat times and the best time counts. No test asserts on time.

    python benchmarks/bench_load.py [--files 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.authoring.writer import SheetSpec, write_xlsx  # noqa: E402
from etl.reference.catalog import load_catalog  # noqa: E402
from etl.reference.places import load_places  # noqa: E402

BASELINE = """
import sys, pandas
for path in sys.argv[1:]:
    pandas.read_excel(path, sheet_name=None, engine="openpyxl", header=None)
"""


def make_workbooks(folder: Path, count: int) -> list[Path]:
    """Village tables of the three per-village departments, each with a title, a year row,
    the header, 16 villages, a 合计 row and notes (about 22 rows, up to 10 columns), and
    event lists of about 30 rows; every file different, years spread over 2000–2099."""
    rng = random.Random(20211231)
    catalog = load_catalog()
    villages = load_places().villages
    topics = ["correction", "mental_health", "drugs", "outreach"]
    paths = []
    for n in range(count):
        topic = topics[n % len(topics)]
        year = 2000 + (n // len(topics)) % 100
        if topic == "outreach":
            fields = catalog.event_fields
            rows: list[list[object]] = [[f"十里亭镇{year}年普法宣传活动登记表"], [f.label for f in fields]]
            for e in range(28):
                rows.append(
                    [
                        f"{year}-{1 + e % 12:02d}-{1 + e:02d}",
                        villages[e % 16].name,
                        "广场",
                        f"法治宣传第{e + 1}场",
                        "司法所",
                        rng.randint(50, 999),
                        rng.randint(0, 3),
                        f"{rng.randint(5, 60)}余",
                        rng.randint(20, 400),
                    ]
                )
        else:
            indicators = [i for i in catalog.topic_indicators(topic) if i.code not in ("mh_guardian_signed",)]
            rows = [[f"十里亭镇{year}年度{catalog.topics[topic].title}"], ["年度", year], ["村（社区）", *(i.label for i in indicators)]]
            for village in villages:
                rows.append([village.name, *_village_values(topic, [i.code for i in indicators], rng)])
            rows.append(["合计", *(sum(r[c] for r in rows[3:]) for c in range(1, len(indicators) + 1))])
            rows += [[], ["填表人：", None, "审核人："]]
        path = folder / f"{n:04d}_{topic}_{year}.xlsx"
        write_xlsx(path, [SheetSpec(catalog.topics[topic].name, rows)])
        paths.append(path)
    return paths


def _village_values(topic: str, codes: list[str], rng: random.Random) -> list[int]:
    """Numbers that obey the catalog's rules, so every file loads."""
    values = dict.fromkeys(codes, 0)
    if topic == "correction":
        parts = [rng.randint(0, 3), rng.randint(0, 1), 0, rng.randint(0, 1)]
        values.update(zip(["cc_probation", "cc_parole", "cc_control", "cc_medical_parole"], parts))
        values["cc_registered"] = sum(parts)
        values["cc_admitted"], values["cc_released"] = rng.randint(0, 2), rng.randint(0, 2)
    elif topic == "mental_health":
        grades = [rng.randint(5, 12), rng.randint(1, 5), rng.randint(0, 2), rng.randint(0, 1), 0, 0]
        values.update({f"mh_risk_{g}": grades[g] for g in range(6)})
        values["mh_managed"] = sum(grades)
        values["mh_forced_treatment"] = rng.randint(0, 1)
    else:
        registered = rng.randint(10, 25)
        values.update(
            drug_registered=registered,
            drug_reporting=rng.randint(0, 2),
            drug_deceased=rng.randint(0, 1),
            drug_detained=rng.randint(0, 2),
            drug_risk_high=rng.randint(0, 1),
            drug_risk_medium=rng.randint(0, 3),
            drug_risk_low=rng.randint(0, 5),
            drug_incidents=0,
        )
    return [values[c] for c in codes]


def timed(command: list[str]) -> tuple[float, float]:
    """Wall time, and the CPU time of the process and every process it started (the reader
    workers): on a busy machine the second says what the first cannot."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"command failed ({result.returncode}): {' '.join(command[:4])} …\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "books"
        folder.mkdir()
        t0 = time.perf_counter()
        paths = make_workbooks(folder, args.files)
        print(f"made {len(paths)} workbooks in {time.perf_counter() - t0:.1f} s")
        baseline, ours = [], []
        for attempt in range(args.repeat):
            baseline.append(timed([sys.executable, "-c", BASELINE, *map(str, paths)]))
            db = Path(tmp) / f"fresh{attempt}.duckdb"
            ours.append(timed([sys.executable, "-m", "etl", "load", "--db", str(db), "--json", str(folder)]))
            (wall_a, cpu_a), (wall_b, cpu_b) = baseline[-1], ours[-1]
            print(
                f"  run {attempt + 1}: pandas+openpyxl read {wall_a:.2f} s (cpu {cpu_a:.2f} s) · etl load {wall_b:.2f} s (cpu {cpu_b:.2f} s)"
            )
        (best_a, cpu_a), (best_b, cpu_b) = min(baseline), min(ours)
        print(f"(a) pandas.read_excel(openpyxl), reading only : {best_a:.2f} s (cpu {cpu_a:.2f} s)")
        print(f"(b) python -m etl load, read+validate+commit   : {best_b:.2f} s (cpu {cpu_b:.2f} s, all processes)")
        print(f"ratio a/b = {best_a / best_b:.1f}x (goal ≥ 5x)")


if __name__ == "__main__":
    main()
