"""The air projection: bounds of percentile targets, block draws, and the backtest on real
daily city data (30 Shandong localities, 2014-2017)."""

from __future__ import annotations

import numpy as np
import pytest

from transforms.targets.config import ProgressConfig
from transforms.targets.projection import (
    block_choices,
    meets,
    percentile_index_bounds,
    period_value,
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

@pytest.mark.realdata
def test_backtest_on_shandong_beats_the_pace_rule_and_the_logistic(shared_data, warehouse):
    """30 Shandong localities 2014-2017 (tianqihoubao daily city file, as envq ingests it):
    envq's P(meet) has a lower Brier score than the pace rule and the pace-gap logistic for
    good days and PM2.5 (measured: 0.149 / 0.354 / 0.224 and 0.220 / 0.400 / 0.229)."""
    from transforms.ingest.engine import ingest_paths
    from transforms.targets.backtest import forecasts, load_backtest_days, score

    path = shared_data / "tianqihoubao_shandong_daily_2014_2017" / "output.txt"
    ingest_paths(warehouse, [path], run_id="test")
    days = load_backtest_days(warehouse)
    assert days["region_code"].nunique() == 30
    result = score(forecasts(days, ["good_days", "pm25_mean"], ProgressConfig(simulations=500)))
    for code in ("good_days", "pm25_mean"):
        m = result[code]["methods"]
        assert result[code]["city_years"] == 60  # 2016 and 2017 have two earlier years or more
        assert m["envq"]["brier"] < m["pace"]["brier"], code
        assert m["envq"]["brier"] < m["logistic"]["brier"], code


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
