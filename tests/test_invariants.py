"""The warehouse's declared invariants (etl/loading/invariants.toml): `python -m etl check` passes
on the demo and fails, naming the broken invariant, on a warehouse corrupted by hand."""

import shutil
from pathlib import Path

import duckdb
import pytest

from etl.loading import invariants, originals
from tests.cli_support import etl


@pytest.fixture
def demo_db(demo_db_master, tmp_path) -> Path:
    """A private copy of the demo warehouse with its kept originals."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_master, path)
    shutil.copytree(originals.store_dir(demo_db_master), originals.store_dir(path))
    return path


def check(db: Path):
    return etl("check", "--db", db)


def test_the_demo_warehouse_passes_every_check(demo_db):
    result = check(demo_db)
    assert result.returncode == 0, result.stdout
    assert "全部成立" in result.stdout and "✘" not in result.stdout and "Traceback" not in result.stderr


def test_every_declared_check_has_a_kind_the_runner_knows_and_a_chinese_name():
    declared = invariants.declared()
    assert {c.kind for c in declared} <= invariants.KINDS
    assert {"unique", "not_null", "accepted_values", "relationships", "catalog_rules", "kept_originals"} <= {c.kind for c in declared}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c.name) for c in declared)


CORRUPTIONS = {
    "a number loaded twice": (
        "insert into fact select * from fact where indicator_code = 'cc_absconded' limit 1",
        "同一指标只有一个数",
    ),
    "a value of a village not on the list": (
        "update fact set village_code = '440204100999' where rowid = (select min(rowid) from fact where village_code is not null)",
        "都在村（社区）名单里",
    ),
    "a qualifier outside its list": ("update fact set qualifier = 'maybe' where rowid = (select min(rowid) from fact)", "限定词只取"),
    "a status outside its list": (
        "update submission set status = 'pending' where rowid = (select min(rowid) from submission)",
        "报送的状态只取",
    ),
    "a broken sum rule": (
        "update fact set value = value + 1 where rowid = (select min(f.rowid) from fact f join submission s using (submission_id) "
        "where s.status = 'loaded' and f.indicator_code = 'mh_managed')",
        "目录规则",
    ),
    "a row count that does not match": (
        "update submission set row_count = row_count + 1 where rowid = (select min(rowid) from submission)",
        "row_count",
    ),
    "a negative count": (
        "update fact set value = -1 where rowid = (select min(f.rowid) from fact f join submission s using (submission_id) "
        "where s.status = 'loaded' and f.indicator_code = 'drug_incidents')",
        "不小于 0",
    ),
    "a village's number filed under another town": (
        "update submission set town_code = '440204999' where rowid = (select min(s.rowid) from submission s "
        "join fact f using (submission_id) where s.status = 'loaded' and f.village_code is not null)",
        "不串镇",
    ),
    "two current submissions of one year": (
        "insert into submission select * replace (submission_id || '-copy' as submission_id) "
        "from submission where rowid = (select min(rowid) from submission)",
        "只有一份当前有效的报送",
    ),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=list(CORRUPTIONS))
def test_a_warehouse_corrupted_by_hand_fails_naming_the_broken_invariant(demo_db, corruption):
    sql, expected = CORRUPTIONS[corruption]
    con = duckdb.connect(str(demo_db))
    con.execute(sql)
    con.close()
    result = check(demo_db)
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("✘")]
    assert any(expected in line for line in failed), result.stdout
    assert "Traceback" not in result.stderr


def test_a_missing_original_fails_the_kept_originals_check(demo_db):
    store = originals.store_dir(demo_db)
    victim = next(p for p in store.rglob("*") if p.is_file() and p.name != "manifest.jsonl" and p.name != "dataset")
    victim.unlink()
    result = check(demo_db)
    assert result.returncode == 1
    assert any("原始文件夹" in line for line in result.stdout.splitlines() if line.startswith("✘"))


def test_check_on_a_missing_warehouse_is_a_usage_error(tmp_path):
    result = check(tmp_path / "nope.duckdb")
    assert result.returncode == 2 and "用法错误" in result.stderr
