"""The air projection: bounds of percentile targets, block draws, and a backtest on real
daily city data (30 Shandong localities, 2014-2017) showing what the level adjustment and
the block length buy."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import day_series
from transforms.targets.history import HistoryBank
from transforms.targets.projection import (
    block_choices,
    meets,
    percentile_index_bounds,
    period_value,
    project_air_target,
)

WEIGHTS = {"so2": 60.0, "no2": 40.0, "pm10": 70.0, "pm25": 35.0, "co": 4.0, "o3_8h": 160.0}


def days(values: list[float], field: str = "o3_8h") -> dict[str, np.ndarray]:
    n = len(values)
    out = {"valid": np.ones(n, bool), "good": np.ones(n, bool), "heavy": np.zeros(n, bool)}
    for p in WEIGHTS:
        out[p] = np.full(n, np.nan)
    out[field] = np.asarray(values, dtype=float)
    return out


def test_percentile_is_hj663_type_7():
    # docs/standards.md §3.2 worked example: {3,4,8,2,5,4} at p = 0.9 -> 6.5
    assert period_value("o3_8h_p90", [days([3, 4, 8, 2, 5, 4])], WEIGHTS)[0] == 6.5


def test_percentile_bounds():
    so_far = days([150.0] * 90 + [200.0] * 10)
    low, high = percentile_index_bounds("o3_8h_p90", so_far, 5, {"o3_8h": 0.0}, WEIGHTS)
    # 105 days: k = 1 + 104 x 0.9 = 94.6; five days at 0 push the 200s to X(96)..X(105), so
    # X(94) = X(95) = 150
    assert low == pytest.approx(150.0)
    # highest: the five days unbounded sit above X(101), so the 90th percentile stays 200
    assert high == pytest.approx(200.0)
    _, unbounded = percentile_index_bounds("o3_8h_p90", so_far, 30, {"o3_8h": 0.0}, WEIGHTS)
    assert unbounded == float("inf")


def test_meets_uses_the_comparator():
    x = np.array([41.9999999999, 42.0, 42.1])
    assert meets(x, "<=", 42).tolist() == [True, True, False]
    assert meets(x, "<", 42).tolist() == [False, False, False]
    assert meets(x, ">=", 42).tolist() == [True, True, True]


# ------------------------------------------------------------- backtest on real data

def shandong(shared_data) -> pd.DataFrame:
    path = shared_data / "tianqihoubao_shandong_daily_2014_2017" / "output.txt"
    rows = [line.split("||")[:11] for line in path.read_text(encoding="gbk").splitlines()
            if line.strip()]
    frame = pd.DataFrame(rows, columns="city date level aqi rank pm25 pm10 so2 no2 co o3".split())
    for col in ("aqi", "pm25", "pm10", "so2", "no2", "co", "o3"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame = frame.drop_duplicates(["city", "date"])
    return pd.DataFrame({
        "region_code": frame.city, "date": pd.to_datetime(frame.date).dt.date,
        "valid": frame.aqi.notna(), "good": frame.aqi <= 100, "heavy": frame.aqi > 200,
        "pm25": frame.pm25, "pm10": frame.pm10, "so2": frame.so2, "no2": frame.no2,
        "co": frame.co, "o3_8h": frame.o3,
    })


def backtest(series, cfg: ProgressConfig, base: str, kind: str) -> pd.DataFrame:
    """Project 2017 from 30 June with 2014-2016 as history; compare with the real outcome."""
    as_of, start, end = dt.date(2017, 6, 30), dt.date(2017, 1, 1), dt.date(2017, 12, 31)
    bank = HistoryBank(series, as_of, cfg)
    rows = []
    for city, s in series.items():
        pos = s.position(start)
        actual = float(period_value(base, [s.take(np.arange(pos, pos + 365))], WEIGHTS)[0])
        spec = dict(target_id=0, region_code=city, year=2017, period_start=start,
                    period_end=end, elapsed_days=181, remaining_days=184, base=base,
                    base_kind=kind, kind=kind, comparator="<=", target_abs=actual, key=city,
                    change_mode=None, base_last_full=None)
        out = project_air_target(s, bank, spec, cfg, WEIGHTS)
        rows.append({"actual": actual, "median": out["projected"], "low": out["projected_low"],
                     "high": out["projected_high"]})
    frame = pd.DataFrame(rows).dropna()
    frame["covered"] = (frame.actual >= frame.low) & (frame.actual <= frame.high)
    return frame


@pytest.mark.realdata
def test_backtest_level_adjustment_and_blocks(shared_data):
    series = day_series(shandong(shared_data), dt.date(2014, 1, 1), dt.date(2017, 12, 31))
    assert len(series) == 30
    plain = backtest(series, ProgressConfig(simulations=300, level_adjustment=False),
                     "pm25_mean", "mean")
    adjusted = backtest(series, ProgressConfig(simulations=300), "pm25_mean", "mean")
    one_day = backtest(series, ProgressConfig(simulations=300, block_days=1), "pm25_mean", "mean")
    err_plain = (plain.actual - plain["median"]).abs().mean()
    err_adjusted = (adjusted.actual - adjusted["median"]).abs().mean()
    # PM2.5 fell year after year: unadjusted history overstates the second half of 2017
    assert err_adjusted < 0.7 * err_plain
    # 30-day blocks spread the outcomes wider than single days, and cover the truth more often
    width = (adjusted.high - adjusted.low).mean()
    assert width > 1.3 * (one_day.high - one_day.low).mean()
    assert adjusted.covered.mean() >= one_day.covered.mean()


def test_block_choices_enumerate_every_future_when_they_fit_the_budget() -> None:
    rng = np.random.default_rng(0)
    picks = block_choices(rng, n_years=2, n_blocks=3, draws=2000)
    assert picks.shape == (8, 3)
    assert {tuple(r) for r in picks.tolist()} == {
        (a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)
    }


def test_block_choices_sample_when_the_futures_outnumber_the_budget() -> None:
    picks = block_choices(np.random.default_rng(0), n_years=5, n_blocks=12, draws=300)
    assert picks.shape == (300, 12)
    assert picks.min() == 0 and picks.max() == 4
