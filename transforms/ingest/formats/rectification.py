"""Rectification ledgers (督察整改台账): one row per problem, as bureaus keep them.

A ledger is a .xlsx workbook or a .csv (GBK or UTF-8 with BOM) with Chinese headers, often
below a title row: problem number, source (inspection and batch), feedback date,
description, responsible unit(s) (several separated by 、), lead unit, measures, deadline,
status, completion date, closure (销号) date, remarks. Header names vary between bureaus; the
vocabulary is data (transforms.rectification.rules). Every sheet whose header names the
required fields is read.

Each delivered ledger is a snapshot as of a date: a 截至日期 column, else the date in the file
name (整改台账_20261130.xlsx). Rows go to `rectification_snapshots` keyed by (snapshot date,
source, problem number), so the warehouse keeps every problem's status at every snapshot.

Rows that cannot be judged go to quarantine with the reason, the rest loads:
`missing_problem_no`, `unknown_status`, `unparseable_deadline`, `unparseable_date`,
`duplicate_problem_no` (a number given twice in one ledger with different descriptions: the
first stays), `completion_before_feedback`. For a workbook the column names the sheet and cell
(台账!H7) and the line is the sheet's row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from transforms.ingest.cell_values import quarantine_frame, quarantine_table, read_raw_table
from transforms.ingest.engine import FormatSpec, ParsedFile, register_format
from transforms.ingest.raw_files import RawFileError, date_in_name, decode_text, logical_name
from transforms.ingest.workbooks import column_letter
from transforms.rectification.rules import (
    LedgerRules,
    current_rules,
    header_key,
    normalise_status,
    parse_date,
    parse_deadline,
)

FORMAT_NAME = "rectification_ledger"
TABLE = "rectification_snapshots"
HEADER_SCAN_ROWS = 10
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
UNIT_SEPARATORS = re.compile(r"[、,，;；/／]+")

SNAPSHOT_SCHEMA = pa.schema(
    [
        ("snapshot_date", pa.date32()),
        ("source", pa.string()),
        ("problem_no", pa.string()),
        ("batch", pa.string()),
        ("feedback_date", pa.date32()),
        ("description", pa.string()),
        ("units", pa.list_(pa.string())),
        ("lead_unit", pa.string()),
        ("measures", pa.string()),
        ("deadline_text", pa.string()),
        ("deadline", pa.date32()),
        ("ongoing", pa.bool_()),
        ("status", pa.string()),
        ("status_raw", pa.string()),
        ("completed_date", pa.date32()),
        ("closed_date", pa.date32()),
        ("remarks", pa.string()),
        ("line_no", pa.int64()),
        ("column_name", pa.string()),
    ]
)


@dataclass
class Sheet:
    """One table of cells: row i is sheet row / file line i + 1."""

    name: str | None  # the sheet's name (None for a CSV)
    cells: pd.DataFrame  # object cells, positional columns
    raw_lines: list[str]  # the raw text of each row (for quarantine)


def _rules() -> LedgerRules:
    return current_rules()


def header_fields(row: list[Any], rules: LedgerRules) -> dict[str, int]:
    """Field -> column position for the header cells this vocabulary knows (first wins)."""
    out: dict[str, int] = {}
    for pos, cell in enumerate(row):
        name = rules.headers.get(header_key(cell))
        if name and name not in out:
            out[name] = pos
    return out


def find_header(cells: pd.DataFrame, rules: LedgerRules) -> tuple[int, dict[str, int]] | None:
    """(row index, field positions) of the first row within the first rows that names every
    required field, or None."""
    for i in range(min(HEADER_SCAN_ROWS, len(cells))):
        fields = header_fields(cells.iloc[i].tolist(), rules)
        if set(rules.required) <= set(fields):
            return i, fields
    return None


def _text_rows(head: bytes) -> list[list[str]]:
    text, _ = decode_text(head)
    return [line.split(",") for line in text.splitlines()[:HEADER_SCAN_ROWS]]


def detect(path: Path, head: bytes) -> bool:
    rules = _rules()
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return any(find_header(s.cells, rules) for s in _workbook(path, HEADER_SCAN_ROWS))
    if logical_name(path).lower().endswith((".csv", ".txt")):
        try:
            rows = _text_rows(head)
        except RawFileError:
            return False
        return any(set(rules.required) <= set(header_fields(r, rules)) for r in rows)
    return False


def _workbook(path: Path, nrows: int | None = None) -> list[Sheet]:
    """Every sheet's values (formulas give their cached values; merged cells their top-left)."""
    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, dtype=object, nrows=nrows,
                               engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook fails the file
        raise RawFileError(path, "unreadable workbook", str(exc)) from exc
    sheets = []
    for name, frame in frames.items():
        frame = frame.astype(object).where(frame.notna(), None)
        raw = [",".join("" if v is None else str(v) for v in row) for row in frame.itertuples(
            index=False)]
        sheets.append(Sheet(str(name), frame, raw))
    return sheets


def _csv(path: Path) -> list[Sheet]:
    raw = read_raw_table(path)
    cells = raw.cells.astype(object)
    return [Sheet(None, cells, [str(x) for x in raw.lines])]


def _cell_name(sheet: Sheet, header: str, row: int, col: int) -> str:
    if sheet.name is None:
        return header
    return f"{sheet.name}!{column_letter(col)}{row + 1}"


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v).strip() == ""


def _text(v: Any) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return re.sub(r"\s+", " ", str(v)).strip()


def parse(path: Path) -> ParsedFile:
    rules = _rules()
    sheets = _workbook(path) if path.suffix.lower() in WORKBOOK_SUFFIXES else _csv(path)
    rows: list[dict[str, Any]] = []
    bad: list[pd.DataFrame] = []
    read_any = False
    stem = Path(logical_name(path)).stem
    file_date = date_in_name(logical_name(path))
    for sheet in sheets:
        found = find_header(sheet.cells, rules)
        if found is None:
            continue
        read_any = True
        header_row, fields = found
        default_source = _title(sheet, header_row) or stem
        for i in range(header_row + 1, len(sheet.cells)):
            row = sheet.cells.iloc[i].tolist()
            got = {f: row[pos] if pos < len(row) else None for f, pos in fields.items()}
            if all(_blank(v) for v in got.values()):
                continue
            outcome = _problem(got, rules, default_source, file_date)
            if isinstance(outcome, tuple):
                field_name, reason = outcome
                col = fields.get(field_name, 0)
                bad.append(quarantine_frame(
                    [i + 1], _cell_name(sheet, str(sheet.cells.iloc[header_row, col]), i, col),
                    reason, [sheet.raw_lines[i]]))
                continue
            outcome["line_no"] = i + 1
            col = fields["problem_no"]
            header = str(sheet.cells.iloc[header_row, col])
            outcome["column_name"] = _cell_name(sheet, header, i, col)
            outcome["_raw"] = sheet.raw_lines[i]
            rows.append(outcome)
    if not read_any:
        raise RawFileError(path, "not a rectification ledger",
                           "no sheet names " + ", ".join(rules.required))
    if any(r["snapshot_date"] is None for r in rows):
        raise RawFileError(
            path, "no snapshot date",
            "name the date in the file (整改台账_20261130.xlsx) or a 截至日期 column",
        )
    rows, dupes = _drop_duplicates(rows)
    bad.extend(dupes)
    table = pa.Table.from_pylist(
        [{k: v for k, v in r.items() if k != "_raw"} for r in rows], schema=SNAPSHOT_SCHEMA
    )
    notes = [f"{table.num_rows} problems as of {rows[0]['snapshot_date']}"] if rows else []
    return ParsedFile(FORMAT_NAME, {TABLE: table}, quarantine_table(bad), notes)


def _title(sheet: Sheet, header_row: int) -> str | None:
    """The title above the header (督察反馈问题整改台账 ...), when the sheet has one."""
    for i in range(header_row):
        cells = [c for c in sheet.cells.iloc[i].tolist() if not _blank(c)]
        if len(cells) == 1:
            return _text(cells[0])
    return None


def _problem(
    got: dict[str, Any],
    rules: LedgerRules,
    default_source: str,
    file_date: dt.date | None,
) -> dict[str, Any] | tuple[str, str]:
    """One problem row, or (field, reason) when it must wait in quarantine."""
    number = _text(got.get("problem_no"))
    if number is None:
        return "problem_no", "missing_problem_no"
    try:
        status = normalise_status(got.get("status"), rules)
    except ValueError:
        return "status", "unknown_status"
    dates: dict[str, dt.date | None] = {}
    for name in ("feedback_date", "completed_date", "closed_date", "snapshot_date"):
        try:
            dates[name] = parse_date(got.get(name))
        except ValueError:
            return name, "unparseable_date"
    try:
        deadline, ongoing = parse_deadline(got.get("deadline"), dates["feedback_date"], rules)
    except ValueError:
        return "deadline", "unparseable_deadline"
    feedback, completed = dates["feedback_date"], dates["completed_date"]
    if feedback and completed and completed < feedback:
        return "completed_date", "completion_before_feedback"
    units = [u.strip() for u in UNIT_SEPARATORS.split(_text(got.get("units")) or "") if u.strip()]
    return {
        "snapshot_date": dates["snapshot_date"] or file_date,
        "source": _text(got.get("source")) or default_source,
        "problem_no": number,
        "batch": _text(got.get("batch")),
        "feedback_date": feedback,
        "description": _text(got.get("description")),
        "units": units,
        "lead_unit": _text(got.get("lead_unit")) or (units[0] if units else None),
        "measures": _text(got.get("measures")),
        "deadline_text": _text(got.get("deadline")),
        "deadline": deadline,
        "ongoing": ongoing,
        "status": status,
        "status_raw": _text(got.get("status")),
        "completed_date": completed,
        "closed_date": dates["closed_date"],
        "remarks": _text(got.get("remarks")),
    }


def _drop_duplicates(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[pd.DataFrame]]:
    """Keep the first row of each (snapshot, source, number); a later row with a different
    description is quarantined, an identical repeat is dropped silently."""
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
    bad = []
    for r in rows:
        key = (r["snapshot_date"], r["source"], r["problem_no"])
        first = kept.get(key)
        if first is None:
            kept[key] = r
        elif first["description"] != r["description"]:
            bad.append(quarantine_frame([r["line_no"]], r["column_name"], "duplicate_problem_no",
                                        [r["_raw"]]))
    return list(kept.values()), bad


register_format(FormatSpec(name=FORMAT_NAME, detect=detect, parse=parse))
