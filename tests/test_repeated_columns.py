"""The same indicator twice is refused, never summed: two columns that both mean 脱管, two rows
of a form that both mean one indicator, two count columns of an event list."""

from tests.builders import CORRECTION_HEADER, EVENT_HEADER, staffing_rows


def refused(load, path):
    [report] = load(path)
    assert report.status == "rejected", "a repeated indicator was loaded"
    return report.errors


def test_two_columns_that_both_mean_absconded_are_refused_naming_both_headers(books, load, fresh_db):
    header = [*CORRECTION_HEADER[:6], "脱管（人）", "脱管人数"]
    rows = [["2021年度"], header, ["前进路社区", 2, 2, 0, 0, 0, 1, 5]]
    errors = refused(load, books.write("c.xlsx", books.sheet("S", rows)))
    assert [(e.code, e.cell) for e in errors] == [("DUPLICATE_COLUMN", "H2")]
    assert "G2“脱管（人）”" in errors[0].message and "H2“脱管人数”" in errors[0].message
    assert fresh_db.execute("select count(*) from fact").fetchone()[0] == 0


def test_a_repeated_column_under_a_two_row_header_names_the_cells_a_person_sees(books, load):
    rows = [
        ["2021年度"],
        ["村（社区）", "在册社区矫正对象", "其中", None, None, None, "脱管", "脱管人数"],
        [None, None, "缓刑", "假释", "管制", "暂予监外执行", None, None],
        ["前进路社区", 2, 2, 0, 0, 0, 1, 5],
    ]
    merges = [(1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 5), (1, 6, 2, 6), (1, 7, 2, 7)]
    errors = refused(load, books.write("c.xls", books.sheet("S", rows, merges)))
    assert [(e.code, e.cell) for e in errors] == [("DUPLICATE_COLUMN", "H2")]
    assert "G2" in errors[0].message


def test_a_form_with_the_same_indicator_on_two_rows_is_refused_naming_both(books, load):
    rows = [["2021年度"], ["指标", "数值"], *staffing_rows(), ["公务员编制数", 38]]
    errors = refused(load, books.write("s.xlsx", books.sheet("S", rows)))
    assert [(e.code, e.cell) for e in errors] == [("DUPLICATE_INDICATOR", "A16")]
    assert "A3" in errors[0].message and "A16" in errors[0].message


def test_an_event_list_with_two_participant_columns_is_refused(books, load):
    header = [*EVENT_HEADER, "参加人数"]
    rows = [["2021年普法活动"], header, ["2021-05-01", "金凤坪村", "村委会", "宣传", None, 100, 1, 10, 50, 50]]
    errors = refused(load, books.write("e.xlsx", books.sheet("S", rows)))
    assert [(e.code, e.cell) for e in errors] == [("DUPLICATE_COLUMN", "J2")]
