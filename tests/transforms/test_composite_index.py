"""Composite index (综合指数) and primary pollutant of a period."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from transforms.composite_index import (
    composite_index,
    composite_index_frame,
    primary_pollutant,
)

WUYUAN_2023_09 = {"pm25": 16, "pm10": 40, "so2": 11, "no2": 16, "co": 0.6, "o3_8h": 139}
OTHER_EXAMPLE = {"pm25": 21, "pm10": 39, "so2": 9, "no2": 15, "co": 0.7, "o3_8h": 192}


def test_published_worked_examples():
    # docs/standards.md §4: Wuyuan September 2023 -> 2.63; 21/35 + 39/70 + ... -> 3.06
    # 16/35 + 40/70 + 11/60 + 16/40 + 0.6/4 + 139/160 = 2.6307 -> published with 2 decimals
    assert composite_index(WUYUAN_2023_09) == 2.63
    assert composite_index(OTHER_EXAMPLE) == 3.06
    assert composite_index(WUYUAN_2023_09, edition="2026") == composite_index(WUYUAN_2023_09)


def test_primary_pollutant_of_the_period():
    assert primary_pollutant(WUYUAN_2023_09) == "o3_8h"  # 139/160 = 0.87 is the largest I_i
    assert primary_pollutant(OTHER_EXAMPLE) == "o3_8h"  # 192/160 = 1.2
    assert primary_pollutant({"pm25": 35, "pm10": 70, "so2": 6}) == "pm25,pm10"  # tie, 1.0
    assert primary_pollutant({"co": 0.6, "so2": 9}) == "so2,co"  # 0.15 each despite floats
    assert primary_pollutant({}) is None


def test_missing_pollutant_gives_nan_index():
    partial = dict(WUYUAN_2023_09)
    partial.pop("co")
    assert math.isnan(composite_index(partial))
    assert math.isnan(composite_index({**WUYUAN_2023_09, "no2": float("nan")}))


def test_frame_version_matches_scalar():
    frame = pd.DataFrame([WUYUAN_2023_09, OTHER_EXAMPLE, {"pm25": 40}], index=["a", "b", "c"])
    out = composite_index_frame(frame)
    assert list(out.index) == ["a", "b", "c"]
    assert out.loc["a", "composite_index"] == pytest.approx(composite_index(WUYUAN_2023_09))
    assert out.loc["b", "index_o3_8h"] == pytest.approx(1.2)
    assert math.isnan(out.loc["c", "composite_index"])
    assert out["primary_pollutant"].tolist() == ["o3_8h", "o3_8h", "pm25"]
