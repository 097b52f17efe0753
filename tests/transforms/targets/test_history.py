"""HistoryBank: every earlier year over the days left (widened by the window), scaled by this
year's anomaly, never data after the as-of date, and prefetch equal to one-by-one pools."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import day_series
from transforms.targets.history import HistoryBank, daily_limits

FIRST, AS_OF = dt.date(2020, 1, 1), dt.date(2026, 6, 30)
START = dt.date(2026, 1, 1)
ELAPSED, REMAINING = 181, 184  # 1 January .. 30 June 2026 gone, 1 July .. 31 December left


def frame(region: str, start: str, end: str, pm25, rng: np.random.Generator | None = None):
    dates = pd.date_range(start, end, freq="D")
    n = len(dates)
    values = np.broadcast_to(np.asarray(pm25, dtype=float), (n,)).copy()
    if rng is not None:
        values += rng.normal(0, 15, n)
    return pd.DataFrame(
        {
            "region_code": region,
            "date": dates.date,
            "valid": True,
            "good": values <= 75,
            "heavy": False,
            "pm25": values,
            "pm10": 60.0,
            "so2": 8.0,
            "no2": 25.0,
            "co": 0.8,
            "o3_8h": 100.0,
            "o3_1h": 120.0,
        }
    )


def series():
    rng = np.random.default_rng(7)
    rows = pd.concat(
        [
            frame("A", "2025-01-01", "2026-06-30", 80.0),  # PM2.5 80: IAQI 107, never good
            frame("B", "2022-01-01", "2026-06-30", 40.0, rng),
            # C: 2024 and 2025 at 100, 2026 so far at 50: this year runs at half their level
            pd.concat(
                [
                    frame("C", "2024-01-01", "2025-12-31", 100.0),
                    frame("C", "2026-01-01", "2026-12-31", 50.0),
                ]
            ),
        ]
    )
    return day_series(rows, FIRST, dt.date(2026, 12, 31))


def test_every_earlier_year_with_data_and_the_window():
    cfg = ProgressConfig()
    bank = HistoryBank(series(), AS_OF, cfg)
    b = bank.pool("B", START, ELAPSED, REMAINING)
    assert b.years == [2025, 2024, 2023, 2022]  # every year back to the start of the series
    assert b.days["pm25"].shape == (4, REMAINING + 2 * cfg.block_window_days)
    a = bank.pool("A", START, ELAPSED, REMAINING)
    assert a.years == [2025]
    assert a.days["valid"].all() and not a.days["good"].any()
    np.testing.assert_allclose(a.days["pm25"], 80.0)  # the same level: factor 1


def test_anomaly_so_far_scales_earlier_years():
    bank = HistoryBank(series(), AS_OF, ProgressConfig())
    c = bank.pool("C", START, ELAPSED, REMAINING)
    # 2026 so far 50 against 100 on the same days of 2025 and 2024: factor 0.5, persistence 1
    np.testing.assert_allclose(c.days["pm25"][:, 15:-15], 50.0)
    assert c.days["good"].all()  # re-rated: 50 is good (IAQI 69)
    half = HistoryBank(series(), AS_OF, ProgressConfig(persistence=0.5))
    np.testing.assert_allclose(
        half.pool("C", START, ELAPSED, REMAINING).days["pm25"][:, 15:-15], 100 * 0.5**0.5
    )


def test_nothing_after_the_as_of_date():
    # C has data for all of 2026 (the future of 30 June): the window's days in 2026 after
    # as-of are missing, not read; 31 December 2025 + 15 days reaches into January 2026,
    # before as-of, so it is there
    bank = HistoryBank(series(), AS_OF, ProgressConfig())
    early = HistoryBank(series(), dt.date(2025, 12, 20), ProgressConfig())
    pool = early.pool("C", START, 0, 365)
    assert pool.years == [2025, 2024]
    last = pool.days["valid"][0]  # 2025 shifted: columns after 20 December 2025 are missing
    window = ProgressConfig().block_window_days
    dates = pd.date_range(dt.date(2025, 1, 1) - dt.timedelta(days=window), periods=len(last))
    assert not last[dates > pd.Timestamp("2025-12-20")].any()
    assert last[dates <= pd.Timestamp("2025-12-20")].all()
    assert bank.pool("X", START, ELAPSED, REMAINING) is None


def test_prefetch_gives_the_pools_pool_gives():
    cfg = ProgressConfig()
    keys = [(r, START, ELAPSED, REMAINING) for r in ("A", "B", "C", "X")]
    keys.append(("B", dt.date(2025, 1, 1), 100, 265))
    one_by_one = HistoryBank(series(), AS_OF, cfg)
    batched = HistoryBank(series(), AS_OF, cfg)
    batched.prefetch(keys)
    for key in keys:
        want, got = one_by_one.pool(*key), batched.pool(*key)
        if want is None:
            assert got is None
            continue
        assert want.years == got.years
        for field in want.days:
            np.testing.assert_array_equal(got.days[field], want.days[field], err_msg=f"{key}")


def test_daily_limits_are_the_iaqi_breakpoints():
    # HJ 633-2012 Table 1: IAQI 100 at PM2.5 75, PM10 150, SO2 24-h 150, NO2 24-h 80, CO 24-h
    # 4, O3 1-h 200, O3 8-h 160 (values rounded first: half a unit above still rounds down)
    assert daily_limits("2012", 100) == {
        "pm25": 75.5,
        "pm10": 150.5,
        "so2": 150.5,
        "no2": 80.5,
        "co": 4.05,
        "o3_1h": 200.5,
        "o3_8h": 160.5,
    }
    assert daily_limits("2012", 200)["pm25"] == 150.5
