"""transforms.dictionary: every entry is complete, names resolve by table, by name and by
pattern, and the comments land on every table, view and column of a warehouse."""

from __future__ import annotations

import yaml

from transforms import dictionary
from transforms.dictionary import Entry, apply_comments, column_entry, missing, render_markdown

ENTRY_KEYS = {"zh", "en", "unit", "standard"}


def _raw() -> dict:
    text = (dictionary.resources.files("transforms") / "dictionary.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_every_entry_has_chinese_and_english_and_nothing_else():
    raw = _raw()
    entries = {f"columns.{k}": v for k, v in raw["columns"].items()}
    for group in ("pollutants", "water_items"):
        entries |= {f"{group}.{k}": v for k, v in raw[group].items()}
    for table, spec in raw["tables"].items():
        entries[f"tables.{table}"] = {k: spec[k] for k in ("zh", "en")}
        entries |= {f"{table}.{k}": v for k, v in (spec.get("columns") or {}).items()}
        assert spec["kind"] in {"core", "mart", "config", "audit", "bookkeeping"}, table
    for name, entry in entries.items():
        # an unquoted comma inside {...} would split a meaning into stray keys
        assert set(entry) <= ENTRY_KEYS, (name, entry)
        assert isinstance(entry["zh"], str) and entry["zh"].strip(), name
        assert isinstance(entry["en"], str) and entry["en"].strip(), name


def test_a_table_entry_wins_over_the_name_and_patterns_compose():
    assert column_entry("air_city_daily", "level").en == "AQI level 1-6"
    assert column_entry("regions", "level").en == "province, city or county"
    assert column_entry("air_region_period", "pm25_p95") == Entry(
        "PM2.5日均值第95百分位数",
        "PM2.5 95th percentile of daily means",
        "µg/m³",
        "HJ 663-2013 §4.4 (percentile)",
    )
    # a statistic's change: the statistic's words, the pattern's unit
    change = column_entry("air_region_period", "co_p95_yoy_pct")
    assert change.zh == "一氧化碳日均值第95百分位数同比变化率" and change.unit == "%"
    assert column_entry("water_section_period", "nh3n").unit == "mg/L"
    assert column_entry("air_rule_sets", "s_o3_8h").en.startswith("O3 daily maximum 8-hour")
    assert column_entry("air_city_daily", "no_such_column") is None
    assert column_entry("air_city_daily", "pm25_pm10") is None  # a pollutant stem must exist


def test_comment_text_is_one_line_with_unit_and_standard():
    entry = column_entry("air_region_period", "good_rate")
    assert entry.comment() == (
        "优良天数比例 / good days / valid days; 单位 unit: %; 依据 standard: HJ 663-2013 §5"
    )


def test_comments_reach_every_column_and_gaps_are_named(warehouse):
    warehouse.execute("create table air_city_daily (region_code varchar, date date, aqi int)")
    warehouse.execute("create view not_described as select 1 as mystery")
    assert missing(warehouse) == ["not_described", "not_described.mystery"]
    warehouse.execute("drop view not_described")
    assert missing(warehouse) == []
    count = apply_comments(warehouse)
    rows = warehouse.execute(
        "select table_name, column_name, comment from duckdb_columns() where not internal"
    ).fetchall()
    assert count == len(rows) + len(warehouse.execute("show tables").fetchall())
    assert apply_comments(warehouse) == 0  # what is already there is not written again
    warehouse.execute("create or replace table air_city_daily as select * from air_city_daily")
    assert apply_comments(warehouse) == 1 + 3  # a rebuilt table lost its own and its columns'
    assert [r for r in rows if not r[2]] == []
    aqi = [r[2] for r in rows if r[:2] == ("air_city_daily", "aqi")]
    assert aqi == ["空气质量指数 / air quality index (AQI); 依据 standard: HJ 633-2012 §5"]
    (table_comment,) = warehouse.execute(
        "select comment from duckdb_tables() where table_name = 'air_city_daily'"
    ).fetchall()[0]
    assert table_comment.startswith("城市(区县)逐日空气质量 / region x natural day")
    # a quote in a comment is escaped, not executed
    assert dictionary._comment(warehouse, "comment on table load_log is ", "it's") is None
    assert warehouse.execute(
        "select comment from duckdb_tables() where table_name = 'load_log'"
    ).fetchall() == [("it's",)]


def test_markdown_lists_every_column_with_its_meaning(warehouse):
    text = render_markdown(warehouse)
    assert text.startswith(dictionary.DOC_START) and text.endswith(dictionary.DOC_END)
    assert "## `load_log` (table)" in text
    assert "| sha256 | VARCHAR | 文件指纹 | SHA-256 of the file's bytes |  |  |" in text
