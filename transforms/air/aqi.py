"""Air quality index (AQI) per HJ 633-2012 and HJ 633-2026, vectorised over numpy arrays.

Rules applied (tables read from transforms/rules/air_<edition>.yaml):
- Concentrations are rounded first, half to even (GB/T 8170 四舍六入五成双; HJ 633-2026 §4.2.2):
  µg/m³ to integers, CO to 0.1 mg/m³. Rounding is of the decimal value the data show, so 0.35
  (stored as 0.34999...) goes to 0.4 and 0.25 to 0.2 (`round_half_even`).
- IAQI by linear interpolation between the adjacent breakpoints (HJ 633-2012 formula (1),
  Table 1; HJ 633-2026 Table 3), rounded up (HJ 633-2012 §6.2 "全部进位取整数", HJ 633-2026
  §4.2.6). The arithmetic is exact (whole numbers), so a value on a breakpoint never ceils up.
- PM has no 1-h table: 1-h PM values use the 24-h (日平均) columns (HJ 633-2026; national
  platform practice since 2014-01-01).
- SO2 1-h > 800: 2012 "not computed" (NaN; SO2 is then reported with its 24-h IAQI, which
  `aqi` does when a so2_24h column is given); 2026: IAQI 200. O3 8-h > 800: 2012 NaN (O3 is
  reported with its 1-h IAQI); 2026: IAQI 300 (HJ 633-2012 Table 1 notes, HJ 633-2026 Table 3).
  The national platform already published SO2 1-h > 800 as IAQI 200 in 2019 (7 of 7 decisive
  station-hours, transforms/conformance/realtime_aqi_agreement.py); envq follows the 2012 text.
- Real-time AQI: the 1-h values of the six pollutants, as the national platform applies it
  (HJ 633-2012's text also lists the O3 8-h and PM 24-h moving averages; the 2019 CNEMC
  files show the platform uses neither, see air_2012.yaml hourly_aqi_indicators).
- Above the top breakpoint (IAQI 500) the standard defines nothing; implementations return 500
  and so does this module (UNCONFIRMED, docs/standards.md §1.2). Negative values give NaN.
- AQI = max of the IAQIs; primary pollutants = every indicator at that max (并列), none when
  AQI <= 50 (HJ 633 首要污染物, docs/standards.md §1.3); level, category and colour from the level
  table (HJ 633 Table 2, Appendix A).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, reduce
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from transforms.pollutants import POLLUTANTS
from transforms.rules import EDITIONS, cached_rules

AVERAGINGS = ("1h", "8h", "24h")
KINDS = ("hourly", "daily")
TOP_IAQI = 500
HALF_TOLERANCE = 1e-7  # distance from .5 below which a scaled value counts as an exact half

# Breakpoint column used for each (pollutant, averaging); PM 1-h values use the 24-h columns.
INDICATOR_FOR = {
    ("pm25", "1h"): "pm25_24h", ("pm25", "24h"): "pm25_24h",
    ("pm10", "1h"): "pm10_24h", ("pm10", "24h"): "pm10_24h",
    ("so2", "1h"): "so2_1h", ("so2", "24h"): "so2_24h",
    ("no2", "1h"): "no2_1h", ("no2", "24h"): "no2_24h",
    ("co", "1h"): "co_1h", ("co", "24h"): "co_24h",
    ("o3", "1h"): "o3_1h", ("o3", "8h"): "o3_8h",
}

# Per kind of AQI: breakpoint column -> (input column, pollutant, primary-pollutant code).
# Hourly inputs are 1-h values (o3_8h = the 8-h moving average ending at the hour; so2_24h,
# optional, = the SO2 24-h moving average used in 2012 when SO2 1-h > 800). Daily inputs are
# daily means, o3_8h = MDA8 and o3 = the day's maximum 1-h value (2012 only).
INPUTS = {
    "hourly": {
        "pm25_24h": ("pm25", "pm25", "pm25"), "pm10_24h": ("pm10", "pm10", "pm10"),
        "so2_1h": ("so2", "so2", "so2"), "no2_1h": ("no2", "no2", "no2"),
        "co_1h": ("co", "co", "co"), "o3_1h": ("o3", "o3", "o3_1h"),
        "o3_8h": ("o3_8h", "o3", "o3_8h"), "so2_24h": ("so2_24h", "so2", "so2"),
    },
    "daily": {
        "pm25_24h": ("pm25", "pm25", "pm25"), "pm10_24h": ("pm10", "pm10", "pm10"),
        "so2_24h": ("so2", "so2", "so2"), "no2_24h": ("no2", "no2", "no2"),
        "co_24h": ("co", "co", "co"), "o3_1h": ("o3", "o3", "o3_1h"),
        "o3_8h": ("o3_8h", "o3", "o3_8h"),
    },
}


class AqiLevels(NamedTuple):
    """Level 1..6 (Int64), category (优 .. 严重污染) and colour (#RRGGBB) as categoricals; NA
    where there is no AQI."""

    level: pd.arrays.IntegerArray
    category: pd.Categorical
    colour: pd.Categorical


def decimals_for(pollutant: str) -> int:
    """Rounding precision of a concentration (HJ 633-2026 §4.2.2): CO 0.1 mg/m³, else 1 µg/m³."""
    return 1 if pollutant == "co" else 0


def round_half_even(values: Any, decimals: int = 0) -> np.ndarray:
    """Round half to even (GB/T 8170) as the decimal value shown, not its binary neighbour.

    x * 10**decimals lands within a few ulps of an exact half when the decimal value is a half
    (0.35 * 10 = 3.4999...); such values are treated as the half. NaN stays NaN.
    """
    scaled = as_float_array(values) * 10.0**decimals
    return scaled_round(scaled) / 10.0**decimals


def scaled_round(scaled: np.ndarray) -> np.ndarray:
    """Half-even rounding of already scaled values to integers (float array, NaN kept).

    Values within HALF_TOLERANCE of a half are taken as that exact half (decimal data stored
    in binary, sums of such data); 2 * rint(rint(2x) / 4) is then the even neighbour.
    """
    rounded = np.rint(scaled)
    near_half = np.abs(np.abs(scaled - rounded) - 0.5) < HALF_TOLERANCE
    if near_half.any():
        halves = scaled[near_half]
        rounded[near_half] = 2.0 * np.rint(np.rint(halves * 2.0) / 4.0)
    return rounded


def iaqi(pollutant: str, values: Any, averaging: str, edition: str = "2012") -> np.ndarray:
    """Individual AQI (IAQI) of concentrations, as float64 with NaN where not assessed.

    pollutant: pm25, pm10, so2, no2, co (mg/m³) or o3; averaging: "1h", "8h" or "24h" (PM 1-h
    values use the 24-h table; O3 has 1h and 8h). NaN in -> NaN out. NaN is also returned in
    2012 for SO2 1-h > 800 (the caller reports SO2 with its 24-h IAQI) and O3 8-h > 800 (the
    caller reports O3 with its 1-h IAQI), as HJ 633-2012 Table 1 notes (a)/(b) prescribe.
    """
    check_pollutant(pollutant)
    check_edition(edition)
    indicator = INDICATOR_FOR.get((pollutant, averaging))
    if indicator is None:
        raise ValueError(f"no IAQI table for {pollutant} at averaging {averaging!r}")
    scale = 10 ** decimals_for(pollutant)
    return iaqi_of_scaled(indicator, scaled_round(as_float_array(values) * scale), edition)


def iaqi_of_scaled(indicator: str, rounded: np.ndarray, edition: str) -> np.ndarray:
    """IAQI of concentrations already rounded and scaled to integers (CO in 0.1 mg/m³).

    Exact: the numerator and denominator are whole numbers far below 2**53, and a quotient
    that is not whole lies at least 1/(BP_Hi - BP_Lo) from the next integer, so ceil never
    rounds a value on a breakpoint up.
    """
    bp, iq, above_top = breakpoint_table(edition, indicator)
    ok = rounded >= 0  # False for NaN
    inside = ok & (rounded <= bp[-1])
    c = np.where(inside, rounded, 0.0)
    seg = np.searchsorted(bp, c, side="left") - 1
    np.clip(seg, 0, len(bp) - 2, out=seg)
    lo = bp.take(seg)
    value = iq.take(seg) + np.ceil(np.diff(iq).take(seg) * (c - lo) / np.diff(bp).take(seg))
    return np.where(inside, value, np.where(ok, above_top, np.nan))


@cache
def breakpoint_table(edition: str, indicator: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Scaled integer breakpoints, their IAQIs and the IAQI above the top of the table.

    Above the top: 500 where the table reaches IAQI 500 (UNCONFIRMED), else the edition's
    special case (2012: NaN = not computed; 2026: SO2 1-h 200, O3 8-h 300).
    """
    rules = cached_rules(edition)
    table = rules["iaqi_breakpoints"]
    scale = 10 if indicator.startswith("co_") else 1
    pairs = zip(table[indicator], table["iaqi"], strict=True)
    defined = [(b, i) for b, i in pairs if b is not None]
    bp = np.array([round(b * scale) for b, _ in defined], dtype="float64")
    iq = np.array([i for _, i in defined], dtype="float64")
    above_top: float = float(TOP_IAQI)
    if iq[-1] != TOP_IAQI:
        case = special_case(edition, indicator)
        above_top = np.nan if case is None or case["iaqi"] is None else float(case["iaqi"])
    return bp, iq, above_top


def special_case(edition: str, indicator: str) -> dict[str, Any] | None:
    """The edition's rule for values above the top of a truncated table (SO2 1-h, O3 8-h)."""
    for case in cached_rules(edition)["special_cases"].values():
        if case["indicator"] == indicator:
            return case
    return None


def aqi(
    frame: pd.DataFrame,
    kind: str = "hourly",
    edition: str = "2012",
    *,
    missing_rule: bool = False,
    with_iaqi: bool = False,
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """AQI, level, category, colour and primary pollutants for each row of `frame`.

    kind="hourly" (实时报): 1-h columns pm25, pm10, so2, no2, co, o3 (PM on the 24-h table),
    optionally so2_24h (2012: the SO2 24-h moving average that replaces SO2 1-h above 800) and
    o3_8h (the 8-h moving average, used only when named in `indicators`: the HJ 633-2012 text
    lists it but the national platform does not apply it, see air_2012.yaml). kind="daily"
    (日报): daily means pm25, pm10, so2, no2, co, plus o3_8h (MDA8) and o3 (the day's maximum
    1-h value, 2012 only). The indicators are the edition's hourly_aqi_indicators /
    daily_aqi_indicators unless `indicators` (breakpoint-column keys) overrides them. Absent
    columns and NaN cells are not assessed: AQI is the max over the IAQIs available (NA if none).

    missing_rule=True applies HJ 633-2026 §5.3: when any indicator is missing, the AQI is
    published only if it exceeds 100 from the others, else AQI is NA. It is off by default
    because envq's marts report the max over available values and judge validity separately.
    with_iaqi=True adds one nullable iaqi_<code> column per indicator.
    Returns, on the frame's index: aqi and level (Int64); category (优 .. 严重污染), colour
    (#RRGGBB) and primary_pollutants (comma-joined codes in the order pm25, pm10, so2, no2, co,
    o3_1h, o3_8h; NA when AQI <= 50) as categoricals, which stay small over millions of rows.
    """
    check_edition(edition)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    rules = cached_rules(edition)
    if indicators is None:
        indicators = rules[f"{kind}_aqi_indicators"]
    unknown = set(indicators) - set(INPUTS[kind])
    if unknown:
        raise ValueError(f"unknown {kind} indicators {sorted(unknown)}")
    codes = list(dict.fromkeys(INPUTS[kind][ind][2] for ind in indicators))
    n = len(frame)
    by_code = {code: np.full(n, np.nan) for code in codes}
    missing = np.zeros(n, dtype=bool)
    for ind in indicators:
        column, pollutant, code = INPUTS[kind][ind]
        values = column_values(frame, column, n)
        missing |= np.isnan(values)
        scaled = scaled_round(values * 10 ** decimals_for(pollutant))
        sub = iaqi_of_scaled(ind, scaled, edition)
        sub = fallback_iaqi(frame, kind, edition, ind, scaled, sub, indicators)
        by_code[code] = np.fmax(by_code[code], sub)
    aqi_values, ties = combine([by_code[c] for c in codes])
    if missing_rule:
        withheld = missing & ~(aqi_values > 100)
        aqi_values[withheld] = np.nan
        ties[withheld] = 0
    out = pd.DataFrame({"aqi": nullable_int(aqi_values)}, index=frame.index)
    levels = aqi_level(aqi_values, edition)
    out["level"], out["category"], out["colour"] = levels.level, levels.category, levels.colour
    out["primary_pollutants"] = tie_names(ties, codes)
    if with_iaqi:
        for code in codes:
            out[f"iaqi_{code}"] = nullable_int(by_code[code])
    return out


def fallback_iaqi(
    frame: pd.DataFrame, kind: str, edition: str, indicator: str, scaled: np.ndarray,
    sub: np.ndarray, active: Sequence[str],
) -> np.ndarray:
    """2012 SO2 1-h > 800: use the SO2 24-h IAQI from the frame's fallback column if given.

    A fallback that is itself an active indicator (O3 8-h -> O3 1-h in 2012) needs nothing.
    """
    case = special_case(edition, indicator)
    if case is None or case["iaqi"] is not None or case["fallback_indicator"] not in INPUTS[kind]:
        return sub
    fallback = case["fallback_indicator"]
    if fallback in active:
        return sub
    column, pollutant, _ = INPUTS[kind][fallback]
    if column not in frame.columns:
        return sub
    over = np.isfinite(scaled) & (scaled > case["above"] * 10 ** decimals_for(pollutant))
    if not over.any():
        return sub
    alt = iaqi_of_scaled(fallback, scaled_round(column_values(frame, column, len(frame))), edition)
    return np.where(over, alt, sub)


def combine(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """AQI = max of the IAQIs (NaN if none); tie bits of the indicators at that max, only
    where AQI > 50 (no primary pollutant at or below 50), bit j = columns[j]."""
    aqi_values = reduce(np.fmax, columns)
    ties = np.zeros(len(aqi_values), dtype=np.int64)
    for j, column in enumerate(columns):
        ties |= (column == aqi_values).astype(np.int64) << j
    ties[~(aqi_values > 50)] = 0
    return aqi_values, ties


def tie_names(ties: np.ndarray, codes: Sequence[str]) -> pd.Categorical:
    """Tie bit masks -> comma-joined codes through a 2**k lookup (categorical; NaN for 0)."""
    masks = range(1, 1 << len(codes))
    names = [",".join(c for j, c in enumerate(codes) if m >> j & 1) for m in masks]
    return pd.Categorical.from_codes(ties - 1, categories=names).remove_unused_categories()


def aqi_level(aqi_values: Any, edition: str = "2012") -> AqiLevels:
    """Level, category and colour of AQI values from the edition's level table (HJ 633 Table 2).

    A level holds AQI in (previous upper, upper]; AQI 0 is level 1 (HJ 633-2026 §4.1.1 gives
    AQI 1-500, but a zero AQI from all-zero concentrations is still 优). NaN, negative or > 500
    gives NA.
    """
    check_edition(edition)
    levels = cached_rules(edition)["levels"]
    values = as_float_array(aqi_values)
    uppers = np.array([lv["upper"] for lv in levels], dtype="float64")
    idx = np.searchsorted(uppers, values, side="left")
    ok = (values >= 0) & (idx < len(levels))  # False for NaN
    codes = np.where(ok, idx, -1)
    numbers = np.array([lv["level"] for lv in levels], dtype=np.int64)
    return AqiLevels(
        level=pd.arrays.IntegerArray(numbers.take(np.where(ok, idx, 0)), ~ok),
        category=pd.Categorical.from_codes(codes, [lv["category_zh"] for lv in levels]),
        colour=pd.Categorical.from_codes(codes, [lv["colour"] for lv in levels]),
    )


def column_values(frame: pd.DataFrame, column: str, n: int) -> np.ndarray:
    """Float64 values of one input column, all NaN when the column is absent."""
    if column not in frame.columns:
        return np.full(n, np.nan)
    return as_float_array(frame[column])


def as_float_array(values: Any) -> np.ndarray:
    """float64 ndarray from arrays, Series (nullable dtypes too), lists or scalars; NA -> NaN."""
    if hasattr(values, "to_numpy"):
        return np.asarray(values.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")
    return np.asarray(values, dtype="float64")


def nullable_int(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole-number floats with NaN -> nullable Int64 (no per-value checks, so it is fast)."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def check_pollutant(pollutant: str) -> None:
    if pollutant not in POLLUTANTS:
        raise ValueError(f"pollutant must be one of {POLLUTANTS}, got {pollutant!r}")


def check_edition(edition: str) -> None:
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
