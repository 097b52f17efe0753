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

STYLE = """
body{font-family:system-ui,"Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}.critical{color:#a00;font-weight:bold}.warning{color:#a60}
.ok{color:#070}td.num{text-align:right}.sample{font-family:monospace;font-size:.85em}
"""


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


def results_section(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    rows = []
    for r in artifact_rows(con, run_id):
        status = "ok" if r["failed_batches"] == 0 else r["severity"]
        word = "passed" if status == "ok" else "failed"
        rows.append([
            esc(r["suite"]), esc(r["expectation"]),
            f'<span class="{esc(r["severity"])}">{esc(r["severity"])}</span>',
            esc(r["action"]), f'<span class="{esc(status)}">{word}</span>',
            esc(r["batches"]), esc(r["failed_batches"]), esc(r["unexpected"]),
            f'<span class="sample">{esc(r["example"])}</span>',
        ])
    return "<h2>Expectations of this run</h2>" + table_html(
        ["suite", "expectation", "severity", "action", "result", "batches", "failed batches",
         "unexpected", "example"],
        rows, ["", "", "", "", "", "num", "num", "num", ""])


def rejected_section(con: duckdb.DuckDBPyConnection) -> str:
    found = con.execute(
        "select path, loaded_at, message from load_log where status = 'rejected' "
        "order by loaded_at desc limit 200").fetchall()
    if not found:
        return "<h2>Rejected files</h2><p>None: no file failed a critical expectation.</p>"
    rows = [[esc(p), esc(f"{t:%Y-%m-%d %H:%M}"), esc(m)] for p, t, m in found]
    return "<h2>Rejected files (kept out of the warehouse)</h2>" + table_html(
        ["file", "when", "why"], rows)


def quarantine_section(con: duckdb.DuckDBPyConnection) -> str:
    found = con.execute(
        "select reason, count(*) as n, count(distinct source_file) as files "
        "from quarantine group by reason order by n desc, reason").fetchall()
    if not found:
        return "<h2>Quarantine</h2><p>Empty.</p>"
    rows = [[esc(r), esc(n), esc(f)] for r, n, f in found]
    return "<h2>Quarantine (values not loaded), by reason</h2>" + table_html(
        ["reason (rule or expectation)", "values", "files"], rows, ["", "num", "num"])


def suites_section() -> str:
    """Every suite's expectations with severity, action and the rule behind them."""
    parts = ["<h2>Suites</h2>"]
    ctx = BatchContext(dt.date.today(), frozenset({"-"}), frozenset({"-"}), frozenset({"-"}))
    for table, dataset in DATASETS.items():
        suite = dataset.suite(ctx)
        rows = [[esc(c.name), esc(c.gx_type), esc(c.severity), esc(c.action), esc(c.why)]
                for c in suite.checks]
        parts.append(f"<h3>{esc(suite.name)} <small>({esc(table)})</small></h3>")
        parts.append(table_html(["expectation", "GX expectation", "severity", "action",
                                 "rule"], rows))
    return "".join(parts)


def write_docs(con: duckdb.DuckDBPyConnection, run_id: str, docs_dir: Path) -> Path:
    """Write run-<run_id>.html and index.html (a copy) under docs_dir; return index.html."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    page = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>envq data quality {esc(run_id)}</title><style>{STYLE}</style></head><body>"
        f"<h1>envq data quality: run {esc(run_id)}</h1>"
        f"<p>Written {esc(dt.datetime.now().strftime('%Y-%m-%d %H:%M'))}. Critical "
        "expectations keep a file out of the warehouse; warnings quarantine the values "
        "concerned or only flag them.</p>"
        + results_section(con, run_id) + rejected_section(con) + quarantine_section(con)
        + suites_section() + "</body></html>"
    )
    safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)
    (docs_dir / f"run-{safe_id}.html").write_text(page, encoding="utf-8")
    index = docs_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
