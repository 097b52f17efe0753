"""`envq run --no-prefect`: the nightly stages in order, in-process, without Prefect.

The same stage functions as the Prefect flow (flows/nightly.py), under the same writer's lock
and the same publication, but without the ~20 s start of Prefect's temporary API and without
retries or artifacts. For OS cron and for the crash-safety tests, which kill runs at random.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from flows import stages
from flows.publish import writing
from flows.settings import load_settings


class StageFailed(RuntimeError):
    """A stage of the run failed; the message names the stage and the reason in one line."""


def new_run_id() -> str:
    return dt.datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


def failure_reason(stage: str, exc: BaseException) -> str:
    """One line: which stage failed and why."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"failed at stage '{stage}': {type(exc).__name__}" + (f": {text}" if text else "")


def require_valid(validation: dict[str, Any]) -> dict[str, Any]:
    """The validation summary, or an error if a critical expectation failed (stops the run)."""
    if not validation.get("ok", True):
        raise RuntimeError(
            f"{validation.get('critical_failures')} critical expectation(s) failed; "
            "the published warehouse is left as it was"
        )
    return validation


def run_plainly(
    warehouse: str | None = None,
    raw: str | None = None,
    as_of: dt.date | None = None,
    edition: str | None = None,
    lang: str = "zh",
    home: str | None = None,
) -> dict[str, Any]:
    """Ingest new files, validate, rebuild the marts, publish, write the reports."""
    from reports.build import write_reports

    settings = load_settings(warehouse, raw, home)
    run_id = new_run_id()
    summary: dict[str, Any] = {"run_id": run_id, "warehouse": str(settings.warehouse)}
    stage = "start"
    try:
        with writing(settings.warehouse, settings.work_db) as con:
            stage = "sample"
            stages.ensure_sample(settings)
            if not settings.is_demo:
                stage = "raw"
                stages.check_raw(settings)
            stage = "configure"
            summary["configuration"] = stages.load_configuration(con, settings)
            stage = "ingest"
            summary["ingest"] = stages.ingest(con, [settings.raw], run_id)
            stage = "validate"
            loaded = summary["ingest"]["loaded_paths"]
            summary["validation"] = require_valid(stages.validate(con, run_id, settings, loaded))
            stage = "build"
            summary["build"] = stages.build(
                con, as_of, edition, incremental=True, progress_config=settings.progress_config
            )
            stage = "publish"  # on leaving the block: checkpoint, close, rename
        summary["published"] = str(settings.warehouse)
        stage = "report"
        paths = write_reports(settings.warehouse, settings.reports_dir, as_of=as_of, lang=lang)
        summary["reports"] = [str(p) for p in paths]
    except Exception as exc:
        raise StageFailed(failure_reason(stage, exc)) from exc
    summary.update(read_published_summary(settings.warehouse, as_of))
    return summary


def read_published_summary(published: Path, as_of: dt.date | None) -> dict[str, Any]:
    """Targets at risk and unregistered codes, read back from the published database."""
    from transforms.targets.progress import targets_check
    from transforms.warehouse import connect

    con = connect(published, read_only=True)
    try:
        lines, _ = targets_check(con, as_of, None)
        return {"targets_at_risk": lines, **stages.unregistered_counts(con)}
    finally:
        con.close()
