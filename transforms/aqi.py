"""Air quality index (AQI) per HJ 633-2012 and HJ 633-2026, vectorised over numpy arrays.

Rules applied (tables read from transforms/rules/air_<edition>.yaml):
- Concentrations are rounded first, half to even (GB/T 8170 四舍六入五成双; HJ 633-2026 §4.2.2):
  µg/m³ to integers, CO to 0.1 mg/m³. Rounding is of the decimal value the data show, so 0.35
  (stored as 0.34999...) goes to 0.4 and 0.25 to 0.2 (`round_half_even`).
- IAQI by linear interpolation between the adjacent breakpoints (HJ 633-2012 formula (1),
  Table 1; HJ 633-2026 Table 3), rounded up (HJ 633-2012 §6.2 "全部进位取整数", HJ 633-2026
  §4.2.6). The arithmetic is done on integers, so a value on a breakpoint never ceils up.
- PM has no 1-h table: 1-h PM values use the 24-h (日平均) columns (HJ 633-2026; national
  platform practice since 2014-01-01).
- SO2 1-h > 800: 2012 "not computed" (NaN; SO2 is then reported with its 24-h IAQI, which
  `aqi` does when a so2_24h column is given); 2026: IAQI 200. O3 8-h > 800: 2012 NaN (O3 is
  reported with its 1-h IAQI); 2026: IAQI 300 (HJ 633-2012 Table 1 notes, HJ 633-2026 Table 3).
- Above the top breakpoint (IAQI 500) the standard defines nothing; implementations return 500
  and so does this module (UNCONFIRMED, standards.md §1.2). Negative values give NaN.
- AQI = max of the IAQIs; primary pollutants = every indicator at that max (并列), none when
  AQI <= 50 (HJ 633 首要污染物, standards.md §1.3); level, category and colour from the level
  table (HJ 633 Table 2, Appendix A).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from transforms.rules import EDITIONS, cached_rules

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")
AVERAGINGS = ("1h", "8h", "24h")
KINDS = ("hourly", "daily")
TOP_IAQI = 500

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
    """Level 1..6, category (优 .. 严重污染) and colour (#RRGGBB) per AQI; NA where no AQI."""

    level: pd.api.extensions.ExtensionArray
    category: pd.api.extensions.ExtensionArray
    colour: pd.api.extensions.ExtensionArray


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
    """Half-even rounding of already scaled values to integers (float array, NaN kept)."""
    floor = np.floor(scaled)
    near_half = np.abs(scaled - floor - 0.5) <= 1e-9 * np.maximum(1.0, np.abs(scaled))
    half_even = floor + (np.mod(floor, 2.0) == 1.0)
    return np.where(near_half, half_even, np.rint(scaled))


def round_concentration(pollutant: str, values: Any) -> np.ndarray:
    """Concentrations rounded as HJ 633-2026 §4.2.2 requires before an IAQI is computed."""
    check_pollutant(pollutant)
    return round_half_even(values, decimals_for(pollutant))


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
    """IAQI of concentrations already rounded and scaled to integers (CO in 0.1 mg/m³)."""
    bp, iq, above_top = breakpoint_table(edition, indicator)
    out = np.full(rounded.shape, np.nan)
    ok = np.isfinite(rounded) & (rounded >= 0)
    inside = ok & (rounded <= bp[-1])
    c = np.where(inside, rounded, 0.0).astype(np.int64)
    seg = np.clip(np.searchsorted(bp, c, side="left") - 1, 0, len(bp) - 2)
    lo, hi, i_lo, i_hi = bp[seg], bp[seg + 1], iq[seg], iq[seg + 1]
    value = i_lo - ((i_lo - i_hi) * (c - lo)) // (hi - lo)  # exact integer ceil of the slope
    out[inside] = value[inside]
    out[ok & (rounded > bp[-1])] = above_top
    return out


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
    bp = np.array([round(b * scale) for b, _ in defined], dtype=np.int64)
    iq = np.array([i for _, i in defined], dtype=np.int64)
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
) -> pd.DataFrame:
    """AQI, level, category, colour and primary pollutants for each row of `frame`.

    kind="hourly" (实时报): 1-h columns pm25, pm10, so2, no2, co, o3, plus o3_8h (2012 only:
    the 8-h moving average) and optionally so2_24h (2012: SO2 24-h moving average, used in
    place of SO2 1-h above 800). kind="daily" (日报): daily means pm25, pm10, so2, no2, co,
    o3_8h (MDA8) and o3 (the day's maximum 1-h value, used by 2012 only). The indicators are
    the edition's `hourly_aqi_indicators` / `daily_aqi_indicators`. Absent columns and NaN
    cells are not assessed, so AQI is the max over the IAQIs available (NA if none).

    missing_rule=True applies HJ 633-2026 §5.3: when any of the edition's indicators is missing
    the AQI is published only if it exceeds 100 from the others, else AQI is NA. It is off by
    default because envq's marts report the max over available values and keep validity apart.
    with_iaqi=True adds one nullable iaqi_<code> column per indicator.
    Returns columns aqi (Int64), level (Int64), category, colour, primary_pollutants
    (comma-joined codes pm25, pm10, so2, no2, co, o3_1h, o3_8h; NA when AQI <= 50), same index.
    """
    check_edition(edition)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    rules = cached_rules(edition)
    indicators: list[str] = rules[f"{kind}_aqi_indicators"]
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
        sub = fallback_iaqi(frame, kind, edition, ind, scaled, sub)
        by_code[code] = np.fmax(by_code[code], sub)
    matrix = np.column_stack([by_code[c] for c in codes])
    result = combine(matrix, codes, rules)
    if missing_rule:
        withheld = missing & ~(result["aqi_values"] > 100)
        result["aqi_values"][withheld] = np.nan
        result["mask"][withheld] = 0
    return assemble(frame.index, result, codes, matrix, edition, with_iaqi)


def fallback_iaqi(
    frame: pd.DataFrame, kind: str, edition: str, indicator: str, scaled: np.ndarray,
    sub: np.ndarray,
) -> np.ndarray:
    """2012 SO2 1-h > 800: use the SO2 24-h IAQI from the frame's fallback column if given.

    (The O3 8-h fallback, O3 1-h, is itself one of the 2012 indicators, so nothing to add.)
    """
    case = special_case(edition, indicator)
    if case is None or case["iaqi"] is not None or case["fallback_indicator"] not in INPUTS[kind]:
        return sub
    fallback = case["fallback_indicator"]
    if fallback in cached_rules(edition)[f"{kind}_aqi_indicators"]:
        return sub
    column, pollutant, _ = INPUTS[kind][fallback]
    if column not in frame.columns:
        return sub
    over = np.isfinite(scaled) & (scaled > case["above"] * 10 ** decimals_for(pollutant))
    if not over.any():
        return sub
    alt = iaqi_of_scaled(fallback, scaled_round(column_values(frame, column, len(frame))), edition)
    return np.where(over, alt, sub)


def combine(matrix: np.ndarray, codes: Sequence[str], rules: dict[str, Any]) -> dict[str, Any]:
    """AQI = row max of IAQIs; tie mask of indicators at the max (bit j = codes[j])."""
    has_any = ~np.all(np.isnan(matrix), axis=1)
    filled = np.where(np.isnan(matrix), -1.0, matrix)
    top = filled.max(axis=1)
    aqi_values = np.where(has_any, top, np.nan)
    at_max = (filled == top[:, None]) & (aqi_values > 50)[:, None]
    mask = at_max.astype(np.int64) @ (1 << np.arange(len(codes), dtype=np.int64))
    return {"aqi_values": aqi_values, "mask": mask}


def assemble(
    index: pd.Index, result: dict[str, Any], codes: Sequence[str], matrix: np.ndarray,
    edition: str, with_iaqi: bool,
) -> pd.DataFrame:
    """Build the output frame; tie masks become strings through a 2**k lookup, not a row loop."""
    names = np.array([None] + [",".join(c for j, c in enumerate(codes) if m >> j & 1)
                               for m in range(1, 1 << len(codes))], dtype=object)
    levels = aqi_level(result["aqi_values"], edition)
    out = pd.DataFrame(
        {
            "aqi": pd.array(float_to_int(result["aqi_values"]), dtype="Int64"),
            "level": levels.level,
            "category": levels.category,
            "colour": levels.colour,
            "primary_pollutants": pd.array(names[result["mask"]], dtype="string"),
        },
        index=index,
    )
    if with_iaqi:
        for j, code in enumerate(codes):
            out[f"iaqi_{code}"] = pd.array(float_to_int(matrix[:, j]), dtype="Int64")
    return out


def aqi_level(aqi_values: Any, edition: str = "2012") -> AqiLevels:
    """Level, category and colour of AQI values from the edition's level table (HJ 633 Table 2).

    A level holds AQI in (previous upper, upper]; AQI 0 is level 1 (HJ 633-2026 §4.1.1 gives
    AQI 1-500, but a zero AQI from all-zero concentrations is still 优). NaN, negative or > 500
    gives NA.
    """
    check_edition(edition)
    levels = cached_rules(edition)["levels"]
    values = as_float_array(aqi_values)
    uppers = np.array([lv["upper"] for lv in levels], dtype=float)
    idx = np.searchsorted(uppers, values, side="left")
    ok = np.isfinite(values) & (values >= 0) & (idx < len(levels))
    idx = np.where(ok, idx, 0)
    level = np.array([lv["level"] for lv in levels])[idx]
    category = np.array([lv["category_zh"] for lv in levels], dtype=object)[idx]
    colour = np.array([lv["colour"] for lv in levels], dtype=object)[idx]
    level_out = pd.array(np.where(ok, level, 0), dtype="Int64")
    level_out[~ok] = pd.NA
    return AqiLevels(
        level=level_out,
        category=pd.array(np.where(ok, category, None), dtype="string"),
        colour=pd.array(np.where(ok, colour, None), dtype="string"),
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


def float_to_int(values: np.ndarray) -> pd.Series:
    """Whole-number floats with NaN -> nullable Int64 series (no precision loss up to 2**53)."""
    return pd.Series(values).astype("Int64")


def check_pollutant(pollutant: str) -> None:
    if pollutant not in POLLUTANTS:
        raise ValueError(f"pollutant must be one of {POLLUTANTS}, got {pollutant!r}")


def check_edition(edition: str) -> None:
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
