"""Many towns, one warehouse: whose file a workbook is (the uploader's town, its title or file
name, or its village names), refused when that cannot be told, and each town's sheet of a
year standing beside the others'."""

from __future__ import annotations

import openpyxl
import pytest

from etl.authoring.templates import write_template
from etl.loading.loader import load_blobs
from etl.loading.warehouse import connect
from etl.reference.places import load_places
from tests.builders import CORRECTION_HEADER, staffing_rows
from tests.cli_support import etl
from tests.conftest import DISTRICT_VILLAGES, assert_invariants_hold

LEYUAN, HUAPING, SHILITING = "440204102", "440204104", "440204100"


def correction(books, name: str, title: str, villages: list[str], year: int = 2021):
    rows = [[village, 2, 1, 1, 0, 0, 0, 0] for village in villages]
    return books.write(name, books.sheet("社区矫正", [[title], CORRECTION_HEADER, *rows]))


def load(con, *paths, town=None):
    reports = load_blobs(con, [(p.name, p.read_bytes()) for p in paths], town=town)
    assert_invariants_hold(con)
    return reports


@pytest.fixture
def con(district, db_path):
    connection = connect(db_path)
    yield connection
    connection.close()


def towns_of(con) -> dict[str, str]:
    return dict(con.execute("select submission_id, town_code from submission where status = 'loaded'").fetchall())


def test_the_town_named_in_the_title_is_whose_file_it_is_even_for_a_name_two_towns_share(con, books):
    path = correction(books, "矫正.xlsx", "乐园镇2021年度社区矫正情况统计表", ["联合村", "水口村"])
    [report] = load(con, path)
    assert report.status == "loaded", report.errors
    assert "按文件名或标题认定为乐园镇的报表" in report.notices
    assert set(towns_of(con).values()) == {LEYUAN}
    villages = {code for (code,) in con.execute("select distinct village_code from indicator_values").fetchall()}
    assert villages == {v.code for v in load_places().of_town(LEYUAN).villages if v.name in ("联合村", "水口村")}


def test_the_file_name_says_the_town_when_the_title_does_not(con, books):
    path = correction(books, "花坪镇_社区矫正_2021.xlsx", "2021年度社区矫正情况统计表", ["联合村", "叶屋村"])
    [report] = load(con, path)
    assert report.status == "loaded", report.errors
    assert set(towns_of(con).values()) == {HUAPING}


def test_village_names_of_only_one_town_say_the_town(con, books):
    path = correction(books, "矫正2021.xlsx", "2021年度社区矫正情况统计表", ["叶屋村", "石门村", "联合村"])
    [report] = load(con, path)
    assert report.status == "loaded", report.errors
    assert any("按表中的村（社区）名称认定为花坪镇" in notice for notice in report.notices)
    assert set(towns_of(con).values()) == {HUAPING}


def test_a_file_that_cannot_say_its_town_is_refused_with_what_to_do(con, books):
    shared_name_only = correction(books, "矫正2021.xlsx", "2021年度社区矫正情况统计表", ["联合村"])
    form = books.write("队伍建设2021.xlsx", books.sheet("S", [["2021年度"], ["指标", "数值"], *staffing_rows()]))
    reports = load(con, shared_name_only, form)
    for report in reports:
        assert report.status == "rejected"
        [problem] = report.errors
        assert problem.code == "TOWN_UNKNOWN"
        assert "请在标题或文件名中写明镇（街道）的全称" in problem.message and "上传时选择镇（街道）" in problem.message
    assert towns_of(con) == {}


def test_two_towns_named_or_a_town_unlike_the_uploaders_are_refused(con, books):
    both = correction(books, "乐园镇矫正.xlsx", "花坪镇2021年度社区矫正情况统计表", ["联合村"])
    [report] = load(con, both)
    assert [p.code for p in report.errors] == ["TOWN_CONFLICT"]
    assert "乐园镇" in report.errors[0].message and "花坪镇" in report.errors[0].message
    theirs = correction(books, "矫正.xlsx", "花坪镇2021年度社区矫正情况统计表", ["联合村"])
    [report] = load(con, theirs, town=LEYUAN)
    assert [p.code for p in report.errors] == ["TOWN_CONFLICT"]
    assert report.errors[0].message.startswith("上传时选择的是乐园镇，但文件名或标题写的是花坪镇")
    assert towns_of(con) == {}


def test_the_uploaders_town_decides_a_file_that_names_none(con, books):
    path = correction(books, "矫正2021.xlsx", "2021年度社区矫正情况统计表", ["联合村"])
    [report] = load(con, path, town=HUAPING)
    assert report.status == "loaded", report.errors
    assert set(towns_of(con).values()) == {HUAPING}


def test_each_towns_sheet_of_a_year_stands_and_replaces_only_its_own(con, books):
    first = correction(books, "a.xlsx", "乐园镇2021年度社区矫正情况统计表", ["联合村"])
    other = correction(books, "b.xlsx", "花坪镇2021年度社区矫正情况统计表", ["联合村", "石门村"])
    load(con, first, other)
    assert sorted(towns_of(con).values()) == [LEYUAN, HUAPING]
    again = correction(books, "c.xlsx", "乐园镇2021年度社区矫正情况统计表", ["联合村", "水口村"])
    [report] = load(con, again)
    current = towns_of(con)
    assert sorted(current.values()) == [LEYUAN, HUAPING]
    assert current[report.submission_ids[0]] == LEYUAN
    superseded = con.execute("select town_code, superseded_by from submission where status = 'superseded'").fetchall()
    assert superseded == [(LEYUAN, report.submission_ids[0])]
    total = con.execute("select sum(value) from indicator_values where indicator_code = 'cc_registered'").fetchone()[0]
    assert total == 2 * 2 + 2 * 2  # 乐园镇's new two villages and 花坪镇's two, never the replaced sheet


def test_a_towns_template_lists_its_villages_and_comes_back_as_its_own(con, tmp_path):
    path = tmp_path / "乐园镇司法所.xlsx"
    write_template("司法所", path, year=2021, town=LEYUAN)
    book = openpyxl.load_workbook(path)
    sheet = book["社区矫正"]
    assert str(sheet["A1"].value).startswith("乐园镇")
    listed = [row[0].value for row in sheet.iter_rows(min_row=5) if row[0].value]
    assert [v.name for v in load_places().of_town(LEYUAN).villages] == listed[: len(load_places().of_town(LEYUAN).villages)]
    for row in sheet.iter_rows(min_row=5):
        if row[0].value == "联合村":
            for cell in row[1:8]:
                cell.value = 0
            row[1].value, row[2].value = 3, 3
    book.save(path)
    renamed = tmp_path / "司法所2021.xlsx"  # the town is in the template's title, not the file name
    path.rename(renamed)
    [report] = load(con, renamed)
    assert report.status == "loaded", report.errors
    assert set(towns_of(con).values()) == {LEYUAN}


def run_cli(*args: str, villages=DISTRICT_VILLAGES):
    return etl(*args, env={"FAZHI_VILLAGES": villages})


def test_the_command_line_asks_which_town_in_a_district(tmp_path):
    done = run_cli("template", "司法所", "-o", str(tmp_path / "t.xlsx"))
    assert done.returncode == 2 and "--town" in done.stderr and "十里亭镇" in done.stderr
    done = run_cli("template", "司法所", "-o", str(tmp_path / "t.xlsx"), "--town", "火星镇")
    assert done.returncode == 2 and "不认识镇（街道）“火星镇”" in done.stderr
    done = run_cli("template", "司法所", "-o", str(tmp_path / "t.xlsx"), "--town", "乐园镇")
    assert done.returncode == 0, done.stderr
    assert str(openpyxl.load_workbook(tmp_path / "t.xlsx")["社区矫正"]["A1"].value).startswith("乐园镇")


def test_the_district_demo_holds_every_town_and_shilitings_own_figures(district_db_master, demo_db_master):
    import duckdb

    district = duckdb.connect(str(district_db_master), read_only=True)
    town = duckdb.connect(str(demo_db_master), read_only=True)
    per_town = district.execute(
        "select town_code, count(distinct topic), count(distinct year) from submission_history where status = 'loaded' group by 1"
    ).fetchall()
    assert len(per_town) == 8 and all(row[1:] == (5, 5) for row in per_town)
    values = "select year, village_code, indicator_code, value, qualifier from indicator_values where town_code = ? order by all"
    assert district.execute(values, [SHILITING]).fetchall() == town.execute(values, [SHILITING]).fetchall()
    assert district.execute("select count(*) from load_attempt where status <> 'loaded'").fetchone() == (0,)


def test_the_report_of_one_town_of_a_district_is_that_towns(district_db_master, tmp_path):
    import docx

    output = tmp_path / "乐园镇.docx"
    done = run_cli("report", "-o", str(output), "--db", str(district_db_master))
    assert done.returncode == 2 and "--town" in done.stderr
    done = run_cli("report", "--town", "乐园镇", "-o", str(output), "--db", str(district_db_master))
    assert done.returncode == 0, done.stderr
    assert docx.Document(str(output)).paragraphs[0].text.startswith("乐园镇关于")
