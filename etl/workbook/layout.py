"""Which of the catalog's tables a sheet is, found from its header (not its name).

A sheet is one of three layouts of the catalog: a form (one row per indicator), a
village table (one row per village) or an event list. The header is searched for in
the first rows, one or two rows deep; title, unit and note rows around it are passed over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl import settings
from etl.reference.catalog import Catalog, Topic
from etl.reference.spellings import ValueProblem, header_key, parse_count
from etl.workbook.opening import Grid

# A form without a header row: its labels stand in one of the first few columns …
FORM_LABEL_COLUMNS = 6
# … and it is taken for a form only if that column names at least this many indicators,
FORM_MIN_LABELS = 3
# with its numbers in one of the next few columns (a 单位 column may stand between).
FORM_VALUE_COLUMNS_AFTER = 3
# A form is at most this many rows long: labels further down belong to something else.
FORM_MAX_ROWS = 60
# One recognised column is not enough to call a sheet a department's table.
TABLE_MIN_COLUMNS = 2


@dataclass
class Layout:
    topic: Topic
    header_row: int
    depth: int  # 1 or 2 header rows
    score: int
    columns: dict[int, str]  # column → indicator code or event field code
    village_col: int | None = None
    unknown: dict[int, str] = field(default_factory=dict)  # column → header text
    label_col: int | None = None
    value_col: int | None = None
    # Header cells naming an indicator (or event field) a column before them already names:
    # (first header cell, this header cell), each as (row, col).
    duplicates: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        return self.header_row + self.depth


def _header_texts(grid: Grid, row: int, depth: int, col: int) -> list[tuple[object, int]]:
    """The texts a column's header may be read as, each with the row it stands in: the lower
    cell, the upper one, and both together (其中 over 缓刑)."""
    top = grid.cell(row, col)
    if depth == 1:
        return [(top, row)]
    bottom = grid.cell(row + 1, col)
    texts = [(bottom, row + 1), (top, row)]
    if top is not None and bottom is not None and top != bottom:
        texts.append((f"{top}{bottom}", row + 1))
    return texts


def _header_cell(grid: Grid, row: int, col: int) -> tuple[int, int]:
    """The cell a person sees a header text in: the top of a range merged down over it."""
    while row > 0 and (row, col) in grid.merged_copies and grid.cell(row - 1, col) == grid.cell(row, col):
        row -= 1
    return row, col


def _width(grid: Grid, rows: range) -> int:
    return max((len(grid.rows[r]) for r in rows if r < len(grid.rows)), default=0)


def _village_table_layout(grid: Grid, catalog: Catalog, topic: Topic, row: int, depth: int) -> Layout | None:
    width = _width(grid, range(row, row + depth))
    village_col = None
    columns: dict[int, str] = {}
    unknown: dict[int, str] = {}
    first_cell: dict[str, tuple[int, int]] = {}
    duplicates: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for col in range(width):
        texts = [(t, r) for t, r in _header_texts(grid, row, depth, col) if t is not None]
        if not texts:
            continue
        if village_col is None and any(catalog.is_village_header(t) for t, _ in texts):
            village_col = col
            continue
        for text, text_row in texts:
            codes, _ = catalog.match_indicator(topic.code, text)
            if len(codes) == 1:
                here = _header_cell(grid, text_row, col)
                if codes[0] in first_cell:
                    duplicates.append((first_cell[codes[0]], here))
                else:
                    columns[col] = codes[0]
                    first_cell[codes[0]] = here
                break
        else:
            key = header_key(texts[0][0])[0]
            if key and not catalog.is_ignored(topic.code, key) and not catalog.is_village_header(texts[0][0]):
                unknown[col] = str(texts[0][0])
    if village_col is None or not columns:
        return None
    return Layout(topic, row, depth, len(set(columns.values())), columns, village_col, unknown, duplicates=duplicates)


def _event_layout(grid: Grid, catalog: Catalog, topic: Topic, row: int, depth: int) -> Layout | None:
    width = _width(grid, range(row, row + depth))
    columns: dict[int, str] = {}
    unknown: dict[int, str] = {}
    first_cell: dict[str, tuple[int, int]] = {}
    duplicates: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for col in range(width):
        texts = [(t, r) for t, r in _header_texts(grid, row, depth, col) if t is not None]
        for text, text_row in texts:
            found = catalog.match_event_field(text)
            if found:
                here = _header_cell(grid, text_row, col)
                if found.code in first_cell:
                    duplicates.append((first_cell[found.code], here))
                else:
                    columns[col] = found.code
                    first_cell[found.code] = here
                break
        else:
            if texts and header_key(texts[0][0])[0] and not catalog.is_ignored(topic.code, header_key(texts[0][0])[0]):
                unknown[col] = str(texts[0][0])
    present = set(columns.values())
    if not {"event_date", "theme"} <= present or len(present) < 3:
        return None
    village_col = next((c for c, code in columns.items() if code == "village"), None)
    return Layout(topic, row, depth, len(present), columns, village_col, unknown, duplicates=duplicates)


def _form_layout(grid: Grid, catalog: Catalog, topic: Topic) -> Layout | None:
    label_keys = {header_key(t)[0] for t in topic.label_column}
    value_keys = {header_key(t)[0] for t in topic.value_column}
    search = min(len(grid.rows), settings.HEADER_SEARCH_ROWS)
    for row in range(search):
        line = grid.rows[row]
        keys = [header_key(v)[0] if v is not None else "" for v in line]
        label_col = next((c for c, k in enumerate(keys) if k in label_keys), None)
        value_col = next((c for c, k in enumerate(keys) if k in value_keys and c != label_col), None)
        if label_col is not None and value_col is not None:
            score = _form_matches(grid, catalog, topic, label_col, row + 1)
            if score:
                return Layout(topic, row, 1, score, {}, label_col=label_col, value_col=value_col)
    # A form without a header row: the column of labels, and the numbers to its right.
    best = None
    for col in range(min(_width(grid, range(len(grid.rows))), FORM_LABEL_COLUMNS)):
        score = _form_matches(grid, catalog, topic, col, 0)
        if score >= FORM_MIN_LABELS and (best is None or score > best[1]):
            best = (col, score)
    if best is None:
        return None
    label_col, score = best
    first = next(r for r in range(len(grid.rows)) if catalog.match_indicator(topic.code, grid.cell(r, label_col))[0])
    for col in range(label_col + 1, label_col + 1 + FORM_VALUE_COLUMNS_AFTER):
        if any(isinstance(grid.cell(r, col), (int, float)) or looks_numeric(grid.cell(r, col)) for r in range(first, len(grid.rows))):
            return Layout(topic, first - 1, 1, score, {}, label_col=label_col, value_col=col)
    return None


def looks_numeric(value: object) -> bool:
    try:
        return parse_count(value) is not None
    except ValueProblem:
        return False


def _form_matches(grid: Grid, catalog: Catalog, topic: Topic, col: int, start: int) -> int:
    matched = set()
    for r in range(start, min(len(grid.rows), start + FORM_MAX_ROWS)):
        codes, _ = catalog.match_indicator(topic.code, grid.cell(r, col))
        matched.update(codes)
    return len(matched)


def _anchor_rows(texts: list[list[str]], is_anchor) -> list[int]:
    """Rows that may start a header: those holding an anchor cell, and the row above each
    (the upper row of a two-row header may be all group labels). `texts` are the text cells
    of the rows searched."""
    rows = set()
    for row, line in enumerate(texts):
        if any(is_anchor(v) for v in line):
            rows.update((row - 1, row) if row else (row,))
    return sorted(rows)


def _table_candidates(grid: Grid, catalog: Catalog, topic: Topic, rows: list[int]) -> list[Layout]:
    build = _event_layout if topic.layout == "event_list" else _village_table_layout
    if topic.layout == "village_table":
        # Only where this topic's labels stand, in the row or the one below it (memoised lookups).
        labelled = {
            r
            for r in rows
            if r < len(grid.rows) and any(isinstance(v, str) and catalog.match_indicator(topic.code, v)[0] for v in grid.rows[r])
        }
        rows = [r for r in rows if r in labelled or r + 1 in labelled]
    singles = {row: build(grid, catalog, topic, row, 1) for row in rows}
    candidates = [one for one in singles.values() if one]
    for row in rows:
        # Two header rows only where the upper row adds to what each row says alone
        # (a group label such as 其中 over its parts), not a title above the header.
        if row + 1 >= len(grid.rows) or any(isinstance(v, (int, float)) for v in grid.rows[row + 1]):
            continue  # a row with numbers below is data, not a second header row
        two = build(grid, catalog, topic, row, 2)
        alone = max((s.score for s in (singles.get(row), singles.get(row + 1)) if s), default=0)
        if two and two.score > alone:
            candidates.append(two)
    return sorted(candidates, key=lambda layout: layout.header_row)


def find_layout(grid: Grid, catalog: Catalog) -> Layout | None:
    """The best reading of a sheet as one of the catalog's tables, or None.

    Headers are looked for only where an anchor stands (a village column header, or an
    event list's date or theme header), which keeps the search cheap on big folders; a
    form (no village column) is looked for only when no table was found.
    """
    search = min(len(grid.rows), settings.HEADER_SEARCH_ROWS)
    texts = [[v for v in line if isinstance(v, str)] for line in grid.rows[: search + 1]]  # once for both searches
    village_rows = _anchor_rows(texts, catalog.is_village_header)
    event_rows = _anchor_rows(texts, lambda v: (f := catalog.match_event_field(v)) is not None and f.code in ("event_date", "theme"))
    best: Layout | None = None
    for topic in catalog.topics.values():
        if topic.layout == "form":
            continue
        rows = event_rows if topic.layout == "event_list" else village_rows
        for layout in _table_candidates(grid, catalog, topic, rows):
            if best is None or layout.score > best.score:
                best = layout
    if best and best.topic.layout == "village_table" and best.score < TABLE_MIN_COLUMNS and len(best.columns) < TABLE_MIN_COLUMNS:
        best = None
    if best is None:
        for topic in catalog.topics.values():
            if topic.layout == "form":
                layout = _form_layout(grid, catalog, topic)
                if layout and (best is None or layout.score > best.score):
                    best = layout
    return best
