"""Drug tables grouped by police station: a 派出所 cell merged down over its villages, a 小计 row
after each station, a 全镇合计 merged over two columns. Each 小计 is checked against its own
station's villages, the town total against all; a village listed under another station than the
village list says is named."""

import pytest

from etl.reference.places import load_places

HEADER = ["派出所", "村（社区）", "在册吸毒人员（人）", "现报到（人）", "死亡（人）", "服刑、强戒（人）"]


def station_villages(name):
    return [v.name for v in load_places().villages if v.police_station == name]


def drug_table(subtotal_inside_merge=False, label="小计", registered=None, move=None):
    """The table and its merges; `registered` overrides a station's 小计 of 在册, `move` lists a
    village under the other station."""
    rows = [["十里亭镇2021年度吸毒人员管控情况统计表"], HEADER]
    merges = []
    town = [0, 0, 0, 0]
    for number, station in enumerate(["十里亭派出所", "五里亭派出所"]):
        names = station_villages(station)
        if move and move[1] == station:
            names = [*names, move[0]]
        if move and move[0] in names and move[1] != station:
            names.remove(move[0])
        first = len(rows)
        totals = [0, 0, 0, 0]
        for n, name in enumerate(names):
            values = [20 + n + 3 * number, 1, n % 2, 2]
            rows.append([station if n == 0 else None, name, *values])
            totals = [a + b for a, b in zip(totals, values)]
        if registered and station in registered:
            totals[0] = registered[station]
        rows.append([None, label, *totals])
        last = len(rows) - 1 if subtotal_inside_merge else len(rows) - 2
        merges.append((first, 0, last, 0))
        town = [a + b for a, b in zip(town, totals)]
    rows.append(["全镇合计", None, *town])
    merges.append((len(rows) - 1, 0, len(rows) - 1, 1))
    rows += [[], ["填表人：", None, "审核人："]]
    return rows, merges


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
@pytest.mark.parametrize("inside", [False, True], ids=["小计 below the merge", "小计 inside the merge"])
def test_each_station_subtotal_is_checked_against_its_own_villages(books, load, fresh_db, suffix, inside):
    rows, merges = drug_table(subtotal_inside_merge=inside)
    [report] = load(books.write(f"毒.{suffix}", books.sheet("吸毒人员", rows, merges)))
    assert report.status == "loaded", report.errors
    by_station = dict(
        fresh_db.execute(
            "select police_station, sum(value) from indicator_values join villages using (village_code) "
            "where indicator_code = 'drug_registered' group by 1"
        ).fetchall()
    )
    assert by_station == {"十里亭派出所": sum(20 + n for n in range(8)), "五里亭派出所": sum(23 + n for n in range(8))}
    assert report.rows == 16 * 4  # the 小计 and 全镇合计 rows were checked, then dropped


def test_a_wrong_station_subtotal_names_that_station_and_its_own_sum(books, load):
    rows, merges = drug_table(registered={"五里亭派出所": 999})
    [report] = load(books.write("毒.xlsx", books.sheet("吸毒人员", rows, merges)))
    errors = [(e.code, e.cell) for e in report.errors]
    wrong_row = 2 + 8 + 1 + 8 + 1  # the 五里亭 小计 row, 1-based
    assert ("TOTAL_MISMATCH", f"C{wrong_row}") in errors
    message = next(e.message for e in report.errors if e.cell == f"C{wrong_row}")
    assert "五里亭派出所小计" in message and str(sum(23 + n for n in range(8))) in message
    # the town total (which adds up the stated subtotals) is checked against all villages too
    assert ("TOTAL_MISMATCH", f"C{wrong_row + 1}") in errors


def test_a_village_under_another_station_than_the_list_says_is_named(books, load):
    rows, merges = drug_table(move=("前进路社区", "五里亭派出所"))
    [report] = load(books.write("毒.xlsx", books.sheet("吸毒人员", rows, merges)))
    mismatches = [e for e in report.errors if e.code == "STATION_MISMATCH"]
    assert len(mismatches) == 1
    assert "前进路社区" in mismatches[0].message and "十里亭派出所" in mismatches[0].message and "五里亭派出所" in mismatches[0].message


def test_a_bare_subtotal_without_a_station_column_sums_the_villages_above_it(books, load, fresh_db):
    rows = [
        ["2021年度吸毒人员统计表"],
        ["村（社区）", "在册吸毒人员（人）", "现报到（人）"],
        ["前进路社区", 10, 1],
        ["金凤坪村", 8, 0],
        ["小计", 18, 1],
        ["五里亭社区", 7, 1],
        ["小计", 7, 1],
        ["合计", 25, 2],
    ]
    [report] = load(books.write("毒.xlsx", books.sheet("S", rows)))
    assert report.status == "loaded", report.errors
    assert fresh_db.execute("select sum(value) from indicator_values where indicator_code = 'drug_registered'").fetchone()[0] == 25


def test_a_note_that_mentions_another_station_is_not_taken_for_the_station_column(books, load):
    rows = [
        ["2021年度吸毒人员统计表"],
        ["村（社区）", "在册吸毒人员（人）", "现报到（人）", "备注"],
        ["前进路社区", 10, 1, "一人已移交五里亭派出所"],
        ["金凤坪村", 8, 0, None],
        ["十里亭派出所小计", 18, 1, None],
    ]
    [report] = load(books.write("毒.xlsx", books.sheet("S", rows)))
    assert report.status == "loaded", report.errors
