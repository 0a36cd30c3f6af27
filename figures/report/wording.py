"""Sentences written from figures by the template's wording: placeholders filled with their
numbers (12, 1000余, 约30, 九), variants picked by their conditions, lists of the non-zero
parts, one clause per police station or event, and 同比 clauses by the catalog's kind.

The result is a list of spans, so whoever shows it knows which words are figures (with
their sources), which are gaps (【待补：…】) and which are left for people (【待撰写：…】).
Deterministic: the same facts and template give the same words.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from figures import queries
from figures.report.facts import Facts, Figure
from figures.report.template import (
    CHINESE,
    COMPARE,
    PERCENT,
    PLAIN_NAMES,
    TODO,
    Choice,
    Each,
    OptionalPart,
    Passage,
    Placeholder,
    Template,
    Wording,
)

TEXT, FIGURE, GAP, TODO_SPAN, DATA = "text", "figure", "gap", "todo", "data"


@dataclass(frozen=True)
class Span:
    text: str
    kind: str = TEXT  # text | figure (a number or a claim made from numbers) | gap | todo | data (words from a workbook)
    figure: Figure | None = None


class Hidden(Exception):
    """A sentence needs a figure the page does not publish (small-count protection): leave it out."""


class _Gap(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Value:
    number: float | bool | None
    qualifier: str = queries.EXACT
    inputs: tuple[Figure, ...] = ()


def gap_text(message: str) -> str:
    return f"【待补：{message}】"


def plain_text(spans: list[Span]) -> str:
    return "".join(span.text for span in spans)


# ---------------------------------------------------------------- numbers in words

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """九, 十二, 二十, 两 (a count of two): the report writes small counts this way (九个内设机构).
    Numbers of 100 and more stay Arabic, as the report writes them."""
    if number == 2:
        return "两"
    if not 0 <= number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def number_text(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".rstrip("0").rstrip(".")


def percent_text(ratio: float) -> str:
    return f"{ratio * 100:.1f}".rstrip("0").rstrip(".") + "%"


def figure_text(figure: Figure, option: str | None = None) -> str:
    """A figure as the report writes it: 12, 1000余 (at least), 约30 (about), 九 (汉字), 98.3% (百分比)."""
    if figure.text is not None:
        return figure.text
    if option == PERCENT:
        return percent_text(float(figure.value))
    if option == CHINESE and float(figure.value).is_integer():
        text = chinese_numeral(int(figure.value))
    else:
        text = number_text(figure.value)
    if figure.qualifier == queries.AT_LEAST:
        return f"{text}余"
    if figure.qualifier == queries.APPROX:
        return f"约{text}"
    return text


def change_clause(now: float, before: float, kind: str, unit: str, year: int, compare_year: int) -> str:
    """较上年减少3名 / 与上年持平 for a stock (year-end count); 较上年增加12.5% for a flow (a year's
    total) when last year's was above 0."""
    than = "上年" if compare_year == year - 1 else f"{compare_year}年"
    if now == before:
        return f"与{than}持平"
    word = "增加" if now > before else "减少"
    if kind == "flow" and before > 0:
        return f"较{than}{word}{percent_text(abs(now - before) / before)}"
    return f"较{than}{word}{number_text(abs(now - before))}{unit}"


# ---------------------------------------------------------------- the writer


@dataclass(frozen=True)
class Writer:
    """Writes wording for one year of `facts`; inside a clause repeated per station or event,
    a copy of it carries that station or event."""

    template: Template
    facts: Facts
    year: int
    passage: Passage | None = None
    station: str | None = None
    event: dict | None = None

    # ---- passages and wording

    def passage_spans(self, passage: Passage) -> list[Span]:
        """A passage, or — when a sheet it needs is not reported this year — one 【待补】 per sheet."""
        gaps = [gap for gap in (self.facts.gap_of(topic, self.year) for topic in passage.topics) if gap]
        if gaps:
            return _joined([[Span(gap_text(gap), GAP)] for gap in dict.fromkeys(gaps)], "；")
        return replace(self, passage=passage).wording(passage.wording)

    def wording(self, wording: Wording) -> list[Span]:
        out: list[Span] = []
        for piece in wording:
            if isinstance(piece, OptionalPart):
                spans: list[Span] | None = []
                try:
                    for part in piece.parts:
                        got = self._piece(part)
                        if got is None:
                            spans = None
                            break
                        spans += got
                except Hidden:
                    spans = None  # a part the page does not publish: left out, the rest still said
                out += spans or []
            else:
                got = self._piece(piece)
                if got is None and isinstance(piece, Placeholder):
                    got = self._absent(piece)
                out += got or []
        return _merged(out)

    def _piece(self, piece: str | Placeholder) -> list[Span] | None:
        if isinstance(piece, str):
            return _literal(piece)
        return self._placeholder(piece)

    def _placeholder(self, ph: Placeholder) -> list[Span] | None:
        """The spans of one {…}; None when it has nothing to say (which drops an optional part)."""
        if ph.passage:
            return self.passage_spans(self.template.passages[ph.passage])
        name = ph.name
        if name in PLAIN_NAMES:
            return [Span(self._plain(name))]
        if self.passage is not None and name in self.passage.parts:
            return self._part(self.passage.parts[name])
        if name == "station":
            return [Span(self.station, DATA)] if self.station else None
        if self.event is not None and name in self.event and not isinstance(self.event[name], Figure):
            return [Span(self.event[name], DATA)] if self.event[name] else None
        option = ph.options[0] if ph.options else None
        if option == COMPARE:
            return self._compare(name, ph.options[1] if len(ph.options) > 1 else "")
        figure = self.figure(name)
        if figure.hidden:
            raise Hidden(name)
        if figure.gap:
            return [Span(gap_text(figure.gap), GAP, figure)]
        if figure.absent:
            return None
        return [Span(figure_text(figure, option), FIGURE, figure)]

    def _absent(self, ph: Placeholder) -> list[Span] | None:
        """A figure the sentence needs but the warehouse does not have: a visible gap, never a guess."""
        if ph.passage or ph.name in PLAIN_NAMES or ph.name == "station" or (ph.options and ph.options[0] == COMPARE):
            return None
        if (self.passage is not None and ph.name in self.passage.parts) or (
            self.event is not None and ph.name in self.event and not isinstance(self.event[ph.name], Figure)
        ):
            return None
        figure = self.figure(ph.name)
        return [Span(gap_text(f"{figure.label or ph.name}（{self.year}年）无数据"), GAP, figure)]

    def _plain(self, name: str) -> str:
        return {
            "year": str(self.year),
            "next_year": str(self.year + 1),
            "previous_year": str(self.year - 1),
            "town": self.facts.town,
            "whole": self.facts.whole,
        }[name]

    # ---- figures

    def figure(self, name: str, year: int | None = None) -> Figure:
        """A figure by name: the event's or station's own inside a repeated clause, a derived
        one from the template's [figures], else the facts'."""
        year = self.year if year is None else year
        if self.event is not None and name in self.event:
            return self.event[name] if year == self.year else Figure(None, label=name, year=year)
        if name in self.template.derived:
            return self._derived(name, year)
        return self.facts.figure(name, year, self.station)

    def _derived(self, name: str, year: int) -> Figure:
        derived = self.template.derived[name]
        try:
            value = self._evaluate(derived.expression.tree, year)
        except _Gap as gap:
            return Figure(None, label=derived.label, year=year, gap=gap.message)
        except Hidden:
            return Figure(None, label=derived.label, year=year, hidden=True)
        inputs = value.inputs
        years = {figure.year for figure in inputs}
        return Figure(
            None if value.number is None else float(value.number) if isinstance(value.number, bool) else value.number,
            value.qualifier,
            derived.label,
            years.pop() if len(years) == 1 else year,
            inputs[0].kind if inputs else "stock",
            _union(figure.sources for figure in inputs),
            _union(figure.loaded_at for figure in inputs),
        )

    def before_change(self, name: str, year: int) -> Figure:
        """The figure as it was before it last changed (编制数从原来的24名增加至38名); absent if it never did."""
        now = self.figure(name, year)
        if now.absent or now.gap or now.hidden:
            return Figure(None, label=now.label, year=year)
        for earlier_year in sorted((y for y in self.facts.years if y < year), reverse=True):
            earlier = self.figure(name, earlier_year)
            if earlier.gap or earlier.absent or earlier.hidden:
                continue
            if earlier.value != now.value:
                return earlier
        return Figure(None, label=now.label, year=year)

    def _evaluate(self, node: ast.expr, year: int) -> _Value:
        """A condition or a derived figure over figures. A gap anywhere makes it a gap; a
        hidden figure makes the sentence unwritable; an absent figure compares false."""
        if isinstance(node, ast.Constant):
            return _Value(node.value)
        if isinstance(node, ast.Name):
            return self._value(self.figure(node.id, year))
        if isinstance(node, ast.Call):
            name = node.args[0].id if isinstance(node.args[0], ast.Name) else None
            if name is None:
                raise _Gap("模板条件写法有误")
            if node.func.id == "before_change":
                return self._value(self.before_change(name, year))
            figure = self._value(self.figure(name, year))
            return _Value(figure.number is not None, inputs=figure.inputs)
        if isinstance(node, ast.UnaryOp):
            operand = self._evaluate(node.operand, year)
            if isinstance(node.op, ast.Not):
                return _Value(not operand.number, inputs=operand.inputs)
            return _Value(None if operand.number is None else -operand.number, operand.qualifier, operand.inputs)
        if isinstance(node, ast.BoolOp):
            values = [self._evaluate(value, year) for value in node.values]
            inputs = tuple(figure for value in values for figure in value.inputs)
            truths = [bool(value.number) for value in values]
            return _Value(all(truths) if isinstance(node.op, ast.And) else any(truths), inputs=inputs)
        if isinstance(node, ast.Compare):
            left = self._evaluate(node.left, year)
            inputs, result = list(left.inputs), True
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self._evaluate(comparator, year)
                inputs += right.inputs
                if left.number is None or right.number is None:
                    result = False
                else:
                    result = result and _COMPARE[type(op)](left.number, right.number)
                left = right
            return _Value(result, inputs=tuple(inputs))
        if isinstance(node, ast.BinOp):
            left, right = self._evaluate(node.left, year), self._evaluate(node.right, year)
            inputs = left.inputs + right.inputs
            qualifiers = {left.qualifier, right.qualifier}
            if queries.APPROX in qualifiers or (queries.AT_LEAST in qualifiers and not isinstance(node.op, ast.Add)):
                qualifier = queries.APPROX
            else:
                qualifier = queries.AT_LEAST if queries.AT_LEAST in qualifiers else queries.EXACT
            if left.number is None or right.number is None or (isinstance(node.op, ast.Div) and right.number == 0):
                return _Value(None, qualifier, inputs)
            return _Value(_ARITHMETIC[type(node.op)](left.number, right.number), qualifier, inputs)
        raise _Gap("模板条件写法有误")

    @staticmethod
    def _value(figure: Figure) -> _Value:
        if figure.hidden:
            raise Hidden(figure.label)
        if figure.gap:
            raise _Gap(figure.gap)
        return _Value(figure.value, figure.qualifier, (figure,))

    # ---- choices, lists, repeated clauses, comparisons

    def _part(self, part: Choice | Each) -> list[Span] | None:
        if isinstance(part, Each):
            return self._each(part)
        written: list[list[Span]] = []
        reasons: list[Figure] = []
        for variant in part.variants:
            if part.kind == "list":
                reasons = []  # each item of a list answers for itself
            if variant.when is not None:
                try:
                    value = self._evaluate(variant.when.tree, self.year)
                except _Gap as gap:
                    return [Span(gap_text(gap.message), GAP)]
                reasons += value.inputs
                if not value.number:
                    continue
            spans = self.wording(variant.wording)
            if spans and reasons and all(isinstance(piece, str) for piece in variant.wording):
                # Words with no number in them still say something about numbers (至今没有出现脱管漏管):
                # they carry the figures that chose them as their source.
                spans = [Span(plain_text(spans), FIGURE, _claim(reasons, self.year, plain_text(spans)))]
            if spans:
                written.append(spans)
            if part.kind == "choose":
                break
        return _joined(written, part.join) or None

    def _each(self, part: Each) -> list[Span] | None:
        if part.over == "police_station":
            writers = [replace(self, station=station) for station in self.facts.stations(self.year)]
        else:
            writers = [replace(self, event=event) for event in self.facts.events(self.year)]
        written = [spans for spans in (writer.wording(part.wording) for writer in writers) if spans]
        return _joined(written, part.join) or None

    def _compare(self, name: str, unit: str) -> list[Span] | None:
        """较上年…: only with a comparison year, both figures exact and published."""
        compare_year = self.facts.compare_year
        now = self.figure(name)
        if now.hidden:
            raise Hidden(name)
        if compare_year is None or now.gap or now.value is None:
            return None
        before = self.figure(name, compare_year)
        if before.hidden or before.gap or before.value is None:
            return None
        if now.qualifier != queries.EXACT or before.qualifier != queries.EXACT:
            return None  # 1000余 against 800余: the change is not known
        text = change_clause(now.value, before.value, now.kind, unit, self.year, compare_year)
        label = f"{now.label}：{self.year}年{figure_text(now)}，{compare_year}年{figure_text(before)}"
        figure = Figure(
            now.value - before.value,
            queries.EXACT,
            label,
            self.year,
            now.kind,
            _union([now.sources, before.sources]),
            _union([now.loaded_at, before.loaded_at]),
        )
        return [Span(text, FIGURE, figure)]


_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def _claim(reasons: list[Figure], year: int, text: str) -> Figure:
    unique = list({(figure.label, figure.year): figure for figure in reasons}.values())
    label = "；".join(f"{figure.label} {figure_text(figure)}" for figure in unique if not figure.absent)
    return Figure(
        None,
        label=label,
        year=year,
        sources=_union(figure.sources for figure in unique),
        loaded_at=_union(figure.loaded_at for figure in unique),
        text=text,
    )


def _union(groups) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group if item))


def _literal(text: str) -> list[Span]:
    """Literal words; 【待撰写：…】 in them is a place for people to write."""
    spans, position = [], 0
    for match in TODO.finditer(text):
        if match.start() > position:
            spans.append(Span(text[position : match.start()]))
        spans.append(Span(match.group(0), TODO_SPAN))
        position = match.end()
    if position < len(text):
        spans.append(Span(text[position:]))
    return spans


def _joined(groups: list[list[Span]], separator: str) -> list[Span]:
    out: list[Span] = []
    for n, group in enumerate(groups):
        if n and separator:
            out.append(Span(separator))
        out += group
    return _merged(out)


def _merged(spans: list[Span]) -> list[Span]:
    """Neighbouring plain words as one span."""
    out: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if out and span.kind == TEXT and out[-1].kind == TEXT:
            out[-1] = Span(out[-1].text + span.text)
        else:
            out.append(span)
    return out
