"""The nightly Prefect flow: configure -> ingest -> validate -> build -> publish -> report.

Each stage is a task that opens the working database, calls flows.stages and returns a small
summary. Stages that touch files retry with back-off. The published database changes only in
the publish task, by an atomic rename, so a failed night leaves the last good state published.
"""

# No `from __future__ import annotations` here: the served flow is cloudpickled, and pickling
# keeps only the globals the function body uses, so string annotations such as "dt.date" could
# not be resolved when Prefect validates the parameters (NightlyModel is not fully defined).
import datetime as dt
import os
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows import stages
from flows.plain_run import (
    StageFailed,
    failure_reason,
    new_run_id,
    read_published_summary,
    require_valid,
)
from flows.publish import open_working, publish, start_working, writer_lock
from flows.settings import Settings, load_settings
from flows.summary import run_summary_markdown

RETRY_DELAYS = [float(s) for s in os.environ.get("ENVQ_RETRY_DELAYS", "2,10").split(",")]


def _with_work_db(settings: Settings, fn, *args: Any) -> Any:
    con = open_working(settings.warehouse, settings.work_db)
    try:
        return fn(con, *args)
    finally:
        con.close()


@task(name="configure", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=RETRY_DELAYS)
def configure_task(settings: Settings) -> dict[str, int]:
    """Load regions, stations, sections, dust days and targets from the home's config."""
    counts = _with_work_db(settings, stages.load_configuration, settings)
    get_run_logger().info("configuration loaded: %s", counts)
    return counts


@task(name="ingest", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=RETRY_DELAYS)
def ingest_task(settings: Settings, run_id: str) -> dict[str, Any]:
    """Load the raw files not loaded yet (idempotent: same bytes are skipped)."""
    from flows.progress import Progress
    from transforms.ingest.engine import iter_raw_files

    logger = get_run_logger()
    with Progress("ingest", len(iter_raw_files([settings.raw])), logger=logger) as bar:
        summary = _with_work_db(
            settings, stages.ingest, [settings.raw], run_id, True, lambda _: bar.advance()
        )
    logger.info(
        "ingest: %s files %s, %s rows loaded, %s cells quarantined",
        summary["files"],
        summary["by_status"],
        summary["rows_loaded"],
        summary["rows_quarantined"],
    )
    for failure in summary["failures"][:20]:
        logger.warning("%s", failure)
    return summary


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(settings: Settings, run_id: str, loaded_paths: list[str]) -> dict[str, Any]:
    """Run the quality suites on the days the new files touched; write Data Docs."""

    def run(con):
        summary = stages.validate(con, run_id, settings, loaded_paths)
        return summary, stages.validation_artifact_rows(con, run_id)

    summary, rows = _with_work_db(settings, run)
    get_run_logger().info("validation: %s", summary)
    if rows:
        create_table_artifact(
            key="envq-validation", table=rows, description=f"quality checks of run {run_id}"
        )
    return summary


@task(name="build", cache_policy=NO_CACHE)
def build_task(settings: Settings, as_of: dt.date | None, edition: str | None) -> dict[str, int]:
    """Rebuild the marts (air, water, target progress) from the core tables."""
    counts = _with_work_db(
        settings, stages.build, as_of, edition, True, settings.progress_config
    )
    get_run_logger().info("marts rebuilt: %s", counts)
    return counts


@task(name="publish", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=RETRY_DELAYS)
def publish_task(settings: Settings) -> str:
    """Swap the working database in as the published one (atomic rename)."""
    publish(settings.work_db, settings.warehouse)
    get_run_logger().info("published %s", settings.warehouse)
    return str(settings.warehouse)


@task(name="report", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=RETRY_DELAYS)
def report_task(settings: Settings, as_of: dt.date | None, lang: str) -> list[str]:
    """Write the target-gap reports (HTML and xlsx) from the published database."""
    from reports.build import write_reports

    paths = write_reports(settings.warehouse, settings.reports_dir, as_of=as_of, lang=lang)
    get_run_logger().info("reports written: %d files in %s", len(paths), settings.reports_dir)
    return [str(p) for p in paths]


@flow(name="envq-nightly", log_prints=True)
def nightly(
    warehouse: str | None = None,
    raw: str | None = None,
    as_of: dt.date | None = None,
    edition: str | None = None,
    lang: str = "zh",
    home: str | None = None,
) -> dict[str, Any]:
    """Ingest new files, validate, rebuild the marts, publish, write the reports."""
    settings = load_settings(warehouse, raw, home)
    run_id = new_run_id()
    summary: dict[str, Any] = {"run_id": run_id, "warehouse": str(settings.warehouse)}
    stage = "start"
    try:
        with writer_lock(settings.work_db):
            start_working(settings.warehouse, settings.work_db)
            stage = "sample"
            stages.ensure_sample(settings)
            if not settings.is_demo:
                stage = "raw"
                stages.check_raw(settings)
            stage = "configure"
            summary["configuration"] = configure_task(settings)
            stage = "ingest"
            summary["ingest"] = ingest_task(settings, run_id)
            stage = "validate"
            loaded = summary["ingest"]["loaded_paths"]
            summary["validation"] = require_valid(validate_task(settings, run_id, loaded))
            stage = "build"
            summary["build"] = build_task(settings, as_of, edition)
            stage = "publish"
            summary["published"] = publish_task(settings)
        stage = "report"
        summary["reports"] = report_task(settings, as_of, lang)
    except Exception as exc:
        reason = failure_reason(stage, exc)
        create_markdown_artifact(
            key="envq-run-failure",
            markdown=f"# envq run failed\n\n{reason}\n",
            description=f"envq run {reason}",
        )
        raise StageFailed(reason) from exc
    summary.update(read_published_summary(settings.warehouse, as_of))
    create_markdown_artifact(
        key="envq-run-summary",
        markdown=run_summary_markdown(summary),
        description="envq nightly run summary",
    )
    return summary
