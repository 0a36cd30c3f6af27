"""An .ods written the way Gnumeric 1.12 (ssconvert) writes one, by hand.

What matters for python-calamine: Gnumeric pretty-prints content.xml (GsfXMLOut indents every
element), so there is white space between the <table:table-cell> elements of a row. Like Gnumeric it
also writes: office:version="1.2", data styles in styles.xml (ND-n) referenced from automatic cell
styles (ACE-n), percentages and money as office:value-type="float" cells under a percentage or plain
number style (only the saved text shows "85%" / "¥12.50"), <text:line-break/>, <text:s/> and
<text:tab/> inside text:p, a merged range with covered cells, a hidden sheet (table:display="false"),
columns repeated to 16384 and a last run of 1048571 empty rows.

Options reproduce other things Gnumeric-like writers do: ``crlf`` (CRLF line endings), ``newline_in_p``
(a literal line break inside a text:p, which ODF folds into a space), ``compact`` (no indentation at
all: the control, which calamine reads).

    python -m tests.gnumeric tests/fixtures/gnumeric_like.ods
"""

from __future__ import annotations

import io
import sys
import zipfile

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
    'xmlns:gnm="http://www.gnumeric.org/odf-extension/1.0"'
)

# What a reader should get from the first sheet (calamine's shape: floats, str, None).
EXPECTED_ROWS = [
    ["村名", "户数", "调解率", "调解经费", "备注"],
    ["东村", 120.0, 0.85, 12.5, "第一行\n第二行"],
    ["西村", 98.0, 1.0, -7.0, "a  b\tc"],
    [None, None, None, None, None],
    ["合计", 218.0, None, None, None],
]
EXPECTED_MERGES = [((4, 2), (5, 4))]


def _styles_xml() -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {NAMESPACES} office:version="1.2">
  <office:styles>
    <number:number-style style:name="ND-0">
      <number:number number:decimal-places="2" number:grouping="true" number:min-integer-digits="1"/>
    </number:number-style>
    <number:percentage-style style:name="ND-1">
      <number:number number:decimal-places="0" number:grouping="false" number:min-integer-digits="1"/>
      <number:text>%</number:text>
    </number:percentage-style>
    <style:style style:name="Gnumeric-default" style:family="table-cell" style:data-style-name="General"/>
  </office:styles>
</office:document-styles>
"""


def _content_xml(newline_in_p: bool) -> str:
    note = "第一行\n第二行" if newline_in_p else "第一行<text:line-break/>第二行"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {NAMESPACES} office:version="1.2">
  <office:scripts/>
  <office:font-face-decls/>
  <office:automatic-styles>
    <style:style style:name="ta-0" style:family="table" style:master-page-name="ta-mp-0">
      <style:table-properties table:display="true" style:writing-mode="lr-tb"/>
    </style:style>
    <style:style style:name="ta-1" style:family="table" style:master-page-name="ta-mp-1">
      <style:table-properties table:display="false" style:writing-mode="lr-tb"/>
    </style:style>
    <style:style style:name="ACE-0" style:family="table-cell" style:data-style-name="General"/>
    <style:style style:name="ACE-1" style:family="table-cell" style:data-style-name="ND-0"/>
    <style:style style:name="ACE-2" style:family="table-cell" style:data-style-name="ND-1"/>
    <style:style style:name="ACOL-0" style:family="table-column"/>
    <style:style style:name="AROW-0" style:family="table-row"/>
  </office:automatic-styles>
  <office:body>
    <office:spreadsheet>
      <table:calculation-settings table:null-year="1930">
        <table:null-date table:date-value="1899-12-30" table:value-type="date"/>
      </table:calculation-settings>
      <table:table table:name="统计" table:style-name="ta-0" table:print="true">
        <table:table-column table:default-cell-style-name="ACE-0" table:style-name="ACOL-0" table:number-columns-repeated="5"/>
        <table:table-column table:default-cell-style-name="ACE-0" table:style-name="ACOL-0" table:number-columns-repeated="16379"/>
        <table:table-row table:style-name="AROW-0">
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>村名</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>户数</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>调解率</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>调解经费</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>备注</text:p></table:table-cell>
          <table:table-cell table:number-columns-repeated="16379" table:style-name="ACE-0"/>
        </table:table-row>
        <table:table-row table:style-name="AROW-0">
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>东村</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="float" office:value="120"><text:p>120</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-2" office:value-type="float" office:value="0.850000000000000000022"><text:p>85%</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-1" office:value-type="float" office:value="12.5"><text:p>¥12.50</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>{note}</text:p></table:table-cell>
          <table:table-cell table:number-columns-repeated="16379" table:style-name="ACE-0"/>
        </table:table-row>
        <table:table-row table:style-name="AROW-0">
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>西村</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="float" office:value="98"><text:p>98</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-2" office:value-type="float" office:value="1"><text:p>100%</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-1" office:value-type="float" office:value="-7"><text:p>−¥7.00</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>a <text:s/>b<text:tab/>c</text:p></table:table-cell>
          <table:table-cell table:number-columns-repeated="16379" table:style-name="ACE-0"/>
        </table:table-row>
        <table:table-row table:style-name="AROW-0">
          <table:table-cell table:number-columns-repeated="16384"/>
        </table:table-row>
        <table:table-row table:style-name="AROW-0">
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>合计</text:p></table:table-cell>
          <table:table-cell table:style-name="ACE-0" office:value-type="float" office:value="218" table:formula="of:=SUM([.B2:.B3])"><text:p>218</text:p></table:table-cell>
          <table:table-cell table:number-columns-spanned="3" table:number-rows-spanned="2" table:style-name="ACE-0"/>
          <table:covered-table-cell table:number-columns-repeated="2"/>
          <table:table-cell table:number-columns-repeated="16379" table:style-name="ACE-0"/>
        </table:table-row>
        <table:table-row table:style-name="AROW-0">
          <table:table-cell table:number-columns-repeated="2"/>
          <table:covered-table-cell table:number-columns-repeated="3"/>
          <table:table-cell table:number-columns-repeated="16379"/>
        </table:table-row>
        <table:table-row table:style-name="AROW-0" table:number-rows-repeated="1048570">
          <table:table-cell table:number-columns-repeated="16384"/>
        </table:table-row>
      </table:table>
      <table:table table:name="说明" table:style-name="ta-1" table:print="true">
        <table:table-column table:default-cell-style-name="ACE-0" table:style-name="ACOL-0" table:number-columns-repeated="16384"/>
        <table:table-row table:style-name="AROW-0">
          <table:table-cell table:style-name="ACE-0" office:value-type="string"><text:p>填表人</text:p></table:table-cell>
          <table:table-cell table:number-columns-repeated="16383" table:style-name="ACE-0"/>
        </table:table-row>
        <table:table-row table:style-name="AROW-0" table:number-rows-repeated="1048575">
          <table:table-cell table:number-columns-repeated="16384"/>
        </table:table-row>
      </table:table>
    </office:spreadsheet>
  </office:body>
</office:document-content>
"""


def _manifest() -> str:
    return """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
  <manifest:file-entry manifest:media-type="application/vnd.oasis.opendocument.spreadsheet" manifest:full-path="/"/>
  <manifest:file-entry manifest:media-type="text/xml" manifest:full-path="content.xml"/>
  <manifest:file-entry manifest:media-type="text/xml" manifest:full-path="styles.xml"/>
</manifest:manifest>
"""


def _compact(xml: str) -> str:
    lines = [line.strip() for line in xml.splitlines()]
    return lines[0] + "\n" + "".join(lines[1:])


def gnumeric_like_ods(*, crlf: bool = False, newline_in_p: bool = False, compact: bool = False) -> bytes:
    """The bytes of a Gnumeric-style .ods: mimetype stored first, manifest, content.xml, styles.xml."""
    content, styles = _content_xml(newline_in_p), _styles_xml()
    if compact:
        content, styles = _compact(content), _compact(styles)
    if crlf:
        content, styles = content.replace("\n", "\r\n"), styles.replace("\n", "\r\n")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:  # fixed dates: the same bytes every time
        stamp = (2024, 1, 1, 0, 0, 0)
        archive.writestr(zipfile.ZipInfo("mimetype", stamp), "application/vnd.oasis.opendocument.spreadsheet")
        for name, text in (("META-INF/manifest.xml", _manifest()), ("content.xml", content), ("styles.xml", styles)):
            archive.writestr(zipfile.ZipInfo(name, stamp), text, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/gnumeric_like.ods"
    with open(target, "wb") as handle:
        handle.write(gnumeric_like_ods())
    print(target)
