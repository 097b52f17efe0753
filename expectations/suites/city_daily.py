"""Suites for daily city values: the published daily files and envq's own air_city_daily mart.

Published daily rows (air_city_daily_published) are kept for comparison only, so apart from
their shape (critical) every rule only flags: quarantining a row would drop the whole city-day
for one odd value. The mart is computed by envq, so a broken rule there is a bug in the
transforms and is critical (the run must not publish it).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from expectations.frames import ROWS, Batch, prepared
from expectations.spec import Check, Suite
from expectations.suites.context import BatchContext
from expectations.suites.station_hourly import (
    PM_PAIR_ABS_TOLERANCE,
    PM_PAIR_REL_TOLERANCE,
    co_unit_limit,
)
from transforms.air.aqi import aqi_level
from transforms.plausibility import AQI_MAX, PLAUSIBLE_MAX
from transforms.rules import SWITCH_DATE, cached_rules

PUBLISHED_TABLE = "air_city_daily_published"
MART_TABLE = "air_city_daily"
POLLUTANT_COLUMNS = {"pm25": "pm25", "pm10": "pm10", "so2": "so2", "no2": "no2", "co": "co",
                     "o3_8h": "o3"}


def level_categories() -> list[str]:
    """The six HJ 633 Table 2 categories (优 .. 严重污染), identical in both editions."""
    return [lv["category_zh"] for lv in cached_rules("2012")["levels"]]


def pm10_upper(rows: pa.Table) -> pa.Array:
    """PM10 plus the pair tolerance of suites.station_hourly (same rule for daily means)."""
    pm10 = rows["pm10"].combine_chunks().cast(pa.float64()).fill_null(np.nan).to_numpy(
        zero_copy_only=False)
    upper = pm10 + np.maximum(PM_PAIR_ABS_TOLERANCE, PM_PAIR_REL_TOLERANCE * pm10)
    return pa.array(upper, from_pandas=True)


def published_frames(rows: pa.Table) -> Batch:
    """The published rows plus the level their AQI gives (HJ 633 Table 2) and PM10's bound."""
    frame = rows = prepared(rows)
    if "aqi" in rows.column_names and "date" in rows.column_names:
        aqi = rows["aqi"].combine_chunks().cast(pa.float64()).fill_null(np.nan).to_numpy(
            zero_copy_only=False)
        dates = rows["date"].combine_chunks().cast(pa.date32())
        new = (dates.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
               >= (SWITCH_DATE.toordinal() - 719163))  # days since 1970-01-01
        by_edition = {e: aqi_level(aqi, e).category.to_numpy(dtype=object, na_value=None)
                      for e in ("2012", "2026")}
        category = np.where(new, by_edition["2026"], by_edition["2012"])
        frame = frame.append_column("level_from_aqi", pa.array(category, pa.string()))
    if "pm10" in rows.column_names:
        frame = frame.append_column("pm10_upper", pm10_upper(rows))
    return Batch(PUBLISHED_TABLE, {ROWS: frame})


def published_suite(ctx: BatchContext) -> Suite:
    co_limit = co_unit_limit(ctx.file_date)
    checks = [
        Check("columns_present", "ExpectTableColumnsToMatchSet",
              {"column_set": ["city", "date"], "exact_match": False}, "critical", "reject"),
        Check("city_not_null", "ExpectColumnValuesToNotBeNull", {"column": "city"},
              "critical", "reject"),
        Check("date_not_null", "ExpectColumnValuesToNotBeNull", {"column": "date"},
              "critical", "reject"),
        Check("grain_unique", "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["city", "date"]}, "critical", "reject"),
        Check("level_known", "ExpectColumnValuesToBeInSet",
              {"column": "level", "value_set": level_categories()}, "critical", "reject",
              why="the six categories of HJ 633 Table 2 (the parser normalises 轻度 etc.)"),
        Check("aqi_in_range", "ExpectColumnValuesToBeBetween",
              {"column": "aqi", "min_value": 0, "max_value": AQI_MAX}, "warning", "flag",
              why=f"HJ 633: the AQI scale ends at {AQI_MAX:g}"),
        Check("level_matches_aqi", "ExpectColumnPairValuesToBeEqual",
              {"column_A": "level", "column_B": "level_from_aqi",
               "ignore_row_if": "either_value_is_missing"}, "warning", "flag",
              why="the published category is the one HJ 633 Table 2 gives for its AQI"),
        Check("pm25_le_pm10", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "pm10_upper", "column_B": "pm25", "or_equal": True,
               "ignore_row_if": "either_value_is_missing"}, "warning", "flag",
              show=("pm25", "pm10"),
              why="PM2.5 <= PM10 within the tolerance of suites.station_hourly"),
        Check("co_value_mg_per_m3", "ExpectColumnValuesToBeBetween",
              {"column": "co", "max_value": co_limit}, "warning", "flag",
              why=f"CO above {co_limit:g} mg/m³ is almost surely µg/m³"),
    ]
    checks += [
        Check(f"plausible_{column}", "ExpectColumnValuesToBeBetween",
              {"column": column, "min_value": 0, "max_value": PLAUSIBLE_MAX[pollutant]},
              "warning", "flag", why="transforms.plausibility")
        for column, pollutant in POLLUTANT_COLUMNS.items()
    ]
    return Suite("city_daily_published", PUBLISHED_TABLE, tuple(checks))


def mart_suite(ctx: BatchContext) -> Suite:
    checks = [
        Check("region_code_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "region_code"}, "critical", "reject"),
        Check("date_not_null", "ExpectColumnValuesToNotBeNull", {"column": "date"},
              "critical", "reject"),
        Check("grain_unique", "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["region_code", "date"]}, "critical", "reject"),
        Check("aqi_in_range", "ExpectColumnValuesToBeBetween",
              {"column": "aqi", "min_value": 0, "max_value": AQI_MAX}, "critical", "reject",
              why=f"HJ 633: AQI 0..{AQI_MAX:g}"),
        Check("o3_8h_le_o3_1h", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "o3_1h", "column_B": "o3_8h", "or_equal": True,
               "ignore_row_if": "either_value_is_missing"}, "critical", "reject",
              why="the day's max 8-h mean (windows inside the day, HJ 663) cannot exceed the "
                  "day's max 1-h value"),
        Check("pm25_le_pm10", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "pm10_upper", "column_B": "pm25", "or_equal": True,
               "ignore_row_if": "either_value_is_missing"}, "warning", "flag",
              show=("pm25", "pm10"),
              why="PM2.5 <= PM10 within the tolerance of suites.station_hourly"),
    ]
    return Suite("city_daily", MART_TABLE, tuple(checks))


def mart_frames(rows: pa.Table) -> Batch:
    frame = rows = prepared(rows)
    if "pm10" in rows.column_names:
        frame = frame.append_column("pm10_upper", pm10_upper(rows))
    return Batch(MART_TABLE, {ROWS: frame})
