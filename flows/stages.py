"""The stages of a run as plain functions over a warehouse connection, and the run order.

The CLI commands call the functions; RUN_STAGES is the one list of a run's stages that the
Prefect flow (flows/nightly.py), the plain run (flows/plain_run.py) and the bench
(flows/bench.py) all walk through `walk`, each with its own way of calling a stage. They hold
no domain logic, only the order of calls into transforms/, expectations/ and reports/ and the
summaries they return. Domain modules are imported inside the functions so that `envq --help`
starts fast.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from flows.settings import DEFAULT_RAW, SAMPLE_DIR, Settings

log = logging.getLogger("envq")


def ensure_sample(settings: Settings) -> Path | None:
    """Generate the bundled synthetic sample on first use of the default raw folder."""
    if settings.raw != DEFAULT_RAW or SAMPLE_DIR.exists():
        return None
    has_files = any(p.is_file() and not p.name.startswith(".") for p in settings.raw.rglob("*"))
    if has_files:
        return None
    from transforms.sample.data import write_sample

    log.info("no raw files yet: generating the bundled synthetic sample in %s", SAMPLE_DIR)
    write_sample(SAMPLE_DIR)
    return SAMPLE_DIR


def load_configuration(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    """Load the bureau's configuration (regions, stations, sections, dust days, targets)."""
    from transforms.ingest.formats.water_auto import load_section_config
    from transforms.ingest.registry import (
        load_dust_days,
        load_ranking_lists,
        load_registry,
        load_station_config,
    )
    from transforms.ingest.targets_config import load_targets

    cfg = settings.config_dir
    counts: dict[str, int] = {}
    # the national divisions, with the bureau's regions.csv added and winning
    counts["regions"] = load_registry(con, cfg / "regions.csv")
    counts["ranking_lists"] = load_ranking_lists(con, cfg / "ranking_lists.csv")
    if (cfg / "stations.csv").exists():
        counts["stations"] = load_station_config(con, cfg / "stations.csv")
    if (cfg / "water_sections.csv").exists():
        counts["water_sections"] = load_section_config(con, cfg / "water_sections.csv")
    counts["dust_days"] = load_dust_days(con, cfg / "dust_days.csv")
    if settings.targets.exists():
        counts["targets"] = load_targets(con, settings.targets)
    return counts


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    run_id: str,
    validate: bool = True,
    on_file: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Load every new raw file below paths; summarise files, rows and quarantine."""
    from expectations.run import make_batch_validator
    from transforms.ingest.engine import ingest_paths

    validator = make_batch_validator(con, run_id) if validate else None
    results = ingest_paths(con, paths, run_id=run_id, on_file=on_file, validate=validator)
    by_status: dict[str, int] = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    reasons = con.execute(
        "select reason, count(*) as n from quarantine where run_id = ? "
        "group by reason order by n desc, reason",
        [run_id],
    ).fetchall()
    return {
        "quarantine_by_reason": dict(reasons),
        "files": len(results),
        "by_status": by_status,
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
        "failures": [r.message for r in results if r.status in ("failed", "rejected")],
        "loaded_paths": [r.path for r in results if r.status == "loaded"],
        "unassigned_stations": unassigned_stations(con),
    }


def unassigned_stations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per listed station without a region (configured stations excepted): code,
    name and why (stations.region_note)."""
    rows = con.execute(
        "select station_code, coalesce(station_name, ''), coalesce(region_note, 'no city name') "
        "from stations where registered and region_code is null "
        "and coalesce(source, '') <> 'config' order by station_code"
    ).fetchall()
    return [f"{code} {name}: {note}" for code, name, note in rows]


def validate(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    settings: Settings,
    loaded_paths: list[str] | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """Run the expectation suites over what is loaded (nothing is loaded here); the Data Docs
    page is written in lang.

    With loaded_paths (a nightly run), only the natural days those files touched are checked
    instead of the whole warehouse.
    """
    from expectations.run import validate_warehouse
    from transforms.air.build_state import loaded_days

    days = loaded_days(con, loaded_paths) if loaded_paths else None
    summary = validate_warehouse(con, run_id, settings.quality_dir, days=days, lang=lang)
    return {
        "ok": summary.ok,
        "critical_failures": len(summary.critical_failures),
        "warnings": len(summary.warnings),
        "docs": str(summary.docs_path),
    }


def validation_artifact_rows(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """One row per expectation of the run, failures first (for the Prefect table artifact)."""
    from expectations.results import artifact_rows

    return artifact_rows(con, run_id)


def build(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | None,
    edition: str | None,
    incremental: bool = False,
) -> dict[str, int]:
    """Rebuild the marts from the core tables.

    incremental (the nightly run): the air marts rebuild only the natural days that the files
    loaded since the last build touched and the periods holding them, when the last build
    allows it (transforms/air/build_state.py); otherwise, and by default, everything.
    """
    from transforms.air.build_state import files_since_last_build, loaded_days
    from transforms.air.marts import build_air
    from transforms.rectification.marts import build_rectification
    from transforms.targets.progress import build_target_progress
    from transforms.water.marts import build_water_marts

    new_files = files_since_last_build(con) if incremental else None
    touched = loaded_days(con, new_files) if new_files else None
    air = build_air(con, as_of, edition, touched, incremental=new_files is not None)
    if air.scope is None:
        log.info("air marts: full build")
    else:
        log.info("air marts: increment, days %s, periods %s", air.days, air.scope)
    counts: dict[str, int] = dict(air.counts)
    counts.update(build_water_marts(con, as_of=as_of))
    counts["rectification_problems"] = build_rectification(con)
    counts["target_progress"] = build_target_progress(con, as_of=as_of)
    return counts


def unregistered_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Codes seen in the data but in no station list or section registry."""
    ((stations, sections),) = con.execute(
        "select (select count(*) from stations where not registered), "
        "(select count(*) from water_sections where not registered)"
    ).fetchall()
    return {"unregistered_stations": stations, "unregistered_sections": sections}


# --- the run: one list of stages that the Prefect flow, the plain run and the bench all walk ---


class StageFailed(RuntimeError):
    """A stage of the run failed; the message names the stage and the reason in one line."""


class CriticalValidationFailure(RuntimeError):
    """A critical expectation failed: the run stops before publishing."""


def new_run_id() -> str:
    """A run id that starts with the bureau's local time (not the server's)."""
    from transforms.clock import bureau_now

    return bureau_now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


def failure_reason(stage: str, exc: BaseException) -> str:
    """One line: which stage failed and why."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"failed at stage '{stage}': {type(exc).__name__}" + (f": {text}" if text else "")


def require_valid(validation: dict[str, Any]) -> dict[str, Any]:
    """The validation summary, or an error if a critical expectation failed (stops the run)."""
    if not validation.get("ok", True):
        raise CriticalValidationFailure(
            f"{validation.get('critical_failures')} critical expectation(s) failed; "
            "the published warehouse is left as it was"
        )
    return validation


@dataclass
class Run:
    """One run's parameters and the summaries its stages returned so far (keyed by Stage.key)."""

    settings: Settings
    run_id: str
    as_of: dt.date | None = None
    edition: str | None = None
    lang: str = "zh"
    summary: dict[str, Any] = field(default_factory=dict)
    on_file: Callable[[Any], None] | None = None  # called once per raw file ingested


Con = duckdb.DuckDBPyConnection | None


@dataclass(frozen=True)
class Stage:
    """One step of the run: fn(run, con), con being the working database when on_db, else None.

    writes: the stage belongs to the writer's part, under the lock on the working copy (the
    stages after it read the published database). retries: it touches files, so the Prefect
    task retries it with back-off.
    """

    name: str
    key: str | None
    fn: Callable[[Run, Con], Any]
    on_db: bool = False
    writes: bool = True
    retries: bool = False


def _start(run: Run, con: Con) -> None:
    from flows.publish import start_working

    start_working(run.settings.warehouse, run.settings.work_db)


def _sample(run: Run, con: Con) -> None:
    ensure_sample(run.settings)


def _configure(run: Run, con: Con) -> dict[str, int]:
    assert con is not None
    return load_configuration(con, run.settings)


def _ingest(run: Run, con: Con) -> dict[str, Any]:
    assert con is not None
    return ingest(con, [run.settings.raw], run.run_id, True, run.on_file)


def _validate(run: Run, con: Con) -> dict[str, Any]:
    assert con is not None
    loaded = run.summary["ingest"]["loaded_paths"]
    return require_valid(validate(con, run.run_id, run.settings, loaded, run.lang))


def _build(run: Run, con: Con) -> dict[str, int]:
    assert con is not None
    return build(con, run.as_of, run.edition, incremental=True)


def _publish(run: Run, con: Con) -> str:
    from flows.publish import publish

    publish(run.settings.work_db, run.settings.warehouse)
    return str(run.settings.warehouse)


def _report(run: Run, con: Con) -> list[str]:
    from reports.build import write_reports

    s = run.settings
    paths = write_reports(s.warehouse, s.reports_dir, as_of=run.as_of, lang=run.lang)
    return [str(p) for p in paths]


RUN_STAGES: tuple[Stage, ...] = (
    Stage("start", None, _start),  # a fresh working copy of the published database
    Stage("sample", None, _sample),
    Stage("configure", "configuration", _configure, on_db=True, retries=True),
    Stage("ingest", "ingest", _ingest, on_db=True, retries=True),
    Stage("validate", "validation", _validate, on_db=True),
    Stage("build", "build", _build, on_db=True),
    Stage("publish", "published", _publish, retries=True),  # atomic rename of the closed copy
    Stage("report", "reports", _report, writes=False, retries=True),
)


def walk(
    run: Run, call: Callable[[Stage, Run], Any], cleanup: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Walk RUN_STAGES in order; call(stage, run) runs one stage and returns its summary.

    The writing stages run under the writer's lock, which is released once published (after
    cleanup, say closing a connection, has run); a failure raises StageFailed naming the
    stage and leaves the published database as it was.
    """
    run.summary.setdefault("run_id", run.run_id)
    run.summary.setdefault("warehouse", str(run.settings.warehouse))
    name = "start"
    try:
        with ExitStack() as locked:
            from flows.publish import writer_lock

            locked.enter_context(writer_lock(run.settings.work_db))
            if cleanup is not None:
                locked.callback(cleanup)
            for stage in RUN_STAGES:
                name = stage.name
                if not stage.writes:
                    locked.close()
                result = call(stage, run)
                if stage.key:
                    run.summary[stage.key] = result
    except Exception as exc:
        raise StageFailed(failure_reason(name, exc)) from exc
    return run.summary
