"""Suite `station_published`: the values a publisher derived itself, one row per station-hour
(air_station_published_wide: AQI, 24-h means, O3 8-h mean and 24-h maxima).

envq keeps them for audit only (it recomputes its own), so their shape is critical and a
negative value is quarantined. The published O3 8-h mean is checked against the 1-h values of
its window in SQL (sql/o3_8h_window.sql): the window crosses files.
"""

from __future__ import annotations

import datetime as dt

from expectations.spec import Check, Suite
from expectations.suites.context import BatchContext
from transforms.ingest.cnemc_load import PUBLISHED_TYPES

TABLE = "air_station_published_wide"


def suite(ctx: BatchContext) -> Suite:
    checks = [
        Check("columns_present", "ExpectTableColumnsToMatchSet",
              {"column_set": ["station_code", "ts", *PUBLISHED_TYPES], "exact_match": False},
              "critical", "reject"),
        Check("station_code_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "station_code"}, "critical", "reject"),
        Check("ts_not_null", "ExpectColumnValuesToNotBeNull", {"column": "ts"},
              "critical", "reject"),
        Check("grain_unique", "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["station_code", "ts"]}, "critical", "reject"),
    ]
    if ctx.file_date is not None:
        start = dt.datetime.combine(ctx.file_date, dt.time())
        checks.append(Check(
            "ts_within_file_date", "ExpectColumnValuesToBeBetween",
            {"column": "ts", "min_value": start, "max_value": start + dt.timedelta(days=1),
             "strict_max": True}, "critical", "reject",
            why="a daily file holds hours 0-23 of its own date"))
    return Suite("station_published", TABLE, tuple(checks))
