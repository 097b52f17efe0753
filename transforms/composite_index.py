"""Composite air-quality index (综合指数) and exceedance multiple (超标倍数).

城市环境空气质量排名技术规定 (环办〔2014〕64号 and the later ranking schemes; docs/standards.md §4):
I_i = C_i / S_i for the six pollutants and I_sum = Σ I_i, with C_i the period mean of SO2,
NO2, PM10 and PM2.5, the 95th percentile of CO daily means and the 90th percentile of O3 MDA8,
and S_i the GB 3095-2012 grade II limits 60, 40, 70, 35, 4, 160 (rule set `composite_index`).
The period's primary pollutant is the one with the largest I_i (2014 rule; ties all listed).
As bulletins publish it, C_i is the statistic rounded by GB/T 8170 (rule set `rounding`: µg/m³
whole, CO 0.1 mg/m³) and I_sum is rounded to 2 decimals. The same rule, from the same rule-set
numbers, is the SQL macro composite_index_of (transforms/sql/core/assessment_macros.sql) that
air_region_period and target_progress use; this module serves the projection's draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from transforms.air.aqi import round_half_even
from transforms.pollutants import DAILY_STATISTICS
from transforms.rules import EDITIONS, cached_rules

POLLUTANTS = DAILY_STATISTICS  # the six C_i, O3 by its MDA8
ROUNDING_KEY = {p: p for p in POLLUTANTS} | {"o3_8h": "o3"}  # rule set `rounding` keys


def composite_index_values(stats: Mapping[str, Any], edition: str = "2012") -> np.ndarray:
    """I_sum per element of the six statistics' arrays: Σ round(C_i) / S_i, rounded to the
    rule set's decimals (2); NaN where any C_i is NaN."""
    rules = cached_rules(edition)
    limits, decimals = rules["composite_index"], rules["rounding"]
    total = sum(
        round_half_even(stats[p], decimals[ROUNDING_KEY[p]]) / float(limits[p]) for p in POLLUTANTS
    )
    return round_half_even(total, decimals["composite_index"])


def composite_index(means: Mapping[str, float], edition: str = "2012") -> float:
    """I_sum of rounded C_i, rounded to 2 decimals; NaN if any C_i is missing or NaN."""
    stats = {p: np.asarray([means.get(p, np.nan)], dtype="float64") for p in POLLUTANTS}
    return float(composite_index_values(stats, edition)[0])


def primary_pollutant(means: Mapping[str, float], edition: str = "2012") -> str | None:
    """Pollutant code(s) with the largest C_i / S_i (ties comma-joined), None if none known."""
    frame = pd.DataFrame({p: [means.get(p, np.nan)] for p in POLLUTANTS})
    value = composite_index_frame(frame, edition)["primary_pollutant"].iloc[0]
    return None if pd.isna(value) else str(value)


def composite_index_frame(frame: pd.DataFrame, edition: str = "2012") -> pd.DataFrame:
    """Vectorised: one row per input row (region x period) with columns pm25..o3_8h (C_i).

    Returns index_<pollutant> (I_i of the rounded C_i), composite_index (rounded; NaN unless
    all six are known) and primary_pollutant (largest I_i among the known ones; ties
    comma-joined), same index.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    rules = cached_rules(edition)
    limits, decimals = rules["composite_index"], rules["rounding"]
    ratios = np.column_stack([
        round_half_even(column_or_nan(frame, p), decimals[ROUNDING_KEY[p]]) / float(limits[p])
        for p in POLLUTANTS
    ])
    out = pd.DataFrame(
        {f"index_{p}": ratios[:, j] for j, p in enumerate(POLLUTANTS)}, index=frame.index
    )
    # NaN propagates: all six are needed
    out["composite_index"] = round_half_even(ratios.sum(axis=1), decimals["composite_index"])
    known = ~np.isnan(ratios)
    rounded = np.where(known, np.round(ratios, 10), -np.inf)  # exact ties despite binary floats
    top = rounded.max(axis=1)
    mask = ((rounded == top[:, None]) & known).astype(np.int64) @ (1 << np.arange(len(POLLUTANTS)))
    names = np.array([None] + [",".join(p for j, p in enumerate(POLLUTANTS) if m >> j & 1)
                               for m in range(1, 1 << len(POLLUTANTS))], dtype=object)
    out["primary_pollutant"] = pd.array(names[mask], dtype="string")
    return out


def column_or_nan(frame: pd.DataFrame, column: str) -> np.ndarray:
    """float64 values of a column (nullable dtypes too), all NaN when absent."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)
