"""数据上报: departments drop their workbooks here; each goes through the same ETL as the
command line, and the page says per file what happened and, for a refused one, which cell."""

import pandas as pd
import streamlit as st

from etl.loading import files
from etl.loading.warehouse import WarehouseBusy
from figures import access, tables
from figures.filters import Filters
from ui import connection, frame, login

STATUS = {
    "loaded": ("已载入", st.success),
    "duplicate": ("重复文件：此前已载入过完全相同的文件，本次未重复计入", st.info),
    "rejected": ("已拒绝：整个文件未载入，请按下表逐项修改后重新上传", st.error),
}
KEY_REPORTS = "upload_reports"


def show_report(report: dict) -> None:
    label, box = STATUS.get(report["status"], (report["status"], st.warning))
    with st.container(border=True):
        # The file name is the uploader's text: shown as code, never as markdown or HTML.
        st.code(report["file"], language=None)
        if report["status"] == "loaded":
            box(f"{label}：共 {report['rows']} 个数值。各页面已更新为最新数字。")
        else:
            box(label)
        for notice in report.get("notices") or []:
            st.caption(tables.plain(notice))
        if report["errors"]:
            # What to do first, where second; the problem's code last, for whoever helps them.
            problems = pd.DataFrame(report["errors"]).reindex(columns=["message", "sheet", "cell", "code"])
            problems.columns = ["问题和改法", "工作表", "单元格", "代码"]
            # A plain table (text a browser can read out and a clerk can copy), Markdown escaped.
            st.table(problems.fillna("").map(tables.plain), hide_index=True)


def _whose_files(user, f: Filters) -> tuple[str | None, str]:
    """In a district: the town these files are of (code and name), or (None, "") to let each
    file say (its title or file name). An uploader limited to a town has only theirs."""
    if not f.district:
        return None, ""
    villages = connection.read("villages")
    towns = dict(zip(villages["town_code"], villages["town_name"], strict=False))
    if user.town:
        code = next((c for c, name in towns.items() if name == user.town), None)
        if code is None:
            st.error(f"你的账号限定的镇（街道）“{user.town}”不在村（社区）名单里，暂时不能上报。请联系系统管理员。")
            st.stop()
        st.info(f"你的账号只能上报{user.town}的报表；标题或文件名写的是其他镇（街道）的文件会整份拒收。", icon=":material/location_city:")
        return code, user.town
    code = st.selectbox(
        "这些文件是哪个镇（街道）的",
        options=["", *towns],
        index=list(["", *towns]).index(f.town_code) if f.town_code in towns else 0,
        format_func=lambda c: towns.get(c) or "按各文件的标题或文件名认定",
        key="upload_town",
        help="选了镇（街道）时，标题或文件名写的是别的镇的文件会整份拒收；不选时，每个文件须在标题或文件名中写明镇（街道）。",
    )
    return code or None, towns.get(code, "")


def body(f: Filters) -> None:
    st.markdown(
        "把各部门填好的工作簿拖到下面（.xlsx、.xls、.ods，可一次选多个），再点“载入”。"
        "每个文件整体载入或整体拒绝；被拒绝的文件会逐项列出工作表和单元格。"
        "只上报数量，不要上报姓名、身份证号等个人信息。"
    )
    user = login.current_user()
    mine = user.departments
    if mine is not None:
        st.info(f"你的账号只能上报{'、'.join(sorted(mine))}的报表；含其他部门报表的文件会整份拒收。", icon=":material/info:")
    town, town_name = _whose_files(user, f)
    with st.form("upload_form", clear_on_submit=True, border=True):
        chosen = st.file_uploader(
            "选择工作簿",
            type=["xlsx", "xls", "ods"],
            accept_multiple_files=True,
            key="upload_files",
        )
        submitted = st.form_submit_button("载入", type="primary", icon=":material/upload:", key="upload_submit")
    if submitted:
        if chosen:
            try:
                with st.spinner("正在读取、核对并载入……"):
                    st.session_state[KEY_REPORTS] = connection.load_workbooks(
                        [(file.name, file.getvalue()) for file in chosen], actor=user.name, departments=user.departments, town=town
                    )
            except WarehouseBusy:
                st.error("另一批报表正在导入，数据仓库暂时无法写入。请过几分钟再点“载入”。")
            except Exception as exc:
                if not files.is_disk_full(exc):
                    raise
                st.error(files.disk_full_message(exc) + "。请联系系统管理员清理服务器磁盘。")
        else:
            st.warning("请先选择至少一个工作簿。")
    reports = st.session_state.get(KEY_REPORTS, [])
    if reports:
        counts = pd.Series([r["status"] for r in reports]).value_counts()
        st.subheader(
            f"本次结果：载入 {counts.get('loaded', 0)} 个，重复 {counts.get('duplicate', 0)} 个，拒绝 {counts.get('rejected', 0)} 个"
        )
        for report in reports:
            show_report(report)

    st.subheader("空白模板")
    st.caption("各部门按模板填写最省事；也可以沿用本单位原来的表格，系统会识别常见的写法。")
    if f.district and town is None:
        st.caption("全区各镇（街道）的村（社区）不同：请先在上面选择镇（街道），再下载它的模板。")
        return
    departments = list(dict.fromkeys(connection.read("topics")["department"]))
    columns = st.columns(len(departments))
    for column, department in zip(columns, departments, strict=True):
        with column:
            st.download_button(
                f"{department}模板",
                data=lambda department=department: connection.template_bytes(department, town),
                file_name=f"{town_name or f.town}_{department}_报送模板.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"template_{department}",
                on_click="ignore",
                icon=":material/download:",
            )


frame.run_page("数据上报", body, filtered=False, needs=access.UPLOAD)
