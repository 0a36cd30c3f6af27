"""The command line contract: load / demo / template, exit codes, --json, --db, FAZHI_DB."""

import json

import duckdb

from tests.builders import correction_sheet
from tests.cli_support import etl, etl_process


def test_load_reports_json_per_file_and_exits_1_when_any_is_refused(books, db_path):
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]]))
    bad = books.write("bad.xlsx", correction_sheet([["前进路社区", -2, 0, 0, 0, 0, 0, 0]]))
    result = etl("load", "--db", db_path, "--json", good, bad)
    assert result.returncode == 1, result.stderr
    reports = json.loads(result.stdout)
    assert [(r["file"], r["status"]) for r in reports] == [("good.xlsx", "loaded"), ("bad.xlsx", "rejected")]
    assert reports[0]["rows"] == 7 and reports[0]["submission_id"]
    assert reports[1]["errors"] == [{"sheet": "社区矫正", "cell": "B3", "code": "NEGATIVE", "message": reports[1]["errors"][0]["message"]}]
    assert set(reports[0]) >= {"file", "status", "submission_id", "rows", "errors"}


def test_load_exits_0_and_reports_duplicates(books, db_path):
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]]))
    assert etl("load", "--db", db_path, good).returncode == 0
    again = etl("load", "--db", db_path, "--json", good)
    assert again.returncode == 0
    assert json.loads(again.stdout)[0]["status"] == "duplicate"


def test_a_folder_loads_with_progress_in_chinese(books, db_path):
    for n, village in enumerate(["前进路社区", "金凤坪村", "红星社区"]):
        books.write(f"c{2019 + n}.xlsx", correction_sheet([[village, 1, 1, 0, 0, 0, 0, 0]], year=2019 + n))
    result = etl("load", "--db", db_path, books.folder)
    assert result.returncode == 0, result.stderr
    assert "[3/3]" in result.stdout and "已导入" in result.stdout and "共 3 个文件" in result.stdout
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("select count(distinct year) from indicator_values").fetchone()[0] == 3


def test_fazhi_db_picks_the_warehouse_when_no_db_is_given(books, tmp_path):
    target = tmp_path / "env.duckdb"
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]]))
    assert etl("load", good, env={"FAZHI_DB": str(target)}).returncode == 0
    assert target.exists()


def test_year_option_fills_a_file_that_does_not_say(books, db_path):
    path = books.write("c.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]], year=None))
    assert etl("load", "--db", db_path, path).returncode == 1
    assert etl("load", "--db", db_path, "--year", 2020, path).returncode == 0


def test_usage_errors_exit_2_in_chinese_without_a_traceback(db_path, tmp_path):
    for args in (
        ["load"],
        ["load", "--db", db_path, tmp_path / "nope.xlsx"],
        ["load", "--year", "abc", "x.xlsx"],
        ["frobnicate"],
        ["template", "不存在的部门", "-o", tmp_path / "t.xlsx"],
    ):
        result = etl(*args)
        assert result.returncode == 2, args
        assert "用法错误" in result.stderr and "Traceback" not in result.stderr, args


def test_a_reader_holding_the_warehouse_open_does_not_block_a_load(books, db_path):
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]]))
    assert etl("load", "--db", db_path, good).returncode == 0
    reader = duckdb.connect(str(db_path), read_only=True)
    try:
        newer = books.write("newer.xlsx", correction_sheet([["前进路社区", 5, 5, 0, 0, 0, 0, 0]]))
        assert etl_process("load", "--db", db_path, newer).returncode == 0
        # The open reader still sees the warehouse as it was when it opened it: never half a load.
        assert reader.execute("select sum(value) from indicator_values where indicator_code='cc_registered'").fetchone()[0] == 2
    finally:
        reader.close()
    fresh = duckdb.connect(str(db_path), read_only=True)
    assert fresh.execute("select sum(value) from indicator_values where indicator_code='cc_registered'").fetchone()[0] == 5


def test_a_load_that_waits_too_long_for_another_says_so_in_chinese(books, db_path):
    from etl.loading.warehouse import writer_lock

    good = books.write("good.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]]))
    with writer_lock(db_path):
        result = etl_process("load", "--db", db_path, good, env={"FAZHI_LOCK_TIMEOUT": "0.5"})
    assert result.returncode == 1
    assert "另一次导入" in result.stderr and "Traceback" not in result.stderr


def test_rebuild_backup_and_restore_commands(books, db_path, tmp_path):
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]]))
    assert etl("load", "--db", db_path, good).returncode == 0
    assert etl("rebuild", "--db", db_path).returncode == 0
    assert etl("backup", tmp_path / "b.zip", "--db", db_path).returncode == 0
    restored = tmp_path / "r.duckdb"
    assert etl("restore", tmp_path / "b.zip", "--db", restored).returncode == 0
    con = duckdb.connect(str(restored), read_only=True)
    assert con.execute("select sum(value) from indicator_values").fetchone()[0] == 4
    bad = etl("restore", good, "--db", restored)
    assert bad.returncode == 2 and "备份" in bad.stderr


def test_template_then_demo_commands_work(tmp_path):
    out = tmp_path / "司法所模板.xlsx"
    result = etl("template", "司法所", "-o", out)
    assert result.returncode == 0, result.stderr
    assert out.exists()
    db = tmp_path / "demo.duckdb"
    result = etl("demo", "--db", db)
    assert result.returncode == 0, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select value from warehouse_info where key='dataset'").fetchone()[0] == "demo"


def test_a_refusal_reads_as_its_chinese_message_first_with_the_code_on_a_details_line(books, db_path):
    bad = books.write("bad.xlsx", correction_sheet([["前进路社区", -2, 0, 0, 0, 0, 0, 0]]))
    result = etl("load", "--db", db_path, bad)
    lines = result.stdout.splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith("- "))
    assert lines[at].strip().startswith("- 工作表“社区矫正”，单元格 B3：数量不能为负数")
    assert "NEGATIVE" not in lines[at] and "NEGATIVE" in lines[at + 1]


def test_check_passes_after_loads_and_rebuild(books, db_path):
    good = books.write("good.xlsx", correction_sheet([["前进路社区", 2, 2, 0, 0, 0, 0, 0]]))
    assert etl("load", "--db", db_path, good).returncode == 0
    result = etl("check", "--db", db_path)
    assert result.returncode == 0 and "全部成立" in result.stdout, result.stdout
    assert etl("rebuild", "--db", db_path).returncode == 0
    assert etl("check", "--db", db_path).returncode == 0


def test_a_year_that_is_not_a_number_is_a_chinese_usage_error(capsys):
    from etl import cli

    for args in (["load", "x.xlsx", "--year", "abc"], ["report", "-o", "r.docx", "--year", "二〇二一"]):
        try:
            cli.main(args)
        except SystemExit as done:
            assert done.code == 2
        said = capsys.readouterr().err
        assert "用法错误：参数 --year：年度“" in said and "不是整数年份" in said
        assert "invalid" not in said and "argument" not in said
