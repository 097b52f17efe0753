"""Merging parsed CNEMC wide files into the warehouse, inside the caller's transaction.

Corrections: a later file for the same date supersedes the earlier one for
the cells it covers, its columns times its complete hour-type rows, including the cells it
leaves empty (a value a corrected or audited file withdraws disappears); cells it does not
cover (a column or an hour-type row it lacks, the rest of a cut last line) keep their values.
Published values (one air_station_published_wide row per station-hour) are superseded per
station-hour: covered when the file has the column and any published row of that hour.

Audited over realtime (data_kind rank, as in transforms.ingest.engine): a realtime file never
replaces or withdraws an audited value, and never puts back a value an audited file covered
and left empty (what each audited file covered is kept in cnemc_audited_columns/_slots).

Fast path: when the target table holds no row in the file's time range and (for realtime)
no audited file covered it, i.e. a new day, as every file of a fresh national load, nothing
can be superseded and the rows are appended as they are: no delete, no anti-join. The test
reads only the zone maps of ts. load_cnemc_batch appends a run of such files in one insert
per table.

Returns the number of values loaded (hourly rows + published values + city values), the
figure load_log and the benchmark count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.ingest.engine import DATA_KIND_RANK, ParsedFile, data_kind_rank_sql
from transforms.pollutants import POLLUTANTS
from transforms.warehouse import read_sql, run_sql

PUBLISHED_TYPES = ("aqi", "pm25_24h", "pm10_24h", "so2_24h", "no2_24h", "o3_24h", "o3_8h",
                   "o3_8h_24h", "co_24h")
MEASURED_SQL = "(" + ", ".join(f"'{p}'" for p in POLLUTANTS) + ")"  # the 1-h measurement types
# Pseudo-tables of a ParsedFile: what the file covers (see transforms.ingest.formats.cnemc).
COVERED_SERIES = "cnemc_covered_series"
COVERED_SLOTS = "cnemc_covered_slots"


@dataclass(frozen=True)
class Target:
    """A table a CNEMC file loads into; every name here is fixed (SQL identifiers)."""

    table: str
    series: str  # the column holding the file's column names
    type: str | None  # the column holding the row type; None for the wide table
    columns: tuple[str, ...]


TARGETS = {
    t.table: t
    for t in (
        Target("air_station_hourly", "station_code", "pollutant",
               ("station_code", "ts", "pollutant", "value", "data_kind")),
        Target("air_station_published_wide", "station_code", None,
               ("station_code", "ts", *PUBLISHED_TYPES, "data_kind")),
        Target("air_city_hourly_published", "city", "type",
               ("city", "ts", "type", "value", "data_kind")),
    )
}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the CNEMC tables and the air_station_published view (idempotent).

    schema.sql declares air_station_published as a long table; while it is one (empty, or
    holding rows of an older warehouse, which move to the wide table) it gives way to the view.
    """
    ready = con.execute(
        "select (select count(*) from duckdb_tables() where table_name in "
        "('air_station_published_wide', 'air_city_hourly_published', "
        "'cnemc_audited_columns', 'cnemc_audited_slots')) = 4 "
        "and exists (select 1 from duckdb_views() where view_name = 'air_station_published')"
    ).fetchall()[0][0]
    if ready:
        return
    run_sql(con, "ingest/cnemc_tables")
    kind = con.execute(
        "select table_type from information_schema.tables "
        "where table_name = 'air_station_published' and table_schema = current_schema()"
    ).fetchall()
    if kind and kind[0][0] == "BASE TABLE":
        run_sql(con, "migrations/cnemc_published_migrate")
        kind = []
    if not kind:
        run_sql(con, "ingest/cnemc_published_view")


def load_cnemc(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, source_file: str,
    run_id: str | None = None,
) -> int:
    """Merge one parsed CNEMC file (the FormatSpec.load hook); return the values loaded."""
    ensure_tables(con)
    params = _file_params(parsed, source_file)
    if params is None:
        return 0
    with _coverage(con, parsed):
        loaded = sum(merge_target(con, TARGETS[name], rows, params)
                     for name, rows in parsed.tables.items() if name in TARGETS)
        _add_placeholders(con, parsed, params)
        _record_audited(con, params)
    return loaded


def load_cnemc_batch(
    con: duckdb.DuckDBPyConnection, items: list[tuple[ParsedFile, str]],
    run_id: str | None = None,
) -> list[int]:
    """Merge several files in the caller's transaction (the FormatSpec.load_batch hook).

    Files whose time ranges touch nothing loaded (nor each other) are appended together, one
    insert per table, so that DuckDB writes large row groups on all cores; when the whole
    batch is such (a national load: one test per table for the batch's whole range) nothing
    else runs per file. Any other file is merged on its own, in order.
    """
    ensure_tables(con)
    files = [(parsed, _file_params(parsed, source_file)) for parsed, source_file in items]
    fresh = [(parsed, params) for parsed, params in files if params is not None]
    if fresh and _all_fresh(con, fresh):
        _append(con, fresh)
        _add_placeholders_together(con, fresh)
        for parsed, params in fresh:
            if params["rank"] == DATA_KIND_RANK["audited"]:
                with _coverage(con, parsed):
                    _record_audited(con, params)
        return [_file_values(parsed) if params else 0 for parsed, params in files]
    loaded: list[int] = []
    pending: list[tuple[ParsedFile, dict[str, Any]]] = []
    for (parsed, source_file), (_, params) in zip(items, files, strict=True):
        if params is None:
            loaded.append(0)
            continue
        clash = any(params["lo"] <= p["hi"] and p["lo"] <= params["hi"] for _, p in pending)
        if clash or any(_overlaps(con, name, params) for name in parsed.tables
                        if name in TARGETS):
            _append(con, pending)
            pending = []
            loaded.append(load_cnemc(con, parsed, source_file, run_id))
            continue
        pending.append((parsed, params))
        loaded.append(_file_values(parsed))
        with _coverage(con, parsed):
            _add_placeholders(con, parsed, params)
            _record_audited(con, params)
    _append(con, pending)
    return loaded


def _all_fresh(
    con: duckdb.DuckDBPyConnection, files: list[tuple[ParsedFile, dict[str, Any]]]
) -> bool:
    """No two files share an hour and nothing loaded lies in the batch's whole time range."""
    spans = sorted((p["lo"], p["hi"]) for _, p in files)
    reach = spans[0][1]
    for lo, hi in spans[1:]:
        if lo <= reach:
            return False
        reach = max(reach, hi)
    whole = {"lo": spans[0][0], "hi": reach, "rank": min(p["rank"] for _, p in files),
             "realtime": DATA_KIND_RANK["realtime"]}
    tables = {name for parsed, _ in files for name in parsed.tables if name in TARGETS}
    return not any(_overlaps(con, name, whole) for name in tables)


def _file_values(parsed: ParsedFile) -> int:
    return sum(_values(TARGETS[name], rows) for name, rows in parsed.tables.items()
               if name in TARGETS)


def _add_placeholders_together(
    con: duckdb.DuckDBPyConnection, files: list[tuple[ParsedFile, dict[str, Any]]]
) -> None:
    """_add_placeholders for a batch of station files in one insert (notes per file)."""
    known = {code for (code,) in con.execute("select station_code from stations").fetchall()}
    codes: list[str] = []
    sources: list[str] = []
    for parsed, params in files:
        if "air_station_hourly" not in parsed.tables:
            continue
        series = parsed.tables[COVERED_SERIES]
        new = [code for code, has in zip(series["series"].to_pylist(),
                                         series["has_values"].to_pylist(), strict=True)
               if has and code not in known]
        if new:
            known.update(new)
            codes += new
            sources += [params["source_file"]] * len(new)
            parsed.notes.append(f"{len(new)} stations in no station list: added as unregistered")
    if not codes:
        return
    con.register("cnemc_new_stations", pa.table({"code": codes, "source": sources}))
    try:
        con.execute("insert into stations (station_code, registered, source) "
                    "select code, false, source from cnemc_new_stations")
    finally:
        con.unregister("cnemc_new_stations")


def _append(
    con: duckdb.DuckDBPyConnection, files: list[tuple[ParsedFile, dict[str, Any]]]
) -> None:
    """Insert the rows of files that supersede nothing: one insert per table."""
    for target in TARGETS.values():
        parts = [
            rows.select(list(target.columns)).append_column(
                "source_file", _constant(rows.num_rows, params["source_file"])
            )
            for parsed, params in files
            if (rows := parsed.tables.get(target.table)) is not None and rows.num_rows
        ]
        if not parts:
            continue
        con.register("cnemc_incoming", pa.concat_tables(parts))
        try:
            columns = ", ".join([*target.columns, "source_file"])
            con.execute(f"insert into {target.table} ({columns}) "  # noqa: S608
                        f"select {columns} from cnemc_incoming")
        finally:
            con.unregister("cnemc_incoming")


def _constant(n: int, text: str) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int8)), pa.array([text]))


def _values(target: Target, rows: pa.Table) -> int:
    if target.type is None:
        return int(pc.sum(rows["n_values"]).as_py() or 0)
    return rows.num_rows


def _file_params(parsed: ParsedFile, source_file: str) -> dict[str, Any] | None:
    """The file's time range, data_kind rank and name (None when it covers nothing)."""
    slots = parsed.tables[COVERED_SLOTS]
    if slots.num_rows == 0:
        return None
    bounds = pc.min_max(slots["ts"]).as_py()
    kind = slots["data_kind"][0].as_py()
    return {"lo": bounds["min"], "hi": bounds["max"], "rank": DATA_KIND_RANK[kind],
            "realtime": DATA_KIND_RANK["realtime"], "source_file": source_file}


@contextmanager
def _coverage(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> Iterator[None]:
    con.register("cnemc_series", parsed.tables[COVERED_SERIES])
    con.register("cnemc_slots", parsed.tables[COVERED_SLOTS])
    try:
        yield
    finally:
        con.unregister("cnemc_series")
        con.unregister("cnemc_slots")


def _record_audited(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Keep what an audited file covers (see cnemc_tables.sql)."""
    if params["rank"] < DATA_KIND_RANK["audited"]:
        return
    _run(con, "insert into cnemc_audited_columns select $source_file, series from cnemc_series",
         params)
    _run(con, "insert into cnemc_audited_slots select $source_file, ts, type from cnemc_slots "
         "where complete", params)


def _add_placeholders(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, params: dict[str, Any]
) -> None:
    """Unregistered `stations` rows for station codes in no list (station files only)."""
    if "air_station_hourly" not in parsed.tables:
        return
    added = _run(con, read_sql("ingest/cnemc_station_placeholders"), params)
    if added:
        parsed.notes.append(f"{added} stations in no station list: added as unregistered")


def merge_target(
    con: duckdb.DuckDBPyConnection, target: Target, rows: pa.Table, params: dict[str, Any]
) -> int:
    """Supersede what the file covers (slow path only), then insert; return values loaded."""
    wide = target.type is None
    keep = [*target.columns, "n_values"] if wide else list(target.columns)
    con.register("cnemc_incoming", rows.select(keep))
    columns = ", ".join(target.columns)
    try:
        if not _overlaps(con, target.table, params):
            _run(con, f"insert into {target.table} ({columns}, source_file) "  # noqa: S608
                 f"select {columns}, $source_file from cnemc_incoming", params)
            return _values(target, rows)
        names = {
            "table": target.table, "series": target.series, "type": target.type,
            "t_rank": data_kind_rank_sql("t.data_kind"), "measured": MEASURED_SQL,
            "type_match": "" if wide else f"and t.{target.type} = i.{target.type}",
            "audited_type_match": f"and c.type not in {MEASURED_SQL}" if wide
            else f"and c.type = i.{target.type}",
        }
        _run(con, read_sql("ingest/cnemc_supersede_wide" if wide else "ingest/cnemc_supersede")
             .format(**names), params)
        new_rows = read_sql("ingest/cnemc_new_rows").format(**names)
        filled = None
        if wide:  # values loaded = the filled cells of the rows that go in
            count = f"select coalesce(sum(n_values), 0) from ({new_rows})"  # noqa: S608
            filled = _run(con, count, params)
        inserted = _run(con, f"insert into {target.table} ({columns}, source_file) "  # noqa: S608
                        f"select {columns}, $source_file from ({new_rows})", params)
        return int(filled) if filled is not None else inserted
    finally:
        con.unregister("cnemc_incoming")


def _overlaps(con: duckdb.DuckDBPyConnection, table: str, params: dict[str, Any]) -> bool:
    """Whether the file may supersede or be blocked by anything: the table has a row in its
    time range (read from the zone maps of ts), or, for a realtime file, an audited file
    covered part of that range."""
    sql = (
        f"select exists (select 1 from {table} where ts between $lo and $hi) "  # noqa: S608
        "or ($rank = $realtime and exists "
        "(select 1 from cnemc_audited_slots where ts between $lo and $hi))"
    )
    return bool(_run(con, sql, params))


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> Any:
    """Execute with the named parameters the statement uses; its first value (or None)."""
    used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
    rows = con.execute(sql, used or None).fetchall()
    return rows[0][0] if rows else None
