"""The as-of date, decided in one place for every domain.

Each domain (air, water) has its own last day with data. Without --as-of, a domain's marts
and targets stand on that day; the run's as-of (the key of target_progress) is the later of
the two. With --as-of beyond a domain's last day, the days between are missing, not elapsed:
that domain's targets count their days so far, pace and projection from its last data day
(target_progress.data_as_of), so water ten days ahead of air never shortens an air target's
remaining days. An --as-of before the last day simply cuts the data there.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from transforms.warehouse import table_exists

DOMAINS = ("air", "water")
# the last natural day with data (fixed texts, no user input): air from the daily mart every
# air consumer reads (its calendar may run on past the data with empty days, which do not
# count), else from the hour-ending station timestamps (hour 00:00 closes the day before);
# water from the sample times
LAST_DAY_SQL = {
    "air_city_daily": "select max(date) from air_city_daily"
    " where coalesce(pm25, pm10, so2, no2, co, o3_8h, o3_1h) is not null",
    "air_station_hourly": "select cast(max(ts) - interval 1 hour as date) from air_station_hourly",
    "water_section_samples": "select cast(max(sampled_at) as date) from water_section_samples",
}
SOURCE_TABLES = {
    "air": ("air_city_daily", "air_station_hourly"),
    "water": ("water_section_samples",),
}


def last_data_day(con: duckdb.DuckDBPyConnection, domain: str) -> dt.date | None:
    """The last day with data of a domain, None when it has none (or no table yet)."""
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
    for table in SOURCE_TABLES[domain]:
        if table_exists(con, table):
            return con.execute(LAST_DAY_SQL[table]).fetchall()[0][0]
    return None


def domain_as_of(
    con: duckdb.DuckDBPyConnection, domain: str, requested: dt.date | None
) -> dt.date:
    """The day a domain's figures stand on: its last data day, or the requested day when that
    is earlier; the requested day (else today) when the domain has no data."""
    last = last_data_day(con, domain)
    if last is None:
        return requested or dt.date.today()
    return last if requested is None else min(requested, last)


def run_as_of(con: duckdb.DuckDBPyConnection, requested: dt.date | None) -> dt.date:
    """The as-of of a run (target_progress.as_of): the requested day, else the later of the
    domains' last data days (today when there is no data at all)."""
    if requested is not None:
        return requested
    days = [d for d in (last_data_day(con, name) for name in DOMAINS) if d is not None]
    return max(days) if days else dt.date.today()
