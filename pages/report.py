"""年度报告: the annual report drafted from the warehouse (figures.report) — pick the year, read
the draft with its figures marked and its gaps listed, download the .docx in 公文 format.

The report is the town's own document, so small-count protection does not apply to it; the
page says so, and only roles that may see unprotected figures (access.REPORT) get it.
"""

import pandas as pd
import streamlit as st

from etl.loading import warehouse
from figures import access, periods, tables
from figures.filters import Filters
from figures.report import draft as drafting
from figures.report import template as templates
from figures.report.wording import FIGURE, GAP, TODO_SPAN
from ui import connection, frame, widgets
from ui.frame import KEY_EXPORTS
from ui.login import current_user

KEY_YEAR, KEY_COMPARE = "report_year", "report_compare"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# How the draft marks its words on screen, as the .docx does (comment, yellow, grey).
MARKS = {FIGURE: "blue-background", GAP: "orange-background", TODO_SPAN: "gray-background"}


def marked(spans) -> str:
    """A block of the draft as Markdown: figures, gaps and places to write marked; workbook text escaped."""
    return "".join(f":{MARKS[span.kind]}[{tables.plain(span.text)}]" if span.kind in MARKS else tables.plain(span.text) for span in spans)


def _download(made: drafting.Draft) -> None:
    actor, path = current_user().name, connection.db_path()

    def docx() -> bytes:
        # Recorded first: a download that cannot be audited is not served (as every download).
        warehouse.audit(path, actor, "export", f"年度报告·{made.year}年（Word）")
        from figures.report import word

        return word.docx_bytes(made)

    st.session_state.setdefault(KEY_EXPORTS, {})["年度报告（Word）"] = docx
    st.download_button(
        "下载 Word 文稿（.docx，公文格式，每个数字带来源批注）",
        data=docx,
        file_name=f"{made.town}{made.year}年度法治政府建设情况的报告（草稿）.docx",
        mime=DOCX,
        key="report_docx",
        on_click="ignore",
        type="primary",
        icon=":material/description:",
    )


def _draft(made: drafting.Draft) -> None:
    st.markdown(f"### {tables.plain(made.title)}")
    for block in made.blocks:
        text = marked(block.spans)
        if block.kind == "heading":
            st.markdown(f"#### {text}")
        elif block.kind == "subheading":
            st.markdown(f"**{text}**")
        elif block.kind == "signature":
            with st.container(horizontal=True):
                st.space("stretch")
                st.markdown(text)
        else:
            st.markdown(text)


def body(f: Filters) -> None:
    st.info(
        "按数据仓库起草年度《法治政府建设情况的报告》：带数字的句子按 data/report.toml 的措辞写好，"
        "每个数字在 Word 里有批注注明来源单元格；未上报的数字标为【待补】，只有人能写的部分标为【待撰写】。"
        "报告是镇政府自己的文件，不做小数保护（全镇、派出所辖区的合计照常写出），所以只有管理员能打开本页。",
        icon=":material/description:",
    )
    if f.meeting:
        st.warning("会议模式：本页的数字不做小数保护，请勿在会上投影本页。", icon=":material/visibility_off:")
    if f.rollup:
        st.info("年度报告是一个镇（街道）的文件：请在侧栏“镇（街道）”中选择一个，起草它的报告。", icon=":material/location_city:")
        return
    years = connection.read_unprotected("available_years")
    if not years:
        widgets.no_data()
        return
    covered = periods.coverage(connection.read_unprotected("submission_ledger", town=f.town_code))
    newest_first = sorted(years, reverse=True)
    default = periods.default_range(years, covered)[1]
    try:
        wording = templates.load_template()
    except templates.TemplateError as problem:
        st.error(f"{problem}。请改正 data/report.toml 后刷新本页。")
        return
    with st.container(horizontal=True, vertical_alignment="bottom"):
        year = st.selectbox(
            "报告年度",
            newest_first,
            index=newest_first.index(default),
            format_func=lambda y: covered[y].label if y in covered else f"{y}年",
            key=KEY_YEAR,
        )
        compare = st.toggle("写同比（较上年……）", value=wording.compare, key=KEY_COMPARE)
    made = connection.report_draft(year, wording, compare, town=f.town_code)
    if made.partial_note:
        st.warning(f"{year}年尚未报齐（{made.partial_note}），草稿不写同比。", icon=":material/pending:")
    if made.gaps:
        st.warning(f"待补 {len(made.gaps)} 处（草稿里标为【待补】）：\n" + "\n".join(f"- {tables.plain(gap)}" for gap in made.gaps))
    else:
        st.success(f"{year}年报告用到的数字都已上报，{len(made.figures)} 个数字都有来源单元格。")
    _download(made)
    st.caption("草稿里蓝底的是数字（Word 里每个都有批注注明来源），橙底的是待补，灰底的是待撰写。")
    with st.container(border=True):
        _draft(made)
    st.subheader(made.sources_heading.removeprefix("附："))
    st.dataframe(pd.DataFrame(drafting.source_rows(made), columns=drafting.SOURCE_COLUMNS), hide_index=True, width="stretch")


frame.run_page("年度报告", body, filtered=False, needs=access.REPORT)
