"""python -m etl export --parquet DIR: the public views as a Parquet lake that gives back
exactly what the warehouse holds."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from etl.cli import main
from etl.loading import lake

PARTITIONED = {"indicator_values", "outreach_events"}


def _both(db: Path, folder: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse attached as `warehouse`, the lake's views in the in-memory database."""
    con = duckdb.connect()
    con.execute("attach ? as warehouse (read_only)", [str(db)])
    lake.attach_views(con, folder)
    return con


def _assert_same(con: duckdb.DuckDBPyConnection, ours: str, theirs: str) -> None:
    for left, right in ((ours, theirs), (theirs, ours)):
        missing = con.execute(f"select count(*) from ({left} except all {right})").fetchone()[0]
        assert missing == 0, (left, right)
    assert con.execute(f"select count(*) from ({ours})").fetchone() == con.execute(f"select count(*) from ({theirs})").fetchone()


def _assert_lake_is_the_warehouse(db: Path, folder: Path) -> None:
    con = _both(db, folder)
    schema = lake.read_schema(folder)
    for name in lake.PUBLIC_VIEWS:
        columns = con.execute(f"describe warehouse.{name}").fetchall()
        assert [c[:2] for c in con.execute(f"describe memory.{name}").fetchall()] == [c[:2] for c in columns], name
        assert [(c["name"], c["type"]) for c in schema["views"][name]["columns"]] == [c[:2] for c in columns], name
        assert schema["views"][name]["rows"] == con.execute(f"select count(*) from warehouse.{name}").fetchone()[0]
        _assert_same(con, f"select * from warehouse.{name}", f"select * from memory.{name}")
        if name not in PARTITIONED:  # a single file keeps the view's order (villages by sort order)
            assert con.execute(f"select * from warehouse.{name}").fetchall() == con.execute(f"select * from memory.{name}").fetchall()
    con.close()


def _assert_plain_duckdb_reads_it_back(db: Path, folder: Path) -> None:
    """Without our helper: read_parquet with hive partitioning, the partition keys cast back."""
    con = duckdb.connect()
    con.execute("attach ? as warehouse (read_only)", [str(db)])
    for name in PARTITIONED:
        columns = [c[0] for c in con.execute(f"describe warehouse.{name}").fetchall()]
        typed = ", ".join(
            {"year": "cast(year as integer) as year", "town_code": "cast(town_code as varchar) as town_code"}.get(c, f'"{c}"')
            for c in columns
        )
        files = str(folder / name / "**" / "*.parquet")
        _assert_same(
            con,
            f"select * from warehouse.{name}",
            f"select {typed} from read_parquet('{files}', hive_partitioning = true, hive_types_autocast = false)",
        )
    con.close()


@pytest.fixture(scope="module")
def demo_lake(demo_db_master: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lake") / "lake"
    lake.export(demo_db_master, folder)
    return folder


def test_the_demo_lake_gives_back_every_public_view_exactly(demo_db_master, demo_lake):
    _assert_lake_is_the_warehouse(demo_db_master, demo_lake)
    _assert_plain_duckdb_reads_it_back(demo_db_master, demo_lake)


def test_the_district_lake_gives_back_every_public_view_and_is_partitioned_by_town(district_db, tmp_path):
    folder = tmp_path / "lake"
    assert main(["export", "--parquet", str(folder), "--db", str(district_db)]) == 0
    _assert_lake_is_the_warehouse(district_db, folder)
    _assert_plain_duckdb_reads_it_back(district_db, folder)
    con = duckdb.connect(str(district_db), read_only=True)
    towns = con.execute("select count(distinct town_code) from indicator_values where year = 2021").fetchone()[0]
    con.close()
    assert towns > 1
    assert len(list((folder / "indicator_values" / "year=2021").glob("town_code=*"))) == towns


def test_the_schema_file_lists_every_column_its_partitions_and_the_warehouse(demo_db_master, demo_lake):
    schema = json.loads((demo_lake / "_schema.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(demo_db_master), read_only=True)
    for name in lake.PUBLIC_VIEWS:
        view = schema["views"][name]
        assert [c["name"] for c in view["columns"]] == [row[0] for row in con.execute(f"describe {name}").fetchall()]
        assert all(c["type"] for c in view["columns"])
    con.close()
    assert [k["name"] for k in schema["views"]["indicator_values"]["partition_by"]] == ["year", "town_code"]
    assert [k["name"] for k in schema["views"]["outreach_events"]["partition_by"]] == ["year", "town_code"]
    assert schema["views"]["outreach_events"]["added_columns"] == ["town_code"]
    assert schema["views"]["villages"]["partition_by"] == []
    assert schema["exported_at"] and schema["warehouse"]["schema_version"] and schema["warehouse"]["file"] == demo_db_master.name


def test_a_folder_that_is_not_a_lake_is_refused_and_left_alone(demo_db_master, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["export", "--parquet", str(folder), "--db", str(demo_db_master)]) == 1
    assert "不是本系统导出的数据湖" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no draft left beside it


def test_exporting_twice_replaces_the_lake_cleanly(demo_db, tmp_path, capsys):
    folder = tmp_path / "lake"
    assert main(["export", "--parquet", str(folder), "--db", str(demo_db)]) == 0
    first = lake.read_schema(folder)["exported_at"]
    (folder / "indicator_values" / "year=1999").mkdir()  # something a second export must not keep
    assert main(["export", "--parquet", str(folder), "--db", str(demo_db)]) == 0
    assert "已导出数据湖" in capsys.readouterr().out
    assert not (folder / "indicator_values" / "year=1999").exists()
    assert lake.read_schema(folder)["exported_at"] >= first
    assert [p.name for p in tmp_path.iterdir() if p.name != "demo.duckdb" and not p.name.startswith("demo.duckdb")] == ["lake"]
    _assert_lake_is_the_warehouse(demo_db, folder)


def test_a_failed_export_leaves_the_previous_lake_whole(demo_db, tmp_path, monkeypatch):
    folder = tmp_path / "lake"
    lake.export(demo_db, folder)
    before = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))

    def broken(*args):
        raise duckdb.IOException("disk went away")

    monkeypatch.setattr(lake, "_write_view", broken)
    assert main(["export", "--parquet", str(folder), "--db", str(demo_db)]) == 1
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".lake")]


def test_a_missing_warehouse_is_a_chinese_sentence(tmp_path, capsys):
    assert main(["export", "--parquet", str(tmp_path / "lake"), "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "文件不存在" in capsys.readouterr().err
    assert not (tmp_path / "lake").exists()


def test_export_needs_a_folder(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["export"])
    assert exit_.value.code == 2
    assert "缺少参数：--parquet" in capsys.readouterr().err
