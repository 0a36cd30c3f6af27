"""Access by role: with a users file, a person logs in; viewers see the topic pages, an
uploader uploads only their department's sheets, an admin has the ledger and 管理.
Passwords are kept as scrypt hashes only; XSRF protection is on."""

from __future__ import annotations

import hashlib
import sys
import tomllib
from pathlib import Path

import pytest

from etl.loading import originals
from etl.loading.loader import load_blobs
from figures import access
from tests.builders import DRUG_HEADER, correction_sheet
from tests.cli_support import etl
from tests.dashboard_support import ROOT, assert_clean, goto, open_app, sql
from tests.test_dashboard_upload import correction_2024, upload

PASSWORD = "correct horse 1"
TOPIC_PAGES = ["overview", "staffing", "correction", "mental_health", "drugs", "outreach"]


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    access.add_user("王查看", "viewer", PASSWORD, path=path)
    access.add_user("李司法", "uploader", PASSWORD, "司法所", path=path)
    access.add_user("赵管理", "admin", PASSWORD, path=path)
    return path


def log_in(at, name: str, password: str = PASSWORD):
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click()
    return at.run()


def test_the_user_command_stores_a_salted_scrypt_hash_and_never_the_password(tmp_path):
    path = tmp_path / "users.toml"
    for name in ("甲", "乙"):
        result = etl("user", "add", name, "--role", "viewer", "--password-stdin", "--users", path, input=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    hashes = [entry["password"] for entry in tomllib.loads(text)["user"]]
    assert all(h.startswith("scrypt$16384$8$1$") for h in hashes)
    assert hashes[0] != hashes[1], "the same password must hash differently (salted)"
    assert (path.stat().st_mode & 0o077) == 0, "the users file is readable by its owner only"
    assert access.authenticate("甲", PASSWORD, path).role == "viewer"
    assert access.authenticate("甲", "wrong password", path) is None


def test_an_uploader_must_belong_to_one_of_the_four_departments(tmp_path):
    with pytest.raises(ValueError, match="部门"):
        access.add_user("某人", "uploader", PASSWORD, "财政所", path=tmp_path / "users.toml")
    with pytest.raises(ValueError, match="8"):
        access.add_user("某人", "viewer", "short", path=tmp_path / "users.toml")


def test_a_plain_password_in_the_users_file_is_refused(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[[user]]\nname = "x"\nrole = "admin"\npassword = "secret"\n', encoding="utf-8")
    with pytest.raises(access.UsersFileError):
        access.read_users(path)


def test_nobody_sees_a_number_before_logging_in(demo_db_master, users, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, users=users)
    assert not at.exception
    assert [t.value for t in at.title] == ["法治看板 · 登录"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    # Before a login no page but the form exists to be asked for.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/correction.py")


def test_a_wrong_password_and_an_unknown_name_get_the_same_message(demo_db_master, users, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, users=users)
    wrong_password = [e.value for e in log_in(at, "王查看", "not the password").error]
    unknown_name = [e.value for e in log_in(at, "不存在的人", PASSWORD).error]
    assert wrong_password == unknown_name == ["用户名或密码不正确。请重试；忘记密码请联系系统管理员。"]
    assert "user" not in at.session_state


def test_the_login_delay_grows_after_repeated_failures():
    assert access.failure_delay(1) == access.failure_delay(2) == 0
    assert 0 < access.failure_delay(3) < access.failure_delay(4) < access.failure_delay(6) <= 8


def test_a_viewer_sees_the_topic_pages_and_is_not_offered_upload_ledger_or_admin(demo_db_master, users, monkeypatch):
    at = log_in(open_app(demo_db_master, monkeypatch, users=users), "王查看")
    assert_clean(at)
    assert at.title[0].value == "总览" and at.metric
    assert "当前用户：王查看（查看）" in [c.value for c in at.sidebar.caption]
    for page in TOPIC_PAGES:
        assert_clean(goto(at, page))
    for page in ("upload", "ledger", "admin"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            goto(at, page)


def test_a_restricted_page_checks_the_role_itself_even_if_it_is_reached(demo_db_master, users, monkeypatch):
    """Hiding a page from the menu is not the protection: were it reachable (a typed
    address, a bug in the menu), the page itself refuses a viewer."""
    real_may = access.User.may

    def may_in_menu_only(self, action):
        caller = sys._getframe(1).f_code.co_filename
        return True if caller.endswith("dashboard.py") else real_may(self, action)

    monkeypatch.setattr(access.User, "may", may_in_menu_only)
    at = log_in(open_app(demo_db_master, monkeypatch, users=users), "王查看")
    for page in ("upload", "ledger", "admin"):
        goto(at, page)
        assert [e.value for e in at.error] == ["你的账号无权使用本页。如需权限，请联系系统管理员。"], page
        assert not at.get("file_uploader") and not at.dataframe and not at.get("selectbox")[2:], page


def test_logging_out_returns_to_the_login_form(demo_db_master, users, monkeypatch):
    at = log_in(open_app(demo_db_master, monkeypatch, users=users), "王查看")
    at.sidebar.button(key="logout").click()
    at.run()
    assert [t.value for t in at.title] == ["法治看板 · 登录"]


def test_an_uploader_may_upload_but_not_see_the_ledger_or_admin(demo_db, books, users, monkeypatch):
    at = log_in(open_app(demo_db, monkeypatch, users=users), "李司法")
    path, villages = correction_2024(books, demo_db)
    upload(goto(at, "upload"), path)
    assert_clean(at)
    assert [box.value for box in at.success] == [f"已载入：共 {villages * 7} 个数值。各页面已更新为最新数字。"]
    (actor,) = sql(demo_db, "select actor from audit_trail where action = 'load'")[-1:]
    assert actor == ("李司法",)
    for page in ("ledger", "admin"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            goto(at, page)


def drugs_sheet(names: list[str]):
    rows = [["十里亭镇2024年度吸毒人员管控情况统计表"], DRUG_HEADER, *[[name, 5, 1, 0, 1, 0] for name in names]]
    return rows


def test_an_uploader_of_the_justice_office_gets_a_drug_office_sheet_refused_whole(demo_db, books, users, monkeypatch):
    names = [name for (name,) in sql(demo_db, "select village_name from villages order by village_code")]
    mixed = books.write(
        "司法所和禁毒办_2024.xlsx",
        correction_sheet([[name, 1, 1, 0, 0, 0, 0, 0] for name in names], year=2024),
        books.sheet("吸毒人员", drugs_sheet(names)),
    )
    at = log_in(open_app(demo_db, monkeypatch, users=users), "李司法")
    upload(goto(at, "upload"), mixed)
    assert not at.exception
    assert [box.value for box in at.error] == ["已拒绝：整个文件未载入，请按下表逐项修改后重新上传"]
    problems = at.table[0].value
    assert [code.replace("\\", "") for code in problems["代码"]] == ["NOT_YOUR_DEPARTMENT"]
    assert problems.iloc[0]["工作表"] == "吸毒人员"
    assert "属于禁毒办" in problems.iloc[0]["问题和改法"].replace("\\", "")
    # Nothing of the file is in the warehouse, not even its own department's sheet, and
    # its original is not kept.
    assert sql(demo_db, "select count(*) from indicator_values where year = 2024") == [(0,)]
    kept = [p for p in originals.store_dir(demo_db).rglob("*") if p.is_file() and p.name != "manifest.jsonl"]
    assert not any(p.name.startswith(hashlib.sha256(mixed.read_bytes()).hexdigest()) for p in kept)


def test_the_department_limit_holds_in_the_etl_itself(db_path, books):
    names = ["前进路社区", "金凤坪村", "十里亭社区"]
    sheet = books.write("禁毒_2024.xlsx", books.sheet("吸毒人员", drugs_sheet(names)))
    refused = load_blobs(db_path, [(sheet.name, sheet.read_bytes())], departments=frozenset({"司法所"}))[0]
    assert refused.status == "rejected" and [e.code for e in refused.errors] == ["NOT_YOUR_DEPARTMENT"]
    allowed = load_blobs(db_path, [(sheet.name, sheet.read_bytes())], departments=frozenset({"禁毒办"}))[0]
    assert allowed.status == "loaded"


def test_an_admin_has_every_page_and_can_freeze_and_roll_back(demo_db, books, users, monkeypatch):
    path, _ = correction_2024(books, demo_db)
    older = load_blobs(demo_db, [(path.name, path.read_bytes())])[0].submission_ids[0]
    newer_path = books.write("社区矫正_2024_更正.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]], year=2024))
    newer = load_blobs(demo_db, [(newer_path.name, newer_path.read_bytes())])[0].submission_ids[0]
    at = log_in(open_app(demo_db, monkeypatch, users=users), "赵管理")
    for page in ("upload", "ledger", "admin"):
        goto(at, page)
        assert not at.exception and at.title[-1].value == {"upload": "数据上报", "ledger": "上报台账", "admin": "管理"}[page]

    # Roll back the correction: the first file is current again.
    at.selectbox(key="roll_back_choice").set_value(newer)
    at.checkbox(key="roll_back_confirm").check()
    at.button(key="roll_back_submit").click()
    at.run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["已完成，各页面已更新。"]
    status = dict(sql(demo_db, "select submission_id, status from submissions where submission_id in (?, ?)", [older, newer]))
    assert status == {older: "loaded", newer: "superseded"}
    assert sql(demo_db, "select sum(value) from indicator_values where indicator_code = 'cc_registered' and year = 2024") == [
        (sql(demo_db, "select count(*) from villages")[0][0],)
    ]

    # Freeze 2024 社区矫正: a later load is refused with FROZEN, naming who froze it.
    at.selectbox(key="freeze_topic").set_value("correction")
    at.selectbox(key="freeze_year").set_value(2024)
    at.button(key="freeze_submit").click()
    at.run()
    assert_clean(at)
    assert sql(demo_db, "select topic, year, frozen_by from frozen_submissions") == [("correction", 2024, "赵管理")]
    again = books.write("社区矫正_2024_再次.xlsx", correction_sheet([["前进路社区", 3, 3, 0, 0, 0, 0, 0]], year=2024))
    refused = load_blobs(demo_db, [(again.name, again.read_bytes())])[0]
    assert refused.status == "rejected" and [e.code for e in refused.errors] == ["FROZEN"]
    assert "赵管理" in refused.errors[0].message
    # Rolling back a frozen year is refused too, with a reason.
    at.selectbox(key="roll_back_choice").set_value(older)
    at.checkbox(key="roll_back_confirm").check()
    at.button(key="roll_back_submit").click()
    at.run()
    assert [e.value for e in at.error] == ["2024年的这项报表已冻结，请先解冻再撤回"]
    # The ledger shows the withdrawn version as such.
    goto(at, "ledger")
    versions = next(frame.value for frame in at.dataframe if "被替代为" in frame.value.columns)
    assert set(versions.loc[versions["文件"] == newer_path.name, "状态"]) == {"已撤回"}


def test_without_a_users_file_the_dashboard_asks_for_no_login(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch)
    assert_clean(at)
    assert at.title[0].value == "总览" and at.metric


def test_xsrf_protection_is_on_in_the_server_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
