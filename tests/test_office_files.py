"""Workbooks saved by LibreOffice (tests/fixtures/) load with every number right."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def numbers(con, indicator):
    return dict(con.execute("select village_name, value from indicator_values where indicator_code = ? order by 1", [indicator]).fetchall())


@pytest.mark.parametrize("name", ["libreoffice_精神障碍患者2021.xls", "libreoffice_精神障碍患者2021.ods"])
def test_a_grouped_two_row_header_with_total_and_notes_saved_by_libreoffice(load, fresh_db, name):
    [report] = load(FIXTURES / name)
    assert report.status == "loaded", report.errors
    assert report.rows == 23  # 3 villages × 8 columns, less the one written "-"
    assert numbers(fresh_db, "mh_managed") == {"前进路社区": 20, "红星社区": 9, "金凤坪村": 15}
    assert numbers(fresh_db, "mh_risk_4") == {"前进路社区": 0, "红星社区": 0, "金凤坪村": 1}
    assert numbers(fresh_db, "mh_forced_treatment") == {"前进路社区": 1, "金凤坪村": 0}
    assert fresh_db.execute("select distinct year from indicator_values").fetchall() == [(2021,)]
    assert any("草稿" in notice for notice in report.notices)


def test_station_column_merged_with_subtotals_saved_by_libreoffice(load, fresh_db):
    [report] = load(FIXTURES / "libreoffice_禁毒办吸毒人员.xls")
    assert report.status == "loaded", report.errors
    assert numbers(fresh_db, "drug_registered") == {"五里亭社区": 40, "前进路社区": 30, "金凤坪村": 25}
    assert sum(numbers(fresh_db, "drug_detained").values()) == 6


def test_event_list_saved_by_libreoffice_keeps_qualifiers(load, fresh_db):
    [report] = load(FIXTURES / "libreoffice_普法活动.ods")
    assert report.status == "loaded", report.errors
    rows = fresh_db.execute(
        "select village_name, materials, materials_qualifier, consultations, consultations_qualifier, participants, participants_qualifier "
        "from outreach_events order by event_date"
    ).fetchall()
    assert rows == [("前进路社区", 1000, "at_least", 30, "at_least", None, None), ("金凤坪村", 300, "approx", 20, "exact", 100, "at_least")]


@pytest.mark.parametrize("name", ["gnumeric_社区矫正2021.ods"])
def test_an_ods_written_by_gnumeric_loads_through_the_second_reader(load, fresh_db, name):
    # python-calamine refuses Gnumeric's indented content.xml ("Cannot detect file format").
    [report] = load(FIXTURES / name)
    assert report.status == "loaded", report.errors
    assert numbers(fresh_db, "cc_registered") == {"前进路社区": 3, "金凤坪村": 4}
    assert numbers(fresh_db, "cc_parole") == {"前进路社区": 1, "金凤坪村": 0}
    assert report.rows == 14
    assert any("草稿" in notice and "隐藏" in notice for notice in report.notices)


def test_a_gnumeric_ods_showing_percentages_in_count_cells_is_refused(load):
    [report] = load(FIXTURES / "gnumeric_百分比2021.ods")
    assert [(e.code, e.cell) for e in report.errors] == [("COUNT_FORMAT", "B5"), ("COUNT_FORMAT", "C5")]
    assert "显示为 100%（百分比）" in report.errors[0].message


def test_a_file_no_reader_can_open_is_still_called_damaged(tmp_path, load):
    data = (FIXTURES / "gnumeric_社区矫正2021.ods").read_bytes()
    path = tmp_path / "坏.ods"
    path.write_bytes(data[: len(data) // 2])
    [report] = load(path)
    assert [e.code for e in report.errors] == ["FILE_CORRUPT"]
