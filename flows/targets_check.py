"""`envq targets check`: the targets at risk as terminal lines, and the command's exit code.

The figures come from transforms.targets.progress (progress_rows); this module only words
them for the terminal and decides the exit code, which belong to the CLI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from transforms.indicators import STATUSES, label
from transforms.targets.config import ProgressConfig
from transforms.targets.progress import is_missing, progress_rows
from transforms.targets.standard_limits import BASIS_STANDARD

ALERT_STATUSES = ("cannot_be_met", "not_met", "off_track", "at_risk")
FAIL_STATUSES = {
    "off_track": ("cannot_be_met", "not_met", "off_track"),
    "at_risk": ("cannot_be_met", "not_met", "off_track", "at_risk"),
}
EXIT_TARGETS_FAILING = 3


def targets_check(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | None,
    fail_on: str | None,
    config: ProgressConfig | None = None,
) -> tuple[list[str], int]:
    """One line per target of as_of's year that is at risk, off track, lost or missed (worst
    first), then the targets that cannot be evaluated (standard limits shown in place of
    missing targets are not targets and are left out); and the exit code: 0, or 3 when
    fail_on is 'off_track' (or 'at_risk') and a target is off track or worse (at risk or
    worse). as_of defaults to the latest as-of in target_progress; a date not built yet is
    computed on the fly into temporary tables (read-only connections work)."""
    if fail_on not in (None, *FAIL_STATUSES):
        raise ValueError(f"fail_on must be one of {list(FAIL_STATUSES)} or None")
    return check_rows(assessed(progress_rows(con, as_of, config)), fail_on)


def assessed(rows: pd.DataFrame) -> pd.DataFrame:
    """The targets of as_of's year; standard limits shown in place of missing targets are
    reference lines, not targets, and are left out."""
    if rows.empty:
        return rows
    rows = rows[rows["year"] == rows["as_of"].iloc[0].year]
    if "target_basis" in rows.columns:
        rows = rows[rows["target_basis"] != BASIS_STANDARD]
    return rows


def check_rows(rows: pd.DataFrame, fail_on: str | None) -> tuple[list[str], int]:
    """targets_check's lines and exit code for rows already read and kept by `assessed`."""
    if rows.empty:
        return [], 0
    rank = {s: i for i, s in enumerate(ALERT_STATUSES)}
    alerts = rows[rows["status"].isin(ALERT_STATUSES)].copy()
    alerts["rank"] = alerts["status"].map(rank)
    alerts = alerts.sort_values(["rank", "region_code", "period", "indicator"])
    lines = [describe(r) for r in alerts.to_dict("records")]
    unevaluable = rows[rows["status"] == "not_evaluable"].sort_values(["region_code", "indicator"])
    lines += [describe(r) for r in unevaluable.to_dict("records")]
    failing = FAIL_STATUSES.get(fail_on or "", ())
    code = EXIT_TARGETS_FAILING if fail_on and alerts["status"].isin(failing).any() else 0
    return lines, code


def describe(row: dict[str, Any]) -> str:
    """One line for the terminal: status, region, period, indicator, actual vs target, what
    the rest needs, probability (Chinese names with the English codes)."""
    status = row["status"]
    zh = STATUSES.get(status, (status, status))[0]
    head = (
        f"{status}/{zh}  {row['region_code']} {row['region_name']} {row['year']} "
        f"{row['period']}  {row['indicator']} {label(row['indicator'])}"
    )
    if status == "not_evaluable":
        return f"{head}: {row.get('reason') or 'no data'}"
    unit = row.get("unit") or ""
    unit = f" {unit}" if unit.endswith("/m³") else unit
    parts = [f"{fmt(row['actual'])}{unit} (target {row['comparator']} {fmt(row['target'])})"]
    rest = rest_phrase(row)
    if rest:
        parts.append(rest)
    if not is_missing(row.get("probability_of_meeting")):
        parts.append(f"P(meet) {row['probability_of_meeting']:.3f}")
    if not is_missing(row.get("projected")):
        parts.append(f"projected {fmt(row['projected'])}{unit}")
    return f"{head}: " + "; ".join(parts)


def rest_phrase(row: dict[str, Any]) -> str:
    """What the rest of the period must deliver, in words."""
    if not is_missing(row.get("good_days_needed")):
        needed, left = int(row["good_days_needed"]), int(row["remaining_days"])
        if needed > left:
            return f"{needed} more good days needed but only {left} days left"
        return (
            f"{needed} more good days needed in {left} "
            f"(at most {int(row['non_good_days_allowed'])} non-good)"
        )
    if not is_missing(row.get("heavy_days_allowed")):
        return f"at most {int(row['heavy_days_allowed'])} more heavy days"
    if not is_missing(row.get("remaining_mean_ceiling")):
        return f"rest of period mean <= {row['remaining_mean_ceiling']:.1f}"
    if not is_missing(row.get("days_over_target_allowed")):
        return f"at most {int(row['days_over_target_allowed'])} more days over the target value"
    return ""


def fmt(value: Any) -> str:
    if is_missing(value):
        return "n/a"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
