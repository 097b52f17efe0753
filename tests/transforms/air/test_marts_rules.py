"""The air marts judge what the assessment judges: days with an indicator missing (HJ 633-2026
§5.3), published (rounded) statistics, and annual validity gating compliance and ranks.

Hand-made warehouses of test_marts.py; expected values worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.transforms.air.test_marts import add_days, con, daily, period  # noqa: F401
from transforms.air.marts import build_air
from transforms.rules import cached_rules, period_edition


def test_polluted_day_with_o3_missing_counts_non_good(con):  # noqa: F811
    # 1 Jan: PM2.5 200 all day, no O3 at all (MDA8 and O3 1-h missing). 2012 PM2.5 IAQI:
    # 200 lies between 150 (IAQI 200) and 250 (IAQI 300): 200 + 100 x 50 / 100 = 250 > 100,
    # so the AQI is published from the others (§5.3): a valid, non-good, heavy day (AQI > 200)
    add_days(con, "S5", "2025-01-01", pm25=200.0, o3=None)
    # 2 Jan: clean, O3 missing: the others give AQI <= 50, the day stays undetermined
    add_days(con, "S5", "2025-01-02", o3=None)
    build_air(con)
    polluted = daily(con, "440105", "2025-01-01")
    assert polluted["aqi"] == 250 and polluted["primary_pollutants"] == "pm25"
    assert polluted["indicators_missing"] == 2  # o3_8h and o3_1h (2012 daily AQI)
    assert polluted["is_valid"] is True
    assert (polluted["is_good"], polluted["is_heavy"]) == (False, True)
    clean = daily(con, "440105", "2025-01-02")
    assert clean["is_valid"] is False and clean["is_good"] is None
    jan = period(con, "440105", "2025-01")
    # the outage no longer hides the polluted day: 1 valid day, 0 good -> 0.0 %
    assert (jan["valid_days"], jan["good_days"], jan["good_rate"]) == (1, 0, 0.0)


def test_strict_rule_restored_by_the_rule_set(con, monkeypatch):  # noqa: F811
    # missing_indicator_rule: false -> a day needs every indicator: the same polluted day
    # without O3 is not valid, and January has no valid day (good rate NULL, not 0)
    monkeypatch.setitem(cached_rules("2012"), "missing_indicator_rule", False)
    add_days(con, "S5", "2025-01-01", pm25=200.0, o3=None)
    build_air(con)
    assert daily(con, "440105", "2025-01-01")["is_valid"] is False
    jan = period(con, "440105", "2025-01")
    assert jan["valid_days"] == 0 and jan["good_rate"] is None


def test_mean_of_35_2_is_published_35_and_compliant(con):  # noqa: F811
    # January 2025 at PM2.5 35.2 every hour: mean and p95 35.2, published 35 <= 35 (GB 3095-2012
    # grade II annual limit) and <= 75 (24-h): compliant; unrounded it would exceed 35
    add_days(con, "S5", "2025-01-01", 31, pm25=35.2)
    build_air(con)
    jan = period(con, "440105", "2025-01")
    assert jan["pm25"] == 35.0 and jan["pm25_unrounded"] == pytest.approx(35.2)
    assert jan["pm25_exceedance_multiple"] is None  # 35 is not over 35
    assert jan["pm25_compliant"] is True
    assert jan["is_compliant"] is True and jan["compliance_status"] == "compliant"


def test_composite_index_from_rounded_statistics(con):  # noqa: F811
    # every day PM2.5 21.5, PM10 39.4, SO2 9.5, NO2 15.2, CO 0.74, O3 192.4:
    # published 22 (21.5 half to even -> 22), 39, 10 (9.5 -> 10), 15, 0.7, 192;
    # 22/35 + 39/70 + 10/60 + 15/40 + 0.7/4 + 192/160
    # = 0.628571 + 0.557143 + 0.166667 + 0.375 + 0.175 + 1.2 = 3.102381 -> 3.10
    # (from the unrounded statistics: 0.614286 + 0.562857 + 0.158333 + 0.38 + 0.185 + 1.2025
    #  = 3.102976, which would also print 3.10 but is kept apart as composite_index_unrounded)
    add_days(con, "S5", "2025-01-01", 31, pm25=21.5, pm10=39.4, so2=9.5, no2=15.2, co=0.74,
             o3=192.4)
    build_air(con)
    jan = period(con, "440105", "2025-01")
    assert jan["composite_index"] == 3.10
    assert jan["composite_index_unrounded"] == pytest.approx(3.102976, abs=1e-6)
    assert jan["pm25_index"] == pytest.approx(22 / 35)


def test_incomplete_statistic_is_insufficient_data_and_not_ranked(con):  # noqa: F811
    # February 2025: 440105 (S5) has all 28 days; 440103 (S1) only 24 (< 25, GB 3095 Table 4):
    # its statistics are 数据不足: no compliance verdict, no rank; 440105 is ranked alone
    add_days(con, "S5", "2025-02-01", 28)
    add_days(con, "S1", "2025-02-01", 24)
    build_air(con)
    feb = period(con, "440103", "2025-02")
    assert feb["pm25_days"] == 24 and feb["is_complete"] is False
    assert feb["pm25_compliant"] is None and feb["is_compliant"] is None
    assert feb["compliance_status"] == "insufficient_data"
    ranks = {
        r[0]: r[1:]
        for r in con.execute(
            "select region_code, ranking_status, composite_index_rank, regions_ranked"
            " from air_rankings where period = '2025-02' and not dust_deducted"
            " and level = 'county'"
        ).fetchall()
    }
    assert ranks["440103"] == ("insufficient_data", None, 1)
    assert ranks["440105"] == ("ranked", 1, 1)


def test_period_edition_rule():
    # editions.yaml default last_day: 2026 (1 Jan .. 31 Dec) is judged by the 2026 limits,
    # a 2026 January by 2012's; a forced edition wins
    assert period_edition(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == "2026"
    assert period_edition(dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == "2012"
    assert period_edition(dt.date(2026, 1, 1), dt.date(2026, 12, 31), forced="2012") == "2012"
