"""Air rule sets: loading, validation and the figures of both editions."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.rules import EDITIONS, RulesError, check_rules, edition_for_date, load_rules


def test_editions_and_switch_date():
    assert EDITIONS == ("2012", "2026")
    assert edition_for_date(dt.date(2026, 2, 28)) == "2012"
    assert edition_for_date(dt.date(2026, 3, 1)) == "2026"
    assert edition_for_date(dt.datetime(2026, 2, 28, 23, 59)) == "2012"
    assert edition_for_date(dt.date(2019, 1, 1)) == "2012"


def test_both_editions_load_and_declare_themselves():
    old, new = load_rules("2012"), load_rules("2026")
    assert (old["edition"], old["valid_to"]) == ("2012", "2026-02-28")
    assert (new["edition"], new["valid_from"]) == ("2026", "2026-03-01")
    with pytest.raises(RulesError):
        load_rules("2018")


def test_load_returns_a_copy():
    rules = load_rules("2012")
    rules["iaqi_breakpoints"]["pm25_24h"][2] = 1
    assert load_rules("2012")["iaqi_breakpoints"]["pm25_24h"][2] == 75


def test_breakpoints_per_standard():
    old = load_rules("2012")["iaqi_breakpoints"]
    new = load_rules("2026")["iaqi_breakpoints"]
    assert old["iaqi"] == [0, 50, 100, 150, 200, 300, 400, 500]
    assert old["so2_24h"] == [0, 50, 150, 475, 800, 1600, 2100, 2620]
    assert old["so2_1h"] == [0, 150, 500, 650, 800, None, None, None]
    assert old["o3_8h"] == [0, 100, 160, 215, 265, 800, None, None]
    assert old["co_1h"] == [0, 5, 10, 35, 60, 90, 120, 150]
    # HJ 633-2026 changed only the PM IAQI-100 breakpoints
    assert (old["pm25_24h"][2], new["pm25_24h"][2]) == (75, 60)
    assert (old["pm10_24h"][2], new["pm10_24h"][2]) == (150, 120)
    changed = {k for k in old if old[k] != new[k]}
    assert changed == {"pm25_24h", "pm10_24h"}


def test_special_cases_and_indicators():
    old, new = load_rules("2012"), load_rules("2026")
    assert old["special_cases"]["so2_1h_above_800"]["iaqi"] is None
    assert old["special_cases"]["so2_1h_above_800"]["fallback_indicator"] == "so2_24h"
    assert old["special_cases"]["o3_8h_above_800"]["fallback_indicator"] == "o3_1h"
    assert new["special_cases"]["so2_1h_above_800"]["iaqi"] == 200
    assert new["special_cases"]["o3_8h_above_800"]["iaqi"] == 300
    assert len(old["daily_aqi_indicators"]) == 7 and "o3_1h" in old["daily_aqi_indicators"]
    assert len(new["daily_aqi_indicators"]) == 6 and "o3_1h" not in new["daily_aqi_indicators"]
    assert "o3_8h" not in old["hourly_aqi_indicators"]  # platform practice, see the YAML
    assert "o3_8h" not in new["hourly_aqi_indicators"]


def test_limits_validity_statistics_composite():
    old, new = load_rules("2012"), load_rules("2026")
    assert old["limits"]["grade2"]["pm25"] == {"annual": 35, "24h": 75}
    assert new["limits"]["grade2"]["pm25"] == {"annual": 30, "24h": 60}
    assert new["limits"]["grade2"]["pm10"] == {"annual": 60, "24h": 120}
    assert old["limits"]["grade2"]["o3"] == {"8h": 160, "1h": 200}
    assert old["limits"]["grade1"]["so2"] == {"annual": 20, "24h": 50, "1h": 150}
    for rules in (old, new):
        assert rules["validity"] == {
            "hours_per_day": 20, "hours_per_8h_window": 6, "days_per_year": 324,
            "days_per_month": 27, "days_per_february": 25, "mda8_min_windows": 14,
            "o3_1h_min_hours": 20,
        }
        assert rules["statistics"] == {
            "so2": 98, "no2": 98, "pm10": 95, "pm25": 95, "co": 95, "o3_8h": 90,
        }
        assert rules["composite_index"] == {
            "so2": 60, "no2": 40, "pm10": 70, "pm25": 35, "co": 4, "o3_8h": 160,
        }
        assert [lv["upper"] for lv in rules["levels"]] == [50, 100, 150, 200, 300, 500]
        assert [lv["category_zh"] for lv in rules["levels"]][-1] == "严重污染"


@pytest.mark.parametrize(
    "breakage",
    [
        lambda r: r.pop("limits"),
        lambda r: r["iaqi_breakpoints"]["no2_1h"].__setitem__(3, 150),  # not increasing
        lambda r: r["iaqi_breakpoints"]["so2_1h"].__setitem__(2, None),  # null inside
        lambda r: r["levels"][2].__setitem__("colour", "orange"),
        lambda r: r["daily_aqi_indicators"].append("pm1_24h"),
        lambda r: r["statistics"].pop("co"),
        lambda r: r["special_cases"]["o3_8h_above_800"].__setitem__("fallback_indicator", None),
        lambda r: r.__setitem__("valid_from", "2030-01-01"),
        lambda r: r["rounding"].__setitem__("pm25", 0.5),  # decimals must be whole
        lambda r: r["rounding"].pop("co"),
        lambda r: r.__setitem__("missing_indicator_rule", "yes"),
    ],
)
def test_validation_rejects_broken_rule_sets(breakage):
    rules = load_rules("2012")
    breakage(rules)
    with pytest.raises(RulesError):
        check_rules(rules, "2012")


def test_rounding_and_missing_indicator_rule_are_data():
    # GB/T 8170 decimals as bulletins publish: µg/m³ whole, CO 0.1 mg/m³, ratios 0.1 %, index
    # 0.01; HJ 633-2026 §5.3 on by default in both editions (2012: envq's reading)
    for edition in EDITIONS:
        rules = load_rules(edition)
        assert rules["rounding"] == {
            "pm25": 0, "pm10": 0, "so2": 0, "no2": 0, "o3": 0, "co": 1, "ratio": 1,
            "composite_index": 2,
        }
        assert rules["missing_indicator_rule"] is True
