"""The 年度报告 page and the 要点 on the topic pages, driven with Streamlit's AppTest on the demo
warehouse: the draft with its figures marked, the gaps, the .docx download (audited), who
may open it, and the 要点 at the top of each topic page."""

from __future__ import annotations

import io
import re

import docx
import pytest

from figures import access
from tests.dashboard_support import assert_clean, goto, open_app, sql, status
from tests.test_access import PASSWORD, log_in
from tests.test_audit import trail
from tests.test_report import SEED

TOPIC_PAGES = ["overview", "staffing", "correction", "mental_health", "drugs", "outreach"]


def unmarked(markdown: str) -> str:
    """A block of the draft as read: marks and Markdown escapes taken away."""
    return re.sub(r"\\(.)", r"\1", re.sub(r":[a-z]+-background\[((?:\\.|[^\]])*)\]", r"\1", markdown))


@pytest.fixture(scope="module")
def report_page(demo_db_master):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return open_app(demo_db_master, monkeypatch, page="report")


def test_the_report_page_opens_on_the_latest_complete_year_with_its_figures_marked(report_page):
    at = report_page
    assert_clean(at)
    assert at.title[0].value == "年度报告"
    assert status(at).startswith("本页不受左侧年份和村（社区）筛选影响")
    assert "不做小数保护" in at.info[0].value and "只有管理员" in at.info[0].value
    assert at.selectbox(key="report_year").value == 2023
    assert at.toggle(key="report_compare").value is True
    assert at.success[0].value.startswith("2023年报告用到的数字都已上报")
    blocks = [m.value for m in at.markdown]
    assert "### 十里亭镇关于2023年度法治政府建设情况的报告" in blocks
    assert any(":blue-background[9]名，:blue-background[较上年减少1名]" in block for block in blocks)
    assert any(":gray-background[【待撰写：存在的问题】]" in block for block in blocks)
    labels = [button.label for button in at.get("download_button")]
    assert labels == ["下载 Word 文稿（.docx，公文格式，每个数字带来源批注）"]
    assert at.dataframe[0].value.shape[0] > 40


def test_the_2021_draft_without_comparisons_reads_as_the_seed_report(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, page="report")
    at.selectbox(key="report_year").set_value(2021).run()
    at.toggle(key="report_compare").set_value(False).run()
    assert_clean(at)
    text = "\n".join(unmarked(m.value) for m in at.markdown)
    for passage in SEED.values():
        assert passage in text, passage


def test_the_docx_download_is_the_draft_and_is_recorded_in_the_audit_trail(demo_db, monkeypatch):
    at = open_app(demo_db, monkeypatch, page="report")
    at.selectbox(key="report_year").set_value(2021).run()
    data = at.session_state["_exports"]["年度报告（Word）"]()
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].text == "十里亭镇关于2021年度法治政府建设情况的报告"
    assert len(list(document.comments)) == at.dataframe[0].value.shape[0]
    reports = [(actor, detail) for actor, action, detail in trail(demo_db) if action == "export" and detail.startswith("年度报告")]
    assert reports == [("看板", "年度报告·2021年（Word）")]


def test_gaps_are_listed_on_the_page(demo_db, monkeypatch):
    from etl.loading import warehouse

    ((submission,),) = sql(demo_db, "select submission_id from submissions where year = 2023 and submission_id like '%-drugs-%'")
    warehouse.roll_back(demo_db, submission, "测试")
    at = open_app(demo_db, monkeypatch, page="report")
    at.selectbox(key="report_year").set_value(2023).run()
    assert_clean(at)
    warnings = [w.value for w in at.warning]
    assert "2023年尚未报齐（已报 3/4 个部门），草稿不写同比。" in warnings
    assert any(w.startswith("待补 1 处") and "禁毒办2023年报表未上报" in w for w in warnings)
    assert any(":orange-background[【待补：禁毒办2023年报表未上报】]" in m.value for m in at.markdown)


def test_only_an_admin_is_offered_the_report(demo_db_master, tmp_path, monkeypatch):
    users = tmp_path / "users.toml"
    access.add_user("王查看", "viewer", PASSWORD, path=users)
    access.add_user("李司法", "uploader", PASSWORD, "司法所", path=users)
    access.add_user("赵管理", "admin", PASSWORD, path=users)
    for name in ("王查看", "李司法"):
        at = log_in(open_app(demo_db_master, monkeypatch, users=users), name)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            goto(at, "report")
    at = goto(log_in(open_app(demo_db_master, monkeypatch, users=users), "赵管理"), "report")
    assert_clean(at)
    assert at.title[0].value == "年度报告"


def test_the_report_page_refuses_a_viewer_even_if_it_is_reached(demo_db_master, tmp_path, monkeypatch):
    import sys

    users = tmp_path / "users.toml"
    access.add_user("王查看", "viewer", PASSWORD, path=users)
    real_may = access.User.may

    def may_in_menu_only(self, action):
        caller = sys._getframe(1).f_code.co_filename
        return True if caller.endswith("dashboard.py") else real_may(self, action)

    monkeypatch.setattr(access.User, "may", may_in_menu_only)
    at = goto(log_in(open_app(demo_db_master, monkeypatch, users=users), "王查看"), "report")
    assert [e.value for e in at.error] == ["你的账号无权使用本页。如需权限，请联系系统管理员。"]
    assert not at.get("download_button") and not at.dataframe


def test_meeting_mode_warns_not_to_project_the_report(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1"}, page="report")
    assert_clean(at)
    assert any("请勿在会上投影本页" in w.value for w in at.warning)


# ---------------------------------------------------------------- 要点


@pytest.fixture(scope="module")
def topic_pages(demo_db_master):
    with pytest.MonkeyPatch.context() as monkeypatch:
        at = open_app(demo_db_master, monkeypatch)
        return {page: [m.value for m in goto(at, page).markdown] for page in TOPIC_PAGES}


@pytest.mark.parametrize("page", TOPIC_PAGES)
def test_each_topic_page_opens_with_two_or_three_points(topic_pages, page):
    points = next(block for block in topic_pages[page] if block.startswith("**要点**"))
    assert points.startswith("**要点**（2023年 · 全镇）")
    assert 2 <= points.count("\n- ") <= 3, points


def test_the_correction_page_says_the_issues_example(topic_pages):
    points = next(block for block in topic_pages["correction"] if block.startswith("**要点**"))
    assert "- 在册社区矫正对象9名，较上年减少1名；无脱管漏管。" in points


def test_the_points_follow_the_villages_chosen(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"v": "440204100001"}, page="drugs")
    points = next(m.value for m in at.markdown if m.value.startswith("**要点**"))
    ((registered,),) = sql(
        demo_db_master,
        "select value from indicator_values where year = 2023 and village_code = '440204100001' and indicator_code = 'drug_registered'",
    )
    assert points.startswith("**要点**（2023年 · 前进路社区）")
    assert f"- 在册吸毒人员{registered}人" in points


def test_in_meeting_mode_a_village_pages_points_leave_out_what_is_hidden(demo_db_master, monkeypatch):
    at = open_app(demo_db_master, monkeypatch, {"meeting": "1", "v": "440204100001"}, page="correction")
    assert_clean(at)
    cards = {m.label: m.value for m in at.metric}
    assert cards["2023年 在册社区矫正对象（人）"] in ("<3", "*", "…")
    assert not any("在册社区矫正对象" in m.value for m in at.markdown if m.value.startswith("**要点**"))
