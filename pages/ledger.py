"""上报台账: which department submitted what for which year — when, which file, how many
values, superseded versions and refused attempts. Missing submissions for the reporting
year (the latest year anyone has submitted for) stand out. In a district: the chosen town's
ledger, or, for the district seen whole, its towns × sheets of the reporting year first."""

import dataclasses

import streamlit as st

from figures import access, tables
from figures.filters import ALL_VILLAGES_FILE_LABEL, ALL_VILLAGES_LABEL, Filters
from ui import connection, frame, widgets

HISTORY_COLUMNS = {
    "loaded_at": "载入时间",
    "town_name": "镇（街道）",
    "topic_name": "报表",
    "department": "报送部门",
    "year": "年度",
    "file_name": "文件",
    "status": "状态",
    "row_count": "数值个数",
    "superseded_by": "被替代为",
}
REFUSED_COLUMNS = {
    "attempted_at": "尝试时间",
    "file_name": "文件",
    "error_count": "问题数",
    "reasons": "拒绝原因（工作表!单元格：说明）",
}
LEDGER_COLUMNS = {
    "town_name": "镇（街道）",
    "topic_name": "报表",
    "department": "报送部门",
    "year": "年度",
    "file_name": "文件",
    "loaded_at": "载入时间",
    "row_count": "数值个数",
    "unfilled_villages": "未填的村数",
    "superseded": "被替代的旧版本数",
}


def body(f: Filters) -> None:
    ledger = connection.read("submission_ledger", town=f.town_code)
    if ledger.empty:
        widgets.no_data()
        return
    reporting_year = tables.reporting_year(ledger)
    years = sorted(ledger["year"].unique())
    span = dataclasses.replace(
        f,
        year_from=int(years[0]),
        year_to=int(years[-1]),
        villages=(),
        villages_label=f.villages_label if f.district else ALL_VILLAGES_LABEL,
        file_label=f.file_label if f.district else ALL_VILLAGES_FILE_LABEL,
    )
    page = widgets.PageExports(span, "上报台账", [])

    missing = tables.missing_sheets(ledger, reporting_year)
    if not missing:
        st.success(f"{reporting_year}年度各项报表均已上报。")
    else:
        st.error(f"{reporting_year}年度尚未上报：{'、'.join(missing)}", icon=":material/warning:")
    partial = tables.partial_sheets(ledger, reporting_year)
    if partial:
        st.warning(f"{reporting_year}年度已上报但有村未填：{'、'.join(partial)}。请所属部门补报。", icon=":material/warning:")

    if f.rollup:
        st.subheader(f"各镇（街道）× 报表（{reporting_year}年度）")
        st.caption("✔ 已上报（载入日期）；◐ 已上报但有村未填；○ 报来的表没有数字；✖ 未上报。未报齐的用橙色标出。")
        towns = tables.towns_matrix(ledger, reporting_year)
        page.table(towns, towns.data, "各镇上报情况")

    st.subheader("报表 × 年度")
    st.caption(
        f"✔ 已上报（载入日期）；◐ 已上报但有村未填；○ 报来的表没有数字；✖ 未上报。{reporting_year}年度为当前报送年度，未报齐的用橙色标出。"
    )
    matrix = tables.ledger_matrix(ledger, reporting_year)
    columns = {key: title for key, title in LEDGER_COLUMNS.items() if f.district or key != "town_name"}
    page.table(matrix, tables.tidy_for_export(ledger, columns), "报表年度矩阵")

    st.subheader("各版本（含被替代的旧版本）")
    versions = connection.read("submission_versions", town=f.town_code)
    # A superseded version with no successor was withdrawn by an admin (管理 → 撤回).
    withdrawn = (versions["status"] == "superseded") & versions["superseded_by"].isna()
    versions = versions.assign(status=versions["status"].map({"loaded": "当前版本", "superseded": "已被替代"}).mask(withdrawn, "已撤回"))
    columns = {key: title for key, title in HISTORY_COLUMNS.items() if f.district or key != "town_name"}
    shown = versions[list(columns)].rename(columns=columns)
    page.table(shown, shown, "各版本")

    st.subheader("被拒绝的上传")
    refused = connection.read("refused_attempts")
    if refused.empty:
        st.caption("没有被拒绝的上传。")
    else:
        shown = refused[list(REFUSED_COLUMNS)].rename(columns=REFUSED_COLUMNS)
        page.table(shown, shown, "被拒绝的上传")
    page.workbook()


frame.run_page("上报台账", body, filtered=False, needs=access.LEDGER)
