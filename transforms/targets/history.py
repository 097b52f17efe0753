"""Earlier years' days, made comparable with the target year, for the air projection.

For a region, a period and an as-of date, the pool holds every earlier year available (up to
`max_history_years` back) over the days left in the period, widened by `block_window_days`
on each side so that a block may start anywhere within that window around the same calendar
dates. Two corrections before a past day can stand in for a day of the target year:

1. Persistence of this year's anomaly (`level_adjustment`, `persistence`): each pollutant of
   a past year is scaled by r^persistence, where r (clamped to 0.5..2) is the ratio of its
   mean over this period so far (at least the last `level_window_days` days up to the as-of
   date) to its mean over the same calendar days of that past year. A city running cleaner
   than a past year so far is taken to stay cleaner than that year over the rest of the
   period; the improvement of Chinese air year after year is part of r.
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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from transforms.air.aqi import INPUTS, breakpoint_table, decimals_for
from transforms.air.aqi import aqi as compute_aqi
from transforms.pollutants import DAILY_STATISTICS
from transforms.rules import SWITCH_DATE, cached_rules
from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import VALUE_FIELDS, DaySeries

RATIO_BOUNDS = (0.5, 2.0)
RATIO_OF = {"o3_1h": "o3_8h"}  # O3 1-h max scaled with the O3-8h ratio
MIN_WINDOW_VALUES = 10

PoolKey = tuple[str, dt.date, int, int]  # region, period start, days elapsed, days left


@dataclass(frozen=True)
class Pool:
    """Earlier years of one region over the days left (widened by the window on each side).

    days[field] is (years, window + days left + window); column window + j stands for the
    j-th day left. coverage[field] is each year's share of the days left (unshifted) that
    have a value of that field (valid days for "valid")."""

    years: list[int]
    window: int
    days: dict[str, np.ndarray]
    coverage: dict[str, np.ndarray]
    # which days left go by the new AQI rules; when they straddle the switch, days also holds
    # good/heavy under each edition ("good_2012", "good_2026", ...)
    new_rules: np.ndarray


class HistoryBank:
    """Pools of earlier years for the targets of one as-of date, corrected and cached."""

    def __init__(self, series: dict[str, DaySeries], as_of: dt.date, cfg: ProgressConfig):
        self.series = series
        self.as_of = as_of
        self.cfg = cfg
        self.cache: dict[PoolKey, Pool | None] = {}

    def pool(self, region: str, start: dt.date, elapsed: int, remaining: int) -> Pool | None:
        """The pool of region for the period starting on `start` with `elapsed` days gone and
        `remaining` left; None when the region has no series or no earlier year has data."""
        key = (region, start, int(elapsed), int(remaining))
        if key not in self.cache:
            self.prefetch([key])
        return self.cache[key]

    def prefetch(self, keys: Iterable[PoolKey]) -> None:
        """Build the pools of these keys with one AQI computation per period shape for all
        regions: the AQI call's fixed cost (~15 ms of pandas) is paid once, not once per
        region (a nation: ~1800)."""
        by_shape: dict[tuple[dt.date, int, int], list[str]] = {}
        for region, start, elapsed, remaining in keys:
            key = (region, start, int(elapsed), int(remaining))
            if key in self.cache:
                continue
            if region not in self.series:
                self.cache[key] = None
                continue
            by_shape.setdefault(key[1:], []).append(region)
        w = self.cfg.block_window_days
        for (start, elapsed, remaining), regions in by_shape.items():
            dates = window_dates(start, elapsed, remaining, w)
            built = {
                r: self.scaled_years(self.series[r], start, elapsed, remaining)
                for r in dict.fromkeys(regions)
            }
            parts = [d for _, days in built.values() for d in days]
            new_rules = np.asarray(dates >= pd.Timestamp(SWITCH_DATE))
            straddles = bool(new_rules.any() and not new_rules.all())
            rated: list[dict[str, np.ndarray]] = []
            if parts:
                joined = {f: np.concatenate([p[f] for p in parts]) for f in parts[0]}
                n, k = len(dates), len(parts)
                if straddles:
                    # a shifted day may stand in for a date under the other edition: rate
                    # every day under both and pick by the date it stands in for (simulate)
                    flat = dict(joined)
                    switch = pd.Timestamp(SWITCH_DATE)
                    for edition, day in (("2012", switch - pd.Timedelta(days=1)), ("2026", switch)):
                        got = rerate(dict(joined), pd.DatetimeIndex([day]).repeat(n * k))
                        flat[f"good_{edition}"], flat[f"heavy_{edition}"] = (
                            got["good"],
                            got["heavy"],
                        )
                else:
                    flat = rerate(joined, pd.DatetimeIndex(np.tile(dates.to_numpy(), k)))
                rated = [{f: v[i * n : (i + 1) * n] for f, v in flat.items()} for i in range(k)]
            i = 0
            for region, (years, _) in built.items():
                mine, i = rated[i : i + len(years)], i + len(years)
                key = (region, start, elapsed, remaining)
                flags = new_rules[w : w + remaining]
                self.cache[key] = make_pool(years, mine, w, remaining, flags) if years else None

    def scaled_years(
        self, s: DaySeries, start: dt.date, elapsed: int, remaining: int
    ) -> tuple[list[int], list[dict[str, np.ndarray]]]:
        """Every earlier year with a value on the days left, scaled, not yet re-rated."""
        w = self.cfg.block_window_days
        as_of_pos = s.position(self.as_of)
        years, parts = [], []
        for back in range(1, self.cfg.max_history_years + 1):
            pos = shifted_positions(s.first, start, elapsed, remaining, w, back)
            if pos.size == 0 or pos.max() < 0:
                break  # before the series starts: no earlier year further back either
            pos = np.where(pos > as_of_pos, -1, pos)  # nothing after the as-of date
            days = s.take(pos)
            inner = slice(w, w + remaining)  # a year counts when its days left have data
            has_value = days["valid"][inner].any() or any(
                (~np.isnan(days[p][inner])).any() for p in DAILY_STATISTICS
            )
            if not has_value:
                continue
            if self.cfg.level_adjustment:
                factors = self.factors(s, elapsed, back)
                for field in VALUE_FIELDS:
                    days[field] = days[field] * factors.get(RATIO_OF.get(field, field), 1.0)
            years.append(start.year - back)
            parts.append(days)
        return years, parts

    def factors(self, s: DaySeries, elapsed: int, back: int) -> dict[str, float]:
        """Per pollutant: (mean over the period so far, at least level_window_days up to
        as-of / mean over the same days `back` years earlier), clamped, to the power
        `persistence`; missing (factor 1) when either side has too few values."""
        n = max(int(elapsed), self.cfg.level_window_days)
        now_pos, past_pos = window_positions(s.first, self.as_of, n, back)
        now, then = s.take(now_pos), s.take(past_pos)
        out = {}
        for p in DAILY_STATISTICS:
            a, b = now[p], then[p]
            both = ~np.isnan(a) & ~np.isnan(b)
            if both.sum() < MIN_WINDOW_VALUES or not np.mean(b[both]) > 0:
                continue
            ratio = float(np.clip(np.mean(a[both]) / np.mean(b[both]), *RATIO_BOUNDS))
            out[p] = ratio**self.cfg.persistence
        return out


def make_pool(
    years: list[int],
    days: list[dict[str, np.ndarray]],
    window: int,
    remaining: int,
    new_rules: np.ndarray,
) -> Pool:
    stacked = {f: np.stack([d[f] for d in days]) for f in days[0]}
    inner = slice(window, window + remaining)
    coverage = {
        f: (v[:, inner].mean(axis=1) if f == "valid" else (~np.isnan(v[:, inner])).mean(axis=1))
        for f, v in stacked.items()
        if not f.startswith(("good", "heavy"))
    }
    return Pool(years, window, stacked, coverage, new_rules)


@functools.lru_cache(maxsize=1024)
def window_dates(start: dt.date, elapsed: int, remaining: int, window: int) -> pd.DatetimeIndex:
    """The target-year dates of a pool's columns: the days left widened by window each side."""
    first = pd.Timestamp(start) + pd.Timedelta(days=elapsed - window)
    return pd.date_range(first, periods=remaining + 2 * window, freq="D")


@functools.lru_cache(maxsize=4096)
def shifted_positions(
    first: dt.date, start: dt.date, elapsed: int, remaining: int, window: int, back: int
) -> np.ndarray:
    """Series positions (from `first`) of a pool's columns `back` years earlier (29 February
    takes 28 February of a common year); the same for every region, so computed once."""
    past = window_dates(start, elapsed, remaining, window) - pd.DateOffset(years=back)
    pos = np.asarray((past - pd.Timestamp(first)).days)
    pos.flags.writeable = False
    return pos


@functools.lru_cache(maxsize=4096)
def window_positions(
    first: dt.date, as_of: dt.date, window_days: int, back: int
) -> tuple[np.ndarray, np.ndarray]:
    """Series positions of the level window ending on as_of and of the same days `back` years
    earlier (HistoryBank.factors)."""
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


@functools.lru_cache(maxsize=8)
def daily_limits(edition: str, level: int) -> dict[str, float]:
    """Day field -> the highest daily value whose IAQI is at most `level` (100 or 200), for
    each indicator of the edition's daily AQI (HJ 633 Table 1; values are rounded before the
    IAQI, hence the half unit)."""
    out = {}
    for indicator in cached_rules(edition)["daily_aqi_indicators"]:
        column, pollutant, _ = INPUTS["daily"][indicator]
        bp, iq, _ = breakpoint_table(edition, indicator)
        at = np.flatnonzero(iq == level)
        if at.size:
            field = "o3_1h" if column == "o3" else column
            out[field] = (float(bp[at[0]]) + 0.5) / 10 ** decimals_for(pollutant)
    return out
