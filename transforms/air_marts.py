"""Air assessment marts: region hourly, daily (AQI), period indicators and rankings in DuckDB.

The rules (HJ 663-2013 / GB 3095 Table 4 validity, HJ 633 daily AQI, the ranking scheme's
composite index, sand-dust deduction) are stated in the SQL files this module runs, one model
per file in transforms/sql/: air_region_stations (evaluation stations, 对照点 excluded),
air_region_hourly_wide / air_region_hourly (station means per hour), air_region_daily_means
(temp: daily means, MDA8, O3 1-h max on a full calendar), air_city_daily (AQI from the mean
concentrations via transforms.aqi), air_region_period (month, quarter, year, ytd, with and
without dust deduction, year-on-year), air_region_annual (contract view) and air_rankings.
Python only supplies the rule-set numbers, the per-day edition and the AQI call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from transforms.aqi import aqi
from transforms.rules import EDITIONS, cached_rules, edition_for_date
from transforms.warehouse import run_sql

# Percentile column of air_region_period -> (rule-set `statistics` key, percentile it names).
PERCENTILE_COLUMNS = {
    "so2_p98": ("so2", 98), "no2_p98": ("no2", 98), "pm10_p95": ("pm10", 95),
    "pm25_p95": ("pm25", 95), "co_p95": ("co", 95), "o3_8h_p90": ("o3_8h", 90),
}
DAILY_AQI_INPUTS = ("pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3")


def build_air_marts(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | None = None,
    edition: str | None = None,
) -> dict[str, int]:
    """Rebuild every air mart from the core tables; return the row count of each.

    edition None picks the rule set by each day's date (2026 editions from 2026-03-01);
    "2012" or "2026" forces one for the whole run, since a bureau may have to report a
    straddling year both ways. as_of (default: the last day with data) is where the
    year-to-date periods end, in every year, so that ytd compares like with like.
    """
    if edition is not None and edition not in EDITIONS:
        raise ValueError(f"edition must be None or one of {EDITIONS}, got {edition!r}")
    ensure_dust_flags_table(con)
    write_rule_sets(con)
    run_sql(con, "air_region_stations")
    run_sql(con, "air_region_hourly_wide")
    drop_table_named_like_view(con, "air_region_hourly")
    run_sql(con, "air_region_hourly")
    first_day, last_day = data_days(con)
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    as_of = as_of or last_day
    calendar_end = max(last_day, as_of) if last_day and as_of else None
    write_day_editions(con, first_day, calendar_end, edition)
    run_sql(con, "air_region_daily_means", {"calendar_end": calendar_end})
    write_daily_aqi(con)
    try:
        run_sql(con, "air_city_daily")
    finally:
        con.unregister("air_daily_aqi")
    run_sql(con, "air_region_period", {"as_of": as_of, **percentile_params(edition)})
    run_sql(con, "air_region_annual")
    run_sql(con, "air_rankings")
    return row_counts(con)


def ensure_dust_flags_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create air_dust_flags(region_code, date, note) if missing: the bureau's sand-dust days
    (环办监测〔2016〕120号), loaded by the flow from data/config/dust_days.csv."""
    run_sql(con, "air_dust_flags")


def drop_table_named_like_view(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a table left where a view now stands (early builds made air_region_hourly a table)."""
    tables = con.execute(
        "select table_name from duckdb_tables() where table_name = ? and not temporary"
        " and schema_name = current_schema()",
        [name],
    ).fetchall()
    if tables:
        con.execute(f"drop table {tables[0][0]}")


def write_rule_sets(con: duckdb.DuckDBPyConnection) -> None:
    """Table air_rule_sets: per edition, the numbers the SQL models read (from the YAML)."""
    frame = pd.DataFrame([rule_set_row(e) for e in EDITIONS])
    con.register("air_rule_sets_frame", frame)
    try:
        con.execute("create or replace table air_rule_sets as select * from air_rule_sets_frame")
    finally:
        con.unregister("air_rule_sets_frame")


def rule_set_row(edition: str) -> dict[str, Any]:
    """One edition's validity minima (GB 3095 Table 4, HJ 663), grade II limits (GB 3095
    Table 1) and composite-index denominators S_i (ranking scheme), flattened to columns."""
    rules = cached_rules(edition)
    limits = rules["limits"]["grade2"]
    row: dict[str, Any] = {
        "edition": edition,
        "valid_from": dt.date.fromisoformat(str(rules["valid_from"])),
        "valid_to": dt.date.fromisoformat(str(rules["valid_to"])),
        "daily_uses_o3_1h": "o3_1h" in rules["daily_aqi_indicators"],
    }
    row.update({key: int(value) for key, value in rules["validity"].items()})
    for pollutant in ("so2", "no2", "pm10", "pm25"):
        row[f"{pollutant}_annual_limit"] = float(limits[pollutant]["annual"])
        row[f"{pollutant}_24h_limit"] = float(limits[pollutant]["24h"])
    row["co_24h_limit"] = float(limits["co"]["24h"])
    row["o3_8h_limit"] = float(limits["o3"]["8h"])
    row["o3_1h_limit"] = float(limits["o3"]["1h"])
    for pollutant, s in rules["composite_index"].items():
        row[f"s_{pollutant}"] = float(s)
    return row


def percentile_params(edition: str | None) -> dict[str, float]:
    """HJ 663 percentile fractions ($p_so2 ...) for the period statistics.

    DuckDB needs them as constants, so the editions used must agree, and each must match the
    percentile its column is named after.
    """
    editions = EDITIONS if edition is None else (edition,)
    params: dict[str, float] = {}
    for column, (key, named) in PERCENTILE_COLUMNS.items():
        chosen = {float(cached_rules(e)["statistics"][key]) for e in editions}
        if chosen != {float(named)}:
            raise ValueError(f"rule sets give {key} percentiles {chosen}; {column} expects {named}")
        params[f"p_{key}"] = named / 100.0
    return params


def data_days(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """First and last natural day with region data (hour-ending ts: day = (ts - 1 h)'s date)."""
    row = con.execute(
        "select cast(min(ts) - interval 1 hour as date), cast(max(ts) - interval 1 hour as date)"
        " from air_region_hourly_wide"
    ).fetchall()[0]
    return row[0], row[1]


def write_day_editions(
    con: duckdb.DuckDBPyConnection, first: dt.date | None, last: dt.date | None,
    edition: str | None,
) -> None:
    """Temp table air_day_editions(date, edition): the forced edition, or edition_for_date."""
    start = dt.date(first.year, 1, 1) if first else None
    days = pd.date_range(start, last, freq="D").date if start and last else []
    frame = pd.DataFrame({
        "date": pd.Series(days, dtype="object"),
        "edition": pd.Series([edition or edition_for_date(d) for d in days], dtype="object"),
    })
    con.register("air_day_editions_frame", frame)
    try:
        con.execute(
            "create or replace temp table air_day_editions as"
            " select cast(date as date) as date, cast(edition as varchar) as edition"
            " from air_day_editions_frame"
        )
    finally:
        con.unregister("air_day_editions_frame")


def write_daily_aqi(con: duckdb.DuckDBPyConnection) -> None:
    """Register air_daily_aqi: HJ 633 daily AQI of each region-day, per edition (日报)."""
    means = con.execute(
        "select region_code, date, edition, pm25, pm10, so2, no2, co, o3_8h, o3_1h as o3"
        " from air_region_daily_means"
    ).df()
    parts = [
        aqi(group[list(DAILY_AQI_INPUTS)], kind="daily", edition=str(ed))
        for ed, group in means.groupby("edition", sort=False)
    ]
    result = pd.concat(parts) if parts else pd.DataFrame(
        columns=["aqi", "level", "category", "colour", "primary_pollutants"]
    )
    con.register("air_daily_aqi", means[["region_code", "date"]].join(result))


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of each air mart (air_region_hourly counted from the wide table's values)."""
    counts = {
        name: con.execute(f"select count(*) from {name}").fetchall()[0][0]  # noqa: S608
        for name in (
            "air_region_stations", "air_region_hourly_wide",
            "air_city_daily", "air_region_period", "air_region_annual", "air_rankings",
        )
    }
    counts["air_region_hourly"] = con.execute(
        "select count(pm25) + count(pm10) + count(so2) + count(no2) + count(co) + count(o3)"
        " from air_region_hourly_wide"
    ).fetchall()[0][0]
    return counts
