"""The figures a synthetic sample was tuned to: daily AQI, good days and means per region-year.

A simple, independent reckoning for the sample's README (not the pipeline's marts): region
hourly value = mean of the region's stations (city: its city-assessment stations; county: its
non-control stations), daily means need >= 20 hours (GB 3095 Table 4), MDA8 from 8-h windows
ending 08..24 h within the natural day (HJ 663), daily AQI by the edition in force on the day
(HJ 633-2012 until 2026-02-28, HJ 633-2026 from 2026-03-01), good day = AQI <= 100.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from transforms.sample.aqi import EDITION_2026_FROM, daily_aqi
from transforms.sample.config import SampleConfig


def region_columns(config: SampleConfig) -> dict[str, list[int]]:
    """Station columns (in config order) that make up each city's and county's value."""
    out: dict[str, list[int]] = {}
    for j, s in enumerate(config.stations):
        if s.is_background:
            continue
        out.setdefault(s.region_code, []).append(j)
        if s.city_assessment:
            out.setdefault(config.city_of(s.region_code), []).append(j)
    return out


def _nanmean_rows(x: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(x)
    n = valid.sum(axis=1)
    return np.where(n > 0, np.where(valid, x, 0).sum(axis=1) / np.maximum(n, 1), np.nan)


def region_daily(observed: dict[str, np.ndarray], cols: list[int], start: date,
                 n_days: int) -> dict[str, np.ndarray]:
    """Daily values of one region for natural days start..start+n_days-1."""
    hourly = {p: _nanmean_rows(v[:, cols]) for p, v in observed.items()}
    pad = {p: np.concatenate([v, [np.nan]]) for p, v in hourly.items()}  # hour 0 of end+1
    day_rows = np.arange(n_days)[:, None] * 24 + np.arange(1, 25)[None, :]
    out: dict[str, np.ndarray] = {}
    for p in ("pm25", "pm10", "so2", "no2", "co"):
        x = pad[p][day_rows]
        n = (~np.isnan(x)).sum(axis=1)
        mean = np.where(n >= 20, np.nansum(x, axis=1) / np.maximum(n, 1), np.nan)
        out[p] = np.round(mean, 1 if p == "co" else 0)
    o3 = pad["o3"]
    x = o3[day_rows]
    n = (~np.isnan(x)).sum(axis=1)
    out["o3"] = np.where(n >= 20, np.nanmax(np.where(np.isnan(x), -1, x), axis=1), np.nan)
    o3_full = np.concatenate([np.full(7, np.nan), o3])
    win = np.lib.stride_tricks.sliding_window_view(o3_full, 8)  # win[i] ends at row i
    cnt = (~np.isnan(win)).sum(axis=1)
    m8 = np.where(cnt >= 6, np.nansum(win, axis=1) / np.maximum(cnt, 1), np.nan)
    ends = np.arange(n_days)[:, None] * 24 + np.arange(8, 25)[None, :]
    w = m8[ends]
    nw = (~np.isnan(w)).sum(axis=1)
    mda8 = np.nanmax(np.where(np.isnan(w), -1, w), axis=1)
    out["o3_8h"] = np.where((nw >= 14) | (mda8 > 160), np.round(mda8), np.nan)
    days = [start + timedelta(days=i) for i in range(n_days)]
    new = np.array([d >= EDITION_2026_FROM for d in days])
    aqi = np.where(new, daily_aqi(out, "2026"), daily_aqi(out, "2012"))
    valid = ~np.isnan(out["pm25"]) & ~np.isnan(out["pm10"]) & ~np.isnan(out["o3_8h"])
    out["aqi"] = np.where(valid, aqi, np.nan)
    return out


def _p(x: np.ndarray, q: float) -> float:
    x = x[~np.isnan(x)]
    return float(np.percentile(x, q)) if len(x) else float("nan")


def annual_figures(daily: dict[str, np.ndarray], start: date, dust: set[date]) -> list[dict]:
    """Per calendar year: valid and good days, good rate, means, percentiles, composite index."""
    n = len(daily["aqi"])
    days = np.array([start + timedelta(days=i) for i in range(n)])
    years = np.array([d.year for d in days])
    is_dust = np.array([d in dust for d in days])
    out = []
    for year in sorted(set(years.tolist())):
        sel = years == year
        aqi = daily["aqi"][sel]
        valid = ~np.isnan(aqi)
        good = int((aqi[valid] <= 100).sum())
        nd = valid & ~is_dust[sel]
        means = {p: float(np.nanmean(daily[p][sel])) for p in ("pm25", "pm10", "so2", "no2")}
        co95, o3p90 = _p(daily["co"][sel], 95), _p(daily["o3_8h"][sel], 90)
        composite = (means["so2"] / 60 + means["no2"] / 40 + means["pm10"] / 70
                     + means["pm25"] / 35 + co95 / 4 + o3p90 / 160)
        out.append({
            "year": int(year), "days": int(sel.sum()), "valid_days": int(valid.sum()),
            "good_days": good, "good_rate": round(100 * good / max(int(valid.sum()), 1), 1),
            "good_days_dust_excluded": int((aqi[nd] <= 100).sum()),
            "valid_days_dust_excluded": int(nd.sum()),
            "good_rate_dust_excluded": round(100 * int((aqi[nd] <= 100).sum())
                                             / max(int(nd.sum()), 1), 1),
            "heavy_days": int((aqi[valid] > 200).sum()),
            "pm25_mean": round(means["pm25"], 1), "pm10_mean": round(means["pm10"], 1),
            "so2_mean": round(means["so2"], 1), "no2_mean": round(means["no2"], 1),
            "co_p95": round(co95, 2), "o3_8h_p90": round(o3p90, 1),
            "composite_index": round(composite, 2),
        })
    return out


def sample_figures(config: SampleConfig, observed: dict[str, np.ndarray], start: date,
                   end: date) -> dict[str, list[dict]]:
    """Annual figures of every configured city and county, keyed by region code."""
    n_days = (end - start).days + 1
    out = {}
    for code, cols in region_columns(config).items():
        dust = {d for r, d in config.dust_days if r in (code, config.city_of(code))}
        out[code] = annual_figures(region_daily(observed, cols, start, n_days), start, dust)
    return out
