"""Validating one parsed file before it is merged: the ingest framework's batch hook.

For every table of the ParsedFile that has a suite (expectations/suites), the suite's checks
run on the table's frames. Then:

- any failed critical check rejects the file: nothing of it loads, load_log says 'rejected'
  with the checks' names;
- rows failing a `quarantine` warning leave their table and join the file's quarantine with
  the check's name as reason (a row failing several is quarantined once, under the first in
  suite order);
- `flag` warnings change nothing in the rows;
- every check gives one validation_results row (batch = the file), passed or not, written
  in the file's transaction (or with its 'rejected' load_log entry).

The default engine is the vectorised one (fast.py) because GX's fixed cost per expectation
and run (~8 ms) would dominate a national year of daily files; engine="gx" runs the same
checks through Great Expectations (same results; tests/expectations/test_engines.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from expectations import fast
from expectations.frames import Batch
from expectations.results import ResultRow, describe, ensure_table, write_results
from expectations.spec import CheckResult, Suite
from expectations.suites import DATASETS
from expectations.suites.context import BatchContext, file_date
from transforms.ingest.engine import (
    QUARANTINE_SCHEMA,
    REGISTRY_TABLES,
    TABLE_KEYS,
    BatchOutcome,
    ParsedFile,
)

ENGINES = ("fast", "gx")


@dataclass
class TableVerdict:
    """The checks of one table of a batch and the rows they send to quarantine."""

    suite: Suite
    batch: Batch
    results: list[CheckResult]
    quarantined: dict[int, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def critical_failures(self) -> list[str]:
        return [r.check.name for r in self.results
                if r.check.severity == "critical" and not r.success]


def run_suite(suite: Suite, batch: Batch, engine: str = "fast", label: str = "") -> \
        list[CheckResult]:
    """Every check of the suite on its frame of the batch, in suite order."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    results: dict[str, CheckResult] = {}
    for frame_name, frame in batch.frames.items():
        checks = [c for c in suite.checks if c.frame == frame_name]
        if not checks:
            continue
        if engine == "gx":
            from expectations.gx_engine import run_checks

            found = run_checks(checks, frame, f"{suite.name}-{frame_name}-{label}"[:60])
        else:
            view = fast.FrameView(frame, batch.codes.get(frame_name))
            found = [fast.evaluate(c, view) for c in checks]
        results.update({r.check.name: r for r in found})
    return [results[c.name] for c in suite.checks if c.name in results]


def judge_table(suite: Suite, batch: Batch, engine: str, label: str) -> TableVerdict:
    """Run the suite and attribute quarantined rows (first failing check wins)."""
    verdict = TableVerdict(suite, batch, run_suite(suite, batch, engine, label))
    for result in verdict.results:
        check = result.check
        if check.action != "quarantine" or result.unexpected_count == 0:
            continue
        rows = batch.source_rows(check.frame, check.target, result.unexpected_index)
        for row in rows.tolist():
            verdict.quarantined.setdefault(row, (check.name, check.target))
    return verdict


def validate_parsed(
    parsed: ParsedFile, path: Path | str, ctx: BatchContext, engine: str = "fast"
) -> tuple[BatchOutcome, list[ResultRow]]:
    """Validate every table of a parsed file; the outcome for ingest and the result rows."""
    verdicts: list[TableVerdict] = []
    for table, rows in parsed.tables.items():
        dataset = DATASETS.get(table)
        if dataset is None or rows.num_rows == 0:
            continue
        verdicts.append(judge_table(dataset.suite(ctx), dataset.frames(rows), engine,
                                    Path(path).name))
    batch_label = str(path)
    result_rows = [
        ResultRow.of(v.suite.name, r, batch_label, describe(v.batch, r))
        for v in verdicts for r in v.results
    ]
    failed = [f"{v.suite.name}.{name}" for v in verdicts for name in v.critical_failures]
    if failed:
        message = f"rejected by critical expectations: {', '.join(failed)}"
        return BatchOutcome(parsed, rejected=True, message=message), result_rows
    return BatchOutcome(apply_quarantine(parsed, verdicts)), result_rows


def apply_quarantine(parsed: ParsedFile, verdicts: Sequence[TableVerdict]) -> ParsedFile:
    """A copy of the ParsedFile without the quarantined rows, which join its quarantine."""
    tables = dict(parsed.tables)
    moved = [parsed.quarantine]
    for verdict in verdicts:
        if not verdict.quarantined:
            continue
        table = verdict.suite.table
        rows = parsed.tables[table]
        index = np.fromiter(verdict.quarantined, dtype=np.int64)
        moved.append(quarantine_rows(table, rows, index, verdict.quarantined))
        keep = np.ones(rows.num_rows, dtype=bool)
        keep[index] = False
        tables[table] = rows.filter(pa.array(keep))
    quarantine = pa.concat_tables([q.cast(QUARANTINE_SCHEMA) for q in moved])
    return ParsedFile(parsed.format, tables, quarantine, list(parsed.notes))


def quarantine_rows(
    table: str, rows: pa.Table, index: np.ndarray, reasons: dict[int, tuple[str, str | None]]
) -> pa.Table:
    """Quarantine entries for rows of a parsed table.

    With the parser's provenance columns (line_no, column_name) the entry names the raw cell
    and raw is the value; without them line_no is empty, column_name is the value's column
    (the pollutant code for air rows) and raw spells out the row's key and value.
    """
    picked = rows.take(pa.array(index))
    reason = pa.array([reasons[i][0] for i in index.tolist()], pa.string())
    targets = pa.array([reasons[i][1] for i in index.tolist()], pa.string())
    value_col = "value" if "value" in rows.column_names else None
    if "line_no" in rows.column_names:
        line_no = picked["line_no"].cast(pa.int64())
        raw = _cell_text(picked[value_col]) if value_col else pa.nulls(len(index), pa.string())
    else:
        line_no = pa.nulls(len(index), pa.int64())
        keys = [c for c in TABLE_KEYS.get(table, ()) if c in rows.column_names]
        shown = keys + ([value_col] if value_col else [])
        parts = [pc.binary_join_element_wise(pa.scalar(f"{c}="), _cell_text(picked[c]), "")
                 for c in shown]
        raw = pc.binary_join_element_wise(*parts, " ")
    for name in ("column_name", "pollutant", "parameter"):
        if name in rows.column_names:
            column_name = picked[name].cast(pa.string())
            break
    else:
        column_name = targets
    return pa.table({"line_no": line_no, "column_name": column_name, "reason": reason,
                     "raw": raw}, schema=QUARANTINE_SCHEMA)


def _cell_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Cells as text: whole numbers without '.0', times as 'YYYY-MM-DD HH:MM:SS'."""
    typ = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    if pa.types.is_dictionary(column.type):
        column = column.cast(typ)
    if pa.types.is_floating(typ):
        whole = pc.equal(column, pc.floor(column))
        as_int = pc.cast(pc.if_else(whole, column, 0), pa.int64(), safe=False).cast(pa.string())
        return pc.if_else(whole, as_int, column.cast(pa.string()))
    if pa.types.is_timestamp(typ):
        return pc.strftime(pc.cast(column, pa.timestamp("s"), safe=False), "%Y-%m-%d %H:%M:%S")
    return column.cast(pa.string())


@dataclass(frozen=True)
class EarlyVerdict:
    """A file judged in a reading thread: valid while the registry codes it used (the very
    tuple) are still the validator's."""

    registry: tuple[frozenset[str] | None, frozenset[str] | None]
    outcome: BatchOutcome
    rows: list[ResultRow]
    seconds: float


class BatchValidator:
    """The ingest hook: validate a parsed file, record the results, say what loads.

    Registry codes are read once and re-read after a file that brings a registry table (a
    station list or section registry loaded earlier in the same run counts for later files).
    `early` judges a file in ingest's reading threads, beside the parsing of the next files,
    so that the merge thread only records the verdict; a verdict made with a registry that
    changed since is made again. `seconds` is the time spent validating in the merge thread,
    `early_seconds` in the reading threads by the verdicts used (for `envq bench`),
    `files_judged_early` counts those verdicts.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str, engine: str = "fast"):
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        self.con, self.run_id, self.engine = con, run_id, engine
        self.seconds = 0.0
        self.early_seconds = 0.0
        self.files = 0
        self.files_judged_early = 0
        self.rejected: list[str] = []
        self._registry: tuple[frozenset[str] | None, frozenset[str] | None] | None = None
        ensure_table(con)
        self.registry()  # early() reads the codes the merge thread read

    def early(self, parsed: ParsedFile, path: Path) -> EarlyVerdict | None:
        """Judge a file in a reading thread (no warehouse access); None: judge it later."""
        registry = self._registry  # one read: the merge thread may replace it meanwhile
        if registry is None or self.engine != "fast" or REGISTRY_TABLES & set(parsed.tables):
            return None
        start = time.perf_counter()
        outcome, rows = validate_parsed(parsed, path, BatchContext(file_date(path), *registry),
                                        self.engine)
        return EarlyVerdict(registry, outcome, rows, time.perf_counter() - start)

    def __call__(self, parsed: ParsedFile, path: Path,
                 early: EarlyVerdict | None = None) -> BatchOutcome:
        start = time.perf_counter()
        if early is not None and early.registry is self._registry:
            outcome, rows = early.outcome, early.rows
            self.files_judged_early += 1
            self.early_seconds += early.seconds
        else:
            ctx = BatchContext(file_date(path), *self.registry())
            outcome, rows = validate_parsed(parsed, path, ctx, self.engine)
        outcome.record = lambda con: write_results(con, self.run_id, rows)
        if REGISTRY_TABLES & set(parsed.tables):
            self._registry = None  # re-read for the next file; earlier verdicts are stale
        if outcome.rejected:
            self.rejected.append(f"{path}: {outcome.message}")
        self.files += 1
        self.seconds += time.perf_counter() - start
        return outcome

    def registry(self) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        if self._registry is None:
            self._registry = (registered_codes(self.con, "stations", "station_code"),
                              registered_codes(self.con, "water_sections", "section_code"))
        return self._registry


def registered_codes(con: duckdb.DuckDBPyConnection, table: str, column: str) -> \
        frozenset[str] | None:
    """Codes with registered = true in a registry table (whitelisted names), None if none."""
    if (table, column) not in {("stations", "station_code"), ("water_sections", "section_code")}:
        raise ValueError(f"not a registry: {table}.{column}")
    codes = con.execute(
        f"select {column} from {table} where coalesce(registered, true)"  # noqa: S608
    ).fetchall()
    return frozenset(c for (c,) in codes) or None


def make_batch_validator(
    con: duckdb.DuckDBPyConnection, run_id: str, engine: str = "fast"
) -> BatchValidator:
    """The hook for transforms.ingest.engine.ingest_file(..., validate=...)."""
    return BatchValidator(con, run_id, engine)

