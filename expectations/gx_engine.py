"""Running envq's checks with Great Expectations (GX 1.x, pandas batches, ephemeral context).

GX is imported on first use only (it takes 3-4 s to import). GX's SQL data source would need
duckdb-engine, a SQLAlchemy dialect outside the pinned set (DEVELOPERS.md, "Dependencies"), so
batches are pandas frames converted from Arrow.
Each check becomes the GX expectation it names, with `meta` = {name, severity, action}, and
results are read back by that name (GX does not return them in suite order).
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa

from expectations.fast import skip_reason
from expectations.spec import Check, CheckResult

DATASOURCE = "envq_batches"


@cache
def context() -> Any:
    """The process's ephemeral GX context (no files, no network, no usage statistics)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    ctx.data_sources.add_pandas(DATASOURCE)
    return ctx


def expectation(check: Check) -> Any:
    """The GX expectation object of a check, tagged with its name, severity and action."""
    import great_expectations.expectations as gxe

    meta = {"name": check.name, "severity": check.severity, "action": check.action}
    if check.why:
        meta["why"] = check.why
    return getattr(gxe, check.gx_type)(**dict(check.kwargs), meta=meta)


def suite_of(name: str, checks: Sequence[Check]) -> Any:
    """A GX ExpectationSuite holding the checks (for Data Docs or export as JSON)."""
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=[expectation(c) for c in checks])


def run_checks(checks: Sequence[Check], frame: pa.Table, label: str) -> list[CheckResult]:
    """Validate one frame with GX (result format COMPLETE); one result per check, in order."""

    skipped = {c.name: skip_reason(c, frame) for c in checks}
    active = [c for c in checks if not skipped[c.name]]
    results = {
        c.name: CheckResult(c, True, frame.num_rows, 0, skipped=skipped[c.name])
        for c in checks
        if skipped[c.name]
    }
    if active:
        ctx = context()
        key = f"{label}-{uuid.uuid4().hex[:8]}"
        asset = ctx.data_sources.get(DATASOURCE).add_dataframe_asset(key)
        try:
            batch = asset.add_batch_definition_whole_dataframe(key).get_batch(
                batch_parameters={"dataframe": plain(frame).to_pandas()}
            )
            with warnings.catch_warnings():  # pandas' note on regex groups in GX's own code
                warnings.filterwarnings("ignore", "This pattern is interpreted as a regular")
                # Batch.validate, not ValidationDefinition.run: the results go to
                # validation_results, and GX's own result store only cost time (~2 s a run)
                outcome = batch.validate(
                    suite_of(key, active), result_format={"result_format": "COMPLETE"}
                )
        finally:
            ctx.data_sources.get(DATASOURCE).delete_asset(key)
        by_name = {c.name: c for c in active}
        for res in outcome.results:
            check = by_name[res.expectation_config.meta["name"]]
            results[check.name] = _result(check, res, frame.num_rows)
    return [results[c.name] for c in checks]


def plain(frame: pa.Table) -> pa.Table:
    """The frame with dictionary columns decoded (GX reads plain pandas columns)."""
    for i, f in enumerate(frame.schema):
        if pa.types.is_dictionary(f.type):
            frame = frame.set_column(i, f.name, frame.column(i).cast(f.type.value_type))
    return frame


def _result(check: Check, res: Any, rows: int) -> CheckResult:
    info = res.exception_info or {}
    if info.get("raised_exception"):
        message = str(info.get("exception_message", "GX raised an exception"))
        return CheckResult(check, False, rows, 0, observed=f"error: {message}")
    r = res.result or {}
    index = np.asarray(r.get("unexpected_index_list") or [], dtype=np.int64)
    return CheckResult(
        check,
        bool(res.success),
        int(r.get("element_count", rows) or rows),
        int(r.get("unexpected_count", 0) or 0),
        index,
        observed=r.get("observed_value"),
    )
