"""Regions without targets get the GB 3095 grade II limits of the year's edition as reference
rows (target_basis 'standard_limit'); the limits below are typed from the standard's Table 1
(docs/standards.md, GB 3095-2012 and the GB 3095-2026 transitional limits), not read from
the rule sets the code uses."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from flows.targets_check import targets_check
from tests.transforms.targets.test_progress import (
    AIR_COLUMNS,
    CFG,
    add_days,
    add_targets,
    calendar,
)
from transforms.targets.progress import build_target_progress
from transforms.warehouse import connect

# GB 3095-2012 Table 1, grade II: annual SO2 60, NO2 40, PM10 70, PM2.5 35; CO 24-h 4 mg/m³;
# O3 daily max 8-h 160 (HJ 663: CO-95th against the 24-h limit, O3-8h-90th against the 8-h)
GB2012 = {"so2_mean": 60, "no2_mean": 40, "pm10_mean": 70, "pm25_mean": 35, "co_p95": 4,
          "o3_8h_p90": 160}
# GB 3095-2026 transitional (2026-03-01 .. 2030-12-31): PM10 annual 60, PM2.5 annual 30
GB2026 = {**GB2012, "pm10_mean": 60, "pm25_mean": 30}
COUNTY = "100101"


@pytest.fixture
def wh(tmp_path):
    con = connect(tmp_path / "wh.duckdb")
    con.execute(f"create table air_city_daily ({AIR_COLUMNS})")
    con.execute(
        "insert into regions (region_code, name, name_en, level, parent_code) values "
        "('100000', '某省', null, 'province', null), "
        "('100100', '甲市', 'City A', 'city', '100000'), "
        "('100101', '乙县', 'County B', 'county', '100100')"
    )
    yield con
    con.close()


def rows(con, as_of):
    build_target_progress(con, as_of, CFG)
    return con.execute(
        "select region_code, year, indicator, comparator, target, actual, target_basis, note, "
        "status, status_basis, probability_of_meeting "
        "from target_progress where as_of = ? order by region_code, year, indicator",
        [as_of],
    ).df()


def test_a_region_without_targets_gets_the_2012_limits(wh):
    pm25 = 20.0 + np.arange(181) % 17  # Jan..Jun 2025
    add_days(wh, calendar("2025-01-01", "2025-06-30", region=COUNTY, pm25=pm25))
    add_days(wh, calendar("2025-01-01", "2025-06-30"))  # the city, which has a target
    add_targets(wh, [("100100", 2025, "year", "pm25_mean", "<=", 40.0)])
    out = rows(wh, dt.date(2025, 6, 30))
    county = out[out.region_code == COUNTY]
    assert dict(zip(county.indicator, county.target, strict=True)) == GB2012
    assert set(county.target_basis) == {"standard_limit"} and set(county.comparator) == {"<="}
    assert set(county.note) == {"GB 3095-2012 二级标准限值"}
    row = county.set_index("indicator").loc["pm25_mean"]
    # the mean 27.82 as published: whole µg/m³ (GB/T 8170, as for the targets)
    assert pm25.mean() == pytest.approx(27.8177, abs=1e-4) and row.actual == 28
    # reference lines are judged by pace (mean 27.8 so far against 35), never projected
    assert (row.status, row.status_basis) == ("on_track", "pace")
    assert county.probability_of_meeting.isna().all()
    city = out[out.region_code == "100100"]
    assert city[["indicator", "target_basis"]].values.tolist() == [["pm25_mean", "target"]]


def test_the_year_is_judged_by_the_edition_of_its_last_day(wh):
    # as the year's targets (editions.yaml: period_edition last_day): 2026 under GB 3095-2026,
    # also seen before 2026-03-01
    add_days(wh, calendar("2026-01-01", "2026-06-30", region=COUNTY))
    for as_of in (dt.date(2026, 2, 15), dt.date(2026, 6, 30)):
        out = rows(wh, as_of)
        assert dict(zip(out.indicator, out.target, strict=True)) == GB2026
        assert set(out.note) == {"GB 3095-2026 二级标准限值"}


def test_a_year_without_targets_gets_limits_even_when_another_year_has_them(wh):
    add_days(wh, calendar("2024-01-01", "2025-06-30"))
    add_targets(wh, [("100100", 2025, "year", "good_rate", ">=", 80.0)])
    out = rows(wh, dt.date(2025, 6, 30))
    assert set(out[out.year == 2024].target_basis) == {"standard_limit"}
    assert out[out.year == 2025].indicator.tolist() == ["good_rate"]


def test_unknown_regions_get_nothing_and_targets_check_ignores_limits(wh):
    add_days(wh, calendar("2025-01-01", "2025-06-30", region="999999"))
    add_days(wh, calendar("2025-01-01", "2025-06-30", region=COUNTY, pm25=90.0))
    out = rows(wh, dt.date(2025, 6, 30))
    assert set(out.region_code) == {COUNTY}
    pm25 = out[out.indicator == "pm25_mean"].iloc[0]
    assert pm25.actual == 90.0 and pm25.target == 35.0  # far above the limit ...
    assert targets_check(wh, dt.date(2025, 6, 30), "at_risk") == ([], 0)  # ... but no target


def test_water_targets_alone_leave_the_air_limits_in_place(wh):
    add_days(wh, calendar("2025-01-01", "2025-06-30", region=COUNTY))
    add_targets(wh, [(COUNTY, 2025, "year", "share_class_1_3", ">=", 80.0)])
    out = rows(wh, dt.date(2025, 6, 30))
    limits = out[out.target_basis == "standard_limit"]
    assert dict(zip(limits.indicator, limits.target, strict=True)) == GB2012
    assert out[out.target_basis == "target"].indicator.tolist() == ["share_class_1_3"]
