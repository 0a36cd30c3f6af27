"""Benchmark: a province-sized warehouse and its Parquet lake (python -m etl export --parquet).

Builds a warehouse of 1,600 towns × 30 villages × 50 indicators × 10 years (24 M values,
benchmarks/synthetic.build_province, DuckDB SQL only), prints its size on disk, and times one
roll-up — the sum of one indicator by year and town — in DuckDB on the warehouse's public view,
then exports the lake and runs the same roll-up over it in DuckDB and, when pyspark is
installed (it is not a requirement of this project), in Spark's local mode. The results are
printed side by side with whether they are equal. Times are of this run on this machine only;
no test asserts on them.

    python benchmarks/bench_lake.py [--towns 1600] [--villages 30] [--indicators 50] [--years 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from benchmarks import synthetic  # noqa: E402
from etl.loading import lake  # noqa: E402

INDICATOR = "cc_registered"  # 在册社区矫正对象
ROLL_UP = """
    select year, town_code, sum(value) as total
    from {source}
    where indicator_code = ?
    group by year, town_code
    order by year, town_code
"""


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB"


def _timed(run):
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def _normal(rows) -> list[tuple[int, str, int]]:
    return sorted((int(year), str(town), int(total)) for year, town, total in rows)


def duckdb_on_warehouse(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(ROLL_UP.format(source="indicator_values"), [INDICATOR]).fetchall()
    finally:
        con.close()


def duckdb_on_lake(folder: Path) -> list[tuple]:
    files = str(folder / "indicator_values" / "**" / "*.parquet")
    source = f"read_parquet('{files}', hive_partitioning = true, hive_types = {{'year': 'INTEGER', 'town_code': 'VARCHAR'}})"
    con = duckdb.connect()
    try:
        return con.execute(ROLL_UP.format(source=source), [INDICATOR]).fetchall()
    finally:
        con.close()


def spark_session():
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("fazhi-lake-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", "8")
        # town codes are strings (they may start with 0 elsewhere): no guessing of partition types
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )


def spark_on_lake(spark, folder: Path) -> list[tuple]:
    from pyspark.sql import functions as F

    values = spark.read.parquet(str(folder / "indicator_values"))
    rows = (
        values.where(F.col("indicator_code") == INDICATOR)
        .groupBy(F.col("year").cast("int").alias("year"), "town_code")
        .agg(F.sum("value").alias("total"))
        .collect()
    )
    return [(row["year"], row["town_code"], row["total"]) for row in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--towns", type=int, default=1600)
    parser.add_argument("--villages", type=int, default=30, help="villages per town")
    parser.add_argument("--indicators", type=int, default=50, help="village-level indicators per village")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one, removed)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_lake-"))
    work.mkdir(parents=True, exist_ok=True)
    db, folder = work / "province.duckdb", work / "lake"
    for old in (db, db.with_name(db.name + ".wal")):
        old.unlink(missing_ok=True)
    try:
        print(f"scale: {args.towns:,} towns × {args.villages} villages × {args.indicators} indicators × {args.years} years")
        values, seconds = _timed(lambda: synthetic.build_province(db, args.towns, args.villages, args.indicators, args.years))
        print(f"warehouse: {values:,} values, built in {seconds:.1f} s, {_mb(_size(db))} on disk ({db})")

        print(f"roll-up: sum(value) of {INDICATOR} by year and town")
        on_warehouse, cold = _timed(lambda: duckdb_on_warehouse(db))
        _, warm = _timed(lambda: duckdb_on_warehouse(db))
        print(
            f"  DuckDB, warehouse view indicator_values: {cold * 1000:,.0f} ms first, {warm * 1000:,.0f} ms again ({len(on_warehouse):,} rows)"
        )

        summary, seconds = _timed(lambda: lake.export(db, folder))
        files = sum(1 for _ in folder.rglob("*.parquet"))
        print(f"export: {seconds:.1f} s, lake {_mb(_size(folder))} on disk in {files:,} Parquet files ({folder})")

        on_lake, cold = _timed(lambda: duckdb_on_lake(folder))
        _, warm = _timed(lambda: duckdb_on_lake(folder))
        print(f"  DuckDB, lake read_parquet (hive): {cold * 1000:,.0f} ms first, {warm * 1000:,.0f} ms again ({len(on_lake):,} rows)")

        results = {"DuckDB warehouse": _normal(on_warehouse), "DuckDB lake": _normal(on_lake)}
        try:
            import pyspark
        except ImportError:
            print("  Spark: pyspark is not installed here, skipped (pip install pyspark==3.5.3 and Java 17 to include it)")
        else:
            spark, started = _timed(spark_session)
            spark.sparkContext.setLogLevel("ERROR")
            try:
                # Once only: at full scale one run takes minutes (16,000 small files to list and open).
                on_spark, cold = _timed(lambda: spark_on_lake(spark, folder))
            finally:
                spark.stop()
            print(f"  Spark {pyspark.__version__} local[2], lake: session {started:.1f} s, {cold * 1000:,.0f} ms ({len(on_spark):,} rows)")
            results["Spark lake"] = _normal(on_spark)

        names = list(results)
        print("\nside by side (first 5 rows, and the grand total):")
        print("  " + " | ".join(f"{name:>28}" for name in names))
        for i in range(min(5, len(results[names[0]]))):
            print("  " + " | ".join(f"{' '.join(map(str, results[name][i])):>28}" for name in names))
        print("  " + " | ".join(f"{sum(t for *_, t in results[name]):>28,}" for name in names))
        equal = all(results[name] == results[names[0]] for name in names)
        print(f"equal: {equal} ({', '.join(names)})")
        return 0 if equal else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
