"""Earlier years' days, made comparable with the target year, for the air projection.

Two corrections before a past day can stand in for a day of the target year:

1. Level (on by default, `level_adjustment`): air quality in Chinese cities has improved year
   after year, so the same calendar days of earlier years are dirtier than this year's will
   be. Each pollutant of a past year is scaled by the ratio of its mean over the last
   `level_window_days` days up to the as-of date to its mean over the same calendar days of
   that past year (clamped to 0.5..2). A backtest on 30 Shandong cities 2014-2017 is in
   docs/target_progress.md.
2. Rules: the day's AQI is recomputed from its (scaled) daily concentrations with the AQI
   edition in force on the target-year date it stands in for (HJ 633-2012 before 2026-03-01,
   HJ 633-2026 from then on; transforms.rules.edition_for_date), so good and heavy days of
   2025 history count by the 2026 breakpoints when they stand in for 2026 days.

Data after the as-of date are never used, whatever year they belong to.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from transforms.air.aqi import aqi as compute_aqi
from transforms.pollutants import DAILY_STATISTICS
from transforms.rules import SWITCH_DATE
from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import VALUE_FIELDS, DaySeries

RATIO_BOUNDS = (0.5, 2.0)
RATIO_OF = {"o3_1h": "o3_8h"}  # O3 1-h max scaled with the O3-8h ratio
MIN_WINDOW_VALUES = 10


class HistoryBank:
    """Past years of each region aligned to a target year's calendar, corrected and cached."""

    def __init__(self, series: dict[str, DaySeries], as_of: dt.date, cfg: ProgressConfig):
        self.series = series
        self.as_of = as_of
        self.cfg = cfg
        self.cache: dict[tuple[str, int, int], dict[str, np.ndarray]] = {}

    def year(self, region: str, target_year: int, back: int) -> dict[str, np.ndarray] | None:
        """Day fields of year target_year - back on the calendar of target_year (index 0 =
        1 January; 29 February takes 28 February of a common year)."""
        key = (region, target_year, back)
        if key not in self.cache:
            s = self.series.get(region)
            self.cache[key] = None if s is None else self.build(s, target_year, back)
        return self.cache[key]

    def build(self, s: DaySeries, target_year: int, back: int) -> dict[str, np.ndarray]:
        return rerate(self.scaled(s, target_year, back), year_dates(target_year))

    def prefetch(self, keys: Iterable[tuple[str, int]]) -> None:
        """Cache every back year of these (region, target_year) pairs with one AQI computation
        per (target_year, back) for all regions: the values year() gives, but the AQI call's
        fixed cost (~15 ms of pandas) is paid once, not once per region (a nation: ~1800)."""
        by_year: dict[int, list[str]] = {}
        for region, target_year in keys:
            if region in self.series:
                by_year.setdefault(int(target_year), []).append(region)
        for target_year, regions in by_year.items():
            dates = year_dates(target_year)
            for back in range(1, self.cfg.max_history_years + 1):
                todo = [
                    r for r in dict.fromkeys(regions) if (r, target_year, back) not in self.cache
                ]
                if not todo:
                    continue
                parts = [self.scaled(self.series[r], target_year, back) for r in todo]
                joined = {f: np.concatenate([p[f] for p in parts]) for f in parts[0]}
                rated = rerate(joined, pd.DatetimeIndex(np.tile(dates.to_numpy(), len(todo))))
                n = len(dates)
                for i, region in enumerate(todo):
                    self.cache[(region, target_year, back)] = {
                        f: v[i * n : (i + 1) * n] for f, v in rated.items()
                    }

    def scaled(self, s: DaySeries, target_year: int, back: int) -> dict[str, np.ndarray]:
        """Year target_year - back on target_year's calendar, level-adjusted, not yet re-rated."""
        pos = past_positions(s.first, target_year, back)
        pos = np.where(pos > s.position(self.as_of), -1, pos)  # nothing after the as-of date
        days = s.take(pos)
        ratios = self.ratios(s, back) if self.cfg.level_adjustment else {}
        for field in VALUE_FIELDS:
            days[field] = days[field] * ratios.get(RATIO_OF.get(field, field), 1.0)
        return days

    def ratios(self, s: DaySeries, back: int) -> dict[str, float]:
        """Per pollutant: mean over the window ending on as-of / mean over the same days
        `back` years earlier, clamped; 1 when either side has too few values."""
        now_pos, past_pos = window_positions(s.first, self.as_of, self.cfg.level_window_days, back)
        now, then = s.take(now_pos), s.take(past_pos)
        out = {}
        for p in DAILY_STATISTICS:
            a, b = now[p], then[p]
            both = ~np.isnan(a) & ~np.isnan(b)
            if both.sum() < MIN_WINDOW_VALUES or not np.mean(b[both]) > 0:
                continue
            out[p] = float(np.clip(np.mean(a[both]) / np.mean(b[both]), *RATIO_BOUNDS))
        return out


def year_dates(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")


@functools.lru_cache(maxsize=256)
def past_positions(first: dt.date, target_year: int, back: int) -> np.ndarray:
    """Series positions (from `first`) of the days of target_year shifted back `back` years;
    the same for every region, so computed once (pandas date arithmetic is slow)."""
    past = year_dates(target_year) - pd.DateOffset(years=back)
    pos = np.asarray((past - pd.Timestamp(first)).days)
    pos.flags.writeable = False
    return pos


@functools.lru_cache(maxsize=256)
def window_positions(
    first: dt.date, as_of: dt.date, window_days: int, back: int
) -> tuple[np.ndarray, np.ndarray]:
    """Series positions of the level window ending on as_of and of the same days `back` years
    earlier (HistoryBank.ratios)."""
    end = pd.Timestamp(as_of)
    window = pd.date_range(end - pd.Timedelta(days=window_days - 1), end)
    now_pos = np.asarray((window - pd.Timestamp(first)).days)
    past_pos = np.asarray((window - pd.DateOffset(years=back) - pd.Timestamp(first)).days)
    now_pos.flags.writeable = False
    past_pos.flags.writeable = False
    return now_pos, past_pos


def rerate(days: dict[str, np.ndarray], dates: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Good and heavy flags from the daily AQI recomputed with the edition of each date
    (HJ 633 daily report: 2012 uses O3 1-h max too, 2026 does not). Days whose AQI cannot be
    computed keep their flags; invalid days stay neither good nor heavy."""
    frame = pd.DataFrame(
        {
            "pm25": days["pm25"],
            "pm10": days["pm10"],
            "so2": days["so2"],
            "no2": days["no2"],
            "co": days["co"],
            "o3_8h": days["o3_8h"],
            "o3": days["o3_1h"],
        }
    )
    new_rules = np.asarray(dates >= pd.Timestamp(SWITCH_DATE))
    values = np.full(len(frame), np.nan)
    rated = frame.notna().to_numpy().any(axis=1)  # a day without any value has no AQI
    for edition, rows in (("2012", ~new_rules & rated), ("2026", new_rules & rated)):
        if rows.any():
            got = compute_aqi(frame[rows], kind="daily", edition=edition)["aqi"]
            values[rows] = got.to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(values)
    valid = days["valid"]
    days["good"] = np.where(known, valid & (values <= 100), days["good"])
    days["heavy"] = np.where(known, valid & (values > 200), days["heavy"])
    return days
