"""Suite `station_hourly`: the hourly station measurements of one file (air_station_hourly).

Two frames: the file's long rows (station, hour, pollutant, value) and a wide frame with one
row per station-hour and a column per pollutant, on which the rules between pollutants of the
same hour are row-level checks.

Severity: what makes the file as a whole untrustworthy is critical (schema, unknown codes,
duplicate facts, hours outside the file's date, a file whose CO is in µg/m³); a single bad
value is a warning and only that value is quarantined (CO in µg/m³, outside the plausible
range); an inverted PM2.5/PM10 pair and a station missing from the registry are flagged and
load (a national file must load before anyone has curated a station list).
Cross-file rules (stuck instrument, completeness, O3 8-h) run in SQL over the warehouse
(expectations/warehouse_checks.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from expectations.frames import ROWS, Batch, pivot_wide, prepared
from expectations.spec import Check, Suite
from expectations.suites.context import BatchContext
from transforms.ingest.engine import DATA_KIND_RANK
from transforms.plausibility import PLAUSIBLE_MAX
from transforms.pollutants import POLLUTANTS
from transforms.rules import cached_rules, edition_for_date

TABLE = "air_station_hourly"
WIDE = "wide"
COLUMNS = ("station_code", "ts", "pollutant", "value", "data_kind")

# PM2.5 is a size fraction of PM10, so PM2.5 <= PM10 must hold for the same air; the two are
# measured by separate analysers, each hourly value rounded to an integer, and automatic PM
# methods are known to depart from the gravimetric reference by over 10 µg/m³ in humid hours.
# A pair is inverted only when PM2.5 exceeds PM10 by more than max(10 µg/m³, 15 % of PM10).
# The check flags and does not quarantine: the real 2019 CNEMC files hold no inversion until
# late April (the platform blanked them, mostly dropping PM10), then 75,601 (median PM2.5 =
# 1.5 x PM10); which analyser is wrong cannot be told from the pair, and dropping either
# value would change daily means the platform itself publishes. Each file's count and
# examples go to validation_results and the Data Docs.
PM_PAIR_ABS_TOLERANCE = 10.0
PM_PAIR_REL_TOLERANCE = 0.15
# CO is published in mg/m³ (HJ 633 Table 1). A value above 5x the GB 3095 Table 1 1-hour CO
# limit (5 x 10 = 50 mg/m³) is almost surely µg/m³ (ambient CO in µg/m³ reads 200-5000); in
# the real January 2019 files a single hourly value exceeds it (1 of 1.06 million: 90 at 2170A,
# 2019-01-10 10:00, between readings of 2.2).
CO_UNIT_LIMIT_FACTOR = 5


def co_unit_limit(day: dt.date | None) -> float:
    """The CO value above which a reading is taken for µg/m³ (mg/m³ expected)."""
    rules = cached_rules(edition_for_date(day or dt.date.today()))
    return CO_UNIT_LIMIT_FACTOR * float(rules["limits"]["grade2"]["co"]["1h"])


def frames(rows: pa.Table) -> Batch:
    """The rows and the wide station-hour frame (with PM10's upper tolerance column)."""
    rows = prepared(rows)
    wide, cell_rows, row_codes = pivot_wide(rows, POLLUTANTS, "pollutant", "value")
    pm10 = wide["pm10"].to_numpy(zero_copy_only=False)
    upper = pm10 + np.maximum(PM_PAIR_ABS_TOLERANCE, PM_PAIR_REL_TOLERANCE * pm10)
    wide = wide.append_column("pm10_upper", pa.array(upper, from_pandas=True))
    return Batch(TABLE, {ROWS: rows, WIDE: wide},
                 {(WIDE, p): cell_rows[p] for p in POLLUTANTS}, {ROWS: row_codes})


def suite(ctx: BatchContext) -> Suite:
    """The checks for one file's station-hour rows."""
    co_limit = co_unit_limit(ctx.file_date)
    checks = [
        Check("columns_present", "ExpectTableColumnsToMatchSet",
              {"column_set": list(COLUMNS), "exact_match": False}, "critical", "reject",
              why="the core table's columns (transforms/sql/core/schema.sql)"),
        Check("station_code_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "station_code"}, "critical", "reject"),
        Check("ts_not_null", "ExpectColumnValuesToNotBeNull", {"column": "ts"},
              "critical", "reject"),
        Check("value_not_null", "ExpectColumnValuesToNotBeNull", {"column": "value"},
              "critical", "reject", why="a missing value is no row (empty cell = missing)"),
        Check("pollutant_known", "ExpectColumnValuesToBeInSet",
              {"column": "pollutant", "value_set": list(POLLUTANTS)}, "critical", "reject",
              why="pollutant codes of transforms.pollutants.POLLUTANTS"),
        Check("data_kind_known", "ExpectColumnValuesToBeInSet",
              {"column": "data_kind", "value_set": list(DATA_KIND_RANK)}, "critical", "reject"),
        Check("grain_unique", "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["station_code", "ts", "pollutant"]}, "critical", "reject",
              why="one value per station, hour and pollutant (TABLE_KEYS)"),
    ]
    if ctx.file_date is not None:
        start = dt.datetime.combine(ctx.file_date, dt.time())
        checks.append(Check(
            "ts_within_file_date", "ExpectColumnValuesToBeBetween",
            {"column": "ts", "min_value": start, "max_value": start + dt.timedelta(days=1),
             "strict_max": True},
            "critical", "reject",
            why="a daily file holds hours 0-23 of its own date; other dates mean a mislabelled "
                "or misread file, which could overwrite another day"))
    if ctx.station_codes:
        checks.append(Check(
            "station_registered", "ExpectColumnValuesToBeInSet",
            {"column": "station_code", "value_set": sorted(ctx.station_codes)},
            "warning", "flag",
            why="station codes known to the registry; unregistered stations still load"))
    checks += [
        Check("co_unit_mg_per_m3", "ExpectColumnMedianToBeBetween",
              {"column": "co", "max_value": co_limit}, "critical", "reject", frame=WIDE,
              why=f"median CO of the file <= {co_limit:g}: else the file's CO is in µg/m³"),
        Check("co_value_mg_per_m3", "ExpectColumnValuesToBeBetween",
              {"column": "co", "max_value": co_limit}, "warning", "quarantine", frame=WIDE,
              target="co",
              why=f"CO above {co_limit:g} mg/m³ (5x the GB 3095 1-h limit) is almost surely "
                  "µg/m³"),
        Check("pm25_le_pm10", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "pm10_upper", "column_B": "pm25", "or_equal": True,
               "ignore_row_if": "either_value_is_missing"},
              "warning", "flag", frame=WIDE, target="pm25", show=("pm25", "pm10"),
              why=f"PM2.5 <= PM10 + max({PM_PAIR_ABS_TOLERANCE:g} µg/m³, "
                  f"{PM_PAIR_REL_TOLERANCE:.0%}) in the same station-hour (flagged: which "
                  "analyser is wrong cannot be told)"),
    ]
    checks += [
        Check(f"plausible_{p}", "ExpectColumnValuesToBeBetween",
              {"column": p, "min_value": 0, "max_value": PLAUSIBLE_MAX[p]},
              "warning", "quarantine", frame=WIDE, target=p,
              why=f"0 <= {p} <= {PLAUSIBLE_MAX[p]:g} (transforms.plausibility)")
        for p in POLLUTANTS
    ]
    return Suite("station_hourly", TABLE, tuple(checks))
