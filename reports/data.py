"""The figures of one region's report, one function per table or chart, read from the published
warehouse (opened read-only) with bound parameters. SQL lives in reports/sql/<name>.sql.

Each function takes the connection and a `Scope` (region, year, as-of date) and returns a
DataFrame whose columns are the SQL's; the page and the workbook show the same frames.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import duckdb
import pandas as pd

from transforms.warehouse import read_sql, table_exists

PARAM = re.compile(r"\$([a-z_]+)")


@dataclass(frozen=True)
class Scope:
    """What one report covers: a region, an assessment year and the last day counted."""

    region: str
    year: int
    as_of: dt.date


@cache
def sql_text(name: str) -> str:
    """Text of reports/sql/<name>.sql."""
    return read_sql(name, "reports.sql")


def query(con: duckdb.DuckDBPyConnection, name: str, scope: Scope | None = None) -> pd.DataFrame:
    """Run reports/sql/<name>.sql with the scope's values bound to the parameters it names."""
    text = sql_text(name)
    values = {"region": None, "year": None, "as_of": None}
    if scope is not None:
        values = {"region": scope.region, "year": scope.year, "as_of": scope.as_of}
    params = {key: values[key] for key in set(PARAM.findall(text))}
    result = con.execute(text, params) if params else con.execute(text)
    columns = [d[0] for d in result.description]
    return pd.DataFrame(result.fetchall(), columns=columns)


def targets(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The region's targets of the year with progress at the latest as-of date (headline cards)."""
    return query(con, "targets", scope)


def good_days(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Cumulative good days by day of year, this year to date and the whole of last year."""
    return query(con, "good_days", scope)


def running_means(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Daily and running year-to-date means of PM2.5 and PM10 (dust days deducted)."""
    return query(con, "running_means", scope)


def aqi_calendar(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """One row a day: AQI, HJ 633 level and primary pollutants."""
    return query(con, "aqi_calendar", scope)


def primary_pollutants(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Non-good days by month and primary pollutant."""
    return query(con, "primary_pollutants", scope)


def county_ranking(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Counties ranked by composite index year to date, with PM2.5, good-day ratio and last year."""
    return query(con, "county_ranking", scope)


def water_sections(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The region's sections: target class, class to date, last year's, verdict, pollutants."""
    return query(con, "water_sections", scope)


def water_matrix(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Section x month class, long form (section_code, section_name, month, class)."""
    return query(con, "water_matrix", scope)


def rectification(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The region's inspection problems at the latest ledger snapshot, red first (none in a
    warehouse built before ledgers were read)."""
    if not table_exists(con, "rectification_problems"):
        return pd.DataFrame()
    return query(con, "rectification", scope)


def completeness(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Days elapsed, days with data and valid days per pollutant in the year to date."""
    return query(con, "completeness", scope)


def quarantined(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantined values by reason (all files)."""
    return query(con, "quarantine")


def failed_expectations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Expectations that failed in the latest validation run."""
    return query(con, "validation")


@dataclass
class RegionData:
    """Every table of one region's report."""

    scope: Scope
    name: str
    targets: pd.DataFrame
    good_days: pd.DataFrame
    running_means: pd.DataFrame
    aqi_calendar: pd.DataFrame
    primary_pollutants: pd.DataFrame
    county_ranking: pd.DataFrame
    water_sections: pd.DataFrame
    water_matrix: pd.DataFrame
    rectification: pd.DataFrame
    completeness: pd.DataFrame
    quarantined: pd.DataFrame
    failed_expectations: pd.DataFrame


@dataclass(frozen=True)
class CommonData:
    """The tables every region's report shows alike (quality of the whole load), read once."""

    quarantined: pd.DataFrame
    failed_expectations: pd.DataFrame


def common_data(con: duckdb.DuckDBPyConnection) -> CommonData:
    """The tables that do not depend on the region."""
    return CommonData(quarantined(con), failed_expectations(con))


def region_data(
    con: duckdb.DuckDBPyConnection, scope: Scope, name: str, common: CommonData | None = None
) -> RegionData:
    """All the tables of one region's report (common: read once for many regions, else here)."""
    common = common or common_data(con)
    return RegionData(
        scope=scope,
        name=name,
        targets=targets(con, scope),
        good_days=good_days(con, scope),
        running_means=running_means(con, scope),
        aqi_calendar=aqi_calendar(con, scope),
        primary_pollutants=primary_pollutants(con, scope),
        county_ranking=county_ranking(con, scope),
        water_sections=water_sections(con, scope),
        water_matrix=water_matrix(con, scope),
        rectification=rectification(con, scope),
        completeness=completeness(con, scope),
        quarantined=common.quarantined,
        failed_expectations=common.failed_expectations,
    )
