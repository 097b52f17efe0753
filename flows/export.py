"""`envq export`: tables of the published warehouse as Parquet, CSV or xlsx for analysts' tools.

- Parquet: one file per table; the large tables (transforms/dictionary.yaml: large) are written
  as a Hive-partitioned folder by year (<table>/year=2026/...parquet).
- CSV: UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly; timestamps as
  "YYYY-MM-DD HH:MM:SS".
- xlsx: the mart tables only (not the large ones: a sheet holds 1,048,575 rows), one workbook
  each, written by reports.xlsx (typed cells, frozen header, autofilter; text never a formula).

Rows stream from DuckDB as Arrow batches, so a large table never sits whole in memory. Filters
are bound parameters; table and column names come from the catalogue. Every export writes
manifest.json: tables, filters, rows, files, and which publication of the warehouse they came
from (its file time, the last load, the last build and its as-of date).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq

from transforms import dictionary

FORMATS = ("parquet", "csv", "xlsx")
BATCH_ROWS = 200_000
BOM = b"\xef\xbb\xbf"
# the rows of the chosen region and the regions under it (temp table export_regions)
REGIONS = "(select code from export_regions)"
SECTIONS = (
    "(select section_code from water_sections where region_code in "
    "(select code from export_regions))"
)
STATIONS = (
    "(select station_code from stations where region_code in (select code from export_regions))"
)


class ExportError(ValueError):
    """A refused export: the reason fits on one line."""


@dataclass(frozen=True)
class Filters:
    """What the rows are restricted to: one year, one region and the regions under it."""

    year: int | None = None
    region: str | None = None


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where table_name = ? and schema_name = 'main' order by column_index",
        [table],
    ).fetchall()
    return dict(rows)


def exportable(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The published tables and views of the warehouse that the dictionary describes."""
    return [name for name, _, _ in dictionary.published(con) if name in dictionary.tables()]


def default_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Without --table: the mart tables, except the large hourly ones."""
    info = dictionary.tables()
    return [t for t in exportable(con) if info[t].kind == "mart" and not info[t].large]


def check_request(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str], fmt: str, out: Path, force: bool
) -> None:
    """Refuse, in one line, an unknown format or table, an xlsx of a non-mart or large table, or
    an output folder that exists and is not empty (unless force)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    valid = exportable(con)
    unknown = [t for t in tables if t not in valid]
    if unknown:
        raise ExportError(f"unknown table {', '.join(unknown)}; valid tables: {', '.join(valid)}")
    if fmt == "xlsx":
        info = dictionary.tables()
        marts = [t for t in valid if info[t].kind == "mart" and not info[t].large]
        refused = [t for t in tables if t not in marts]
        if refused:
            raise ExportError(
                f"xlsx is for the mart tables ({', '.join(marts)}); "
                f"export {', '.join(refused)} as parquet or csv"
            )
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file, not a folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise ExportError(f"{out} is not empty; choose an empty folder or pass --force")


def _region_scope(con: duckdb.DuckDBPyConnection, region: str) -> None:
    """Temporary tables of the region with every region under it, and their stations/sections."""
    known = con.execute("select count(*) from regions where region_code = ?", [region]).fetchall()
    if not known[0][0]:
        raise ExportError(f"unknown region {region!r} (not in the regions table)")
    con.execute(
        """
        create or replace temp table export_regions as
        with recursive tree(code) as (
            select ?::varchar
            union
            select r.region_code from regions r join tree on r.parent_code = tree.code
        )
        select code from tree
        """,
        [region],
    )


def _where(
    con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], filters: Filters
) -> tuple[str, list[Any]]:
    """The WHERE clause (with its parameters) that applies the filters to one table."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.year is not None:
        column = "year" if "year" in columns else dictionary.tables()[table].year_column
        if column is None or column not in columns:
            raise ExportError(f"--year does not apply to {table} (it has no year or date column)")
        if columns[column].startswith("VARCHAR"):  # periods such as 2026-03
            clauses.append(f"try_cast(left({_ident(column)}, 4) as integer) = ?")
        elif columns[column] in ("INTEGER", "BIGINT"):
            clauses.append(f"{_ident(column)} = ?")
        else:
            clauses.append(f"year({_ident(column)}) = ?")
        params.append(filters.year)
    if filters.region is not None:
        regions, sections, stations = REGIONS, SECTIONS, STATIONS
        if "region_code" in columns:  # target_progress holds section codes there too
            clauses.append(f"(region_code in {regions} or region_code in {sections})")
        elif "region_codes" in columns:  # rectification problems: the regions units name
            clauses.append("list_has_any(region_codes, (select list(code) from export_regions))")
        elif "group_code" in columns and "group_type" in columns:
            clauses.append(f"(group_type = 'region' and group_code in {regions})")
        elif "group_key" in columns and "group_by" in columns:
            clauses.append(f"(group_by = 'region' and group_key in {regions})")
        elif "section_code" in columns:
            clauses.append(f"section_code in {sections}")
        elif "station_code" in columns:
            clauses.append(f"station_code in {stations}")
        else:
            raise ExportError(f"--region does not apply to {table} (no region, section or station)")
    return (" where " + " and ".join(clauses) if clauses else ""), params


def _select(
    con: duckdb.DuckDBPyConnection, table: str, filters: Filters, fmt: str
) -> tuple[str, list[Any], bool]:
    """The query of one table's rows, its parameters, and whether it is partitioned by year."""
    columns = _columns(con, table)
    where, params = _where(con, table, columns, filters)
    info = dictionary.tables()[table]
    items = []
    for name, data_type in columns.items():
        if fmt == "csv" and data_type.startswith("TIMESTAMP"):
            items.append(f"strftime({_ident(name)}, '%Y-%m-%d %H:%M:%S') as {_ident(name)}")
        elif fmt != "parquet" and data_type.endswith("[]"):  # lists as text: 甲、乙
            items.append(f"array_to_string({_ident(name)}, '、') as {_ident(name)}")
        elif fmt != "parquet" and data_type.startswith(("STRUCT", "MAP", "UNION")):
            items.append(f"{_ident(name)}::varchar as {_ident(name)}")
        else:
            items.append(_ident(name))
    partitioned = fmt == "parquet" and info.large and info.year_column in columns
    if partitioned:
        items.append(f"year({_ident(info.year_column)}) as year")  # type: ignore[arg-type]
    order = ", ".join(_ident(c) for c in list(columns)[:3])
    query = f"select {', '.join(items)} from {_ident(table)}{where} order by {order}"  # noqa: S608 - names from the catalogue
    return query, params, partitioned


def _reader(con: duckdb.DuckDBPyConnection, query: str, params: list[Any]) -> pa.RecordBatchReader:
    return con.sql(query, params=params or None).to_arrow_reader(BATCH_ROWS)


def _write_parquet(reader: pa.RecordBatchReader, target: Path, partitioned: bool) -> list[Path]:
    if partitioned:
        pa_ds.write_dataset(
            reader,
            target,
            format="parquet",
            partitioning=pa_ds.partitioning(pa.schema([("year", pa.int64())]), flavor="hive"),
            existing_data_behavior="delete_matching",
            basename_template="part-{i}.parquet",
        )
        return sorted(target.rglob("*.parquet"))
    path = target.with_suffix(".parquet")
    with pq.ParquetWriter(path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
    return [path]


def _write_csv(reader: pa.RecordBatchReader, target: Path) -> list[Path]:
    path = target.with_suffix(".csv")
    with open(path, "wb") as fh:
        fh.write(BOM)
        with pa_csv.CSVWriter(fh, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
    return [path]


def _write_xlsx(
    con: duckdb.DuckDBPyConnection, table: str, query: str, params: list[Any], target: Path
) -> list[Path]:
    from reports.xlsx import write_frames

    frame = con.sql(query, params=params or None).df()
    frame = frame.astype(object).where(frame.notna(), None)
    return [write_frames(target.with_suffix(".xlsx"), [(table[:31], frame)], lang="en")]


def _provenance(con: duckdb.DuckDBPyConnection, warehouse: Path) -> dict[str, Any]:
    """Which publication the rows come from: file time, last load, last build, as-of date."""

    def one(sql: str) -> Any:
        try:
            value = con.execute(sql).fetchall()[0][0]
        except duckdb.Error:
            return None
        return value.isoformat() if isinstance(value, dt.date) else value

    return {
        "warehouse": str(warehouse),
        "published_at": dt.datetime.fromtimestamp(warehouse.stat().st_mtime).isoformat(
            timespec="seconds"
        ),
        "last_loaded_at": one("select max(loaded_at) from load_log"),
        "built_at": one("select max(built_at) from air_build_state"),
        "as_of": one("select max(as_of) from target_progress"),
    }


def export(
    warehouse: Path,
    out: Path,
    tables: Sequence[str] = (),
    fmt: str = "parquet",
    filters: Filters = Filters(),  # noqa: B008 - frozen dataclass
    force: bool = False,
) -> dict[str, Any]:
    """Write the tables (default: the marts) to out in fmt; returns the manifest."""
    if not warehouse.exists():
        raise ExportError(f"{warehouse}: no published warehouse (run `envq run` first)")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = list(dict.fromkeys(tables)) or default_tables(con)
        check_request(con, names, fmt, out, force)
        if filters.region is not None:
            _region_scope(con, filters.region)
        plans = {t: _select(con, t, filters, fmt) for t in names}  # refuse before writing
        out.mkdir(parents=True, exist_ok=True)
        entries = []
        for table, (query, params, partitioned) in plans.items():
            target = out / table
            for old in (target, *(target.with_suffix(s) for s in (".parquet", ".csv", ".xlsx"))):
                if old.is_dir():
                    shutil.rmtree(old)
                else:
                    old.unlink(missing_ok=True)
            rows = con.execute(
                f"select count(*) from ({query})",  # noqa: S608 - the query built above
                params,
            ).fetchall()[0][0]
            if fmt == "xlsx":
                files = _write_xlsx(con, table, query, params, target)
            elif fmt == "csv":
                files = _write_csv(_reader(con, query, params), target)
            else:
                files = _write_parquet(_reader(con, query, params), target, partitioned)
            entries.append(
                {
                    "table": table,
                    "rows": rows,
                    "files": [p.relative_to(out).as_posix() for p in files],
                    "partitioned_by": "year" if partitioned else None,
                }
            )
        manifest = {
            "exported_at": dt.datetime.now().isoformat(timespec="seconds"),
            "format": fmt,
            "filters": {"year": filters.year, "region": filters.region},
            **_provenance(con, warehouse),
            "tables": entries,
        }
    finally:
        con.close()
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return manifest
