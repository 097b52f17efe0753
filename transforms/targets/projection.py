"""Projection of an air target to its period's end, and the best and worst final values.

Method (docs/target_progress.md): the days left (as-of + 1 .. period end) are cut into blocks
of `block_days` consecutive days aligned to the calendar; each simulated future takes every
block from one earlier year drawn at random (the same calendar days of that year, corrected to
this year's level and rules by transforms/targets/history.py), so a draw keeps the season and the
day-to-day persistence of pollution episodes while mixing years. Resampling single days would
treat days as independent and understate the spread of the period's final value: in the
Shandong backtest 1-day blocks covered the outcome with their 80 % interval less often than
7-day blocks, and 30-day blocks (the default) most often. Days so far are kept as they are;
the final value of each draw is computed with the same HJ 663 statistics as the actual, and
the probability of meeting the target is the share of draws that meet it. Seeds derive from
the configured seed and the target's key, so every run gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zlib
from typing import Any

import numpy as np
import pandas as pd

from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import POLLUTANTS, DaySeries
from transforms.targets.history import HistoryBank

PERCENTILE_OF = {"co": 95.0, "o3_8h": 90.0}  # HJ 663: CO 95th, O3-8h 90th of daily values
BIG = 1e12  # stands for "as high as it gets" in the worst-case percentile
EPS = 1e-9


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
    """Which earlier year fills each block, one row per draw (draws x n_blocks).

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
        v = concat_days(parts, p)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if p in PERCENTILE_OF:
                stats[p] = np.nanpercentile(v, PERCENTILE_OF[p], axis=1)
            else:
                stats[p] = np.nanmean(v, axis=1)
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
    weights: dict[str, float],
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
        return composite(stats, weights)
    return next(iter(stats.values()))


def composite(stats: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Composite index = sum of C_i / S_i over the six pollutants (docs/standards.md §4)."""
    return sum(stats[p] / weights[p] for p in POLLUTANTS)


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
    weights: dict[str, float],
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
        low = float(composite(low_stats, weights)[0])
        high = float(composite(high_stats, weights)[0])
    else:
        low, high = float(low_stats[wanted[0]][0]), float(high_stats[wanted[0]][0])
    if high > BIG / 1e6:
        high = float("inf")
    return low, high


def history_years(
    bank: HistoryBank, spec: dict[str, Any], offsets: np.ndarray, cfg: ProgressConfig
) -> tuple[list[int], list[dict[str, np.ndarray]]]:
    """Earlier years whose same calendar days have enough valid data, and those days
    (level-adjusted and re-rated, see transforms/targets/history.py)."""
    start: dt.date = spec["period_start"]
    doy = (start - dt.date(start.year, 1, 1)).days + offsets
    fields = coverage_fields(spec["base"])
    years, days = [], []
    for back in range(1, cfg.max_history_years + 1):
        past = bank.year(spec["region_code"], spec["year"], back)
        if past is None:
            continue
        got = {f: v[doy] for f, v in past.items()}
        coverage = min(
            float(np.mean(got["valid"])) if f == "valid" else float(np.mean(~np.isnan(got[f])))
            for f in fields
        )
        if coverage >= cfg.min_history_coverage and coverage > 0:
            years.append(spec["year"] - back)
            days.append(got)
    return years, days


def coverage_fields(base: str) -> tuple[str, ...]:
    """The day fields whose coverage decides whether an earlier year can be resampled."""
    if base in ("good_days", "good_rate", "heavy_days"):
        return ("valid",)
    return base_pollutants(base)


def project_air_target(
    series: DaySeries | None,
    bank: HistoryBank,
    spec: dict[str, Any],
    cfg: ProgressConfig,
    weights: dict[str, float],
) -> dict[str, Any]:
    """Projection and bounds of one air target (spec: a row of tp_targets + tp_air_progress).

    Returns projected / projected_low / projected_high (median and 10th / 90th percentile of
    the final value, in the target's own unit), probability_of_meeting, projection_method,
    history_years, projection_reason, and bound_low / bound_high of the base indicator for
    percentile and index targets."""
    out: dict[str, Any] = {
        "target_id": spec["target_id"],
        "projected": None,
        "projected_low": None,
        "projected_high": None,
        "probability_of_meeting": None,
        "projection_method": None,
        "history_years": 0,
        "history_span": None,
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
        low, high = percentile_index_bounds(base, so_far, remaining, cfg.mean_floors, weights)
        out["bound_low"] = None if np.isnan(low) else low
        out["bound_high"] = None if np.isnan(high) else high
    if remaining == 0:
        final = period_value(base, [so_far], weights)
        return finish(out, spec, final, "final", [])
    offsets = np.arange(elapsed, elapsed + remaining)
    years, days = history_years(bank, spec, offsets, cfg)
    out["history_years"] = len(years)
    if len(years) < cfg.min_history_years:
        out["projection_method"] = "none"
        out["projection_reason"] = (
            f"{len(years)} earlier year(s) with data for the days left "
            f"(need {cfg.min_history_years}): no projection"
        )
        return out
    rng = target_seed(cfg, spec["key"])
    blocks = offsets.size // cfg.block_days + (offsets.size % cfg.block_days > 0)
    pick = block_choices(rng, len(years), blocks, cfg.simulations)
    which = pick[:, np.arange(remaining) // cfg.block_days]  # (draws, days)
    cols = np.broadcast_to(np.arange(remaining), which.shape)
    drawn = {f: np.stack([d[f] for d in days])[which, cols] for f in days[0]}
    final = period_value(base, [so_far, drawn], weights)
    return finish(out, spec, final, f"block_bootstrap_{cfg.block_days}d", years)


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
        "probability_of_meeting": float(np.mean(meets(ok, spec["comparator"], spec["target_abs"]))),
        "projection_method": method,
        "history_span": f"{min(years)}-{max(years)}" if years else None,
    }


def as_target_unit(base_values: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    """Base-indicator values as the target states them: a change on last year for yoy targets."""
    if spec["kind"] != "change":
        return base_values
    last = spec["base_last_full"]
    if spec["change_mode"] == "pct":
        return 100.0 * (base_values / last - 1.0)
    return base_values - last
