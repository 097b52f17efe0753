"""What the last air build was made from, so that a nightly increment may build on it.

An increment recomputes only the days its files touched and the periods that hold them. That
is right only when everything else the marts depend on is what the last build used: the SQL
models and the Python that computes the daily AQI, the rule sets, the regions, the evaluation
stations, the dust flags and the forced edition. Their fingerprint is kept in the one-row
table air_build_state with that build's as-of date and calendar, and the files it included
(sha256 of load_log) in air_build_files, so that the next build knows which files are new
whoever loaded them (the nightly run, or `envq ingest` in between). A different fingerprint,
or no state (never built, or a build that did not finish), means a full build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms.rules import EDITIONS, cached_rules, edition_settings
from transforms.warehouse import read_sql, table_exists

STATE_TABLE = "air_build_state"
MODELS = (
    "air_region_stations",
    "air_region_hourly_wide",
    "air_region_hourly",
    "air_region_daily_means",
    "air_city_daily",
    "air_region_period",
    "air_region_annual",
    "air_rankings",
    "county_rankings",
)
CODE_FILES = ("marts.py", "aqi.py", "period_scope.py")
# tables the marts read besides the hourly values; fixed names
INPUT_TABLES = (
    "air_rule_sets", "air_region_stations", "regions", "air_dust_flags", "ranking_lists",
)


@dataclass(frozen=True)
class BuildState:
    """The last finished air build: its fingerprint, as-of date and day calendar.
    calendar_from_valid: the calendar starts from a day with a valid value (else from the
    first day with data, which later data can move, so an increment cannot keep it)."""

    fingerprint: str
    as_of: dt.date | None
    calendar_start: dt.date | None
    calendar_end: dt.date | None
    calendar_from_valid: bool


def fingerprint(con: duckdb.DuckDBPyConnection, edition: str | None) -> str:
    """Digest of the models, code, rule sets, input tables and forced edition."""
    h = hashlib.sha256(f"edition={edition}".encode())
    h.update(json.dumps(edition_settings(), sort_keys=True, default=str).encode())
    h.update(read_sql("core/assessment_macros").encode("utf-8"))
    for name in MODELS:
        h.update(read_sql(f"air/{name}").encode("utf-8"))
    for name in CODE_FILES:
        h.update((Path(__file__).parent / name).read_bytes())
    for edition_name in EDITIONS:
        h.update(json.dumps(cached_rules(edition_name), sort_keys=True, default=str).encode())
    for table in INPUT_TABLES:
        # table: one of the fixed INPUT_TABLES
        sql = f"select md5(string_agg(t::varchar, chr(10) order by t::varchar)) from {table} t"  # noqa: S608
        digest = con.execute(sql).fetchall()[0][0] or ""
        h.update(digest.encode())
    return h.hexdigest()


def read_state(con: duckdb.DuckDBPyConnection) -> BuildState | None:
    """The state of the last finished build, or None."""
    if not table_exists(con, STATE_TABLE):
        return None
    rows = con.execute(
        "select fingerprint, as_of, calendar_start, calendar_end, calendar_from_valid"
        " from air_build_state"
    ).fetchall()
    return BuildState(*rows[0]) if len(rows) == 1 else None


def files_since_last_build(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """Paths of the files loaded since the last finished build (None: no build state)."""
    if read_state(con) is None or not table_exists(con, "air_build_files"):
        return None
    rows = con.execute(
        "select path from load_log where status = 'loaded'"
        " and sha256 not in (select sha256 from air_build_files) order by path"
    ).fetchall()
    return [r[0] for r in rows]


def clear_state(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the last build (before a build changes the marts: if it fails, the next is full)."""
    con.execute(f"drop table if exists {STATE_TABLE}")
    con.execute("drop table if exists air_build_files")


def write_state(con: duckdb.DuckDBPyConnection, state: BuildState) -> None:
    """Record the finished build: its state and the files loaded so far."""
    con.execute(
        "create or replace table air_build_files as"
        " select sha256 from load_log where status = 'loaded'"
    )
    con.execute(
        f"create or replace table {STATE_TABLE} as select $fingerprint::varchar as fingerprint,"
        " $as_of::date as as_of, $calendar_start::date as calendar_start,"
        " $calendar_end::date as calendar_end, $calendar_from_valid::boolean"
        " as calendar_from_valid, current_localtimestamp() as built_at",
        {
            "fingerprint": state.fingerprint,
            "as_of": state.as_of,
            "calendar_start": state.calendar_start,
            "calendar_end": state.calendar_end,
            "calendar_from_valid": state.calendar_from_valid,
        },
    )


def loaded_days(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path | str]
) -> tuple[dt.date, dt.date] | None:
    """The natural days holding hourly values from these source files (None: no hourly values).

    A day's hour 0 belongs to the natural day before. The nightly run validates only these
    days (expectations.run.validate_warehouse(..., days=...)) instead of the whole warehouse,
    whose SQL checks cost ~5 s per national year on 2 cores, and an incremental build
    recomputes only these days.
    """
    first, last = con.execute(
        "select min(ts), max(ts) from air_station_hourly where list_contains($files, source_file)",
        {"files": [str(f) for f in files]},
    ).fetchall()[0]
    if first is None:
        return None
    hour = dt.timedelta(hours=1)
    return (first - hour).date(), (last - hour).date()
