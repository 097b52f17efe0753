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

from flows import stages
from flows.settings import load_settings
from flows.stages import Run, Stage, StageFailed, failure_reason, new_run_id

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
) -> dict[str, Any]:
    """Ingest new files, validate, rebuild the marts, publish, write the reports."""
    run = Run(load_settings(warehouse, raw), new_run_id(), as_of, edition, lang)
    call = _OneConnection()
    stages.walk(run, call, cleanup=call.close)
    run.summary.update(read_published_summary(run.settings.warehouse, as_of))
    return run.summary


def read_published_summary(published: Path, as_of: dt.date | None) -> dict[str, Any]:
    """Targets at risk and unregistered codes, read back from the published database."""
    from flows.targets_check import targets_check
    from transforms.warehouse import connect

    con = connect(published, read_only=True)
    try:
        lines, _ = targets_check(con, as_of, None)
        return {"targets_at_risk": lines, **stages.unregistered_counts(con)}
    finally:
        con.close()
