"""The validation_results table: writing check results and summarising them for people.

The table is created by expectations/sql/validation_results.sql (the expectations package
owns it; the core schema does not need it). `artifact_rows` gives the rows of the Prefect
table artifact of a run: one line per expectation with the batches checked and failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from expectations.frames import ROWS, Batch
from expectations.spec import CheckResult
from transforms.ingest.engine import TABLE_KEYS
from transforms.warehouse import read_sql

SQL_PACKAGE = "expectations.sql"

SAMPLE_SIZE = 5
SAMPLE_CHARS = 500
RESULT_COLUMNS = (
    "run_id",
    "suite",
    "expectation",
    "severity",
    "action",
    "batch",
    "success",
    "element_count",
    "unexpected_count",
    "unexpected_sample",
    "validated_at",
)


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create validation_results when missing (idempotent)."""
    con.execute(read_sql("validation_results", SQL_PACKAGE))


@dataclass(frozen=True)
class ResultRow:
    """One validation_results row before run_id and time are added."""

    suite: str
    expectation: str
    severity: str
    action: str
    batch: str
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_sample: str

    @classmethod
    def of(cls, suite: str, result: CheckResult, batch: str, sample: str) -> ResultRow:
        check = result.check
        return cls(
            suite,
            check.name,
            check.severity,
            check.action,
            batch,
            result.success,
            result.element_count,
            result.unexpected_count,
            sample,
        )


def write_results(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[ResultRow]) -> None:
    """Append result rows for a run (one insert through Arrow)."""
    if not rows:
        return
    now = dt.datetime.now()
    table = pa.table(
        {
            "run_id": [run_id] * len(rows),
            **{f: [getattr(r, f) for r in rows] for f in RESULT_COLUMNS[1:-1]},
            "validated_at": pa.array([now] * len(rows), pa.timestamp("us")),
        }
    )
    con.register("incoming_results", table)
    try:
        con.execute(
            f"insert into validation_results ({', '.join(RESULT_COLUMNS)}) "  # noqa: S608
            f"select {', '.join(RESULT_COLUMNS)} from incoming_results"
        )
    finally:
        con.unregister("incoming_results")


def describe(batch: Batch, result: CheckResult) -> str:
    """A few unexpected values as text: value counts for a one-column rule, else rows."""
    if result.skipped:
        return f"skipped: {result.skipped}"
    check = result.check
    if not check.row_level:
        return "" if result.success else f"observed {result.observed}"
    if result.unexpected_count == 0 or result.unexpected_index.size == 0:
        return ""
    frame = batch.frames[check.frame]
    index = result.unexpected_index
    if check.gx_type in ("ExpectColumnValuesToBeInSet", "ExpectColumnValuesToMatchRegex"):
        counts, distinct = top_values(frame[check.columns[0]], index, SAMPLE_SIZE)
        text = ", ".join(f"{v} x{n}" for n, v in counts)
        more = distinct - SAMPLE_SIZE
        return _clip(text + (f" (+{more} more values)" if more > 0 else ""))
    shown = list(check.show or check.columns)
    keys = (
        ["station_code", "ts"]
        if check.frame != ROWS
        else [k for k in TABLE_KEYS.get(batch.table, ()) if k in frame.column_names]
    )
    columns = [c for c in keys if c not in shown] + shown
    picked = frame.take(pa.array(np.asarray(index[:SAMPLE_SIZE])))
    lines = [
        " ".join(f"{c}={_text(picked[c][i].as_py())}" for c in columns)
        for i in range(picked.num_rows)
    ]
    return _clip("; ".join(lines))


def top_values(
    column: pa.ChunkedArray, index: np.ndarray, k: int
) -> tuple[list[tuple[int, str]], int]:
    """The k most frequent values among the rows `index` of a column as (count, text), most
    frequent first (ties by text), and the number of distinct values.

    A dictionary column (prepared batches) is counted on its codes with numpy and only the
    leading values are spelled out: a national file of unregistered stations has ~190,000
    unexpected rows in ~1,600 values.
    """
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(arr.type) and not arr.indices.null_count:
        codes = arr.indices.to_numpy(zero_copy_only=False)[index]
        tally = np.bincount(codes, minlength=len(arr.dictionary))
        seen = np.flatnonzero(tally)
        floor = np.sort(tally[seen])[::-1][min(k, seen.size) - 1] if seen.size else 0
        lead = seen[tally[seen] >= floor]  # every value that can be among the first k
        names = arr.dictionary.take(pa.array(lead)).to_pylist()
        pairs = [(int(n), _text(v)) for n, v in zip(tally[lead].tolist(), names, strict=True)]
        distinct = int(seen.size)
    else:
        pairs = [
            (c["counts"], _text(c["values"]))
            for c in pc.value_counts(arr.take(pa.array(index))).to_pylist()
        ]
        distinct = len(pairs)
    return sorted(pairs, key=lambda vc: (-vc[0], vc[1]))[:k], distinct


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _clip(text: str) -> str:
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 3] + "..."


def artifact_rows(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """Rows of the Prefect table artifact of a run: one per expectation, failures first."""
    ensure_table(con)
    rows = con.execute(read_sql("artifact_rows", SQL_PACKAGE), {"run_id": run_id}).fetchall()
    names = (
        "suite",
        "expectation",
        "severity",
        "action",
        "batches",
        "failed_batches",
        "unexpected",
        "example",
    )
    return [dict(zip(names, r, strict=True)) for r in rows]
