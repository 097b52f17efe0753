"""Cross-file checks in SQL: stuck instruments, completeness, grain, O3 8-h, file dates."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from expectations.warehouse_checks import Period, station_hourly_checks, table_period
from transforms.ingest.cnemc_load import ensure_tables

D = dt.datetime(2019, 1, 1)  # files 2019-01-01 .. 2019-01-05


def insert(con, rows: list[tuple], source: str | None = None):
    """Rows (station, ts, pollutant, value[, source_file]) into air_station_hourly."""
    con.register("incoming", pa.table({
        "station_code": [r[0] for r in rows],
        "ts": pa.array([r[1] for r in rows], pa.timestamp("us")),
        "pollutant": [r[2] for r in rows],
        "value": pa.array([r[3] for r in rows], pa.float64()),
        "source_file": [r[4] if len(r) > 4 else source or f"china_sites_{r[1]:%Y%m%d}.csv"
                        for r in rows],
        "data_kind": ["realtime"] * len(rows),
    }))
    con.execute("insert into air_station_hourly by name select * from incoming")
    con.unregister("incoming")


def series(station: str, pollutant: str, values: dict[int, float]) -> list[tuple]:
    """Hourly rows at D + hour for each {hour: value}."""
    return [(station, D + dt.timedelta(hours=h), pollutant, v) for h, v in values.items()]


def varying(hours: range, offset: float = 0) -> dict[int, float]:
    return {h: 20 + offset + (h * 7) % 13 for h in hours}


def checks(con, period: Period | None = None) -> dict[str, object]:
    rows = station_hourly_checks(con, period or table_period(con))
    return {r.expectation: r for r in rows}


FIVE_DAYS = range(0, 5 * 24)


def test_stuck_instrument_needs_24_consecutive_equal_hours(warehouse):
    values = varying(FIVE_DAYS)
    for h in range(30, 53):  # 23 hours of 47 (06:00 day 2 .. 04:00 day 3)
        values[h] = 47.0
    insert(warehouse, series("S1", "pm10", values))
    stuck = checks(warehouse)["stuck_instrument_24h"]
    assert (stuck.success, stuck.unexpected_count) == (True, 0)

    values[53] = 47.0  # the 24th hour
    warehouse.execute("delete from air_station_hourly")
    insert(warehouse, series("S1", "pm10", values))
    stuck = checks(warehouse)["stuck_instrument_24h"]
    assert (stuck.success, stuck.unexpected_count) == (False, 24)
    assert stuck.unexpected_sample == "S1 pm10=47 2019-01-02 06:00..2019-01-03 05:00 (24 h)"
    assert stuck.severity == "warning" and stuck.action == "flag"


def test_stuck_run_broken_by_a_missing_hour_is_not_consecutive(warehouse):
    values = varying(FIVE_DAYS)
    for h in range(30, 60):
        values[h] = 55.0
    del values[45]  # 15 + 14 equal values around a gap
    insert(warehouse, series("S2", "so2", values))
    assert checks(warehouse)["stuck_instrument_24h"].unexpected_count == 0


def test_stuck_values_near_the_reporting_resolution_are_not_judged(warehouse):
    low_so2, low_co, high_co = varying(FIVE_DAYS), varying(FIVE_DAYS), varying(FIVE_DAYS)
    for h in range(10, 40):
        low_so2[h], low_co[h], high_co[h] = 3.0, 0.5, 1.2  # floors: 10 µg/m³, CO 1.0 mg/m³
    insert(warehouse, series("S1", "so2", low_so2) + series("S1", "co", high_co)
           + series("S2", "co", low_co))
    stuck = checks(warehouse)["stuck_instrument_24h"]
    assert stuck.unexpected_count == 30
    assert stuck.unexpected_sample == "S1 co=1.2 2019-01-01 10:00..2019-01-02 15:00 (30 h)"


def test_completeness_per_station_day_against_the_calendar(warehouse):
    values = varying(FIVE_DAYS)
    for h in (20, 21, 22):  # day 1 (natural day 2019-01-01 = hours 1..24): 21 of 24 hours
        del values[h]
    for h in range(49, 73):  # natural day 2019-01-03 (hours 49..72): no value at all
        del values[h]
    for h in (80, 81, 82, 83, 84):  # natural day 2019-01-04: 19 hours, below 20
        del values[h]
    insert(warehouse, series("S1", "pm25", values))
    found = checks(warehouse)
    complete, valid = found["station_day_complete"], found["station_day_valid"]
    # calendar: natural days 2019-01-01 .. 2019-01-04 (the data end at 2019-01-05 23:00, so
    # the 5th lacks its 24:00 value and is not judged); hour 0 of the 1st belongs to 12-31
    assert complete.element_count == 4
    assert complete.unexpected_count == 3
    assert complete.unexpected_sample == (
        "S1 2019-01-03 pm25 0 h; S1 2019-01-04 pm25 19 h; S1 2019-01-01 pm25 21 h")
    assert valid.unexpected_count == 2
    assert valid.unexpected_sample == "S1 2019-01-03 pm25 0 h; S1 2019-01-04 pm25 19 h"


def test_grain_over_files_and_hours_on_the_hour(warehouse):
    insert(warehouse, series("S1", "no2", varying(range(1, 25))))
    insert(warehouse, [("S1", D + dt.timedelta(hours=5), "no2", 99.0, "corrected.csv")])
    insert(warehouse, [("S2", D + dt.timedelta(hours=5, minutes=30), "no2", 9.0)])
    found = checks(warehouse)
    assert (found["grain_unique_table"].success, found["grain_unique_table"].unexpected_count) \
        == (False, 1)
    assert found["grain_unique_table"].unexpected_sample == \
        "S1 no2 2019-01-01 25 values in 24 hour slots"
    assert found["grain_unique_table"].severity == "critical"
    assert found["ts_on_the_hour"].unexpected_count == 1


def test_published_o3_8h_above_its_window_maximum(warehouse):
    o3 = {h: 40.0 + h for h in range(0, 24)}
    insert(warehouse, series("S1", "o3", o3))
    ensure_tables(warehouse)  # the CNEMC loader's wide table of published values
    o3_8h = {h: 36.5 + h for h in range(7, 24)}
    o3_8h[12] = 60.0  # the window 05..12 holds 45..52
    o3_8h[3] = 99.0  # its window holds 4 values only: not judged
    warehouse.executemany(
        "insert into air_station_published_wide (station_code, ts, o3_8h, data_kind, "
        "source_file) values ('S1', ?, ?, 'realtime', 'f.csv')",
        [[D + dt.timedelta(hours=h), v] for h, v in o3_8h.items()])
    result = checks(warehouse)["o3_8h_le_o3_1h_max"]
    assert (result.element_count, result.unexpected_count) == (17, 1)
    assert result.unexpected_sample == "S1 2019-01-01 12:00 o3_8h=60 > max 1-h 52"


def test_file_dates_and_unregistered_stations(warehouse):
    warehouse.execute("insert into stations (station_code) values ('S1')")
    insert(warehouse, series("S1", "co", {h: 0.5 for h in range(0, 24)}))
    insert(warehouse, [("S3", D + dt.timedelta(hours=30), "co", 0.7, "china_sites_20190101.csv")])
    found = checks(warehouse)
    dates = found["ts_within_file_date"]
    assert (dates.success, dates.element_count, dates.unexpected_count) == (False, 1, 25)
    assert dates.unexpected_sample == \
        "china_sites_20190101.csv: 2019-01-01 00:00..2019-01-02 06:00"
    unregistered = found["station_registered"]
    assert (unregistered.unexpected_count, unregistered.unexpected_sample) == (1, "S3 x1")


def test_period_restricts_the_checks_to_its_days(warehouse):
    values = varying(FIVE_DAYS)
    for h in range(49, 73):
        del values[h]
    insert(warehouse, series("S1", "pm25", values))
    later = checks(warehouse, Period.of_days(dt.date(2019, 1, 4), dt.date(2019, 1, 5)))
    assert later["station_day_complete"].unexpected_count == 0
    assert "2019-01-04 01:00..2019-01-06 00:00" in later["station_day_complete"].batch
