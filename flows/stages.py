"""The stages of a run as plain functions over a warehouse connection.

The CLI commands and the Prefect tasks both call these; they hold no domain logic, only the
order of calls into transforms/, expectations/ and reports/ and the summaries they return.
Domain modules are imported inside the functions so that `envq --help` starts fast.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from flows.settings import Settings, same_path

log = logging.getLogger("envq")


def ensure_sample(settings: Settings) -> Path | None:
    """Generate the bundled synthetic sample on first use of the demo home's raw folder.

    Only the demo home (the project's data/) ever gets the sample; in any other home an empty
    raw/ stays empty (check_raw says how to fill it).
    """
    sample = settings.home / "raw" / "sample"
    if not settings.is_demo or not same_path(settings.raw, settings.home / "raw"):
        return None
    if sample.exists() or has_raw_files(settings.raw):
        return None
    from transforms.sample.data import write_sample

    log.info("no raw files yet: generating the bundled synthetic sample in %s", sample)
    write_sample(sample)
    return sample


def has_raw_files(folder: Path) -> bool:
    """Any file (not hidden) below folder."""
    return folder.is_dir() and any(
        p.is_file() and not p.name.startswith(".") for p in folder.rglob("*")
    )


class EmptyRawFolder(RuntimeError):
    """A run in a bureau's workspace found no raw file and nothing loaded before."""


def raw_folder_hint(settings: Settings) -> str:
    """What to do about an empty raw folder, in one line."""
    return (
        f"{settings.raw} is empty: copy the CNEMC hourly files (china_sites_*.csv, .csv.xz) "
        f"into it, or load them from where they are with "
        f"`envq ingest --home {settings.home} FOLDER` (docs/own_data.md)"
    )


def check_raw(settings: Settings) -> bool:
    """False (with a warning) when raw/ holds no file; EmptyRawFolder when nothing was ever
    published either, since a run would then have nothing to compute."""
    if has_raw_files(settings.raw):
        return True
    if not settings.warehouse.exists():
        raise EmptyRawFolder(raw_folder_hint(settings))
    log.warning("%s", raw_folder_hint(settings))
    return False


def load_configuration(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    """Load the bureau's configuration (regions, stations, sections, dust days, targets)."""
    from transforms.ingest.formats.water_auto import load_section_config
    from transforms.ingest.registry import (
        load_ranking_lists,
        load_registry,
        load_station_config,
    )
    from transforms.ingest.targets_config import load_target_table, parse_targets

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
        table, not_set = parse_targets(settings.targets)
        counts["targets"] = load_target_table(con, table)
        if not_set:
            counts["targets_not_set"] = not_set
            log.info(
                "%s: %d targets not set yet (empty value): standard limits shown instead",
                settings.targets, not_set,
            )
    return counts


def load_dust_days(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Replace the bureau's sand-dust deduction flags from <home>/config/dust_days.csv."""
    con.execute(
        "create table if not exists air_dust_flags (region_code varchar, date date, note varchar)"
    )
    if not path.exists():
        return 0
    con.execute("delete from air_dust_flags")
    con.execute(
        "insert into air_dust_flags select region_code::varchar, date::date, note::varchar "
        "from read_csv(?, header = true, all_varchar = true)",
        [str(path)],
    )
    return con.execute("select count(*) from air_dust_flags").fetchall()[0][0]


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
) -> dict[str, Any]:
    """Run the expectation suites over what is loaded (nothing is loaded here).

    With loaded_paths (a nightly run), only the natural days those files touched are checked
    instead of the whole warehouse.
    """
    from expectations.run import loaded_days, validate_warehouse

    days = loaded_days(con, loaded_paths) if loaded_paths else None
    summary = validate_warehouse(con, run_id, settings.quality_dir, days=days)
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
    progress_config: Path | None = None,
) -> dict[str, int]:
    """Rebuild the marts from the core tables.

    incremental (the nightly run): the air marts rebuild only the natural days that the files
    loaded since the last build touched and the periods holding them, when the last build
    allows it (transforms/air/build_state.py); otherwise, and by default, everything.
    progress_config: the home's config/progress.yaml (defaults when absent).
    """
    from expectations.run import loaded_days
    from transforms.air.build_state import files_since_last_build
    from transforms.air.marts import build_air
    from transforms.rectification.marts import build_rectification
    from transforms.targets.config import load_progress_config
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
    config = load_progress_config(progress_config) if progress_config else None
    counts["target_progress"] = build_target_progress(con, as_of=as_of, config=config)
    return counts


def unregistered_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Codes seen in the data but in no station list or section registry."""
    ((stations, sections),) = con.execute(
        "select (select count(*) from stations where not registered), "
        "(select count(*) from water_sections where not registered)"
    ).fetchall()
    return {"unregistered_stations": stations, "unregistered_sections": sections}
