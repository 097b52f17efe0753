"""A region's daily air values on a dense calendar, the unit the air projection works on."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from transforms.pollutants import DAILY_STATISTICS

POLLUTANTS = DAILY_STATISTICS  # a day series' value columns, one per pollutant
VALUE_FIELDS = (*DAILY_STATISTICS, "o3_1h")  # O3 1-h daily max: the 2012 daily AQI needs it


@dataclass
class DaySeries:
    """One region's daily series on a dense calendar from `first` (missing days invalid)."""

    first: dt.date
    valid: np.ndarray
    good: np.ndarray
    heavy: np.ndarray
    values: dict[str, np.ndarray]

    def take(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        """Day fields at calendar positions idx; positions outside the series are missing."""
        idx = np.asarray(idx)
        n = len(self.valid)
        inside = (idx >= 0) & (idx < n)
        safe = np.where(inside, idx, 0)
        out = {
            "valid": self.valid[safe] & inside,
            "good": self.good[safe] & inside,
            "heavy": self.heavy[safe] & inside,
        }
        for p, v in self.values.items():
            out[p] = np.where(inside, v[safe], np.nan)
        return out

    def position(self, d: dt.date) -> int:
        return (d - self.first).days


def day_series(frame: pd.DataFrame, first: dt.date, last: dt.date) -> dict[str, DaySeries]:
    """Dense per-region arrays from tp_air_days rows (region_code, date, valid, good, heavy
    and the daily values of VALUE_FIELDS; absent columns are all missing)."""
    n = (last - first).days + 1
    out: dict[str, DaySeries] = {}
    for region, rows in frame.groupby("region_code", sort=False):
        pos = (pd.to_datetime(rows["date"]) - pd.Timestamp(first)).dt.days.to_numpy()
        keep = (pos >= 0) & (pos < n)

        def dense(col: str, fill: Any, dtype: Any, rows=rows, keep=keep, pos=pos) -> np.ndarray:
            arr = np.full(n, fill, dtype=dtype)
            if col in rows.columns:
                arr[pos[keep]] = rows[col].to_numpy(dtype=dtype, na_value=fill)[keep]
            return arr

        out[str(region)] = DaySeries(
            first=first,
            valid=dense("valid", False, bool),
            good=dense("good", False, bool),
            heavy=dense("heavy", False, bool),
            values={p: dense(p, np.nan, "float64") for p in VALUE_FIELDS},
        )
    return out


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])
