"""Build the rectification marts from the loaded ledger snapshots (SQL in
transforms/sql/rectification/): rectification_problems (problem x snapshot, with overdue,
reopened, colour, regions) and rectification_summary (per source, batch, unit and region)."""

from __future__ import annotations

import duckdb

from transforms.rectification.rules import LedgerRules, current_rules
from transforms.warehouse import run_sql


def build_rectification(con: duckdb.DuckDBPyConnection, rules: LedgerRules | None = None) -> int:
    """Rebuild both marts (small: a ledger has tens to hundreds of problems); return the
    number of problem-snapshot rows."""
    rules = rules or current_rules()
    run_sql(
        con,
        "rectification/rectification_problems",
        {
            "completed": sorted(rules.completed_statuses),
            "closed": sorted(rules.closed_statuses),
            "lookback_words": list(rules.lookback_words),
            "due_soon_days": rules.due_soon_days,
            "red_when_reopened": rules.red_when_reopened,
            "yellow_when_lagging": rules.yellow_when_lagging,
        },
    )
    run_sql(con, "rectification/rectification_summary")
    return con.execute("select count(*) from rectification_problems").fetchall()[0][0]
