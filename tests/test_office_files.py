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
