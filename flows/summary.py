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


# Every phrase of the summary in English and Chinese; {} fields are filled in by position.
WORDS: dict[str, tuple[str, str]] = {
    "run": ("envq run {}", "envq 运行 {}"),
    "published": ("published: {}", "已发布：{}"),
    "not_published": (
        "warehouse: {} (not published by this run)",
        "数据库：{}（本次运行未发布）",
    ),
    "unregistered": ("unregistered: {} stations, {} sections", "未登记：{} 个站点，{} 个断面"),
    "validation": (
        "validation: {}, {} warnings, {} critical",
        "数据校验：{}，{} 项警告，{} 项严重",
    ),
    "ok": ("ok", "通过"),
    "failed": ("FAILED", "未通过"),
    "marts": ("marts: {} rebuilt, {} rows", "数据集市：重建 {} 张表，{} 行"),
    "files": (
        "files: {} ({}); rows loaded {}; cells quarantined {}",
        "文件：{} 个（{}）；载入 {} 行；隔离 {} 个数值",
    ),
    "none": ("none", "无"),
    # what happened to each file (transforms.ingest.engine.FileResult.status)
    "file_loaded": ("loaded", "已载入"),
    "file_skipped": ("skipped", "已跳过"),
    "file_failed": ("failed", "失败"),
    "file_rejected": ("rejected", "被拒收"),
    "reasons": ("quarantined by reason: ", "隔离原因："),
    "more_reasons": (", {} more reasons", "，另有 {} 种原因"),
    "danger": ("targets in danger: {}", "需关注的目标：{}"),
    "more_targets": (
        "  ... {} more (`envq targets check`)",
        "  ……另有 {} 项（`envq targets check`）",
    ),
    "reports": ("reports: {} files in {}", "报告：{} 个文件，位于 {}"),
    "alerts": ("alerts: {} targets announced", "预警：已通知 {} 项目标"),
    "as_of": ("as of: {}", "数据截至：{}"),
    "domain_air": ("air", "空气"),
    "domain_water": ("water", "水质"),
    "domain_rectification": ("rectification", "督察整改"),
    "title": ("# envq run summary", "# envq 运行摘要"),
}


def _w(key: str, lang: str, *values: object) -> str:
    pair = WORDS[key]
    return (pair[1] if lang == "zh" else pair[0]).format(*values)


def _status_name(code: str, lang: str) -> str:
    """A status code as the reader's language names it (codes stay codes in English)."""
    if lang != "zh":
        return code
    from transforms.indicators import label

    return label(code, "zh")


def _status_of(line: str) -> str:
    """The status code a targets_check line starts with (`off_track/偏离进度  610900 ...`)."""
    return line.split("/", 1)[0].split()[0] if line else ""


def run_summary_lines(summary: dict[str, Any], lang: str = "en") -> list[str]:
    """Files, rows, quarantine, validation, marts, targets in danger, reports, one fact a line
    (in English, or Chinese with lang='zh'; codes and paths stay as they are)."""
    lines = [_w("run", lang, summary.get("run_id", ""))]
    if summary.get("published"):
        lines.append(_w("published", lang, summary["published"]))
    else:
        lines.append(_w("not_published", lang, summary.get("warehouse", "")))
    lines += _ingest_lines(summary, lang)
    if "unregistered_stations" in summary:
        lines.append(
            _w(
                "unregistered",
                lang,
                summary["unregistered_stations"],
                summary.get("unregistered_sections", 0),
            )
        )
    val = summary.get("validation") or {}
    if val:
        verdict = _w("ok" if val.get("ok", True) else "failed", lang)
        lines.append(
            _w("validation", lang, verdict, val.get("warnings", 0), val.get("critical_failures", 0))
            + (f" ({val['docs']})" if val.get("docs") else "")
        )
    build = summary.get("build") or {}
    if build:
        key = ", ".join(f"{k} {build[k]:,}" for k in KEY_MARTS if k in build)
        lines.append(
            _w("marts", lang, len(build), f"{sum(build.values()):,}") + (f" ({key})" if key else "")
        )
    dates = summary.get("data_as_of") or {}
    if dates:
        # one as-of per domain: each counts its days up to its own last data day
        named = ", ".join(f"{_w('domain_' + d, lang)} {day}" for d, day in dates.items())
        lines.append(_w("as_of", lang, named))
    lines += _target_lines(
        summary.get("targets_at_risk") or [], lang, summary.get("targets_in_danger")
    )
    lines += _report_lines(summary.get("reports") or [], lang)
    if summary.get("alerts"):
        lines.append(_w("alerts", lang, summary["alerts"]))
    return lines


def _ingest_lines(summary: dict[str, Any], lang: str = "en") -> list[str]:
    ing = summary.get("ingest") or {}
    if not ing:
        return []
    by_status = ", ".join(
        f"{_w(f'file_{k}', lang) if f'file_{k}' in WORDS else k} {v}"
        for k, v in sorted((ing.get("by_status") or {}).items())
    )
    lines = [
        _w(
            "files",
            lang,
            ing.get("files", 0),
            by_status or _w("none", lang),
            f"{ing.get('rows_loaded', 0):,}",
            f"{ing.get('rows_quarantined', 0):,}",
        )
    ]
    reasons = ing.get("quarantine_by_reason") or {}
    if reasons:
        shown = list(reasons.items())[:MAX_REASONS]
        more = len(reasons) - len(shown)
        lines.append(
            _w("reasons", lang)
            + ", ".join(f"{r} {n:,}" for r, n in shown)
            + (_w("more_reasons", lang, more) if more > 0 else "")
        )
    for failure in (ing.get("failures") or [])[:5]:
        lines.append(f"  ! {failure}")
    unassigned = ing.get("unassigned_stations") or []
    if unassigned:
        lines.append(f"stations without a region: {len(unassigned)}")
        lines += [f"  - {line}" for line in unassigned]
    return lines


def _target_lines(
    risks: list[str], lang: str = "en", rows: list[dict[str, Any]] | None = None
) -> list[str]:
    """The count by status, then one line per target in danger: targets_check's lines, or
    in Chinese, when the rows are at hand, the line a reader of the report would write."""
    counts = Counter(map(_status_of, risks))
    order = [s for s in ALERT_ORDER if s in counts] + sorted(set(counts) - set(ALERT_ORDER))
    head = ", ".join(f"{_status_name(s, lang)} {counts[s]}" for s in order)
    lines = [_w("danger", lang, head if risks else _w("none", lang))]
    alerts = [r for r in risks if _status_of(r) != "not_evaluable"]
    if lang == "zh" and rows is not None and len(rows) == len(alerts):
        alerts = [_target_line_zh(r) for r in rows]
    lines.extend(f"  {r}" for r in alerts[:MAX_TARGET_LINES])
    if len(alerts) > MAX_TARGET_LINES:
        lines.append(_w("more_targets", lang, len(alerts) - MAX_TARGET_LINES))
    return lines


def _target_line_zh(row: dict[str, Any]) -> str:
    """One target in danger in Chinese, e.g. `有风险  610900 安康市 优良天数：现状 261天
    （目标 >= 315天）；余下 61 天中至少 54 天需为优良`."""
    from flows.targets_check import fmt
    from reports import i18n
    from reports.headline import key_number, target_name

    unit = i18n.unit(str(row["indicator"]), "zh")
    sep = " " if unit.endswith("/m³") else ""
    state = i18n.indicator(str(row["status"]), "zh")
    line = (
        f"{state}  {row['region_code']} {row['region_name']} {target_name(row, 'zh')}："
        f"现状 {fmt(row['actual'])}{sep}{unit}（目标 {row['comparator']} "
        f"{fmt(row['target'])}{sep}{unit}）"
    )
    number = key_number(row, "zh")
    return f"{line}；{number}" if number else line


def _report_lines(reports: list[str], lang: str = "en") -> list[str]:
    if not reports:
        return []
    folders = sorted({str(Path(p).parent) for p in reports})
    index = [p for p in reports if Path(p).name.startswith("index")]
    shown = (index + [p for p in reports if p not in index])[:MAX_REPORT_PATHS]
    lines = [_w("reports", lang, len(reports), ", ".join(folders))]
    lines.extend(f"  {p}" for p in shown)
    return lines


def run_summary_markdown(summary: dict[str, Any], lang: str = "en") -> str:
    """The same lines as a Markdown list (indented lines stay nested under their heading)."""
    out = [_w("title", lang), ""]
    for line in run_summary_lines(summary, lang):
        text = html.escape(line.strip(), quote=False)  # region names are data: no markup
        out.append(f"  - {text}" if line.startswith("  ") else f"- {text}")
    return "\n".join(out) + "\n"
