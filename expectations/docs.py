"""Data Docs: one self-contained HTML page per validation run under data/reports/quality/.

GX's own Data Docs load Bootstrap, jQuery, Font Awesome and Vega from CDNs (checked on GX
1.24: 17 external hosts), which an offline office PC cannot reach and which envq must not
call; so envq writes its own page: plain HTML with inline CSS, every text from data escaped,
no script and no external URL. `index.html` is the latest run; `run-<run_id>.html` stays.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import duckdb

from expectations.results import artifact_rows
from expectations.suites import DATASETS
from expectations.suites.context import BatchContext
from transforms.clock import bureau_now

STYLE = """
body{font-family:system-ui,"Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}.critical{color:#a00;font-weight:bold}.warning{color:#a60}
.ok{color:#070}td.num{text-align:right}.sample{font-family:monospace;font-size:.85em}
"""


# The page's own words (zh default, en on request); expectation names and the rules they cite
# are the suites' identifiers and stay as written.
WORDS: dict[str, tuple[str, str]] = {
    "title": ("envq 数据质量：运行 {}", "envq data quality: run {}"),
    "intro": (
        "生成时间 {}。严重（critical）校验不通过的文件不入库；警告（warning）级校验"
        "隔离相关数值或仅作标记。",
        "Written {}. Critical expectations keep a file out of the warehouse; warnings "
        "quarantine the values concerned or only flag them.",
    ),
    "results": ("本次运行的校验项", "Expectations of this run"),
    "passed": ("通过", "passed"),
    "failed": ("未通过", "failed"),
    "rejected": ("被拒收的文件（未入库）", "Rejected files (kept out of the warehouse)"),
    "rejected_none": (
        "被拒收的文件",
        "Rejected files",
    ),
    "rejected_empty": (
        "无：没有文件未通过严重校验。",
        "None: no file failed a critical expectation.",
    ),
    "quarantine": ("隔离数据（未入库的数值），按原因", "Quarantine (values not loaded), by reason"),
    "quarantine_none": ("隔离数据", "Quarantine"),
    "empty": ("无。", "Empty."),
    "suites": ("校验集", "Suites"),
    "h_suite": ("校验集", "suite"),
    "h_expectation": ("校验项", "expectation"),
    "h_severity": ("级别", "severity"),
    "h_action": ("处置", "action"),
    "h_result": ("结果", "result"),
    "h_batches": ("批次", "batches"),
    "h_failed_batches": ("未通过批次", "failed batches"),
    "h_unexpected": ("异常值数量", "unexpected"),
    "h_example": ("示例", "example"),
    "h_file": ("文件", "file"),
    "h_when": ("时间", "when"),
    "h_why": ("原因", "why"),
    "h_reason": ("原因（规则或校验项）", "reason (rule or expectation)"),
    "h_values": ("数值个数", "values"),
    "h_files": ("文件数", "files"),
    "h_gx": ("GX 校验类型", "GX expectation"),
    "h_rule": ("依据", "rule"),
    "critical": ("严重", "critical"),
    "warning": ("警告", "warning"),
}


def word(key: str, lang: str, *values: object) -> str:
    pair = WORDS[key]
    return (pair[1] if lang == "en" else pair[0]).format(*values)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def table_html(headers: list[str], rows: list[list[str]], classes: list[str] | None = None) \
        -> str:
    """An HTML table from already-escaped cells."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = f' class="{classes[i]}"' if classes and classes[i] else ""
            cells.append(f"<td{cls}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _severity(value: object, lang: str) -> str:
    return word(str(value), lang) if value in ("critical", "warning") else esc(value)


def _heads(keys: list[str], lang: str) -> list[str]:
    return [word(f"h_{k}", lang) for k in keys]


def results_section(con: duckdb.DuckDBPyConnection, run_id: str, lang: str = "zh") -> str:
    rows = []
    for r in artifact_rows(con, run_id):
        status = "ok" if r["failed_batches"] == 0 else r["severity"]
        verdict = word("passed" if status == "ok" else "failed", lang)
        rows.append([
            esc(r["suite"]), esc(r["expectation"]),
            f'<span class="{esc(r["severity"])}">{_severity(r["severity"], lang)}</span>',
            esc(r["action"]), f'<span class="{esc(status)}">{esc(verdict)}</span>',
            esc(r["batches"]), esc(r["failed_batches"]), esc(r["unexpected"]),
            f'<span class="sample">{esc(r["example"])}</span>',
        ])
    heads = ["suite", "expectation", "severity", "action", "result", "batches",
             "failed_batches", "unexpected", "example"]
    return f"<h2>{esc(word('results', lang))}</h2>" + table_html(
        _heads(heads, lang), rows, ["", "", "", "", "", "num", "num", "num", ""])


def rejected_section(con: duckdb.DuckDBPyConnection, lang: str = "zh") -> str:
    found = con.execute(
        "select path, loaded_at, message from load_log where status = 'rejected' "
        "order by loaded_at desc limit 200").fetchall()
    if not found:
        return (f"<h2>{esc(word('rejected_none', lang))}</h2>"
                f"<p>{esc(word('rejected_empty', lang))}</p>")
    rows = [[esc(p), esc(f"{t:%Y-%m-%d %H:%M}"), esc(m)] for p, t, m in found]
    return f"<h2>{esc(word('rejected', lang))}</h2>" + table_html(
        _heads(["file", "when", "why"], lang), rows)


def quarantine_section(con: duckdb.DuckDBPyConnection, lang: str = "zh") -> str:
    found = con.execute(
        "select reason, count(*) as n, count(distinct source_file) as files "
        "from quarantine group by reason order by n desc, reason").fetchall()
    if not found:
        return f"<h2>{esc(word('quarantine_none', lang))}</h2><p>{esc(word('empty', lang))}</p>"
    rows = [[esc(r), esc(n), esc(f)] for r, n, f in found]
    return f"<h2>{esc(word('quarantine', lang))}</h2>" + table_html(
        _heads(["reason", "values", "files"], lang), rows, ["", "num", "num"])


def suites_section(lang: str = "zh") -> str:
    """Every suite's expectations with severity, action and the rule behind them."""
    parts = [f"<h2>{esc(word('suites', lang))}</h2>"]
    ctx = BatchContext(dt.date.today(), frozenset({"-"}), frozenset({"-"}), frozenset({"-"}))
    for table, dataset in DATASETS.items():
        suite = dataset.suite(ctx)
        rows = [[esc(c.name), esc(c.gx_type), _severity(c.severity, lang), esc(c.action),
                 esc(c.why)] for c in suite.checks]
        parts.append(f"<h3>{esc(suite.name)} <small>({esc(table)})</small></h3>")
        parts.append(table_html(_heads(["expectation", "gx", "severity", "action", "rule"],
                                       lang), rows))
    return "".join(parts)


def write_docs(con: duckdb.DuckDBPyConnection, run_id: str, docs_dir: Path,
               lang: str = "zh") -> Path:
    """Write run-<run_id>.html and index.html (a copy) under docs_dir; return index.html."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    now = bureau_now()
    written = f"{now:%Y-%m-%d %H:%M} {getattr(now.tzinfo, 'key', '')}".rstrip()
    title = esc(word("title", lang, run_id))
    page = (
        f"<!DOCTYPE html><html lang=\"{'en' if lang == 'en' else 'zh-CN'}\"><head>"
        f"<meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}</h1><p>{esc(word('intro', lang, written))}</p>"
        + results_section(con, run_id, lang) + rejected_section(con, lang)
        + quarantine_section(con, lang) + suites_section(lang) + "</body></html>"
    )
    safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)
    (docs_dir / f"run-{safe_id}.html").write_text(page, encoding="utf-8")
    index = docs_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
