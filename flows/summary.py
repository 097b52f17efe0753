"""The one-screen summary of a run, as plain text for the terminal and Markdown for Prefect.

A bureau analyst reads it the morning after: did the files arrive (files by status, rows),
what was put aside and why (quarantine by reason), did the data pass the checks, which targets
are in danger (by name), and where the reports and the published database are.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Any

MAX_TARGET_LINES = 12
MAX_REPORT_PATHS = 3
MAX_REASONS = 6
KEY_MARTS = ("air_city_daily", "water_section_period", "target_progress")  # named in the line
ALERT_ORDER = ("cannot_be_met", "not_met", "off_track", "at_risk", "not_evaluable")


def _status_of(line: str) -> str:
    """The status code a targets_check line starts with (`off_track/偏离进度  610900 ...`)."""
    return line.split("/", 1)[0].split()[0] if line else ""


def run_summary_lines(summary: dict[str, Any]) -> list[str]:
    """Files, rows, quarantine, validation, marts, targets in danger, reports, one fact a line."""
    lines = [f"envq run {summary.get('run_id', '')}"]
    if summary.get("published"):
        lines.append(f"published: {summary['published']}")
    else:
        lines.append(f"warehouse: {summary.get('warehouse', '')} (not published by this run)")
    lines += _ingest_lines(summary)
    if "unregistered_stations" in summary:
        lines.append(
            f"unregistered: {summary['unregistered_stations']} stations, "
            f"{summary.get('unregistered_sections', 0)} sections"
        )
    val = summary.get("validation") or {}
    if val:
        verdict = "ok" if val.get("ok", True) else "FAILED"
        lines.append(
            f"validation: {verdict}, {val.get('warnings', 0)} warnings, "
            f"{val.get('critical_failures', 0)} critical"
            + (f" ({val['docs']})" if val.get("docs") else "")
        )
    build = summary.get("build") or {}
    if build:
        key = ", ".join(f"{k} {build[k]:,}" for k in KEY_MARTS if k in build)
        lines.append(
            f"marts: {len(build)} rebuilt, {sum(build.values()):,} rows"
            + (f" ({key})" if key else "")
        )
    lines += _target_lines(summary.get("targets_at_risk") or [])
    lines += _report_lines(summary.get("reports") or [])
    return lines


def _ingest_lines(summary: dict[str, Any]) -> list[str]:
    ing = summary.get("ingest") or {}
    if not ing:
        return []
    by_status = ", ".join(f"{k} {v}" for k, v in sorted((ing.get("by_status") or {}).items()))
    lines = [
        f"files: {ing.get('files', 0)} ({by_status or 'none'}); rows loaded "
        f"{ing.get('rows_loaded', 0):,}; cells quarantined {ing.get('rows_quarantined', 0):,}"
    ]
    reasons = ing.get("quarantine_by_reason") or {}
    if reasons:
        shown = list(reasons.items())[:MAX_REASONS]
        more = len(reasons) - len(shown)
        lines.append(
            "quarantined by reason: "
            + ", ".join(f"{r} {n:,}" for r, n in shown)
            + (f", {more} more reasons" if more > 0 else "")
        )
    for failure in (ing.get("failures") or [])[:5]:
        lines.append(f"  ! {failure}")
    unassigned = ing.get("unassigned_stations") or []
    if unassigned:
        lines.append(f"stations without a region: {len(unassigned)}")
        lines += [f"  - {line}" for line in unassigned]
    return lines


def _target_lines(risks: list[str]) -> list[str]:
    counts = Counter(map(_status_of, risks))
    order = [s for s in ALERT_ORDER if s in counts] + sorted(set(counts) - set(ALERT_ORDER))
    head = ", ".join(f"{s} {counts[s]}" for s in order)
    lines = [f"targets in danger: {head}" if risks else "targets in danger: none"]
    alerts = [r for r in risks if _status_of(r) != "not_evaluable"]
    lines.extend(f"  {r}" for r in alerts[:MAX_TARGET_LINES])
    if len(alerts) > MAX_TARGET_LINES:
        lines.append(f"  ... {len(alerts) - MAX_TARGET_LINES} more (`envq targets check`)")
    return lines


def _report_lines(reports: list[str]) -> list[str]:
    if not reports:
        return []
    folders = sorted({str(Path(p).parent) for p in reports})
    index = [p for p in reports if Path(p).name.startswith("index")]
    shown = (index + [p for p in reports if p not in index])[:MAX_REPORT_PATHS]
    lines = [f"reports: {len(reports)} files in {', '.join(folders)}"]
    lines.extend(f"  {p}" for p in shown)
    return lines


def run_summary_markdown(summary: dict[str, Any]) -> str:
    """The same lines as a Markdown list (indented lines stay nested under their heading)."""
    out = ["# envq run summary", ""]
    for line in run_summary_lines(summary):
        text = html.escape(line.strip(), quote=False)  # region names are data: no markup
        out.append(f"  - {text}" if line.startswith("  ") else f"- {text}")
    return "\n".join(out) + "\n"
