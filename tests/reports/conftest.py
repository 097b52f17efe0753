"""A small published warehouse for the report tests: one city (610900) with two counties, 15
months of daily air data (2025-01-01 .. 2026-03-31), targets, county ranking, two water sections,
quarantined cells and a failed expectation. Every value is a simple function of the date, so the
tests can recompute what the reports must show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from reports import data

AS_OF = dt.date(2026, 3, 31)
START = dt.date(2025, 1, 1)
CITY, COUNTY_A, COUNTY_B = "610900", "610902", "610921"
NAMES = {
    CITY: "安康市",
    COUNTY_A: "汉滨区",
    COUNTY_B: "汉阴县",
    "S1": "瀛湖坝前",
    "S2": "月河口",
    "river": "汉江",
}
# Names that a hostile or careless data file could carry: formulas, script, markup.
PLANTED = {
    CITY: "安康市",
    COUNTY_A: '=HYPERLINK("http://example.invalid/x","click")',
    COUNTY_B: "+1 <script>alert(1)</script>",
    "S1": "@SUM(A1:A9)",
    "S2": "-2 & <b>bold</b>",
    "river": "=1+1",
}


def aqi_of(day: dt.date, region: str) -> int:
    """Deterministic daily AQI: a saw-tooth 30..156 that differs by region."""
    offset = int(region[-2:])
    return 30 + ((day - START).days * 37 + offset * 11) % 127


def level_of(aqi: int) -> int:
    """HJ 633 level of an AQI value."""
    for level, upper in enumerate((50, 100, 150, 200, 300), start=1):
        if aqi <= upper:
            return level
    return 6


def primary_of(day: dt.date, aqi: int) -> str | None:
    """PM2.5 in the cold months, O3 in the warm ones; none on excellent days."""
    if aqi <= 50:
        return None
    return "pm25" if day.month in (1, 2, 3, 10, 11, 12) else "o3_8h"


def daily_rows(region: str) -> list[tuple]:
    rows = []
    day = START
    while day <= AS_OF:
        aqi = aqi_of(day, region)
        rows.append(
            (
                region,
                day,
                aqi,
                level_of(aqi),
                primary_of(day, aqi),
                aqi * 0.5,
                aqi * 0.9,
                8.0,
                20.0,
                0.8,
                90.0,
                True,
                aqi <= 100,
                False,
            )
        )
        day += dt.timedelta(days=1)
    return rows


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Append rows to a table in one statement (executemany is slow in DuckDB)."""
    columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    frame = pd.DataFrame(rows, columns=columns)  # noqa: F841 - read by the statement below
    con.execute(f"insert into {table} select * from frame")  # noqa: S608 - test table names


def build_report_warehouse(path: Path, names: dict[str, str] = NAMES) -> Path:
    """Write the small warehouse at path (the tables and columns the reports read)."""
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "create table regions (region_code varchar, name varchar, name_en varchar, "
            "level varchar, parent_code varchar)"
        )
        insert(
            con,
            "regions",
            [
                ("610000", "陕西省", "Shaanxi Province", "province", None),
                (CITY, names[CITY], "Ankang", "city", "610000"),
                (COUNTY_A, names[COUNTY_A], "Hanbin District", "county", CITY),
                (COUNTY_B, names[COUNTY_B], None, "county", CITY),
            ],
        )
        con.execute(
            "create table air_city_daily (region_code varchar, date date, aqi integer, "
            "level integer, primary_pollutants varchar, pm25 double, pm10 double, so2 double, "
            "no2 double, co double, o3_8h double, is_valid boolean, is_good boolean, "
            "is_dust boolean)"
        )
        for region in (CITY, COUNTY_A, COUNTY_B):
            insert(con, "air_city_daily", daily_rows(region))
        _targets(con)
        _rankings(con, names)
        _water(con, names)
        con.execute(
            "create table quarantine (source_file varchar, line_no bigint, column_name varchar, "
            "reason varchar, raw varchar, run_id varchar, quarantined_at timestamp)"
        )
        when = dt.datetime(2026, 4, 1, 2)
        insert(
            con,
            "quarantine",
            [
                ("a.csv", 3, "pm25", "negative", "-5", "r1", when),
                ("a.csv", 9, "pm10", "negative", "-1", "r1", when),
                ("b.csv", 4, "so2", "non_numeric", "=cmd|' /C calc'!A0", "r1", when),
            ],
        )
        con.execute(
            "create table validation_results (run_id varchar, suite varchar, "
            "expectation varchar, severity varchar, action varchar, batch varchar, "
            "success boolean, element_count bigint, unexpected_count bigint, "
            "unexpected_sample varchar, validated_at timestamp)"
        )
        old, new = dt.datetime(2026, 3, 1, 2), dt.datetime(2026, 4, 1, 2)
        insert(
            con,
            "validation_results",
            [
                (run, "station_hourly", exp, sev, "warn", batch, ok, 100, n, None, when)
                for run, exp, sev, batch, ok, n, when in (
                    ("old", "pm25_le_pm10", "warning", "b0", False, 9, old),
                    ("new", "pm25_le_pm10", "warning", "b1", False, 2, new),
                    ("new", "pm25_le_pm10", "warning", "b2", False, 3, new),
                    ("new", "in_range", "critical", "b1", True, 0, new),
                )
            ],
        )
        _rectification(con, names)
    finally:
        con.close()
    return path


def _targets(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create table target_progress (region_code varchar, year integer, period varchar, "
        "as_of date, indicator varchar, domain varchar, comparator varchar, target double, "
        "actual double, gap double, unit varchar, elapsed_days integer, remaining_days integer, "
        "elapsed_share double, on_pace_value double, pace_gap double, "
        "required_rest_of_year double, good_days_needed integer, non_good_days_allowed integer, "
        "remaining_mean_ceiling double, projected double, probability_of_meeting double, "
        "last_year_actual double, status varchar, edition varchar)"
    )
    share = 90 / 365
    rows = [
        (
            CITY,
            "good_days",
            ">=",
            300.0,
            61.0,
            239.0,
            "天",
            300 * share,
            300 * share - 61,
            239.0,
            239,
            36,
            None,
            290.5,
            0.35,
            70.0,
            "off_track",
        ),
        (
            CITY,
            "pm25_mean",
            "<=",
            40.0,
            44.4,
            4.4,
            "µg/m³",
            40.0,
            4.4,
            38.54,
            None,
            None,
            38.54,
            41.2,
            0.6,
            45.0,
            "at_risk",
        ),
        (
            CITY,
            "heavy_days",
            "<=",
            2.0,
            0.0,
            -2.0,
            "天",
            0.49,
            -0.49,
            2.0,
            None,
            None,
            None,
            0.0,
            1.0,
            0.0,
            "on_track",
        ),
        (
            COUNTY_A,
            "good_days",
            ">=",
            280.0,
            60.0,
            220.0,
            "天",
            280 * share,
            280 * share - 60,
            220.0,
            220,
            55,
            None,
            285.0,
            0.9,
            66.0,
            "on_track",
        ),
        (
            COUNTY_B,
            "pm25_mean",
            "<=",
            35.0,
            46.0,
            11.0,
            "µg/m³",
            35.0,
            11.0,
            31.4,
            None,
            None,
            31.4,
            40.0,
            0.0,
            44.0,
            "cannot_be_met",
        ),
    ]
    insert(
        con,
        "target_progress",
        [
            (
                r[0],
                2026,
                "year",
                AS_OF,
                r[1],
                "air",
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                90,
                275,
                share,
                *r[7:],
                "2026",
            )
            for r in rows
        ],
    )
    # how P(meet) was made (empty here: the cards then say nothing about it)
    for column in ("projection_method varchar", "history_years integer",
                   "history_span varchar", "projection_futures integer"):
        con.execute(f"alter table target_progress add column {column}")
    con.execute("alter table target_progress add column note varchar")
    con.execute("alter table target_progress add column target_basis varchar default 'target'")
    # a section's class target (section code in region_code)
    con.execute(
        "insert into target_progress (region_code, year, period, as_of, indicator, domain, "
        "comparator, target, actual, gap, status) values ('WQ2', 2026, 'year', ?, "
        "'section_class', 'water', '<=', 3, 4, 1, 'off_track')",
        [AS_OF],
    )
    # columns of the real tables that the rows above leave empty
    con.execute("alter table regions add column if not exists province_code varchar")
    con.execute("alter table target_progress add column if not exists heavy_days_allowed integer")
    con.execute(
        "alter table target_progress add column if not exists days_over_target_allowed integer"
    )
    # an older verdict of the same target, which the report must not pick
    con.execute(
        "insert into target_progress (region_code, year, period, as_of, indicator, comparator, "
        "target, actual, gap, status) values (?, 2026, 'year', '2026-02-28', 'good_days', '>=', "
        "300, 40, 260, 'off_track')",
        [CITY],
    )


def _rankings(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> None:
    con.execute(
        "create table county_rankings (parent_code varchar, region_code varchar, name varchar, "
        "level varchar, period_type varchar, year integer, period varchar, as_of date, "
        "dust_deducted boolean, indicator varchar, value double, last_year_value double, "
        "change double, change_pct double, rank bigint, improvement_rank bigint, "
        "regions_ranked bigint, ranking_status varchar default 'ranked')"
    )
    rows = []
    for code, ci, ci_ly, pm, pm_ly, gr, gr_ly, rank in (
        (COUNTY_A, 3.9, 4.1, 39.5, 41.0, 70.0, 68.0, 1),
        (COUNTY_B, 4.4, 4.2, 46.0, 44.0, 62.5, 66.0, 2),
    ):
        for ind, v, ly in (
            ("composite_index", ci, ci_ly),
            ("pm25_mean", pm, pm_ly),
            ("good_rate", gr, gr_ly),
        ):
            for dust in (True, False):
                bump = 0.0 if dust else 0.5  # the not-deducted rows differ: the report uses dust
                rows.append(
                    (
                        CITY,
                        code,
                        names[code],
                        "county",
                        "ytd",
                        2026,
                        "2026-YTD",
                        AS_OF,
                        dust,
                        ind,
                        v + bump,
                        ly,
                        v - ly,
                        100 * (v - ly) / ly,
                        rank,
                        3 - rank,
                        2,
                        "ranked",
                    )
                )
    insert(con, "county_rankings", rows)


def _rectification(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> None:
    """A ledger of three problems at one snapshot, through the project's own marts: one red
    (overdue) in county A, one yellow (due within 30 days) in county B, one closed (white)."""
    from transforms.rectification.marts import build_rectification
    from transforms.warehouse import apply_schema

    apply_schema(con)  # the core tables this fixture does not write by hand (the ledger's)
    snapshot = dt.date(2026, 3, 31)
    src = "中央第三督察组"
    a, b = [f"{names[COUNTY_A]}人民政府"], [f"{names[COUNTY_B]}人民政府"]
    rows = [
        (snapshot, src, "R-1", None, dt.date(2021, 5, 10), "超标排放", a,
         None, None, "2025年底前", dt.date(2025, 12, 31), False, "in_progress", "整改中",
         None, None, None, "ledger.csv"),
        (snapshot, src, "R-2", None, dt.date(2021, 5, 10), "扬尘", b,
         None, None, "2026-04-20", dt.date(2026, 4, 20), False, "in_progress", "整改中",
         None, None, None, "ledger.csv"),
        (snapshot, src, "R-3", None, dt.date(2021, 5, 10), "黑臭水体", a,
         None, None, "2021年底前", dt.date(2021, 12, 31), False, "closed", "已销号",
         dt.date(2021, 11, 1), dt.date(2022, 1, 5), None, "ledger.csv"),
    ]
    insert(con, "rectification_snapshots", rows)
    build_rectification(con)


def _water(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> None:
    con.execute(
        "create table water_sections (section_code varchar, section_name varchar, "
        "river varchar, region_code varchar, target_class integer)"
    )
    insert(
        con,
        "water_sections",
        [
            ("WQ1", names["S1"], names["river"], COUNTY_A, 2),
            ("WQ2", names["S2"], names["river"], COUNTY_B, 3),
        ],
    )
    con.execute(
        "create table water_section_period (section_code varchar, period varchar, "
        "period_type varchar, year integer, class integer, target_class integer, "
        "meets_target boolean, target_miss_items varchar, main_pollutants varchar, "
        "exceedance varchar, last_year_class integer)"
    )
    insert(
        con,
        "water_section_period",
        [
            ("WQ1", "2026-YTD", "ytd", 2026, 3, 2, False, "总磷", "", "", 2),
            ("WQ2", "2026-YTD", "ytd", 2026, 4, 3, False, "总磷", "总磷", "总磷(0.42)", 4),
            ("WQ1", "2026-01", "month", 2026, 2, 2, True, "", "", "", 2),
            ("WQ1", "2026-02", "month", 2026, 3, 2, False, "总磷", "", "", 2),
            ("WQ1", "2026-03", "month", 2026, 2, 2, True, "", "", "", 3),
            ("WQ1", "2026-04", "month", 2026, 6, 2, False, "总磷", "总磷", "总磷(1.5)", 3),
            ("WQ2", "2026-01", "month", 2026, 4, 3, False, "总磷", "总磷", "总磷(0.4)", 4),
            ("WQ2", "2025-12", "month", 2025, 5, 3, False, "总磷", "总磷", "总磷(0.7)", 4),
        ],
    )


@pytest.fixture
def report_warehouse(tmp_path: Path) -> Path:
    """The small warehouse with ordinary names."""
    return build_report_warehouse(tmp_path / "published.duckdb")


@pytest.fixture
def planted_warehouse(tmp_path: Path) -> Path:
    """The small warehouse whose names are formulas and markup."""
    return build_report_warehouse(tmp_path / "planted.duckdb", PLANTED)


@pytest.fixture
def region(report_warehouse: Path) -> Iterator[data.RegionData]:
    """Every table of the city's report at AS_OF, read from the small warehouse."""
    con = duckdb.connect(str(report_warehouse), read_only=True)
    try:
        yield data.region_data(con, data.Scope(CITY, 2026, AS_OF), NAMES[CITY])
    finally:
        con.close()


def fetch(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query on a report warehouse (opened read-only, closed again)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
