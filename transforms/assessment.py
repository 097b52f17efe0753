"""The assessment rules as data the SQL reads: one row per edition (air_rule_sets) and the
macros of transforms/sql/core/assessment_macros.sql (GB/T 8170 rounding, single indices and
the composite index), so that air_region_period, the rankings and target_progress judge the
same rounded figures with the same numbers.

The numbers are the rule sets' (transforms/rules/air_<edition>.yaml): validity minima
(GB 3095 Table 4), grade II limits (GB 3095 Table 1), composite-index denominators (the
ranking scheme, standards.md §4), rounding decimals (GB/T 8170) and the missing-indicator
switch (HJ 633-2026 §5.3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from transforms.rules import EDITIONS, cached_rules
from transforms.warehouse import run_sql


def rule_set_row(edition: str) -> dict[str, Any]:
    """One edition's numbers flattened to columns: validity minima, grade II limits,
    composite-index denominators s_<pollutant>, rounding decimals round_<statistic>."""
    rules = cached_rules(edition)
    limits = rules["limits"]["grade2"]
    row: dict[str, Any] = {
        "edition": edition,
        "valid_from": dt.date.fromisoformat(str(rules["valid_from"])),
        "valid_to": dt.date.fromisoformat(str(rules["valid_to"])),
        "daily_uses_o3_1h": "o3_1h" in rules["daily_aqi_indicators"],
        "missing_indicator_rule": bool(rules["missing_indicator_rule"]),
    }
    row.update({key: int(value) for key, value in rules["validity"].items()})
    for pollutant in ("so2", "no2", "pm10", "pm25"):
        row[f"{pollutant}_annual_limit"] = float(limits[pollutant]["annual"])
        row[f"{pollutant}_24h_limit"] = float(limits[pollutant]["24h"])
    row["co_24h_limit"] = float(limits["co"]["24h"])
    row["o3_8h_limit"] = float(limits["o3"]["8h"])
    row["o3_1h_limit"] = float(limits["o3"]["1h"])
    for pollutant, s in rules["composite_index"].items():
        row[f"s_{pollutant}"] = float(s)
    rounding = rules["rounding"]
    for key in ("pm25", "pm10", "so2", "no2", "o3", "co", "ratio"):
        row[f"round_{key}"] = int(rounding[key])
    row["round_index"] = int(rounding["composite_index"])
    return row


CREATE_RULE_SETS = {
    False: "create or replace table air_rule_sets as select * from air_rule_sets_frame",
    # target progress works on read-only connections too: its own temporary copy
    True: "create or replace temp table tp_rule_sets as select * from air_rule_sets_frame",
}


def write_rule_sets(con: duckdb.DuckDBPyConnection, temp: bool = False) -> None:
    """Table air_rule_sets (temp: the temporary tp_rule_sets, for target progress): one row
    per edition; then define the assessment macros on this connection."""
    frame = pd.DataFrame([rule_set_row(e) for e in EDITIONS])
    con.register("air_rule_sets_frame", frame)
    try:
        con.execute(CREATE_RULE_SETS[temp])
    finally:
        con.unregister("air_rule_sets_frame")
    assessment_macros(con)


def assessment_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define the macros of assessment_macros.sql (temp: per connection, idempotent)."""
    run_sql(con, "core/assessment_macros")
