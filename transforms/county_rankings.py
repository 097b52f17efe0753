"""Rankings of the counties of a city and the cities of a province on each air indicator,
for every period of air_region_period, with last year's value and the change.

air_rankings (transforms/air_marts.py) ranks the composite index, PM2.5, the good-day ratio
and the improvement; county_rankings adds every other indicator and the year-on-year values
in one long table (standards.md §4: ascending concentrations and index, descending good
days; ties share a rank). SQL in transforms/sql/county_rankings.sql.
"""

from __future__ import annotations

import duckdb

from transforms.warehouse import run_sql


def build_county_rankings(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild `county_rankings` from air_region_period; return its row count (0, and
    nothing written, when the air marts are not built)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'air_region_period'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    run_sql(con, "county_rankings")
    return con.execute("select count(*) from county_rankings").fetchall()[0][0]
