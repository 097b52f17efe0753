"""Backtest of the probability of meeting a target (P(meet)) on real daily city series.

For every city-year with at least one earlier year and a complete year to judge it by, at every
month-end from the end of February to the end of November, targets are set around the year's
final value (the value itself and +-2 %, +-5 %, +-10 % of it) and P(meet) is computed from the
data up to that month-end only, exactly as target_progress computes it (the same HistoryBank,
simulate and seed keys). Each forecast is then compared with the outcome. Three forecasters are
scored on the same forecasts (those for which envq gives a probability):

- envq: the projection's P(meet);
- pace: 1 when the value so far is on pace for the target (target_progress.sql), else 0;
- logistic: a logistic regression of the relative pace gap, fitted on the other cities
  (leave-one-city-out; with a single city, on its other years).

Scores: the Brier score (mean squared error of P against the 0/1 outcome) and the log loss
(P clipped to 0.001..0.999 so that a certain miss costs 6.9, not infinity), and a reliability
table: forecasts grouped by P in tenths against the share met.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit

from transforms.indicators import INDICATORS
from transforms.rules import period_edition
from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import DaySeries, day_series, month_end
from transforms.targets.history import HistoryBank
from transforms.targets.projection import eligible_years, meets, period_value, simulate
from transforms.warehouse import run_sql

BACKTEST_INDICATORS = (
    "good_days",
    "good_rate",
    "heavy_days",
    "pm25_mean",
    "pm10_mean",
    "o3_8h_p90",
    "composite_index",
)
TARGET_FACTORS = (1.0, 0.98, 1.02, 0.95, 1.05, 0.90, 1.10)
FORECAST_MONTHS = range(2, 12)  # end of February .. end of November
LOG_LOSS_CLIP = 1e-3
MIN_OUTCOME_VALID_DAYS = 300  # a year judged on fewer valid days is not a fair outcome
RELIABILITY_MIN = 30  # tenths with fewer forecasts are shown but not held to the goal


def load_backtest_days(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Daily city series of a scratch warehouse after ingest: stations the registry does not
    place become regions of their own, the air marts are built, and the computed and the
    published daily city values are read as tp_air_days rows (backtest_days.sql)."""
    from transforms.air.marts import build_air

    run_sql(con, "targets/backtest_regions")
    build_air(con, None, None)
    run_sql(con, "targets/backtest_days")
    return con.execute("select * from bt_days order by region_code, date").df()


@dataclass(frozen=True)
class Spec:
    """How an indicator is computed and judged: its base, kind and comparator."""

    indicator: str
    kind: str
    comparator: str


def spec_of(code: str) -> Spec:
    meta = INDICATORS[code]
    if meta.domain != "air" or meta.kind not in ("count", "rate", "mean", "percentile", "index"):
        raise ValueError(f"{code}: not an air indicator with a daily series")
    return Spec(code, meta.kind, ">=" if meta.better == "higher" else "<=")


def judged_years(s: DaySeries, last: dt.date) -> list[int]:
    """Years of the series complete enough to judge a forecast by: data from January to
    December and at least MIN_OUTCOME_VALID_DAYS valid days."""
    years = []
    for year in range(s.first.year, last.year + 1):
        start = s.position(dt.date(year, 1, 1))
        days = s.take(np.arange(start, s.position(dt.date(year, 12, 31)) + 1))
        valid = days["valid"]
        if valid.sum() >= MIN_OUTCOME_VALID_DAYS and valid[:31].any() and valid[-31:].any():
            years.append(year)
    return years


def earlier_data(s: DaySeries, year: int) -> bool:
    return bool(s.valid[: max(s.position(dt.date(year, 1, 1)), 0)].any())


def forecasts(days: pd.DataFrame, indicators: Iterable[str], cfg: ProgressConfig) -> pd.DataFrame:
    """One row per forecast: indicator, region, year, month, target, outcome (0/1), envq's
    P (NaN when envq gives only the pace verdict), pace (0/1), pace gap and history years."""
    specs = [spec_of(code) for code in indicators]
    if days.empty:
        return pd.DataFrame()
    dates = pd.to_datetime(days["date"])
    first = dt.date(dates.min().year, 1, 1)
    last = dt.date(dates.max().year, 12, 31)
    series = day_series(days, first, last)
    plan: dict[int, list[str]] = {}
    for region, s in series.items():
        for year in judged_years(s, last):
            if earlier_data(s, year):
                plan.setdefault(year, []).append(region)
    rows: list[dict[str, Any]] = []
    for year, regions in sorted(plan.items()):
        start = dt.date(year, 1, 1)
        n_days = (dt.date(year, 12, 31) - start).days + 1
        # the rule set that judges the year (its rounding and composite-index denominators)
        edition = period_edition(start, dt.date(year, 12, 31))
        finals = {r: full_year_values(series[r], start, n_days, specs, edition) for r in regions}
        for month in FORECAST_MONTHS:
            as_of = month_end(year, month)
            elapsed = (as_of - start).days + 1
            remaining = n_days - elapsed
            bank = HistoryBank(series, as_of, cfg)
            bank.prefetch((r, start, elapsed, remaining) for r in regions)
            for region in regions:
                rows += region_forecasts(
                    series[region],
                    bank,
                    region,
                    start,
                    elapsed,
                    remaining,
                    n_days,
                    specs,
                    finals[region],
                    cfg,
                    edition,
                    month,
                )
    return pd.DataFrame(rows)


def full_year_values(
    s: DaySeries, start: dt.date, n_days: int, specs: list[Spec], edition: str
) -> dict[str, float]:
    """Final value of each indicator over the whole year (NaN: the series lacks it)."""
    pos0 = s.position(start)
    year_days = s.take(np.arange(pos0, pos0 + n_days))
    return {
        sp.indicator: float(period_value(sp.indicator, [year_days], edition)[0]) for sp in specs
    }


def region_forecasts(
    s: DaySeries,
    bank: HistoryBank,
    region: str,
    start: dt.date,
    elapsed: int,
    remaining: int,
    n_days: int,
    specs: list[Spec],
    finals: dict[str, float],
    cfg: ProgressConfig,
    edition: str,
    month: int,
) -> list[dict[str, Any]]:
    """The forecasts of one region at one month-end, every indicator and target."""
    pos0 = s.position(start)
    so_far = s.take(np.arange(pos0, pos0 + elapsed))
    pool = bank.pool(region, start, elapsed, remaining)
    key = f"{region}|{start.year}|year"  # target_progress's seed key of an annual target
    futures: dict = {}
    share = elapsed / n_days
    rows = []
    for sp in specs:
        final = finals[sp.indicator]
        actual = float(period_value(sp.indicator, [so_far], edition)[0])
        if np.isnan(final) or np.isnan(actual):
            continue  # the series lacks what this indicator needs
        chosen = eligible_years(pool, sp.indicator, cfg)
        drawn_finals = None
        if len(chosen) >= cfg.min_history_years and pool is not None:
            drawn, _ = simulate(pool, chosen, remaining, cfg, key, futures)
            drawn_finals = period_value(sp.indicator, [so_far, drawn], edition)
            drawn_finals = drawn_finals[~np.isnan(drawn_finals)]
        sign = 1.0 if sp.comparator == ">=" else -1.0
        for factor in TARGET_FACTORS:
            target = final * factor
            pace_base = target * share if sp.kind == "count" else target
            on_pace = bool(meets(actual, sp.comparator, pace_base))
            p = (
                float(np.mean(meets(drawn_finals, sp.comparator, target)))
                if drawn_finals is not None and drawn_finals.size
                else math.nan
            )
            rows.append(
                {
                    "indicator": sp.indicator,
                    "region": region,
                    "year": start.year,
                    "month": month,
                    "factor": factor,
                    "target": target,
                    "outcome": int(bool(meets(final, sp.comparator, target))),
                    "envq": p,
                    "pace": float(on_pace),
                    "gap": sign * (actual - pace_base) / max(abs(pace_base), 1.0),
                    "history_years": len(chosen),
                }
            )
    return rows


def logistic_loco(scored: pd.DataFrame) -> tuple[np.ndarray, str]:
    """P from a logistic of the pace gap fitted without the forecast's own city (with one
    city: without its own year). Returns the probabilities and how they were fitted."""
    group, how = scored["region"], "leave-one-city-out"
    if group.nunique() < 2:
        group, how = scored["region"] + "|" + scored["year"].astype(str), "leave-one-year-out"
    x = np.clip(scored["gap"].to_numpy(dtype="float64"), -2.0, 2.0)
    y = scored["outcome"].to_numpy(dtype="float64")
    out = np.full(len(scored), np.nan)
    for g in group.unique():
        test = (group == g).to_numpy()
        train = ~test
        if train.sum() == 0 or y[train].min() == y[train].max():
            out[test] = y[train].mean() if train.any() else 0.5
            continue
        a, b = fit_logistic(x[train], y[train])
        out[test] = expit(a + b * x[test])
    return out, how


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood intercept and slope (with a negligible ridge so that perfectly
    separated data still give finite coefficients)."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = w[0] + w[1] * x
        p = expit(z)
        nll = np.sum(np.logaddexp(0, z) - y * z) + 1e-3 * w @ w
        grad = np.array([np.sum(p - y), np.sum((p - y) * x)]) + 2e-3 * w
        return float(nll), grad

    got = minimize(loss, np.zeros(2), jac=True, method="L-BFGS-B")
    return float(got.x[0]), float(got.x[1])


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    q = np.clip(p, LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict[str, Any]]:
    """P in tenths (the last tenth holds 1.0) against the share met."""
    tenth = np.minimum((p * 10).astype(int), 9)
    rows = []
    for k in range(10):
        inside = tenth == k
        n = int(inside.sum())
        rows.append(
            {
                "p_from": k / 10,
                "p_to": (k + 1) / 10,
                "forecasts": n,
                "mean_p": round(float(p[inside].mean()), 4) if n else None,
                "share_met": round(float(y[inside].mean()), 4) if n else None,
            }
        )
    return rows


def score(rows: pd.DataFrame) -> dict[str, Any]:
    """Per indicator: forecasts and city-years scored, Brier and log loss of envq, pace and
    logistic, the reliability table of envq, and the forecasts with the pace verdict only."""
    result: dict[str, Any] = {}
    if rows.empty:
        return result
    for code, group in rows.groupby("indicator", sort=False):
        scored = group[group["envq"].notna()].reset_index(drop=True)
        entry: dict[str, Any] = {
            "forecasts": len(scored),
            "city_years": int(scored[["region", "year"]].drop_duplicates().shape[0]),
            "methods": {},
            "reliability": [],
            "pace_only_forecasts": int(group["envq"].isna().sum()),
        }
        if len(scored):
            y = scored["outcome"].to_numpy(dtype="float64")
            logistic, how = logistic_loco(scored)
            for name, p in (
                ("envq", scored["envq"].to_numpy(dtype="float64")),
                ("pace", scored["pace"].to_numpy(dtype="float64")),
                ("logistic", logistic),
            ):
                entry["methods"][name] = {
                    "brier": round(brier(p, y), 4),
                    "log_loss": round(log_loss(p, y), 4),
                }
            entry["methods"]["logistic"]["fit"] = how
            entry["reliability"] = reliability(scored["envq"].to_numpy(dtype="float64"), y)
        result[str(code)] = entry
    return result


def worst_tenth(entry: dict[str, Any]) -> float | None:
    """The largest |share met - mean P| over tenths with at least RELIABILITY_MIN forecasts."""
    gaps = [
        abs(r["share_met"] - r["mean_p"])
        for r in entry["reliability"]
        if r["forecasts"] >= RELIABILITY_MIN
    ]
    return max(gaps) if gaps else None


def table_lines(result: dict[str, Any]) -> list[str]:
    """The printed summary: one line per indicator, then each reliability table."""
    head = (
        f"{'indicator':<16}{'forecasts':>10}{'city-yrs':>9}{'pace-only':>10}"
        f"{'envq B':>8}{'pace B':>8}{'logit B':>8}{'envq LL':>8}{'pace LL':>8}{'logit LL':>9}"
        f"{'worst tenth':>12}"
    )
    lines = [head]
    for code, e in result.items():
        m = e["methods"]
        if not m:
            lines.append(f"{code:<16}{0:>10}{0:>9}{e['pace_only_forecasts']:>10}")
            continue
        worst = worst_tenth(e)
        lines.append(
            f"{code:<16}{e['forecasts']:>10}{e['city_years']:>9}{e['pace_only_forecasts']:>10}"
            f"{m['envq']['brier']:>8.3f}{m['pace']['brier']:>8.3f}{m['logistic']['brier']:>8.3f}"
            f"{m['envq']['log_loss']:>8.3f}{m['pace']['log_loss']:>8.3f}"
            f"{m['logistic']['log_loss']:>9.3f}{'-' if worst is None else f'{worst:.3f}':>12}"
        )
    for code, e in result.items():
        if not e["reliability"]:
            continue
        lines.append(f"reliability of envq, {code}: P tenth -> forecasts, mean P, share met")
        for r in e["reliability"]:
            if r["forecasts"]:
                lines.append(
                    f"  {r['p_from']:.1f}-{r['p_to']:.1f} {r['forecasts']:>6} "
                    f"{r['mean_p']:.3f} {r['share_met']:.3f}"
                )
    return lines
