"""GB 3838-2002 Table 1 classes and the 环办〔2011〕22号 assessment (transforms.water)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from transforms import water
from transforms.water.classes import WaterRulesError, _check_rules, rules


def classes(item: str, values: list[float], water_type: str = "river") -> list[int]:
    return water.item_class(values, item, water_type).astype(int).tolist()


# Each limit (class k) and a value just above it (class k+1; above V -> 6 = 劣V).
@pytest.mark.parametrize(
    ("item", "water_type", "values", "expected"),
    [
        ("codmn", "river", [2, 2.01, 4, 4.01, 6, 6.01, 10, 10.01, 15, 15.01],
         [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]),
        ("nh3n", "river", [0.15, 0.151, 0.5, 0.501, 1.0, 1.001, 1.5, 1.501, 2.0, 2.001],
         [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]),
        ("tp", "river", [0.02, 0.021, 0.1, 0.101, 0.2, 0.201, 0.3, 0.301, 0.4, 0.401],
         [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]),
        ("tp", "lake", [0.01, 0.011, 0.025, 0.026, 0.05, 0.051, 0.1, 0.101, 0.2, 0.201],
         [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]),
        ("tn", "lake", [0.2, 0.21, 0.5, 0.51, 1.0, 1.01, 1.5, 1.51, 2.0, 2.01],
         [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]),
        ("fecal_coliform", "river", [200, 201, 2000, 10000, 20000, 40000, 40001],
         [1, 2, 2, 3, 4, 5, 6]),
    ],
)
def test_every_class_boundary(item, water_type, values, expected):
    assert classes(item, values, water_type) == expected


def test_dissolved_oxygen_is_a_lower_bound():
    # GB 3838-2002 Table 1 row 3: DO >= 7.5 / 6 / 5 / 3 / 2
    assert classes("do", [9.0, 7.5, 7.49, 6, 5.99, 5, 4.99, 3, 2.99, 2, 1.99]) == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]


def test_ph_range_6_to_9_else_worse_than_v():
    assert classes("ph", [6.0, 7.2, 9.0, 5.99, 9.01]) == [1, 1, 1, 6, 6]


def test_shared_limits_give_the_better_class():
    # COD 15 is the limit of I and II -> I; just above -> III (docs/standards.md §5)
    assert classes("cod", [15, 15.1, 20, 20.1, 40, 40.1]) == [1, 3, 3, 4, 5, 6]
    assert classes("bod5", [3, 3.1, 4, 6, 10, 10.5]) == [1, 3, 3, 4, 5, 6]
    assert classes("cu", [0.01, 0.5, 1.0, 1.01]) == [1, 2, 2, 6]
    assert classes("hg", [0.00005, 0.00006, 0.0001, 0.0005, 0.001, 0.0011]) == [1, 3, 3, 4, 4, 6]
    assert classes("cd", [0.001, 0.005, 0.006, 0.01, 0.011]) == [1, 2, 5, 5, 6]
    assert classes("pb", [0.01, 0.011, 0.05, 0.1, 0.11]) == [1, 3, 3, 5, 6]
    assert classes("cn", [0.005, 0.05, 0.2, 0.21]) == [1, 2, 3, 6]


def test_lake_tp_limits_are_stricter():
    frame = pd.DataFrame({"tp": [0.04, 0.04]})
    out = water.classify(frame, ["river", "lake"])
    assert out["water_class"].tolist() == [2, 3]


def test_section_class_is_the_worst_assessed_item():
    frame = pd.DataFrame({
        "ph": [7.5, 7.5, 7.5],
        "do": [8.0, 8.0, 8.0],
        "codmn": [7.0, 1.0, 1.0],
        "nh3n": [1.2, 0.1, 0.1],
        "tp": [0.1, 0.01, 0.01],
        "temp": [35.0, 35.0, 35.0],            # no class limits
        "tn": [5.0, 5.0, 5.0],                  # excluded from the class (环办〔2011〕22号)
        "fecal_coliform": [1e6, 1e6, 1e6],      # excluded from the class
        "hg": [np.nan, np.nan, 0.0002],
    })
    out = water.classify(frame, "river")
    assert out["water_class"].tolist() == [4, 1, 4]
    assert out["worst_items"].tolist() == ["codmn,nh3n", "", "hg"]
    assert out["tn_class"].isna().all()  # rivers: TN not classified


def test_lake_tn_is_reported_apart_from_the_class():
    frame = pd.DataFrame({"tp": [0.02], "tn": [1.2]})
    out = water.classify(frame, "lake")
    assert out["water_class"].tolist() == [2]
    assert out["tn_class"].tolist() == [4]


def test_missing_items_are_not_assessed():
    frame = pd.DataFrame({"ph": [np.nan, 7.0], "tp": [np.nan, np.nan]})
    out = water.classify(frame)
    assert out["water_class"].isna().tolist() == [True, False]
    assert out["water_class"].tolist()[1] == 1
    assert water.classify(pd.DataFrame({"cond": [100.0]}))["water_class"].isna().all()


def test_mean_with_binary_noise_still_meets_its_limit():
    # (0.1 + 0.2) = 0.30000000000000004 must still be river TP class IV, not V
    assert classes("tp", [0.1 + 0.2]) == [4]


def test_item_classes_on_request():
    out = water.classify(pd.DataFrame({"do": [4.0], "tp": [0.15]}), keep_item_classes=True)
    assert out[["class_do", "class_tp"]].iloc[0].tolist() == [4, 3]


def test_exceedance_multiple_against_class_iii():
    # (C - C_III) / C_III: TP river 0.32 -> (0.32-0.2)/0.2 = 0.6; NH3-N 1.0 -> not exceeding
    assert water.exceedance_multiple([0.32], "tp", "river")[0] == pytest.approx(0.6)
    assert water.exceedance_multiple([0.075], "tp", "lake")[0] == pytest.approx(0.5)
    assert np.isnan(water.exceedance_multiple([1.0], "nh3n")[0])
    assert water.exceedance_multiple([1.8], "nh3n")[0] == pytest.approx(0.8)
    # none for pH and DO
    assert np.isnan(water.exceedance_multiple([10.0], "ph")[0])
    assert np.isnan(water.exceedance_multiple([1.0], "do")[0])
    assert water.format_multiple(0.6) == "0.6"
    assert water.format_multiple(1.254) == "1.25"
    assert water.format_multiple(0.0041) == "0.0041"


def test_main_pollutants_worst_class_then_multiple():
    frame = pd.DataFrame({
        "codmn": [9.0, 5.0],   # IV, multiple (9-6)/6 = 0.5
        "nh3n": [1.8, 0.9],    # V, (1.8-1)/1 = 0.8
        "tp": [0.5, 0.15],     # 劣V, (0.5-0.2)/0.2 = 1.5
        "do": [2.5, 6.0],      # V, no multiple
        "cod": [35.0, 18.0],   # V, (35-20)/20 = 0.75
    })
    out = water.main_pollutants(frame)
    assert out["main_pollutants"].tolist() == ["tp,nh3n,cod", ""]
    assert out["main_pollutants_zh"].tolist()[0] == "总磷、氨氮、化学需氧量"
    assert out["exceedance"].tolist()[0] == "总磷(1.5)、氨氮(0.8)、化学需氧量(0.75)"


def test_main_pollutants_cyanide_and_heavy_metals_first():
    frame = pd.DataFrame({"cd": [0.006], "tp": [0.5], "nh3n": [1.8], "cod": [35.0]})
    out = water.main_pollutants(frame)
    # Cd 0.006 is class V with multiple (0.006-0.005)/0.005 = 0.2 but comes first
    assert out["main_pollutants"].tolist() == ["cd,tp,nh3n"]
    assert out["exceedance"].tolist() == ["镉(0.2)、总磷(1.5)、氨氮(0.8)"]


def test_main_pollutants_without_multiple_rank_after_items_of_their_class():
    out = water.main_pollutants(pd.DataFrame({"do": [2.5], "nh3n": [1.6]}))
    assert out["main_pollutants"].tolist() == ["nh3n,do"]
    assert out["exceedance"].tolist() == ["氨氮(0.6)"]


def test_target_verdict_and_missing_items():
    frame = pd.DataFrame({"nh3n": [1.2, 0.4], "tp": [0.15, 0.05], "codmn": [3.0, 3.0]})
    cls = water.classify(frame)["water_class"]
    assert cls.tolist() == [4, 2]
    assert water.meets_target(cls, [3, 2]).tolist() == [False, True]
    assert water.items_worse_than(frame, [3, 2]).tolist() == ["nh3n", ""]
    # CODMn 3.0 is class II: it misses a class I target, not a class II one
    assert water.items_worse_than(frame, [2, 1]).tolist() == ["nh3n,tp", "codmn,nh3n,tp"]


def test_status_words():
    assert water.status_word([1, 2, 3, 4, 5, 6]).tolist() == [
        "优", "优", "良好", "轻度污染", "中度污染", "重度污染"]
    shares = water.proportion_status([95, 90, 89.9, 75, 70, 70, 59, 60, np.nan],
                                     [0, 0, 5, 25, 19.9, 20, 41, 40, np.nan])
    assert shares.tolist() == ["优", "优", "良好", "良好", "轻度污染", "中度污染", "重度污染",
                               "重度污染", None]


def test_ph_means():
    assert water.ph_mean([7.0, 8.0]) == pytest.approx(7.5)
    # -log10((1e-7 + 1e-8) / 2) = -log10(5.5e-8) = 7.2596
    assert water.ph_mean([7.0, 8.0], "hplus") == pytest.approx(7.2596, abs=1e-4)


def test_period_values_are_item_means():
    samples = pd.DataFrame({
        "section_code": ["A", "A", "A", "B"],
        "tp": [0.1, 0.3, np.nan, 0.05],
        "ph": [7.0, 8.0, 9.0, 7.0],
    })
    out = water.period_values(samples, ["section_code"])
    assert out["tp"].tolist() == pytest.approx([0.2, 0.05])
    assert out["ph"].tolist() == pytest.approx([8.0, 7.0])
    assert out["n_samples"].tolist() == [3, 1]
    assert water.classify(out)["water_class"].tolist() == [3, 2]  # TP 0.2 -> III, 0.05 -> II


def test_summary_fewer_than_five_sections_classifies_item_means():
    frame = pd.DataFrame({
        "river": ["R"] * 3,
        "tp": [0.05, 0.15, 0.31],     # mean 0.17 -> III (0.31 alone would be V)
        "nh3n": [0.2, 0.3, 0.4],      # mean 0.3 -> II
        "water_class": [2, 3, 5],
        "water_type": ["river"] * 3,
    })
    out = water.summarise_sections(frame, ["river"])
    row = out.iloc[0]
    assert (row["method"], row["n_sections"], row["class"], row["status"]) == (
        "mean", 3, 3, "良好")
    assert row["share_class_1_3"] == pytest.approx(200 / 3)


def test_summary_five_or_more_sections_uses_shares():
    frame = pd.DataFrame({
        "basin": ["B"] * 5 + ["C"] * 10,
        "tp": [0.1] * 15,
        "water_class": [1, 2, 3, 4, 6] + [2] * 9 + [6],
        "water_type": ["river"] * 15,
    })
    out = water.summarise_sections(frame, ["basin"]).set_index("basin")
    assert out.loc["B", "method"] == "proportion"
    assert pd.isna(out.loc["B", "class"])
    assert (out.loc["B", "share_class_1_3"], out.loc["B", "share_class_6"]) == (60.0, 20.0)
    assert out.loc["B", "status"] == "中度污染"
    assert (out.loc["C", "share_class_1_3"], out.loc["C", "status"]) == (90.0, "优")


def test_rule_file_cites_rows_and_is_checked():
    data = rules()
    assert data["items"]["tp"]["row"] == 8
    assert len(water.assessed_items()) == 21
    broken = copy.deepcopy(data)
    broken["items"]["codmn"]["limits"] = [2, 6, 4, 10, 15]
    with pytest.raises(WaterRulesError, match="codmn"):
        _check_rules(broken)
    broken = copy.deepcopy(data)
    broken["items"]["do"]["limits"] = [2, 3, 5, 6, 7.5]
    with pytest.raises(WaterRulesError, match="do"):
        _check_rules(broken)
