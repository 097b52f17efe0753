"""A minimal SpreadsheetML (.xlsx) writer: typed cells, a few cell styles, column widths, a
frozen header row. Nothing else.

Why not openpyxl: without lxml its per-cell XML serialisation is pure Python and cost about 0.6 s
of a region's 1.2 s report on the bench machine (write-only mode saves nothing there); the reports'
workbooks need only a handful of the format's parts, and writing them as text takes a few ms.
The tests read the files back with openpyxl.

Cells are numbers, booleans, dates (serial days since 1899-12-30, as Excel's 1900 date system
counts them from March 1900) or inline strings. A string cell is never a formula, whatever its
text: that is what keeps a data file's "=cmd|..." inert.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2}
EPOCH = dt.datetime(1899, 12, 30)
MAX_TEXT = 32767  # Excel's limit of characters in a cell
# characters XML 1.0 cannot carry (openpyxl refuses them; we drop them)
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def attr(value: str) -> str:
    """Text for a double-quoted XML attribute value."""
    return escape(value, {'"': "&quot;"})


@dataclass(frozen=True)
class Style:
    """A cell style: number format code, bold font, solid fill (RRGGBB or None), quote prefix."""

    number_format: str = "General"
    bold: bool = False
    fill: str | None = None
    quote_prefix: bool = False


@dataclass
class Styles:
    """The workbook's cell styles, each given an index (s="n") on first use."""

    xfs: dict[Style, int] = field(default_factory=lambda: {Style(): 0})

    def index(self, style: Style) -> int:
        """The style's index in cellXfs, registering it when new."""
        return self.xfs.setdefault(style, len(self.xfs))

    def xml(self) -> str:
        """styles.xml: fonts (regular, bold), fills, number formats and the cell styles."""
        custom = sorted(
            {s.number_format for s in self.xfs} - BUILTIN_FORMATS.keys(), key=str.casefold
        )
        formats = {**BUILTIN_FORMATS, **{code: 164 + i for i, code in enumerate(custom)}}
        fills = {None: 0}  # fill 1 is the gray125 pattern Excel expects in second place
        for colour in sorted({s.fill for s in self.xfs if s.fill}):
            fills[colour] = len(fills) + 1
        xfs = []
        for s in sorted(self.xfs, key=self.xfs.__getitem__):
            attrs = (
                f'numFmtId="{formats[s.number_format]}" fontId="{int(s.bold)}" '
                f'fillId="{fills[s.fill]}" borderId="0" xfId="0"'
            )
            if s.number_format != "General":
                attrs += ' applyNumberFormat="1"'
            if s.bold:
                attrs += ' applyFont="1"'
            if s.fill:
                attrs += ' applyFill="1"'
            if s.quote_prefix:
                attrs += ' quotePrefix="1"'
            xfs.append(f"<xf {attrs}/>")
        num_fmts = "".join(
            f'<numFmt numFmtId="{formats[c]}" formatCode="{attr(c)}"/>'
            for c in custom
        )
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        fill_xml = "".join(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/>'
            f'<bgColor indexed="64"/></patternFill></fill>'
            for c in fills
            if c
        )
        return (
            f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
            f'<numFmts count="{len(custom)}">{num_fmts}</numFmts>'
            f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            f'<fills count="{len(fills) + 1}"><fill><patternFill patternType="none"/></fill>'
            f'<fill><patternFill patternType="gray125"/></fill>{fill_xml}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 1-based column index: 1 -> A, 27 -> AA."""
    name = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def text(value: str) -> str:
    """Text as XML character data: escaped, without characters XML cannot hold, cut to Excel's
    cell limit."""
    return escape(ILLEGAL_XML.sub("", value[:MAX_TEXT]))


def cell_xml(ref: str, value: object, style: int) -> str:
    """One <c> element: a typed value (None or "": an empty cell, kept only for its style)."""
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, str):
        return (
            f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text(value)}</t></is></c>'
        )
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (value - EPOCH).total_seconds() / 86400
        return f'<c r="{ref}"{s}><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{(value - EPOCH.date()).days}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if isinstance(value, float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>' if math.isfinite(value) else ""
    raise TypeError(f"no spreadsheet cell for {type(value).__name__}: {value!r}")


@dataclass
class Sheet:
    """A worksheet being filled row by row."""

    name: str
    widths: list[float]
    rows: list[str] = field(default_factory=list)

    def append(self, cells: list[tuple[object, int]]) -> None:
        """Add a row of (value, style index) cells."""
        r = len(self.rows) + 1
        body = "".join(
            cell_xml(f"{column_letter(j)}{r}", value, style)
            for j, (value, style) in enumerate(cells, start=1)
        )
        self.rows.append(f'<row r="{r}">{body}</row>')

    def xml(self, selected: bool) -> str:
        """The sheet's XML: header row frozen, column widths, the rows."""
        cols = "".join(
            f'<col min="{j}" max="{j}" width="{w:g}" customWidth="1"/>'
            for j, w in enumerate(self.widths, start=1)
        )
        tab_selected = ' tabSelected="1"' if selected else ""
        return (
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f"<sheetViews><sheetView{tab_selected}"
            ' workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
            ' state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
            f"<sheetData>{''.join(self.rows)}</sheetData>"
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            "</worksheet>"
        )


def save(path: Path, sheets: list[Sheet], styles: Styles) -> Path:
    """Write the workbook package (zip of the XML parts) to path."""
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_MAIN}.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    content_types = (
        f'{XML_HEAD}<Types xmlns="{CT_NS}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT_MAIN}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT_MAIN}.styles+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{DOC_TYPE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    sheet_entries = "".join(
        f'<sheet name="{attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    workbook = (
        f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheet_entries}</sheets></workbook>"
    )
    workbook_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{DOC_TYPE}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{DOC_TYPE}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        z.writestr("xl/styles.xml", styles.xml())
        for i, sheet in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheet.xml(selected=i == 1))
    return path
