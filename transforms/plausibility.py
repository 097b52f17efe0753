"""Physical plausibility limits for air measurements: a value above them is a fault, not air.

Not limits from a standard (GB 3095 and HJ 633 say nothing about impossible values): they are
engineering bounds set far above ordinary pollution so that only instrument, unit or
transcription faults are caught, e.g. the daily PM10 of 14982 µg/m³ for 平度 2017-08-16 in the
tianqihoubao Shandong file, whose published AQI that day is 201. Reference points: the top
IAQI breakpoints of HJ 633-2012 Table 1 (IAQI 500) are PM2.5 500, PM10 600, SO2 24-h 2620, NO2
1-h 3840, CO 1-h 150 mg/m³, O3 1-h 1200 µg/m³; the limits sit at or above them and leave room
for dust storms (hourly PM10 of several thousand µg/m³). Highest values in the real files
loaded so far: PRSA hourly PM2.5 898, PM10 999, SO2 341, NO2 290, CO 10 mg/m³, O3 1071
(Dongsi); Haikou 1410A CO 11.482; Shandong daily CO 28.01.

Units as everywhere in envq: µg/m³, CO in mg/m³. A value is impossible when it is greater than
the limit (negative values are the separate rule `negative`). The same limits serve hourly and
daily values, since a daily mean cannot exceed the largest possible hourly value. Shared by
the air parsers; change a limit here only, with the evidence in this docstring. The water
parsers' bounds are in transforms.ingest.water_cells.PLAUSIBLE; every parser applies them
through `implausible`, the one rule for the quarantine reasons `negative` and
`impossible_value`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

PLAUSIBLE_MAX: dict[str, float] = {
    "pm25": 3000.0,
    "pm10": 10000.0,
    "so2": 5000.0,
    "no2": 4000.0,
    "co": 150.0,
    "o3": 1500.0,
}

# HJ 633-2012 §5 / HJ 633-2026 §4.1.1: the AQI scale ends at 500.
AQI_MAX = 500.0


def implausible(values: np.ndarray, low: Any = 0.0, high: Any = np.inf) -> tuple[Any, Any]:
    """(negative, impossible) masks of numbers against their physical bounds [low, high].

    negative: below 0 where the quantity cannot be (low >= 0); impossible: otherwise outside
    [low, high] (a water temperature may be below 0, not below its low). Missing or non-finite
    numbers are neither (they are missing or non_numeric). low and high broadcast (a bound per
    row or per cell).
    """
    values = np.asarray(values, dtype="float64")
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        negative = finite & (values < 0) & (np.asarray(low) >= 0)
        impossible = finite & ~negative & ((values < low) | (values > high))
    return negative, impossible
