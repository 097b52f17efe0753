"""The figures of the overview page (index_<lang>.html), read for every region at once.

Three queries (reports/sql/overview_*.sql), not one per region, so that the page for thousands
of regions costs a few hundred milliseconds: where each region sits (level, province), its
targets (count per status, the most urgent one) and its air figures with the rankings of the
month and of the year to date (from the air_rankings mart), nationally and among the regions
of the same parent (the cities of a province, the counties of a city).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from reports.data import sql_text

RANK_PERIODS = ("month", "ytd")


@dataclass(frozen=True)
class Overview:
    """Every region's row of the overview (indexed by region_code) and the periods ranked."""

    regions: pd.DataFrame   # region_code, name, level, province_code, province_name(_en)
    targets: pd.DataFrame   # overview_targets.sql, one row per region with targets
    air: pd.DataFrame       # overview_air.sql, one row per region and period type
    month: str | None       # label of the ranked month ("2026-10"), None when there is none
    ytd: str | None         # label of the year to date ranked ("2026-YTD")
    ytd_as_of: dt.date | None


def ranked_month(year: int, as_of: dt.date) -> int | None:
    """The month the bulletins would rank: the last complete month of `year` up to as_of."""
    if as_of.year > year:
        return 12
    if as_of.year < year:
        return None
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    month = as_of.month if as_of.day == last_day else as_of.month - 1
    return month or None


def _frame(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    columns = [d[0] for d in result.description]
    return pd.DataFrame(result.fetchall(), columns=columns)


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    rows = con.execute(
        "select count(*) from information_schema.columns where table_name = ? "
        "and column_name = ?",
        [table, column],
    ).fetchall()
    return rows[0][0] > 0


def read_overview(con: duckdb.DuckDBPyConnection, year: int, as_of: dt.date) -> Overview:
    """The overview's figures for `year` at `as_of` (air columns empty without the air marts)."""
    regions = _frame(con.execute(sql_text("overview_regions"))).drop_duplicates(
        "region_code", keep="last"
    )
    targets = _frame(con.execute(sql_text("overview_targets"), {"year": year, "as_of": as_of}))
    month = ranked_month(year, as_of)
    air = pd.DataFrame()
    # a warehouse built before the rankings had scopes shows no air columns until rebuilt
    if _has_column(con, "air_region_period", "composite_index") and _has_column(
        con, "air_rankings", "scope"
    ):
        params = {"year": year, "month": month, "as_of": as_of}
        air = _frame(con.execute(sql_text("overview_air"), params))
    month_label = ytd_label = None
    ytd_as_of = None
    if not air.empty:
        months = air.loc[air["period_type"] == "month", "period"]
        ytds = air.loc[air["period_type"] == "ytd"]
        month_label = str(months.iloc[0]) if len(months) else None
        if len(ytds):
            ytd_label = str(ytds["period"].iloc[0])
            ytd_as_of = pd.Timestamp(ytds["as_of"].iloc[0]).date()
    return Overview(regions, targets, air, month_label, ytd_label, ytd_as_of)


def region_ranks(overview: Overview, region_code: str) -> pd.DataFrame:
    """One region's ranks (rows month and ytd when ranked): what its own page shows."""
    if overview.air.empty:
        return pd.DataFrame()
    rows = overview.air[overview.air["region_code"] == region_code]
    present = set(rows["period_type"])
    return rows.set_index("period_type").reindex([p for p in RANK_PERIODS if p in present])
