"""Composite index (综合指数) and primary pollutant of a period."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from transforms.composite_index import (
    composite_index,
    composite_index_frame,
    composite_index_values,
    primary_pollutant,
)
from transforms.rules import EDITIONS

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


def test_one_definition_sql_and_projection_agree():
    # the SQL macro (marts, rankings, target progress) and the projection's numpy version read
    # the same rule-set numbers: they give the same index on values near rounding halves
    import duckdb

    from transforms.assessment import write_rule_sets

    rng = np.random.default_rng(7)
    stats = {
        "pm25": np.r_[21.5, 22.5, rng.uniform(5, 90, 200)],
        "pm10": np.r_[39.5, 40.5, rng.uniform(10, 150, 200)],
        "so2": np.r_[9.5, 10.5, rng.uniform(2, 40, 200)],
        "no2": np.r_[15.5, 16.5, rng.uniform(5, 60, 200)],
        "co": np.r_[0.75, 0.65, rng.uniform(0.3, 3, 200)],
        "o3_8h": np.r_[192.5, 139.5, rng.uniform(60, 220, 200)],
    }
    con = duckdb.connect()
    write_rule_sets(con)
    con.register("s", pd.DataFrame(stats))
    for edition in EDITIONS:
        sql = con.execute(
            "select composite_index_of(pm25, pm10, so2, no2, co, o3_8h, r) from s"
            " cross join air_rule_sets as r where r.edition = ?",
            [edition],
        ).fetchall()
        np.testing.assert_array_equal(
            np.array([v for (v,) in sql]), composite_index_values(stats, edition)
        )
    # first row by hand: 22 (21.5 half to even), 40 (39.5), 10 (9.5), 16 (15.5), 0.8 (0.75),
    # 192 (192.5): 22/35 + 40/70 + 10/60 + 16/40 + 0.8/4 + 192/160 = 3.1667 -> 3.17
    assert composite_index_values({k: v[:1] for k, v in stats.items()})[0] == 3.17
