"""Target progress: for every target and as-of date, how far the indicator stands from the
target and what the rest of the period must look like for it still to be met.

The figures that have a closed form (good days still needed, non-good days still allowed,
heavy days still allowed, the highest mean allowed over the remaining days 年剩余日控制值,
pace 时序进度, best and worst final values) are SQL in transforms/sql/targets/; the
projection (a block bootstrap over earlier years: projection.py, history.py,
water_progress.py) is numpy. The status rule and every figure are documented in
docs/target_progress.md. Indicator statistics follow HJ 663 (docs/standards.md §3), the
composite index §4, water classes GB 3838 / 环办〔2011〕22号 (§5-6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from transforms.as_of import domain_as_of, run_as_of
from transforms.assessment import write_rule_sets
from transforms.indicators import indicator_meta_table, names_table
from transforms.rules import period_edition_rule, switch_date
from transforms.targets.config import ProgressConfig, load_progress_config
from transforms.targets.day_series import day_series
from transforms.targets.history import HistoryBank
from transforms.targets.projection import project_air_target
from transforms.targets.water_progress import water_progress
from transforms.warehouse import run_sql, table_exists

PROJECTION_SCHEMA = pa.schema(
    [
        ("target_id", pa.int64()),
        ("projected", pa.float64()),
        ("projected_low", pa.float64()),
        ("projected_high", pa.float64()),
        ("probability_of_meeting", pa.float64()),
        ("projection_method", pa.string()),
        ("history_years", pa.int32()),
        ("history_span", pa.string()),
        ("projection_futures", pa.int32()),
        ("projection_reason", pa.string()),
        ("bound_low", pa.float64()),
        ("bound_high", pa.float64()),
    ]
)
# Input tables and the contract columns this module reads; missing ones are stood in for by
# empty temporary tables so that targets on absent data are reported as not evaluable.
INPUT_TABLES = {
    "air_city_daily": "region_code varchar, date date, aqi double, pm25 double, pm10 double, "
    "so2 double, no2 double, co double, o3_8h double, o3_1h double, is_valid boolean, "
    "is_good boolean, is_heavy boolean, is_dust boolean",
    "rectification_problems": "snapshot_date date, source varchar, problem_no varchar, "
    "region_codes varchar[], is_completed boolean, is_overdue boolean",
}


def build_target_progress(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | None = None,
    config: ProgressConfig | None = None,
) -> int:
    """(Re)build the rows of `target_progress` for as_of (default: the later of the air and
    water last data days, transforms/as_of.py; each domain's rows count their days up to their
    own data_as_of); rows of other as-of dates are kept, so the table is the history of
    nightly verdicts. Also writes `indicator_names`. Returns the number of rows for as_of."""
    cfg = config or load_progress_config()
    as_of = run_as_of(con, as_of)
    compute_progress(con, as_of, cfg)
    ensure_progress_table(con)
    con.execute("begin transaction")
    try:
        con.execute("delete from target_progress where as_of = ?", [as_of])
        con.execute("insert into target_progress by name select * from tp_result")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    con.register("indicator_names_incoming", names_table())
    con.execute("create or replace table indicator_names as select * from indicator_names_incoming")
    con.unregister("indicator_names_incoming")
    return con.execute("select count(*) from tp_result").fetchall()[0][0]


def ensure_progress_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create target_progress with tp_result's columns; recreate it when an older build left
    other columns (the table is a mart: it can always be rebuilt)."""
    wanted = [r[0] for r in con.execute("describe tp_result").fetchall()]
    if table_exists(con, "target_progress"):
        have = [r[0] for r in con.execute("describe main.target_progress").fetchall()]
        if have == wanted:
            return
        con.execute("drop table main.target_progress")
    con.execute("create table main.target_progress as select * from tp_result with no data")


def compute_progress(con: duckdb.DuckDBPyConnection, as_of: dt.date, cfg: ProgressConfig) -> None:
    """Compute every target's progress on as_of into the temporary table tp_result (works on
    a read-only connection too: only temporary tables are written)."""
    stand_ins = ensure_inputs(con)
    con.register("tp_indicator_meta", indicator_meta_table())
    write_rule_sets(con, temp=True)
    run_sql(
        con,
        "targets/target_progress_targets",
        {
            "as_of": as_of,
            "air_as_of": domain_as_of(con, "air", as_of),
            "water_as_of": domain_as_of(con, "water", as_of),
            "switch_date": switch_date(),
            "period_edition": period_edition_rule(),
        },
    )
    air_rows = air_progress(con, cfg)
    water_rows = water_progress(con, cfg)
    run_sql(con, "targets/target_progress_rectification")
    drop_stand_ins(con, stand_ins)
    projection = pa.Table.from_pylist(air_rows + water_rows, schema=PROJECTION_SCHEMA)
    con.register("tp_projection", projection)
    run_sql(
        con,
        "targets/target_progress",
        {
            "on_track_probability": cfg.on_track_probability,
            "at_risk_probability": cfg.at_risk_probability,
            "pace_margin": cfg.pace_margin,
        },
    )


def air_progress(con: duckdb.DuckDBPyConnection, cfg: ProgressConfig) -> list[dict[str, Any]]:
    """Closed-form figures of the air targets (tp_air_progress) and their projections."""
    # earliest day: the oldest history year, less a year for its level window
    first, last = con.execute(
        "select min(least(base_start, period_start - to_years($h)))::date, "
        "max(period_end)::date from tp_targets where domain = 'air'",
        {"h": cfg.max_history_years + 1},
    ).fetchall()[0]
    first = first or dt.date(2000, 1, 1)
    last = last or first
    run_sql(
        con,
        "targets/target_progress_air_days",
        {"first_date": first, "last_date": last, "dust_deduction": cfg.dust_deduction},
    )
    run_sql(con, "targets/target_progress_air_stretches")
    floors = {f"floor_{p}": float(v) for p, v in cfg.mean_floors.items()}
    run_sql(con, "targets/target_progress_air", floors)
    specs = con.execute(
        # the seed key: every target of one region and period sees the same simulated futures
        "select t.*, p.* exclude (target_id), t.region_code || '|' || t.year || '|' || t.period "
        "as key "
        "from tp_targets as t inner join tp_air_progress as p using (target_id) "
        "where p.reason is null order by t.target_id"
    ).df()
    if specs.empty:
        return []
    days = con.execute("select * from tp_air_days order by region_code, date").df()
    series = day_series(days, first, last)
    # the level window ends on the air data's as-of (never past the data)
    as_of = con.execute(
        "select max(data_as_of) from tp_targets where domain = 'air'"
    ).fetchall()[0][0]
    bank = HistoryBank(series, as_of, cfg)
    projected = specs[specs["remaining_days"] > 0]  # the targets that draw on history
    bank.prefetch(
        zip(
            projected["region_code"],
            pd.to_datetime(projected["period_start"]).dt.date,
            projected["elapsed_days"].astype(int),
            projected["remaining_days"].astype(int),
            strict=True,
        )
    )
    futures: dict = {}
    rows = []
    for spec in specs.to_dict("records"):
        spec = {k: (None if is_missing(v) else v) for k, v in spec.items()}
        for key in ("period_start", "period_end"):
            spec[key] = pd.Timestamp(spec[key]).date()
        region = spec["region_code"]
        rows.append(project_air_target(series.get(region), bank, spec, cfg, futures))
    return rows


def ensure_inputs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Stand in empty temporary tables for input tables not built yet; return their names
    (drop them after use, so that they never hide a table built later on the connection)."""
    present = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()} | {
        r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()
    }
    created = []
    for name, columns in INPUT_TABLES.items():  # names and columns from the fixed table above
        if name not in present:
            con.execute(f"create temp table {name} ({columns})")
            created.append(name)
    return created


def drop_stand_ins(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    for name in names:  # only names ensure_inputs created, from INPUT_TABLES
        con.execute(f"drop table if exists temp.{name}")


def progress_rows(
    con: duckdb.DuckDBPyConnection, as_of: dt.date | None, config: ProgressConfig | None
) -> pd.DataFrame:
    """target_progress rows of as_of (latest when None) with region names, computing them
    into tp_result when the table does not hold that date."""
    source = None
    if table_exists(con, "target_progress"):
        if as_of is None:
            as_of = con.execute("select max(as_of) from target_progress").fetchall()[0][0]
        if (
            as_of is not None
            and con.execute(
                "select count(*) from target_progress where as_of = ?", [as_of]
            ).fetchall()[0][0]
        ):
            source = "target_progress"
    if source is None:
        as_of = run_as_of(con, as_of)
        compute_progress(con, as_of, config or load_progress_config())
        source = "tp_result"
    # source is one of two fixed names, never user text
    return con.execute(
        f"select p.*, coalesce(r.name, s.section_name, p.region_code) as region_name "  # noqa: S608
        f"from {source} as p "
        "left join regions as r on r.region_code = p.region_code "
        "left join water_sections as s on s.section_code = p.region_code "
        "where p.as_of = ?",
        [as_of],
    ).df()


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (a cell of a progress row that holds no value)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
