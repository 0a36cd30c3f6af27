"""The report as a Word file in 公文 format (GB/T 9704-2012), read back with python-docx: page,
fonts (East-Asian names too), indents, page numbers, one comment per figure with its cells,
the 数据来源 table; and, where LibreOffice is installed, the PDF's pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import docx
import duckdb
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from etl.loading import warehouse
from figures.report import draft as drafting
from figures.report.facts import reader
from figures.report.word import docx_bytes
from tests.dashboard_support import sql

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def made(demo_db_master):
    con = duckdb.connect(str(demo_db_master), read_only=True)
    draft = drafting.draft_report(reader(con.cursor()), 2021)
    con.close()
    return draft


@pytest.fixture(scope="module")
def data(made) -> bytes:
    return docx_bytes(made)


@pytest.fixture(scope="module")
def document(data):
    return docx.Document(io.BytesIO(data))


def east_asian_font(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_the_page_is_a4_with_the_standards_margins(document):
    section = document.sections[0]

    def mm(length) -> float:  # Word keeps lengths in twips
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert tuple(map(mm, margins)) == (37, 35, 28, 26)


def test_title_body_and_headings_use_the_standards_fonts_for_chinese_text_too(document):
    styles = document.styles
    expected = {"公文标题": ("方正小标宋简体", 22), "Normal": ("仿宋_GB2312", 16), "Heading 1": ("黑体", 16), "Heading 2": ("楷体", 16)}
    for name, (font, size) in expected.items():
        fonts = styles[name].element.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia")} == {font}, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, "a theme font would win over the named one"
        assert styles[name].font.size == Pt(size), name
    title = document.paragraphs[0]
    assert title.style.name == "公文标题" and title.text == "十里亭镇关于2021年度法治政府建设情况的报告"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_the_font_table_names_a_fallback_where_the_gb2312_fonts_are_missing(document):
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    from lxml import etree

    fonts = {f.get(qn("w:name")): f for f in etree.fromstring(part.blob).findall(qn("w:font"))}
    assert fonts["方正小标宋简体"].find(qn("w:altName")).get(qn("w:val")) == "宋体"
    assert fonts["仿宋_GB2312"].find(qn("w:altName")).get(qn("w:val")) == "仿宋"


def test_22_lines_of_28_characters_and_a_two_character_first_line_indent(document):
    section = document.sections[0]
    normal = document.styles["Normal"].paragraph_format
    area_height = (section.page_height - section.top_margin - section.bottom_margin) / 12700
    area_width = (section.page_width - section.left_margin - section.right_margin) / 12700
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert 22 * normal.line_spacing.pt <= area_height < 23 * normal.line_spacing.pt
    spacing = int(document.styles["Normal"].element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    pitch = 16 + spacing
    assert 28 * pitch <= area_width < 29 * pitch
    indent = document.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert indent.get(qn("w:firstLineChars")) == "200" and normal.first_line_indent == Pt(32)
    body = [p for p in document.paragraphs if p.style.name == "Normal" and p.text]
    overridden = [p.text for p in body if p.paragraph_format.first_line_indent is not None]
    assert overridden == ["十里亭镇人民政府", "【待撰写：成文日期】"], "only the signature lines are set flush right"


def test_page_numbers_are_dashed_in_4hao_songti_odd_right_even_left(document):
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.style.name == "页码" and paragraph.alignment == alignment
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text == "— 1 —"
    assert east_asian_font(document.styles["页码"]) == "宋体" and document.styles["页码"].font.size == Pt(14)


def test_one_comment_per_figure_with_its_source_cells_and_load_time(document, data, made):
    comments = list(document.comments)
    assert len(comments) == len(made.figures) > 40
    xml = document.element.xml
    assert xml.count("<w:commentRangeStart") == xml.count("<w:commentReference") == len(comments)
    for n, comment in enumerate(comments, start=1):
        assert comment.text.startswith(f"〔数据{n}〕"), comment.text
        assert re.search(r"来源：.+!.+!", comment.text), comment.text
        assert "载入：" in comment.text, comment.text
        assert comment.author == "法治看板"
    registered = next(c.text for c in comments if "在册社区矫正对象（全镇合计，2021年）" in c.text)
    assert "社区矫正统计表（司法所）.xls!社区矫正2021!C5:C20（16格之和）" in registered


def test_the_sources_table_lists_every_figure_as_its_comment_does(document, made):
    table = document.tables[-1]
    assert [cell.text for cell in table.rows[0].cells] == list(drafting.SOURCE_COLUMNS)
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows == [list(row) for row in drafting.source_rows(made)]
    assert [row[1] for row in rows] == [span.text for span in made.figures]


def test_places_to_write_are_grey_and_the_narrative_sections_are_headed(document):
    texts = [p.text for p in document.paragraphs]
    assert "二、存在问题" in texts and "三、2022年度推进法治政府建设的总体思路和打算" in texts
    problems = document.paragraphs[texts.index("二、存在问题") + 1]
    assert problems.text == "【待撰写：存在的问题】"
    assert problems.runs[0].font.highlight_color == WD_COLOR_INDEX.GRAY_25
    assert document.paragraphs[texts.index("二、存在问题")].style.name == "Heading 1"


def test_a_gap_is_highlighted_yellow_and_listed_at_the_top(demo_db_master, tmp_path):
    path = tmp_path / "gap.duckdb"
    shutil.copy(demo_db_master, path)
    ((submission,),) = sql(path, "select submission_id from submissions where year = 2023 and submission_id like '%-drugs-%'")
    warehouse.roll_back(path, submission, "测试")
    con = duckdb.connect(str(path), read_only=True)
    made = drafting.draft_report(reader(con.cursor()), 2023)
    con.close()
    document = docx.Document(io.BytesIO(docx_bytes(made)))
    top = [p.text for p in document.paragraphs[:6]]
    assert "【待补数字（1处）：1. 禁毒办2023年报表未上报】" in top
    gaps = [run for p in document.paragraphs for run in p.runs if run.text == "【待补：禁毒办2023年报表未上报】"]
    assert len(gaps) == 2 and all(run.font.highlight_color == WD_COLOR_INDEX.YELLOW for run in gaps)


@pytest.mark.slow
@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")), reason="needs LibreOffice (soffice) and poppler-utils (pdftotext)"
)
def test_libreoffice_lays_it_out_in_pages_of_22_lines_of_28_characters_numbered_in_order(data, tmp_path):
    source = tmp_path / "报告.docx"
    source.write_bytes(data)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "报告.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.split("\f")[:-1]
    assert 6 <= len(pages) <= 14, len(pages)
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[-1].replace(" ", "") == f"—{number}—", (number, lines[-1])
    body = [p for p in pages if "附：数据来源" not in p and "序号" not in p]
    assert len(body) >= 3
    for page in body[1:-1]:  # a full page of body text
        lines = [line.strip() for line in page.splitlines() if line.strip()][:-1]
        assert len(lines) == 22, lines
        widths = [len(re.sub(r"[\x00-\x7f]", "", line)) + len(re.findall(r"[\x21-\x7e]", line)) / 2 for line in lines]
        assert max(widths) <= 28.5 and sorted(widths)[len(widths) // 2] >= 26, widths
