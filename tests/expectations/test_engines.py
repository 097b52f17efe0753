"""GX and the vectorised evaluator give the same verdict on the same batches.

The ingest hook evaluates the suites with expectations/fast.py; `envq validate` runs them
through Great Expectations. Each batch below breaks several rules of its suite; both engines
must find the same unexpected rows (and the same table-level results).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from expectations.batch import run_suite
from expectations.suites import DATASETS
from expectations.suites.context import BatchContext
from tests.expectations.conftest import DAY, T0, clean_day, hourly, station_hour

CTX = BatchContext(DAY, frozenset({"S1", "S2"}), frozenset({"W1", "W2"}),
                   frozenset({"610900", "W1"}))


def station_rows() -> pa.Table:
    rows = clean_day()
    rows += station_hour("S3", 4, pm25=70, pm10=50, co=65)  # unregistered, PM inverted, CO µg
    rows += station_hour("S1", 30, pm25=10)  # next day: outside the file date
    rows += [("S2", T0, "pm1", 4.0), ("S2", T0, "so2", 6.0)]  # unknown code; duplicate so2
    rows += station_hour("S2", 6, no2=-3)  # duplicate too, and negative
    return hourly(rows)


def daily_rows() -> pa.Table:
    return pa.table({
        "city": ["安康", "安康", "安康", "平凉", None],
        "date": pa.array([dt.date(2019, 1, d) for d in (1, 2, 2, 1, 3)], pa.date32()),
        "aqi": [45.0, 620.0, 88.0, 151.0, 60.0],
        "level": ["优", "严重污染", "良", "轻度污染", "很差"],
        "pm25": [30.0, 400.0, 60.0, 90.0, None],
        "pm10": [50.0, 500.0, 40.0, 120.0, None],
        "so2": [5.0, 9.0, 7.0, 8.0, None],
        "no2": [20.0, 30.0, 25.0, 40.0, None],
        "co": [0.6, 2.0, 55.0, 1.0, None],
        "o3_8h": [50.0, 20.0, 30.0, 60.0, None],
    })


def station_list() -> pa.Table:
    return pa.table({
        "station_code": ["1001A", "1002A", "1002A", "PRSA-Dingling", None],
        "station_name": ["万寿西宫", "定陵", "定陵", None, "x"],
        "lon": [116.366, 200.0, 116.2, None, 116.0],
        "lat": [39.87, 40.29, 40.29, None, 39.0],
        "is_background": [False, True, True, False, False],
    })


def water_rows() -> pa.Table:
    ts = [dt.datetime(2020, 11, 1, h) for h in (0, 4, 4, 8, 12)]
    return pa.table({
        "section_code": ["W1", "W1", "W1", "W3", "W2"],
        "sampled_at": pa.array(ts, pa.timestamp("us")),
        "parameter": ["ph", "do", "do", "ph", "nitrate"],
        "value": [15.3, 7.1, 7.2, 7.5, 1.0],
        "unit": ["dimensionless", "mg/L", "mg/L", "dimensionless", "mg/L"],
        "method": ["auto", "auto", "auto", "auto", "manual"],
    })


def section_rows() -> pa.Table:
    return pa.table({
        "section_code": ["W1", "W2", "W2"],
        "section_name": ["小钢桥", "瀛湖坝前", "瀛湖坝前"],
        "water_type": ["river", "sea", "lake"],
        "control_level": ["national", "county", None],
        "target_class": pa.array([2, 7, None], pa.int32()),
    })


def target_rows() -> pa.Table:
    return pa.table({
        "region_code": ["610900", "610900", "610900", "620800"],
        "year": pa.array([2026, 2026, 2026, 2026], pa.int32()),
        "period": ["year", "year", "Q5", "M03"],
        "indicator": ["good_days", "good_days", "pm25_mean", "happiness"],
        "comparator": [">=", ">=", "<=", "=<"],
        "value": [315.0, 316.0, 42.0, 1.0],
        "source": pa.array([None, None, None, None], pa.string()),
    })


def class_rows() -> pa.Table:
    return pa.table({
        "section_code": ["W1", "W1", "W2"],
        "sampled_at": pa.array([dt.datetime(2020, 11, 1, h) for h in (0, 0, 4)],
                               pa.timestamp("us")),
        "published_class": pa.array([2, 3, 9], pa.int32()),
    })


def mart_rows() -> pa.Table:
    return pa.table({
        "region_code": ["610900", "610900", "610900", None],
        "date": pa.array([dt.date(2026, 1, d) for d in (1, 2, 2, 3)], pa.date32()),
        "aqi": pa.array([45, 520, 88, 60], pa.int32()),
        "level": pa.array([1, None, 2, 2], pa.int32()),
        "pm25": [30.0, 90.0, 61.0, 20.0],
        "pm10": [50.0, 120.0, 40.0, 35.0],
        "o3_8h": [50.0, 80.0, 120.0, None],
        "o3_1h": [70.0, 90.0, 110.0, 60.0],
    })


BATCHES = {
    "air_city_daily": mart_rows,
    "air_station_hourly": station_rows,
    "air_city_daily_published": daily_rows,
    "stations": station_list,
    "water_section_samples": water_rows,
    "water_sections": section_rows,
    "targets": target_rows,
    "water_sample_published_class": class_rows,
}


@pytest.mark.parametrize("table", sorted(BATCHES))
def test_gx_and_fast_engines_agree(table):
    dataset = DATASETS[table]
    suite = dataset.suite(CTX)
    batch = dataset.frames(BATCHES[table]())
    fast = {r.check.name: r for r in run_suite(suite, batch, "fast")}
    gx = {r.check.name: r for r in run_suite(suite, batch, "gx", "test")}
    assert fast.keys() == gx.keys() == {c.name for c in suite.checks}
    for name, f in fast.items():
        g = gx[name]
        assert (name, f.success) == (name, g.success)
        assert (name, f.unexpected_count) == (name, g.unexpected_count)
        assert (name, sorted(f.unexpected_index.tolist())) == \
            (name, sorted(g.unexpected_index.tolist()))
        if isinstance(f.observed, float):
            assert g.observed == pytest.approx(f.observed)
    assert any(not r.success for r in fast.values())  # each batch breaks something


def test_station_batch_failures_are_the_planted_ones():
    suite = DATASETS["air_station_hourly"].suite(CTX)
    batch = DATASETS["air_station_hourly"].frames(station_rows())
    failed = {r.check.name: r.unexpected_count for r in run_suite(suite, batch) if not r.success}
    assert failed == {
        "pollutant_known": 1,
        "grain_unique": 4,            # two so2 rows at S2 00:00, two no2 rows at S2 06:00
        "ts_within_file_date": 1,
        "station_registered": 3,
        "co_value_mg_per_m3": 1,
        "pm25_le_pm10": 1,
        "plausible_no2": 1,
    }
    assert np.isclose(
        {r.check.name: r for r in run_suite(suite, batch)}["co_unit_mg_per_m3"].observed,
        np.median([0.5 + h / 100 for h in range(24)] * 2 + [65.0]))
