"""Downloads: CSV that Excel opens in Chinese, workbooks with one sheet per chart plus 说明,
names that say what is inside, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from figures import export


def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "村（社区）": ["前进路社区", "金凤坪村", "红岭村"],
            "活动主题": ["“送法进社区”民法典宣传", '=HYPERLINK("http://x","点我")', "＝1+1"],
            "发放资料（份）": [1000, 350, 0],
            "变化": [-3, 2, 0],
        }
    )


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_utf8():
    data = export.csv_bytes(events())
    assert data.startswith(b"\xef\xbb\xbf")


def test_csv_round_trips_chinese_text_and_numbers():
    back = pd.read_csv(io.BytesIO(export.csv_bytes(events())), encoding="utf-8-sig")
    assert list(back.columns) == ["村（社区）", "活动主题", "发放资料（份）", "变化"]
    assert back.loc[0, "村（社区）"] == "前进路社区"
    assert back.loc[0, "活动主题"] == "“送法进社区”民法典宣传"
    assert back["发放资料（份）"].tolist() == [1000, 350, 0]


def test_csv_neutralises_formulas_including_full_width_equals():
    back = pd.read_csv(io.BytesIO(export.csv_bytes(events())), encoding="utf-8-sig")
    assert back.loc[1, "活动主题"] == '\'=HYPERLINK("http://x","点我")'
    assert back.loc[2, "活动主题"] == "'＝1+1"


def test_a_real_negative_number_stays_a_number():
    back = pd.read_csv(io.BytesIO(export.csv_bytes(events())), encoding="utf-8-sig")
    assert back["变化"].tolist() == [-3, 2, 0]
    assert pd.api.types.is_integer_dtype(back["变化"])


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1+1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\n=1",
        "＝1",
        "＋1",
        "－1",
        "＠A1",
        " =1",
        "\u200b=1",
        "\ufeff=1",
        "\u00a0=1",
        "\u200b \u2060+1",
    ],
)
def test_every_formula_start_is_neutralised(text):
    assert export.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["前进路社区", "1000+", "约30", "", 12, -5, 3.5, None])
def test_ordinary_values_pass_unchanged(value):
    assert export.neutralise(value) == value


def test_a_formula_in_a_header_is_neutralised_too():
    frame = pd.DataFrame({"=cmd": [1]})
    back = pd.read_csv(io.BytesIO(export.csv_bytes(frame)), encoding="utf-8-sig")
    assert list(back.columns) == ["'=cmd"]


def test_xlsx_holds_one_sheet_per_chart_and_a_notes_sheet():
    sheets = {"历年趋势": events(), "分村对比": events().head(2)}
    data = export.xlsx_bytes(sheets, [("年份范围", "2019–2023年"), ("数据截至", "2024-01-10 09:30")], ["a.xlsx!S!C5"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["历年趋势", "分村对比", "说明"]
    trend = book["历年趋势"]
    assert [c.value for c in trend[1]] == ["村（社区）", "活动主题", "发放资料（份）", "变化"]
    assert trend["A2"].value == "前进路社区"
    assert trend["D2"].value == -3
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert notes["年份范围"] == "2019–2023年"
    assert notes["数据截至"] == "2024-01-10 09:30"
    assert notes["来源"] == "a.xlsx!S!C5"


def test_xlsx_cells_never_become_formulas():
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes({"数据": events()})))
    sheet = book["数据"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    assert sheet["B3"].value.startswith("'=")


def test_sheet_names_are_valid_and_unique():
    taken: list[str] = []
    for title in ["分村/对比:2021", "分村/对比:2021", "说明", "x" * 40]:
        name = export.sheet_name(title, taken)
        taken.append(name)
        assert len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
    assert len(set(taken)) == len(taken)
    assert "说明" not in taken


def test_file_names_say_town_topic_years_and_villages():
    assert export.file_name("十里亭镇", "社区矫正", 2019, 2023, "全部村", "csv") == "十里亭镇_社区矫正_2019-2023_全部村.csv"
    assert export.file_name("十里亭镇", "禁毒", 2021, 2021, "五里亭派出所辖区", "xlsx", "分村对比") == (
        "十里亭镇_禁毒_2021_五里亭派出所辖区_分村对比.xlsx"
    )
    assert "/" not in export.file_name("十里亭镇", "a/b", 2021, 2021, "c:d", "csv")
