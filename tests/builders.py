"""Workbooks built by the tests, laid out as clerks lay them out."""

from __future__ import annotations

from pathlib import Path

from etl.authoring.writer import SheetSpec, write_workbook

CORRECTION_HEADER = ["村（社区）", "在册社区矫正对象（人）", "缓刑", "假释", "管制", "暂予监外执行", "脱管（人）", "漏管（人）"]
MENTAL_HEADER = ["村（社区）", "在管患者（人）", "0级", "1级", "2级", "3级", "4级", "5级", "本年强制送治（人）"]
DRUG_HEADER = ["村（社区）", "在册吸毒人员（人）", "现报到（人）", "死亡（人）", "服刑、强戒（人）", "本年肇事肇祸案件（起）"]
EVENT_HEADER = [
    "活动日期",
    "村（社区）",
    "地点",
    "活动主题",
    "联合单位",
    "发放资料（份）",
    "悬挂横幅（幅）",
    "解答咨询（人次）",
    "参与人数（人）",
]


def correction_sheet(rows: list[list[object]], year: int | None = 2021, name: str = "社区矫正") -> SheetSpec:
    """A title with the year, the template header, then the given rows."""
    title = [f"十里亭镇{year}年度社区矫正情况统计表"] if year else ["十里亭镇社区矫正情况统计表"]
    return SheetSpec(name, [title, CORRECTION_HEADER, *rows])


def staffing_rows(**overrides: object) -> list[list[object]]:
    """The 2021 staffing form as the report states it; keyword arguments replace values by label."""
    rows = [
        ["核定公务员编制数（名）", 38],
        ["其中：行政编制（名）", 32],
        ["其中：行政执法专项编制（名）", 6],
        ["实有行政编制人数（人）", 18],
        ["实有行政执法专项编制人数（人）", 2],
        ["内设机构数（个）", 9],
        ["委员会数（个）", 3],
        ["综合行政执法办公室工作人员（人）", 5],
        ["其中：行政执法专项编制（人）", 2],
        ["其中：事业编制（人）", 2],
        ["其中：购买服务（人）", 1],
        ["通过行政执法资格考试人数（人）", 13],
        ["执法公示平台公布数据项（项）", 7],
    ]
    for row in rows:
        key = row[0].replace("其中：", "").split("（")[0]
        if key in overrides:
            row[1] = overrides[key]
    return rows


class WorkbookBuilder:
    """Writes workbooks into one folder of tmp_path."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, *sheets: SheetSpec) -> Path:
        path = self.folder / name
        write_workbook(path, list(sheets))
        return path

    def sheet(self, name: str, rows: list[list[object]], merges=(), hidden: bool = False) -> SheetSpec:
        return SheetSpec(name, rows, list(merges), hidden)
