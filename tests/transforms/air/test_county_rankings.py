"""County rankings from a hand-built air_region_period: ascending concentrations, descending
good-day ratio, shared ranks at bulletin precision, change on last year."""

from __future__ import annotations

import pytest

from transforms.air.county_rankings import build_county_rankings
from transforms.warehouse import connect

PERIOD_COLUMNS = (
    "region_code varchar, period_type varchar, year integer, period_no integer, "
    "period varchar, as_of date, dust_deducted boolean, good_days integer, good_rate double, "
    "heavy_days integer, pm25 double, pm10 double, so2 double, no2 double, co_p95 double, "
    "o3_8h_p90 double, composite_index double, pm25_complete boolean default true, "
    "pm10_complete boolean default true, so2_complete boolean default true, "
    "no2_complete boolean default true, co_complete boolean default true, "
    "o3_8h_complete boolean default true, is_complete boolean default true"
)


@pytest.fixture
def wh(tmp_path):
    con = connect(tmp_path / "wh.duckdb")
    con.execute(
        "insert into regions (region_code, name, name_en, level, parent_code) values "
        "('100000', '某省', null, 'province', null), "
        "('100100', '甲市', null, 'city', '100000'), ('100200', '丁市', null, 'city', '100000'), "
        "('100101', '乙县', null, 'county', '100100'), "
        "('100102', '丙县', null, 'county', '100100'), "
        "('100103', '戊县', null, 'county', '100100')"
    )
    con.execute(f"create table air_region_period ({PERIOD_COLUMNS})")
    yield con
    con.close()


def add(con, region: str, year: int, pm25: float, good_rate: float) -> None:
    con.execute(
        "insert into air_region_period (region_code, period_type, year, period_no, period, as_of, "
        "dust_deducted, good_days, good_rate, heavy_days, pm25, pm10, so2, no2, co_p95, "
        "o3_8h_p90, composite_index) values (?, 'year', ?, null, ?, null, true, 300, ?, 1, "
        "?, 60, 10, 30, 1.0, 150, 4.0)",
        [region, year, str(year), good_rate, pm25],
    )


def test_rankings_of_counties_and_cities(wh):
    for region, now, last, rate in (
        ("100101", 30.2, 40.0, 90.0), ("100102", 29.9, 30.0, 90.04), ("100103", 50.0, 45.0, 80.0),
        ("100100", 35.0, 40.0, 88.0), ("100200", 20.0, 25.0, 95.0),
    ):
        add(wh, region, 2024, last, rate)
        add(wh, region, 2025, now, rate)
    assert build_county_rankings(wh) == 5 * 10 * 2
    pm = wh.execute(
        "select region_code, rank, improvement_rank, change, n from ("
        " select *, regions_ranked as n from county_rankings"
        " where indicator = 'pm25_mean' and parent_code = '100100' and year = 2025)"
        " order by region_code"
    ).fetchall()
    # 30.2 and 29.9 both print as 30: shared rank 1; improvement by percent change
    assert pm == [
        ("100101", 1, 1, pytest.approx(-9.8), 3),
        ("100102", 1, 2, pytest.approx(-0.1), 3),
        ("100103", 3, 3, pytest.approx(5.0), 3),
    ]
    rate = dict(wh.execute(
        "select region_code, rank from county_rankings where indicator = 'good_rate' "
        "and parent_code = '100100' and year = 2025"
    ).fetchall())
    assert rate == {"100101": 1, "100102": 1, "100103": 3}  # 90.0 and 90.04 print as 90.0
    cities = dict(wh.execute(
        "select region_code, rank from county_rankings where indicator = 'pm25_mean' "
        "and parent_code = '100000' and year = 2025"
    ).fetchall())
    assert cities == {"100200": 1, "100100": 2}
    first_year = wh.execute(
        "select count(*) from county_rankings where year = 2024 and improvement_rank is null"
    ).fetchone()[0]
    assert first_year == 5 * 10  # no last year to compare with


def test_float_noise_does_not_move_a_value_across_a_rounding_boundary(wh):
    # 1.35 summed in two thread orders: the two must print as 1.4 and share a rank
    for region, co in (("100101", 1.3500000000000003), ("100102", 1.3499999999999999)):
        add(wh, region, 2025, 30.0, 90.0)
        wh.execute("update air_region_period set co_p95 = ? where region_code = ?", [co, region])
    build_county_rankings(wh)
    ranks = wh.execute(
        "select region_code, rank from county_rankings where indicator = 'co_p95' "
        "and parent_code = '100100' and year = 2025 order by region_code"
    ).fetchall()
    assert ranks == [("100101", 1), ("100102", 1)]


def test_incomplete_statistics_are_flagged_not_ranked(wh):
    # 100102's 2025 PM2.5 is not complete (GB 3095 Table 4): its PM2.5 and index are shown as
    # 数据不足 without a rank; 100101 (30) and 100103 (50) are ranked 1 and 2 among the two
    # complete ones; the good-day ratio needs no minimum, so all three keep a rank there
    for region, pm25 in (("100101", 30.0), ("100102", 20.0), ("100103", 50.0)):
        add(wh, region, 2025, pm25, 90.0)
    wh.execute(
        "update air_region_period set pm25_complete = false, is_complete = false"
        " where region_code = '100102'"
    )
    build_county_rankings(wh)
    rows = dict(
        ((r[0], r[1]), r[2:])
        for r in wh.execute(
            "select region_code, indicator, ranking_status, rank, regions_ranked"
            " from county_rankings where parent_code = '100100' and year = 2025"
        ).fetchall()
    )
    assert rows[("100102", "pm25_mean")] == ("insufficient_data", None, 2)
    assert rows[("100102", "composite_index")] == ("insufficient_data", None, 2)
    assert rows[("100101", "pm25_mean")] == ("ranked", 1, 2)
    assert rows[("100103", "pm25_mean")] == ("ranked", 2, 2)
    assert rows[("100102", "good_rate")][0] == "ranked"
