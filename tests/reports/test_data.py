"""reports.data: each table of a report, against the small warehouse whose values are known."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from reports import data
from tests.reports.conftest import AS_OF, CITY, COUNTY_A, COUNTY_B, START, aqi_of, primary_of

SCOPE = data.Scope(CITY, 2026, AS_OF)


@pytest.fixture
def con(report_warehouse):
    c = duckdb.connect(str(report_warehouse), read_only=True)
    yield c
    c.close()


def days(first: dt.date, last: dt.date):
    while first <= last:
        yield first
        first += dt.timedelta(days=1)


def test_targets_take_the_latest_verdict_of_the_year(con):
    df = data.targets(con, SCOPE)
    assert sorted(df["indicator"]) == ["good_days", "heavy_days", "pm25_mean"]
    assert set(df["as_of"]) == {AS_OF}
    good = df[df["indicator"] == "good_days"].iloc[0]
    assert (good["actual"], good["good_days_needed"], good["status"]) == (61.0, 239, "off_track")
    # an earlier as-of date gives the verdict of that day
    early = data.targets(con, data.Scope(CITY, 2026, dt.date(2026, 3, 1)))
    assert early["actual"].tolist() == [40.0]


def test_good_days_are_cumulative_per_year(con):
    df = data.good_days(con, SCOPE)
    this = df[df["year"] == 2026]
    last = df[df["year"] == 2025]
    expected_2026 = sum(aqi_of(d, CITY) <= 100 for d in days(dt.date(2026, 1, 1), AS_OF))
    expected_2025 = sum(aqi_of(d, CITY) <= 100 for d in days(START, dt.date(2025, 12, 31)))
    assert this["cumulative_good_days"].iloc[-1] == expected_2026
    assert last["cumulative_good_days"].iloc[-1] == expected_2025
    assert len(last) == 365 and len(this) == 90
    assert this["day_of_year"].tolist() == list(range(1, 91))
    assert this["cumulative_good_days"].is_monotonic_increasing


def test_running_means_end_at_the_year_to_date_mean(con):
    df = data.running_means(con, SCOPE)
    values = [aqi_of(d, CITY) * 0.5 for d in days(dt.date(2026, 1, 1), AS_OF)]
    assert df["pm25_ytd_mean"].iloc[-1] == pytest.approx(sum(values) / len(values))
    assert df["pm25_ytd_mean"].iloc[1] == pytest.approx((values[0] + values[1]) / 2)
    assert df["pm10_ytd_mean"].iloc[-1] == pytest.approx(1.8 * df["pm25_ytd_mean"].iloc[-1])


def test_aqi_calendar_has_one_row_a_day_of_the_year(con):
    df = data.aqi_calendar(con, SCOPE)
    assert len(df) == 90
    first = df.iloc[0]
    assert (first["date"], first["aqi"]) == (dt.date(2026, 1, 1), aqi_of(dt.date(2026, 1, 1), CITY))


def test_primary_pollutants_count_the_non_good_days(con):
    df = data.primary_pollutants(con, SCOPE)
    expected: dict[tuple[int, str], int] = {}
    for d in days(dt.date(2026, 1, 1), AS_OF):
        aqi = aqi_of(d, CITY)
        if aqi > 100:
            key = (d.month, primary_of(d, aqi))
            expected[key] = expected.get(key, 0) + 1
    got = {(int(r.month), r.pollutant): int(r.days) for r in df.itertuples()}
    assert got == expected
    assert sum(got.values()) == sum(aqi_of(d, CITY) > 100 for d in days(dt.date(2026, 1, 1), AS_OF))


def test_county_ranking_uses_dust_deducted_ytd_rows(con):
    df = data.county_ranking(con, SCOPE)
    assert df["region_code"].tolist() == [COUNTY_A, COUNTY_B]
    a = df.iloc[0]
    assert (a["composite_index"], a["composite_index_last_year"]) == (3.9, 4.1)
    assert a["pm25_change_pct"] == pytest.approx(100 * (39.5 - 41.0) / 41.0)
    assert a["good_rate_change"] == pytest.approx(2.0)
    # a county's report ranks it among its siblings
    siblings = data.county_ranking(con, data.Scope(COUNTY_B, 2026, AS_OF))
    assert siblings["region_code"].tolist() == [COUNTY_A, COUNTY_B]


def test_water_sections_of_a_city_include_its_counties(con):
    city = data.water_sections(con, SCOPE)
    assert city["section_code"].tolist() == ["WQ1", "WQ2"]
    assert city["class_now"].tolist() == [3, 4]
    assert city["exceedance"].tolist() == ["", "总磷(0.42)"]
    assert city["status"].isna().tolist() == [True, False]
    assert city["status"].iloc[1] == "off_track"
    county = data.water_sections(con, data.Scope(COUNTY_A, 2026, AS_OF))
    assert county["section_code"].tolist() == ["WQ1"]


def test_water_matrix_stops_at_as_of_and_stays_in_the_year(con):
    df = data.water_matrix(con, SCOPE)
    assert [
        (r.section_code, r.month, r.class_)
        for r in df.rename(columns={"class": "class_"}).itertuples()
    ] == [("WQ1", 1, 2), ("WQ1", 2, 3), ("WQ1", 3, 2), ("WQ2", 1, 4)]


def test_completeness_counts_days_elapsed_and_valid(con):
    row = data.completeness(con, SCOPE).iloc[0]
    assert (row["elapsed_days"], row["valid_days"], row["pm25_days"]) == (90, 90, 90)
    partial = data.completeness(con, data.Scope(CITY, 2025, AS_OF)).iloc[0]
    assert (partial["elapsed_days"], partial["valid_days"]) == (365, 365)


def test_quarantine_and_failed_expectations_of_the_last_run(con):
    q = data.quarantined(con)
    assert q[["reason", "cells", "files"]].values.tolist() == [
        ["negative", 2, 1],
        ["non_numeric", 1, 1],
    ]
    f = data.failed_expectations(con)
    assert f[["expectation", "failed_batches", "unexpected_values"]].values.tolist() == [
        ["pm25_le_pm10", 2, 5]
    ]


def test_query_binds_values_and_does_not_paste_them(con):
    evil = data.Scope("610900' or '1'='1", 2026, AS_OF)
    assert data.targets(con, evil).empty
    assert data.water_sections(con, evil).empty
