"""The report's draft as a Word file in 公文 format (GB/T 9704-2012), ready for a clerk to finish.

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; 22 lines of 28 characters a page
(the document grid); title 2号 方正小标宋简体, body 3号 仿宋_GB2312, 一、 headings 黑体, （一）
headings 楷体, every paragraph indented two characters; page numbers “— 1 —” in 4号 宋体, odd
pages at the right and even at the left, one character in. Font names are set for East-Asian
text too (w:eastAsia), which Word and WPS use for Chinese; the font table names a fallback
(宋体, 仿宋, 楷体) for machines without the GB2312 fonts.

Every figure carries a Word comment: 〔数据n〕, what it is, its source cells (file!sheet!cell)
and when they were loaded; the table at the end (附：数据来源) lists them all. Gaps
(【待补】) are highlighted yellow, places to write (【待撰写】) grey.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from lxml import etree

from figures.report.draft import SOURCE_COLUMNS, Draft, comment_text, source_rows
from figures.report.wording import DATA, FIGURE, GAP, TEXT, TODO_SPAN, Span

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体", "宋体"
# Where a GB2312-era font is not installed, Word takes the font table's altName.
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体_GB2312", HEADING_FONT: "SimHei", PAGE_NUMBER_FONT: "SimSun"}
TITLE_SIZE, BODY_SIZE, PAGE_NUMBER_SIZE, TABLE_SIZE = Pt(22), Pt(16), Pt(14), Pt(10.5)  # 2号, 3号, 4号, 五号
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
AUTHOR, INITIALS = "法治看板", "看板"
_TWIPS_PER_POINT = 20


def line_pitch() -> Pt:
    """22 lines in the type area (225 mm): exactly 28.9 pt a line. 28.95 would be the exact
    share, but LibreOffice rounds it up and then only 21 lines fit."""
    return Pt(int(Emu(PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM).pt / LINES_PER_PAGE * 10) / 10)


def char_spacing() -> Pt:
    """28 characters of 3号 in the type area's 156 mm: each glyph a quarter point narrower
    (15.75 pt), so 28 fit and 29 do not."""
    pitch = Emu(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT).pt / CHARS_PER_LINE
    return Pt(math.floor((pitch - BODY_SIZE.pt) * 4) / 4)


def docx_bytes(draft: Draft) -> bytes:
    document = Document()
    _page_setup(document)
    _styles(document)
    _font_table(document)
    _footers(document)
    figures = _Figures(document)
    _title(document, draft.title)
    _notes(document, draft)
    for block in draft.blocks:
        _block(document, block.kind, block.spans, figures)
    _sources(document, draft, figures)
    core = document.core_properties
    core.title, core.author, core.language = draft.title, AUTHOR, "zh-CN"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- page, styles, fonts


def _page_setup(document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(15)
    # The page number's dash line sits 7 mm under the type area (GB/T 9704 7.5).
    section.footer_distance = Emu(Mm(35 - 7) - PAGE_NUMBER_SIZE)
    # No document grid: 22 lines of 28 characters come from exact line spacing and character
    # spacing (Normal style), which Word, WPS and LibreOffice lay out alike. LibreOffice lays a
    # 28-character grid out as two cells a character and shifts the line grid down part of a line.
    for grid in section._sectPr.findall(qn("w:docGrid")):
        section._sectPr.remove(grid)


def set_fonts(r_pr, name: str) -> None:
    """One font for Latin and East-Asian text alike; theme fonts removed so they cannot win."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _spacing(amount: Pt):
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(round(amount.pt * _TWIPS_PER_POINT)))
    return spacing


def _indent_chars(paragraph_format, chars: int) -> None:
    """First-line indent of `chars` characters (w:firstLineChars, which Word and WPS keep when
    the font size changes), with the same length in points for readers that ignore it."""
    paragraph_format.first_line_indent = Pt(BODY_SIZE.pt * chars)
    ind = paragraph_format._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _style(document, name: str, font: str, size: Pt, base: str | None = "Normal"):
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    if base and name != base:
        style.base_style = styles[base]
    set_fonts(style.element.get_or_add_rPr(), font)
    style.font.size = size
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    return style


def _styles(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(r_pr, BODY_FONT)
    for tag in ("w:sz", "w:szCs"):
        r_pr.find(qn(tag)).set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    language = r_pr.find(qn("w:lang"))
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    normal = _style(document, "Normal", BODY_FONT, BODY_SIZE, base=None)
    normal.element.get_or_add_rPr().find(qn("w:sz")).addprevious(_spacing(char_spacing()))
    body = normal.paragraph_format
    body.space_before = body.space_after = Pt(0)
    body.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    body.line_spacing = line_pitch()
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.widow_control = False  # 公文 fill every line of the grid; no lines pushed to the next page
    _indent_chars(body, 2)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        heading = _style(document, name, font, BODY_SIZE)
        fmt = heading.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, line_pitch()
        fmt.keep_with_next = True
        _indent_chars(fmt, 2)
    title = _style(document, "公文标题", TITLE_FONT, TITLE_SIZE)
    fmt = title.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, line_pitch()
    fmt._element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "0")
    page_number = _style(document, "页码", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    page_number.paragraph_format.first_line_indent = Pt(0)
    page_number.paragraph_format._element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "0")
    table = _style(document, "表格文字", BODY_FONT, TABLE_SIZE)
    fmt = table.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt._element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "0")
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _font_table(document) -> None:
    """Name each font with its fallback and the GB2312 character set, so Word substitutes a
    close font (宋体 for 方正小标宋简体) where the exact one is not installed."""
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    present = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for name, fallback in FALLBACKS.items():
        if name in present:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt = etree.SubElement(font, qn("w:altName"))
        alt.set(qn("w:val"), fallback)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
    # python-docx keeps the font table as plain XML bytes (no API for it): write them back.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _footers(document) -> None:
    """— 1 — on odd pages at the right, one character in; on even pages at the left."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["页码"]
        paragraph.alignment = alignment
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        else:
            paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
        paragraph.add_run("— ")
        _page_field(paragraph)
        paragraph.add_run(" —")


def _page_field(paragraph) -> None:
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
        elif text == "1":
            run.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            run._r.append(element)


# ---------------------------------------------------------------- the text


class _Figures:
    """Numbers the figures as they are written (〔数据n〕, in the order of Draft.figures) and
    comments each one."""

    def __init__(self, document):
        self.document = document
        self.count = 0

    def comment(self, run, span: Span) -> None:
        self.count += 1
        self.document.add_comment(run, text=comment_text(self.count, span), author=AUTHOR, initials=INITIALS)


def _title(document, title: str) -> None:
    document.add_paragraph(title, style="公文标题")
    document.add_paragraph("", style="Normal")  # one blank line under the title


def _notes(document, draft: Draft) -> None:
    """What the draft is and what is missing, highlighted at the top: to be deleted when final."""
    as_of = f"，数据截至 {pd.Timestamp(draft.as_of):%Y-%m-%d %H:%M}" if draft.as_of is not None else ""
    demo = "（演示数据）" if draft.dataset == "demo" else ""
    note = (
        f"【起草说明：本稿由法治看板根据数据仓库自动起草{as_of}{demo}。每个数字的来源单元格见批注和文末“数据来源”表；"
        "标黄的【待补】是尚未上报的数字，标灰的【待撰写】请人工撰写。报告不做小数保护。定稿前请删除本说明和文末附表。】"
    )
    _highlighted(document, note, WD_COLOR_INDEX.GRAY_25)
    if draft.partial_note:
        _highlighted(document, f"【{draft.year}年尚未报齐（{draft.partial_note}），本稿不写同比。】", WD_COLOR_INDEX.YELLOW)
    if draft.gaps:
        _highlighted(
            document,
            f"【待补数字（{len(draft.gaps)}处）：" + "；".join(f"{n}. {gap}" for n, gap in enumerate(draft.gaps, 1)) + "】",
            WD_COLOR_INDEX.YELLOW,
        )


def _highlighted(document, text: str, colour) -> None:
    run = document.add_paragraph(style="Normal").add_run(text)
    run.font.highlight_color = colour


_BLOCK_STYLES = {"heading": "Heading 1", "subheading": "Heading 2", "paragraph": "Normal", "signature": "Normal"}


def _block(document, kind: str, spans: list[Span], figures: _Figures) -> None:
    paragraph = document.add_paragraph(style=_BLOCK_STYLES[kind])
    if kind == "signature":
        # 署名 and date: flush right, four characters in (GB/T 9704 7.3.5).
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 4)
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format._element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "0")
    for span in spans:
        run = paragraph.add_run(span.text)
        if span.kind == GAP:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif span.kind == TODO_SPAN:
            run.font.highlight_color = WD_COLOR_INDEX.GRAY_25
        elif span.kind == FIGURE:
            figures.comment(run, span)
        elif span.kind not in (TEXT, DATA):
            raise ValueError(span.kind)


_SOURCE_COLUMNS = tuple(zip(SOURCE_COLUMNS, (Mm(13), Mm(22), Mm(50), Mm(49), Mm(22)), strict=True))


def _sources(document, draft: Draft, figures: _Figures) -> None:
    """附：数据来源 — every figure of the body, in order, as its comment says."""
    document.add_section(WD_SECTION_START.NEW_PAGE)
    document.add_paragraph(draft.sources_heading, style="Heading 1")
    document.add_paragraph(
        f"正文中的每个数字按出现顺序编号（与批注〔数据n〕一致）。全镇合计是各村（社区）单元格之和；派出所辖区合计是所辖村（社区）之和。共 {figures.count} 个。",
        style="Normal",
    )
    table = document.add_table(rows=1, cols=len(_SOURCE_COLUMNS))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, (_name, width) in zip(table.columns, _SOURCE_COLUMNS, strict=True):
        column.width = width
    # The style's id, looked up once: python-docx looks a style name up among all the
    # document's styles on every assignment (a second for the 300-odd cells of the demo).
    style_id = document.styles["表格文字"].style_id
    for cell, (name, width) in zip(table.rows[0].cells, _SOURCE_COLUMNS, strict=True):
        _cell(cell, name, width, style_id, bold=True)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header.append(repeat)
    for row in source_rows(draft):
        for cell, value, (_name, width) in zip(table.add_row().cells, row, _SOURCE_COLUMNS, strict=True):
            _cell(cell, value, width, style_id)


def _cell(cell, text: str, width, style_id: str, bold: bool = False) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    paragraph._p.style = style_id  # <w:pStyle w:val=…/>, what `paragraph.style = name` writes
    run = paragraph.add_run(text)
    run.font.bold = bold
