"""Air marts on tiny hand-made warehouses whose answers are worked out by hand.

Regions: province 440000 > city 440100 > counties 440103, 440104, 440105; a second city
440200. Stations: S1 in 440103 and S2 in 440104 count for the city; S3 in 440104 is a
control station (对照点); S4 in 440104 counts for its county only; S5 in 440105; S6 in 440200.
Hourly values are hour-ending: hour k (1..24) of natural day D is ts = D + k hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.oracles.hj663_percentile import hj663_percentile
from transforms.air.marts import build_air, ensure_dust_flags_table
from transforms.pollutants import POLLUTANTS
from transforms.warehouse import connect

# A clean day: every IAQI <= 50 in both editions (daily AQI 2012 and 2026).
CLEAN = {"pm25": 20.0, "pm10": 40.0, "so2": 8.0, "no2": 20.0, "co": 0.5, "o3": 60.0}
REGIONS = [
    ("440000", "省", "province", None),
    ("440100", "甲市", "city", "440000"),
    ("440103", "甲区", "county", "440100"),
    ("440104", "乙区", "county", "440100"),
    ("440105", "丙区", "county", "440100"),
    ("440200", "乙市", "city", "440000"),
]
STATIONS = [  # code, region, is_background, city_assessment
    ("S1", "440103", False, True),
    ("S2", "440104", False, True),
    ("S3", "440104", True, False),
    ("S4", "440104", False, False),
    ("S5", "440105", False, False),
    ("S6", "440200", False, False),
]
Values = float | Sequence[float | None] | None


@pytest.fixture
def con(tmp_path) -> Iterable[duckdb.DuckDBPyConnection]:
    con = connect(tmp_path / "air.duckdb")
    con.executemany(
        "insert into regions (region_code, name, level, parent_code) values (?, ?, ?, ?)",
        REGIONS,
    )
    con.executemany(
        "insert into stations (station_code, region_code, is_background, city_assessment)"
        " values (?, ?, ?, ?)",
        STATIONS,
    )
    yield con
    con.close()


def add_days(
    con: duckdb.DuckDBPyConnection, station: str, first: str, n_days: int = 1,
    **values: Values,
) -> None:
    """Insert n_days natural days of hourly values for one station from date `first`.

    Each pollutant is CLEAN unless given: a constant, 24 hourly values (None = missing,
    repeated every day), or None for no values at all.
    """
    start = dt.date.fromisoformat(first)
    rows = []
    for pollutant in POLLUTANTS:
        given = values.get(pollutant, CLEAN[pollutant])
        if given is None:
            continue
        hourly = [given] * 24 if np.ndim(given) == 0 else list(given)
        assert len(hourly) == 24
        for d in range(n_days):
            day = dt.datetime.combine(start + dt.timedelta(days=d), dt.time())
            rows += [
                (station, day + dt.timedelta(hours=k + 1), pollutant, float(v))
                for k, v in enumerate(hourly) if v is not None
            ]
    frame = pd.DataFrame(rows, columns=["station_code", "ts", "pollutant", "value"])
    con.register("new_rows", frame)
    con.execute(
        "insert into air_station_hourly select station_code, ts, pollutant, value,"
        " 'audited', 'test' from new_rows"
    )
    con.unregister("new_rows")


def daily(con: duckdb.DuckDBPyConnection, region: str, date: str) -> dict:
    rel = con.execute(
        "select * from air_city_daily where region_code = ? and date = ?", [region, date]
    )
    names = [c[0] for c in rel.description]
    rows = rel.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def period(
    con: duckdb.DuckDBPyConnection, region: str, label: str, dust_deducted: bool = False
) -> dict:
    rel = con.execute(
        "select * from air_region_period where region_code = ? and period = ?"
        " and dust_deducted = ?",
        [region, label, dust_deducted],
    )
    names = [c[0] for c in rel.description]
    rows = rel.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def test_day_with_19_valid_hours_has_no_daily_mean(con):
    # GB 3095 Table 4: a daily mean needs >= 20 valid hourly values.
    add_days(con, "S5", "2025-01-01", pm25=[30.0] * 19 + [None] * 5)
    add_days(con, "S5", "2025-01-02", pm25=[30.0] * 20 + [None] * 4)
    build_air(con)
    short = daily(con, "440105", "2025-01-01")
    assert short["pm25_hours"] == 19 and short["pm25"] is None
    assert short["is_valid"] is False and short["is_good"] is None
    enough = daily(con, "440105", "2025-01-02")
    assert enough["pm25_hours"] == 20 and enough["pm25"] == 30.0
    assert enough["is_valid"] is True


def test_hour_00_belongs_to_the_previous_day(con):
    # ts D+1 00:00 covers 23:00-24:00 of day D: it is hour 24 of D, not hour 1 of D+1.
    add_days(con, "S5", "2025-01-01", pm25=[10.0] * 23 + [250.0])
    build_air(con)
    day = daily(con, "440105", "2025-01-01")
    assert day["pm25"] == pytest.approx((23 * 10 + 250) / 24)
    assert day["pm25_hours"] == 24
    hourly = con.execute(
        "select ts, value from air_region_hourly where region_code = '440105'"
        " and pollutant = 'pm25' and value = 250"
    ).fetchall()
    assert hourly == [(dt.datetime(2025, 1, 2, 0, 0), 250.0)]


def test_mda8_windows_do_not_cross_midnight(con):
    # O3 is 200 in the last 4 hours of 1 Jan and the first 4 of 2 Jan, 50 otherwise. A window
    # across midnight would see 8 x 200; inside each day the best window holds 4 x 200.
    add_days(con, "S5", "2025-01-01", o3=[50.0] * 20 + [200.0] * 4)
    add_days(con, "S5", "2025-01-02", o3=[200.0] * 4 + [50.0] * 20)
    build_air(con)
    for date in ("2025-01-01", "2025-01-02"):
        day = daily(con, "440105", date)
        assert day["o3_8h"] == pytest.approx((4 * 200 + 4 * 50) / 8)  # 125
        assert day["o3_8h_windows"] == 17  # windows ending 08:00 .. 24:00
        assert day["o3_1h"] == 200.0


def test_mda8_validity_needs_14_windows_unless_over_the_limit(con):
    # Hours 1..10 only: windows ending 08:00 .. 12:00 have >= 6 valid hours -> 5 windows.
    add_days(con, "S5", "2025-01-01", o3=[60.0] * 10 + [None] * 14)
    add_days(con, "S5", "2025-01-02", o3=[170.0] * 10 + [None] * 14)
    build_air(con)
    low = daily(con, "440105", "2025-01-01")
    assert low["o3_8h_windows"] == 5 and low["o3_8h"] is None
    high = daily(con, "440105", "2025-01-02")  # HJ 663-2013: valid when MDA8 > 160
    assert high["o3_8h_windows"] == 5 and high["o3_8h"] == 170.0


def test_control_station_is_excluded_from_city_and_county(con):
    add_days(con, "S1", "2025-01-01", pm25=30.0)
    add_days(con, "S2", "2025-01-01", pm25=50.0)
    add_days(con, "S3", "2025-01-01", pm25=500.0)  # 对照点
    add_days(con, "S4", "2025-01-01", pm25=10.0)  # county only, not city assessment
    build_air(con)
    members = con.execute(
        "select region_code, list(station_code order by station_code) from air_region_stations"
        " group by region_code order by region_code"
    ).fetchall()
    assert members == [
        ("440100", ["S1", "S2"]), ("440103", ["S1"]), ("440104", ["S2", "S4"]),
        ("440105", ["S5"]), ("440200", ["S6"]),
    ]
    assert daily(con, "440100", "2025-01-01")["pm25"] == 40.0
    assert daily(con, "440104", "2025-01-01")["pm25"] == 30.0
    n = con.execute(
        "select n_stations from air_region_hourly where region_code = '440100'"
        " and pollutant = 'pm25' limit 1"
    ).fetchall()
    assert n == [(2,)]


def test_city_aqi_comes_from_mean_concentrations(con):
    # PM2.5 35 and 250: mean 142.5 -> 142 (half even) -> IAQI 150 + 50 x 27/35 = 188.6 -> 189
    # (HJ 633-2012). Averaging the station AQIs (50 and 300) would give 175.
    add_days(con, "S1", "2025-01-01", pm25=35.0)
    add_days(con, "S2", "2025-01-01", pm25=250.0)
    build_air(con)
    day = daily(con, "440100", "2025-01-01")
    assert day["pm25"] == 142.5
    assert day["aqi"] == 189
    assert day["primary_pollutants"] == "pm25"
    assert day["category"] == "中度污染" and day["level"] == 4


def test_edition_switches_on_2026_03_01(con):
    # PM2.5 daily mean 70: 2012 IAQI 50 + 50 x 35/40 = 93.75 -> 94 (good);
    # 2026 IAQI 100 + 50 x 10/55 = 109.1 -> 110 (not good).
    add_days(con, "S5", "2026-02-28", 2, pm25=70.0)
    build_air(con)
    before = daily(con, "440105", "2026-02-28")
    after = daily(con, "440105", "2026-03-01")
    assert (before["edition"], before["aqi"], before["is_good"]) == ("2012", 94, True)
    assert (after["edition"], after["aqi"], after["is_good"]) == ("2026", 110, False)
    build_air(con, edition="2012")  # a straddling year reported the old way
    assert daily(con, "440105", "2026-03-01")["aqi"] == 94
    build_air(con, edition="2026")
    assert daily(con, "440105", "2026-02-28")["aqi"] == 110


def test_good_rate_counts_valid_days_only(con):
    add_days(con, "S5", "2025-01-01", 2)  # two clean days
    add_days(con, "S5", "2025-01-03", pm25=100.0)  # 2012 IAQI 132: exceedance
    add_days(con, "S5", "2025-01-04", pm25=[300.0] * 19 + [None] * 5)  # invalid day
    add_days(con, "S6", "2025-01-31")  # another city's data: the calendar runs to 31 Jan
    build_air(con)
    jan = period(con, "440105", "2025-01")
    assert jan["calendar_days"] == 31 and jan["is_partial"] is False
    assert (jan["valid_days"], jan["good_days"], jan["exceedance_days"]) == (3, 2, 1)
    # 2 / 3 = 66.666..% published to 0.1 % (GB/T 8170): 66.7; the exact value kept beside it
    assert jan["good_rate"] == 66.7
    assert jan["good_rate_unrounded"] == pytest.approx(200 / 3)
    # (20 + 20 + 100) / 3 = 46.67 (the 19-hour day has no mean), published as 47
    assert jan["pm25"] == 47.0
    assert jan["pm25_unrounded"] == pytest.approx((20 + 20 + 100) / 3)
    assert jan["is_complete"] is False  # 3 daily values, 27 needed


def test_percentiles_use_k_equals_1_plus_n_minus_1_p(con):
    # HJ 663 worked example {3, 4, 8, 2, 5, 4} at p = 0.9 -> 6.5, as O3 MDA8 values.
    mda8 = [3.0, 4.0, 8.0, 2.0, 5.0, 4.0]
    for i, value in enumerate(mda8):
        add_days(con, "S5", f"2025-01-0{i + 1}", o3=value, so2=value)
    build_air(con)
    jan = period(con, "440105", "2025-01")
    assert jan["o3_8h_p90_unrounded"] == pytest.approx(6.5)
    assert jan["o3_8h_p90"] == 6.0  # 6.5 published half to even: 6
    # SO2 98th: k = 1 + 5 x 0.98 = 5.9 -> 5 + 0.9 x (8 - 5) = 7.7, published 8
    assert jan["so2_p98_unrounded"] == pytest.approx(7.7)
    assert jan["so2_p98_unrounded"] == pytest.approx(hj663_percentile(mda8, 0.98))
    assert jan["so2_p98"] == 8.0


def test_composite_index_of_a_hand_period(con):
    # docs/standards.md §4 worked check: 21/35 + 39/70 + 9/60 + 15/40 + 192/160 + 0.7/4 = 3.06.
    add_days(con, "S5", "2025-01-01", 31, pm25=21.0, pm10=39.0, so2=9.0, no2=15.0, co=0.7,
             o3=192.0)
    build_air(con)
    jan = period(con, "440105", "2025-01")
    # exact sum 3.0571428571..., published with 2 decimals: 3.06
    assert jan["composite_index_unrounded"] == pytest.approx(3.0571428571)
    assert jan["composite_index"] == 3.06
    assert jan["primary_pollutant"] == "o3_8h"
    assert jan["o3_8h_p90_exceedance_multiple"] == pytest.approx(0.2)  # (192 - 160) / 160
    assert jan["pm25_exceedance_multiple"] is None  # 21 <= 35
    assert jan["o3_compliant"] is False and jan["pm25_compliant"] is True
    assert jan["is_compliant"] is False
    assert jan["is_complete"] is True and jan["valid_days"] == 31


def test_year_on_year_and_ytd(con):
    add_days(con, "S5", "2024-01-01", 31, pm25=40.0)
    add_days(con, "S5", "2025-01-01", 31, pm25=30.0)
    build_air(con, as_of=dt.date(2025, 1, 10))
    jan = period(con, "440105", "2025-01")
    assert jan["pm25_yoy_pct"] == pytest.approx(-25.0)
    assert jan["pm25_last_year"] == 40.0
    ytd = period(con, "440105", "2025-YTD")
    assert (ytd["period_start"], ytd["period_end"]) == (dt.date(2025, 1, 1), dt.date(2025, 1, 10))
    assert ytd["valid_days"] == 10
    last_ytd = period(con, "440105", "2024-YTD")
    assert last_ytd["period_end"] == dt.date(2024, 1, 10) and last_ytd["valid_days"] == 10
    # 10 days gone, none missing: the year can still reach 324 days -> complete so far
    assert ytd["is_complete"] is True and ytd["is_partial"] is False
    year = period(con, "440105", "2025")
    assert year["is_partial"] is True and year["as_of"] == dt.date(2025, 1, 31)
    annual = con.execute(
        "select period_type, as_of, valid_days from air_region_annual"
        " where region_code = '440105' and year = 2025 and not dust_deducted order by 1"
    ).fetchall()
    assert annual == [("year", dt.date(2025, 1, 31), 31), ("ytd", dt.date(2025, 1, 10), 10)]


def test_month_completeness_needs_27_days(con):
    add_days(con, "S5", "2025-01-01", 27)
    add_days(con, "S5", "2025-03-01", 26)
    add_days(con, "S5", "2025-03-31")
    add_days(con, "S5", "2025-02-01", 25)
    build_air(con)
    assert period(con, "440105", "2025-01")["pm25_complete"] is True
    assert period(con, "440105", "2025-02")["pm25_complete"] is True  # 25 in February
    march = period(con, "440105", "2025-03")
    assert march["pm25_days"] == 27 and march["pm25_complete"] is True
    assert period(con, "440105", "2025-Q1")["is_complete"] is True


def test_rank_ties_share_a_rank(con):
    add_days(con, "S1", "2025-01-01", 3)
    add_days(con, "S2", "2025-01-01", 3)
    add_days(con, "S5", "2025-01-01", 3, pm25=60.0)
    build_air(con)
    ranks = con.execute(
        "select region_code, composite_index_rank, pm25_rank, good_rate_rank, regions_ranked"
        " from air_rankings where period = '2025-01' and not dust_deducted"
        " and parent_code = '440100' order by region_code"
    ).fetchall()
    assert ranks == [("440103", 1, 1, 1, 3), ("440104", 1, 1, 1, 3), ("440105", 3, 3, 1, 3)]


def test_dust_deduction(con):
    # 10 days: 8 clean, 2 dust days with PM10 400 (2012 IAQI 272, heavy), 1 dust day clean.
    add_days(con, "S5", "2025-04-01", 8)
    add_days(con, "S5", "2025-04-09", 2, pm10=400.0)
    add_days(con, "S5", "2025-04-11")
    # flagged on the city: its counties inherit the flag
    ensure_dust_flags_table(con)
    con.executemany(
        "insert into air_dust_flags values ('440100', ?, 'CNEMC dust episode')",
        [["2025-04-09"], ["2025-04-10"], ["2025-04-11"]],
    )
    build_air(con)
    assert daily(con, "440105", "2025-04-09")["is_dust_exceedance"] is True
    assert daily(con, "440105", "2025-04-11")["is_dust"] is True
    raw = period(con, "440105", "2025-04")
    assert (raw["valid_days"], raw["good_days"], raw["heavy_days"]) == (11, 9, 2)
    assert raw["good_rate"] == 81.8  # 9 / 11 = 81.818..% -> 81.8
    assert raw["good_rate_unrounded"] == pytest.approx(900 / 11)
    assert raw["pm10"] == 105.0  # (9 x 40 + 2 x 400) / 11 = 105.45 -> 105
    assert raw["pm10_unrounded"] == pytest.approx((9 * 40 + 2 * 400) / 11)
    assert raw["dust_days"] == 3
    deducted = period(con, "440105", "2025-04", dust_deducted=True)
    assert (deducted["valid_days"], deducted["good_days"], deducted["heavy_days"]) == (9, 9, 0)
    assert deducted["good_rate"] == 100.0
    assert deducted["pm10"] == 40.0  # the three dust days leave the PM statistics
    assert deducted["so2"] == raw["so2"]  # gases are not deducted
    assert deducted["composite_index"] < raw["composite_index"]
    assert deducted["pm10_days"] == raw["pm10_days"] == 11  # completeness before deduction


def test_rankings_national_within_province_and_named_lists(con):
    # a municipality: one region, level city, no parent (北京 110000), with its own station
    con.execute("insert into regions (region_code, name, level, parent_code) values "
                "('110000', '北京市', 'city', null)")
    con.execute("insert into stations (station_code, region_code, is_background, "
                "city_assessment) values ('S7', '110000', false, false)")
    con.execute("insert into ranking_lists values ('mine', '440200', '乙市'), "
                "('mine', '110000', '北京市')")
    add_days(con, "S1", "2025-01-01", 3)               # 440100: PM2.5 20 (via S1 and S2)
    add_days(con, "S2", "2025-01-01", 3)
    add_days(con, "S6", "2025-01-01", 3, pm25=60.0)    # 440200: PM2.5 60
    add_days(con, "S7", "2025-01-01", 3, pm25=40.0)    # 110000: PM2.5 40
    build_air(con)

    def ranks(scope: str, code: str) -> list[tuple]:
        return con.execute(
            "select region_code, composite_index_rank, pm25_rank, pm10_rank, regions_ranked"
            " from air_rankings where period = '2025-01' and not dust_deducted"
            " and scope = ? and scope_code = ? order by region_code", [scope, code]
        ).fetchall()

    # the other five indicators are equal, so the index orders as PM2.5 does; PM10 ties
    assert ranks("national", "CN") == [
        ("110000", 2, 2, 1, 3), ("440100", 1, 1, 1, 3), ("440200", 3, 3, 1, 3)]
    assert ranks("province", "440000") == [("440100", 1, 1, 1, 2), ("440200", 2, 2, 1, 2)]
    assert ranks("province", "110000") == []  # a municipality has no province to rank in
    assert ranks("list", "mine") == [("110000", 1, 1, 1, 2), ("440200", 2, 2, 1, 2)]
    counties = ranks("city", "440100")
    assert [r[0] for r in counties] == ["440103", "440104", "440105"]
