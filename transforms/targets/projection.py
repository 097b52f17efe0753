"""Projection of an air target to its period's end, and the best and worst final values.

Method (docs/target_progress.md), in two sentences: each simulated future fills the days left
with runs of `block_days` consecutive days taken from a randomly chosen earlier year, each run
starting anywhere within `block_window_days` of the same calendar dates, and every earlier
year is first scaled by how much cleaner or dirtier this year has been than it so far
(persistence of the anomaly, transforms/targets/history.py). The probability of meeting the
target is the share of futures whose final value, computed from the days so far and the
simulated days with the same HJ 663 statistics as the actual (for O3 and CO the percentile of
the simulated year), meets it.

Runs keep the season and the persistence of pollution episodes; single days would treat days
as independent and understate the spread. Every earlier year available is used; with fewer
than `min_history_years` there is no probability, only the pace verdict. Seeds derive from the
configured seed and the target's key, so every run gives the same numbers.
"""

from __future__ import annotations

import warnings
import zlib
from typing import Any

import numpy as np
import pandas as pd

from transforms.air.aqi import round_half_even
from transforms.composite_index import composite_index_values
from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import POLLUTANTS, DaySeries
from transforms.targets.history import HistoryBank, Pool, daily_limits

PERCENTILE_OF = {"co": 95.0, "o3_8h": 90.0}  # HJ 663: CO 95th, O3-8h 90th of daily values
BIG = 1e12  # stands for "as high as it gets" in the worst-case percentile
EPS = 1e-9
LEVEL_SPAN = np.log(10.0)  # a future's level within 1/10 .. 10 x the earlier years' mean


def meets(x: np.ndarray | float, comparator: str, target: float) -> np.ndarray:
    """x compared with the target by the target's comparator (with a float tolerance)."""
    x = np.asarray(x, dtype="float64")
    if comparator == ">=":
        return x >= target - EPS
    if comparator == ">":
        return x > target + EPS
    if comparator == "<=":
        return x <= target + EPS
    if comparator == "<":
        return x < target - EPS
    return np.abs(x - target) <= EPS


def target_seed(cfg: ProgressConfig, key: str) -> np.random.Generator:
    """A generator seeded by the configured seed and a key (region | year | period): the
    targets of one region and period share their draws (common random numbers), so their
    verdicts agree, and no target's numbers depend on which other targets exist."""
    return np.random.default_rng([cfg.seed, zlib.crc32(key.encode("utf-8"))])


def block_choices(rng: np.random.Generator, n_years: int, n_blocks: int, draws: int) -> np.ndarray:
    """Which of n_years options (an earlier year and a shift) fills each block, one row per
    draw (draws x n_blocks).

    When every combination fits in the draw budget they are all enumerated, once each: that
    is the bootstrap distribution itself, without sampling noise, so two regions with the
    same days get the same verdict (with 2 years and 3 blocks left there are only 8 futures,
    and random draws of them put a median either side of a target by chance)."""
    if n_years**n_blocks <= draws:
        grids = np.meshgrid(*[np.arange(n_years)] * n_blocks, indexing="ij")
        return np.stack([g.ravel() for g in grids], axis=1) if n_blocks else np.zeros((1, 0), int)
    return rng.integers(0, n_years, size=(draws, n_blocks))


def concat_days(parts: list[dict[str, np.ndarray]], field: str) -> np.ndarray:
    """One day field of several stretches side by side, as (draws, days)."""
    arrays = [np.atleast_2d(p[field]) for p in parts]
    rows = max(a.shape[0] for a in arrays)
    return np.concatenate([np.broadcast_to(a, (rows, a.shape[1])) for a in arrays], axis=1)


def pollutant_stats(parts: list[dict[str, np.ndarray]], wanted: tuple[str, ...]) -> dict:
    """Per draw: mean of valid daily values, or the HJ 663 percentile for CO and O3-8h."""
    stats = {}
    for p in wanted:
        if p in PERCENTILE_OF:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                stats[p] = np.nanpercentile(concat_days(parts, p), PERCENTILE_OF[p], axis=1)
            continue
        # a mean needs sums and counts only: no need to put the parts side by side
        arrays = [np.atleast_2d(part[p]) for part in parts]
        total = sum(np.nansum(a, axis=1) for a in arrays)
        count = sum(np.count_nonzero(~np.isnan(a), axis=1) for a in arrays)
        with np.errstate(invalid="ignore", divide="ignore"):
            stats[p] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return stats


def base_pollutants(base: str) -> tuple[str, ...]:
    """The daily-value columns a base indicator is computed from."""
    if base == "composite_index":
        return POLLUTANTS
    if base == "co_p95":
        return ("co",)
    if base == "o3_8h_p90":
        return ("o3_8h",)
    return (base.removesuffix("_mean"),)


def period_value(
    base: str,
    parts: list[dict[str, np.ndarray]],
    edition: str,
) -> np.ndarray:
    """The period value of `base` per draw from day fields; each part is (draws, days) or
    (days,) (broadcast). HJ 663 statistics, as in target_progress_air_stretches.sql."""
    if base == "good_days":
        return concat_days(parts, "good").sum(axis=1).astype("float64")
    if base == "heavy_days":
        return concat_days(parts, "heavy").sum(axis=1).astype("float64")
    if base == "good_rate":
        valid = concat_days(parts, "valid").sum(axis=1)
        good = concat_days(parts, "good").sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(valid > 0, 100.0 * good / np.maximum(valid, 1), np.nan)
    stats = pollutant_stats(parts, base_pollutants(base))
    if base == "composite_index":
        return composite_index_values(stats, edition)
    return next(iter(stats.values()))


def constant_days(n: int, value: float) -> dict[str, np.ndarray]:
    """n valid days with every pollutant at `value` (for best / worst cases)."""
    out = {"valid": np.ones(n, bool), "good": np.zeros(n, bool), "heavy": np.zeros(n, bool)}
    for p in POLLUTANTS:
        out[p] = np.full(n, value)
    return out


def percentile_index_bounds(
    base: str,
    so_far: dict[str, np.ndarray],
    remaining: int,
    floors: dict[str, float],
    edition: str,
) -> tuple[float, float]:
    """Lowest and highest final value of a percentile or the composite index.

    Lowest: every day left at the pollutant's floor (adding low values never raises a type-7
    percentile; a mean term takes the lower of its value so far and its value with the floor
    days, as days left may also be invalid). Highest: every day left unbounded (infinite
    unless the percentile never reaches them, which can make a p90 target certain)."""
    wanted = base_pollutants(base)
    floor_days = constant_days(remaining, 0.0)
    for p in POLLUTANTS:
        floor_days[p] = np.full(remaining, floors.get(p, 0.0))
    low_stats = pollutant_stats([so_far, floor_days], wanted)
    so_far_stats = pollutant_stats([so_far], wanted)
    for p in wanted:
        if p not in PERCENTILE_OF:
            low_stats[p] = np.fmin(low_stats[p], so_far_stats[p])
    high_stats = pollutant_stats([so_far, constant_days(remaining, BIG)], wanted)
    if base == "composite_index":
        low = float(composite_index_values(low_stats, edition)[0])
        high = float(composite_index_values(high_stats, edition)[0])
    else:
        low, high = float(low_stats[wanted[0]][0]), float(high_stats[wanted[0]][0])
    if high > BIG / 1e6:
        high = float("inf")
    return low, high


def coverage_fields(base: str) -> tuple[str, ...]:
    """The day fields whose coverage decides whether an earlier year can be resampled."""
    if base in ("good_days", "good_rate", "heavy_days"):
        return ("valid",)
    return base_pollutants(base)


Futures = dict[tuple, tuple[dict[str, np.ndarray], int]]


def project_air_target(
    series: DaySeries | None,
    bank: HistoryBank,
    spec: dict[str, Any],
    cfg: ProgressConfig,
    futures: Futures | None = None,
) -> dict[str, Any]:
    """Projection and bounds of one air target (spec: a row of tp_targets + tp_air_progress).

    Returns projected / projected_low / projected_high (median and 10th / 90th percentile of
    the final value, in the target's own unit), probability_of_meeting, projection_method,
    history_years, history_span, projection_futures, projection_reason, and bound_low /
    bound_high of the base indicator for percentile and index targets. `futures` caches the
    simulated days by seed key and years, so targets sharing them draw them once."""
    out: dict[str, Any] = {
        "target_id": spec["target_id"],
        "projected": None,
        "projected_low": None,
        "projected_high": None,
        "probability_of_meeting": None,
        "projection_method": None,
        "history_years": 0,
        "history_span": None,
        "projection_futures": None,
        "projection_reason": None,
        "bound_low": None,
        "bound_high": None,
    }
    target_abs = spec["target_abs"]
    if series is None or target_abs is None or pd.isna(target_abs):
        return out
    base, start = spec["base"], spec["period_start"]
    elapsed, remaining = int(spec["elapsed_days"]), int(spec["remaining_days"])
    pos0 = series.position(start)
    so_far = series.take(np.arange(pos0, pos0 + elapsed))
    if spec["base_kind"] in ("percentile", "index"):
        low, high = percentile_index_bounds(
            base, so_far, remaining, cfg.mean_floors, spec["edition"]
        )
        out["bound_low"] = None if np.isnan(low) else low
        out["bound_high"] = None if np.isnan(high) else high
    if remaining == 0:
        final = period_value(base, [so_far], spec["edition"])
        return finish(out, spec, final, "final", [])
    pool = bank.pool(spec["region_code"], start, elapsed, remaining)
    chosen = eligible_years(pool, base, cfg)
    years = [pool.years[i] for i in chosen] if pool is not None else []
    out["history_years"] = len(years)
    if pool is None or len(years) < cfg.min_history_years:
        out["projection_method"] = "none"
        out["projection_reason"] = (
            f"{len(years)} earlier year(s) with data for the days left "
            f"(need {cfg.min_history_years}): pace verdict only, no probability"
        )
        return out
    drawn, n_futures = simulate(pool, chosen, remaining, cfg, spec["key"], futures)
    final = period_value(base, [so_far, drawn], spec["edition"])
    out = finish(out, spec, final, f"block_bootstrap_{cfg.block_days}d", years)
    if out.get("probability_of_meeting") is not None:
        out["projection_futures"] = n_futures
    return out


def eligible_years(pool: Pool | None, base: str, cfg: ProgressConfig) -> list[int]:
    """Indices of the pool's years whose days left have enough data for this base."""
    if pool is None:
        return []
    share = np.min([pool.coverage[f] for f in coverage_fields(base)], axis=0)
    return [i for i, c in enumerate(share) if c >= cfg.min_history_coverage and c > 0]


def simulate(
    pool: Pool,
    chosen: list[int],
    remaining: int,
    cfg: ProgressConfig,
    key: str,
    futures: Futures | None = None,
) -> tuple[dict[str, np.ndarray], int]:
    """The days left of every simulated future, (futures, remaining) per field, and how many
    futures: block k of a future is days [k L, (k + 1) L) taken from one chosen year, shifted
    by s days (|s| <= window). Every combination is enumerated when they fit the budget."""
    cache_key = (key, tuple(pool.years[i] for i in chosen), remaining)
    if futures is not None and cache_key in futures:
        return futures[cache_key]
    rng = target_seed(cfg, key)
    width = 2 * pool.window + 1
    n_blocks = -(-remaining // cfg.block_days)
    pick = block_choices(rng, len(chosen) * width, n_blocks, cfg.simulations)
    block = np.arange(remaining) // cfg.block_days
    year = np.asarray(chosen)[pick[:, block] // width]  # (futures, days)
    shift = pick[:, block] % width  # 0 .. 2 window: the column offset of day 0 of the block
    cols = next(iter(pool.days.values())).shape[1]
    levels = (
        future_levels(pool, chosen, remaining, pick.shape[0], rng) if cfg.level_spread else None
    )
    drawn = DrawnDays(pool, year * cols + shift + np.arange(remaining), year, levels)
    result = (drawn, int(pick.shape[0]))
    if futures is not None:
        futures[cache_key] = result
    return result


def future_levels(
    pool: Pool, chosen: list[int], remaining: int, n_futures: int, rng: np.random.Generator
) -> dict[str, np.ndarray] | None:
    """Per pollutant, (futures, pool years): the factor that takes a day of each earlier year
    to its future's level. A future's level (mean over the days left) is drawn from the spread
    of the earlier years' levels: log level = mean + sd x sqrt(1 + 1/n) x t with n - 1 degrees
    of freedom (the predictive law of one more year when n years are known), the same t for
    every pollutant of a future. None with fewer than two years."""
    n = len(chosen)
    if n < 2:
        return None
    t = rng.standard_t(n - 1, size=n_futures) * np.sqrt(1 + 1 / n)
    inner = slice(pool.window, pool.window + remaining)
    out = {}
    for p in POLLUTANTS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            level = np.nanmean(pool.days[p][:, inner], axis=1)  # every pool year
        logs = np.log(level[chosen])
        if not np.all(np.isfinite(logs)):
            continue  # a year without the pollutant: its days keep their own level
        # t with one or two degrees of freedom has long tails: a level stays within a tenth
        # and ten times the years' (geometric) mean, which also keeps exp finite
        spread = np.clip(logs.std(ddof=1) * t, -LEVEL_SPAN, LEVEL_SPAN)
        wanted = np.exp(logs.mean() + spread)  # (futures,)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[p] = wanted[:, None] / level[None, :]
    out["o3_1h"] = out.get("o3_8h")  # O3 1-h max follows O3-8h
    return {k: v for k, v in out.items() if v is not None}


class DrawnDays(dict):
    """The simulated days of each field, gathered from the pool when first asked for (an
    indicator needs two or three of the twelve fields); with levels, values are taken to
    their future's level and good / heavy days judged on the values so scaled."""

    def __init__(
        self,
        pool: Pool,
        flat: np.ndarray,
        year: np.ndarray,
        levels: dict[str, np.ndarray] | None = None,
    ):
        super().__init__()
        self.pool, self.flat, self.year, self.levels = pool, flat, year, levels

    def __missing__(self, field: str) -> np.ndarray:
        if field in ("good", "heavy"):
            got = self.flags(field)
        else:
            got = self.pool.days[field].reshape(-1).take(self.flat)
            if self.levels is not None and field in self.levels:
                factor = self.levels[field]
                got = got * np.take_along_axis(factor, self.year, axis=1)
        self[field] = got
        return got

    def flags(self, field: str) -> np.ndarray:
        days, new_rules = self.pool.days, self.pool.new_rules
        own = (
            np.where(
                new_rules,
                days[f"{field}_2026"].reshape(-1).take(self.flat),
                days[f"{field}_2012"].reshape(-1).take(self.flat),
            )
            if f"{field}_2012" in days  # each day by the edition of the date it stands for
            else days[field].reshape(-1).take(self.flat)
        )
        if self.levels is None:
            return own
        return rated_flags(self, field, own)


def rated_flags(drawn: DrawnDays, field: str, own: np.ndarray) -> np.ndarray:
    """Good (AQI <= 100) or heavy (AQI > 200) valid days of the scaled values, by the edition of
    the date each stands for. IAQI rises with the concentration, so AQI <= 100 exactly when
    every daily indicator is at or below its IAQI-100 breakpoint (HJ 633 Table 1); a day
    without any value keeps its own flag."""
    new_rules = drawn.pool.new_rules
    out = np.zeros(own.shape, dtype=bool)
    for edition, days_of in (("2012", ~new_rules), ("2026", new_rules)):
        if not days_of.any():
            continue
        limits = daily_limits(edition, 100 if field == "good" else 200)
        values = [drawn[c] for c in limits]
        pairs = list(zip(values, limits.values(), strict=True))
        if field == "good":
            hit = np.logical_and.reduce([~(v >= lim) for v, lim in pairs])
        else:
            hit = np.logical_or.reduce([v > lim for v, lim in pairs])
        none = np.logical_and.reduce([np.isnan(v) for v in values])
        hit = np.where(none, own, hit)
        out = np.where(days_of, drawn["valid"] & hit, out)
    return out


def finish(
    out: dict[str, Any], spec: dict[str, Any], final: np.ndarray, method: str, years: list[int]
) -> dict[str, Any]:
    """Summarise the final values of the base indicator in the target's own unit."""
    out.update(
        summarise_draws(spec, final, method, years, "no valid day in the draws: no projection")
    )
    return out


def summarise_draws(
    spec: dict[str, Any], final: np.ndarray, method: str, years: list[int], no_value: str
) -> dict[str, Any]:
    """Median and 10th / 90th percentile of the draws' final values in the target's own unit,
    the share meeting the target, the method and the history span (air and water targets);
    method "none" with the reason no_value when no draw has a value."""
    final = np.asarray(final, dtype="float64")
    ok = final[~np.isnan(final)]
    if not ok.size:
        return {"projection_method": "none", "projection_reason": no_value}
    shown = as_target_unit(ok, spec)
    return {
        "projected": float(np.median(shown)),
        "projected_low": float(np.percentile(shown, 10)),
        "projected_high": float(np.percentile(shown, 90)),
        "probability_of_meeting": float(
            np.mean(meets(shown_value(ok, spec), spec["comparator"], spec["target_abs"]))
        ),
        "projection_method": method,
        "history_span": f"{min(years)}-{max(years)}" if years else None,
    }


def shown_value(base_values: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    """Final values as published (GB/T 8170 to the base indicator's decimals), the figure a
    target is judged on; unchanged when the spec names no decimals."""
    decimals = spec.get("base_decimals")
    if decimals is None or pd.isna(decimals):
        return base_values
    return round_half_even(base_values, int(decimals))


def as_target_unit(base_values: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    """Base-indicator values as the target states them: a change on last year for yoy targets."""
    if spec["kind"] != "change":
        return base_values
    last = spec["base_last_full"]
    if spec["change_mode"] == "pct":
        return 100.0 * (base_values / last - 1.0)
    return base_values - last
