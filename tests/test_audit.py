"""The audit trail: who loaded, superseded, refused, rolled back, froze or exported what
and when, in the warehouse, written with the change it records, shown to admins."""

from __future__ import annotations

import contextlib

import duckdb

from etl import cli
from etl.loading import journal, warehouse
from etl.loading.loader import load_blobs
from figures import queries
from tests.builders import correction_sheet
from tests.dashboard_support import goto, open_app, sql
from tests.test_access import log_in, users  # noqa: F401 — the users fixture
from tests.test_dashboard_upload import correction_2024, upload


def trail(db) -> list[tuple[str, str, str]]:
    """The whole trail, oldest first: the warehouse's entries and the journal's."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = queries.audit_trail(con.cursor(), journal=str(journal.journal_path(db)))
    finally:
        con.close()
    frame = frame.sort_values(["at", "action"], kind="stable")
    return list(zip(frame["actor"], frame["action"], frame["detail"], strict=True))


def test_every_load_attempt_is_audited_with_its_outcome_and_no_workbook_contents(db_path, books):
    names = ["前进路社区", "金凤坪村", "十里亭社区"]
    first = books.write("社区矫正_2024.xlsx", correction_sheet([[n, 1, 1, 0, 0, 0, 0, 0] for n in names], year=2024))
    second = books.write("社区矫正_2024_更正.xlsx", correction_sheet([[n, 2, 2, 0, 0, 0, 0, 0] for n in names], year=2024))
    bad = books.write("社区矫正_2024_错.xlsx", correction_sheet([["前进路社区", "很多", 1, 0, 0, 0, 0, 0]], year=2024))
    load_blobs(db_path, [(p.name, p.read_bytes()) for p in (first,)], actor="李司法")
    load_blobs(db_path, [(p.name, p.read_bytes()) for p in (second, bad, first)], actor="李司法")
    entries = trail(db_path)
    actions = [action for _, action, _ in entries]
    assert sorted(actions) == sorted(["load", "load", "supersede", "reject", "duplicate"])
    assert {actor for actor, _, _ in entries} == {"李司法"}
    supersede = next(detail for _, action, detail in entries if action == "supersede")
    assert first.name in supersede and "被" in supersede
    reject = next(detail for _, action, detail in entries if action == "reject")
    assert bad.name in reject and "NOT_A_COUNT" in reject
    assert not any("很多" in detail for _, _, detail in entries), "no cell contents in the audit"


def test_the_audit_entry_is_written_in_the_same_transaction_as_the_load(db_path, books, monkeypatch):
    path = books.write("社区矫正_2024.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]], year=2024))
    real = warehouse.insert_rows

    def fail_on_audit(con, table, rows):
        if table == "audit":
            raise RuntimeError("disk full")
        real(con, table, rows)

    monkeypatch.setattr(warehouse, "insert_rows", fail_on_audit)
    with contextlib.suppress(RuntimeError):
        load_blobs(db_path, [(path.name, path.read_bytes())])
    con = duckdb.connect(str(db_path), read_only=True) if db_path.exists() else None
    loaded = con.execute("select count(*) from submissions").fetchone()[0] if con else 0
    assert loaded == 0, "a load whose audit entry cannot be written must not be committed"


def test_a_load_from_the_command_line_is_by_the_command_line(tmp_path, books, monkeypatch):
    path = books.write("社区矫正_2024.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]], year=2024))
    db = tmp_path / "w.duckdb"
    assert cli.main(["load", str(path), "--db", str(db)]) == 0
    ((actor, action, detail),) = trail(db)
    assert actor.startswith("命令行") and action == "load" and path.name in detail


def test_roll_back_freeze_and_unfreeze_are_audited_with_who_did_them(db_path, books):
    path = books.write("社区矫正_2024.xlsx", correction_sheet([["前进路社区", 1, 1, 0, 0, 0, 0, 0]], year=2024))
    (submission,) = load_blobs(db_path, [(path.name, path.read_bytes())])[0].submission_ids
    warehouse.roll_back(db_path, submission, "赵管理")
    warehouse.freeze(db_path, "correction", 2024, "赵管理")
    warehouse.unfreeze(db_path, "correction", 2024, "钱管理")
    admin = [(actor, action) for actor, action, _ in trail(db_path) if action in ("roll_back", "freeze", "unfreeze")]
    assert admin == [("赵管理", "roll_back"), ("赵管理", "freeze"), ("钱管理", "unfreeze")]


def test_a_download_is_audited_with_the_page_table_and_filters(demo_db, monkeypatch):
    at = open_app(demo_db, monkeypatch, {"from": "2021", "to": "2021"}, page="correction")
    exports = at.session_state["_exports"]
    assert "明细（CSV）" in exports
    data = exports["明细（CSV）"]()
    assert data.startswith(b"\xef\xbb\xbf")
    ((actor, action, detail),) = [row for row in trail(demo_db) if row[1] == "export"]
    assert (actor, action) == ("看板", "export")
    assert detail.startswith("社区矫正·明细（CSV）；2021年") and "范围：全镇" in detail


def test_admins_see_the_audit_trail_newest_first_and_can_filter_it(demo_db, books, users, monkeypatch):  # noqa: F811
    path, _ = correction_2024(books, demo_db)
    at = log_in(open_app(demo_db, monkeypatch, users=users), "李司法")
    upload(goto(at, "upload"), path)
    at = log_in(open_app(demo_db, monkeypatch, users=users), "赵管理")
    goto(at, "admin")
    table = next(frame.value for frame in at.dataframe if "操作人" in frame.value.columns)
    # Newest first: the uploader's load and the admin's own login (logins are audited too),
    # in the same second or one after the other.
    newest = set(zip(table["操作人"][:3], table["操作"][:3], strict=True))
    assert {("李司法", "导入"), ("赵管理", "登录")} <= newest
    assert list(table["时间"]) == sorted(table["时间"], reverse=True)
    at.text_input(key="audit_actor").input("不存在").run()
    assert "没有符合条件的记录。" in [c.value for c in at.caption]


def test_a_rebuild_keeps_the_audit_trail_frozen_years_and_roll_backs(db_path, books):
    from etl.loading import maintenance

    names = ["前进路社区", "金凤坪村"]
    first = books.write("社区矫正_2024.xlsx", correction_sheet([[n, 1, 1, 0, 0, 0, 0, 0] for n in names], year=2024))
    second = books.write("社区矫正_2024_更正.xlsx", correction_sheet([[n, 2, 2, 0, 0, 0, 0, 0] for n in names], year=2024))
    load_blobs(db_path, [(first.name, first.read_bytes())], actor="李司法")
    (newer,) = load_blobs(db_path, [(second.name, second.read_bytes())], actor="李司法")[0].submission_ids
    warehouse.roll_back(db_path, newer, "赵管理")
    warehouse.freeze(db_path, "correction", 2024, "赵管理")
    before = sql(db_path, "select submission_id, status from submissions order by submission_id")
    old_trail = trail(db_path)
    maintenance.rebuild(db_path)
    assert sql(db_path, "select submission_id, status from submissions order by submission_id") == before
    assert sql(db_path, "select frozen_by from frozen_submissions") == [("赵管理",)]
    assert trail(db_path)[: len(old_trail)] == old_trail
    assert trail(db_path)[-1][1] == "rebuild"
