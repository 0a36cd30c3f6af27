"""The annual report drafted from the warehouse, and the 要点 of a topic page: the same
wording machinery (figures.report.wording) over the template (data/report.toml).

`draft_report` gives a Draft: the title, the outline's blocks as spans, the gaps listed once
each, every figure in order (each will carry its source cells in the .docx), and the text of
each named passage. `findings` gives a page's two or three plain sentences for its filters.
Neither touches Streamlit, so an API can call them as the dashboard does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from figures.filters import Filters
from figures.report.facts import Facts, Reader, page_facts, report_facts
from figures.report.template import Template, load_template
from figures.report.wording import FIGURE, GAP, TODO_SPAN, Hidden, Span, Writer, plain_text


@dataclass
class Block:
    kind: str  # heading (一、), subheading (（一）), paragraph, signature
    spans: list[Span]

    @property
    def text(self) -> str:
        return plain_text(self.spans)


@dataclass
class Draft:
    year: int
    town: str
    title: str
    blocks: list[Block]
    passages: dict[str, str]  # each [[passage]] of the template as written for this year
    gaps: list[str] = field(default_factory=list)  # why figures are missing, once each, in order
    compare_year: int | None = None
    partial_note: str = ""
    as_of: object = None
    dataset: str = "real"
    sources_heading: str = "附：数据来源"

    @property
    def figures(self) -> list[Span]:
        """Every figure of the body in reading order: the n-th is 〔数据n〕 in the .docx."""
        return [span for block in self.blocks for span in block.spans if span.kind == FIGURE]

    @property
    def todo(self) -> int:
        return sum(span.kind == TODO_SPAN for block in self.blocks for span in block.spans)


def draft_report(read: Reader, year: int, template: Template | None = None, compare: bool | None = None, town: str = "") -> Draft:
    """The report on `year`, from unprotected reads of the whole town (it is the town's own
    document; `town` says which town of a district). `compare` None follows the template's
    [report] compare."""
    template = template or load_template()
    facts = report_facts(read, year, template.compare if compare is None else compare, town)
    return _draft(template, facts)


def _draft(template: Template, facts: Facts) -> Draft:
    writer = Writer(template, facts, facts.year)
    blocks = [Block(item.kind, writer.wording(item.wording)) for item in template.outline]
    gaps = [
        span.figure.gap if span.figure and span.figure.gap else span.text[4:-1]
        for block in blocks
        for span in block.spans
        if span.kind == GAP
    ]
    return Draft(
        year=facts.year,
        town=facts.town,
        title=plain_text(writer.wording(template.title)),
        blocks=blocks,
        passages={name: plain_text(writer.passage_spans(passage)) for name, passage in template.passages.items()},
        gaps=list(dict.fromkeys(gaps)),
        compare_year=facts.compare_year,
        partial_note=facts.partial_note,
        as_of=facts.as_of,
        dataset=facts.dataset,
        sources_heading=template.sources_heading,
    )


def findings(read: Reader, f: Filters, page: str, template: Template | None = None) -> list[str]:
    """The 要点 of a topic page for the filters in force, from what the page itself publishes
    (figures.report.facts.page_facts). A finding that would need a hidden figure is left out;
    a sheet not reported for the year is said plainly instead of its finding."""
    template = template or load_template()
    chosen = template.findings_for(page)
    if not chosen:
        return []
    topics = list(dict.fromkeys(topic for finding in chosen for topic in finding.topics))
    writer = Writer(template, page_facts(read, f, topics), f.year_to)
    written: list[str] = []
    for finding in chosen:
        try:
            spans = writer.passage_spans(finding)
        except Hidden:
            continue
        gaps = [span.figure.gap if span.figure and span.figure.gap else span.text[4:-1] for span in spans if span.kind == GAP]
        text = "；".join(dict.fromkeys(gaps)) + "。" if gaps else plain_text(spans)
        if text and text not in written:
            written.append(text)
    return written


# ---------------------------------------------------------------- where each figure came from


def figure_label(span: Span) -> str:
    """What a figure is, with its year: 在册社区矫正对象（全镇合计，2021年）."""
    figure = span.figure
    if figure.year and f"{figure.year}年" not in figure.label:
        return f"{figure.label[:-1]}，{figure.year}年）" if figure.label.endswith("）") else f"{figure.label}（{figure.year}年）"
    return figure.label


def comment_text(number: int, span: Span) -> str:
    """A figure's Word comment: 〔数据n〕, what it is, its cells, when they were loaded."""
    figure = span.figure
    lines = [f"〔数据{number}〕{figure_label(span)}", "来源：" + (source_cells(figure.sources) or "（无单元格）")]
    loaded = "、".join(time for time in figure.loaded_at if time)
    if loaded:
        lines.append(f"载入：{loaded}")
    return "\n".join(lines)


SOURCE_COLUMNS = ("序号", "文中数字", "含义", "来源（文件!工作表!单元格）", "载入时间")


def source_rows(draft: Draft) -> list[tuple[str, str, str, str, str]]:
    """附：数据来源 — one row per figure of the body, numbered as its comment."""
    return [
        (str(n), span.text, figure_label(span), source_cells(span.figure.sources), "、".join(t for t in span.figure.loaded_at if t))
        for n, span in enumerate(draft.figures, start=1)
    ]


_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def source_cells(sources: tuple[str, ...]) -> str:
    """file!sheet!C5、file!sheet!C6 … written as file!sheet!C5:C20（16格之和）: one range per run of
    rows in a column, one group per workbook and sheet, so a town total of 16 villages stays readable."""
    groups: dict[tuple[str, str], list[str]] = {}
    for ref in sources:
        parts = ref.rsplit("!", 2)
        if len(parts) != 3:
            groups.setdefault((ref, ""), [])
            continue
        groups.setdefault((parts[0], parts[1]), []).append(parts[2])
    written = []
    for (book, sheet), cells in groups.items():
        if not sheet:
            written.append(book)
            continue
        written.append(f"{book}!{sheet}!{'、'.join(_ranges(cells))}" + (f"（{len(cells)}格之和）" if len(cells) > 1 else ""))
    return "；".join(written)


def _ranges(cells: list[str]) -> list[str]:
    singles = [cell for cell in cells if not _CELL.match(cell)]
    columns: dict[str, list[int]] = {}
    for cell in cells:
        match = _CELL.match(cell)
        if match:
            columns.setdefault(match.group(1), []).append(int(match.group(2)))
    out = []
    for column, rows in columns.items():
        rows = sorted(set(rows))
        start = previous = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            out.append(f"{column}{start}" if start == previous else f"{column}{start}:{column}{previous}")
            if row is not None:
                start = previous = row
    return out + singles
