"""Composite air-quality index (综合指数) and exceedance multiple (超标倍数).

城市环境空气质量排名技术规定 (环办〔2014〕64号 and the later ranking schemes; docs/standards.md §4):
I_i = C_i / S_i for the six pollutants and I_sum = Σ I_i, with C_i the period mean of SO2,
NO2, PM10 and PM2.5, the 95th percentile of CO daily means and the 90th percentile of O3 MDA8,
and S_i the GB 3095-2012 grade II limits 60, 40, 70, 35, 4, 160 (rule set `composite_index`).
The period's primary pollutant is the one with the largest I_i (2014 rule; ties all listed).
Bulletins print I_sum with 2 decimals; values are returned unrounded.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from transforms.rules import EDITIONS, cached_rules

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3_8h")


def composite_index(means: Mapping[str, float], edition: str = "2012") -> float:
    """I_sum = Σ C_i / S_i over the six pollutants; NaN if any C_i is missing or NaN."""
    frame = pd.DataFrame({p: [means.get(p, np.nan)] for p in POLLUTANTS})
    return float(composite_index_frame(frame, edition)["composite_index"].iloc[0])


def primary_pollutant(means: Mapping[str, float], edition: str = "2012") -> str | None:
    """Pollutant code(s) with the largest C_i / S_i (ties comma-joined), None if none known."""
    frame = pd.DataFrame({p: [means.get(p, np.nan)] for p in POLLUTANTS})
    value = composite_index_frame(frame, edition)["primary_pollutant"].iloc[0]
    return None if pd.isna(value) else str(value)


def composite_index_frame(frame: pd.DataFrame, edition: str = "2012") -> pd.DataFrame:
    """Vectorised: one row per input row (region x period) with columns pm25..o3_8h (C_i).

    Returns index_<pollutant> (I_i), composite_index (NaN unless all six are known) and
    primary_pollutant (largest I_i among the known ones; ties comma-joined), same index.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    limits = cached_rules(edition)["composite_index"]
    ratios = np.column_stack([column_or_nan(frame, p) / float(limits[p]) for p in POLLUTANTS])
    out = pd.DataFrame(
        {f"index_{p}": ratios[:, j] for j, p in enumerate(POLLUTANTS)}, index=frame.index
    )
    out["composite_index"] = ratios.sum(axis=1)  # NaN propagates: all six are needed
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
