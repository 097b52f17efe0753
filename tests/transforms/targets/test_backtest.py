"""The backtest on generated series whose right answer is known, the scores, and a check that
P(meet) never uses data after its forecast date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from transforms.targets.backtest import (
    brier,
    forecasts,
    log_loss,
    reliability,
    score,
)
from transforms.targets.config import ProgressConfig

CFG = ProgressConfig(simulations=400)
GOOD, BAD = 30.0, 120.0  # PM2.5 µg/m³: IAQI 43 (good) and 157 (not good) by HJ 633-2012


def city_frame(region: str, pm25: np.ndarray, start: str = "2014-01-01") -> pd.DataFrame:
    """A daily city series whose only pollutant is PM2.5 (good = PM2.5 <= 75, heavy never)."""
    dates = pd.date_range(start, periods=len(pm25), freq="D")
    frame = pd.DataFrame({"region_code": region, "date": dates.date, "pm25": pm25})
    frame["valid"] = True
    frame["good"] = frame["pm25"] <= 75
    frame["heavy"] = False
    for p in ("pm10", "so2", "no2", "co", "o3_8h", "o3_1h"):
        frame[p] = np.nan
    return frame


def identical_years() -> pd.DataFrame:
    """The same value on the same calendar date every year 2014-2017 (29 February 2016 as
    28 February): a random mix of good and bad days, November to February all bad at 120."""
    rng = np.random.default_rng(3)
    one = np.where(rng.random(365) < 0.7, GOOD, BAD) + rng.normal(0, 3, 365)
    one[:59] = BAD  # January, February
    one[304:] = BAD  # November, December
    dates = pd.date_range("2014-01-01", "2017-12-31", freq="D")
    common = pd.DatetimeIndex(
        [
            d.replace(year=2015, day=min(d.day, 28)) if d.month == 2 else d.replace(year=2015)
            for d in dates
        ]
    )
    return city_frame("same", one[common.dayofyear - 1])


def test_identical_years_meet_a_target_equal_to_their_value_with_p_near_one():
    rows = forecasts(identical_years(), ["good_days", "pm25_mean"], CFG)
    at_target = rows[(rows["factor"] == 1.0) & (rows["year"] == 2017)]
    november = at_target[at_target["month"] == 11].set_index("indicator")
    # December and the days around it are bad at 120 in every year: every future ends the
    # year exactly where it did, and a target equal to the value is met
    assert november.loc["good_days", "envq"] >= 0.99
    assert november.loc["pm25_mean", "envq"] >= 0.99
    assert (at_target["outcome"] == 1).all()
    # 2015 has one earlier year only: the pace verdict, no probability
    assert rows.loc[rows["year"] == 2015, "envq"].isna().all()
    assert (rows.loc[rows["year"] == 2016, "history_years"] == 2).all()


def test_independent_days_give_the_binomial_probability_of_good_days():
    # every day good with probability 0.6, independently, for twenty years. From the end of a
    # month the good days of the R days left are Binomial(R, q), so P(good days of the year
    # >= T) = P(Binomial(R, q) >= T - good so far), with q the share of good days that the
    # earlier years had on the same days (what history can tell; 0.618 for September to
    # December here, not 0.6: twenty years are a sample)
    rng = np.random.default_rng(11)
    dates = pd.date_range("1998-01-01", "2017-12-31", freq="D")
    frame = city_frame("iid", np.where(rng.random(len(dates)) < 0.6, GOOD, BAD), "1998-01-01")
    rows = forecasts(frame, ["good_days"], CFG)
    rows = rows[(rows["year"] == 2017) & rows["envq"].notna()]
    good = pd.Series(frame["good"].to_numpy(), index=pd.DatetimeIndex(frame["date"]))
    gaps = []
    for r in rows.itertuples():
        elapsed = (dt.date(2017, r.month + 1, 1) - dt.date(2017, 1, 1)).days
        so_far = int(good[(good.index.year == 2017) & (good.index.month <= r.month)].sum())
        history = good[(good.index.year < 2017) & (good.index.month > r.month)]
        needed = int(np.ceil(r.target - 1e-9)) - so_far
        exact = float(binom.sf(needed - 1, 365 - elapsed, history.mean()))
        if 0.05 < exact < 0.95:
            gaps.append(r.envq - exact)
    assert len(gaps) >= 20
    # 400 futures: a share's sampling error is about 0.025
    assert abs(np.mean(gaps)) < 0.05, np.mean(gaps)
    assert np.mean(np.abs(gaps)) < 0.06 and np.max(np.abs(gaps)) < 0.15, gaps


def test_changing_the_future_does_not_move_p():
    base = identical_years()
    rng = np.random.default_rng(5)
    changed = base.copy()
    after = pd.to_datetime(changed["date"]) > pd.Timestamp("2017-06-30")
    changed.loc[after, "pm25"] = rng.uniform(5, 300, int(after.sum()))
    changed["good"] = changed["pm25"] <= 75
    one = forecasts(base, ["good_days", "pm25_mean"], CFG)
    two = forecasts(changed, ["good_days", "pm25_mean"], CFG)
    keys = ["indicator", "year", "month", "factor"]
    # targets are set around each year's final value, which the change moves: compare the
    # forecasts made up to 30 June 2017 on the same targets
    early = (one["year"] < 2017) | (one["month"] <= 6)
    a = one[early].set_index(keys)
    b = two.set_index(keys).loc[a.index]
    same_targets = np.isclose(a["target"], b["target"])
    assert same_targets[a.index.get_level_values("year") < 2017].all()
    lhs = a.loc[same_targets, "envq"].to_numpy()
    rhs = b.loc[same_targets, "envq"].to_numpy()
    np.testing.assert_array_equal(lhs, rhs)
    assert np.isfinite(lhs).sum() > 100


def test_scores_by_hand():
    p = np.array([0.9, 0.2, 1.0, 0.0])
    y = np.array([1.0, 0.0, 0.0, 0.0])
    # (0.01 + 0.04 + 1 + 0) / 4
    assert brier(p, y) == pytest.approx(0.2625)
    # -(ln 0.9 + ln 0.8 + ln 0.001 + ln 0.999) / 4, P clipped to 0.001..0.999
    want = -(np.log(0.9) + np.log(0.8) + np.log(0.001) + np.log(0.999)) / 4
    assert log_loss(p, y) == pytest.approx(want)
    table = reliability(p, y)
    assert [r["forecasts"] for r in table] == [1, 0, 1, 0, 0, 0, 0, 0, 0, 2]
    assert table[9]["mean_p"] == pytest.approx(0.95) and table[9]["share_met"] == 0.5


def test_score_shape_and_logistic_fit():
    rows = forecasts(identical_years(), ["good_days"], CFG)
    result = score(rows)
    entry = result["good_days"]
    assert set(entry) >= {"forecasts", "city_years", "methods", "reliability"}
    assert set(entry["methods"]) == {"envq", "pace", "logistic"}
    assert entry["city_years"] == 2  # 2016 and 2017 (2015 has one earlier year only)
    assert entry["forecasts"] == 2 * 10 * 7
    assert entry["methods"]["logistic"]["fit"] == "leave-one-year-out"  # a single city
    assert sum(r["forecasts"] for r in entry["reliability"]) == entry["forecasts"]
