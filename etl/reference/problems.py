"""What the ETL tells a clerk: coded problems (the file is refused) and notices (it is not)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Every code a rejection can carry, with what it means, for the README and the tests.
CODES = {
    "FILE_TYPE": "不是电子表格（按内容判断，不看扩展名）",
    "FILE_EMPTY": "空文件",
    "FILE_CORRUPT": "文件损坏，读不出来",
    "FILE_ENCRYPTED": "设有密码",
    "FILE_UNSAFE": "XML 含 DOCTYPE/实体声明",
    "FILE_TOO_LARGE": "文件或其解压后大小超限",
    "FILE_TOO_COMPLEX": "工作表或内部条目过多",
    "FORMATS_UNREADABLE": "读不出单元格的显示格式（.xlsb 或格式部分损坏），无法确认数字与显示一致",
    "SHEET_TOO_LARGE": "工作表行数或列数超限",
    "NO_DATA_SHEET": "没有可识别的统计表",
    "PERSONAL_DATA": "含姓名、身份证号等个人信息",
    "YEAR_MISSING": "找不到年度",
    "YEAR_CONFLICT": "年度前后不一致",
    "DUPLICATE_TOPIC": "同一文件里同一报表出现两次",
    "DUPLICATE_COLUMN": "同一指标有两列",
    "UNKNOWN_COLUMN": "有数字的列认不出是哪个指标",
    "UNKNOWN_INDICATOR": "有数字的行认不出是哪个指标",
    "AMBIGUOUS_INDICATOR": "“其中”行分不清属于哪个总数",
    "DUPLICATE_INDICATOR": "同一指标填了两行",
    "UNKNOWN_VILLAGE": "村（社区）名认不出",
    "MISSING_VILLAGE": "有数字却没写村（社区）",
    "DUPLICATE_VILLAGE": "同一村（社区）有两行",
    "NOT_A_COUNT": "应填数量的格子写了别的",
    "COUNT_FORMAT": "数量格子是百分比、日期、时间或货币格式（显示的不是人数）",
    "FORMULA_NOT_CALCULATED": "数量格子是公式，文件里没有保存它的计算结果",
    "NEGATIVE": "负数",
    "FRACTIONAL": "小数",
    "MERGED_COUNT": "数字所在的格子与其他行合并",
    "RULE_SUM": "总数不等于各项之和",
    "RULE_AT_MOST": "部分大于总数",
    "TOTAL_MISMATCH": "合计行与各村之和不符",
    "STATION_MISMATCH": "表上村（社区）所属派出所与名单不一致",
    "TRANSPOSED": "表格行列颠倒（村社区在列标题上）",
    "BAD_DATE": "日期写法认不出",
    "MISSING_DATE": "活动没有日期",
    "MISSING_THEME": "活动没有主题",
    "DATE_OUTSIDE_YEAR": "活动日期不在所报年度",
    "DUPLICATE_EVENT": "同一活动登记了两次",
    "READ_FAILED": "读取时出现意外错误（程序缺陷或前所未见的文件）",
    "NOT_YOUR_DEPARTMENT": "含其他部门的报表（上报用户只能上报本部门的）",
    "FROZEN": "该报表该年度已被管理员冻结",
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    sheet: str = ""
    cell: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def describe(self, file_name: str = "") -> str:
        where = "，".join(
            part for part in (file_name, f"工作表“{self.sheet}”" if self.sheet else "", f"单元格 {self.cell}" if self.cell else "") if part
        )
        return f"{where}：{self.message}" if where else self.message
