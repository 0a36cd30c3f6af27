"""Who is looking: the login form before any number, the user box, and the role check
each restricted page makes again (figures.access says what each role may do)."""

from __future__ import annotations

import time

import streamlit as st

from figures import access

KEY_USER = "user"
_KEY_FAILURES = "_login_failures"
LOGIN_FAILED = "用户名或密码不正确。请重试；忘记密码请联系系统管理员。"


@st.cache_resource(show_spinner=False)
def _failures_by_name() -> dict[str, int]:
    """Failed logins per user name across all sessions of this server: a new browser
    session does not reset the delay."""
    return {}


def current_user() -> access.User:
    """The logged-in person; with no users file (the demo), one with every right."""
    if not access.enabled():
        return access.NOBODY
    return st.session_state.get(KEY_USER) or access.User("", "")


def login_gate() -> None:
    """With a users file, nobody sees a page before logging in. One message for any
    failure (it never says whether the name exists), and a growing delay after a few."""
    if not access.enabled() or st.session_state.get(KEY_USER):
        return
    # The only page before a login: without a navigation Streamlit would list pages/.
    st.navigation([st.Page(_login_form, title="登录", url_path="login", default=True)], position="hidden").run()
    st.stop()


def _login_form() -> None:
    st.title("法治看板 · 登录")
    st.caption("本看板含社区矫正、严重精神障碍患者、吸毒人员等敏感个人信息的统计数，仅限授权人员使用。")
    with st.form("login_form", border=True):
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary", key="login_submit")
    if submitted:
        failures = _failures_by_name()
        key = name.strip()
        user = access.authenticate(name, password)
        if user is None:
            failures[key] = failures.get(key, 0) + 1
            st.session_state[_KEY_FAILURES] = st.session_state.get(_KEY_FAILURES, 0) + 1
            time.sleep(access.failure_delay(max(failures[key], st.session_state[_KEY_FAILURES])))
            st.error(LOGIN_FAILED)
        else:
            failures.pop(key, None)
            st.session_state.pop(_KEY_FAILURES, None)
            # The session keeps who it is, never the password hash.
            st.session_state[KEY_USER] = access.User(user.name, user.role, user.department)
            st.rerun()


def user_box() -> None:
    """Who is logged in, and 退出登录, at the top of the sidebar."""
    if not access.enabled():
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
