"""Idempotent, atomic loading of raw files into the core tables.

Every format module (transforms/ingest_*.py) turns one raw file into a `ParsedFile`: Arrow
tables of rows for core tables plus the cells it could not load, each with line, column and
reason. This module detects the format, skips files already loaded (same sha256), and loads
one file per transaction: a kill at any moment leaves either the whole file or none of it.

Corrections: rows of a new file replace the rows with the same key (a re-sent or corrected
file for the same station-hours); `audited` data replace `realtime` data, never the reverse.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from transforms.raw_files import RawFileError, logical_name, sha256_of

log = logging.getLogger(__name__)

QUARANTINE_SCHEMA = pa.schema(
    [
        ("line_no", pa.int64()),
        ("column_name", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)

# Grain of each loadable table: rows with the same key are the same fact.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "air_station_hourly": ("station_code", "ts", "pollutant"),
    "air_station_published": ("station_code", "ts", "type"),
    "air_city_daily_published": ("city", "date"),
    "water_section_samples": ("section_code", "sampled_at", "parameter", "method"),
    "water_sample_published_class": ("section_code", "sampled_at"),
    "stations": ("station_code",),
    "water_sections": ("section_code",),
}
# Tables whose rows carry a data_kind: a lower-ranked kind never replaces a higher one.
DATA_KIND_RANK = {"realtime": 1, "audited": 2}
# Registry tables: a file only fills in codes nobody configured (configuration wins).
REGISTRY_TABLES = {"stations", "water_sections"}


def empty_quarantine() -> pa.Table:
    return QUARANTINE_SCHEMA.empty_table()


@dataclass
class ParsedFile:
    """What a format parser made of one raw file."""

    format: str
    tables: dict[str, pa.Table]
    quarantine: pa.Table = field(default_factory=empty_quarantine)
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.num_rows for t in self.tables.values())


@dataclass(frozen=True)
class FormatSpec:
    """A raw format: how to recognise it and how to parse it."""

    name: str
    detect: Callable[[Path, bytes], bool]  # (path, first bytes decompressed) -> is it mine?
    parse: Callable[[Path], ParsedFile]


@dataclass
class FileResult:
    path: str
    status: str  # loaded / skipped / failed
    format: str | None = None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""


_FORMATS: list[FormatSpec] = []


def register_format(spec: FormatSpec) -> FormatSpec:
    """Add a format to the detection list (first match wins, in registration order)."""
    if all(f.name != spec.name for f in _FORMATS):
        _FORMATS.append(spec)
    return spec


def registered_formats() -> list[FormatSpec]:
    _load_format_modules()
    return list(_FORMATS)


def _load_format_modules() -> None:
    # Format modules register themselves on import; import them lazily to keep start-up fast.
    import importlib

    for module in FORMAT_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


FORMAT_MODULES = (
    "transforms.ingest_cnemc",
    "transforms.ingest_station_list",
    "transforms.ingest_air_long",
    "transforms.ingest_air_daily",
    "transforms.ingest_water",
)


def head_bytes(path: Path, n: int = 65536) -> bytes:
    """The first n bytes of the file's decompressed content (for format detection)."""
    import gzip
    import lzma

    opener = {".xz": lzma.open, ".gz": gzip.open}.get(path.suffix, open)
    try:
        with opener(path, "rb") as fh:
            return fh.read(n)
    except (OSError, lzma.LZMAError, EOFError) as exc:
        raise RawFileError(path, "corrupt compressed file", str(exc)) from exc


def detect_format(path: Path) -> FormatSpec:
    """Find the format of a raw file, or raise RawFileError naming the rule it broke."""
    head = head_bytes(path)
    if not head.strip():
        raise RawFileError(path, "empty file")
    for spec in registered_formats():
        if spec.detect(path, head):
            return spec
    raise RawFileError(path, "no known format", f"file name {logical_name(path)!r}")


def iter_raw_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files given, and files below folders given, in a stable (sorted) order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and not f.name.startswith(".")
                    and f.suffix.lower() in {".csv", ".txt", ".json", ".xz", ".gz"}
                )
            )
        elif p.is_file():
            out.append(p)
        else:
            raise RawFileError(p, "no such file or folder")
    return out


def already_loaded(con: duckdb.DuckDBPyConnection, sha: str) -> bool:
    rows = con.execute(
        "select 1 from load_log where sha256 = ? and status = 'loaded'", [sha]
    ).fetchall()
    return bool(rows)


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    run_id: str | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Load every raw file below paths that is not loaded yet; one transaction per file.

    A file that cannot be read is logged as failed with a one-line reason and the others
    still load.
    """
    results: list[FileResult] = []
    for path in iter_raw_files(paths):
        result = ingest_file(con, path, run_id=run_id)
        results.append(result)
        if on_file:
            on_file(result)
    return results


def ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, run_id: str | None = None
) -> FileResult:
    """Load one raw file atomically (or skip it when its bytes were loaded before)."""
    sha = sha256_of(path)
    if already_loaded(con, sha):
        return FileResult(str(path), "skipped", message="same bytes already loaded")
    try:
        spec = detect_format(path)
        parsed = spec.parse(path)
    except RawFileError as exc:
        _log_failure(con, sha, path, None, exc.rule if not str(exc) else str(exc))
        return FileResult(str(path), "failed", message=str(exc))
    try:
        con.execute("begin transaction")
        loaded = load_parsed(con, parsed, str(path), run_id)
        quarantined = _insert_quarantine(con, parsed.quarantine, str(path), run_id)
        _write_load_log(con, sha, path, parsed.format, loaded, quarantined, "loaded", "")
        con.execute("commit")
    except Exception as exc:  # noqa: BLE001 - any failure must roll back the whole file
        con.execute("rollback")
        message = f"{path}: load failed ({type(exc).__name__}: {exc})"
        _log_failure(con, sha, path, parsed.format, message)
        return FileResult(str(path), "failed", parsed.format, message=message)
    return FileResult(
        str(path), "loaded", parsed.format, loaded, quarantined, "; ".join(parsed.notes)
    )


def load_parsed(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, source_file: str, run_id: str | None
) -> int:
    """Merge the parsed tables into their core tables (inside the caller's transaction)."""
    total = 0
    for table, rows in parsed.tables.items():
        if table not in TABLE_KEYS:
            raise ValueError(f"parser produced rows for unknown table {table!r}")
        if rows.num_rows == 0:
            continue
        total += merge_rows(con, table, rows, source_file)
    return total


def merge_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, source_file: str) -> int:
    """Replace rows with the same key by the incoming ones; return the rows inserted.

    `table` and the column names come from TABLE_KEYS and the parser, never from user text.
    """
    keys = TABLE_KEYS[table]
    columns = [c for c in rows.column_names]
    con.register("incoming_rows", rows)
    try:
        has_source = "source_file" in _table_columns(con, table) and "source_file" not in columns
        match = " and ".join(f"t.{k} = i.{k}" for k in keys)
        if table in REGISTRY_TABLES:
            # configured entries (source not a raw file) are never overwritten by a file
            con.execute(
                f"delete from {table} t using incoming_rows i where {match} "  # noqa: S608
                "and coalesce(t.registered, true) = false"
            )
        elif "data_kind" in columns:
            rank = "case {c} when 'audited' then 2 else 1 end"
            con.execute(
                f"delete from {table} t using incoming_rows i where {match} "  # noqa: S608
                f"and {rank.format(c='t.data_kind')} <= {rank.format(c='i.data_kind')}"
            )
        else:
            con.execute(f"delete from {table} t using incoming_rows i where {match}")  # noqa: S608
        select_cols = ", ".join(f"i.{c}" for c in columns)
        insert_cols = ", ".join(columns)
        if has_source:
            insert_cols += ", source_file"
            select_cols += ", $source_file"
        before = _count(con, table)
        con.execute(
            f"insert into {table} ({insert_cols}) select {select_cols} from incoming_rows i "  # noqa: S608
            f"where not exists (select 1 from {table} t where {match})",
            {"source_file": source_file} if has_source else None,
        )
        return _count(con, table) - before
    finally:
        con.unregister("incoming_rows")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]  # noqa: S608


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_name = ?", [table]
        ).fetchall()
    ]


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection, q: pa.Table, source_file: str, run_id: str | None
) -> int:
    if q.num_rows == 0:
        return 0
    con.register("incoming_quarantine", q)
    try:
        con.execute(
            "insert into quarantine (source_file, line_no, column_name, reason, raw, run_id) "
            "select $source_file, line_no, column_name, reason, raw, $run_id "
            "from incoming_quarantine",
            {"source_file": source_file, "run_id": run_id},
        )
    finally:
        con.unregister("incoming_quarantine")
    return q.num_rows


def _write_load_log(
    con: duckdb.DuckDBPyConnection,
    sha: str,
    path: Path,
    fmt: str | None,
    loaded: int,
    quarantined: int,
    status: str,
    message: str,
) -> None:
    con.execute("delete from load_log where sha256 = ?", [sha])
    con.execute(
        "insert into load_log values (?, ?, ?, ?, ?, ?, ?, ?)",
        [sha, str(path), fmt, loaded, quarantined, dt.datetime.now(), status, message],
    )


def _log_failure(
    con: duckdb.DuckDBPyConnection, sha: str, path: Path, fmt: str | None, message: str
) -> None:
    log.error(message)
    _write_load_log(con, sha, path, fmt, 0, 0, "failed", message)
