"""Water marts: section classes per period, river/basin/region summaries, warnings.

- water_section_period: each section's class per month, quarter, year and year to date from
  the mean of the period's samples (环办〔2011〕22号 §3.1; automatic data preferred for pH, DO,
  CODMn, NH3-N, TP and TN per the 2020 statistics rule,
  transforms/sql/water/water_item_periods.sql),
  classified by transforms.water (GB 3838-2002 Table 1), with main pollutants, exceedance
  multiples vs class III, the target verdict and last year's class for the same period;
- water_region_summary: per region (a county's sections count toward its city and province),
  river and basin: < 5 sections -> mean of items then classify, >= 5 -> shares of I-III and
  劣V and the status word (§6.5), share meeting target, drinking-water sources at class III or
  better, year-on-year change;
- water_warnings: transforms/sql/water/water_warnings.sql.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from transforms.as_of import domain_as_of
from transforms.warehouse import read_sql
from transforms.water import (
    AUTO_PREFERRED_ITEMS,
    CLASS_LABELS,
    classify,
    item_name_zh,
    items,
    items_worse_than,
    main_pollutants,
    meets_target,
    status_word,
    summarise_sections,
)

PERIOD_TYPES = ("month", "quarter", "year", "ytd")
SECTION_KEYS = ["section_code", "period_type", "period"]


def build_water_marts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None
) -> dict[str, int]:
    """Rebuild water_section_period, water_section_ytd_by_month, water_region_summary and
    water_warnings from the samples up to as_of (default: the last sample's date)."""
    if as_of is None:
        as_of = domain_as_of(con, "water", None)
    values = period_item_values(con, as_of)
    sections = con.execute(
        "select section_code, section_name, water_type, target_class, region_code, river, "
        "basin, province, is_drinking_source from water_sections"
    ).df()
    classified = classify_periods(values, sections)
    classified["as_of"] = as_of
    ytd_month = classified[classified["period_type"] == "ytd_month"]
    periods = classified[classified["period_type"] != "ytd_month"]
    con.execute(read_sql("water/water_marts_schema"))
    _insert(con, "water_section_period", periods[_period_columns(periods)])
    _insert(con, "water_section_ytd_by_month", ytd_month[_period_columns(ytd_month)])
    summary = region_summary(periods, sections, con)
    summary["as_of"] = as_of
    _insert(con, "water_region_summary", summary)
    con.execute("create or replace table water_warnings as " + read_sql("water/water_warnings"))
    return {
        "water_section_period": len(periods),
        "water_region_summary": len(summary),
        "water_warnings": con.execute("select count(*) from water_warnings").fetchall()[0][0],
    }


def period_item_values(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Long item means per section and period (transforms/sql/water/water_item_periods.sql)."""
    params = {
        "cutoff": dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
        "as_of_month": as_of.month,
        "as_of_day": as_of.day,
        "items": list(items()),
        "auto_items": list(AUTO_PREFERRED_ITEMS),
    }
    return con.execute(read_sql("water/water_item_periods"), params).df()


def previous_year_period(period: pd.Series) -> pd.Series:
    """'2026-03' -> '2025-03', '2026-Q1' -> '2025-Q1', '2026' -> '2025', '2026-YTD' -> ..."""
    year = period.str.slice(0, 4).astype(int) - 1
    return year.astype(str) + period.str.slice(4)


def classify_periods(values: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """One row per section and period: item means, class, pollutants, target verdict."""
    if values.empty:
        wide = pd.DataFrame({
            "section_code": pd.Series(dtype=object), "period_type": pd.Series(dtype=object),
            "period": pd.Series(dtype=object), "year": pd.Series(dtype="int64"),
            "n_samples": pd.Series(dtype="int64"),
        })
    else:
        wide = values.pivot_table(index=[*SECTION_KEYS, "year", "n_samples"], columns="item",
                                  values="value").reset_index()
    wide.columns.name = None
    wide = wide.merge(sections, on="section_code", how="left")
    wide["water_type"] = wide["water_type"].fillna("river")
    wt = wide["water_type"].to_numpy(dtype=object)
    cls = classify(wide[[c for c in items() if c in wide.columns]], wt)
    wide["class"] = cls["water_class"].to_numpy()
    wide["worst_parameters"] = cls["worst_items"].to_numpy()
    tn = cls["tn_class"] if "tn_class" in cls.columns else pd.Series(pd.NA, index=cls.index)
    wide["tn_class"] = pd.array(tn, dtype="Int64")
    mp = main_pollutants(wide, wt)
    wide["main_pollutants"] = mp["main_pollutants_zh"].to_numpy()
    wide["exceedance"] = mp["exceedance"].to_numpy()
    wide["class_label"] = wide["class"].map(CLASS_LABELS)
    wide["status"] = status_word(wide["class"]).to_numpy()
    wide["target_class"] = wide["target_class"].astype("Int64")
    wide["meets_target"] = meets_target(wide["class"], wide["target_class"]).to_numpy()
    missing = items_worse_than(wide, wide["target_class"].astype("float64"), wt)
    wide["target_miss_items"] = missing.map(
        lambda s: "、".join(item_name_zh(i) for i in s.split(",")) if s else ""
    ).to_numpy()
    wide["class"] = wide["class"].astype("Int64")
    last = wide[[*SECTION_KEYS, "class"]].rename(
        columns={"period": "prev", "class": "last_year_class"})
    wide["prev"] = previous_year_period(wide["period"])
    wide = wide.merge(last, on=["section_code", "period_type", "prev"], how="left")
    wide["class_change"] = wide["class"] - wide["last_year_class"]
    return wide.drop(columns=["prev"])


def _period_columns(frame: pd.DataFrame) -> list[str]:
    head = [
        "section_code", "section_name", "period", "period_type", "year", "as_of", "water_type",
        "class", "class_label", "status", "target_class", "meets_target", "target_miss_items",
        "worst_parameters", "main_pollutants", "exceedance", "tn_class", "n_samples",
        "last_year_class", "class_change",
    ]
    return [*head, *[c for c in items() if c in frame.columns]]


def _region_memberships(sections: pd.DataFrame, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """(section_code, group_type, group_code, group_name) for regions (with their ancestors),
    rivers, basins and provinces (the province the section's data name, whether or not the
    section has a region)."""
    regions = con.execute("select region_code, name, parent_code from regions").df()
    parent = dict(zip(regions["region_code"], regions["parent_code"], strict=False))
    name = dict(zip(regions["region_code"], regions["name"], strict=False))
    rows = []
    current = sections[["section_code", "region_code"]].dropna()
    while len(current):
        rows.append(current.assign(group_type="region"))
        current = current.assign(region_code=current["region_code"].map(parent)).dropna()
    parts = [pd.concat(rows, ignore_index=True).rename(columns={"region_code": "group_code"})
             if rows else pd.DataFrame(columns=["section_code", "group_code", "group_type"])]
    parts[0]["group_name"] = parts[0]["group_code"].map(name)
    for col in ("river", "basin", "province"):
        if col not in sections.columns:
            continue
        part = sections[["section_code", col]].dropna().rename(columns={col: "group_code"})
        parts.append(part.assign(group_type=col, group_name=part["group_code"]))
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def region_summary(
    periods: pd.DataFrame, sections: pd.DataFrame, con: duckdb.DuckDBPyConnection
) -> pd.DataFrame:
    """Summaries per region / river / basin and period, with year-on-year change."""
    member = _region_memberships(sections, con)
    if periods.empty or member.empty:
        return pd.DataFrame(columns=["group_type", "group_code", "group_name", "period",
                                     "period_type", "method", "n_sections"])
    v = periods.merge(member, on="section_code")
    by = ["group_type", "group_code", "group_name", "period_type", "period"]
    out = summarise_sections(v.rename(columns={"class": "water_class"}), by)
    extra = v.assign(
        _has_target=v["meets_target"].notna(),
        _meets=v["meets_target"].fillna(False).astype(bool),
        _drink=v["is_drinking_source"].fillna(False).astype(bool),
        _drink_ok=v["is_drinking_source"].fillna(False).astype(bool)
        & (v["class"].astype("float64") <= 3),
    ).groupby(by, dropna=False).agg(
        n_with_target=("_has_target", "sum"), n_meeting_target=("_meets", "sum"),
        n_drinking_sources=("_drink", "sum"), n_drinking_ok=("_drink_ok", "sum"),
    ).reset_index()
    out = out.merge(extra, on=by, how="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        # the definition of transforms.water.classes.share_meeting_target (sections without a
        # target class left out), from its two counts
        out["share_meeting_target"] = 100.0 * out["n_meeting_target"] / out["n_with_target"]
        out["share_drinking_sources_ok"] = 100.0 * out["n_drinking_ok"] / out[
            "n_drinking_sources"]
    out["share_meeting_target"] = out["share_meeting_target"].where(out["n_with_target"] > 0)
    out["share_drinking_sources_ok"] = out["share_drinking_sources_ok"].where(
        out["n_drinking_sources"] > 0)
    last = out[[*by, "share_class_1_3", "share_class_6", "class"]].rename(columns={
        "period": "prev", "share_class_1_3": "last_year_share_class_1_3",
        "share_class_6": "last_year_share_class_6", "class": "last_year_class"})
    out["prev"] = previous_year_period(out["period"])
    out = out.merge(last, on=["group_type", "group_code", "group_name", "period_type", "prev"],
                    how="left").drop(columns=["prev"])
    out["change_share_class_1_3"] = out["share_class_1_3"] - out["last_year_share_class_1_3"]
    out["change_share_class_6"] = out["share_class_6"] - out["last_year_share_class_6"]
    out["class_change"] = out["class"] - out["last_year_class"]
    cols = [
        *by, "method", "n_sections", "class", "status", "share_class_1_3", "share_class_6",
        "n_with_target", "n_meeting_target", "share_meeting_target", "n_drinking_sources",
        "n_drinking_ok", "share_drinking_sources_ok", "last_year_class",
        "last_year_share_class_1_3", "last_year_share_class_6", "class_change",
        "change_share_class_1_3", "change_share_class_6",
    ]
    return out[cols]


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Fill `table` (declared in water_marts_schema.sql; names from this module only)."""
    if frame.empty:
        return
    con.register("mart_frame", frame)
    try:
        con.execute(f"insert into {table} by name select * from mart_frame")  # noqa: S608
    finally:
        con.unregister("mart_frame")
