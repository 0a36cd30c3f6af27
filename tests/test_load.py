"""Loading never loses or double-counts: all or nothing, duplicates, supersession, the log."""

import json

import duckdb
import pytest

from etl.loading import warehouse
from etl.loading.loader import load_blobs
from tests.builders import correction_sheet
from tests.conftest import assert_invariants_hold

ROWS = [["前进路社区", 2, 2, 0, 0, 0, 0, 0], ["金凤坪村", 1, 1, 0, 0, 0, 0, 0]]


def town_total(con, indicator="cc_registered", year=2021):
    return con.execute("select sum(value) from indicator_values where indicator_code = ? and year = ?", [indicator, year]).fetchone()[0]


def test_the_same_bytes_again_are_a_duplicate_and_change_nothing(books, load, fresh_db):
    path = books.write("c.xlsx", correction_sheet(ROWS))
    [first] = load(path)
    [second] = load(path)
    assert (first.status, second.status) == ("loaded", "duplicate")
    assert second.submission_ids == first.submission_ids
    assert town_total(fresh_db) == 3
    assert fresh_db.execute("select count(*) from submissions").fetchone()[0] == 1


def test_a_corrected_resubmission_replaces_never_adds(books, load, fresh_db):
    [first] = load(books.write("c.xlsx", correction_sheet(ROWS)))
    [second] = load(books.write("c_改.xlsx", correction_sheet([["前进路社区", 5, 5, 0, 0, 0, 0, 0]])))
    assert second.status == "loaded"
    assert town_total(fresh_db) == 5
    statuses = dict(fresh_db.execute("select submission_id, status from submissions").fetchall())
    assert statuses == {first.submission_ids[0]: "superseded", second.submission_ids[0]: "loaded"}
    superseded_by = fresh_db.execute("select superseded_by from submission_history where status='superseded'").fetchone()[0]
    assert superseded_by == second.submission_ids[0]
    # The superseded numbers stay as history, out of the public view.
    assert fresh_db.execute("select count(*) from fact where submission_id = ?", first.submission_ids).fetchone()[0] == 14


def test_two_versions_in_one_batch_keep_only_the_later(books, fresh_db):
    older = books.write("a.xlsx", correction_sheet(ROWS))
    newer = books.write("b.xlsx", correction_sheet([["前进路社区", 4, 4, 0, 0, 0, 0, 0]]))
    reports = load_blobs(fresh_db, [(p.name, p.read_bytes()) for p in (older, newer)])
    assert [r.status for r in reports] == ["loaded", "loaded"]
    assert town_total(fresh_db) == 4
    assert_invariants_hold(fresh_db)
    assert fresh_db.execute("select count(*) from submissions where status = 'loaded'").fetchone()[0] == 1


def test_other_years_and_other_sheet_kinds_are_not_superseded(books, load, fresh_db):
    load(books.write("c2021.xlsx", correction_sheet(ROWS, year=2021)))
    load(books.write("c2022.xlsx", correction_sheet(ROWS[:1], year=2022)))
    assert (town_total(fresh_db, year=2021), town_total(fresh_db, year=2022)) == (3, 2)


def test_a_refused_file_writes_no_number_but_is_logged_with_its_errors(books, load, fresh_db):
    good = books.write("c.xlsx", correction_sheet(ROWS))
    load(good)
    bad = books.write("c_bad.xlsx", correction_sheet([["前进路社区", 9, 9, 0, 0, 0, 0, 0], ["金凤坪村", -1, 0, 0, 0, 0, 0, 0]]))
    [report] = load(bad)
    assert report.status == "rejected"
    assert town_total(fresh_db) == 3  # the good file's numbers stand; nothing of the bad one
    log = fresh_db.execute("select file_name, status, error_count, errors from load_log order by attempted_at, status").fetchall()
    assert [(f, s) for f, s, _, _ in log] == [("c.xlsx", "loaded"), ("c_bad.xlsx", "rejected")]
    errors = json.loads(log[1][3])
    assert errors == [{"code": "NEGATIVE", "message": errors[0]["message"], "sheet": "社区矫正", "cell": "B4"}]


def test_a_failure_during_the_commit_leaves_nothing_behind(books, fresh_db, monkeypatch):
    path = books.write("c.xlsx", correction_sheet(ROWS))
    original = warehouse.insert_rows

    def failing(con, table, rows):
        if table == "event":
            raise duckdb.IOException("disk full")
        original(con, table, rows)

    monkeypatch.setattr(warehouse, "insert_rows", failing)
    with pytest.raises(duckdb.IOException):
        load_blobs(fresh_db, [(path.name, path.read_bytes())])
    for table in ("fact", "submission", "load_attempt"):
        assert fresh_db.execute(f"select count(*) from {table}").fetchone()[0] == 0


def test_every_number_keeps_its_file_sheet_and_cell(books, load, fresh_db):
    load(books.write("矫正.xlsx", correction_sheet(ROWS)))
    refs = {r[0] for r in fresh_db.execute("select source_ref from indicator_values").fetchall()}
    assert "矫正.xlsx!社区矫正!B3" in refs and "矫正.xlsx!社区矫正!H4" in refs
    assert len(refs) == 14


def test_public_views_have_exactly_the_contracted_columns(fresh_db):
    expected = {
        "villages": "town_code town_name village_code village_name village_type police_station",
        "indicators": "indicator_code indicator_name topic department unit breakdown kind sensitive",
        "indicator_values": "year town_code village_code village_name indicator_code indicator_name topic unit value qualifier submission_id source_ref",
        "outreach_events": "event_id event_date year village_code village_name location theme partners materials materials_qualifier banners "
        "banners_qualifier consultations consultations_qualifier participants participants_qualifier submission_id source_ref",
        "submissions": "submission_id file_name sha256 department year loaded_at status row_count",
    }
    for view, columns in expected.items():
        got = [row[0] for row in fresh_db.execute(f"describe {view}").fetchall()]
        assert got == columns.split(), view


def test_the_catalog_and_village_list_reach_the_views(fresh_db):
    assert fresh_db.execute("select count(*) from villages").fetchone()[0] == 16
    kinds = dict(fresh_db.execute("select village_type, count(*) from villages group by 1").fetchall())
    assert kinds == {"社区": 10, "村": 6}
    row = fresh_db.execute(
        "select topic, department, unit, breakdown, kind, sensitive from indicators where indicator_code='mh_managed'"
    ).fetchone()
    assert row == ("mental_health", "综治办", "人", "village", "stock", True)
    assert fresh_db.execute("select breakdown from indicators where indicator_code='staff_posts_total'").fetchone()[0] == "town"
