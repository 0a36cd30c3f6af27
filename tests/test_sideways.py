"""A table laid out sideways (villages across the top, indicators down the side) is refused as
表格行列颠倒 with how to turn it, never loaded wrong."""

import pytest

from tests.builders import CORRECTION_HEADER


@pytest.mark.parametrize("suffix", ["xlsx", "ods"])
def test_a_sideways_table_is_refused_with_how_to_turn_it(books, load, fresh_db, suffix):
    upright = [CORRECTION_HEADER, ["前进路社区", 2, 2, 0, 0, 0, 0, 0], ["金凤坪村", 1, 1, 0, 0, 0, 0, 0], ["红星社区", 3, 3, 0, 0, 0, 0, 0]]
    sideways = [[line[c] for line in upright] for c in range(len(CORRECTION_HEADER))]
    path = books.write(f"c.{suffix}", books.sheet("S", [["2021年度社区矫正"], *sideways]))
    [report] = load(path)
    [error] = report.errors
    assert error.code == "TRANSPOSED" and error.cell == "A2"
    assert "行列颠倒" in error.message and "转置" in error.message
    assert fresh_db.execute("select count(*) from fact").fetchone()[0] == 0
