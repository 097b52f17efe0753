"""One region's report as an Excel workbook, written with XlsxWriter: the page's tables, one sheet
each, after a first sheet that explains them.

Numbers are numeric cells and dates date cells, so the bureau can pass figures on and compute
with them. Every sheet has what Excel users expect: a bold, frozen header row with an autofilter,
column widths from the content, number formats (integers, the table's decimals, percent columns
with a % sign), the status and level colours as cell fills, and for printing the header row
repeated on every page and the width fitted to one page.

Text is never a formula: the workbook is opened with strings_to_formulas (and _to_urls,
_to_numbers) off, so a name taken from a data file that begins with = + - @ is a string cell,
and it carries a quote prefix so that editing it in Excel does not turn it into one either.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from reports import i18n
from reports.table import Table, missing_to_none

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FILL = "#EEF3FA"
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
MAX_ROWS = 1_048_576  # Excel's rows per sheet, header included
MIN_WIDTH, MAX_WIDTH = 8, 50
# the options that keep every string a string, whatever its text
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd",
    "constant_memory": True,
}
ABOUT = {
    "zh": {
        "title": "说明",
        "headers": ["工作表", "行数", "列"],
        "notes": [
            "每个工作表对应报告页面中的一张表; 数值为数字单元格, 日期为日期单元格。",
            "颜色: 进度状态、空气质量级别和水质类别的标准颜色。",
            "以 = + - @ 开头的文字(如数据文件中的名称)按文本保存, 不会作为公式执行。",
        ],
    },
    "en": {
        "title": "About",
        "headers": ["Sheet", "Rows", "Columns"],
        "notes": [
            "Each sheet is one table of the report page; numbers are numbers, dates dates.",
            "Colours: progress status, and the official AQI level and water class colours.",
            "Text starting with = + - @ (such as names from data files) is text, never run.",
        ],
    },
}


class CellStyle(NamedTuple):
    """What a cell's format is made of; each distinct one becomes one XlsxWriter Format."""

    num_format: str | None = None
    bold: bool = False
    fill: str | None = None
    quote_prefix: bool = False


class Formats:
    """The workbook's formats, created once per distinct CellStyle."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.cache: dict[CellStyle, Format | None] = {}

    def get(self, style: CellStyle) -> Format | None:
        found = self.cache.get(style, False)
        if found is not False:
            return found
        if style not in self.cache:
            props: dict[str, object] = {}
            if style.num_format:
                props["num_format"] = style.num_format
            if style.bold:
                props["bold"] = True
            if style.fill:
                props.update(bg_color=style.fill, pattern=1)
            if style.quote_prefix:
                props["quote_prefix"] = True
            self.cache[style] = self.book.add_format(props) if props else None
        return self.cache[style]


def number_format(decimals: int, percent: bool = False) -> str:
    """An Excel number format with that many decimals; percent columns (values already in %)
    get a literal % sign, not Excel's x100 percent format."""
    code = "0." + "0" * decimals if decimals > 0 else "0"
    return code + '"%"' if percent else code


def typed_cell(value: object, decimals: int = 2, percent: bool = False) -> tuple[object, CellStyle]:
    """A value as the cell holds it and its style: number formats by type, formula-like text
    marked with a quote prefix (a string cell either way). NumPy and Decimal numbers become
    Python numbers, non-finite floats an empty cell; anything else unknown is written as text."""
    value = missing_to_none(value)
    if value is None:
        return None, CellStyle()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime() if value != value.normalize() else value.date()
    if isinstance(value, str):
        return value, CellStyle(quote_prefix=value.startswith(FORMULA_PREFIXES))
    if isinstance(value, bool | np.bool_):
        return bool(value), CellStyle()
    if isinstance(value, numbers.Integral):
        return int(value), CellStyle(number_format(0, percent))
    if isinstance(value, numbers.Real | decimal.Decimal):
        number = float(value)
        if not math.isfinite(number):
            return None, CellStyle()
        return number, CellStyle(number_format(decimals, percent))
    if isinstance(value, dt.datetime):
        return value, CellStyle("yyyy-mm-dd hh:mm")
    if isinstance(value, dt.date):
        return value, CellStyle("yyyy-mm-dd")
    return str(value), CellStyle()


WIDE = re.compile("[\u2e80-\uffff]")


def _width(value: object, decimals: int) -> int:
    """Display width of a value as formatted: CJK characters count double."""
    if isinstance(value, str):
        return len(value) + len(WIDE.findall(value))
    if isinstance(value, float):
        return len(f"{value:.{decimals}f}")
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    return len(str(value))


EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (from March 1900 on)


def excel_serial(value: dt.date) -> float:
    """A date or datetime as Excel's serial day number (XlsxWriter's own conversion is slow)."""
    if isinstance(value, dt.datetime):
        return (value - EPOCH).total_seconds() / 86400
    return float((value - EPOCH.date()).days)


def write_sheet(
    ws: Worksheet,
    formats: Formats,
    frame: pd.DataFrame,
    decimals: dict[str, int] | None = None,
    fills: dict[tuple[int, int], str] | None = None,
) -> None:
    """Header row (bold, filled, frozen, autofiltered), typed rows, widths, print set-up."""
    decimals = decimals or {}
    fills = fills or {}
    headers = [str(h) for h in frame.columns]
    if len(frame) + 1 > MAX_ROWS:
        raise ValueError(f"{ws.name}: {len(frame)} rows do not fit in one Excel sheet")
    header_format = formats.get(CellStyle(bold=True, fill=HEADER_FILL))
    widths = [_width(h, 0) for h in headers]
    for j, header in enumerate(headers):
        ws.write_string(0, j, header, header_format)
    places = [decimals.get(h, 2) for h in frame.columns]
    percent = [h.rstrip().endswith("(%)") for h in headers]
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        for j, raw in enumerate(row):
            value, style = typed_cell(raw, places[j], percent[j])
            fill = fills.get((i - 1, j))
            if fill and HEX_COLOUR.fullmatch(fill):
                style = CellStyle(style.num_format, style.bold, fill.upper(), style.quote_prefix)
            fmt = formats.get(style)
            if value is None:
                if fmt is not None:
                    ws.write_blank(i, j, None, fmt)
                continue
            if isinstance(value, str):
                ws.write_string(i, j, value, fmt)
            elif isinstance(value, bool):
                ws.write_boolean(i, j, value, fmt)
            elif isinstance(value, dt.date):  # Excel's serial day number, under a date format
                ws.write_number(i, j, excel_serial(value), fmt)
            else:
                ws.write_number(i, j, value, fmt)
            if i <= 200:  # widths from the first rows: enough to size, cheap on long sheets
                widths[j] = max(widths[j], _width(value, places[j]))
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(MAX_WIDTH, max(MIN_WIDTH, w + 2)))
    ws.freeze_panes(1, 0)
    if headers:
        ws.autofilter(0, 0, len(frame), len(headers) - 1)
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4


def write_about(
    ws: Worksheet, formats: Formats, lang: str, sheets: Sequence[tuple[str, pd.DataFrame]]
) -> None:
    """The first sheet: one row per sheet (name, rows, its columns), then notes."""
    about = ABOUT.get(lang, ABOUT["en"])
    frame = pd.DataFrame(
        [(name, len(f), ", ".join(str(c) for c in f.columns)) for name, f in sheets],
        columns=about["headers"],
        dtype=object,
    )
    write_sheet(ws, formats, frame)
    for k, note in enumerate(about["notes"]):
        ws.write_string(len(frame) + 2 + k, 0, note)
    ws.set_column(2, 2, 80)


def write_frames(
    path: Path,
    sheets: Sequence[tuple[str, pd.DataFrame]],
    lang: str = "zh",
    decimals: Sequence[dict[str, int]] | None = None,
    fills: Sequence[dict[tuple[int, int], str]] | None = None,
) -> Path:
    """Write (sheet name, frame) pairs to path after the explaining first sheet."""
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    try:
        formats = Formats(book)
        about = book.add_worksheet(ABOUT.get(lang, ABOUT["en"])["title"])
        write_about(about, formats, lang, sheets)
        for k, (name, frame) in enumerate(sheets):
            ws = book.add_worksheet(name[:31])
            write_sheet(
                ws,
                formats,
                frame,
                decimals[k] if decimals else None,
                fills[k] if fills else None,
            )
    finally:
        book.close()
    return path


def write_workbook(tables: list[Table], lang: str, path: Path) -> Path:
    """Write the report's tables to path, one sheet each, named from the translation table."""
    return write_frames(
        path,
        [(i18n.text(t.key, lang)[:31], t.frame) for t in tables],
        lang,
        [t.decimals for t in tables],
        [t.fills for t in tables],
    )
