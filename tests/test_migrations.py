"""Schema versions: a warehouse written by an earlier release is upgraded in place, in the
writer's transaction, and keeps every number; a newer one is refused."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from etl.loading import migrations, warehouse
from etl.loading.loader import load_blobs
from tests.builders import correction_sheet
from tests.conftest import assert_invariants_hold

FIXTURES = Path(__file__).parent / "fixtures"
VIEWS = "select year, village_code, indicator_code, value, qualifier, source_ref from indicator_values order by all"


@pytest.fixture
def first_release(tmp_path) -> Path:
    """A warehouse made by the first release (no schema version): 2021 and 2022 samples,
    a frozen year and one roll-back."""
    with zipfile.ZipFile(FIXTURES / "warehouse_v1.duckdb.zip") as archive:
        archive.extractall(tmp_path)
    return tmp_path / "warehouse_v1.duckdb"


@pytest.fixture
def second_release(tmp_path) -> Path:
    """A warehouse made by the release before step 3 (schema version 2): the 2021 and 2022 samples,
    2021 staffing frozen, the 2022 event list rolled back."""
    with zipfile.ZipFile(FIXTURES / "warehouse_v2.duckdb.zip") as archive:
        archive.extractall(tmp_path)
    return tmp_path / "warehouse_v2.duckdb"


def test_a_version_two_warehouse_gains_unfilled_villages_in_place_and_keeps_every_number(second_release):
    before = duckdb.connect(str(second_release), read_only=True)
    assert migrations.current(before) == 2
    numbers = before.execute(VIEWS).fetchall()
    frozen = before.execute("select topic, year, frozen_by from frozen").fetchall()
    before.close()
    con = warehouse.connect(second_release)
    assert migrations.current(con) == migrations.latest() >= 3
    assert con.execute(VIEWS).fetchall() == numbers
    assert con.execute("select topic, year, frozen_by from frozen").fetchall() == frozen == [("staffing", 2021, "赵管理")]
    # Files loaded before step 3 were not counted: NULL, not a made-up 0.
    assert con.execute("select count(*) from submission_history where unfilled_villages is not null").fetchone() == (0,)
    assert_invariants_hold(con)
    con.close()


def test_the_first_release_counts_as_step_one(first_release):
    con = duckdb.connect(str(first_release), read_only=True)
    assert migrations.current(con) == 1


def test_an_old_warehouse_is_upgraded_in_place_and_keeps_every_number(first_release):
    before = duckdb.connect(str(first_release), read_only=True)
    numbers = before.execute(VIEWS).fetchall()
    before.close()
    con = warehouse.connect(first_release)
    assert migrations.current(con) == migrations.latest()
    assert con.execute(VIEWS).fetchall() == numbers
    # The roll-back of the first release names its submission in the new column.
    assert con.execute("select subject from audit where action = 'roll_back'").fetchall() == [("134c445003a0-outreach-2021",)]
    assert_invariants_hold(con)
    con.close()


def test_a_load_into_an_upgraded_warehouse_works(first_release, books):
    path = books.write("c.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]], year=2024))
    reports = load_blobs(first_release, [(path.name, path.read_bytes())])
    assert [r.status for r in reports] == ["loaded"]
    con = duckdb.connect(str(first_release), read_only=True)
    assert con.execute("select value from info where key = 'schema_version'").fetchone() == (str(migrations.latest()),)
    assert con.execute("select sum(value) from indicator_values where year = 2024").fetchone() == (4,)


def test_a_failed_step_leaves_the_warehouse_as_it_was(first_release, monkeypatch, tmp_path):
    broken = tmp_path / "steps"
    shutil.copytree(migrations.STEPS_DIR, broken)
    (broken / "999_broken.sql").write_text("alter table no_such_table add column x int;", encoding="utf-8")
    monkeypatch.setattr(migrations, "STEPS_DIR", broken)
    con = duckdb.connect(str(first_release))
    with pytest.raises(duckdb.Error):
        migrations.upgrade(con)
    assert migrations.current(con) == 1
    assert "subject" not in {row[0] for row in con.execute("describe audit").fetchall()}


def test_a_warehouse_of_a_newer_release_is_refused(db_path):
    con = warehouse.connect(db_path)
    warehouse.set_info(con, migrations.VERSION_KEY, str(migrations.latest() + 1))
    con.close()
    with pytest.raises(migrations.WarehouseTooNew):
        warehouse.connect(db_path)


def test_the_dashboard_upgrades_a_warehouse_of_an_earlier_release_before_reading_it(second_release, monkeypatch):
    """The program is upgraded, the warehouse is not (nobody has loaded since): the first page
    brings its tables and views up to date, on a copy swapped in, and reads every number."""
    from tests.dashboard_support import open_app

    con = duckdb.connect(str(second_release), read_only=True)
    before = con.execute(VIEWS).fetchall()
    con.close()
    assert not warehouse.is_current(second_release)
    at = open_app(second_release, monkeypatch, page="ledger")
    assert not at.exception
    assert [box.value for box in at.error] == ["2022年度尚未上报：普法活动（司法所）"]  # rolled back in that release
    assert warehouse.is_current(second_release)
    con = duckdb.connect(str(second_release), read_only=True)
    assert con.execute(VIEWS).fetchall() == before
    assert "town_code" in {
        c for (c,) in con.execute("select column_name from information_schema.columns where table_name = 'submission_history'").fetchall()
    }
    con.close()
