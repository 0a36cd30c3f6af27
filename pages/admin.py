"""管理: for admins — freeze a report's year against later loads, roll back a submission
to the version before it, and read the audit trail. Every action goes through the
warehouse's writing session, so readers never see half of it, and is itself audited."""

from pathlib import Path

import pandas as pd
import streamlit as st

from etl.loading import warehouse
from figures import access, tables
from figures.filters import Filters
from ui import connection, frame, login, widgets

ACTIONS = {
    "load": "导入",
    "supersede": "替代",
    "reject": "拒收",
    "duplicate": "重复",
    "roll_back": "撤回",
    "freeze": "冻结",
    "unfreeze": "解冻",
    "export": "下载",
    "login": "登录",
    "login_failed": "登录失败",
    "login_locked": "登录锁定",
    "rebuild": "重建",
}
AUDIT_COLUMNS = {"at": "时间", "actor": "操作人", "action": "操作", "detail": "内容"}
KEY_RESULT = "admin_result"


def _act(action, *args) -> None:
    """Run one admin action as the logged-in user; say what happened."""
    try:
        action(Path(connection.db_path()), *args, login.current_user().name)
    except warehouse.AdminRefused as refused:
        st.session_state[KEY_RESULT] = ("error", str(refused))
    except warehouse.WarehouseBusy:
        st.session_state[KEY_RESULT] = ("error", "另一批报表正在导入，请稍后再试。")
    else:
        st.session_state[KEY_RESULT] = ("success", "已完成，各页面已更新。")
        connection.forget_old_results()


def body(f: Filters) -> None:
    result = st.session_state.pop(KEY_RESULT, None)
    if result:
        (st.success if result[0] == "success" else st.error)(result[1])

    ledger = connection.read("submission_ledger")
    topics = dict(zip(ledger["topic"], ledger["topic_name"], strict=False))
    years = sorted({int(y) for y in ledger["year"]}, reverse=True)

    st.subheader("冻结")
    st.caption(
        "冻结某报表某年度后，再上传这一年度的该报表会被整份拒收（代码 FROZEN），直到解冻。审定后的数字用它锁定。"
        + ("冻结对全区各镇（街道）同时生效。" if f.district else "")
    )
    frozen = connection.read("frozen_submissions")
    if frozen.empty:
        st.caption("目前没有冻结的报表。")
    else:
        shown = frozen[["topic_name", "year", "frozen_at", "frozen_by"]].rename(
            columns={"topic_name": "报表", "year": "年度", "frozen_at": "冻结时间", "frozen_by": "冻结人"}
        )
        widgets.show_table(shown, f)
    with st.form("freeze_form", border=True):
        left, right = st.columns(2)
        topic = left.selectbox("报表", options=list(topics), format_func=lambda t: topics[t], key="freeze_topic")
        year = right.selectbox("年度", options=years, format_func=lambda y: f"{y}年", key="freeze_year")
        buttons = st.columns(2)
        freeze = buttons[0].form_submit_button("冻结", icon=":material/lock:", key="freeze_submit")
        unfreeze = buttons[1].form_submit_button("解冻", icon=":material/lock_open:", key="unfreeze_submit")
    if freeze or unfreeze:
        _act(warehouse.freeze if freeze else warehouse.unfreeze, topic, int(year))
        st.rerun()

    st.subheader("撤回")
    st.caption(
        "撤回某份当前有效的报送：它被它替代的上一版本恢复为当前版本（没有上一版本时，该报表该年度不再有数字）。被撤回的版本留作历史。"
    )
    current = connection.read("submission_versions")
    current = current[current["status"] == "loaded"]
    if current.empty:
        st.caption("没有可撤回的报送。")
    else:
        labels = {
            row.submission_id: (f"{row.town_name} · " if f.district else "")
            + f"{row.topic_name} {row.year}年 · {row.file_name} · {pd.Timestamp(row.loaded_at):%Y-%m-%d %H:%M}"
            for row in current.itertuples()
        }
        with st.form("roll_back_form", border=True):
            chosen = st.selectbox("报送", options=list(labels), format_func=labels.get, key="roll_back_choice")
            confirm = st.checkbox("我确认撤回这份报送", key="roll_back_confirm")
            submitted = st.form_submit_button("撤回", icon=":material/undo:", key="roll_back_submit")
        if submitted:
            if confirm:
                _act(warehouse.roll_back, chosen)
            else:
                st.session_state[KEY_RESULT] = ("error", "请先勾选“我确认撤回这份报送”。")
            st.rerun()

    st.subheader("审计记录")
    st.caption("谁在何时导入、替代、拒收、撤回、冻结或下载了什么。只记文件名、代码、数量和筛选条件，不记报表内容。")
    trail = connection.read("audit_trail", **connection.journal())
    left, right = st.columns(2)
    chosen_actions = left.multiselect("操作", options=list(ACTIONS), format_func=ACTIONS.get, key="audit_actions", placeholder="全部操作")
    actor = right.text_input("操作人（包含）", key="audit_actor")
    if chosen_actions:
        trail = trail[trail["action"].isin(chosen_actions)]
    if actor.strip():
        trail = trail[trail["actor"].str.contains(actor.strip(), regex=False)]
    if trail.empty:
        st.caption("没有符合条件的记录。")
    else:
        shown = trail.assign(
            action=trail["action"].map(lambda a: ACTIONS.get(a, a)),
            detail=trail["detail"].map(lambda d: tables.readable_audit(d, topics)),
        ).rename(columns=AUDIT_COLUMNS)
        shown["时间"] = pd.to_datetime(shown["时间"]).dt.strftime("%Y-%m-%d %H:%M:%S")
        widgets.show_table(shown, f)


frame.run_page("管理", body, filtered=False, needs=access.ADMINISTER)
