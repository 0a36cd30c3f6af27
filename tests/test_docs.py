"""The README cannot rot: its quick start, its commands and its view list are checked."""

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from etl.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_quick_start_is_two_commands_that_install_start_and_test():
    block = README.split("## 快速开始", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert commands == [
        "pip install -r requirements.txt && streamlit run dashboard.py",
        "apt-get update && apt-get install -y chromium fonts-noto-cjk && pip install -r requirements-dev.txt && python -m pytest",
    ]
    for name in ("requirements.txt", "requirements-dev.txt", "dashboard.py"):
        assert (ROOT / name).exists(), name


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q -r requirements-dev.txt" in ci and "python -m pytest" in ci
    assert "chromium" in ci and "fonts-noto-cjk" in ci


def test_every_subcommand_is_documented():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"python -m etl {name}" in README, name


def test_every_public_view_is_documented_with_its_columns(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    for view in ("villages", "indicators", "indicator_values", "outreach_events", "submissions"):
        columns = ", ".join(row[0] for row in con.execute(f"describe {view}").fetchall())
        assert f"`{view}({columns})`" in README, view


def test_the_readme_load_and_template_examples_run(tmp_path):
    env = {**os.environ, "FAZHI_DB": str(tmp_path / "w.duckdb"), "PYTHONPATH": str(ROOT)}
    examples = re.findall(r"^(python -m etl (?:template|load) [^#\n]*?)\s*(?:#.*)?$", README, flags=re.M)
    assert len(examples) >= 3
    (tmp_path / "收到的报表").symlink_to(ROOT / "data" / "samples" / "2021")
    (tmp_path / "报表").symlink_to(ROOT / "data" / "samples" / "2022")
    (tmp_path / "社区矫正统计表.xls").symlink_to(ROOT / "data" / "samples" / "2021" / "社区矫正统计表（司法所）.xls")
    for example in examples:
        result = subprocess.run([sys.executable, *example.split()[1:]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (example, result.stdout, result.stderr)
