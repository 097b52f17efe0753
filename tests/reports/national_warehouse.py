"""A generated national warehouse for the overview page: the small report warehouse of conftest
(which has every table a region page reads) plus 31 provinces and N cities (340 by default,
about the prefecture-level cities of China), each with three targets and the air periods the
overview ranks (the month and the year to date, dust deducted or not). Every value is a simple
function of the city's number, so that tests can recompute the order and the ranks.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from tests.reports.conftest import AS_OF, build_report_warehouse
from transforms.assessment import assessment_macros
from transforms.warehouse import run_sql

PROVINCES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65",
)  # fmt: skip
STATUS_CYCLE = ("on_track", "met", "at_risk", "on_track", "off_track", "met", "cannot_be_met")
AIR_COLUMNS = (
    "region_code varchar, period_type varchar, year integer, period_no integer, "
    "period varchar, as_of date, dust_deducted boolean, is_complete boolean, "
    "composite_index double, composite_index_yoy_pct double, good_rate double, "
    "good_rate_yoy double, pm25 double, pm25_yoy_pct double, pm10 double, so2 double, "
    "no2 double, co_p95 double, o3_8h_p90 double"
)


def build_rankings(con: duckdb.DuckDBPyConnection) -> None:
    """air_rankings from air_region_period by the marts' own SQL (transforms/sql/air)."""
    con.execute(
        "create table if not exists ranking_lists "
        "(list_name varchar, region_code varchar, name varchar)"
    )
    con.execute("create or replace temp table air_region_period_update as from air_region_period")
    assessment_macros(con)
    run_sql(con, "air/air_rankings")
    con.execute("create table air_rankings as from air_rankings_update")


def city_code(i: int) -> str:
    """The i-th generated city (0-based): province PROVINCES[i % 31], number 51 + i // 31
    (51..61, clear of the conftest's 610900)."""
    return f"{PROVINCES[i % len(PROVINCES)]}{51 + i // len(PROVINCES):02d}00"


def composite_index(i: int) -> float:
    """Year-to-date index: 100 distinct values at 2 decimals, so every value is shared by
    three or four cities (tied ranks)."""
    return 3.0 + (i * 37 % 100) / 50


def index_change(i: int) -> float:
    """ΔI in percent (negative = improved)."""
    return -15.0 + (i * 53 % 300) / 10


def status_of(i: int, k: int) -> str:
    return STATUS_CYCLE[(i + 3 * k) % len(STATUS_CYCLE)]


def probability_of(i: int, k: int) -> float:
    return (i * 29 + k * 7) % 101 / 100


def build_national_warehouse(path: Path, n_cities: int = 340) -> Path:
    """Write the warehouse at path; return it."""
    build_report_warehouse(path)
    con = duckdb.connect(str(path))
    try:
        regions = [(f"{p}0000", f"测试省{p}", f"Province {p}", "province", None) for p in PROVINCES]
        regions = [r for r in regions if r[0] != "610000"]  # conftest's 陕西省
        for i in range(n_cities):
            code = city_code(i)
            name, name_en = f"测试市{i + 1:03d}", f"City {i + 1:03d}"
            regions.append((code, name, name_en, "city", f"{code[:2]}0000"))
        frame = pd.DataFrame(regions)  # noqa: F841 - read by the statement below
        con.execute(
            "insert into regions (region_code, name, name_en, level, parent_code) from frame"
        )
        _insert_targets(con, n_cities)
        con.execute(f"create table air_region_period ({AIR_COLUMNS})")
        rows = []
        for i in range(n_cities):
            ci, dci = composite_index(i), index_change(i)
            for period_type, period_no, period, as_of, factor in (
                ("ytd", None, "2026-YTD", AS_OF, 1.0),
                ("month", 3, "2026-03", AS_OF, 1.1),
            ):
                for dust in (True, False):
                    bump = 0.0 if dust else 0.3  # the overview must read the deducted rows
                    rows.append(
                        (
                            city_code(i),
                            period_type,
                            2026,
                            period_no,
                            period,
                            as_of,
                            dust,
                            True,
                            ci * factor + bump,
                            dci * factor,
                            60 + (i * 7 % 40),
                            (i % 21) - 10.0,
                            20 + (i * 11 % 60),
                            (i % 31) - 15.0,
                            None,
                            None,
                            None,
                            None,
                            None,
                        )
                    )
        frame = pd.DataFrame(rows)  # noqa: F841 - read by the statement below
        con.execute("insert into air_region_period select * from frame")
        build_rankings(con)
    finally:
        con.close()
    return path


def _insert_targets(con: duckdb.DuckDBPyConnection, n_cities: int) -> None:
    """Three targets a city: good days, PM2.5 mean, O3 90th percentile."""
    rows = []
    for i in range(n_cities):
        for k, (indicator, comparator, target, actual) in enumerate(
            (
                ("good_days", ">=", 300.0, 70.0),
                ("pm25_mean", "<=", 35.0, 38.0),
                ("o3_8h_p90", "<=", 160.0, 150.0),
            )
        ):
            rows.append(
                {
                    "region_code": city_code(i),
                    "year": 2026,
                    "period": "year",
                    "as_of": AS_OF,
                    "indicator": indicator,
                    "domain": "air",
                    "comparator": comparator,
                    "target": target,
                    "actual": actual,
                    "remaining_days": 275,
                    "good_days_needed": 230 if indicator == "good_days" else None,
                    "remaining_mean_ceiling": 34.0 if indicator == "pm25_mean" else None,
                    "days_over_target_allowed": 30 if indicator == "o3_8h_p90" else None,
                    "probability_of_meeting": probability_of(i, k),
                    "status": status_of(i, k),
                }
            )
    frame = pd.DataFrame(rows)  # noqa: F841 - read by the statement below
    con.execute("insert into target_progress by name select * from frame")

