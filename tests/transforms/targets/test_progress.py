"""Target progress on hand-built calendars whose answers are known (the correctness gate).

The marts are built directly as tables with the contract columns (air_city_daily,
water_section_samples, regions, water_sections, targets), so these tests do not depend on
the mart builders.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from flows.targets_check import rest_phrase, targets_check
from transforms.targets.config import ProgressConfig
from transforms.targets.progress import build_target_progress
from transforms.warehouse import connect

CITY = "100100"
AS_OF = dt.date(2025, 6, 30)  # 181 days gone (all of Jan..Jun 2025), 184 left
CFG = ProgressConfig(simulations=500)
# the bootstrap alone, without scaling earlier years to this year's level
PLAIN = ProgressConfig(simulations=500, level_adjustment=False)

AIR_COLUMNS = (
    "region_code varchar, date date, aqi double, level integer, primary_pollutants varchar, "
    "pm25 double, pm10 double, so2 double, no2 double, co double, o3_8h double, o3_1h double, "
    "is_valid boolean, is_good boolean, is_heavy boolean, is_dust boolean"
)


def calendar(start: str, end: str, region: str = CITY, **fields) -> pd.DataFrame:
    """One row per day; fields are scalars or arrays (the default day: valid, good, clean)."""
    dates = pd.date_range(start, end, freq="D")
    n = len(dates)
    frame = pd.DataFrame(
        {
            "region_code": region,
            "date": dates.date,
            "aqi": 60.0,
            "level": 2,
            "primary_pollutants": None,
            "pm25": 30.0,
            "pm10": 60.0,
            "so2": 10.0,
            "no2": 30.0,
            "co": 1.0,
            "o3_8h": 120.0,
            "o3_1h": 150.0,
            "is_valid": True,
            "is_good": True,
            "is_heavy": False,
            "is_dust": False,
        }
    )
    for key, value in fields.items():
        frame[key] = value if np.ndim(value) == 0 else np.asarray(value)[:n]
    return frame


@pytest.fixture
def wh(tmp_path):
    con = connect(tmp_path / "wh.duckdb")
    con.execute(f"create table air_city_daily ({AIR_COLUMNS})")
    con.execute(
        "insert into regions (region_code, name, name_en, level, parent_code) values "
        "('100000', '某省', null, 'province', null), "
        "('100100', '甲市', 'City A', 'city', '100000'), "
        "('100101', '乙县', 'County B', 'county', '100100'), "
        "('100102', '丙县', 'County C', 'county', '100100')"
    )
    yield con
    con.close()


def add_days(con, frame: pd.DataFrame) -> None:
    con.register("days_in", frame)
    con.execute("insert into air_city_daily by name select * from days_in")
    con.unregister("days_in")


def add_targets(con, rows: list[tuple]) -> None:
    """rows: (region, year, period, indicator, comparator, value[, baseline_year])."""
    for r in rows:
        r = (*r, None) if len(r) == 6 else r
        con.execute("insert into targets (region_code, year, period, indicator, comparator, value, "
                    "baseline_year, note) values (?, ?, ?, ?, ?, ?, ?, null)", list(r))


def progress(con, as_of=AS_OF, cfg=CFG) -> pd.DataFrame:
    build_target_progress(con, as_of, cfg)
    return con.execute("select * from target_progress where as_of = ?", [as_of]).df()


def one(frame: pd.DataFrame, indicator: str, period: str = "year", region: str = CITY):
    rows = frame[
        (frame.indicator == indicator) & (frame.period == period) & (frame.region_code == region)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def first_half(good_days: int = 181, pm25: float = 45.0) -> pd.DataFrame:
    """2025-01-01..06-30 (181 valid days): `good_days` good days first, then non-good ones."""
    good = np.arange(181) < good_days
    return calendar("2025-01-01", "2025-06-30", is_good=good, pm25=pm25,
                    aqi=np.where(good, 80.0, 130.0))


def test_good_days_needed_and_non_good_days_allowed(wh):
    # The example (200 good days by 30 June, target 315) cannot occur: 30 June is day
    # 181. The same figures with a possible calendar: 150 good days of 181 valid by 30 June
    # and a target of 265 -> 115 more good days needed in the 184 days left, at most 69
    # non-good days.
    add_days(wh, first_half(good_days=150))
    add_targets(wh, [(CITY, 2025, "year", "good_days", ">=", 265)])
    row = one(progress(wh), "good_days")
    assert (row.elapsed_days, row.remaining_days) == (181, 184)
    assert row.actual == 150
    assert row.good_days_needed == 115
    assert row.non_good_days_allowed == 69
    assert row.required_rest_of_year == 115
    assert row.gap == 115  # days short of the target
    assert row.elapsed_share == pytest.approx(181 / 365)
    assert row.on_pace_value == pytest.approx(265 * 181 / 365)
    assert row.unit == "天"


def test_good_rate_needs_and_allowances(wh):
    add_days(wh, first_half(good_days=150))
    add_targets(wh, [(CITY, 2025, "year", "good_rate", ">=", 80)])
    row = one(progress(wh), "good_rate")
    # 150 / 181 = 82.872..% is published as 82.9 (GB/T 8170, 0.1 %)
    assert row.actual == 82.9
    assert row.actual_unrounded == pytest.approx(100 * 150 / 181)
    # a final ratio meets >= 80.0 once it rounds to 80.0: from 79.95 (800 is even, so 79.95
    # itself rounds up to 80.0); 79.95 % of 365 days = 291.82 -> 292 good days: 142 more, so
    # 42 non-good days may still come
    assert row.good_days_needed == 142
    assert row.non_good_days_allowed == 42
    assert row.gap == pytest.approx(80 - 82.9)


def test_remaining_mean_ceiling_all_days_valid(wh):
    add_days(wh, first_half(pm25=45.0))
    add_targets(wh, [(CITY, 2025, "year", "pm25_mean", "<=", 42)])
    row = one(progress(wh), "pm25_mean")
    assert row.actual == pytest.approx(45.0)
    # the annual mean is judged rounded: up to 42.5 it is published 42 (half to even), so the
    # rest of the year may average (42.5 x 365 - 45 x 181) / 184 = 7367.5 / 184 = 40.04
    # (39.05 if the unrounded mean had to stay <= 42)
    assert row.remaining_mean_ceiling == pytest.approx((42.5 * 365 - 45 * 181) / 184)
    assert round(row.remaining_mean_ceiling, 2) == 40.04
    assert row.required_rest_of_year == pytest.approx(row.remaining_mean_ceiling)
    assert row.gap == pytest.approx(3.0)
    assert row.on_pace_value == 42
    assert row.unit == "µg/m³"


def test_remaining_mean_ceiling_counts_valid_days_only(wh):
    # 11 invalid days (no PM2.5 daily mean): 170 valid days, sum so far 45 x 170
    invalid = np.isin(np.arange(181), np.arange(20, 31))
    frame = first_half(pm25=45.0)
    frame.loc[invalid, ["pm25", "is_valid"]] = [np.nan, False]
    add_days(wh, frame)
    add_targets(wh, [(CITY, 2025, "year", "pm25_mean", "<=", 42)])
    row = one(progress(wh), "pm25_mean")
    # (42.5 x (170 + 184) - 45 x 170) / 184 = 7395 / 184 = 40.19
    assert row.remaining_mean_ceiling == pytest.approx((42.5 * (170 + 184) - 45 * 170) / 184)


def test_lost_targets_cannot_be_met(wh):
    frame = first_half(good_days=60, pm25=80.0)
    frame["is_heavy"] = np.arange(181) < 12
    add_days(wh, frame)
    add_targets(
        wh,
        [
            (CITY, 2025, "year", "good_days", ">=", 300),   # 60 + 184 < 300
            (CITY, 2025, "year", "pm25_mean", "<=", 35),    # ceiling (35.5x365-80x181)/184 < 0
            (CITY, 2025, "year", "pm10_mean", "<=", 62),    # ceiling 64.2 >= floor: not lost
            (CITY, 2025, "year", "heavy_days", "<=", 10),   # 12 heavy days already
        ],
    )
    out = progress(wh)
    good = one(out, "good_days")
    assert good.status == "cannot_be_met" and good.status_basis == "lost"
    assert good.good_days_needed == 240 and good.non_good_days_allowed == 184 - 240
    pm = one(out, "pm25_mean")
    # 35 is odd, so a mean of 35.5 would round to 36: the bound is 35.5 (not reached);
    # (35.5 x 365 - 80 x 181) / 184 = -1522.5 / 184 = -8.27
    assert pm.remaining_mean_ceiling == pytest.approx((35.5 * 365 - 80 * 181) / 184)
    assert pm.remaining_mean_ceiling < 0 and pm.status == "cannot_be_met"
    assert one(out, "pm10_mean").status != "cannot_be_met"
    heavy = one(out, "heavy_days")
    assert heavy.heavy_days_allowed == -2 and heavy.status == "cannot_be_met"


def test_ceiling_below_the_floor_is_lost(wh):
    # ceiling (30.5 x 365 - 57 x 181) / 184 = 815.5 / 184 = 4.43 µg/m³ (a mean up to 30.5
    # is published 30): positive but below the PM2.5 floor of 5
    add_days(wh, first_half(pm25=57.0))
    add_targets(wh, [(CITY, 2025, "year", "pm25_mean", "<=", 30)])
    row = one(progress(wh), "pm25_mean")
    assert 0 < row.remaining_mean_ceiling < 5
    assert row.status == "cannot_be_met"
    zero_floor = ProgressConfig(simulations=500, mean_floors={"pm25": 0.0})
    assert one(progress(wh, cfg=zero_floor), "pm25_mean").status != "cannot_be_met"


def test_certain_targets_are_met_before_the_end(wh):
    add_days(wh, first_half(good_days=150))
    add_targets(
        wh,
        [
            (CITY, 2025, "year", "good_days", ">=", 140),   # already 150: cannot drop
            (CITY, 2025, "year", "heavy_days", "<=", 200),  # 0 + 184 days left <= 200
            (CITY, 2025, "year", "heavy_days", "<=", 20),   # could still be exceeded
        ],
    )
    out = progress(wh)
    assert one(out, "good_days").status == "met"
    heavy = out[out.indicator == "heavy_days"].set_index("target")
    assert heavy.loc[200.0, "status"] == "met" and heavy.loc[200.0, "status_basis"] == "certain"
    assert heavy.loc[20.0, "status"] not in ("met", "cannot_be_met")
    assert heavy.loc[20.0, "heavy_days_allowed"] == 20


def test_period_over_met_or_not_met(wh):
    add_days(wh, calendar("2025-01-01", "2025-12-31", pm25=40.0))
    add_targets(
        wh,
        [(CITY, 2025, "year", "pm25_mean", "<=", 42), (CITY, 2025, "year", "pm10_mean", "<=", 50)],
    )
    out = progress(wh, dt.date(2025, 12, 31))
    assert one(out, "pm25_mean").status == "met"
    pm10 = one(out, "pm10_mean")
    assert pm10.status == "not_met" and pm10.remaining_days == 0
    assert pm10.projection_method == "final" and pm10.probability_of_meeting == 0


def test_quarterly_target(wh):
    # Q2 = 1 April .. 30 June (91 days); as of 15 May 45 days gone: 40 good, 5 not good
    good = np.ones(135, bool)
    good[90 + 40:] = False
    add_days(wh, calendar("2025-01-01", "2025-05-15", is_good=good))
    add_targets(wh, [(CITY, 2025, "Q2", "good_rate", ">=", 90)])
    row = one(progress(wh, dt.date(2025, 5, 15)), "good_rate", "Q2")
    assert (row.period_start.date(), row.period_end.date()) == (
        dt.date(2025, 4, 1), dt.date(2025, 6, 30)
    )
    assert (row.elapsed_days, row.remaining_days) == (45, 46)
    assert row.actual == 88.9  # 40 / 45 = 88.888..% published to 0.1 %
    # rounds to >= 90.0 from 89.95 % (900 even: the half rounds up to it); 89.95 % of 91 days
    # = 81.85 -> 82 good days: 42 more in the 46 days left, 4 non-good allowed
    assert row.good_days_needed == 42 and row.non_good_days_allowed == 4
    assert row.elapsed_share == pytest.approx(45 / 91)


def test_monthly_target_mean(wh):
    add_days(wh, calendar("2025-03-01", "2025-03-10", pm25=50.0))
    add_targets(wh, [(CITY, 2025, "M03", "pm25_mean", "<=", 40)])
    row = one(progress(wh, dt.date(2025, 3, 10)), "pm25_mean", "M03")
    assert (row.elapsed_days, row.remaining_days) == (10, 21)
    # published <= 40 up to 40.5 (40 even): (40.5 x 31 - 50 x 10) / 21 = 755.5 / 21 = 35.98
    assert row.remaining_mean_ceiling == pytest.approx((40.5 * 31 - 50 * 10) / 21)


def test_year_on_year_target(wh):
    add_days(wh, calendar("2024-01-01", "2024-12-31", pm25=np.r_[np.full(182, 50.0),
                                                                np.full(184, 40.0)]))
    add_days(wh, first_half(pm25=45.0))
    add_targets(wh, [(CITY, 2025, "year", "pm25_change_pct", "<=", -5)])
    row = one(progress(wh), "pm25_change_pct")
    # 2024 same days (1 Jan .. 30 Jun, 181 days at 50) -> -10 % so far
    assert row.last_year_actual == pytest.approx(50.0)
    assert row.actual == pytest.approx(-10.0)
    assert row.gap == pytest.approx(-5.0)  # 5 points better than the target
    last_full = (182 * 50 + 184 * 40) / 366
    assert row.target_base_value == pytest.approx(last_full * 0.95)
    # target 0.95 x 44.97 = 42.72: the largest publishable mean meeting it is 42 (even), so
    # the final mean may reach 42.5: (42.5 x 365 - 45 x 181) / 184 = 40.04
    assert last_full * 0.95 == pytest.approx(42.72, abs=0.01)
    assert row.remaining_mean_ceiling == pytest.approx((42.5 * 365 - 45 * 181) / 184)
    assert row.unit == "%"


def test_yoy_change_of_plain_targets(wh):
    add_days(wh, calendar("2024-01-01", "2024-06-30", pm25=50.0))
    add_days(wh, first_half(pm25=45.0))
    add_targets(wh, [(CITY, 2025, "year", "pm25_mean", "<=", 42)])
    row = one(progress(wh), "pm25_mean")
    assert row.last_year_actual == pytest.approx(50.0)
    assert row.yoy_change == pytest.approx(-5.0)
    assert row.yoy_change_pct == pytest.approx(-10.0)


def test_unevaluable_targets_are_reported(wh):
    add_days(wh, first_half())
    add_targets(
        wh,
        [
            ("999999", 2025, "year", "good_days", ">=", 300),      # unknown code
            ("100101", 2025, "year", "pm25_mean", "<=", 35),       # county without air data
            (CITY, 2025, "year", "pm10_change_pct", "<=", -5),     # no 2024 data
            (CITY, 2025, "year", "section_class", "<=", 3),        # a region, not a section
        ],
    )
    out = progress(wh)
    assert len(out) == 4
    assert not out.evaluable.any()
    assert set(out.status) == {"not_evaluable"}
    reasons = dict(zip(out.region_code + "/" + out.indicator, out.reason, strict=True))
    assert "unknown region" in reasons["999999/good_days"]
    assert "no air data" in reasons["100101/pm25_mean"]
    assert "baseline year 2024" in reasons[f"{CITY}/pm10_change_pct"]
    assert "section code" in reasons[f"{CITY}/section_class"]


def history(years: range, good_share: float, seed: int = 1) -> pd.DataFrame:
    """Whole years of days, each good with probability good_share (PM2.5 30 on good days,
    120 on the others, so the recomputed AQI agrees: IAQI 43 and 158)."""
    rng = np.random.default_rng(seed)
    frames = []
    for y in years:
        f = calendar(f"{y}-01-01", f"{y}-12-31")
        f["is_good"] = rng.random(len(f)) < good_share
        f["pm25"] = np.where(f["is_good"], 30.0, 120.0)
        f["aqi"] = np.where(f["is_good"], 43.0, 158.0)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def test_projection_probability_is_deterministic_and_sensible(wh):
    add_days(wh, history(range(2022, 2025), good_share=0.98))
    add_days(wh, first_half(good_days=150))
    add_targets(
        wh,
        [
            (CITY, 2025, "year", "good_days", ">=", 270),   # needs 120 of 184: easy at 98 %
            (CITY, 2025, "year", "good_rate", ">=", 95),    # needs 197 of 184: lost
        ],
    )
    out = progress(wh, cfg=PLAIN)
    easy = one(out, "good_days")
    assert easy.projection_method == "block_bootstrap_30d"
    assert easy.history_years == 3 and easy.history_span == "2022-2024"
    assert easy.probability_of_meeting > 0.99 and easy.status == "on_track"
    assert 150 + 0.9 * 184 < easy.projected <= 150 + 184
    assert one(out, "good_rate").status == "cannot_be_met"
    again = progress(wh, cfg=PLAIN)
    pd.testing.assert_series_equal(out.probability_of_meeting, again.probability_of_meeting)
    pd.testing.assert_series_equal(out.projected, again.projected)


def test_projection_near_the_target_is_uncertain(wh):
    # history: 70 % good days; so far 130 of 181. Expected final 130 + 0.7 x 184 = 258.8
    add_days(wh, history(range(2021, 2025), good_share=0.7, seed=7))
    add_days(wh, first_half(good_days=130))
    add_targets(
        wh,
        [
            (CITY, 2025, "year", "good_days", ">=", 259),
            (CITY, 2025, "year", "good_rate", ">=", 60),
            (CITY, 2025, "year", "heavy_days", "<=", 5),
        ],
    )
    out = progress(wh, cfg=PLAIN)
    mid = one(out, "good_days")
    assert 0.2 < mid.probability_of_meeting < 0.8
    assert mid.status in ("at_risk", "off_track")
    assert mid.projected_low < mid.projected < mid.projected_high
    assert one(out, "good_rate").probability_of_meeting > 0.99
    assert one(out, "heavy_days").status == "on_track"  # no heavy day in the history


def test_no_projection_with_one_year_of_history(wh):
    add_days(wh, history(range(2024, 2025), good_share=0.9))
    add_days(wh, first_half(good_days=150))
    add_targets(wh, [(CITY, 2025, "year", "good_days", ">=", 300)])
    row = one(progress(wh, cfg=PLAIN), "good_days")
    assert pd.isna(row.projected) and pd.isna(row.probability_of_meeting)
    assert row.projection_method == "none"
    assert "need 2" in row.projection_reason
    # pace: 300 x 181/365 = 148.8 on-pace good days; 150 so far -> on track by pace
    assert row.status_basis == "pace" and row.status == "on_track"


def test_level_adjustment_scales_earlier_years_to_this_years_level(wh):
    # 2023-2024 at PM2.5 60 every day, 2025 so far at 30: the last 90 days are half as
    # polluted as the same days of each earlier year, so the days left are projected at 30
    add_days(wh, calendar("2023-01-01", "2024-12-31", pm25=60.0))
    add_days(wh, first_half(pm25=30.0))
    add_targets(wh, [(CITY, 2025, "year", "pm25_mean", "<=", 35)])
    adjusted = one(progress(wh, cfg=ProgressConfig(simulations=500, level_window_days=90)),
                   "pm25_mean")
    assert adjusted.projected == pytest.approx(30.0)
    assert adjusted.probability_of_meeting == 1 and adjusted.status == "on_track"
    plain = one(progress(wh, cfg=PLAIN), "pm25_mean")
    assert plain.projected == pytest.approx((30 * 181 + 60 * 184) / 365)
    assert plain.probability_of_meeting == 0 and plain.status == "off_track"


def test_history_is_re_rated_with_the_edition_of_the_target_date(wh):
    # PM2.5 70 µg/m³ is good under HJ 633-2012 (IAQI 94) but not under HJ 633-2026 (IAQI
    # above 100 from 60): 2024-2025 days standing in for 2026 days count as non-good
    add_days(wh, calendar("2024-01-01", "2025-12-31", pm25=70.0, aqi=94.0))
    add_days(wh, calendar("2026-01-01", "2026-06-30", pm25=30.0))
    add_targets(wh, [(CITY, 2026, "year", "good_days", ">=", 250)])
    row = one(progress(wh, dt.date(2026, 6, 30), cfg=PLAIN), "good_days")
    assert row.actual == 181
    assert row.projected == 181  # no good day among the 184 left
    assert row.probability_of_meeting == 0 and row.status == "off_track"
    # seen on 31 December 2025, Q1 2026 is all projection: January and February still go by
    # the 2012 rules (good at 70), March by the 2026 rules (not good)
    add_targets(wh, [(CITY, 2026, "Q1", "good_days", ">=", 59)])
    early = one(progress(wh, dt.date(2025, 12, 31), cfg=PLAIN), "good_days", "Q1")
    assert early.projected == 31 + 28


def test_percentile_and_index_targets(wh):
    o3 = np.full(181, 150.0)
    o3[:10] = 200.0  # 10 days above 160 so far
    add_days(wh, calendar("2025-01-01", "2025-06-30", o3_8h=o3))
    add_targets(
        wh,
        [
            (CITY, 2025, "year", "o3_8h_p90", "<=", 160),
            (CITY, 2025, "year", "composite_index", "<=", 4.0),
        ],
    )
    out = progress(wh)
    o3row = one(out, "o3_8h_p90")
    assert o3row.actual == 150.0  # p90 of 171 x 150 and 10 x 200 is 150 (published 150)
    assert o3row.actual_unrounded == pytest.approx(np.percentile(o3, 90))
    # 365 valid days: k = 1 + 364 x 0.9 = 328.6 -> at most 365 - 329 = 36 days over 160 in the
    # year; 10 so far -> 26 more allowed
    assert o3row.days_over_target_allowed == 26
    index = one(out, "composite_index")
    # from the rounded statistics: 10/60 + 30/40 + 60/70 + 30/35 + 1.0/4 + 150/160
    # = 0.1667 + 0.75 + 0.8571 + 0.8571 + 0.25 + 0.9375 = 3.8185 -> published 3.82
    assert index.actual == 3.82


def test_dust_deduction(wh):
    frame = first_half(pm25=40.0)
    frame.loc[:9, ["pm25", "is_good", "is_dust"]] = [300.0, False, True]
    add_days(wh, frame)
    add_targets(
        wh,
        [(CITY, 2025, "year", "pm25_mean", "<=", 42), (CITY, 2025, "year", "good_rate", ">=", 90)],
    )
    out = progress(wh)
    assert one(out, "pm25_mean").actual == pytest.approx(40.0)
    assert one(out, "good_rate").actual == pytest.approx(100.0)  # dust days dropped
    raw = progress(wh, cfg=ProgressConfig(simulations=500, dust_deduction=False))
    # (300 x 10 + 40 x 171) / 181 = 9840 / 181 = 54.36 -> 54; 171 / 181 = 94.475..% -> 94.5
    assert one(raw, "pm25_mean").actual == 54.0
    assert one(raw, "pm25_mean").actual_unrounded == pytest.approx((300 * 10 + 40 * 171) / 181)
    assert one(raw, "good_rate").actual == 94.5


def test_targets_check_lines_and_exit_code(wh):
    add_days(wh, first_half(good_days=60, pm25=45.0))
    add_targets(
        wh,
        [
            (CITY, 2025, "year", "good_days", ">=", 300),  # lost
            (CITY, 2025, "year", "pm25_mean", "<=", 60),   # fine by pace
            ("999999", 2025, "year", "good_days", ">=", 1),
        ],
    )
    build_target_progress(wh, AS_OF, CFG)
    lines, code = targets_check(wh, None, None)
    assert code == 0
    assert len(lines) == 2
    assert lines[0].startswith(
        "cannot_be_met/已无法完成  100100 甲市 2025 year  good_days 优良天数"
    )
    assert "240 more good days needed but only 184 days left" in lines[0]
    assert lines[1].startswith("not_evaluable/无法评估  999999")
    _, code = targets_check(wh, None, "off_track")
    assert code == 3


def test_targets_check_on_a_read_only_warehouse_computes_a_date_not_built(wh, tmp_path):
    add_days(wh, first_half(good_days=150))
    add_targets(wh, [(CITY, 2025, "year", "good_days", ">=", 300)])
    build_target_progress(wh, AS_OF, CFG)
    wh.close()
    ro = connect(tmp_path / "wh.duckdb", read_only=True)
    try:
        # 31 March: 90 days gone, all good: 210 more needed in 275 days: projection-less pace
        lines, code = targets_check(ro, dt.date(2025, 3, 31), "off_track", config=CFG)
        assert (lines, code) == ([], 0)
        lines, code = targets_check(ro, None, "at_risk")  # the stored as-of: 30 June
        assert code == 0 and lines == []
        stored = ro.execute("select distinct as_of from target_progress").fetchall()
        assert stored == [(AS_OF,)]
    finally:
        ro.close()


# ---------------------------------------------------------------- water targets

def add_sections(con) -> None:
    con.execute(
        "insert into water_sections (section_code, section_name, water_type, region_code, "
        "target_class, is_drinking_source) values "
        "('WA', '甲断面', 'river', '100101', 2, false), "
        "('WB', '乙断面', 'river', '100101', 3, false), "
        "('WC', '丙水库', 'lake', '100102', 2, true), "
        "('WE', '戊断面', 'river', '100102', 3, false)"
    )


def add_samples(con, section: str, months: list[str], **items: float | list[float]) -> None:
    """One sample on the 10th of each month (YYYY-MM) with the given item values."""
    rows = []
    for k, month in enumerate(months):
        for item, value in items.items():
            v = value[k] if isinstance(value, list) else value
            rows.append((section, f"{month}-10 10:00:00", item, float(v)))
    frame = pd.DataFrame(rows, columns=["section_code", "sampled_at", "parameter", "value"])
    frame["sampled_at"] = pd.to_datetime(frame["sampled_at"])
    frame["source_file"] = "test"
    con.register("samples_in", frame)
    con.execute("insert into water_section_samples by name select * from samples_in")
    con.unregister("samples_in")


def months(year: int, first: int = 1, last: int = 12) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]


CLEAN = {"ph": 7.5, "do": 8.0, "codmn": 3.0, "tp": 0.05}  # class II in a river


@pytest.fixture
def water(wh):
    add_sections(wh)
    for y in (2023, 2024):
        add_samples(wh, "WA", months(y), nh3n=0.4, **CLEAN)
        add_samples(wh, "WB", months(y), nh3n=1.2, **CLEAN)               # class IV
        add_samples(wh, "WC", months(y), nh3n=0.3, **{**CLEAN, "tp": 0.02})  # lake class II
    add_samples(wh, "WA", months(2025, 1, 6), nh3n=0.4, **CLEAN)
    add_samples(wh, "WB", months(2025, 1, 6), nh3n=1.2, **CLEAN)
    add_samples(wh, "WC", months(2025, 1, 6), nh3n=0.3, **{**CLEAN, "tp": 0.02})
    # WE: 0.9 so far (class III); July..December 1.2 in 2023 and 0.8 in 2024
    add_samples(wh, "WE", months(2023, 7, 12), nh3n=1.2, **CLEAN)
    add_samples(wh, "WE", months(2024, 7, 12), nh3n=0.8, **CLEAN)
    add_samples(wh, "WE", months(2025, 1, 6), nh3n=0.9, **CLEAN)
    return wh


def test_section_class_targets(water):
    add_targets(
        water,
        [
            ("WA", 2025, "year", "section_class", "<=", 2),
            ("WB", 2025, "year", "section_class", "<=", 3),
            ("WZ", 2025, "year", "section_class", "<=", 3),
        ],
    )
    out = progress(water)
    wa, wb = one(out, "section_class", region="WA"), one(out, "section_class", region="WB")
    assert (wa.actual, wa.last_year_actual) == (2, 2)
    assert wa.projection_method == "month_block_bootstrap" and wa.history_years == 2
    assert wa.probability_of_meeting == 1 and wa.status == "on_track"
    assert wb.actual == 4 and wb.gap == 1
    assert wb.probability_of_meeting == 0 and wb.status == "off_track"
    wz = one(out, "section_class", region="WZ")
    assert wz.status == "not_evaluable" and "unknown region" in wz.reason


def test_section_class_probability_from_the_months_left(water):
    # final NH3-N mean = (6 x 0.9 + k x 1.2 + (6 - k) x 0.8) / 12 <= 1.0 (class III) iff k <= 4
    # months drawn from 2023: P = P(Binomial(6, 1/2) <= 4) = 57/64
    add_targets(water, [("WE", 2025, "year", "section_class", "<=", 3)])
    row = one(progress(water, cfg=ProgressConfig(simulations=4000)), "section_class",
              region="WE")
    assert row.actual == 3
    assert row.probability_of_meeting == pytest.approx(57 / 64, abs=0.02)
    assert row.status == "on_track"


def test_region_water_shares(water):
    add_targets(
        water,
        [
            ("100101", 2025, "year", "share_class_1_3", ">=", 60),   # WA II, WB IV: 50 %
            (CITY, 2025, "year", "share_class_1_3", ">=", 60),       # WA, WB, WC, WE: 75 %
            (CITY, 2025, "year", "share_class_6", "<=", 0),
            (CITY, 2025, "year", "share_meeting_target", ">=", 70),  # WA, WC, WE meet: 75 %
            (CITY, 2025, "year", "drinking_sources_met", ">=", 100),  # WC meets class II
            ("100101", 2025, "year", "drinking_sources_met", ">=", 100),  # none registered
        ],
    )
    out = progress(water)
    county = one(out, "share_class_1_3", region="100101")
    assert county.actual == 50 and county.status == "off_track"
    city = one(out, "share_class_1_3")
    assert city.actual == 75
    assert one(out, "share_class_6").actual == 0
    assert one(out, "share_meeting_target").actual == 75
    assert one(out, "drinking_sources_met").actual == 100
    none = one(out, "drinking_sources_met", region="100101")
    assert none.status == "not_evaluable" and "drinking-water source" in none.reason


def test_rest_phrase_says_how_many_non_good_days_remain_allowed() -> None:
    row = {"good_days_needed": 115, "remaining_days": 184, "non_good_days_allowed": 69}
    assert rest_phrase(row) == "115 more good days needed in 184 (at most 69 non-good)"
