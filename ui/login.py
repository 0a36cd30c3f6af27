"""Who is looking: the login form before any number, the user box, and the role check each
restricted page makes again (figures.access says what each role may do).

Attempts are throttled per name and per client address across every session and restart
(figures.logins); every login and refused login goes to the journal beside the warehouse.
A session's user is checked against the users file on every run, so a demotion, a removal
or a new password takes effect at once; a users file that goes missing or breaks closes
the dashboard with a Chinese message, never opens it.
"""

from __future__ import annotations

import time

import streamlit as st

from etl.loading import journal
from figures import access, logins
from ui.connection import LOGGER, db_path

KEY_USER = "user"
_KEY_FAILURES = "_login_failures"
_KEY_SIGNED_OUT = "_signed_out_because"
LOGIN_FAILED = "用户名或密码不正确。请重试；忘记密码请联系系统管理员。"
CHANGED = "你的账号已被系统管理员修改或删除，请重新登录。"
UNKNOWN_NAME = "（不存在的用户名）"


def current_user() -> access.User:
    """The logged-in person as the users file says now; with no users file (the demo), one
    with every right. A session whose user was changed or removed is logged out."""
    if not access.enabled():
        return access.NOBODY
    user = st.session_state.get(KEY_USER)
    if user is None:
        return access.User("", "")
    try:
        now = access.current(user)
    except access.UsersFileError:
        now = None
    if now is None or now != user:
        for key in (KEY_USER, "upload_reports"):
            st.session_state.pop(key, None)
        st.session_state[_KEY_SIGNED_OUT] = CHANGED
        return access.User("", "")
    return now


def _client_address() -> str:
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 — no request behind this run (tests): one address for all
        address = None
    return address if isinstance(address, str) and address else "本机"


def login_gate() -> None:
    """With a users file, nobody sees a page before logging in; with a broken one, nobody
    sees a page at all. Without one (the demo), every page says so."""
    gate = access.state()
    if gate.mode == "broken":
        LOGGER.error("users file unusable: %s", gate.message)
        st.navigation([st.Page(lambda: _closed(gate.message), title="暂停使用", url_path="closed", default=True)], position="hidden").run()
        st.stop()
    if gate.mode == "off" or current_user().name:
        return
    # The only page before a login: without a navigation Streamlit would list pages/.
    st.navigation([st.Page(_login_form, title="登录", url_path="login", default=True)], position="hidden").run()
    st.stop()


def _closed(message: str) -> None:
    st.title("法治看板")
    st.error(message, icon=":material/lock:")


def _login_form() -> None:
    st.title("法治看板 · 登录")
    st.caption("本看板含社区矫正、严重精神障碍患者、吸毒人员等敏感个人信息的统计数，仅限授权人员使用。")
    reason = st.session_state.pop(_KEY_SIGNED_OUT, None)
    if reason:
        st.warning(reason)
    with st.form("login_form", border=True):
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary", key="login_submit")
    if submitted:
        _attempt(name.strip(), password)


def _attempt(name: str, password: str) -> None:
    users_path = access.users_file()
    address = _client_address()
    verdict = logins.begin(users_path, name, address)
    if not verdict.allowed:
        _journal(name, "login_locked", f"尝试过多，暂时锁定（来自 {address}）")
        st.error(f"登录尝试次数过多，已暂时锁定。请 {verdict.wait_minutes} 分钟后再试；如需帮助请联系系统管理员。")
        return
    user = access.authenticate(name, password)
    logins.finish(users_path, name, address, success=user is not None)
    if user is None:
        _journal(name, "login_failed", f"用户名或密码不正确（来自 {address}）")
        st.session_state[_KEY_FAILURES] = st.session_state.get(_KEY_FAILURES, 0) + 1
        time.sleep(access.failure_delay(st.session_state[_KEY_FAILURES]))
        st.error(LOGIN_FAILED)
        return
    st.session_state.pop(_KEY_FAILURES, None)
    _journal(user.name, "login", f"登录（来自 {address}）")
    # The session keeps who it is and its password's version, never the hash.
    st.session_state[KEY_USER] = user.for_session()
    st.rerun()


def _journal(name: str, action: str, detail: str) -> None:
    """Logins go to the journal; a typed name that is no user is not written down (it may be
    a password typed in the wrong box)."""
    known = name in access.read_users()
    try:
        journal.append(db_path(), name if known else UNKNOWN_NAME, action, detail)
    except OSError:
        LOGGER.exception("cannot write the journal")


def user_box() -> None:
    """Who is logged in, and 退出登录, at the top of the sidebar; or that there are no logins."""
    gate = access.state()
    if gate.mode == "off":
        with st.sidebar:
            st.caption(gate.message)
        return
    user = current_user()
    with st.sidebar:
        department = f"·{user.department}" if user.department else ""
        st.caption(f"当前用户：{user.name}（{access.ROLE_NAMES.get(user.role, user.role)}{department}）")
        if st.button("退出登录", key="logout", icon=":material/logout:"):
            for key in (KEY_USER, "upload_reports"):
                st.session_state.pop(key, None)
            st.rerun()


def require(action: str) -> None:
    """Checked again inside each restricted page: hiding it from the menu is not enough,
    a page can be asked for by its address or by st.switch_page."""
    if not current_user().may(action):
        st.error("你的账号无权使用本页。如需权限，请联系系统管理员。", icon=":material/block:")
        st.stop()
