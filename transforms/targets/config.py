"""Settings of the target-progress verdicts: status thresholds, projection and floors.

Defaults live here; a bureau overrides any of them in data/config/progress.yaml (the file
holds the same keys; docs/target_progress.md explains each). A key the code does not know
fails the load, so a typo never silently leaves a default in force.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FLOORS = {"pm25": 5.0, "pm10": 10.0, "so2": 0.0, "no2": 0.0, "co": 0.0, "o3_8h": 0.0}


class ProgressConfigError(ValueError):
    """progress.yaml has an unknown key or a value out of range."""


@dataclass(frozen=True)
class ProgressConfig:
    """Thresholds and projection settings of target progress (docs/target_progress.md)."""

    # status from the projected probability of meeting the target
    on_track_probability: float = 0.8   # p >= this -> on_track
    at_risk_probability: float = 0.5    # p >= this (and below on_track) -> at_risk, else off_track
    # projection: block bootstrap over every earlier year, each block starting anywhere
    # within block_window_days of the same calendar date (transforms/targets/projection.py)
    min_history_years: int = 2
    max_history_years: int = 30
    min_history_coverage: float = 0.5   # share of a past stretch's days with valid data
    block_days: int = 30
    block_window_days: int = 15
    # persistence of this year's anomaly: earlier years scaled by r ** persistence, r the
    # ratio of the means over the period so far (at least level_window_days days)
    # (transforms/targets/history.py)
    level_adjustment: bool = True
    level_window_days: int = 60
    persistence: float = 1.0
    # each future's level drawn from the spread of the earlier years' levels (projection.py)
    level_spread: bool = True
    simulations: int = 2000
    seed: int = 20260301
    # without a projection: behind the pace by at most this share of it -> at_risk
    pace_margin: float = 0.05
    # sand-dust deduction (环办监测〔2016〕120号) on the air indicators
    dust_deduction: bool = True
    # the lowest mean concentration a region can sustain over the rest of a period (µg/m³,
    # CO mg/m³): a required ceiling below it makes a mean target mathematically lost
    mean_floors: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_FLOORS))

    def __post_init__(self) -> None:
        # pollutants not named keep their default floor
        object.__setattr__(self, "mean_floors", {**DEFAULT_FLOORS, **self.mean_floors})
        check_config(self)


def check_config(cfg: ProgressConfig) -> None:
    """Raise ProgressConfigError when a threshold is out of range or inconsistent."""
    if not 0 <= cfg.at_risk_probability <= cfg.on_track_probability <= 1:
        raise ProgressConfigError(
            "need 0 <= at_risk_probability <= on_track_probability <= 1, got "
            f"{cfg.at_risk_probability} and {cfg.on_track_probability}"
        )
    if cfg.min_history_years < 1 or cfg.max_history_years < cfg.min_history_years:
        raise ProgressConfigError("need 1 <= min_history_years <= max_history_years")
    if not 0 <= cfg.min_history_coverage <= 1:
        raise ProgressConfigError("min_history_coverage must be within 0..1")
    if cfg.block_days < 1 or cfg.simulations < 10:
        raise ProgressConfigError("block_days must be >= 1 and simulations >= 10")
    if cfg.level_window_days < 7:
        raise ProgressConfigError("level_window_days must be >= 7")
    if not 0 <= cfg.block_window_days <= 60:
        raise ProgressConfigError("block_window_days must be within 0..60")
    if not 0 <= cfg.persistence <= 1:
        raise ProgressConfigError("persistence must be within 0..1")
    if cfg.pace_margin < 0:
        raise ProgressConfigError("pace_margin must not be negative")
    unknown = set(cfg.mean_floors) - set(DEFAULT_FLOORS)
    if unknown:
        raise ProgressConfigError(f"mean_floors: unknown pollutants {sorted(unknown)}")
    if any(v < 0 for v in cfg.mean_floors.values()):
        raise ProgressConfigError("mean_floors must not be negative")


def load_progress_config(path: Path | str | None = None) -> ProgressConfig:
    """The settings in path (default: $ENVQ_CONFIG_DIR/progress.yaml, else data/config/),
    over the defaults; the defaults alone when the file does not exist."""
    if path is None:
        path = Path(os.environ.get("ENVQ_CONFIG_DIR", "data/config")) / "progress.yaml"
    path = Path(path)
    if not path.exists():
        return ProgressConfig()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ProgressConfigError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(doc, dict):
        raise ProgressConfigError(f"{path}: expected a mapping of settings")
    known = {f.name: f for f in dataclasses.fields(ProgressConfig)}
    unknown = set(doc) - set(known)
    if unknown:
        raise ProgressConfigError(f"{path}: unknown settings {sorted(unknown)}")
    values: dict[str, Any] = {}
    for key, raw in doc.items():
        if key == "mean_floors":
            if not isinstance(raw, dict):
                raise ProgressConfigError(f"{path}: mean_floors must be a mapping")
            values[key] = {**DEFAULT_FLOORS, **{str(k): float(v) for k, v in raw.items()}}
        elif key in ("dust_deduction", "level_adjustment", "level_spread"):
            values[key] = bool(raw)
        else:
            default = known[key].default
            try:
                values[key] = type(default)(raw)
            except (TypeError, ValueError) as exc:
                raise ProgressConfigError(f"{path}: {key}: {raw!r} is not a number") from exc
    try:
        return ProgressConfig(**values)
    except ProgressConfigError as exc:
        raise ProgressConfigError(f"{path}: {exc}") from exc
