"""A bureau's own data, as docs/own_data.md tells a new user: `envq init` for 北京 with the real
national station list, `envq ingest` of three real CNEMC days, `envq build`, `envq report`;
the report's numbers equal an independent computation from the raw files (skips without
../shared/data)."""

from __future__ import annotations

import datetime as dt
import time

import openpyxl
import pandas as pd
import pytest

from flows.cli import main

DAYS = ("20190101", "20190102", "20190103")


def city_daily_pm25(shared, days) -> pd.Series:
    """Beijing's daily PM2.5 written differently from the marts: the evaluation stations from
    the list's prefecture column (地级行政区, not the city column init uses) without 对照点;
    per hour the mean over stations, per natural day (hour-ending: file hour 0 closes the day
    before) the mean of the hours, valid with >= 20 hours (GB 3095 Table 4)."""
    sites = pd.read_csv(
        shared / "cnemc_china_sites_2019" / "stations" / "NewSiteList.csv",
        encoding="gbk", dtype=str,
    )
    codes = sites.loc[(sites["地级行政区"] == "北京市") & (sites["对照点"] == "N"), "监测点编码"]
    hours = []
    for day in days:
        raw = pd.read_csv(shared / "cnemc_china_sites_2019" / "xz" / f"china_sites_{day}.csv.xz")
        pm = raw[raw["type"] == "PM2.5"].set_index("hour")[[c for c in codes if c in raw]]
        ts = pd.Timestamp(day) + pd.to_timedelta(pm.index, unit="h")
        hours.append(pd.Series(pm.mean(axis=1, skipna=True).to_numpy(), index=ts).dropna())
    hourly = pd.concat(hours)
    natural_day = (hourly.index - pd.Timedelta(hours=1)).date
    daily = hourly.groupby(natural_day).agg(["mean", "count"])
    return daily.loc[daily["count"] >= 20, "mean"]


@pytest.mark.realdata
def test_init_ingest_build_report_on_real_days(shared_data, tmp_path, capsys):
    home = tmp_path / "beijing"
    folder = shared_data / "cnemc_china_sites_2019"
    stations = str(folder / "stations" / "NewSiteList.csv")
    files = [folder / "xz" / f"china_sites_{d}.csv.xz" for d in DAYS]
    h = ["--home", str(home)]
    steps = {
        "init": ["init", str(home), "--region", "北京", "--stations", stations, "--year", "2019"],
        "ingest": ["ingest", *h, *map(str, files)],
        "build": ["build", *h],
        "report": ["report", *h, "--region", "110000"],
    }
    seconds = {}
    for name, argv in steps.items():
        start = time.perf_counter()
        assert main(argv) == 0, capsys.readouterr().err
        seconds[name] = round(time.perf_counter() - start, 2)
    out = capsys.readouterr().out
    with capsys.disabled():
        print(f"\nown data, 3 real days of 北京, seconds: {seconds}")
    assert "北京市 110000" in out and "ingest: 3 files {'loaded': 3}" in out
    assert not (home / "raw" / "sample").exists()

    expected = city_daily_pm25(shared_data, DAYS)
    assert list(expected.index) == [dt.date(2019, 1, d) for d in (1, 2, 3)]
    book = openpyxl.load_workbook(home / "reports" / "envq_110000_20190103_zh.xlsx")
    pm = book["颗粒物累计均值"]
    daily = {r[0].value.date(): r[1].value for r in pm.iter_rows(min_row=2)}
    for day, value in expected.items():
        assert daily[day] == pytest.approx(value, abs=1e-9)
    targets = book["目标进度"]
    header = [c.value for c in targets[1]]
    rows = {r[0].value: [c.value for c in r] for r in targets.iter_rows(min_row=2)}
    pm25 = rows["PM2.5平均浓度"]
    # the year-to-date PM2.5 mean: the mean of the valid days' means (69.91), stated as published
    # in whole µg/m³ (GB/T 8170), against GB 3095-2012's 35
    published = round(expected.mean())  # 69.91 is no tie: half-even and half-up agree
    assert abs(expected.mean() - published) < 0.5 and pm25[header.index("现状")] == published
    assert pm25[header.index("目标")] == 35.0  # the column of the target or limit
    assert pm25[header.index("对照依据")] == "标准限值"
    page = (home / "reports" / "envq_110000_20190103_zh.html").read_text(encoding="utf-8")
    assert f"{published} <small>µg/m³</small>" in page and "标准限值: &lt;= 35" in page
