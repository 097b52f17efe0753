"""AQI for the synthetic sample, by the project's rules (transforms.air.aqi, transforms.rules).

The hourly AQI rows of the sample's china_sites files need the IAQI core only, over a million
station-hours per chunk; this adapter calls transforms.air.aqi's vectorised pieces directly
(rounding, then iaqi_of_scaled per indicator of the edition's hourly list, max ignoring NaN)
rather than aqi(), which also builds levels, colours and primary-pollutant strings.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from transforms.air.aqi import INPUTS, aqi, decimals_for, iaqi_of_scaled, scaled_round
from transforms.rules import SWITCH_DATE, cached_rules

EDITION_2026_FROM: date = SWITCH_DATE


def hourly_aqi(values: dict[str, np.ndarray], edition: str) -> np.ndarray:
    """Real-time AQI (HJ 633 实时报) of 1-h values; NaN where no indicator is available.

    values: arrays keyed by the transforms.air.aqi hourly input columns (pm25, pm10, so2, no2, co,
    o3, o3_8h). The edition's `hourly_aqi_indicators` decide which are rated.
    """
    out: np.ndarray | None = None
    for indicator in cached_rules(edition)["hourly_aqi_indicators"]:
        column, pollutant, _ = INPUTS["hourly"][indicator]
        scaled = scaled_round(values[column] * 10.0 ** decimals_for(pollutant))
        sub = iaqi_of_scaled(indicator, scaled, edition)
        out = sub if out is None else np.fmax(out, sub)
    assert out is not None
    return out


def daily_aqi(values: dict[str, np.ndarray], edition: str) -> np.ndarray:
    """Daily AQI (HJ 633 日报) of daily means, MDA8 (o3_8h) and the 1-h maximum (o3)."""
    frame = pd.DataFrame(values)
    return aqi(frame, "daily", edition)["aqi"].to_numpy(dtype=float, na_value=np.nan)
