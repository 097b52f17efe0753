"""`envq bench`: the benchmark suite. Prints a table and writes JSON.

Steps: generate the national synthetic year (`envq sample --stations N`), ingest it into a
fresh warehouse (wall time, rows/s, peak RSS of the ingest process, DuckDB's typed read of
the same files as the machine's baseline), validate it, rebuild its marts; with --real, the
same ingest on a folder of real files. Figures are measured, never asserted by tests.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path("data/bench")


def _timed(fn, *args, **kwargs) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def _ingest_figures(name: str, paths: list[Path], warehouse: Path) -> dict[str, Any]:
    from transforms.bench_ingest import bench_ingest

    if warehouse.exists():
        warehouse.unlink()
    fig = bench_ingest(paths, warehouse)
    return {"step": f"ingest {name}", **fig}


def run_bench(real: str | None, out: str, stations: int, days: int) -> int:
    from flows import stages
    from flows.settings import load_settings
    from transforms.sample_data import write_sample
    from transforms.warehouse import connect

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    national = BENCH_DIR / f"national_{stations}_{days}"
    start = dt.date(2025, 1, 1)
    if not (national / "PLANTED.json").exists():
        shutil.rmtree(national, ignore_errors=True)
        _, secs = _timed(
            write_sample,
            national,
            start=start,
            end=start + dt.timedelta(days=days - 1),
            national_stations=stations,
        )
        results.append({"step": "generate national sample", "wall_s": round(secs, 1)})
    wh = BENCH_DIR / "national.duckdb"
    results.append(_ingest_figures("national synthetic", [national / "air"], wh))

    settings = load_settings(wh)
    con = connect(wh)
    try:
        stages.load_configuration(con, settings)
        summary, secs = _timed(stages.validate, con, "bench", settings)
        results.append(
            {"step": "validate (whole warehouse)", "wall_s": round(secs, 1), "ok": summary["ok"]}
        )
        counts, secs = _timed(stages.build, con, None, None)
        results.append(
            {"step": "build marts", "wall_s": round(secs, 1), "rows": sum(counts.values())}
        )
    finally:
        con.close()
    if real:
        results.append(_ingest_figures("real", [Path(real)], BENCH_DIR / "real.duckdb"))

    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(
        f"{'step':32} {'wall s':>8} {'rows':>14} {'rows/s':>12} {'peak MB':>8} {'typed read s':>12}"
    )
    for r in results:
        base = (r.get("baseline") or {}).get("duckdb_typed_read_s", "")
        print(
            f"{r['step']:32} {r.get('wall_s', ''):>8} {r.get('rows', ''):>14} "
            f"{r.get('rows_per_s', ''):>12} {r.get('peak_rss_mb', ''):>8} {base:>12}"
        )
    print(f"written {out}")
    return 0
