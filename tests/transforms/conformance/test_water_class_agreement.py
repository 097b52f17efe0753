"""Correctness gate on the real automatic exports (transforms/conformance/water_class_agreement.py).

Measured on all 1698 per-station exports of 2021-04: 38026 samples with a published class,
36848 agree (96.90%); rivers 97.82% (33501/34249), lakes 88.62% (3347/3777). The subset below
(云南省 + 宁夏, 113 files) measured 98.24% overall (2402/2445), rivers 98.35%, lakes 97.94%.
"""

from __future__ import annotations

import pandas as pd
import pytest

from transforms.conformance.water_class_agreement import measure, measure_paths


@pytest.mark.realdata
def test_published_class_agreement_on_a_subset(shared_data):
    root = shared_data / "cnemc_surface_water_realtime_2020_2021" / "water_quality_by_name"
    result = measure_paths([root / "云南省", root / "宁夏回族自治区"])
    assert result.samples == 2445
    assert result.share >= 0.975
    assert result.type_share("river") >= 0.975
    assert result.type_share("lake") >= 0.97
    # every disagreement has a kind; the 00:00 day-rollover kind dominates for rivers
    river_kinds = result.kinds["river"]
    assert sum(river_kinds.values()) == result.by_type["river"][0] - result.by_type["river"][1]
    assert max(river_kinds, key=river_kinds.get) == "previous_reading"


def test_disagreement_kinds_on_constructed_samples():
    frame = pd.DataFrame({
        "section_code": ["A", "A", "B", "C", "D"],
        "sampled_at": pd.to_datetime(["2021-04-01 20:00", "2021-04-02 00:00",
                                      "2021-04-01 08:00", "2021-04-01 08:00",
                                      "2021-04-01 08:00"]),
        "published_class": [4, 4, 3, 2, 3],
        "water_type": ["river", "river", "river", "river", "lake"],
        "ph": [7.5] * 5,
        "do": [8.0] * 5,
        "codmn": [7.0, 3.0, 3.0, 3.0, 3.0],   # A 20:00 is IV; A 00:00 shows last reading's IV
        "nh3n": [0.1] * 5,
        "tp": [0.1, 0.05, 0.1, float("nan"), 0.04],  # B at the II/III limit: display rounding
    })
    result = measure(frame)
    assert (result.samples, result.agree) == (5, 3)
    assert result.kinds["river"] == {"previous_reading": 1, "display_rounding": 1}
    # C: TP missing and the rest give II -> agrees; D: lake TP 0.04 -> III agrees
    assert result.by_type == {"river": (4, 2), "lake": (1, 1)}
