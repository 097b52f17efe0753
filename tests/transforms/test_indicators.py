"""The one table of indicator and status names; the progress settings file."""

from __future__ import annotations

import math

import numpy as np
import pytest

from transforms.indicators import (
    INDICATORS,
    STATUSES,
    exceedance_multiple,
    label,
    names_table,
    unit,
)
from transforms.targets.config import ProgressConfig, ProgressConfigError, load_progress_config


def test_names_cover_every_indicator_and_status():
    table = names_table().to_pylist()
    codes = {(r["kind"], r["code"]) for r in table}
    assert {("indicator", c) for c in INDICATORS} | {("status", s) for s in STATUSES} == codes
    assert all(r["name_zh"] and r["name_en"] for r in table)
    assert label("good_days") == "优良天数" and label("good_days", "en") == "good days"
    assert label("at_risk") == "有风险" and label("at_risk", "en") == "at risk"
    assert unit("pm25_mean") == "µg/m³" and unit("good_days", "en") == "days"
    # change targets name an indicator of the table as their base
    assert all(i.base in INDICATORS for i in INDICATORS.values() if i.kind == "change")


def test_progress_yaml_overrides_and_rejects_typos(tmp_path):
    path = tmp_path / "progress.yaml"
    path.write_text("on_track_probability: 0.9\nmean_floors: {pm25: 0}\n", encoding="utf-8")
    cfg = load_progress_config(path)
    assert cfg.on_track_probability == 0.9 and cfg.at_risk_probability == 0.5
    assert cfg.mean_floors["pm25"] == 0 and cfg.mean_floors["pm10"] == 10
    assert load_progress_config(tmp_path / "absent.yaml") == ProgressConfig()
    path.write_text("on_track_probabilty: 0.9\n", encoding="utf-8")
    with pytest.raises(ProgressConfigError, match="unknown settings"):
        load_progress_config(path)
    path.write_text("on_track_probability: 0.4\n", encoding="utf-8")
    with pytest.raises(ProgressConfigError, match="at_risk_probability <= on_track"):
        load_progress_config(path)


def test_bundled_progress_yaml_states_the_defaults():
    from pathlib import Path

    bundled = Path(__file__).resolve().parents[2] / "data" / "config" / "progress.yaml"
    assert load_progress_config(bundled) == ProgressConfig()


def test_exceedance_multiple():
    # (C - S) / S only when C > S: (90 - 75) / 75 = 0.2, (52.5 - 35) / 35 = 0.5
    assert exceedance_multiple(90, 75) == pytest.approx(0.2)
    assert math.isnan(exceedance_multiple(75, 75))  # not exceeded: not reported (NaN, not 0)
    assert math.isnan(exceedance_multiple(30, 35))
    out = exceedance_multiple(np.array([52.5, 20.0, np.nan]), 35)
    assert out[0] == pytest.approx(0.5) and np.isnan(out[1:]).all()
