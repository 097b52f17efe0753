"""Target progress judged as the assessment judges it: published (rounded) figures, no data
as NULL, annual validity, one as-of per domain and the edition of each figure.

Hand-built air_city_daily calendars (the harness of test_progress.py); every expected value
is worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.transforms.targets.test_progress import (
    CFG,
    CITY,
    CLEAN,
    add_days,
    add_samples,
    add_targets,
    calendar,
    first_half,
    one,
    progress,
    water,  # noqa: F401  (fixture)
    wh,  # noqa: F401  (fixture)
)
from transforms.water.marts import build_water_marts

COUNTY_B, COUNTY_C = "100101", "100102"
YEAR_END = dt.date(2025, 12, 31)


def test_final_mean_is_judged_rounded(wh):  # noqa: F811
    # a whole year at a constant PM2.5, so the annual mean is that constant:
    # 42.3 -> published 42 <= 42: met; 42.5 -> half to even 42: met; 42.51 -> 43: not met
    add_days(wh, calendar("2025-01-01", "2025-12-31", region=CITY, pm25=42.3))
    add_days(wh, calendar("2025-01-01", "2025-12-31", region=COUNTY_B, pm25=42.5))
    add_days(wh, calendar("2025-01-01", "2025-12-31", region=COUNTY_C, pm25=42.51))
    add_targets(wh, [(r, 2025, "year", "pm25_mean", "<=", 42) for r in (CITY, COUNTY_B, COUNTY_C)])
    out = progress(wh, YEAR_END)
    a, b, c = (one(out, "pm25_mean", region=r) for r in (CITY, COUNTY_B, COUNTY_C))
    assert (a.actual, a.status) == (42.0, "met")
    assert a.actual_unrounded == pytest.approx(42.3)
    assert (b.actual, b.status) == (42.0, "met")
    assert (c.actual, c.status) == (43.0, "not_met")
    assert c.gap == 1.0  # 43 - 42, on the published figures


def test_odd_target_half_rounds_away(wh):  # noqa: F811
    # target <= 41: 41.5 rounds half to even to 42 -> not met; 41.49 -> 41 -> met
    add_days(wh, calendar("2025-01-01", "2025-12-31", region=CITY, pm25=41.5))
    add_days(wh, calendar("2025-01-01", "2025-12-31", region=COUNTY_B, pm25=41.49))
    add_targets(wh, [(r, 2025, "year", "pm25_mean", "<=", 41) for r in (CITY, COUNTY_B)])
    out = progress(wh, YEAR_END)
    assert one(out, "pm25_mean").status == "not_met"
    assert one(out, "pm25_mean", region=COUNTY_B).status == "met"


def test_ratio_judged_to_a_tenth_of_a_percent(wh):  # noqa: F811
    # 312 good days of 365 = 85.479..% -> published 85.5 >= 85.5: met (unrounded it is short)
    good = np.arange(365) < 312
    add_days(wh, calendar("2025-01-01", "2025-12-31", is_good=good, aqi=np.where(good, 80, 130)))
    add_targets(wh, [(CITY, 2025, "year", "good_rate", ">=", 85.5)])
    row = one(progress(wh, YEAR_END), "good_rate")
    assert row.actual == 85.5 and row.status == "met"
    assert row.actual_unrounded == pytest.approx(100 * 312 / 365)


def test_good_days_needed_for_a_rounded_ratio(wh):  # noqa: F811
    # 150 good of 181 by 30 June, target good_rate >= 86.3 over 365 days. 863 is odd, so a
    # final ratio of exactly 86.25 would round to 86.2: it must exceed 86.25 %.
    # 86.25 % of 365 = 314.81 -> 315 good days (315 / 365 = 86.30 %): 165 more, 19 non-good
    add_days(wh, first_half(good_days=150))
    add_targets(wh, [(CITY, 2025, "year", "good_rate", ">=", 86.3)])
    row = one(progress(wh), "good_rate")
    assert row.good_days_needed == 165 and row.non_good_days_allowed == 184 - 165


def test_no_data_last_year_is_null_not_zero(wh):  # noqa: F811
    # only 2025 is loaded: last year's good days and heavy days are unknown, not 0, and no
    # change on last year can be stated (the demo's 2024 rows said "+305 days")
    add_days(wh, first_half(good_days=150))
    add_targets(wh, [(CITY, 2025, "year", "good_days", ">=", 300),
                     (CITY, 2025, "year", "heavy_days", "<=", 3)])
    out = progress(wh)
    for indicator in ("good_days", "heavy_days"):
        row = one(out, indicator)
        assert np.isnan(row.last_year_actual) and np.isnan(row.yoy_change)
    assert one(out, "good_days").actual == 150  # this year's own count is still there


def test_period_not_started_is_not_evaluable(wh):  # noqa: F811
    # as of 30 June 2025 the Q4 target has no day yet: not evaluable, with the reason
    add_days(wh, first_half())
    add_targets(wh, [(CITY, 2025, "Q4", "pm25_mean", "<=", 40)])
    row = one(progress(wh), "pm25_mean", "Q4")
    assert row.status == "not_evaluable" and row.elapsed_days == 0
    assert row.reason == (
        "no data yet in the period: it starts on 2025-10-01, the data end on 2025-06-30"
    )


def test_incomplete_year_is_insufficient_data(wh):  # noqa: F811
    # 2025 with 5 PM2.5 days missing in March: March holds 26 daily values, GB 3095 Table 4
    # needs 27 -> the annual PM2.5 mean is not valid: 数据不足, whatever its value (30 <= 35)
    frame = calendar("2025-01-01", "2025-12-31", pm25=30.0)
    march = (frame["date"] >= dt.date(2025, 3, 1)) & (frame["date"] <= dt.date(2025, 3, 5))
    frame.loc[march, "pm25"] = np.nan
    add_days(wh, frame)
    add_targets(wh, [(CITY, 2025, "year", "pm25_mean", "<=", 35),
                     (CITY, 2025, "year", "good_days", ">=", 300)])
    out = progress(wh, YEAR_END)
    pm = one(out, "pm25_mean")
    assert pm.status == "insufficient_data" and not pm.evaluable
    assert "数据不足" in pm.reason and "360 valid daily values" in pm.reason  # 365 - 5
    assert one(out, "good_days").status == "met"  # day counts need no minimum


def test_year_in_progress_that_can_still_complete(wh):  # noqa: F811
    # by 30 June, 10 PM2.5 days missing in January leave 21 (< 27): January can no longer
    # reach 27, so the year cannot become valid -> 数据不足 already; 3 missing days in
    # February (25 of 28 left: >= 25) keep it valid
    frame = first_half(pm25=30.0)
    frame.loc[:9, "pm25"] = np.nan
    add_days(wh, frame)
    add_days(wh, calendar("2025-01-01", "2025-06-30", region=COUNTY_B, pm25=np.r_[
        np.full(31, 30.0), np.full(3, np.nan), np.full(147, 30.0)]))
    add_targets(wh, [(r, 2025, "year", "pm25_mean", "<=", 35) for r in (CITY, COUNTY_B)])
    out = progress(wh)
    assert one(out, "pm25_mean").status == "insufficient_data"
    assert one(out, "pm25_mean", region=COUNTY_B).status != "insufficient_data"


def test_as_of_past_the_data_counts_missing_days(wh):  # noqa: F811
    # air data end on 30 June; asked as of 10 July, the 10 days between are missing, not
    # elapsed: 181 days counted, 184 left (not 191 and 174), data_as_of 30 June
    add_days(wh, first_half())
    add_targets(wh, [(CITY, 2025, "year", "good_days", ">=", 300)])
    row = one(progress(wh, dt.date(2025, 7, 10)), "good_days")
    assert row.as_of.date() == dt.date(2025, 7, 10)
    assert row.data_as_of.date() == dt.date(2025, 6, 30)
    assert (row.elapsed_days, row.remaining_days) == (181, 184)
    assert row.good_days_needed == 300 - 181  # every day so far good


def test_each_figure_names_its_edition(wh):  # noqa: F811
    # editions.yaml: a period is judged by the edition of its last day (default): 2025 -> 2012
    # rules, 2026 (ending 31 December 2026) -> 2026 rules, even seen from 2025
    add_days(wh, first_half())
    add_targets(wh, [(CITY, 2025, "year", "good_days", ">=", 300),
                     (CITY, 2026, "year", "good_days", ">=", 300)])
    out = progress(wh, cfg=CFG).set_index("year")
    assert out.loc[2025, "edition"] == "2012"
    assert out.loc[2026, "edition"] == "2026"


def test_share_meeting_target_has_one_definition(water):  # noqa: F811
    # WF (class II by its samples) has no target class: it is left out, not taken as class
    # III. Meeting their own targets: WA (II <= II), WC (II <= II), WE (III <= III); WB (IV)
    # misses III -> 3 of the 4 sections with a target = 75 %, in target progress and in
    # water_region_summary alike (counting WF as III would give 4 of 5 = 80 %)
    water.execute(
        "insert into water_sections (section_code, section_name, water_type, region_code, "
        "target_class, is_drinking_source) values ('WF', '己断面', 'river', '100102', null, false)"
    )
    add_samples(water, "WF", [f"2025-{m:02d}" for m in range(1, 7)], nh3n=0.4, **CLEAN)
    add_targets(water, [(CITY, 2025, "year", "share_meeting_target", ">=", 70)])
    row = one(progress(water), "share_meeting_target")
    assert row.actual == 75
    build_water_marts(water, as_of=dt.date(2025, 6, 30))
    shares = water.execute(
        "select n_with_target, n_meeting_target, share_meeting_target from water_region_summary"
        " where group_code = ? and period = '2025-YTD'", [CITY]
    ).fetchall()
    assert shares == [(4, 3, 75.0)]
