"""Whole-table and cross-file checks of the hourly station data, in DuckDB SQL.

What one file cannot show: a fact loaded twice across files, a value stuck for 24 hours that
spans two daily files, station-days with hours missing against the calendar, published O3
8-h means above the 1-h values of their window, unregistered stations, files whose hours
left their date. One hash aggregate per station, pollutant and natural day
(sql/station_days.sql) feeds the grain, completeness and stuck-run checks, so the national
year is read once. Results join validation_results under suite `station_hourly`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from expectations.results import SQL_PACKAGE, ResultRow
from expectations.suites.context import file_date
from transforms.air.aqi import decimals_for
from transforms.pollutants import POLLUTANTS
from transforms.rules import edition_for_date, load_rules
from transforms.warehouse import read_sql

SUITE = "station_hourly"
STUCK_HOURS = 24  # a value repeated unchanged for >= 24 consecutive hours = stuck instrument
# A steady signal near the reporting resolution repeats honestly (SO2 at 3 µg/m³ in clean air,
# CO at 0.5 mg/m³): only values of at least 10 resolution steps are judged. The resolution is
# the rounding of HJ 633-2026 §4.2.2 (µg/m³ to integers, CO to 0.1 mg/m³), so the floor is
# 10 µg/m³, CO 1.0 mg/m³ (in January 2019, 93 % of the 24-h runs sat below it, at 1-8 µg/m³
# SO2/NO2 and 0.2-0.9 mg/m³ CO).
STUCK_FLOOR_STEPS = 10
FULL_DAY_HOURS = 24
O3_WINDOW_SAMPLE_VALUES = 500_000  # O3 values the 8-h window check reads at most


@dataclass(frozen=True)
class Period:
    """Hours ts with start < ts <= end (natural days, hour-ending), and its label."""

    start: dt.datetime
    end: dt.datetime

    @classmethod
    def of_days(cls, first: dt.date, last: dt.date) -> Period:
        """Natural days first..last: hours first 01:00 .. last+1 00:00."""
        return cls(dt.datetime.combine(first, dt.time()),
                   dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))

    @property
    def label(self) -> str:
        first = self.start + dt.timedelta(hours=1)
        return f"{first:%Y-%m-%d %H:%M}..{self.end:%Y-%m-%d %H:%M}"

    @property
    def params(self) -> dict[str, Any]:
        return {"period_start": self.start, "period_end": self.end}


def table_period(con: duckdb.DuckDBPyConnection, table: str = "air_station_hourly") -> \
        Period | None:
    """The period covering every hour loaded in the hourly table (None when empty)."""
    if table != "air_station_hourly":
        raise ValueError(f"no hourly table {table!r}")
    first, last = con.execute(f"select min(ts), max(ts) from {table}").fetchall()[0]  # noqa: S608
    if first is None:
        return None
    return Period(first - dt.timedelta(hours=1), last)


def _row(expectation: str, severity: str, action: str, batch: str, element_count: int,
         unexpected: int, sample: str, success: bool | None = None) -> ResultRow:
    ok = unexpected == 0 if success is None else success
    return ResultRow(SUITE, expectation, severity, action, batch, ok, int(element_count),
                     int(unexpected), sample)


def station_hourly_checks(con: duckdb.DuckDBPyConnection, period: Period) -> list[ResultRow]:
    """Every SQL check of the hourly station data for the period."""
    batch = f"air_station_hourly {period.label}"
    station_days(con, period)
    rows = [
        *grain_and_hours(con, batch),
        stuck_instrument(con, batch, period),
        *completeness(con, batch, period),
        file_dates(con, batch, period),
        o3_8h_window(con, batch, period),
        unregistered_stations(con, batch, period),
        stations_without_region(con, batch, period),
    ]
    return [r for r in rows if r is not None]


def station_days(con: duckdb.DuckDBPyConnection, period: Period,
                 chunk: dt.timedelta = dt.timedelta(days=31)) -> None:
    """Fill temp table validation_station_days (sql/station_days.sql) chunk by chunk; the
    chunks end at midnight after the first, so natural days are never split."""
    sql = read_sql("station_days", SQL_PACKAGE)
    con.execute(f"create or replace temp table validation_station_days as {sql} limit 0",
                period.params)
    start = period.start
    while start < period.end:
        end = min(period.end, dt.datetime.combine((start + chunk).date(), dt.time()))
        con.execute(f"insert into validation_station_days {sql}",
                    {"period_start": start, "period_end": end})
        start = end


def grain_and_hours(con: duckdb.DuckDBPyConnection, batch: str) -> list[ResultRow]:
    """One value per station, hour and pollutant over all files; values on whole hours."""
    n, dup_groups, dup_values, off_hour = con.execute(
        "select coalesce(sum(hours), 0), count(*) filter (where hours > slots), "
        "coalesce(sum(hours - slots), 0), coalesce(sum(off_hour_values), 0) "
        "from validation_station_days"
    ).fetchall()[0]
    sample = "; ".join(
        f"{s} {p} {d} {h} values in {k} hour slots"
        for s, p, d, h, k in con.execute(
            "select station_code, pollutant, day, hours, slots from validation_station_days "
            "where hours > slots order by hours - slots desc, station_code, day limit 5"
        ).fetchall()
    )
    return [
        _row("grain_unique_table", "critical", "reject", batch, n, dup_values, sample),
        _row("ts_on_the_hour", "critical", "reject", batch, n, off_hour,
             f"{off_hour} values not on a whole hour" if off_hour else ""),
    ]


def stuck_instrument(con: duckdb.DuckDBPyConnection, batch: str, period: Period) -> ResultRow:
    """Values repeated unchanged for >= 24 consecutive hours (flag: the instrument is stuck),
    at or above the floor of STUCK_FLOOR_STEPS reporting steps."""
    floors = {p: STUCK_FLOOR_STEPS * 10.0 ** -decimals_for(p) for p in POLLUTANTS}
    con.register("validation_stuck_floors", pa.table({"pollutant": list(floors),
                                                      "floor": list(floors.values())}))
    try:
        sql = read_sql("stuck_runs", SQL_PACKAGE)
        runs = con.execute(sql, {"min_hours": STUCK_HOURS}).fetchall()
    finally:
        con.unregister("validation_stuck_floors")
    runs = [r for r in runs if r[4] > period.start and r[3] <= period.end]
    n = con.execute("select coalesce(sum(hours), 0) from validation_station_days").fetchall()[0][0]
    sample = "; ".join(
        f"{s} {p}={v:g} {a:%Y-%m-%d %H:%M}..{b:%Y-%m-%d %H:%M} ({h} h)"
        for s, p, v, a, b, h in runs[:5]
    )
    if len(runs) > 5:
        sample += f" (+{len(runs) - 5} more runs)"
    return _row(f"stuck_instrument_{STUCK_HOURS}h", "warning", "flag", batch, n,
                sum(r[5] for r in runs), sample)


def completeness(con: duckdb.DuckDBPyConnection, batch: str, period: Period) -> list[ResultRow]:
    """Station-days (per pollutant) with hours missing against the calendar; and those below
    GB 3095 Table 4's minimum for a daily value (20 hourly values)."""
    min_hours = load_rules(edition_for_date(period.end.date()))["validity"]["hours_per_day"]
    con.execute("create or replace temp table validation_completeness as "
                + read_sql("station_day_completeness", SQL_PACKAGE))
    total, short, invalid = con.execute(
        "select count(*), count(*) filter (where hours < $full), "
        "count(*) filter (where hours < $valid) from validation_completeness",
        {"full": FULL_DAY_HOURS, "valid": min_hours},
    ).fetchall()[0]

    def sample(limit_hours: int) -> str:
        found = con.execute(
            "select station_code, day, pollutant, hours from validation_completeness "
            "where hours < $h order by hours, day, station_code, pollutant limit 5",
            {"h": limit_hours},
        ).fetchall()
        return "; ".join(f"{s} {d} {p} {h} h" for s, d, p, h in found)

    return [
        _row("station_day_complete", "warning", "flag", batch, total, short,
             sample(FULL_DAY_HOURS)),
        _row("station_day_valid", "warning", "flag", batch, total, invalid, sample(min_hours)),
    ]


def file_dates(con: duckdb.DuckDBPyConnection, batch: str, period: Period) -> ResultRow:
    """Daily files whose loaded hours leave the date in their name."""
    files = con.execute(read_sql("file_dates", SQL_PACKAGE), period.params).fetchall()
    dated, bad = 0, []
    for source, first, last, n in files:
        day = file_date(source)
        if day is None:
            continue
        dated += 1
        start = dt.datetime.combine(day, dt.time())
        if first < start or last >= start + dt.timedelta(days=1):
            bad.append((source, first, last, n))
    sample = "; ".join(f"{s}: {a:%Y-%m-%d %H:%M}..{b:%Y-%m-%d %H:%M}" for s, a, b, _ in bad[:5])
    return _row("ts_within_file_date", "critical", "reject", batch, dated,
                sum(r[3] for r in bad), sample)


# Where published O3 8-h means live: the CNEMC loader's wide table, else the long table.
PUBLISHED_O3_8H = {
    "air_station_published_wide": "select station_code, ts, o3_8h as value "
                                  "from air_station_published_wide where o3_8h is not null",
    "air_station_published": "select station_code, ts, value from air_station_published "
                             "where type = 'o3_8h'",
}


def o3_8h_window(con: duckdb.DuckDBPyConnection, batch: str, period: Period) -> \
        ResultRow | None:
    """Published O3 8-h means above the largest 1-h O3 of their window (sampled stations)."""
    present = {name for (name,) in con.execute(
        "select table_name from information_schema.tables").fetchall()}
    source = next((sql for table, sql in PUBLISHED_O3_8H.items() if table in present), None)
    if source is None:
        return None
    con.execute(f"create or replace temp view validation_published_o3_8h as {source}")
    rules = load_rules(edition_for_date(period.end.date()))
    counts = con.execute(
        "select station_code, sum(hours) from validation_station_days where pollutant = 'o3' "
        "group by station_code order by hash(station_code), station_code").fetchall()
    total = sum(n for _, n in counts)
    modulus = max(1, math.ceil(total / O3_WINDOW_SAMPLE_VALUES))
    stations = [code for code, _ in counts[::modulus]]
    con.register("validation_o3_stations", pa.table({"station_code": pa.array(stations,
                                                                              pa.string())}))
    try:
        con.execute(read_sql("o3_8h_window", SQL_PACKAGE), {
            **period.params, "min_hours": rules["validity"]["hours_per_8h_window"]})
    finally:
        con.unregister("validation_o3_stations")
    n, bad = con.execute(
        "select count(*), count(*) filter (where exceeds) from validation_o3_8h").fetchall()[0]
    sample = "; ".join(
        f"{s} {t:%Y-%m-%d %H:%M} o3_8h={v:g} > max 1-h {m:g}"
        for s, t, v, m in con.execute(
            "select station_code, ts, o3_8h, max_1h from validation_o3_8h where exceeds "
            "order by o3_8h - max_1h desc, station_code, ts limit 5").fetchall()
    )
    label = batch if modulus == 1 else f"{batch} ({len(stations)} of {len(counts)} stations)"
    return _row("o3_8h_le_o3_1h_max", "warning", "flag", label, n, bad, sample)


def unregistered_stations(con: duckdb.DuckDBPyConnection, batch: str, period: Period) -> \
        ResultRow | None:
    """Hourly values of stations no station list registers (None when no registry at all)."""
    if not con.execute("select count(*) from stations where coalesce(registered, true)") \
            .fetchall()[0][0]:
        return None
    found = con.execute(read_sql("unregistered_stations", SQL_PACKAGE), period.params).fetchall()
    unknown = [(s, n) for s, n, known in found if not known]
    sample = ", ".join(f"{s} x{n}" for s, n in unknown[:5])
    if len(unknown) > 5:
        sample += f" (+{len(unknown) - 5} more stations)"
    return _row("station_registered", "warning", "flag", batch, sum(n for _, n, _ in found),
                sum(n for _, n in unknown), sample)


def stations_without_region(con: duckdb.DuckDBPyConnection, batch: str, period: Period) -> \
        ResultRow | None:
    """Listed stations with values but no region: one entry per station, with the reason
    (None when no listed station has values)."""
    found = con.execute(read_sql("stations_without_region", SQL_PACKAGE), period.params).fetchall()
    if not found:
        return None
    unassigned = [(code, name, note) for code, name, _, missing, note in found if missing]
    sample = "; ".join(f"{code} {name or ''}: {note or 'no city name'}"
                       for code, name, note in unassigned)
    return _row("station_has_region", "warning", "flag", batch, len(found), len(unassigned),
                sample)
