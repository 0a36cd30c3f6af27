"""Small-count protection: sensitive village counts 1..k−1 show as `<k` on pages, in
downloads and in meeting mode; enough other cells are hidden (`*`) that no published
total gives one back; zero stays zero; the town totals stay."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from etl.loading.loader import load_blobs
from etl.reference.places import load_places
from figures import protection
from tests.builders import MENTAL_HEADER, correction_sheet
from tests.dashboard_support import assert_clean, goto, metric_values, open_app, sql

K = 3
PLACES = load_places()
NAMES = [v.name for v in PLACES.villages]
CODE = {v.name: v.code for v in PLACES.villages}
STATIONS = {v.code: v.police_station for v in PLACES.villages}

# 社区矫正 2024: 在册, 缓刑, 假释, 管制, 暂予监外执行, 脱管, 漏管. Small counts in a few
# villages, larger ones elsewhere, zeros in the rest.
CORRECTION = {
    "前进路社区": [1, 1, 0, 0, 0, 0, 0],
    "十里亭社区": [6, 5, 1, 0, 0, 0, 0],
    "红星社区": [10, 7, 0, 3, 0, 0, 0],  # 管制 1 in 曲仁 and 3 here: town − 3 would give the 1 back
    "五里亭社区": [2, 2, 0, 0, 0, 0, 0],
    "曲仁社区": [9, 8, 0, 1, 0, 0, 0],
    "金凤坪村": [4, 4, 0, 0, 0, 0, 0],
    "荷树下村": [5, 5, 0, 0, 0, 0, 0],
}
# 严重精神障碍患者 2024: 在管, 0–5级, 本年强制送治.
MENTAL = {
    "前进路社区": [20, 10, 6, 3, 1, 0, 0, 0],
    "十里亭社区": [15, 8, 4, 2, 0, 1, 0, 1],
    "红星社区": [12, 6, 3, 3, 0, 0, 0, 0],
    "五里亭社区": [18, 9, 5, 3, 0, 0, 1, 0],
    "曲仁社区": [10, 5, 3, 2, 0, 0, 0, 2],
    "金凤坪村": [25, 12, 8, 4, 1, 0, 0, 0],
}


def rows(table: dict[str, list[int]]) -> list[list[object]]:
    return [[name, *table.get(name, [0] * len(next(iter(table.values()))))] for name in NAMES]


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    """A warehouse of 2024 only, loaded from workbooks with small counts."""
    from tests.builders import WorkbookBuilder

    folder = tmp_path_factory.mktemp("small")
    books = WorkbookBuilder(folder / "books")
    correction = books.write("社区矫正_2024.xlsx", correction_sheet(rows(CORRECTION), year=2024))
    mental = books.write(
        "精神障碍_2024.xlsx", books.sheet("精神障碍", [["十里亭镇2024年度严重精神障碍患者管理情况统计表"], MENTAL_HEADER, *rows(MENTAL)])
    )
    db = folder / "warehouse.duckdb"
    reports = load_blobs(db, [(p.name, p.read_bytes()) for p in (correction, mental)])
    assert [r.status for r in reports] == ["loaded", "loaded"], [r.errors for r in reports]
    return db


# ---------------------------------------------------------------- the rule itself


def long_frame(values: dict[str, int], indicator: str = "x") -> pd.DataFrame:
    return pd.DataFrame(
        [(2024, CODE[name], indicator, value, "exact") for name, value in values.items()],
        columns=["year", "village_code", "indicator_code", "value", "qualifier"],
    )


def shown(protected: protection.Protected) -> dict[str, str]:
    frame = protected.values
    names = {v.code: v.name for v in PLACES.villages}
    return {
        names[c]: (d if q == protection.SUPPRESSED else str(int(v)))
        for c, v, q, d in zip(frame["village_code"], frame["value"], frame["qualifier"], frame["display"], strict=True)
    }


def feasible(total: int, cells: dict[str, str], k: int, target: str) -> set[int]:
    """Every value the hidden cell `target` could take, given the published total and
    what the other cells show (`<k` = 1..k−1; `*` = hidden, at least 1): brute force."""
    known = sum(int(v) for v in cells.values() if v not in (f"<{k}", "*"))
    others = [v for name, v in cells.items() if name != target and v in (f"<{k}", "*")]
    rest = total - known
    sums = {0}
    for marker in others:
        choices = range(1, k) if marker == f"<{k}" else range(1, rest + 1)
        sums = {s + c for s in sums for c in choices if s + c <= rest}
    options = range(1, k) if cells[target] == f"<{k}" else range(1, rest + 1)
    return {c for c in options if rest - c in sums}


def test_counts_below_k_show_as_below_k_and_zero_stays_zero():
    values = {"前进路社区": 1, "十里亭社区": 2, "红星社区": 0, "五里亭社区": 9, "曲仁社区": 12, "金凤坪村": 15}
    protected = protection.suppress(long_frame(values), K, STATIONS, {"x"})
    cells = shown(protected)
    assert cells["前进路社区"] == cells["十里亭社区"] == "<3"
    assert cells["红星社区"] == "0"
    assert cells["曲仁社区"] == "12" and cells["金凤坪村"] == "15"


def test_one_small_count_among_large_ones_takes_a_second_cell_with_it():
    values = {"前进路社区": 1, "红星社区": 9, "曲仁社区": 12, "金凤坪村": 15, "十里亭社区": 0}
    protected = protection.suppress(long_frame(values), K, STATIONS, {"x"})
    cells = shown(protected)
    assert cells["前进路社区"] == "<3"
    assert sum(v in ("<3", "*") for v in cells.values()) >= 2, cells
    assert feasible(sum(values.values()), cells, K, "前进路社区") == {1, 2}


def test_two_small_counts_that_add_up_to_their_minimum_are_covered_too():
    # 1 and 1 behind "<3" and "<3" with the rest shown: total minus the rest is 2, so both are 1.
    values = {"前进路社区": 1, "十里亭社区": 1, "红星社区": 9, "曲仁社区": 12, "金凤坪村": 15}
    cells = shown(protection.suppress(long_frame(values), K, STATIONS, {"x"}))
    total = sum(values.values())
    assert feasible(total, cells, K, "前进路社区") == {1, 2}
    assert feasible(total, cells, K, "十里亭社区") == {1, 2}


def test_a_village_row_rule_cannot_give_a_hidden_part_back():
    # 在册 6 = 缓刑 5 + 假释 1: with 在册 and 缓刑 shown, 假释 would be 6 − 5.
    frame = pd.concat(
        [
            long_frame({"十里亭社区": 6, "红星社区": 7, "曲仁社区": 9, "金凤坪村": 8}, "cc_registered"),
            long_frame({"十里亭社区": 5, "红星社区": 7, "曲仁社区": 9, "金凤坪村": 8}, "cc_probation"),
            long_frame({"十里亭社区": 1, "红星社区": 0, "曲仁社区": 0, "金凤坪村": 0}, "cc_parole"),
        ],
        ignore_index=True,
    )
    rules = [("cc_registered", ("cc_probation", "cc_parole"))]
    protected = protection.suppress(frame, K, STATIONS, {"cc_registered", "cc_probation", "cc_parole"}, rules)
    row = protected.values[protected.values["village_code"] == CODE["十里亭社区"]].set_index("indicator_code")
    assert row.loc["cc_parole", "display"] in ("<3", "*")
    assert (row.loc[["cc_registered", "cc_probation"], "qualifier"] == protection.SUPPRESSED).any()


def test_a_station_with_a_single_non_zero_village_hides_its_total():
    # 五里亭派出所's villages: only 五里亭社区 has anyone, 2 people.
    values = {"五里亭社区": 2, "前进路社区": 9, "十里亭社区": 12, "金凤坪村": 15}
    protected = protection.suppress(long_frame(values), K, STATIONS, {"x"})
    wuliting = [code for code, station in STATIONS.items() if station == "五里亭派出所"]
    assert protected.total_marker(2024, "x", wuliting) is not None
    assert protected.total_marker(2024, "x", None) is None, "the town total stays"


def test_a_hand_picked_set_of_villages_with_a_hidden_cell_shows_no_sum():
    values = {"前进路社区": 1, "红星社区": 9, "曲仁社区": 12, "金凤坪村": 15}
    protected = protection.suppress(long_frame(values), K, STATIONS, {"x"})
    assert protected.total_marker(2024, "x", [CODE["前进路社区"], CODE["红星社区"]]) == "*"
    shown_only = [name for name, v in shown(protected).items() if v not in ("<3", "*")]
    assert protected.total_marker(2024, "x", [CODE[n] for n in shown_only]) is None


def test_the_setting_is_off_at_the_desk_and_three_in_meeting_mode_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("FAZHI_SMALL_COUNT_K", raising=False)
    monkeypatch.delenv("FAZHI_MEETING_SMALL_COUNT_K", raising=False)
    assert protection.small_count_k(meeting=False) == 0
    assert protection.small_count_k(meeting=True) == 3
    (tmp_path / "s.toml").write_text("small_count_k = 5\nmeeting_small_count_k = 3\n", encoding="utf-8")
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "s.toml"))
    assert protection.small_count_k(meeting=False) == 5
    assert protection.small_count_k(meeting=True) == 5, "meeting mode is never less protective than the desk"


# ---------------------------------------------------------------- pages and downloads


def hidden_cells(db, k: int = K) -> dict[tuple[str, str], int]:
    """(village, indicator) → true value of every village count 1..k−1 in the warehouse."""
    found = sql(
        db,
        "select village_name, indicator_code, value from indicator_values where village_code is not null and value between 1 and ?",
        [k - 1],
    )
    return {(name, code): value for name, code, value in found}


def page_exports(at) -> dict[str, bytes]:
    """Exactly what the download buttons serve (their own callables), by name."""
    return {name: make() for name, make in at.session_state["_exports"].items()}


def assert_village_rows_hide(frame: pd.DataFrame, names: dict[str, str], secrets: dict[tuple[str, str], int]) -> None:
    """In a frame of village rows (村（社区） + 指标 + 数值/显示值), no small count shows."""
    if "村（社区）" not in frame.columns or "指标" not in frame.columns:
        return
    for row in frame.itertuples(index=False):
        record = dict(zip(frame.columns, row, strict=True))
        code = names.get(record["指标"])
        if (record["村（社区）"], code) in secrets:
            assert pd.isna(record.get("数值")) or record.get("数值") in ("", None), record
            assert record.get("显示值") in ("<3", "*"), record


def assert_no_leak(at, db) -> None:
    secrets = hidden_cells(db)
    assert secrets, "the fixture has small counts"
    names = {name: code for code, name in sql(db, "select indicator_code, indicator_name from indicators")}
    # Tables on the page: the wide detail table has one column per indicator.
    for table in [f.value for f in at.dataframe] + [t.value for t in at.table]:
        if "村（社区）" in table.columns:
            for (village, code), _ in secrets.items():
                name = next(n for n, c in names.items() if c == code)
                if name in table.columns:
                    for cell in table.loc[table["村（社区）"] == village, name]:
                        assert str(cell).replace("\\", "") in ("<3", "*"), (village, name, cell)
    # Charts: a village's point is never drawn, and no label or tooltip carries it.
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        for trace in figure["data"]:
            categories = trace.get("y") if trace.get("orientation") == "h" else trace.get("x")
            values = trace.get("x") if trace.get("orientation") == "h" else trace.get("y")
            if not isinstance(categories, list) or not isinstance(values, list):
                continue
            for village, value, text in zip(categories, values, trace.get("text") or [None] * len(values), strict=False):
                if any(village == v and trace.get("name") in (next(n for n, c in names.items() if c == code),) for v, code in secrets):
                    assert value is None, (trace.get("name"), village, value)
                    assert text in (None, "<3", "*"), (trace.get("name"), village, text)
    # Downloads: CSV and Excel, every sheet.
    for name, data in page_exports(at).items():
        if name.endswith("（CSV）"):
            assert_village_rows_hide(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str), names, secrets)
        else:
            book = openpyxl.load_workbook(io.BytesIO(data))
            for sheet in book.worksheets:
                values = list(sheet.values)
                if values:
                    frame = pd.DataFrame(values[1:], columns=values[0])
                    assert_village_rows_hide(frame, names, secrets)


@pytest.mark.parametrize("page", ["correction", "mental_health"])
def test_meeting_mode_shows_no_small_count_on_the_page_or_in_any_download(small_db, page, monkeypatch, tmp_path):
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "none.toml"))
    at = goto(open_app(small_db, monkeypatch, {"meeting": "1"}), page)
    assert_clean(at)
    assert any("为保护个人信息" in c.value for c in at.caption)
    assert_no_leak(at, small_db)


def test_the_desk_view_follows_the_setting(small_db, monkeypatch, tmp_path):
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "none.toml"))
    at = goto(open_app(small_db, monkeypatch), "correction")
    detail = next(f.value for f in at.dataframe if "村（社区）" in f.value.columns)
    assert detail.loc[detail["村（社区）"] == "前进路社区", "在册社区矫正对象"].tolist() == ["1"], "off by default at the desk"
    monkeypatch.setenv("FAZHI_SMALL_COUNT_K", "3")
    at = goto(open_app(small_db, monkeypatch), "correction")
    assert_clean(at)
    assert_no_leak(at, small_db)


def test_the_town_total_stays_and_the_shown_villages_do_not_give_a_hidden_one_back(small_db, monkeypatch, tmp_path):
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "none.toml"))
    at = goto(open_app(small_db, monkeypatch, {"meeting": "1"}), "correction")
    assert metric_values(at)["在册社区矫正对象（人）"] == str(sum(v[0] for v in CORRECTION.values()))
    detail = pd.read_csv(io.BytesIO(page_exports(at)["明细（CSV）"]), encoding="utf-8-sig", dtype=str)
    assert {"<3", "*"} <= set(detail["显示值"]), "small counts hidden, and others hidden to cover them"
    for indicator, group in detail.groupby("指标"):
        ((total,),) = sql(small_db, "select sum(value) from indicator_values where indicator_name = ? and year = 2024", [indicator])
        cells = dict(zip(group["村（社区）"], group["显示值"], strict=True))
        if sum(v != "0" for v in cells.values()) == 1:
            continue  # one village alone: the town total is its count (the stated limit, next test)
        for village, marker in cells.items():
            if marker == "<3":
                assert feasible(int(total), cells, K, village) == {1, 2}, (indicator, village, cells)
            elif marker == "*":
                assert len(feasible(int(total), cells, K, village)) > 1, (indicator, village, cells)


def test_a_lone_small_count_is_marked_though_the_town_total_equals_it(small_db, monkeypatch, tmp_path):
    """The stated limit: zeros stay zero and the town total stays, so when one village
    alone has anyone (假释 here), the town total is its count. It is still not shown
    against the village, and the README says so."""
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "none.toml"))
    at = goto(open_app(small_db, monkeypatch, {"meeting": "1"}), "correction")
    detail = pd.read_csv(io.BytesIO(page_exports(at)["明细（CSV）"]), encoding="utf-8-sig", dtype=str)
    parole = detail[detail["指标"] == "假释"]
    assert parole.loc[parole["村（社区）"] == "十里亭社区", "显示值"].tolist() in (["<3"], ["*"])
    assert set(parole.loc[parole["村（社区）"] != "十里亭社区", "显示值"]) == {"0"}


def test_a_pick_of_villages_with_a_hidden_count_shows_no_sum_on_the_cards(small_db, monkeypatch, tmp_path):
    monkeypatch.setenv("FAZHI_SETTINGS", str(tmp_path / "none.toml"))
    link = {"meeting": "1", "v": f"{CODE['前进路社区']},{CODE['红星社区']}"}
    at = goto(open_app(small_db, monkeypatch, link), "correction")
    assert_clean(at)
    assert metric_values(at)["在册社区矫正对象（人）"] == "*"
