"""One region's report as an Excel workbook: the page's tables, one sheet each, typed cells.

Numbers are numeric cells and dates date cells, so the bureau can pass figures on and compute
with them. Any text cell - above all names taken from data files - that begins with = + - @ is
stored as a string cell (inline string, quote prefix), never as a formula: a spreadsheet must not
run what a data file says.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from reports import i18n
from reports.table import Table

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FILL = PatternFill("solid", fgColor="EEF3FA")


def set_cell(cell, value: object, decimals: int = 2) -> None:
    """Write a typed value; text that could be read as a formula is forced to a string cell."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return
    if isinstance(value, pd.Timestamp):
        value = value.date()
    cell.value = value
    if isinstance(value, str):
        if value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        cell.number_format = "0"
    elif isinstance(value, float):
        cell.number_format = "0." + "0" * decimals if decimals > 0 else "0"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


def write_sheet(ws, table: Table) -> None:
    """Header row (bold, filled), then the rows; fills as cell backgrounds; first row frozen."""
    for j, header in enumerate(table.frame.columns, start=1):
        cell = ws.cell(row=1, column=j)
        set_cell(cell, str(header))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, 2 * len(str(header))))
    for i, row in enumerate(table.frame.itertuples(index=False)):
        for j, value in enumerate(row):
            cell = ws.cell(row=i + 2, column=j + 1)
            set_cell(cell, value, table.decimals.get(table.frame.columns[j], 2))
            fill = table.fills.get((i, j))
            if fill and fill.startswith("#"):
                cell.fill = PatternFill("solid", fgColor=fill[1:].upper())
    ws.freeze_panes = "A2"


def write_workbook(tables: list[Table], lang: str, path: Path) -> Path:
    """Write the tables to path, one sheet each, named from the translation table."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        write_sheet(wb.create_sheet(i18n.text(table.key, lang)[:31]), table)
    wb.save(path)
    return path
