"""Idempotent, atomic loading of raw files into the core tables.

Every format module (transforms/ingest/formats/*.py) turns one raw file into a `ParsedFile`: Arrow
tables of rows for core tables plus the cells it could not load, each with line, column and
reason. This module detects the format, skips files already loaded (same sha256), and loads
one file per transaction (a format with a `load_batch` hook: a run of consecutive files per
transaction): a kill at any moment leaves either the whole file or none of it.

Corrections: rows of a new file replace the rows with the same key (a re-sent or corrected
file for the same station-hours); `audited` data replace `realtime` data, never the reverse.

Station registry (`stations`): configured rows (source 'config', loaded by
transforms.ingest.registry) are never changed by a file; a station list replaces an earlier
list's row for the same code (the latest loaded wins; changed coordinates are noted in
load_log; coordinates or a 对照点 flag that a list does not state keep the earlier values) and
replaces the unregistered placeholder made when data arrived for a code in no list; a
placeholder never replaces a list row.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import pkgutil
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from transforms.ingest.raw_files import (
    WORKBOOK_SUFFIXES,
    DocumentationFile,
    RawFileError,
    is_documentation,
    logical_name,
    sha256_of,
)
from transforms.ingest.workbooks import is_workbook, read_workbook

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
    # CNEMC wide files (transforms.ingest.formats.cnemc; loaded by its own `load` hook)
    "air_station_published_wide": ("station_code", "ts"),
    "air_city_hourly_published": ("city", "ts", "type"),
    "air_city_daily_published": ("city", "date"),
    "water_section_samples": ("section_code", "sampled_at", "parameter", "method"),
    "water_sample_published_class": ("section_code", "sampled_at"),
    "stations": ("station_code",),
    "water_sections": ("section_code",),
    "rectification_snapshots": ("snapshot_date", "source", "problem_no"),
}
# Tables whose rows carry a data_kind: a lower-ranked kind never replaces a higher one.
DATA_KIND_RANK = {"realtime": 1, "audited": 2}
# Registry tables: a file only fills in codes nobody configured (configuration wins).
REGISTRY_TABLES = {"stations", "water_sections"}
# Registry columns a list may leave blank (not stated): an update keeps the earlier value, a
# new row takes the default given here (SQL over the incoming row i; None = stays NULL).
REGISTRY_BLANK_DEFAULTS: dict[str, str | None] = {
    "lon": None,
    "lat": None,
    "is_background": "false",
    "city_assessment": "not coalesce(i.is_background, false)",
}


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


@dataclass
class BatchOutcome:
    """A batch validator's verdict on one parsed file (see `ingest_file(validate=...)`).

    rejected: a critical expectation failed, nothing of the file loads (load_log 'rejected',
    message naming the expectations). Otherwise `parsed` is what loads (the validator may have
    moved rows to its quarantine). `record` writes the validator's results; it runs inside the
    file's transaction when the file loads, and after the rollback when it is rejected.
    """

    parsed: ParsedFile
    rejected: bool = False
    message: str = ""
    record: Callable[[duckdb.DuckDBPyConnection], None] | None = None


# (parsed file, its path) -> verdict; expectations.batch.make_batch_validator builds one.
# A validator may also have `early(parsed, path)`, which ingest_paths calls in its reading
# threads (formats without a `prepare` hook); whatever it returns (None: nothing) is passed
# back as the third argument when the file's turn to merge comes.
BatchValidate = Callable[..., BatchOutcome]
# Optional columns a parser may add to any table to name each row's raw cell (1-based line,
# header name); validators use them for quarantine entries, the merge drops them.
PROVENANCE_COLUMNS = ("line_no", "column_name")


@dataclass(frozen=True)
class FormatSpec:
    """A raw format: how to recognise it and how to parse it."""

    name: str
    detect: Callable[[Path, bytes], bool]  # (path, first bytes decompressed) -> is it mine?
    parse: Callable[[Path], ParsedFile]
    # optional: adjust the parsed rows against the warehouse inside the file's transaction
    # (e.g. water sections: names -> registered codes); mutates the ParsedFile in place
    prepare: Callable[[duckdb.DuckDBPyConnection, ParsedFile], None] | None = None
    # optional: the format's own merge in place of load_parsed (same arguments, returns the
    # values loaded), e.g. transforms.ingest.cnemc_load: supersede by coverage, append-only
    # fast path
    load: Callable[[duckdb.DuckDBPyConnection, ParsedFile, str, str | None], int] | None = None
    # optional: merge several consecutive files of this format in one transaction (all of
    # them or none; [(parsed, source_file)] -> values loaded per file), so that a national
    # year of small daily files makes large inserts
    load_batch: (
        Callable[[duckdb.DuckDBPyConnection, list[tuple[ParsedFile, str]], str | None], list[int]]
        | None
    ) = None


@dataclass
class FileResult:
    path: str
    status: str  # loaded / skipped / failed / rejected (a critical expectation failed)
    format: str | None = None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""


_FORMATS: list[FormatSpec] = []


def register_format(spec: FormatSpec) -> FormatSpec:
    """Add a format to the detection list (first match wins: registered_formats orders the
    formats by DETECTION_ORDER of their modules, then by registration)."""
    if all(f.name != spec.name for f in _FORMATS):
        _FORMATS.append(spec)
    return spec


# Detection order of the format modules (first match wins): the most specific layouts first.
# Every module in transforms/ingest/formats/ registers its formats on import and is found
# there by pkgutil; one not named here is tried after these, in name order.
DETECTION_ORDER = (
    "cnemc", "station_list", "air_long", "air_daily", "water_auto", "water_manual", "rectification",
)


def format_modules() -> list[str]:
    """The modules of transforms/ingest/formats/ in detection order."""
    from transforms.ingest import formats

    found = sorted(m.name for m in pkgutil.iter_modules(formats.__path__))
    ordered = [m for m in DETECTION_ORDER if m in found]
    ordered += [m for m in found if m not in DETECTION_ORDER]
    return [f"{formats.__name__}.{m}" for m in ordered]


def registered_formats() -> list[FormatSpec]:
    """Every registered format in detection order, whatever order the modules were imported
    in (formats registered elsewhere, e.g. by tests, come last)."""
    modules = format_modules()
    for module in modules:  # imported lazily, to keep start-up fast
        importlib.import_module(module)
    rank = {m: i for i, m in enumerate(modules)}
    return sorted(_FORMATS, key=lambda spec: rank.get(spec.detect.__module__, len(rank)))


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
    if is_documentation(path, head):
        raise DocumentationFile(path)
    raise RawFileError(path, "no known format", f"file name {logical_name(path)!r}")


# Suffixes read below a folder (a ledger or a table may come as a workbook); a workbook no
# format claims itself is read sheet by sheet by transforms.ingest.workbooks.
RAW_SUFFIXES = frozenset({".csv", ".txt", ".json", ".xz", ".gz", *WORKBOOK_SUFFIXES})


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
                    and not f.name.upper().startswith(("README", "PLANTED", "SHA256SUMS"))
                    and f.suffix.lower() in RAW_SUFFIXES
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
    validate: BatchValidate | None = None,
    workers: int | None = None,
) -> list[FileResult]:
    """Load every raw file below paths that is not loaded yet, each whole or not at all.

    Files are read (hashed, detected, parsed) by `workers` threads ahead of the merges, which
    run here in file order: one transaction per file, or per batch of consecutive files of a
    format with a `load_batch` hook (`validate` then judges each file of the batch).

    A file that cannot be read is logged as failed with a one-line reason and the others
    still load; with `validate`, a file failing a critical expectation is rejected likewise.
    """
    files = iter_raw_files(paths)
    registered_formats()  # import the format modules here, not in the reading threads
    loaded = frozenset(
        sha for (sha,) in con.execute(
            "select sha256 from load_log where status = 'loaded'"
        ).fetchall()
    )
    results: list[FileResult] = []
    early = getattr(validate, "early", None)
    reads = _read_ahead(files, loaded.__contains__, workers or READ_WORKERS, early)
    for group in _batches(reads):
        for result in _ingest_group(con, group, run_id, validate):
            results.append(result)
            if on_file:
                on_file(result)
    return results


# Files are hashed, detected and parsed by worker threads ahead of the merge (decompression,
# CSV parsing and numpy reshapes release the GIL) while the calling thread merges earlier
# files in DuckDB, in file order. Consecutive files of a format with a `load_batch` hook are
# merged BATCH_ROWS rows at a time in one transaction (each file is still whole or absent).
READ_WORKERS = max(1, min(4, os.cpu_count() or 1))
READ_AHEAD = 12  # files read ahead per worker (bounds memory)
BATCH_ROWS = 2_000_000
ALREADY_LOADED = "same bytes already loaded"
DOCUMENTATION = "documentation (no data format; README, notes, lists)"


@dataclass
class ReadFile:
    """A raw file read before its transaction: sha256, then format and parse (or the error)."""

    path: Path
    sha: str
    spec: FormatSpec | None = None
    parsed: ParsedFile | None = None
    error: RawFileError | None = None
    skipped: bool = False  # same bytes already loaded: not parsed
    early: Any = None  # the validator's early verdict (see BatchValidate)


def read_file(
    path: Path,
    is_loaded: Callable[[str], bool],
    early: Callable[[ParsedFile, Path], Any] | None = None,
) -> ReadFile:
    """Hash, detect and parse one file, and let the validator judge it early when its format
    needs no warehouse before validation; no warehouse access (safe in a worker thread)."""
    sha = sha256_of(path)
    if is_loaded(sha):
        return ReadFile(path, sha, skipped=True)
    try:
        try:
            spec = detect_format(path)  # a format may read workbooks itself (ledgers)
            parsed = spec.parse(path)
        except DocumentationFile:
            if not is_workbook(path):
                raise
            spec, parsed = read_workbook(path, registered_formats())
        read = ReadFile(path, sha, spec, parsed)
    except RawFileError as exc:
        return ReadFile(path, sha, error=exc)
    if early is not None and spec.prepare is None and read.parsed is not None:
        read.early = early(read.parsed, path)
    return read


def _read_ahead(
    files: list[Path],
    is_loaded: Callable[[str], bool],
    workers: int,
    early: Callable[[ParsedFile, Path], Any] | None = None,
) -> Iterator[ReadFile]:
    """read_file of every file, in order, computed up to workers * READ_AHEAD files ahead."""
    if workers <= 1 or len(files) <= 1:
        for path in files:
            yield read_file(path, is_loaded, early)
        return
    queue = iter(files)
    with ThreadPoolExecutor(workers, thread_name_prefix="envq-read") as pool:
        pending = deque(
            pool.submit(read_file, path, is_loaded, early)
            for path in islice(queue, workers * READ_AHEAD)
        )
        try:
            while pending:
                read = pending.popleft().result()
                following = next(queue, None)
                if following is not None:
                    pending.append(pool.submit(read_file, following, is_loaded, early))
                yield read
        finally:
            for future in pending:
                future.cancel()


def _batches(reads: Iterable[ReadFile]) -> Iterator[list[ReadFile]]:
    """Consecutive parsed files of one format with a load_batch hook, up to BATCH_ROWS rows;
    every other file on its own."""
    group: list[ReadFile] = []
    rows = 0
    for read in reads:
        spec, parsed = read.spec, read.parsed
        joins = parsed is not None and spec is not None and spec.load_batch is not None
        if group and (not joins or spec is not group[0].spec):
            yield group
            group, rows = [], 0
        if not joins or parsed is None:
            yield [read]
            continue
        group.append(read)
        rows += parsed.rows
        if rows >= BATCH_ROWS:
            yield group
            group, rows = [], 0
    if group:
        yield group


def _ingest_group(
    con: duckdb.DuckDBPyConnection,
    group: list[ReadFile],
    run_id: str | None,
    validate: BatchValidate | None,
) -> list[FileResult]:
    """One file alone, or a batch in one transaction; a failing batch is rolled back and its
    files are loaded one by one (so a bad file fails alone)."""
    if len(group) > 1:
        try:
            return _load_batch(con, group, run_id, validate)
        except Exception as exc:  # noqa: BLE001 - the whole batch rolls back
            try:
                con.execute("rollback")
            except duckdb.Error:
                pass  # the failure came before the transaction began
            log.warning("batch of %d files failed (%s); loading one by one", len(group), exc)
    return [ingest_file(con, r.path, run_id=run_id, validate=validate, read=r) for r in group]


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    group: list[ReadFile],
    run_id: str | None,
    validate: BatchValidate | None = None,
) -> list[FileResult]:
    spec = group[0].spec
    assert spec is not None and spec.load_batch is not None
    con.execute("begin transaction")
    results: list[FileResult | None] = []
    todo: list[tuple[int, ReadFile, ParsedFile]] = []
    seen: set[str] = set()
    for read in group:
        if read.sha in seen or already_loaded(con, read.sha) or read.parsed is None:
            results.append(FileResult(str(read.path), "skipped", message=ALREADY_LOADED))
            continue
        seen.add(read.sha)
        if spec.prepare is not None:
            spec.prepare(con, read.parsed)
        parsed = read.parsed
        if validate is not None:  # as in ingest_file; a rejected file joins no merge
            outcome = _judge(validate, parsed, read)
            if outcome.record is not None:
                outcome.record(con)
            if outcome.rejected:
                log.warning("%s: %s", read.path, outcome.message)
                _write_load_log(con, read.sha, read.path, parsed.format, 0, 0, "rejected",
                                outcome.message)
                results.append(FileResult(str(read.path), "rejected", parsed.format,
                                          message=outcome.message))
                continue
            parsed = outcome.parsed
        todo.append((len(results), read, parsed))
        results.append(None)
    loaded = spec.load_batch(con, [(parsed, str(read.path)) for _, read, parsed in todo], run_id)
    for (i, read, parsed), count in zip(todo, loaded, strict=True):
        quarantined = _insert_quarantine(con, parsed.quarantine, str(read.path), run_id)
        notes = "; ".join(parsed.notes)
        _write_load_log(con, read.sha, read.path, parsed.format, count, quarantined, "loaded",
                        notes)
        results[i] = FileResult(str(read.path), "loaded", parsed.format, count, quarantined, notes)
    con.execute("commit")
    return [r for r in results if r is not None]


def _judge(validate: BatchValidate, parsed: ParsedFile, read: ReadFile) -> BatchOutcome:
    """The validator's verdict, handing back its early verdict when it made one."""
    if read.early is not None:
        return validate(parsed, read.path, read.early)
    return validate(parsed, read.path)


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    run_id: str | None = None,
    validate: BatchValidate | None = None,
    read: ReadFile | None = None,
) -> FileResult:
    """Load one raw file atomically (or skip it when its bytes were loaded before).

    `validate` (optional) sees the parsed file after `prepare` and before the merge: a
    rejected file leaves every table as it was (load_log says 'rejected' and why).
    """
    if read is None:  # (ingest_paths reads files ahead in worker threads)
        read = read_file(path, lambda sha: already_loaded(con, sha))
    sha = read.sha
    if read.skipped or already_loaded(con, sha):
        return FileResult(str(path), "skipped", message=ALREADY_LOADED)
    if isinstance(read.error, DocumentationFile):
        log.info("%s: skipped (documentation)", path)
        return FileResult(str(path), "skipped", message=DOCUMENTATION)
    if read.error is not None or read.spec is None or read.parsed is None:
        exc = read.error or RawFileError(path, "unreadable")
        _log_failure(con, sha, path, None, exc.rule if not str(exc) else str(exc))
        return FileResult(str(path), "failed", message=str(exc))
    spec, parsed = read.spec, read.parsed
    try:
        con.execute("begin transaction")
        if spec.prepare is not None:
            spec.prepare(con, parsed)
        if validate is not None:
            outcome = _judge(validate, parsed, read)
            if outcome.rejected:
                con.execute("rollback")
                return _reject(con, sha, path, parsed.format, outcome)
            parsed = outcome.parsed
            if outcome.record is not None:
                outcome.record(con)
        loaded = (spec.load or load_parsed)(con, parsed, str(path), run_id)
        quarantined = _insert_quarantine(con, parsed.quarantine, str(path), run_id)
        _write_load_log(
            con, sha, path, parsed.format, loaded, quarantined, "loaded", "; ".join(parsed.notes)
        )
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
        rows = rows.drop_columns([c for c in PROVENANCE_COLUMNS if c in rows.column_names])
        if table == "stations":
            parsed.notes.extend(station_list_changes(con, rows))
        total += merge_rows(con, table, rows, source_file)
    return total


def data_kind_rank_sql(column: str) -> str:
    """The rank of a data_kind column as a SQL expression written from DATA_KIND_RANK (a kind
    not listed ranks lowest). column is a name from code, never user text."""
    whens = " ".join(f"when '{kind}' then {rank}" for kind, rank in DATA_KIND_RANK.items())
    return f"(case {column} {whens} else {min(DATA_KIND_RANK.values())} end)"


def merge_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, source_file: str) -> int:
    """Replace rows with the same key by the incoming ones; return the rows inserted.

    `table` and the column names come from TABLE_KEYS and the parser, never from user text.
    """
    keys = TABLE_KEYS[table]
    columns = [c for c in rows.column_names]
    con.register("incoming_rows", rows)
    try:
        table_columns = _table_columns(con, table)
        has_source = "source_file" in table_columns and "source_file" not in columns
        match = " and ".join(f"t.{k} = i.{k}" for k in keys)
        if table in REGISTRY_TABLES and "source" in table_columns:
            return _merge_registry(con, table, columns, keys)
        if table in REGISTRY_TABLES:
            # configured entries (source not a raw file) are never overwritten by a file
            con.execute(
                f"delete from {table} t using incoming_rows i where {match} "  # noqa: S608
                "and coalesce(t.registered, true) = false"
            )
        elif "data_kind" in columns:
            con.execute(
                f"delete from {table} t using incoming_rows i where {match} "  # noqa: S608
                f"and {data_kind_rank_sql('t.data_kind')} <= {data_kind_rank_sql('i.data_kind')}"
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


def _merge_registry(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], keys: tuple[str, ...]
) -> int:
    """Registry merge (see the module docstring): update replaceable rows, insert new codes.

    Replaceable: not configured (source <> 'config'), and either a placeholder
    (registered = false) or replaced by a listed row (registered = true).
    """
    match = " and ".join(f"t.{k} = i.{k}" for k in keys)
    incoming_listed = "coalesce(i.registered, true)" if "registered" in columns else "true"
    sets = ", ".join(
        f"{c} = coalesce(i.{c}, t.{c})" if c in REGISTRY_BLANK_DEFAULTS else f"{c} = i.{c}"
        for c in columns
        if c not in keys
    )
    updated = con.execute(
        f"update {table} t set {sets} from incoming_rows i where {match} "  # noqa: S608
        "and coalesce(t.source, '') <> 'config' "
        f"and (not coalesce(t.registered, true) or {incoming_listed})"
    ).fetchall()[0][0]
    insert_cols = ", ".join(columns)
    select_cols = ", ".join(
        f"coalesce(i.{c}, {REGISTRY_BLANK_DEFAULTS[c]})"
        if REGISTRY_BLANK_DEFAULTS.get(c)
        else f"i.{c}"
        for c in columns
    )
    inserted = con.execute(
        f"insert into {table} ({insert_cols}) select {select_cols} from incoming_rows i "  # noqa: S608
        f"where not exists (select 1 from {table} t where {match})"
    ).fetchall()[0][0]
    return updated + inserted


def station_list_changes(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> list[str]:
    """A note naming the stations whose coordinates an incoming list changes (list vs list)."""
    if "lon" not in rows.column_names or "lat" not in rows.column_names:
        return []
    from transforms.warehouse import read_sql

    con.register("incoming_stations", rows.select(["station_code", "lon", "lat"]))
    try:
        changed = con.execute(read_sql("ingest/station_list_changes")).fetchall()
    finally:
        con.unregister("incoming_stations")
    if not changed:
        return []
    examples = ", ".join(
        f"{code} {old_lon},{old_lat} -> {new_lon},{new_lat}"
        for code, old_lon, old_lat, new_lon, new_lat, _ in changed[:3]
    )
    message = (
        f"stations: {len(changed)} codes change coordinates from an earlier list "
        f"(the latest loaded wins), e.g. {examples}"
    )
    log.warning(message)
    return [message]


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


def _reject(
    con: duckdb.DuckDBPyConnection, sha: str, path: Path, fmt: str | None, outcome: BatchOutcome
) -> FileResult:
    """Record a rejected file (load_log and the validator's results) in one transaction."""
    log.warning("%s: %s", path, outcome.message)
    con.execute("begin transaction")
    try:
        _write_load_log(con, sha, path, fmt, 0, 0, "rejected", outcome.message)
        if outcome.record is not None:
            outcome.record(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return FileResult(str(path), "rejected", fmt, message=outcome.message)


def _log_failure(
    con: duckdb.DuckDBPyConnection, sha: str, path: Path, fmt: str | None, message: str
) -> None:
    log.error(message)
    _write_load_log(con, sha, path, fmt, 0, 0, "failed", message)
