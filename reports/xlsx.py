"""One region's report as an Excel workbook: the page's tables, one sheet each, typed cells.

Numbers are numeric cells and dates date cells, so the bureau can pass figures on and compute
with them. Any text cell - above all names taken from data files - that begins with = + - @ is
stored as a string cell (inline string, quote prefix), never as a formula: a spreadsheet must not
run what a data file says. The file itself is written by reports.spreadsheetml.
"""

from __future__ import annotations

import datetime as dt
import decimal
import numbers
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from reports import i18n
from reports.spreadsheetml import Sheet, Style, Styles, save
from reports.table import Table, missing_to_none

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FILL = "EEF3FA"
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def typed_cell(value: object, decimals: int = 2) -> tuple[object, Style]:
    """A value as the cell writes it and its style: number formats by type, formula-like text
    marked with a quote prefix (it is a string cell either way). NumPy and Decimal numbers become
    Python numbers; anything else unknown is written as its text."""
    value = missing_to_none(value)
    if value is None:
        return None, Style()
    if isinstance(value, pd.Timestamp):
        value = value.date()
    if isinstance(value, str):
        return value, Style(quote_prefix=value.startswith(FORMULA_PREFIXES))
    if isinstance(value, bool | np.bool_):
        return bool(value), Style()
    if isinstance(value, numbers.Integral):
        return int(value), Style("0")
    if isinstance(value, numbers.Real | decimal.Decimal):
        return float(value), Style("0." + "0" * decimals if decimals > 0 else "0")
    if isinstance(value, dt.date):
        return value, Style("yyyy-mm-dd")
    return str(value), Style()


def header_cell(header: str) -> tuple[object, Style]:
    """A header cell: bold on the header fill."""
    value, style = typed_cell(header)
    return value, replace(style, bold=True, fill=HEADER_FILL)


def table_sheet(name: str, table: Table, styles: Styles) -> Sheet:
    """Header row (bold, filled), then the rows; fills as cell backgrounds; first row frozen."""
    headers = [str(h) for h in table.frame.columns]
    decimals = [table.decimals.get(h, 2) for h in table.frame.columns]
    sheet = Sheet(name, [max(10, min(40, 2 * len(h))) for h in headers])
    index = styles.index
    head = [header_cell(h) for h in headers]
    sheet.append([(v, index(s)) for v, s in head])
    fills = table.fills
    for i, row in enumerate(table.frame.itertuples(index=False, name=None)):
        cells = []
        for j, raw in enumerate(row):
            value, style = typed_cell(raw, decimals[j])
            fill = fills.get((i, j))
            if fill and HEX_COLOUR.fullmatch(fill):
                style = replace(style, fill=fill[1:].upper())
            cells.append((value, index(style)))
        sheet.append(cells)
    return sheet


def write_workbook(tables: list[Table], lang: str, path: Path) -> Path:
    """Write the tables to path, one sheet each, named from the translation table."""
    styles = Styles()
    sheets = [table_sheet(i18n.text(t.key, lang)[:31], t, styles) for t in tables]
    return save(path, sheets, styles)
