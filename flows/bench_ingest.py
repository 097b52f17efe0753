"""Benchmark of ingest_paths: a national year of files into a fresh warehouse.

Measures the ingest goal (at most 60 s and 4 GB for the 2019 CNEMC year on 2 cores):
wall time, values loaded, values per second and peak resident memory of `ingest_paths` into a
new DuckDB file, and, in the same run and on the same files, DuckDB's own `read_csv` with the
column types given (no sniffing) as the machine's baseline. The ingest runs in a fresh child
process (spawn) so that its peak memory (VmHWM) is its own, not the caller's.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import platform
import resource
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb

from transforms.ingest.engine import iter_raw_files
from transforms.ingest.raw_files import read_bytes

ProgressFactory = Callable[[str, int], Any]
BASELINE_FILES_PER_READ = 31  # DuckDB reads a month of files per read_csv call


def bench_ingest(
    paths: list[Path | str] | Path | str,
    warehouse_path: Path | str,
    *,
    baseline: bool = True,
    isolate: bool = True,
    progress: ProgressFactory | None = None,
    validate: bool = False,
) -> dict[str, Any]:
    """Ingest `paths` into a new warehouse at `warehouse_path`; return the figures.

    Keys: wall_s (connect, ingest_paths, close), cpu_s, rows (values loaded), rows_per_s,
    rows_quarantined, by_status (files per status), peak_rss_mb, table_rows, files, input_mb,
    warehouse_mb, cpus, duckdb, python, and baseline = duckdb_typed_read(files).
    warehouse_path must not exist yet (the benchmark never overwrites a warehouse).
    isolate=False runs in this process (peak memory is then this process's lifetime peak).
    progress(description, total) -> a context manager with advance(), called once per file (a
    module-level function, so that the spawned child can import it).
    validate=True ingests as `envq run` does (the per-file gate) and then validates the loaded
    days as the run's validate stage (no Data Docs): key
    `validation` holds the gate's thread seconds and the validation's wall and per-check times.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    warehouse_path = Path(warehouse_path)
    if warehouse_path.exists():
        raise FileExistsError(f"{warehouse_path}: the benchmark needs a fresh warehouse path")
    files = iter_raw_files(paths)
    if isolate:
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        child = ctx.Process(
            target=_ingest_child,
            args=([str(p) for p in paths], str(warehouse_path), queue, progress, validate),
        )
        child.start()
        figures = queue.get()
        child.join()
    else:
        figures = _run_ingest([str(p) for p in paths], str(warehouse_path), progress, validate)
    figures.update(
        files=len(files),
        input_mb=round(sum(f.stat().st_size for f in files) / 1e6, 1),
        warehouse_mb=round(_size(warehouse_path) / 1e6, 1),
        rows_per_s=round(figures["rows"] / figures["wall_s"]) if figures["wall_s"] else None,
        cpus=os.cpu_count(),
        duckdb=duckdb.__version__,
        python=platform.python_version(),
    )
    if baseline:
        figures["baseline"] = duckdb_typed_read(files)
    return figures


def _ingest_child(
    paths: list[str],
    warehouse: str,
    queue: Any,
    progress: ProgressFactory | None,
    validate: bool = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    queue.put(_run_ingest(paths, warehouse, progress, validate))


def _run_ingest(
    paths: list[str],
    warehouse: str,
    progress: ProgressFactory | None = None,
    validate: bool = False,
) -> dict[str, Any]:
    from transforms.ingest.engine import ingest_paths
    from transforms.warehouse import connect

    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    con = connect(warehouse)
    validator = None
    if validate:  # as flows.stages.ingest
        from expectations.batch import make_batch_validator

        validator = make_batch_validator(con, "bench")
    if progress is None:
        results = ingest_paths(con, paths, validate=validator)
    else:
        with progress("ingest", len(iter_raw_files(paths))) as bar:
            results = ingest_paths(con, paths, on_file=lambda _: bar.advance(),
                                   validate=validator)
    tables = _table_rows(con)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    peak = peak_rss_bytes()  # the ingest's own peak (before the validation)
    validation = None
    if validator is not None:
        loaded = [r.path for r in results if r.status == "loaded"]
        validation = _validation_figures(con, validator, loaded)
    con.close()
    status: dict[str, int] = defaultdict(int)
    for r in results:
        status[r.status] += 1
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime, 1),
        "rows": sum(r.rows_loaded for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
        "by_status": dict(status),
        "peak_rss_mb": round(peak / 1e6),
        "table_rows": tables,
        **({"validation": validation} if validation is not None else {}),
    }


def _validation_figures(
    con: duckdb.DuckDBPyConnection, validator: Any, loaded: list[str]
) -> dict[str, Any]:
    """Validate the days the gated ingest loaded, as the run's validate stage (flows.stages
    .validate, without Data Docs); the gate's and the validation's figures."""
    from expectations.run import validate_warehouse
    from transforms.air.build_state import loaded_days

    start = time.perf_counter()
    summary = validate_warehouse(con, "bench", None, days=loaded_days(con, loaded))
    return {
        "gate_reading_threads_s": round(validator.early_seconds, 2),
        "gate_merge_thread_s": round(validator.seconds, 2),
        "files_judged_early": validator.files_judged_early,
        "files_rejected": len(validator.rejected),
        "warehouse_s": round(time.perf_counter() - start, 2),
        "warehouse_timings_s": {k: round(v, 2) for k, v in summary.timings.items()},
        "failed": {f"{r.suite}.{r.expectation}": r.unexpected_count
                   for r in summary.rows if not r.success},
    }


def _table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = (
        "air_station_hourly",
        "air_station_published_wide",
        "air_city_hourly_published",
        "quarantine",
        "load_log",
        "stations",
    )
    present = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    return {
        name: con.execute(f"select count(*) from {name}").fetchall()[0][0]  # noqa: S608
        for name in names
        if name in present
    }


def peak_rss_bytes() -> int:
    """This process's peak resident set (VmHWM from /proc, else getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def duckdb_typed_read(files: list[Path]) -> dict[str, Any]:
    """DuckDB's read_csv of the same files with every column's type given (no sniffing).

    Compressed files are first decompressed to a temporary folder (timed apart: DuckDB reads
    no .xz); then the files with the same header are read BASELINE_FILES_PER_READ at a time,
    summing every value column so that every cell is parsed and converted.
    """
    with tempfile.TemporaryDirectory(prefix="envq-bench-") as tmp:
        start = time.perf_counter()
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            plain = list(pool.map(lambda f: _plain_copy(f, Path(tmp)), files))
        decompress = time.perf_counter() - start
        uncompressed = sum(f.stat().st_size for f in plain)
        groups: dict[tuple[str, ...], list[Path]] = defaultdict(list)
        for f in plain:
            with open(f, "rb") as fh:
                header = fh.readline().decode("utf-8-sig", errors="replace").strip()
            groups[tuple(header.split(","))].append(f)
        con = duckdb.connect()
        con.execute("set enable_progress_bar = false")  # DuckDB's own bar: noise in the logs
        start = time.perf_counter()
        rows = 0
        for header, group in groups.items():
            names = [f"{n}_{i}" if n in header[:i] else n for i, n in enumerate(header)]
            columns = dict.fromkeys(names, "DOUBLE")  # (a name given twice made unique)
            columns.update(date="VARCHAR", hour="INTEGER", type="VARCHAR")
            for i in range(0, len(group), BASELINE_FILES_PER_READ):
                part = [str(f) for f in group[i : i + BASELINE_FILES_PER_READ]]
                rows += con.execute(
                    # the sums make DuckDB parse and convert every cell, nothing more
                    "select count(*), sum(columns(* exclude (date, hour, type))) from read_csv("
                    "$files, columns = $columns, header = true, auto_detect = false, "
                    "delim = ',', null_padding = true, ignore_errors = true)",
                    {"files": part, "columns": columns},
                ).fetchall()[0][0]
        typed = time.perf_counter() - start
        con.close()
    return {
        "decompress_s": round(decompress, 3),
        "duckdb_typed_read_s": round(typed, 3),
        "rows_read": rows,
        "uncompressed_mb": round(uncompressed / 1e6, 1),
    }


def _plain_copy(path: Path, folder: Path) -> Path:
    out = folder / path.name.removesuffix(".xz").removesuffix(".gz")
    if path.suffix in (".xz", ".gz"):
        out.write_bytes(read_bytes(path))
    else:
        shutil.copyfile(path, out)
    return out


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}.wal")) if p.exists())
