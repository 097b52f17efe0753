"""Air assessment marts: region hourly, daily (AQI), period indicators and rankings in DuckDB.

The rules (HJ 663-2013 / GB 3095 Table 4 validity, HJ 633 daily AQI, the ranking scheme's
composite index, sand-dust deduction) are stated in the SQL files this module runs, one model
per file in transforms/sql/: air_region_stations (evaluation stations, 对照点 excluded),
air_region_hourly_wide / air_region_hourly (station means per hour), air_region_daily_means
(temp: daily means, MDA8, O3 1-h max on a full calendar), air_city_daily (AQI from the mean
concentrations via transforms.air.aqi), air_region_period (month, quarter, year, ytd, with and
without dust deduction, year-on-year), air_region_annual (contract view) and air_rankings.
Python only supplies the rule-set numbers, the per-day edition and the AQI call.

Each model computes a span (hours and days of a range of natural days, periods of a
PeriodScope) into a temp *_update table, which becomes the table (full build) or replaces the
same rows (nightly increment: the days the new files touched, the days the calendar grew by,
the periods holding them; an hour, a day and a period depend on nothing outside them but the
inputs air_build_state fingerprints, so an increment equals a full rebuild; proof in
tests/transforms/air/test_incremental_build.py). At national scale the full hourly aggregation
is most of a full build's time (~10 s of ~18 s for 1700 stations x 365 days on 2 cores).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from transforms.air.aqi import aqi
from transforms.air.build_state import (
    BuildState,
    clear_state,
    fingerprint,
    read_state,
    write_state,
)
from transforms.air.county_rankings import build_county_rankings
from transforms.air.period_scope import PeriodScope, put_in_place
from transforms.assessment import write_rule_sets
from transforms.rules import EDITIONS, cached_rules, edition_for_date, period_edition_rule
from transforms.warehouse import run_sql, table_exists

# Percentile column of air_region_period -> (rule-set `statistics` key, percentile it names).
PERCENTILE_COLUMNS = {
    "so2_p98": ("so2", 98),
    "no2_p98": ("no2", 98),
    "pm10_p95": ("pm10", 95),
    "pm25_p95": ("pm25", 95),
    "co_p95": ("co", 95),
    "o3_8h_p90": ("o3_8h", 90),
}
DAILY_AQI_INPUTS = ("pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3")


@dataclass(frozen=True)
class AirBuild:
    """What build_air did: row counts, and the days and periods rebuilt (None: all)."""

    counts: dict[str, int]
    days: tuple[dt.date, dt.date] | None
    scope: PeriodScope | None


def build_air(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | None = None,
    edition: str | None = None,
    touched: tuple[dt.date, dt.date] | None = None,
    incremental: bool = False,
) -> AirBuild:
    """Rebuild the air marts (and county_rankings) from the core tables.

    edition None picks the rule set by each day's date (2026 editions from 2026-03-01);
    "2012" or "2026" forces one for the whole run, since a bureau may have to report a
    straddling year both ways. as_of (default: the last day with data) is where the
    year-to-date periods end, in every year, so that ytd compares like with like.
    incremental (the nightly run): only the days `touched` and the periods holding them are
    rebuilt, when the last build allows it (build_state); otherwise everything. Returns the
    row count of each mart and what was rebuilt.
    """
    if edition is not None and edition not in EDITIONS:
        raise ValueError(f"edition must be None or one of {EDITIONS}, got {edition!r}")
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    ensure_dust_flags_table(con)
    write_rule_sets(con)
    run_sql(con, "air/air_region_stations")
    drop_table_named_like_view(con, "air_region_hourly")
    mark = fingerprint(con, edition)
    last = read_state(con) if incremental else None
    clear_state(con)  # a build that does not finish leaves no state: the next one is full
    built = None
    if last is not None and increment_allowed(last, mark, touched):
        built = build_increment(con, as_of, edition, touched, last)
    if built is None:
        built = build_everything(con, as_of, edition)
    state, days, scope = built
    run_sql(con, "air/air_region_hourly")
    counts = row_counts(con)
    counts["county_rankings"] = build_county_rankings(con, scope)
    write_state(con, BuildState(mark, *state))
    return AirBuild(counts, days, scope)


def increment_allowed(last: BuildState, mark: str, touched: tuple[dt.date, dt.date] | None) -> bool:
    """Whether the last build can be built on: same fingerprint, a calendar that started
    from a valid day, and no touched day before it."""
    if last.fingerprint != mark or not last.calendar_from_valid:
        return False
    if last.calendar_start is None or last.calendar_end is None or last.as_of is None:
        return False
    return touched is None or touched[0] >= last.calendar_start


BuildResult = tuple[tuple, tuple[dt.date, dt.date] | None, PeriodScope | None]


def build_everything(
    con: duckdb.DuckDBPyConnection, as_of: dt.date | None, edition: str | None
) -> BuildResult:
    """Every hour, day and period from the core tables."""
    first_ts, last_ts = con.execute(
        "select min(ts) - interval 1 hour, max(ts) - interval 1 hour from air_station_hourly"
    ).fetchall()[0]
    first = first_ts.date() if first_ts else None
    last = last_ts.date() if last_ts else None
    put_hours(con, first, last, replace=False)
    first_day, last_day = data_days(con)
    as_of = as_of or last_day
    calendar_end = max(last_day, as_of) if last_day and as_of else None
    start = dt.date(first_day.year, 1, 1) if first_day else None
    put_days(con, start, calendar_end, None, calendar_end, edition, replace=False)
    years = [y for (y,) in con.execute("select distinct year(date) from air_city_daily").fetchall()]
    put_periods(con, as_of, edition, PeriodScope.every(years), replace=False)
    calendar_start, from_valid = calendar_facts(con)
    return (as_of, calendar_start, calendar_end, from_valid), None, None


def build_increment(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | None,
    edition: str | None,
    touched: tuple[dt.date, dt.date] | None,
    last: BuildState,
) -> BuildResult | None:
    """The touched days, the days the calendar grew by, and the periods holding them, put in
    place of the same rows; None when it cannot be done (the calendar would shrink)."""
    if touched is not None:
        put_hours(con, touched[0], touched[1], replace=True)
    _, last_day = data_days(con)
    as_of = as_of or last_day
    if last_day is None or as_of is None:
        return None
    calendar_end = max(last_day, as_of)
    if calendar_end < last.calendar_end:
        return None
    assert last.calendar_start is not None and last.calendar_end is not None
    spans = [touched] if touched is not None else []
    if calendar_end > last.calendar_end:
        spans.append((last.calendar_end + dt.timedelta(days=1), calendar_end))
    days = None
    if spans:
        days = (max(min(a for a, _ in spans), last.calendar_start), max(b for _, b in spans))
        days = (days[0], min(days[1], calendar_end))
        put_days(con, days[0], days[1], last.calendar_start, calendar_end, edition, replace=True)
    changed = range(days[0].year, days[1].year + 1) if days else range(0)
    present = range(last.calendar_start.year, calendar_end.year + 1)
    scope = PeriodScope.for_changes(changed, present, as_of != last.as_of)
    put_periods(con, as_of, edition, scope, replace=True)
    return (as_of, last.calendar_start, calendar_end, True), days, scope


def put_hours(
    con: duckdb.DuckDBPyConnection, first: dt.date | None, last: dt.date | None, replace: bool
) -> None:
    """air_region_hourly_wide for the hours of natural days first .. last (ts in (first 00:00,
    last + 1 day 00:00]): the whole table, or (replace) in place of those hours."""
    span = {"day_from": first, "day_to": last}
    run_sql(con, "air/air_region_hourly_wide", span)
    where = "ts > $day_from::timestamp and ts <= $day_to::timestamp + interval 1 day"
    put_in_place(
        con,
        "air_region_hourly_wide",
        "air_region_hourly_update",
        where if replace else None,
        span,
    )


def put_days(
    con: duckdb.DuckDBPyConnection,
    first: dt.date | None,
    last: dt.date | None,
    calendar_start: dt.date | None,
    calendar_end: dt.date | None,
    edition: str | None,
    replace: bool,
) -> None:
    """air_city_daily for the days first .. last of the calendar (calendar_start None: the
    calendar starts where the data say): the whole table, or (replace) in place of those days."""
    write_day_editions(con, first, last, edition)
    run_sql(
        con,
        "air/air_region_daily_means",
        {
            "calendar_start": calendar_start,
            "calendar_end": calendar_end,
            "day_from": first,
            "day_to": last,
        },
    )
    write_daily_aqi(con)
    try:
        run_sql(con, "air/air_city_daily")
    finally:
        con.unregister("air_daily_aqi")
    where = "date between $day_from and $day_to"
    put_in_place(
        con,
        "air_city_daily",
        "air_city_daily_update",
        where if replace else None,
        {"day_from": first, "day_to": last},
    )


def put_periods(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | None,
    edition: str | None,
    scope: PeriodScope,
    replace: bool,
) -> None:
    """air_region_period and air_rankings for the scope's periods (whole tables, or in place)."""
    run_sql(
        con,
        "air/air_region_period",
        {
            "as_of": as_of,
            "period_edition": period_edition_rule(),
            **percentile_params(edition),
            **scope.params(),
        },
    )
    run_sql(con, "air/air_rankings")
    where, params = scope.replaced_rows() if replace else (None, None)
    put_in_place(con, "air_region_period", "air_region_period_update", where, params)
    put_in_place(con, "air_rankings", "air_rankings_update", where, params)
    run_sql(con, "air/air_region_annual")


def calendar_facts(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, bool]:
    """First day of air_city_daily's calendar, and whether a day with a valid value (enough
    hours of some pollutant) set it, as air_region_daily_means.sql decides."""
    return con.execute(
        "select min(date), coalesce(bool_or(greatest(pm25_hours, pm10_hours, so2_hours,"
        " no2_hours, co_hours, o3_hours) >= (select min(hours_per_day) from air_rule_sets)),"
        " false) from air_city_daily"
    ).fetchall()[0]


def ensure_dust_flags_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create air_dust_flags(region_code, date, note) if missing: the bureau's sand-dust days
    (环办监测〔2016〕120号), loaded by the flow from data/config/dust_days.csv."""
    run_sql(con, "air/air_dust_flags")


def drop_table_named_like_view(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a table left where a view now stands (early builds made air_region_hourly a table)."""
    if table_exists(con, name):  # name is a constant of this module, not user text
        con.execute(f"drop table {name}")


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
    con: duckdb.DuckDBPyConnection,
    first: dt.date | None,
    last: dt.date | None,
    edition: str | None,
) -> None:
    """Temp table air_day_editions(date, edition) for the days first .. last: the forced
    edition, or edition_for_date."""
    days = pd.date_range(first, last, freq="D").date if first and last else []
    frame = pd.DataFrame(
        {
            "date": pd.Series(days, dtype="object"),
            "edition": pd.Series([edition or edition_for_date(d) for d in days], dtype="object"),
        }
    )
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
    result = (
        pd.concat(parts)
        if parts
        else pd.DataFrame(columns=["aqi", "level", "category", "colour", "primary_pollutants"])
    )
    con.register("air_daily_aqi", means[["region_code", "date"]].join(result))


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of each air mart (air_region_hourly counted from the wide table's values)."""
    counts = {
        name: con.execute(f"select count(*) from {name}").fetchall()[0][0]  # noqa: S608
        for name in (
            "air_region_stations",
            "air_region_hourly_wide",
            "air_city_daily",
            "air_region_period",
            "air_region_annual",
            "air_rankings",
        )
    }
    counts["air_region_hourly"] = con.execute(
        "select count(pm25) + count(pm10) + count(so2) + count(no2) + count(co) + count(o3)"
        " from air_region_hourly_wide"
    ).fetchall()[0][0]
    return counts
