"""法治看板 — the dashboard's entry: page config, navigation, shared filters, page frame.

Run with `streamlit run dashboard.py`. Every page in pages/ reads the filters drawn here;
on a first start with no warehouse the demo one is built from the sample workbooks. With
a users file (figures.access) a person logs in first and is offered the pages of their role.
"""

import streamlit as st

from ui import start

# A fresh server starts in Streamlit's old pages/ mode, whose menu lists every file: leave it
# before anything is drawn. Then the browser fetches the chart code while the server imports.
start.leave_pages_directory_mode()
start.preload_charts()

from figures import access  # noqa: E402 — after the preload, on purpose
from ui import connection, filters, frame, login  # noqa: E402


def main() -> None:
    frame.entry_started()
    connection.open_warehouse()
    meeting = filters.prepare_filters()
    st.set_page_config(page_title=f"法治看板 · {connection.read('area_name')}", page_icon="⚖️", layout="wide")
    frame.apply_base_style()

    # With a users file, nothing below runs before a login (figures.access; off in the demo).
    login.login_gate()
    user = login.current_user()
    data_pages = [
        page
        for page, action in (
            (st.Page("pages/upload.py", title="数据上报", icon=":material/upload_file:"), access.UPLOAD),
            (st.Page("pages/ledger.py", title="上报台账", icon=":material/fact_check:"), access.LEDGER),
            (st.Page("pages/admin.py", title="管理", icon=":material/admin_panel_settings:"), access.ADMINISTER),
        )
        # A lake (FAZHI_LAKE) is read-only: no uploads, no administration.
        if user.may(action) and not (connection.read_only() and action in (access.UPLOAD, access.ADMINISTER))
    ]
    navigation = st.navigation(
        {
            "会议": [st.Page("pages/deck.py", title="汇报（幻灯片）", icon=":material/slideshow:", url_path="deck")],
            "指标": [
                st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
                st.Page("pages/staffing.py", title="队伍建设", icon=":material/badge:"),
                st.Page("pages/correction.py", title="社区矫正", icon=":material/gavel:"),
                st.Page("pages/mental_health.py", title="严重精神障碍患者", icon=":material/psychology:"),
                st.Page("pages/drugs.py", title="禁毒", icon=":material/medication:"),
                st.Page("pages/outreach.py", title="普法宣传", icon=":material/campaign:"),
            ],
            **({"报告": [st.Page("pages/report.py", title="年度报告", icon=":material/description:")]} if user.may(access.REPORT) else {}),
            **({"数据": data_pages} if data_pages else {}),
        }
    )
    frame.navigation_drawn()
    deck = navigation.url_path == "deck"
    # On the projector the sidebar starts closed; its button keeps the menu one click away.
    st.set_page_config(initial_sidebar_state="collapsed" if meeting or deck else "expanded")
    login.user_box()
    chosen = filters.sidebar_filters(deck=deck)
    frame.apply_style(chosen.meeting, deck=deck)
    navigation.run()


# Whatever fails outside a page's own body (an unreadable warehouse, a broken file) is said
# in Chinese; the traceback goes to the server log.
frame.guarded(main)
