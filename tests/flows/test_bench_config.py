"""The national benchmark sample's configuration: every benchmark station in a made-up city."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from flows.bench_config import city_code, write_national_config
from transforms.ingest.registry import read_region_config, read_station_config
from transforms.ingest.targets_config import read_targets
from transforms.sample.config import DEFAULT_CONFIG_DIR
from transforms.sample.data import write_sample


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    day = dt.date(2025, 3, 1)
    write_sample(folder / "sample", start=day, end=day, national_stations=12)
    counts = write_national_config(folder / "sample", folder / "config", range(2025, 2027))
    return folder / "config", counts


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_counts_of_cities_stations_and_targets(config):
    _, counts = config
    # 12 stations, five per city: 合成城市001..003 (the last with two stations)
    assert counts == {"cities": 3, "stations": 12, "targets": 3 * 2 * 3}


def test_regions_keep_the_bureau_and_add_one_province_and_the_cities(config):
    folder, _ = config
    base = _rows(DEFAULT_CONFIG_DIR / "regions.csv")
    rows = _rows(folder / "regions.csv")
    assert rows[: len(base)] == base
    added = [(r["region_code"], r["name"], r["level"], r["parent_code"]) for r in rows[len(base) :]]
    assert added == [
        ("990000", "合成省", "province", ""),
        ("990001", "合成城市001", "city", "990000"),
        ("990002", "合成城市002", "city", "990000"),
        ("990003", "合成城市003", "city", "990000"),
    ]
    assert read_region_config(folder / "regions.csv").num_rows == len(base) + 4


def test_every_benchmark_station_is_a_city_assessment_station_of_its_city(config):
    folder, _ = config
    base = _rows(DEFAULT_CONFIG_DIR / "stations.csv")
    added = _rows(folder / "stations.csv")[len(base) :]
    assert [r["station_code"] for r in added] == [f"{1001 + i}A" for i in range(12)]
    assert [r["region_code"] for r in added] == [city_code(i // 5) for i in range(12)]
    assert {(r["is_background"], r["city_assessment"]) for r in added} == {("N", "Y")}
    table = read_station_config(folder / "stations.csv")  # the pipeline's own reader accepts it
    assert table.num_rows == len(base) + 12
    assert all(-180 < float(r["lon"]) < 180 for r in added)  # coordinates from the station list


def test_targets_keep_the_bureau_and_add_each_city_and_year(config):
    folder, _ = config
    base = read_targets(DEFAULT_CONFIG_DIR.parent / "targets.yaml").num_rows
    table = read_targets(folder / "targets.yaml").to_pylist()
    assert len(table) == base + 18
    city = [r for r in table if r["region_code"] == "990002"]
    assert sorted((r["year"], r["indicator"], r["comparator"], r["value"]) for r in city) == [
        (2025, "good_rate", ">=", 85.0),
        (2025, "o3_8h_p90", "<=", 160.0),
        (2025, "pm25_mean", "<=", 35.0),
        (2026, "good_rate", ">=", 85.0),
        (2026, "o3_8h_p90", "<=", 160.0),
        (2026, "pm25_mean", "<=", 35.0),
    ]
