"""`envq validate`: run the suites on what is loaded (loading nothing) and write Data Docs.

Per dataset, Great Expectations validates a sample of the loaded rows: every row of the small
tables (registries, targets, daily values, water samples up to SAMPLE_ROWS), and for the
hourly station tables 1 in m station-hours drawn by hash across every file and day of the
period, so each partition is represented and the run stays fast. The cross-file checks
(grain over all files, stuck instruments, completeness, O3 8-h windows, unregistered
stations, file dates) run in DuckDB SQL over all rows of the period
(expectations/warehouse_checks.py). Results go to validation_results (batch = the table and
period, or the sample), the Data Docs page to docs_dir, and a Summary back to the caller.
GX (3-4 s to import) is imported on first use, once the SQL checks are done.

`make_batch_validator` (the ingest hook) lives in expectations/batch.py and is re-exported.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from expectations.batch import make_batch_validator, run_suite
from expectations.docs import write_docs
from expectations.results import ResultRow, artifact_rows, describe, ensure_table, write_results
from expectations.suites import DATASETS
from expectations.suites.context import BatchContext
from expectations.warehouse_checks import Period, station_hourly_checks, table_period
from transforms.warehouse import table_exists

__all__ = ["Summary", "artifact_rows", "make_batch_validator", "validate_warehouse"]

SAMPLE_ROWS = 300_000  # rows per dataset that GX validates at most
# the hourly tables: 1 in m station-hours so that about this many rows reach GX (~0.5 s)
HOURLY_SAMPLE_ROWS = 60_000
# time column of each time-stamped table (a period restricts them); the others are read whole
TIME_COLUMNS = {
    "air_station_hourly": "ts",
    "air_station_published_wide": "ts",
    "air_city_daily_published": "date",
    "air_city_daily": "date",
    "water_section_samples": "sampled_at",
    "water_sample_published_class": "sampled_at",
}
HASH_KEYS = {
    "air_station_hourly": "station_code, ts",
    "air_station_published_wide": "station_code, ts",
}


@dataclass
class Summary:
    """What `envq validate` found: result rows, timings, where the Data Docs are."""

    run_id: str
    rows: list[ResultRow] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    docs_path: Path | None = None

    @property
    def critical_failures(self) -> list[ResultRow]:
        return [r for r in self.rows if r.severity == "critical" and not r.success]

    @property
    def warnings(self) -> list[ResultRow]:
        return [r for r in self.rows if r.severity == "warning" and not r.success]

    @property
    def ok(self) -> bool:
        """False when a critical expectation failed: the run must not publish."""
        return not self.critical_failures

    def lines(self) -> list[str]:
        """A short human summary (one line per failed expectation)."""
        head = (
            f"validation {self.run_id}: {len(self.rows)} checks, "
            f"{len(self.critical_failures)} critical failures, "
            f"{len(self.warnings)} warnings, {self.seconds:.1f} s"
        )
        out = [head]
        for r in self.critical_failures + self.warnings:
            out.append(
                f"  {r.severity:8} {r.suite}.{r.expectation} on {r.batch}: "
                f"{r.unexpected_count} unexpected"
            )
        if self.docs_path:
            out.append(f"  Data Docs: {self.docs_path}")
        return out


def validate_warehouse(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    docs_dir: Path | str | None,
    days: tuple[dt.date, dt.date] | None = None,
    lang: str = "zh",
) -> Summary:
    """Run every suite on the loaded data (natural days `days`, default all) without loading.

    Writes validation_results rows for run_id and the Data Docs page under docs_dir (None: no
    page) in lang (zh or en). A critical failure makes Summary.ok false; the caller decides
    not to publish.
    """
    start = time.perf_counter()
    summary = Summary(run_id)
    ensure_table(con)
    period = Period.of_days(*days) if days else table_period(con)
    ctx = registry_context(con)
    sql_rows: list[ResultRow] = []
    if period is not None and table_exists(con, "air_station_hourly"):
        t0 = time.perf_counter()
        sql_rows = station_hourly_checks(con, period)
        summary.timings["sql station_hourly"] = time.perf_counter() - t0
    # GX is imported on first use below, after the SQL checks, not beside them: on the real
    # 2019 year the two overlapped took 15.8 s, one after the other 14.4 s (2 cores); the
    # first table's time holds the import
    for table, dataset in DATASETS.items():
        if not table_exists(con, table):
            continue
        t0 = time.perf_counter()
        rows, label = sample_rows(con, table, period)
        if rows.num_rows:
            batch = dataset.frames(rows)
            suite = dataset.suite(ctx)
            results = run_suite(suite, batch, engine="gx", label=table)
            summary.rows += [
                ResultRow.of(suite.name, r, label, describe(batch, r)) for r in results
            ]
        summary.timings[f"gx {table}"] = time.perf_counter() - t0
    summary.rows += sql_rows
    write_results(con, run_id, summary.rows)
    summary.seconds = time.perf_counter() - start
    if docs_dir is not None:
        summary.docs_path = write_docs(con, run_id, Path(docs_dir), lang)
    return summary


def registry_context(con: duckdb.DuckDBPyConnection) -> BatchContext:
    """Registered station, section and region codes (no file date: data span many files)."""

    def codes(sql: str) -> frozenset[str] | None:
        return frozenset(c for (c,) in con.execute(sql).fetchall()) or None

    stations = codes("select station_code from stations where coalesce(registered, true)")
    sections = codes("select section_code from water_sections where coalesce(registered, true)")
    regions = codes(
        "select region_code from regions union select section_code "
        "from water_sections where coalesce(registered, true)"
    )
    return BatchContext(None, stations, sections, regions)


def sample_rows(
    con: duckdb.DuckDBPyConnection, table: str, period: Period | None
) -> tuple[pa.Table, str]:
    """The rows GX validates for a table and the batch label naming the sample.

    `table` and its columns come from DATASETS / TIME_COLUMNS (fixed names, not user text).
    """
    where, params = "true", {}
    time_column = TIME_COLUMNS.get(table)
    label = table
    if time_column and period is not None:
        where = f"{time_column} > $period_start and {time_column} <= $period_end"
        params = period.params
        if time_column != "ts":  # dates and sample times: natural days by their own date
            where = (
                f"cast({time_column} as date) >= cast($period_start as date) "
                f"and cast({time_column} as date) <= cast($period_end as date)"
            )
        label = f"{table} {period.label}"
    total = con.execute(
        f"select count(*) from {table} where {where}",  # noqa: S608
        params,
    ).fetchall()[0][0]
    limit = HOURLY_SAMPLE_ROWS if table in HASH_KEYS else SAMPLE_ROWS
    modulus = max(1, math.ceil(total / limit))
    if modulus > 1:
        key = HASH_KEYS.get(table)
        if key:
            where += f" and hash({key}) % {modulus} = 0"
            label += f" (sample: 1 in {modulus} station-hours)"
        else:
            where += f" and hash(rowid) % {modulus} = 0"
            label += f" (sample: 1 in {modulus} rows)"
    query = f"select * from {table} where {where}"  # noqa: S608
    return con.sql(query, params=params or None).to_arrow_table(), label
