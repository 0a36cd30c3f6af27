"""`python -m etl report`: the annual report's .docx from the warehouse; exit 0 when written,
1 when the warehouse cannot be read, 2 on usage errors; Chinese messages, never a traceback."""

from __future__ import annotations

import io
import re

import docx

from figures.report.template import DEFAULT_TEMPLATE
from tests.cli_support import ROOT, etl, etl_process


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_the_report_command_writes_the_docx_and_says_what_is_in_it(demo_db_master, tmp_path):
    output = tmp_path / "报告.docx"
    result = etl("report", "--year", 2021, "-o", output, "--db", demo_db_master)
    assert result.returncode == 0, result.stderr
    assert f"已起草 2021 年度报告：{output}" in result.stdout and "没有待补的数字" in result.stdout
    document = docx.Document(io.BytesIO(output.read_bytes()))
    assert document.paragraphs[0].text == "十里亭镇关于2021年度法治政府建设情况的报告"
    assert any("目前我镇在册的社区矫正对象12名，较上年减少2名，至今没有出现脱管漏管" in p.text for p in document.paragraphs)
    assert len(list(document.comments)) > 40


def test_without_a_year_it_drafts_the_latest_complete_year_and_no_compare_leaves_out_the_clauses(demo_db_master, tmp_path):
    output = tmp_path / "r.docx"
    result = etl("report", "-o", output, "--db", demo_db_master, "--no-compare")
    assert result.returncode == 0, result.stderr
    assert "已起草 2023 年度报告" in result.stdout
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(output.read_bytes())).paragraphs)
    assert "目前我镇在册的社区矫正对象9名，至今没有出现脱管漏管。" in text and "较上年" not in text


def test_a_template_given_on_the_command_line_is_used(demo_db_master, tmp_path):
    template = tmp_path / "本镇模板.toml"
    template.write_text(DEFAULT_TEMPLATE.read_text(encoding="utf-8").replace("至今没有出现脱管漏管", "全年无脱管漏管"), encoding="utf-8")
    output = tmp_path / "r.docx"
    result = etl("report", "--year", 2021, "-o", output, "--db", demo_db_master, "--template", template, "--no-compare")
    assert result.returncode == 0, result.stderr
    assert any("社区矫正对象12名，全年无脱管漏管。" in p.text for p in docx.Document(io.BytesIO(output.read_bytes())).paragraphs)


def test_usage_errors_exit_2_in_chinese(demo_db_master, tmp_path):
    cases = [
        (("--year", 2030, "-o", tmp_path / "r.docx"), "数据库里没有 2030 年度的数据（已有：2019、2020、2021、2022、2023）"),
        (("--year", 2021, "-o", tmp_path / "r.pdf"), "报告只能保存为 .docx 文件"),
        (("--year", 2021, "-o", tmp_path / "没有的文件夹" / "r.docx"), "找不到文件夹"),
        (("--year", 2021), "缺少参数：-o/--output"),
    ]
    for args, message in cases:
        result = etl("report", *args, "--db", demo_db_master)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert_no_traceback(result)
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT_TEMPLATE.read_text(encoding="utf-8").replace("{cc_registered}名", "{cc_registerd}名"), encoding="utf-8")
    result = etl("report", "--year", 2021, "-o", tmp_path / "r.docx", "--db", demo_db_master, "--template", bad)
    assert result.returncode == 2 and "cc_registerd" in result.stderr and "段落“correction”" in result.stderr
    assert not (tmp_path / "r.docx").exists()


def test_a_warehouse_that_cannot_be_read_exits_1(tmp_path):
    missing = etl("report", "--year", 2021, "-o", tmp_path / "r.docx", "--db", tmp_path / "none.duckdb")
    assert missing.returncode == 1 and "无法读取数据库" in missing.stderr and "文件不存在" in missing.stderr
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    result = etl("report", "--year", 2021, "-o", tmp_path / "r.docx", "--db", broken)
    assert result.returncode == 1 and "无法读取数据库" in result.stderr
    for outcome in (missing, result):
        assert_no_traceback(outcome)


def test_the_readmes_report_example_runs(demo_db_master, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"^python -m etl (report [^#\n]*?)\s*(?:#.*)?$", readme, flags=re.M)
    (example,) = [line for line in examples if "--town" not in line]  # the district one: tests/test_district_loading.py
    result = etl_process(*example.split(), env={"FAZHI_DB": str(demo_db_master), "PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "报告.docx").stat().st_size > 10_000
