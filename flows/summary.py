"""The one-screen summary of a run, as plain text for the terminal and Markdown for Prefect."""

from __future__ import annotations

from typing import Any


def run_summary_lines(summary: dict[str, Any]) -> list[str]:
    """Files, rows, quarantine, validation, marts and targets at risk, one fact a line."""
    lines = [f"envq run {summary.get('run_id', '')} -> {summary.get('warehouse', '')}"]
    ing = summary.get("ingest") or {}
    if ing:
        lines.append(
            f"files: {ing.get('files', 0)} {ing.get('by_status', {})}; rows loaded "
            f"{ing.get('rows_loaded', 0):,}; cells quarantined {ing.get('rows_quarantined', 0):,}"
        )
        for failure in (ing.get("failures") or [])[:5]:
            lines.append(f"  ! {failure}")
    if "unregistered_stations" in summary:
        lines.append(
            f"unregistered: {summary['unregistered_stations']} stations, "
            f"{summary.get('unregistered_sections', 0)} sections"
        )
    val = summary.get("validation") or {}
    if val:
        shown = {k: v for k, v in val.items() if isinstance(v, (int, float, str, bool))}
        lines.append(f"validation: {shown}")
    build = summary.get("build") or {}
    if build:
        lines.append("marts: " + ", ".join(f"{k} {v:,}" for k, v in build.items()))
    reports = summary.get("reports") or []
    if reports:
        lines.append(f"reports: {len(reports)} files")
    risks = summary.get("targets_at_risk") or []
    lines.append(f"targets at risk or off track: {len(risks)}")
    lines.extend(f"  {r}" for r in risks[:15])
    return lines


def run_summary_markdown(summary: dict[str, Any]) -> str:
    return "# envq run summary\n\n" + "\n".join(f"- {line}" for line in run_summary_lines(summary))
