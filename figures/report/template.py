"""The report template (data/report.toml) read and checked: the report's outline, the wording
of every passage that carries figures, and the 要点 of each topic page.

A town edits words in that file, never code. Wording is text with a few marks:

    {cc_registered}            a figure: 12, 1000余 (at least 1000), 约30 (about 30)
    {org_committees|汉字}       in Chinese numerals: 三, 九, 两
    {mh_guardian_rate|百分比}    98.3%
    {cc_registered|同比|名}     较上年减少2名 / 与上年持平 / 较上年增加12.5% (flows in percent)
    {脱管漏管}                  a choice, list or each defined with the passage
    {@correction}              a passage, placed in the outline
    [，…]                      optional: left out when a figure in it is absent or there is
                               nothing to compare with
    【待撰写：…】                words only people can write; highlighted in the draft

Conditions are small expressions over figure codes (`cc_absconded == 0 and cc_missed == 0`,
`mh_guardian_signed >= 0.95 * mh_managed`), or 否则. Every name is checked when the file is
read, so a typo is a Chinese message naming the passage, not a wrong report.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from etl import settings
from etl.reference.catalog import load_catalog

DEFAULT_TEMPLATE = settings.DATA_DIR / "report.toml"

OTHERWISE = "否则"
# Placeholder options: the first word after the name.
CHINESE, PERCENT, COMPARE = "汉字", "百分比", "同比"
OPTIONS = (CHINESE, PERCENT, COMPARE)
# Words that are not figures: the year written about, the next one, the town's name, and
# what the whole place is called (全镇, or 全区 on a district's pages seen whole).
PLAIN_NAMES = ("year", "next_year", "previous_year", "town", "whole")
# What a clause repeated per police station or per event may name besides figures.
EACH_OVER = {
    "police_station": {"station": "text"},
    "event": {
        "date": "figure",
        "village": "text",
        "location": "text",
        "theme": "text",
        "partners": "text",
        "materials": "figure",
        "banners": "figure",
        "consultations": "figure",
        "participants": "figure",
    },
}
# Year figures of the outreach events (figures.queries.outreach_yearly).
OUTREACH_FIGURES = ("events", "materials", "banners", "consultations", "participants")
# Functions a condition or a derived figure may call.
FUNCTIONS = ("before_change", "has")
TODO = re.compile(r"【待撰写[^】]*】")
_TOKEN = re.compile(r"\{([^{}\[\]]*)\}|\[|\]|\{|\}")


class TemplateError(ValueError):
    """The report template cannot be used; the message says where and why, in Chinese."""


@dataclass(frozen=True)
class Placeholder:
    name: str
    options: tuple[str, ...] = ()

    @property
    def passage(self) -> str | None:
        """The passage a {@name} places, or None."""
        return self.name[1:] if self.name.startswith("@") else None


@dataclass(frozen=True)
class OptionalPart:
    """[…]: left out as a whole when a placeholder in it has nothing to say."""

    parts: tuple[str | Placeholder, ...]


Piece = str | Placeholder | OptionalPart
Wording = tuple[Piece, ...]


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    names: frozenset[str]


@dataclass(frozen=True)
class Variant:
    when: Expression | None  # None: 否则
    wording: Wording


@dataclass(frozen=True)
class Choice:
    """choose: the first variant whose condition holds; list: every one that holds, joined."""

    name: str
    kind: str  # "choose" | "list"
    variants: tuple[Variant, ...]
    join: str = ""


@dataclass(frozen=True)
class Each:
    """One clause per police station (in the order of the village list) or per event (by date)."""

    name: str
    over: str
    wording: Wording
    join: str = ""


@dataclass(frozen=True)
class Passage:
    name: str
    topics: tuple[str, ...]  # sheet kinds it needs: one not reported makes it a 【待补】
    wording: Wording
    parts: dict[str, Choice | Each] = field(default_factory=dict)
    page: str | None = None  # for a 要点: the topic page it is shown on


@dataclass(frozen=True)
class Derived:
    name: str
    label: str
    expression: Expression


@dataclass(frozen=True)
class OutlineItem:
    kind: str  # heading (一、), subheading (（一）), paragraph, signature
    wording: Wording


@dataclass(frozen=True)
class Template:
    path: Path
    title: Wording
    compare: bool
    sources_heading: str
    derived: dict[str, Derived]
    outline: tuple[OutlineItem, ...]
    passages: dict[str, Passage]
    findings: tuple[Passage, ...]

    def findings_for(self, page: str) -> list[Passage]:
        return [finding for finding in self.findings if finding.page == page]


OUTLINE_KINDS = ("heading", "subheading", "paragraph", "signature")


def load_template(path: str | Path | None = None) -> Template:
    """The template at `path` (default data/report.toml), read once per version of the file."""
    path = Path(path or DEFAULT_TEMPLATE)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise TemplateError(f"找不到报告模板 {path}") from exc
    return _load(path, stamp)


@cache
def _load(path: Path, stamp: int) -> Template:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(f"报告模板 {path.name} 不是有效的 TOML 文件：{exc}") from exc
    return _Reader(path, raw).template()


class _Reader:
    """Builds a Template from the parsed TOML, checking every name against the catalog."""

    def __init__(self, path: Path, raw: dict):
        self.path = path
        self.raw = raw
        catalog = load_catalog()
        self.topics = set(catalog.topics)
        self.pages = {"overview", *catalog.topics}
        derived_names = set((raw.get("figures") or {}).keys())
        self.figures = set(catalog.indicators) | set(OUTREACH_FIGURES) | derived_names

    def fail(self, where: str, problem: str) -> TemplateError:
        return TemplateError(f"报告模板 {self.path.name}，{where}：{problem}")

    def template(self) -> Template:
        report = self.raw.get("report") or {}
        derived = {name: self.derived(name, spec) for name, spec in (self.raw.get("figures") or {}).items()}
        passages: dict[str, Passage] = {}
        for n, spec in enumerate(self.raw.get("passage") or [], start=1):
            passage = self.passage(spec, f"第{n}个段落（[[passage]]）")
            if passage.name in passages:
                raise self.fail(f"段落“{passage.name}”", "名称重复")
            passages[passage.name] = passage
        findings = tuple(
            self.passage(spec, f"第{n}条要点（[[finding]]）", finding=True) for n, spec in enumerate(self.raw.get("finding") or [], start=1)
        )
        outline = tuple(self.outline_item(spec, n, passages) for n, spec in enumerate(self.raw.get("outline") or [], start=1))
        return Template(
            path=self.path,
            title=self.wording(str(report.get("title", "{town}关于{year}年度法治政府建设情况的报告")), "标题", set(PLAIN_NAMES)),
            compare=bool(report.get("compare", True)),
            sources_heading=str(report.get("sources_heading", "附：数据来源")),
            derived=derived,
            outline=outline,
            passages=passages,
            findings=findings,
        )

    def derived(self, name: str, spec) -> Derived:
        where = f"[figures] 中的“{name}”"
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise self.fail(where, "名称只能用英文字母、数字和下划线")
        if isinstance(spec, str):
            spec = {"expr": spec}
        if "expr" not in spec:
            raise self.fail(where, "缺少 expr（算式）")
        return Derived(name, str(spec.get("name", name)), self.expression(str(spec["expr"]), where, self.figures))

    def expression(self, text: str, where: str, names: set[str]) -> Expression:
        try:
            tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise self.fail(where, f"条件“{text}”写法有误") from exc
        used: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and len(node.args) == 1 and not node.keywords):
                    raise self.fail(where, f"条件“{text}”里只能调用 {'、'.join(FUNCTIONS)}（一个参数）")
            elif isinstance(node, ast.Name):
                if node.id not in FUNCTIONS:
                    used.add(node.id)
            elif not isinstance(node, _ALLOWED_NODES):
                raise self.fail(where, f"条件“{text}”里有不支持的写法")
            elif isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
                raise self.fail(where, f"条件“{text}”里只能写数字")
        unknown = sorted(used - names)
        if unknown:
            raise self.fail(where, f"条件“{text}”里的 {'、'.join(unknown)} 不是目录里的指标，也不是 [figures] 里定义的数")
        return Expression(text, tree, frozenset(used))

    def passage(self, spec: dict, where: str, finding: bool = False) -> Passage:
        name = str(spec.get("name") or spec.get("page") or "")
        if not finding and not name:
            raise self.fail(where, "缺少 name（段落名称）")
        if not finding:
            where = f"段落“{name}”"
        topics = spec.get("topic", ())
        topics = (topics,) if isinstance(topics, str) else tuple(topics)
        for topic in topics:
            if topic not in self.topics:
                raise self.fail(where, f"topic“{topic}”不是目录里的报表（可选：{'、'.join(sorted(self.topics))}）")
        page = spec.get("page")
        if finding and page not in self.pages:
            raise self.fail(where, f"page“{page}”不是专题页（可选：{'、'.join(sorted(self.pages))}）")
        if "text" not in spec:
            raise self.fail(where, "缺少 text（措辞）")
        part_names = [str(p.get("name", "")) for kind in ("choose", "list", "each") for p in spec.get(kind) or []]
        names = set(PLAIN_NAMES) | self.figures | set(part_names) | {n for fields in EACH_OVER.values() for n in fields}
        parts: dict[str, Choice | Each] = {}
        for kind in ("choose", "list"):
            for n, part in enumerate(spec.get(kind) or [], start=1):
                parts[self.part_name(part, where, kind, n, parts)] = self.choice(part, kind, f"{where}的 {part.get('name')}", names)
        for n, part in enumerate(spec.get("each") or [], start=1):
            part_name = self.part_name(part, where, "each", n, parts)
            over = part.get("over")
            if over not in EACH_OVER:
                raise self.fail(f"{where}的 {part_name}", f"over 应为 {' 或 '.join(EACH_OVER)}")
            if "text" not in part:
                raise self.fail(f"{where}的 {part_name}", "缺少 text（措辞）")
            parts[part_name] = Each(
                part_name, over, self.wording(str(part["text"]), f"{where}的 {part_name}", names), str(part.get("join", ""))
            )
        return Passage(name, topics, self.wording(str(spec["text"]), where, names), parts, page)

    def part_name(self, part: dict, where: str, kind: str, n: int, seen: dict) -> str:
        name = str(part.get("name") or "")
        if not name:
            raise self.fail(where, f"第{n}个 [[…{kind}]] 缺少 name")
        if name in seen:
            raise self.fail(where, f"“{name}”定义了两次")
        return name

    def choice(self, part: dict, kind: str, where: str, names: set[str]) -> Choice:
        rows = part.get("variants" if kind == "choose" else "items")
        if not isinstance(rows, list) or not rows:
            raise self.fail(where, "应有 " + ("variants = [[条件, 措辞], …]" if kind == "choose" else "items = [[条件, 措辞], …]"))
        variants = []
        for row in rows:
            if not (isinstance(row, list) and len(row) == 2 and all(isinstance(x, str) for x in row)):
                raise self.fail(where, f"每一项应为 [条件, 措辞]，而不是 {row!r}")
            condition, text = row
            when = None if condition.strip() == OTHERWISE else self.expression(condition, where, self.figures)
            variants.append(Variant(when, self.wording(text, where, names)))
        return Choice(str(part["name"]), kind, tuple(variants), str(part.get("join", "")))

    def outline_item(self, spec: dict, n: int, passages: dict[str, Passage]) -> OutlineItem:
        kinds = [kind for kind in OUTLINE_KINDS if kind in spec]
        where = f"大纲第{n}项（[[outline]]）"
        if len(kinds) != 1:
            raise self.fail(where, f"应只写 {' / '.join(OUTLINE_KINDS)} 中的一个")
        wording = self.wording(str(spec[kinds[0]]), where, set(PLAIN_NAMES) | self.figures | {f"@{name}" for name in passages})
        return OutlineItem(kinds[0], wording)

    def wording(self, text: str, where: str, names: set[str]) -> Wording:
        """Text with {placeholders} and [optional parts], checked against `names`."""
        pieces: list[Piece] = []
        optional: list[str | Placeholder] | None = None
        position = 0
        for match in _TOKEN.finditer(text):
            literal = text[position : match.start()]
            position = match.end()
            target = optional if optional is not None else pieces
            if literal:
                target.append(literal)
            token = match.group(0)
            if token == "[":
                if optional is not None:
                    raise self.fail(where, f"“{text}”里的 [ ] 不能套用")
                optional = []
            elif token == "]":
                if optional is None:
                    raise self.fail(where, f"“{text}”里的 ] 没有对应的 [")
                pieces.append(OptionalPart(tuple(optional)))
                optional = None
            elif match.group(1) is None:
                raise self.fail(where, f"“{text}”里的 {{ }} 不成对")
            else:
                target.append(self.placeholder(match.group(1), where, names))
        if optional is not None:
            raise self.fail(where, f"“{text}”里的 [ 没有对应的 ]")
        if text[position:]:
            pieces.append(text[position:])
        return tuple(pieces)

    def placeholder(self, inside: str, where: str, names: set[str]) -> Placeholder:
        name, *options = [word.strip() for word in inside.split("|")]
        if name not in names:
            if name.startswith("@"):
                raise self.fail(where, f"{{{inside}}}：没有名为“{name[1:]}”的段落（[[passage]]）")
            raise self.fail(where, f"{{{inside}}}：“{name}”不是目录里的指标、[figures] 里定义的数，也不是本段定义的 choose / list / each")
        if options and options[0] not in OPTIONS:
            raise self.fail(where, f"{{{inside}}}：“{options[0]}”不认识，可选：{'、'.join(OPTIONS)}")
        if len(options) > (2 if options and options[0] == COMPARE else 1):
            raise self.fail(where, f"{{{inside}}}：选项太多")
        return Placeholder(name, tuple(options))


_ALLOWED_NODES = (
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Constant,
    ast.Name,
    ast.Load,
)
