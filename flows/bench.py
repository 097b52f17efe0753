"""`envq bench`: the benchmark suite. Prints a table and writes JSON.

Steps, on the national synthetic year (`envq sample --stations N`, with its own configuration
from flows.bench_config so that every station belongs to a city and every city has
targets): generate it, ingest it into a fresh warehouse (wall time, rows/s, peak RSS, DuckDB's
typed read of the same files as the machine's baseline), validate the whole warehouse, rebuild
every mart, write every region's report; then the nightly increment: one more national day on
top of the loaded year, through the run's stages (flows.stages.RUN_STAGES, as the Prefect
flow walks them) without Prefect (its start-up is counted apart). With --real, the same ingest
on a folder of real files. Goals (what a bureau's night allows on 2 cores): nightly increment
< 30 s, full rebuild of a national year's marts < 60 s. Figures are measured, never asserted
by tests. Everything is written under the bench folder (default $ENVQ_BENCH_DIR, else
data/bench).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from flows import stages
from flows.settings import Settings

DEFAULT_BENCH_DIR = Path("data/bench")
YEAR_START = dt.date(2025, 1, 1)
REAL_BUILD_STEP = "build marts real (full rebuild)"
GOALS_S = {"build marts (full rebuild)": 60.0, "nightly increment (total)": 30.0}
REAL_GOALS_S = {REAL_BUILD_STEP: 30.0}  # with --real only
# validation may add at most 20 % to the real year's ingest time, so that checking every
# batch stays cheaper than the load it guards
VALIDATION_SHARE_GOAL = 0.20
REAL_VALIDATE_STEP = "validate real (run's validate stage)"


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def bench_dir_default() -> Path:
    return Path(os.environ.get("ENVQ_BENCH_DIR") or DEFAULT_BENCH_DIR)


def run_bench(
    real: str | None,
    out: str | None = None,
    stations: int = 1700,
    days: int = 365,
    bench_dir: Path | str | None = None,
    progress: bool = True,
) -> int:
    """Run the suite, write the JSON (default <bench_dir>/bench.json), print the table."""
    bench_dir = Path(bench_dir) if bench_dir else bench_dir_default()
    result = bench_suite(bench_dir, stations, days, real, progress)
    out_path = Path(out) if out else bench_dir / "bench.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print("\n".join(table_lines(result)))
    print(f"written {out_path}")
    return 0


def bench_suite(
    bench_dir: Path, stations: int, days: int, real: str | None = None, progress: bool = True
) -> dict[str, Any]:
    """Every step's figures, the goals and the machine (load average before and after)."""
    bench_dir.mkdir(parents=True, exist_ok=True)
    machine = {
        "cpus": os.cpu_count(),
        "load_avg_before": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }
    end = YEAR_START + dt.timedelta(days=days - 1)
    steps: list[dict[str, Any]] = []
    national = _generate(
        bench_dir / f"national_{stations}_{days}", YEAR_START, end, stations, steps, progress
    )
    settings = _configure(bench_dir, national, stations, days, end, steps)
    year_db = bench_dir / "national.duckdb"
    _remove_db(year_db)
    steps.append(_ingest_figures("national synthetic", [national / "air"], year_db, progress))
    steps += _year_steps(settings, year_db, end)
    steps += _nightly_steps(bench_dir, settings, year_db, stations, end + dt.timedelta(days=1))
    if real:
        steps += _real_steps(bench_dir, Path(real), progress)
        steps.append(real_build_step(Path(real), bench_dir / "real.duckdb"))
    machine["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    return {
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "stations": stations,
        "days": days,
        "machine": machine,
        "steps": steps,
        "goals": _goals(steps),
    }


def _generate(
    folder: Path,
    start: dt.date,
    end: dt.date,
    stations: int,
    steps: list[dict[str, Any]],
    progress: bool,
) -> Path:
    """Generate the national sample unless the folder already holds it (then reuse it)."""
    from flows.progress import Progress
    from transforms.sample.data import write_sample

    if (folder / "PLANTED.json").exists():
        steps.append({"step": "generate national sample", "reused": str(folder)})
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    with Progress("generate", (end - start).days + 1, unit="days") as bar:
        manifest, secs = _timed(
            write_sample,
            folder,
            start=start,
            end=end,
            national_stations=stations,
            on_day=lambda _: bar.advance(),
        )
    steps.append(
        {"step": "generate national sample", "wall_s": round(secs, 2), "files": manifest["n_files"]}
    )
    return folder


def _configure(
    bench_dir: Path,
    national: Path,
    stations: int,
    days: int,
    end: dt.date,
    steps: list[dict[str, Any]],
) -> Settings:
    """The national sample's configuration (one region per made-up city) and bench Settings."""
    from flows.bench_config import write_national_config

    config = bench_dir / f"config_{stations}_{days}"
    counts = write_national_config(national, config, range(YEAR_START.year, end.year + 2))
    steps.append({"step": "national configuration", **counts})
    return Settings(
        warehouse=bench_dir / "nightly.duckdb",
        raw=national / "air",
        config_dir=config,
        targets=config / "targets.yaml",
        reports_dir=bench_dir / "reports",
    )


def _ingest_figures(
    name: str, paths: list[Path], warehouse: Path, progress: bool, validate: bool = False
) -> dict[str, Any]:
    from flows.bench_ingest import bench_ingest
    from flows.progress import file_progress

    fig = bench_ingest(paths, warehouse, progress=file_progress if progress else None,
                       validate=validate, baseline=not validate)
    return {"step": f"ingest {name}", **fig}


def _real_steps(bench_dir: Path, real: Path, progress: bool) -> list[dict[str, Any]]:
    """The real files ingested bare, then as a run ingests them (the per-file gate) followed by
    the run's validation of the loaded days; the validation share (goal < 20 %):
    (gated ingest - bare ingest + validation) / bare ingest, all wall seconds."""
    steps = []
    for name, validate in (("real", False), ("real, gated as in a run", True)):
        db = bench_dir / ("real_gated.duckdb" if validate else "real.duckdb")
        _remove_db(db)
        steps.append(_ingest_figures(name, [real], db, progress, validate))
    bare, gated = steps
    validation = gated.pop("validation")
    extra = gated["wall_s"] - bare["wall_s"] + validation["warehouse_s"]
    steps.append({
        "step": REAL_VALIDATE_STEP,
        "wall_s": validation["warehouse_s"],
        **validation,
        "validation_share": round(extra / bare["wall_s"], 3) if bare["wall_s"] else None,
    })
    return steps


def real_build_step(real: Path, warehouse: Path) -> dict[str, Any]:
    """Every mart of the real files rebuilt from scratch (`envq build`), wall and CPU seconds.

    The station lists beside the files (a `stations` folder in or next to the real folder,
    as in cnemc_china_sites_2019/{xz,stations}) are loaded first with the registry, so that
    every station has its city: the build then computes every city of the country.
    """
    from flows.settings import load_settings
    from transforms.ingest.engine import ingest_paths
    from transforms.warehouse import connect

    lists = [p for p in (real / "stations", real.parent / "stations") if p.is_dir()]
    con = connect(warehouse)
    try:
        stages.load_configuration(con, load_settings(warehouse))
        if lists:
            ingest_paths(con, lists, run_id="bench-real-stations")
        cpu0, t0 = time.process_time(), time.perf_counter()
        marts = stages.build(con, None, None)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        cities = con.execute(read_cities_with_year_sql()).fetchall()[0][0]
        con.execute("checkpoint")
    finally:
        con.close()
    return {
        "step": REAL_BUILD_STEP,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "rows": sum(marts.values()),
        "cities_with_annual_value": cities,
        "station_lists": [str(p) for p in lists],
        "marts": marts,
    }


def read_cities_with_year_sql() -> str:
    """City-level regions with a composite index for some whole year (no dust deduction)."""
    return (
        "select count(distinct p.region_code) from air_region_period p "
        "join regions r using (region_code) where r.level = 'city' "
        "and p.period_type = 'year' and not p.dust_deducted and p.composite_index is not null"
    )


def _year_steps(settings: Settings, year_db: Path, end: dt.date) -> list[dict[str, Any]]:
    """Validate the whole year, rebuild every mart, write every region's report."""
    from transforms.warehouse import connect

    steps: list[dict[str, Any]] = []
    con = connect(year_db)
    try:
        counts, secs = _timed(stages.load_configuration, con, settings)
        steps.append({"step": "load configuration", "wall_s": round(secs, 2), **counts})
        summary, secs = _timed(stages.validate, con, "bench-year", settings)
        steps.append(
            {
                "step": "validate (whole warehouse)",
                "wall_s": round(secs, 2),
                "ok": summary["ok"],
                "warnings": summary["warnings"],
                "critical_failures": summary["critical_failures"],
            }
        )
        marts, secs = _timed(stages.build, con, None, None)
        regions = con.execute(
            "select count(distinct region_code) from air_city_daily where aqi is not null"
        ).fetchall()[0][0]
        steps.append(
            {
                "step": "build marts (full rebuild)",
                "wall_s": round(secs, 2),
                "rows": sum(marts.values()),
                "regions_with_air": regions,
                "marts": marts,
            }
        )
        con.execute("checkpoint")
    finally:
        con.close()
    steps.append(_report_step("report (every region)", year_db, settings.reports_dir / "year", end))
    return steps


def _report_step(name: str, warehouse: Path, out_dir: Path, as_of: dt.date) -> dict[str, Any]:
    """Time write_reports for all regions; an error is recorded, not raised (reports/ moves)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    t0 = time.perf_counter()
    try:
        from reports.build import write_reports

        paths = write_reports(warehouse, out_dir, as_of=as_of)
    except Exception as exc:  # noqa: BLE001 - the bench records what failed and goes on
        return {
            "step": name,
            "wall_s": round(time.perf_counter() - t0, 2),
            "error": f"{type(exc).__name__}: {exc}"[:300],
        }
    secs = time.perf_counter() - t0
    size = sum(Path(p).stat().st_size for p in paths if Path(p).exists())
    shutil.rmtree(out_dir, ignore_errors=True)  # hundreds of MB for a nation: measured, dropped
    return {
        "step": name,
        "wall_s": round(secs, 2),
        "files": len(paths),
        "output_mb": round(size / 1e6, 1),
    }


def _nightly_steps(
    bench_dir: Path, settings: Settings, year_db: Path, stations: int, day: dt.date
) -> list[dict[str, Any]]:
    """One more national day through the nightly stages, on a copy of the loaded year."""
    from transforms.sample.data import write_sample

    folder = bench_dir / f"national_{stations}_day_{day:%Y%m%d}"
    _, secs = _timed(write_sample, folder, start=day, end=day, national_stations=stations)
    steps: list[dict[str, Any]] = [{"step": "generate one more day", "wall_s": round(secs, 2)}]
    for db in (settings.warehouse, settings.work_db):  # last night's state: the year published
        _remove_db(db)
    shutil.copyfile(year_db, settings.warehouse)
    nightly = {
        "step": "nightly increment (total)",
        "day": day.isoformat(),
        "db_mb": round(year_db.stat().st_size / 1e6, 1),
    }
    total = 0.0
    for stage, figures in _nightly_stages(settings, folder / "air", day):
        total += figures["wall_s"]
        steps.append({"step": f"  nightly {stage}", **figures})
    nightly["wall_s"] = round(total, 2)
    steps.append(nightly)
    return steps


def _nightly_stages(settings: Settings, raw: Path, day: dt.date):
    """(stage, figures) of each stage of flows.stages.RUN_STAGES, as the Prefect flow runs them:
    each stage on the working database on its own connection (checkpointed before close); a
    failed report is recorded, not raised (the bench goes on)."""
    from flows.publish import open_working

    run = stages.Run(
        replace(settings, raw=raw, reports_dir=settings.reports_dir / "nightly"),
        f"bench-{day:%Y%m%d}",
    )
    figures: list[tuple[str, dict[str, Any]]] = []

    def call(stage: stages.Stage, run: stages.Run) -> Any:
        t0 = time.perf_counter()
        error = None
        if stage.on_db:
            con = open_working(run.settings.warehouse, run.settings.work_db)
            try:
                out = stage.fn(run, con)
                con.execute("checkpoint")
            finally:
                con.close()
        elif stage.name == "report":
            try:
                out = stage.fn(run, None)
            except Exception as exc:  # noqa: BLE001 - the bench records what failed and goes on
                out, error = [], f"{type(exc).__name__}: {exc}"[:300]
        else:
            out = stage.fn(run, None)
        wall = {"wall_s": round(time.perf_counter() - t0, 2)}
        extra = {"error": error} if error else _stage_figures(stage.name, out, run)
        figures.append((STAGE_LABELS.get(stage.name, stage.name), {**wall, **extra}))
        return out

    stages.walk(run, call)
    shutil.rmtree(run.settings.reports_dir, ignore_errors=True)
    return figures


STAGE_LABELS = {"start": "start (working copy)"}


def _stage_figures(name: str, out: Any, run: stages.Run) -> dict[str, Any]:
    """What the bench table shows of a nightly stage's summary."""
    if name == "ingest":
        return {
            "rows": out["rows_loaded"],
            "rows_quarantined": out["rows_quarantined"],
            "by_status": out["by_status"],
        }
    if name == "validate":
        return {"ok": out["ok"]}
    if name == "build":
        return {"rows": sum(out.values())}
    if name == "publish":
        return {"db_mb": round(run.settings.warehouse.stat().st_size / 1e6, 1)}
    if name == "report":
        size = sum(Path(p).stat().st_size for p in out if Path(p).exists())
        return {"files": len(out), "output_mb": round(size / 1e6, 1)}
    return {}


def _goals(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {s["step"]: s for s in steps}
    out = []
    real = {k: v for k, v in REAL_GOALS_S.items() if k in by_name}
    for name, limit in {**GOALS_S, **real}.items():
        measured = by_name.get(name, {}).get("wall_s")
        out.append(
            {
                "step": name,
                "limit_s": limit,
                "measured_s": measured,
                "met": measured is not None and measured < limit,
            }
        )
    share = by_name.get(REAL_VALIDATE_STEP, {}).get("validation_share")
    if share is not None:
        out.append({"step": "validation share of the real ingest", "limit": VALIDATION_SHARE_GOAL,
                    "measured": share, "met": share < VALIDATION_SHARE_GOAL})
    return out


def table_lines(result: dict[str, Any]) -> list[str]:
    """The human table: one line per step, then the goals and the machine's load."""
    lines = [
        f"{'step':32} {'wall s':>8} {'rows':>12} {'rows/s':>10} {'peak MB':>8} "
        f"{'typed read s':>12}  note"
    ]
    for r in result["steps"]:
        base = (r.get("baseline") or {}).get("duckdb_typed_read_s", "")
        note = r.get("error") or r.get("reused") or _note(r)
        lines.append(
            f"{r['step']:32} {_cell(r.get('wall_s')):>8} {_cell(r.get('rows')):>12} "
            f"{_cell(r.get('rows_per_s')):>10} {_cell(r.get('peak_rss_mb')):>8} "
            f"{_cell(base):>12}  {note}"
        )
    for g in result["goals"]:
        verdict = "met" if g["met"] else "NOT met"
        if "limit_s" in g:
            lines.append(
                f"goal: {g['step']} < {g['limit_s']:.0f} s: {g['measured_s']} s, {verdict}")
        else:
            lines.append(f"goal: {g['step']} < {g['limit']:.0%}: {g['measured']:.1%}, {verdict}")
    m = result["machine"]
    lines.append(
        f"machine: {m['cpus']} cpus, load average before {m['load_avg_before']}, "
        f"after {m['load_avg_after']}"
    )
    return lines


def _note(r: dict[str, Any]) -> str:
    keys = ("files", "cities", "regions_with_air", "output_mb", "db_mb", "ok", "by_status",
            "gate_reading_threads_s", "validation_share")
    return ", ".join(f"{k} {r[k]}" for k in keys if k in r)


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        if p.exists():
            p.unlink()
