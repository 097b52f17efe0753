"""End to end through Prefect: the nightly flow on a small generated sample.

The numbers in the warehouse are checked against a count made independently here, with
pandas straight from the raw china_sites files (not through envq's SQL marts).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO_ROOT
from transforms.air.aqi import aqi
from transforms.plausibility import PLAUSIBLE_MAX

pytestmark = pytest.mark.e2e

TYPES = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}


def _city_hourly(air_dir: Path, stations: list[str]) -> pd.DataFrame:
    """City hourly means of the evaluation stations, read with pandas from the raw files."""
    frames = []
    for f in sorted(air_dir.glob("china_sites_*.csv")):
        raw = pd.read_csv(f, dtype=str)
        raw = raw[raw["type"].isin(TYPES)]
        vals = raw[[c for c in stations if c in raw.columns]].apply(pd.to_numeric, errors="coerce")
        pol = raw["type"].map(TYPES)
        limits = pol.map(PLAUSIBLE_MAX).to_numpy()[:, None]
        vals = vals.where((vals >= 0) & (vals <= limits))
        ts = pd.to_datetime(raw["date"], format="%Y%m%d") + pd.to_timedelta(
            raw["hour"].astype(int), unit="h"
        )
        frames.append(pd.DataFrame({"ts": ts, "pollutant": pol, "value": vals.mean(axis=1)}))
    long = pd.concat(frames).dropna()
    return long.pivot_table(index="ts", columns="pollutant", values="value", aggfunc="first")


def _good_days(hourly: pd.DataFrame, month_start: dt.date, days: int) -> int:
    good = 0
    for i in range(days):
        day = pd.Timestamp(month_start) + pd.Timedelta(days=i)
        hours = hourly.reindex(pd.date_range(day + pd.Timedelta(hours=1), periods=24, freq="h"))
        counts = hours.notna().sum()
        if (counts[["pm25", "pm10", "so2", "no2", "co", "o3"]] < 20).any():
            continue
        o3 = hours["o3"].to_numpy()
        windows = [o3[e - 8 : e] for e in range(8, 25)]
        means = [np.nanmean(w) for w in windows if np.isfinite(w).sum() >= 6]
        if len(means) < 14:
            continue
        row = {p: hours[p].mean() for p in ("pm25", "pm10", "so2", "no2", "co")}
        row.update(o3_8h=max(means), o3=np.nanmax(o3))
        value = aqi(pd.DataFrame([row]), kind="daily", edition="2012")["aqi"].iloc[0]
        good += int(value <= 100)
    return good


def test_nightly_flow_on_a_small_sample(tmp_path, monkeypatch):
    from flows.nightly import nightly
    from transforms.sample.data import write_sample

    monkeypatch.chdir(REPO_ROOT)  # config and targets come from data/
    raw = tmp_path / "raw"
    write_sample(raw, start=dt.date(2025, 12, 1), end=dt.date(2026, 2, 10))
    warehouse = tmp_path / "wh" / "envq.duckdb"
    monkeypatch.setenv("ENVQ_REPORTS", str(tmp_path / "reports"))
    summary = nightly(warehouse=str(warehouse), raw=str(raw))

    assert summary["ingest"]["by_status"].get("failed", 0) == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    got = con.execute(
        "select count(*) filter (where is_good) from air_city_daily "
        "where region_code = '610900' and date between '2026-01-01' and '2026-01-31'"
    ).fetchall()[0][0]
    progress = con.execute(
        "select indicator, target, actual from target_progress "
        "where region_code = '610900' and year = 2026 and period = 'year' "
        "and indicator in ('good_days', 'pm25_mean') order by indicator"
    ).fetchall()
    con.close()

    cfg = pd.read_csv(REPO_ROOT / "data/config/stations.csv", dtype=str)
    city = cfg[(cfg["is_background"] == "N") & (cfg["city_assessment"] == "Y")]
    city = city[city["region_code"].str.startswith("6109")]
    hourly = _city_hourly(raw / "air", city["station_code"].tolist())
    assert got == _good_days(hourly, dt.date(2026, 1, 1), 31)
    assert [p[0] for p in progress] == ["good_days", "pm25_mean"]
    assert progress[0][1] == 315 and progress[1][1] == 42
    assert progress[0][2] >= got  # good days to date include January
    assert list((tmp_path / "reports").glob("envq_610900_*_zh.html"))
