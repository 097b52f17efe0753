"""One real city, one real month: the marts against a pandas computation written apart.

安康 (610900) in January 2019 from the real CNEMC station files and the real NewSiteList: the
list assigns 2643A and 2644A to the city (2642A 香溪洞 is its 对照点 and must not count). The
oracle below reads the raw files itself and follows the rules as the standards state them
(city hour = mean of the evaluation stations present; a daily mean needs >= 20 hours
(GB 3095-2012 Table 4); MDA8 from the 8-h windows ending at hours 8..24 with >= 6 hours each,
valid with >= 14 windows or a maximum above 160 (HJ 663-2013); period statistics over the
valid days, percentiles with k = 1 + (n-1)p (HJ 663), i.e. numpy's linear percentile).
The warehouse loads only the columns of the city's stations (copied from the real files) so
that the test stays small; the marts do not see the oracle's frames. The marts' unrounded
columns are compared (the published ones are rounded as bulletins print them).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from transforms.air.marts import build_air
from transforms.ingest.engine import ingest_paths
from transforms.ingest.registry import load_registry
from transforms.warehouse import connect

CITY = "610900"
POLLUTANTS = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}
MONTH_DAYS = [dt.date(2019, 1, 1) + dt.timedelta(days=i) for i in range(31)]
FILE_DAYS = [*MONTH_DAYS, dt.date(2019, 2, 1)]  # hour 0 of Feb 1 closes Jan 31


def raw_day(folder, day: dt.date) -> pd.DataFrame:
    return pd.read_csv(folder / f"china_sites_{day:%Y%m%d}.csv.xz", dtype={"date": str})


def oracle(frames: list[pd.DataFrame], stations: list[str]) -> dict[str, float]:
    """Monthly statistics of the city from the raw wide files."""
    raw = pd.concat(frames, ignore_index=True)
    raw = raw[raw["type"].isin(POLLUTANTS)]
    long = raw.melt(id_vars=["date", "hour", "type"], value_vars=stations,
                    var_name="station", value_name="value").dropna(subset=["value"])
    long["ts"] = pd.to_datetime(long["date"], format="%Y%m%d") + pd.to_timedelta(
        long["hour"], unit="h")
    city = long.groupby(["type", "ts"])["value"].mean().unstack("type")
    # hour-ending stamps: natural day D holds D 01:00 .. D+1 00:00
    day_of = (city.index - pd.Timedelta(hours=1)).normalize()
    out: dict[str, float] = {}
    daily: dict[str, pd.Series] = {}
    for raw_name, name in POLLUTANTS.items():
        if name == "o3":
            continue
        grouped = city[raw_name].groupby(day_of)
        means = grouped.mean().where(grouped.count() >= 20)
        daily[name] = means[means.index.isin(pd.to_datetime(MONTH_DAYS))].dropna()
    mda8 = []
    for day in MONTH_DAYS:
        start = pd.Timestamp(day)
        hours = city["O3"].reindex(start + pd.to_timedelta(np.arange(1, 25), unit="h"))
        windows = [hours.iloc[end - 8:end] for end in range(8, 25)]
        means = [w.mean() for w in windows if w.count() >= 6]
        if len(means) >= 14 or (means and max(means) > 160):
            mda8.append(max(means))
    for name in ("pm25", "pm10", "so2", "no2"):
        out[name] = daily[name].mean()
        out[f"{name}_days"] = len(daily[name])
    out["co_p95"] = float(np.percentile(daily["co"].to_numpy(), 95))
    out["o3_8h_p90"] = float(np.percentile(mda8, 90))
    out["o3_8h_days"] = len(mda8)
    return out


@pytest.mark.realdata
def test_ankang_january_2019_equals_an_independent_computation(shared_data, tmp_path):
    folder = shared_data / "cnemc_china_sites_2019"
    station_list = folder / "stations" / "NewSiteList.csv"
    frames = [raw_day(folder / "xz", day) for day in FILE_DAYS]

    con = connect(tmp_path / "wh.duckdb")
    try:
        load_registry(con, None)
        ingest_paths(con, [station_list])
        members = sorted(c for (c,) in con.execute(
            "select station_code from stations where region_code = ? and not is_background",
            [CITY]).fetchall())
        control = [c for (c,) in con.execute(
            "select station_code from stations where region_code = ? and is_background",
            [CITY]).fetchall()]
        assert (members, control) == (["2643A", "2644A"], ["2642A"])
        # the city's columns (control station included: it must be left out by the marts)
        keep = ["date", "hour", "type", *members, *control]
        raw_dir = tmp_path / "raw"
        raw_dir.mkdir()
        for day, frame in zip(FILE_DAYS, frames, strict=True):
            frame[keep].to_csv(raw_dir / f"china_sites_{day:%Y%m%d}.csv", index=False)
        ingest_paths(con, [raw_dir])
        assert con.execute("select count(*) from quarantine").fetchall()[0][0] == 0
        build_air(con, as_of=dt.date(2019, 1, 31))
        got = con.execute(
            "select pm25_unrounded as pm25, pm10_unrounded as pm10, so2_unrounded as so2,"
            " no2_unrounded as no2, co_p95_unrounded as co_p95,"
            " o3_8h_p90_unrounded as o3_8h_p90, pm25_days, pm10_days, so2_days,"
            " no2_days, o3_8h_days from air_region_period where region_code = ?"
            " and period_type = 'month' and period = '2019-01' and not dust_deducted",
            [CITY],
        ).df().iloc[0]
    finally:
        con.close()

    want = oracle(frames, members)
    for name in ("pm25", "pm10", "so2", "no2", "co_p95", "o3_8h_p90"):
        assert got[name] == pytest.approx(want[name], rel=1e-9), name
    for name in ("pm25_days", "pm10_days", "so2_days", "no2_days", "o3_8h_days"):
        assert got[name] == want[name], name
