"""The 年度报告 page and the 要点 in a real headless Chromium: the draft shows with its figures
marked, the year can be changed, the .docx downloads and opens, a topic page shows its 要点."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from tests.test_browser import assert_no_exception, browser, open_page, page, screenshot, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_report_page_shows_the_draft_and_downloads_the_docx(server, page):  # noqa: F811
    open_page(page, server, "report", "年度报告")
    assert_no_exception(page, server)
    page.get_by_text("十里亭镇关于2023年度法治政府建设情况的报告").wait_for()
    page.get_by_text("较上年减少1名").first.wait_for()
    screenshot(page, "report_2023")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 Word 文稿").click()
    download = download_info.value
    assert download.suggested_filename == "十里亭镇2023年度法治政府建设情况的报告（草稿）.docx"
    document = docx.Document(io.BytesIO(Path(download.path()).read_bytes()))
    assert document.paragraphs[0].text == "十里亭镇关于2023年度法治政府建设情况的报告"
    assert len(list(document.comments)) > 40


def test_picking_2021_and_no_comparison_shows_the_seed_sentences(server, page):  # noqa: F811
    open_page(page, server, "report", "年度报告")
    page.get_by_text("十里亭镇关于2023年度法治政府建设情况的报告").wait_for()
    page.locator("[data-testid='stMain']").get_by_role("combobox").first.click()
    page.get_by_role("option", name="2021年").click()
    page.get_by_text("十里亭镇关于2021年度法治政府建设情况的报告").wait_for()
    page.get_by_text("写同比").click()
    page.get_by_text("至今没有出现脱管漏管。其中").wait_for()
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    assert page.get_by_text(re.compile("较上年(增加|减少)|与上年持平")).count() == 0
    assert_no_exception(page, server)
    screenshot(page, "report_2021")


def test_a_topic_page_opens_with_its_points(server, page):  # noqa: F811
    open_page(page, server, "correction", "社区矫正")
    page.get_by_text("在册社区矫正对象9名，较上年减少1名；无脱管漏管。").wait_for()
    assert_no_exception(page, server)
    screenshot(page, "points_correction")
