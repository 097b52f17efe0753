"""Target progress through the real marts: station hours -> air marts, samples -> water marts
-> target_progress, whose actual values must equal the marts' year-to-date values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from flows.targets_check import targets_check
from transforms.air.county_rankings import build_county_rankings
from transforms.air.marts import build_air
from transforms.targets.config import ProgressConfig
from transforms.targets.progress import build_target_progress
from transforms.warehouse import connect
from transforms.water.marts import build_water_marts

AS_OF = dt.date(2025, 6, 30)
BASE = {"pm25": 35.0, "pm10": 60.0, "so2": 8.0, "no2": 25.0, "co": 0.8, "o3": 90.0}


def station_hours(station: str, first: str, last: str, seed: int, scale: float) -> pd.DataFrame:
    """Hourly values with a winter peak and day-to-day noise (24 hours a day, all valid)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(first, last, freq="D")
    season = 1 + 0.5 * np.cos(2 * np.pi * (days.dayofyear.to_numpy() - 15) / 365)
    noise = rng.lognormal(0, 0.4, size=len(days))
    hours = days.repeat(24) + pd.to_timedelta(np.tile(np.arange(1, 25), len(days)), unit="h")
    frames = []
    for pollutant, level in BASE.items():
        factor = (season * noise) if pollutant != "o3" else (2.2 - season) * noise ** 0.3
        values = np.repeat(level * scale * factor, 24)
        frames.append(pd.DataFrame({"station_code": station, "ts": hours,
                                    "pollutant": pollutant, "value": values.round(1)}))
    out = pd.concat(frames, ignore_index=True)
    out["data_kind"] = "audited"
    out["source_file"] = "test"
    return out


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("marts") / "wh.duckdb")
    con.execute(
        "insert into regions (region_code, name, level, parent_code) values "
        "('440000', '省', 'province', null), ('440100', '甲市', 'city', '440000'), "
        "('440103', '甲区', 'county', '440100'), ('440104', '乙区', 'county', '440100')"
    )
    con.execute(
        "insert into stations (station_code, region_code, is_background, city_assessment) "
        "values ('S1', '440103', false, true), ('S2', '440104', false, true)"
    )
    hours = pd.concat([
        station_hours("S1", "2023-01-01", "2025-06-30", 1, 1.0),
        station_hours("S2", "2023-01-01", "2025-06-30", 2, 1.3),
    ])
    con.register("hours_in", hours)
    con.execute("insert into air_station_hourly by name select * from hours_in")
    con.unregister("hours_in")
    con.execute(
        "insert into water_sections (section_code, section_name, water_type, region_code, "
        "target_class, is_drinking_source) values "
        "('W1', '一号断面', 'river', '440103', 2, false), "
        "('W2', '二号断面', 'river', '440104', 3, true)"
    )
    rows = []
    for month in pd.date_range("2023-01-10", "2025-06-10", freq="MS") + pd.Timedelta(days=9):
        for section, nh3n in (("W1", 0.3 + 0.3 * (month.month in (7, 8))), ("W2", 1.2)):
            for item, value in (("ph", 7.6), ("do", 7.0), ("codmn", 3.5), ("nh3n", nh3n),
                                ("tp", 0.08)):
                rows.append((section, month, item, value, "manual", "test"))
    samples = pd.DataFrame(rows, columns=["section_code", "sampled_at", "parameter", "value",
                                          "method", "source_file"])
    con.register("samples_in", samples)
    con.execute("insert into water_section_samples by name select * from samples_in")
    con.unregister("samples_in")
    targets = [
        ("440100", "good_days", ">=", 150), ("440100", "good_rate", ">=", 85),
        ("440100", "pm25_mean", "<=", 40), ("440100", "pm10_mean", "<=", 70),
        ("440100", "composite_index", "<=", 4.0), ("440100", "o3_8h_p90", "<=", 160),
        ("440100", "heavy_days", "<=", 3), ("440100", "pm25_change_pct", "<=", -3),
        ("440103", "pm25_mean", "<=", 35), ("W1", "section_class", "<=", 2),
        ("W2", "section_class", "<=", 3), ("440100", "share_class_1_3", ">=", 100),
        ("440100", "drinking_sources_met", ">=", 100),
    ]
    for region, indicator, comparator, value in targets:
        con.execute("insert into targets (region_code, year, period, indicator, comparator, "
                    "value) values (?, 2025, 'year', ?, ?, ?)", [region, indicator, comparator,
                                                                  value])
    build_air(con, as_of=AS_OF)
    build_water_marts(con, as_of=AS_OF)
    build_target_progress(con, AS_OF, ProgressConfig(simulations=300))
    yield con
    con.close()


def progress(con) -> pd.DataFrame:
    return con.execute("select * from target_progress where as_of = ?", [AS_OF]).df()


def test_air_actuals_equal_the_marts_year_to_date(wh):
    ytd = wh.execute(
        "select * from air_region_period where region_code = '440100' and period_type = 'ytd' "
        "and year = 2025 and dust_deducted"
    ).df().iloc[0]
    rows = progress(wh).set_index(["region_code", "indicator"])
    city = rows.loc["440100"]
    assert city.loc["good_days", "actual"] == ytd.good_days
    assert city.loc["good_rate", "actual"] == pytest.approx(ytd.good_rate)
    assert city.loc["heavy_days", "actual"] == ytd.heavy_days
    assert city.loc["pm25_mean", "actual"] == pytest.approx(ytd.pm25)
    assert city.loc["pm10_mean", "actual"] == pytest.approx(ytd.pm10)
    assert city.loc["o3_8h_p90", "actual"] == pytest.approx(ytd.o3_8h_p90)
    assert city.loc["composite_index", "actual"] == pytest.approx(ytd.composite_index)
    # both from the published means; target_progress states the change to 0.1 %
    assert city.loc["pm25_change_pct", "actual"] == round(ytd.pm25_yoy_pct, 1)
    # one as-of per domain: the air rows count to 30 June (181 days, 184 left); the water
    # samples end on 10 June, so the water rows count 161 days and leave 204, not 184
    air = city[city["domain"] == "air"]
    water = city[city["domain"] == "water"]
    assert (air["elapsed_days"] == 181).all() and (air["remaining_days"] == 184).all()
    assert (air["data_as_of"] == pd.Timestamp("2025-06-30")).all()
    assert (water["elapsed_days"] == 161).all() and (water["remaining_days"] == 204).all()
    assert (water["data_as_of"] == pd.Timestamp("2025-06-10")).all()
    assert city["evaluable"].all()
    assert city.loc["pm25_mean", "history_years"] == 2  # 2023 and 2024
    assert city.loc["pm25_mean", "projection_method"] == "block_bootstrap_30d"


def test_water_actuals_equal_the_marts_year_to_date(wh):
    classes = dict(wh.execute(
        "select section_code, class from water_section_period where period_type = 'ytd' "
        "and year = 2025"
    ).fetchall())
    shares = wh.execute(
        "select share_class_1_3, share_drinking_sources_ok from water_region_summary "
        "where group_type = 'region' and group_code = '440100' and period = '2025-YTD'"
    ).fetchall()[0]
    rows = progress(wh).set_index(["region_code", "indicator"])
    assert rows.loc[("W1", "section_class"), "actual"] == classes["W1"] == 2
    assert rows.loc[("W2", "section_class"), "actual"] == classes["W2"] == 4  # NH3-N 1.2
    assert rows.loc[("440100", "share_class_1_3"), "actual"] == pytest.approx(shares[0]) == 50
    assert rows.loc[("440100", "drinking_sources_met"), "actual"] == pytest.approx(shares[1])
    assert rows.loc[("W2", "section_class"), "status"] == "off_track"
    # W1 turns class III in July-August every year (NH3-N 0.6): the annual mean stays II
    w1 = rows.loc[("W1", "section_class")]
    assert w1.projected == 2 and w1.status == "on_track"


def test_every_target_has_a_status_and_the_check_runs(wh):
    out = progress(wh)
    assert len(out) == 13 and out["status"].notna().all()
    lines, code = targets_check(wh, None, "off_track")
    alerts = out[out.status.isin(["at_risk", "off_track", "cannot_be_met", "not_met"])]
    assert len(lines) == len(alerts)
    assert code == (3 if out.status.isin(["off_track", "cannot_be_met"]).any() else 0)


def test_county_rankings_from_the_marts(wh):
    assert build_county_rankings(wh) > 0
    ranks = wh.execute(
        "select region_code, rank from county_rankings where parent_code = '440100' "
        "and indicator = 'pm25_mean' and period_type = 'ytd' and year = 2025 and dust_deducted"
    ).fetchall()
    assert sorted(ranks) == [("440103", 1), ("440104", 2)]  # S2 runs 30 % higher
