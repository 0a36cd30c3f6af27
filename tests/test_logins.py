"""Logins that hold under parallel guessing, users whose changes take effect at once, and a
users file whose loss closes the dashboard instead of opening it."""

from __future__ import annotations

import threading
import types

import pytest

import ui.login
from etl.loading import journal
from figures import access, logins
from tests.dashboard_support import assert_clean, goto, open_app
from tests.test_access import PASSWORD, log_in, users  # noqa: F401 — the users fixture

NOW = 1_800_000_000.0


def test_a_name_gets_five_tries_then_waits_whatever_the_session(tmp_path):
    path = tmp_path / "users.toml"
    allowed = [logins.begin(path, "赵管理", f"10.0.0.{n}", now=NOW + n).allowed for n in range(8)]
    assert allowed == [True] * logins.NAME_ATTEMPTS + [False] * 3
    verdict = logins.begin(path, "赵管理", "10.0.0.99", now=NOW + 60)
    assert not verdict.allowed and verdict.wait_minutes == logins.LOCK_MINUTES - 1
    assert logins.begin(path, "赵管理", "10.0.0.99", now=NOW + logins.LOCK_MINUTES * 60 + 5).allowed, "the lock ends"


def test_forty_sessions_guessing_at_once_get_five_guesses(tmp_path):
    path = tmp_path / "users.toml"
    results: list[bool] = []
    start = threading.Barrier(40)

    def guess() -> None:
        start.wait()
        results.append(logins.begin(path, "赵管理", "10.0.0.1").allowed)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == logins.NAME_ATTEMPTS


def test_an_address_that_fails_often_is_locked_for_every_name(tmp_path):
    path = tmp_path / "users.toml"
    for n in range(logins.ADDRESS_ATTEMPTS):
        assert logins.begin(path, f"用户{n}", "10.0.0.7", now=NOW + n).allowed
        logins.finish(path, f"用户{n}", "10.0.0.7", success=False, now=NOW + n)
    assert not logins.begin(path, "另一个人", "10.0.0.7", now=NOW + 30).allowed
    assert logins.begin(path, "另一个人", "10.0.0.8", now=NOW + 30).allowed


def test_a_success_clears_the_name_and_the_count_survives_a_restart(tmp_path):
    path = tmp_path / "users.toml"
    for n in range(3):
        logins.begin(path, "王查看", "10.0.0.1", now=NOW + n)
    logins.finish(path, "王查看", "10.0.0.1", success=True, now=NOW + 3)
    assert all(logins.begin(path, "王查看", "10.0.0.1", now=NOW + 4 + n).allowed for n in range(logins.NAME_ATTEMPTS))
    # Another process (a restarted server) reads the same file.
    assert logins.state_file(path).exists() and oct(logins.state_file(path).stat().st_mode & 0o777) == "0o600"
    assert not logins.begin(path, "王查看", "10.0.0.1", now=NOW + 10).allowed


def test_the_login_form_locks_after_five_tries_and_the_journal_has_every_attempt(demo_db, users, monkeypatch):  # noqa: F811
    waited: list[float] = []  # the form's waits after a failure, asked for and recorded, not slept
    monkeypatch.setattr(ui.login, "time", types.SimpleNamespace(sleep=waited.append))
    at = open_app(demo_db, monkeypatch, users=users)
    for _ in range(logins.NAME_ATTEMPTS):
        assert [e.value for e in log_in(at, "赵管理", "wrong password").error] == ["用户名或密码不正确。请重试；忘记密码请联系系统管理员。"]
    assert waited == [access.failure_delay(n) for n in range(1, logins.NAME_ATTEMPTS + 1)] and waited[-1] > 0
    (locked,) = [e.value for e in log_in(at, "赵管理", PASSWORD).error]
    assert locked.startswith("登录尝试次数过多，已暂时锁定。"), "even the right password waits"
    at = log_in(open_app(demo_db, monkeypatch, users=users), "王查看")
    assert at.title[0].value == "总览"
    actions = [(e["actor"], e["action"]) for e in journal.entries(demo_db)]
    assert actions.count(("赵管理", "login_failed")) == logins.NAME_ATTEMPTS
    assert ("赵管理", "login_locked") in actions and ("王查看", "login") in actions
    log_in(open_app(demo_db, monkeypatch, users=users), "a password typed as a name", PASSWORD)
    assert all("a password typed" not in (e["actor"] + e["detail"]) for e in journal.entries(demo_db)), (
        "an unknown name is not written down"
    )


def test_a_demoted_user_loses_the_upload_page_at_the_next_click(demo_db, users, monkeypatch):  # noqa: F811
    at = log_in(open_app(demo_db, monkeypatch, users=users), "李司法")
    goto(at, "upload")
    assert at.title[0].value == "数据上报" and not at.error
    access.add_user("李司法", "viewer", "a new password", path=users)
    at.run()
    assert at.title[0].value == "法治看板 · 登录"
    assert any("已被系统管理员修改或删除" in w.value for w in at.warning)
    at = log_in(at, "李司法", "a new password")
    assert at.title[0].value == "总览"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        goto(at, "upload")  # a viewer is not offered 数据上报 any more


def test_a_removed_user_is_logged_out(demo_db, users, monkeypatch, capsys):  # noqa: F811
    from etl import cli

    at = log_in(open_app(demo_db, monkeypatch, users=users), "王查看")
    assert cli.main(["user", "remove", "王查看", "--users", str(users)]) == 0
    at.run()
    assert at.title[0].value == "法治看板 · 登录"
    assert cli.main(["user", "remove", "王查看", "--users", str(users)]) == 2
    assert "没有用户" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["removed", "corrupt"])
def test_a_users_file_that_goes_missing_or_breaks_closes_the_dashboard(demo_db, users, monkeypatch, damage):  # noqa: F811
    at = log_in(open_app(demo_db, monkeypatch, users=users), "赵管理")
    assert at.title[0].value == "总览"
    if damage == "removed":
        users.rename(users.with_name("moved.toml"))
    else:
        users.write_text("[[user]\nname = ", encoding="utf-8")
    at.run()
    assert not at.exception
    assert at.title[0].value == "法治看板"
    (message,) = [e.value for e in at.error]
    assert "看板已暂停使用" in message and "users.toml" in message
    assert not at.metric and not at.get("plotly_chart")


def test_without_a_users_file_the_demo_is_open_and_says_so(demo_db_master, monkeypatch, tmp_path):
    monkeypatch.setattr(access, "_default_seen", False)
    monkeypatch.setattr(access.settings, "DATA_DIR", tmp_path)  # no data/users.toml there
    monkeypatch.delenv("FAZHI_USERS", raising=False)
    monkeypatch.setenv("FAZHI_DB", str(demo_db_master))
    from streamlit.testing.v1 import AppTest

    from tests.dashboard_support import (  # the same set-up as open_app, without its FAZHI_USERS
        ENTRY,
        RUN_TIMEOUT,
        _navigation_mode,
        _no_component_scan,
    )

    _navigation_mode(monkeypatch)
    _no_component_scan(monkeypatch)
    at = AppTest.from_file(ENTRY, default_timeout=RUN_TIMEOUT).run()
    assert_clean(at)
    assert at.title[0].value == "总览"
    assert any(c.value.startswith("演示模式：没有设置用户") for c in at.sidebar.caption)
