"""`envq run --no-prefect`: the run's stages in order, in-process, without Prefect.

The same stages as the Prefect flow (flows.stages.RUN_STAGES, walked by flows.stages.walk),
under the same writer's lock and the same publication, but on one connection to the working
database and without the ~20 s start of Prefect's temporary API, retries or artifacts. For OS
cron and for the crash-safety tests, which kill runs at random.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from flows import alerts, stages
from flows.settings import load_settings
from flows.stages import (
    CriticalValidationFailure,
    Run,
    Stage,
    StageFailed,
    failure_reason,
    new_run_id,
)

__all__ = ["StageFailed", "failure_reason", "new_run_id", "read_published_summary", "run_plainly"]


class _OneConnection:
    """Runs each stage; the stages on the working database share one connection, which is
    checkpointed and closed before the first stage that is not (publish renames the file)."""

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None

    def __call__(self, stage: Stage, run: Run) -> Any:
        if not stage.on_db:
            self.close(checkpoint=True)
            return stage.fn(run, None)
        if self.con is None:
            from flows.publish import open_working

            self.con = open_working(run.settings.warehouse, run.settings.work_db)
        return stage.fn(run, self.con)

    def close(self, checkpoint: bool = False) -> None:
        if self.con is not None:
            con, self.con = self.con, None
            try:
                if checkpoint:
                    con.execute("checkpoint")
            finally:
                con.close()


def run_plainly(
    warehouse: str | None = None,
    raw: str | None = None,
    as_of: dt.date | None = None,
    edition: str | None = None,
    lang: str = "zh",
    home: str | None = None,
) -> dict[str, Any]:
    """Ingest new files, validate, rebuild the marts, publish, write the reports."""
    run = Run(load_settings(warehouse, raw, home), new_run_id(), as_of, edition, lang)
    call = _OneConnection()
    try:
        stages.walk(run, call, cleanup=call.close)
    except StageFailed as exc:
        alert_failed_run(run, exc)
        raise
    run.summary.update(read_published_summary(run.settings.warehouse, as_of))
    run.summary["alerts"] = alerts.alert_targets(run.settings, lang, as_of)
    return run.summary


def alert_failed_run(run: Run, exc: StageFailed) -> None:
    """Tell the bureau's channels that the run failed (critical: stopped by the checks)."""
    critical = isinstance(exc.__cause__, CriticalValidationFailure)
    alerts.alert_failure(run.settings, str(exc), run.run_id, critical, run.lang)


def read_published_summary(published: Path, as_of: dt.date | None) -> dict[str, Any]:
    """Targets at risk and unregistered codes, read back from the published database."""
    from flows.targets_check import ALERT_STATUSES, assessed, check_rows
    from transforms.as_of import DOMAINS, domain_as_of
    from transforms.targets.progress import progress_rows
    from transforms.warehouse import connect

    con = connect(published, read_only=True)
    try:
        rows = assessed(progress_rows(con, as_of, None))
        lines, _ = check_rows(rows, None)
        unregistered = stages.unregistered_counts(con)
        # one as-of per domain: each counts its days up to its own last data day
        dates = {d: domain_as_of(con, d, as_of).isoformat() for d in DOMAINS}
    finally:
        con.close()
    danger: list[dict[str, Any]] = []
    if not rows.empty:
        # the targets of targets_check's lines, in its order, for the summary in Chinese
        rank = {s: i for i, s in enumerate(ALERT_STATUSES)}
        rows = rows[rows["status"].isin(ALERT_STATUSES)].assign(_rank=rows["status"].map(rank))
        rows = rows.sort_values(["_rank", "region_code", "period", "indicator"])
        danger = rows.drop(columns="_rank").to_dict("records")
    return {
        "targets_at_risk": lines,
        "targets_in_danger": danger,
        "data_as_of": dates,
        **unregistered,
    }
