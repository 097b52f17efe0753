"""HistoryBank: earlier years on the target year's calendar, and prefetch giving the same days
as year() with one AQI computation for all regions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import day_series
from transforms.targets.history import HistoryBank

FIRST, AS_OF = dt.date(2024, 1, 1), dt.date(2026, 6, 30)


def frame(region: str, start: str, end: str, pm25: float, rng: np.random.Generator | None):
    dates = pd.date_range(start, end, freq="D")
    n = len(dates)
    noise = rng.normal(0, 15, n) if rng is not None else np.zeros(n)
    return pd.DataFrame(
        {
            "region_code": region,
            "date": dates.date,
            "valid": True,
            "good": True,
            "heavy": False,
            "pm25": pm25 + noise,
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
            frame("A", "2025-01-01", "2026-06-30", 80.0, None),  # PM2.5 80: IAQI 107, never good
            frame("B", "2024-01-01", "2026-06-30", 40.0, rng),
            frame("C", "2025-07-01", "2026-06-30", 60.0, rng),
        ]
    )
    return day_series(rows, FIRST, dt.date(2026, 12, 31))


def test_constant_pm25_80_year_is_valid_and_never_good():
    bank = HistoryBank(series(), AS_OF, ProgressConfig())
    last_year = bank.year("A", 2026, 1)
    assert last_year["valid"].all()
    assert not last_year["good"].any()
    np.testing.assert_allclose(last_year["pm25"], 80.0)  # level ratio 1: the same level
    two_back = bank.year("A", 2026, 2)  # 2024: no data for A
    assert not two_back["valid"].any() and np.isnan(two_back["pm25"]).all()


def test_prefetch_gives_the_days_year_gives():
    cfg = ProgressConfig()
    one_by_one = HistoryBank(series(), AS_OF, cfg)
    batched = HistoryBank(series(), AS_OF, cfg)
    batched.prefetch([("A", 2026), ("B", 2026), ("C", 2026), ("B", 2025), ("X", 2026)])
    assert len(batched.cache) == 4 * cfg.max_history_years  # X has no series
    for region, year in (("A", 2026), ("B", 2026), ("C", 2026), ("B", 2025)):
        for back in range(1, cfg.max_history_years + 1):
            want = one_by_one.year(region, year, back)
            got = batched.year(region, year, back)
            assert want.keys() == got.keys()
            for field in want:
                np.testing.assert_array_equal(got[field], want[field], err_msg=f"{region} {field}")
    good_b = batched.year("B", 2026, 1)["good"]
    assert 0 < good_b.sum() < len(good_b)  # PM2.5 around 40 +- 15: some days over 75
