"""Originals kept by content; rebuild, backup and restore give back the same public views."""

import duckdb

from etl.authoring import demo
from etl.loading import maintenance, originals, warehouse
from etl.loading.loader import load_blobs
from tests.builders import correction_sheet
from tests.conftest import assert_invariants_hold

PUBLIC_VIEWS = ("villages", "indicators", "indicator_values", "outreach_events", "submissions")


def snapshot(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {view: con.execute(f"select * from {view} order by all").fetchall() for view in PUBLIC_VIEWS}
    finally:
        con.close()


def load_files(db_path, *paths, year=None):
    reports = load_blobs(db_path, [(p.name, p.read_bytes()) for p in paths], year=year)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert_invariants_hold(con, originals.store_dir(db_path))
    finally:
        con.close()
    return reports


def test_loaded_originals_are_kept_by_content_and_refused_ones_never(books, db_path):
    good = books.write("好.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]]))
    personal = books.write(
        "名单.xlsx", books.sheet("S", [["2021年度"], ["村（社区）", "姓名", "在册社区矫正对象"], ["前进路社区", "某某", 1]])
    )
    reports = load_files(db_path, good, personal)
    assert [r.status for r in reports] == ["loaded", "rejected"]
    root = originals.store_dir(db_path)
    kept = [p for p in root.rglob("*.xlsx")]
    assert len(kept) == 1 and kept[0].read_bytes() == good.read_bytes()
    assert [e.file_name for e in originals.entries(root)] == ["好.xlsx"]


def test_a_file_refused_for_a_frozen_year_is_not_kept(books, db_path):
    first = books.write("c1.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]]))
    load_files(db_path, first)
    warehouse.freeze(db_path, "correction", 2021, "赵管理")
    later = books.write("c2.xlsx", correction_sheet([["前进路社区", 3, 3, 0, 0, 0, 0, 0]]))
    [report] = load_files(db_path, later)
    assert [e.code for e in report.errors] == ["FROZEN"]
    root = originals.store_dir(db_path)
    kept = sorted(p.read_bytes() for p in root.rglob("*.xlsx"))
    assert kept == [first.read_bytes()]
    assert [e.file_name for e in originals.entries(root)] == ["c1.xlsx"]


def test_rebuild_recreates_the_public_views_exactly(books, db_path):
    first = books.write("c1.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]]))
    second = books.write("c2.xlsx", correction_sheet([["前进路社区", 3, 3, 0, 0, 0, 0, 0]]))  # supersedes the first
    undated = books.write("c3.xlsx", correction_sheet([["金凤坪村", 2, 2, 0, 0, 0, 0, 0]], year=None))
    load_files(db_path, first)
    load_files(db_path, second)
    load_files(db_path, undated, year=2020)
    before = snapshot(db_path)
    db_path.unlink()
    replayed, left_out, previous = maintenance.rebuild(db_path)
    assert (replayed, left_out, previous) == (3, 0, None)
    assert snapshot(db_path) == before
    con = duckdb.connect(str(db_path), read_only=True)
    assert_invariants_hold(con, originals.store_dir(db_path))
    con.close()


def test_backup_then_restore_gives_the_same_views(tmp_path):
    demo_db = tmp_path / "demo" / "w.duckdb"
    demo.build_demo(demo_db)
    archive = maintenance.backup(demo_db, tmp_path / "备份.zip")
    target = tmp_path / "elsewhere" / "w.duckdb"
    maintenance.restore(archive, target)
    assert snapshot(target) == snapshot(demo_db)
    maintenance.rebuild(target)  # the originals came along too
    assert snapshot(target) == snapshot(demo_db)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip")
    try:
        maintenance.restore(bogus, db_path)
    except maintenance.BadBackup:
        pass
    else:
        raise AssertionError("a bogus backup was accepted")
    assert not db_path.exists()
