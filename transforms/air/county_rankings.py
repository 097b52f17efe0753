"""Rankings of the counties of a city and the cities of a province on each air indicator,
for every period of air_region_period, with last year's value and the change.

air_rankings (transforms/air/marts.py) ranks the composite index, PM2.5, the good-day ratio
and the improvement; county_rankings adds every other indicator and the year-on-year values
in one long table (docs/standards.md §4: ascending concentrations and index, descending good
days; ties share a rank). SQL in transforms/sql/air/county_rankings.sql.
"""

from __future__ import annotations

import duckdb

from transforms.air.period_scope import PeriodScope, put_in_place
from transforms.warehouse import run_sql, table_exists


def build_county_rankings(con: duckdb.DuckDBPyConnection, scope: PeriodScope | None = None) -> int:
    """Rebuild `county_rankings` from air_region_period; return its row count (0, and
    nothing written, when the air marts are not built). scope None rebuilds every period;
    a PeriodScope (a nightly increment) only its periods, in place."""
    if not table_exists(con, "air_region_period"):
        return 0
    if scope is None:
        years = [
            y for (y,) in con.execute("select distinct year from air_region_period").fetchall()
        ]
        run_sql(con, "air/county_rankings", PeriodScope.every(years).params())
        put_in_place(con, "county_rankings", "county_rankings_update")
    else:
        run_sql(con, "air/county_rankings", scope.params())
        put_in_place(con, "county_rankings", "county_rankings_update", *scope.replaced_rows())
    return con.execute("select count(*) from county_rankings").fetchall()[0][0]
