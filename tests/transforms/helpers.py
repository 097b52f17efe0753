"""Helpers shared by the ingest tests: what a load left in the warehouse, which formats claim
a file. Kept here so that each test file states only its data and its expected rows."""

from __future__ import annotations

from pathlib import Path

import duckdb

from transforms.ingest.engine import registered_formats


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(line_no, column_name, reason, raw) of every quarantined cell, in file order."""
    return con.execute(
        "select line_no, column_name, reason, raw from quarantine order by line_no, column_name"
    ).fetchall()


def station_hours(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(station_code, ts, pollutant, value, data_kind) of air_station_hourly, sorted."""
    return con.execute(
        "select station_code, ts, pollutant, value, data_kind from air_station_hourly order by all"
    ).fetchall()


def detected_formats(path: Path, data: bytes) -> list[str]:
    """Write data to path; return the names of the registered formats whose detector claims it
    (exactly one is the contract: two would make detection order-dependent)."""
    path.write_bytes(data)
    return [spec.name for spec in registered_formats() if spec.detect(path, data)]
