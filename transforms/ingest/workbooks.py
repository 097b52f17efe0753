"""Excel workbooks (.xlsx, .xlsm, .xls) in: laboratory water results and daily city tables as
bureaus receive them, read through the same format detection, parsing, validation and
quarantine as the CSV files.

Each sheet is read with python-calamine (a maintained Rust reader; formula cells give the value
Excel stored with them). calamine reads a formula's error (#DIV/0!, #N/A ...) as an empty cell;
for .xlsx the error is read from the sheet's XML instead, so that the value is quarantined
(non_numeric, with the error as its raw text) rather than taken for a missing one.

Merged cells take the value of their top-left cell, so a header merged over two rows or several
columns reads as one label per column. The header is the first of the
sheet's first rows that a registered format recognises; the rows below it are handed to that
format as CSV text. All sheets of one format load together; other sheets are named in the load
notes. Every quarantine row names the sheet and the cell, e.g. `化验结果!F7 (总磷)`.

A workbook with no sheet any format recognises stays what it was before: documentation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyarrow as pa
import python_calamine

from transforms.ingest.raw_files import (
    WORKBOOK_SUFFIXES,
    DocumentationFile,
    RawFileError,
    logical_name,
)

# The engine calls read_workbook with its registered formats (FormatSpec) and gets back one of
# them and a ParsedFile; this module does not import the engine, which imports it.
FormatSpec = Any
ParsedFile = Any
HEADER_ROWS = 10  # the header is looked for in the first rows of a sheet


def is_workbook(path: Path) -> bool:
    """Whether the file is an Excel workbook (by its suffix)."""
    return logical_name(path).lower().endswith(WORKBOOK_SUFFIXES)


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based column index: 0 -> A, 26 -> AA."""
    name, index = "", index + 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell_text(value: object) -> str:
    """A cell as the text a CSV file would carry: integral numbers without '.0', dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r", " ").replace("\n", " ").strip()


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def formula_errors(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Cells holding a formula error, by sheet name: {(row, column) 0-based: '#DIV/0!'}.

    Only .xlsx/.xlsm (a zip of XML parts); the workbook part maps sheet names to their parts.
    """
    if not logical_name(path).lower().endswith((".xlsx", ".xlsm")):
        return {}
    out: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        for sheet in book.iter(f"{MAIN_NS}sheet"):
            target = targets.get(sheet.get(REL_ID), "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if part not in z.namelist():
                continue
            errors = {}
            for cell in ElementTree.fromstring(z.read(part)).iter(f"{MAIN_NS}c"):
                ref = CELL_REF.fullmatch(cell.get("r", ""))
                if cell.get("t") == "e" and ref:
                    col = 0
                    for ch in ref[1]:
                        col = col * 26 + ord(ch) - 64
                    value = cell.find(f"{MAIN_NS}v")
                    text = value.text if value is not None and value.text else "#ERROR"
                    errors[(int(ref[2]) - 1, col - 1)] = text
            out[str(sheet.get("name"))] = errors
    return out


@dataclass
class Sheet:
    """One sheet's cells as text, merged cells filled from their top-left cell."""

    name: str
    rows: list[list[str]]


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of the workbook as text cells."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        errors = formula_errors(path)
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            rows = [[cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
            width = max((len(r) for r in rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in rows]
            for (r, c), text in errors.get(name, {}).items():
                if r < len(rows) and c < width:
                    rows[r][c] = text
            for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
                for r in range(top, min(bottom, len(rows) - 1) + 1):
                    for c in range(left, min(right, width - 1) + 1):
                        rows[r][c] = rows[top][left]
            sheets.append(Sheet(name, rows))
    except RawFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise RawFileError(path, "unreadable workbook", str(exc).splitlines()[0]) from exc
    return sheets


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def find_header(
    path: Path, sheet: Sheet, formats: Iterable[FormatSpec]
) -> tuple[FormatSpec, int] | None:
    """The format that recognises the sheet and the 0-based row of its header, if any."""
    for start in range(min(HEADER_ROWS, len(sheet.rows))):
        if not any(sheet.rows[start]):
            continue
        head = _csv(sheet.rows[start : start + 50]).encode("utf-8")[:65536]
        probe = path.with_name(f"{Path(logical_name(path)).stem}.csv")
        for spec in formats:
            if spec.detect(probe, head):
                return spec, start
    return None


def _cell_names(quarantine: pa.Table, sheet: Sheet, start: int, labels: list[str]) -> pa.Table:
    """Quarantine rows with line numbers of the sheet and the sheet!cell of each value."""
    letters = {label: column_letter(j) for j, label in enumerate(labels) if label}
    rows = [line + start for line in quarantine.column("line_no").to_pylist()]
    names = []
    for row, column in zip(rows, quarantine.column("column_name").to_pylist(), strict=True):
        letter = letters.get(column or "")
        cell = f"{letter}{row}" if letter else f"{row}:{row}"  # a whole row when no column
        names.append(f"{sheet.name}!{cell}" + (f" ({column})" if column else ""))
    table = quarantine.set_column(
        quarantine.schema.get_field_index("line_no"), "line_no", pa.array(rows, pa.int64())
    )
    return table.set_column(
        table.schema.get_field_index("column_name"), "column_name", pa.array(names, pa.string())
    )


def read_workbook(path: Path, formats: Iterable[FormatSpec]) -> tuple[FormatSpec, ParsedFile]:
    """Parse the workbook's sheets of the first format found; raise DocumentationFile when no
    sheet is recognised, RawFileError (naming the sheet) when a recognised sheet cannot be read."""
    sheets = read_sheets(path)
    formats = list(formats)
    found = [(sheet, find_header(path, sheet, formats)) for sheet in sheets]
    recognised = [(s, f) for s, f in found if f is not None]
    if not recognised:
        raise DocumentationFile(path)
    spec = recognised[0][1][0]
    parts: list[ParsedFile] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="envq-xlsx-") as folder:
        for sheet, (sheet_spec, start) in recognised:
            if sheet_spec is not spec:
                notes.append(f"sheet {sheet.name!r} not read: {sheet_spec.name}, not {spec.name}")
                continue
            rows = sheet.rows[start:]
            temp = Path(folder) / f"{Path(logical_name(path)).stem}.csv"
            temp.write_text(_csv(rows), encoding="utf-8")
            try:
                parsed = spec.parse(temp)
            except RawFileError as exc:
                raise RawFileError(path, f"sheet {sheet.name!r}: {exc.rule}") from exc
            parsed.quarantine = _cell_names(parsed.quarantine, sheet, start, rows[0])
            parsed.notes = [  # the parser named the temporary CSV: name the workbook
                f"sheet {sheet.name!r}: {n.replace(temp.name, path.name)}" for n in parsed.notes
            ]
            parts.append(parsed)
    notes += [f"sheet {s.name!r} not read (no known header)" for s, f in found if f is None]
    return spec, _merge(parts, notes)


def _merge(parts: list[ParsedFile], notes: list[str]) -> ParsedFile:
    """One ParsedFile of the sheets' parts (the same format, so the same table schemas)."""
    names = list(dict.fromkeys(name for p in parts for name in p.tables))
    tables = {}
    for name in names:
        table = pa.concat_tables([p.tables[name] for p in parts if name in p.tables])
        if len(parts) > 1:  # a section (or a row) named on two sheets is the same row once
            frame = table.to_pandas().drop_duplicates(ignore_index=True)
            table = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
        tables[name] = table
    return replace(
        parts[0],
        tables=tables,
        quarantine=pa.concat_tables([p.quarantine for p in parts]),
        notes=[n for p in parts for n in p.notes] + notes,
    )
