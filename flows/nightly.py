"""The nightly Prefect flow: flows.stages.RUN_STAGES, one Prefect task per stage.

Each stage on the working database opens its own connection in its task and returns a small
summary. Stages that touch files retry with back-off. The published database changes only in
the publish task, by an atomic rename, so a failed night leaves the last good state published.
"""

# No `from __future__ import annotations` here: the served flow is cloudpickled, and pickling
# keeps only the globals the function body uses, so string annotations such as "dt.date" could
# not be resolved when Prefect validates the parameters (NightlyModel is not fully defined).
import datetime as dt
import logging
import os
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows import alerts, stages
from flows.plain_run import alert_failed_run, read_published_summary
from flows.publish import open_working
from flows.settings import ENVQ_LOGGERS, load_settings
from flows.stages import RUN_STAGES, Run, Stage, StageFailed, new_run_id
from flows.summary import run_summary_markdown

RETRY_DELAYS = [float(s) for s in os.environ.get("ENVQ_RETRY_DELAYS", "2,10").split(",")]
# errors of the input itself (a bad line in targets.yaml, a malformed file): retrying the
# same input gives the same error, so the task fails once, with its line
NOT_RETRIED = (ValueError, LookupError, TypeError)


def worth_retrying(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry condition: retry what may pass next time (I/O, locks), not bad input."""
    return not isinstance(state.data, NOT_RETRIED)


def _show_envq_logs() -> None:
    """INFO lines of envq's loggers reach Prefect's handler (the worker's root is WARNING)."""
    for name in ENVQ_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def _on_work_db(run: Run, fn) -> Any:
    """fn(run, con) on a connection of its own to the working database."""
    con = open_working(run.settings.warehouse, run.settings.work_db)
    try:
        return fn(run, con)
    finally:
        con.close()


def _run_stage(stage: Stage, run: Run) -> Any:
    """One stage as its task runs it: on its own connection when on the working database."""
    if not stage.on_db:
        return stage.fn(run, None)
    if stage.name != "ingest":
        return _on_work_db(run, stage.fn)
    from flows.progress import Progress
    from transforms.ingest.engine import iter_raw_files

    total = len(iter_raw_files([run.settings.raw]))
    with Progress("ingest", total, logger=get_run_logger()) as bar:
        run.on_file = lambda _: bar.advance()
        try:
            return _on_work_db(run, stage.fn)
        finally:
            run.on_file = None


def _log_ingest(run: Run, summary: dict[str, Any]) -> None:
    logger = get_run_logger()
    logger.info(
        "ingest: %s files %s, %s rows loaded, %s cells quarantined",
        summary["files"],
        summary["by_status"],
        summary["rows_loaded"],
        summary["rows_quarantined"],
    )
    for failure in summary["failures"][:20]:
        logger.warning("%s", failure)


def _log_validation(run: Run, summary: dict[str, Any]) -> None:
    get_run_logger().info("validation: %s", summary)
    rows = _on_work_db(run, lambda r, con: stages.validation_artifact_rows(con, r.run_id))
    if rows:
        create_table_artifact(
            key="envq-validation", table=rows, description=f"quality checks of run {run.run_id}"
        )


def _log_reports(run: Run, paths: list[str]) -> None:
    get_run_logger().info("reports written: %d files in %s", len(paths), run.settings.reports_dir)


AFTER = {  # what a task logs (or records as an artifact) once its stage has run
    "configure": lambda run, out: get_run_logger().info("configuration loaded: %s", out),
    "ingest": _log_ingest,
    "validate": _log_validation,
    "build": lambda run, out: get_run_logger().info("marts rebuilt: %s", out),
    "publish": lambda run, out: get_run_logger().info("published %s", out),
    "report": _log_reports,
}


def _stage_task(stage: Stage):
    @task(
        name=stage.name,
        cache_policy=NO_CACHE,
        retries=2 if stage.retries else 0,
        retry_delay_seconds=RETRY_DELAYS,
        retry_condition_fn=worth_retrying,
    )
    def stage_task(run: Run) -> Any:
        out = _run_stage(stage, run)
        if stage.name in AFTER:
            AFTER[stage.name](run, out)
        return out

    stage_task.__doc__ = f"The run's {stage.name!r} stage (flows.stages.RUN_STAGES)."
    return stage_task


TASKS = {s.name: _stage_task(s) for s in RUN_STAGES}


def _call_task(stage: Stage, run: Run) -> Any:
    return TASKS[stage.name](run)


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
    _show_envq_logs()
    run = Run(load_settings(warehouse, raw, home), new_run_id(), as_of, edition, lang)
    try:
        stages.walk(run, _call_task)
    except StageFailed as exc:
        alert_failed_run(run, exc)
        reason = str(exc)
        create_markdown_artifact(
            key="envq-run-failure",
            markdown=f"# envq run failed\n\n{reason}\n",
            description=f"envq run {reason}",
        )
        raise
    run.summary.update(read_published_summary(run.settings.warehouse, as_of))
    run.summary["alerts"] = alerts.alert_targets(run.settings, lang, as_of)
    create_markdown_artifact(
        key="envq-run-summary",
        markdown=run_summary_markdown(run.summary, lang),
        description="envq nightly run summary",
    )
    return run.summary
