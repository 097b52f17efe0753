"""Assessment targets as data: read and check data/targets.yaml, load the `targets` table.

A target says, for one region (or one water section) and year, and optionally one quarter or
month, that an indicator must compare to a value (`pm25_mean <= 42`). The file is the bureau's
whole set of targets, so loading it replaces the table. Every entry is checked before anything
is written; a bad entry fails the load with the file and the entry named (docs/targets.md).

An entry whose `value:` is present but empty is a target not set yet (the rows `envq init`
writes for the bureau to fill): it is checked like any other entry and then left out, so that
a half-filled template never stops a run; the region then shows the standard limits instead.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from transforms.indicators import COMPARATORS, INDICATORS

TARGET_SCHEMA = pa.schema(
    [
        ("region_code", pa.string()),
        ("year", pa.int32()),
        ("period", pa.string()),
        ("indicator", pa.string()),
        ("comparator", pa.string()),
        ("value", pa.float64()),
        ("baseline_year", pa.int32()),
        ("note", pa.string()),
        ("source", pa.string()),
    ]
)
ENTRY_KEYS = {"region", "section", "year", "indicator", "comparator", "value", "period", "note",
              "baseline_year", "source"}
PERIOD_PATTERN = re.compile(r"^(year|Q[1-4]|M(0[1-9]|1[0-2]))$")


class TargetsError(ValueError):
    """targets.yaml breaks its schema; the message names the file and the entry."""


def read_targets(path: Path | str) -> pa.Table:
    """The checked targets of a targets.yaml file as an Arrow table (schema TARGET_SCHEMA)."""
    return parse_targets(path)[0]


def parse_targets(path: Path | str) -> tuple[pa.Table, int]:
    """The checked, set targets of a targets.yaml file and the number of entries not set yet."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TargetsError(f"{path}: cannot read targets: {exc}") from exc
    if doc is None:
        return TARGET_SCHEMA.empty_table(), 0
    if not isinstance(doc, dict) or not isinstance(doc.get("targets") or [], list):
        raise TargetsError(f"{path}: expected a mapping with a list under 'targets:'")
    entries = doc.get("targets") or []
    checked = [check_entry(entry, path, i) for i, entry in enumerate(entries)]
    rows = [r for r in checked if r["value"] is not None]
    check_duplicates(rows, path)
    columns = {f.name: [r[f.name] for r in rows] for f in TARGET_SCHEMA}
    return pa.table(columns, schema=TARGET_SCHEMA), len(checked) - len(rows)


def is_not_set(entry: dict[str, Any]) -> bool:
    """An entry whose value is present but left empty: a template row still to be filled."""
    return "value" in entry and (entry["value"] is None or str(entry["value"]).strip() == "")


def load_targets(con: duckdb.DuckDBPyConnection, path: Path | str) -> int:
    """Replace the `targets` table with the checked contents of path; return the row count."""
    return load_target_table(con, read_targets(path))


def load_target_table(con: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
    """Replace the `targets` table with checked targets (read_targets / parse_targets)."""
    con.complete()  # DuckDB 2: a caller's half-read result would block register()
    con.register("targets_incoming", table)
    try:
        con.execute("begin transaction")
        con.execute("delete from targets")
        con.execute(
            "insert into targets (region_code, year, period, indicator, comparator, value, "
            "baseline_year, note, source) select region_code, year, period, indicator, "
            "comparator, value, baseline_year, note, source from targets_incoming"
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("targets_incoming")
    return table.num_rows


def check_entry(entry: Any, path: Path, index: int) -> dict[str, Any]:
    """One entry of the file as a row, or TargetsError naming the file, entry and problem."""

    def fail(problem: str) -> TargetsError:
        what = ""
        if isinstance(entry, dict):
            what = " ({} {} {})".format(
                entry.get("region", entry.get("section", "?")),
                entry.get("year", "?"),
                entry.get("indicator", "?"),
            )
        return TargetsError(f"{path}: targets[{index}]{what}: {problem}")

    if not isinstance(entry, dict):
        raise fail("expected a mapping of region, year, indicator, comparator, value")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}; allowed: {sorted(ENTRY_KEYS)}")
    not_set = is_not_set(entry)
    for key in ("year", "indicator", "comparator", "value"):
        if entry.get(key) is None and not (key == "value" and not_set):
            raise fail(f"missing '{key}'")
    region = entry.get("region", entry.get("section"))
    if region is None or str(region).strip() == "":
        raise fail("missing 'region' (a region code, or a section code for section targets)")
    indicator = str(entry["indicator"]).strip()
    if indicator not in INDICATORS:
        raise fail(f"unknown indicator {indicator!r}; known: {', '.join(INDICATORS)}")
    comparator = str(entry["comparator"]).strip()
    if comparator not in COMPARATORS:
        raise fail(f"bad comparator {comparator!r}; use one of {', '.join(COMPARATORS)}")
    year = as_int(entry["year"])
    if year is None or not 1900 <= year <= 2200:
        raise fail(f"bad year {entry['year']!r}")
    value = None if not_set else as_float(entry["value"])
    if value is None and not not_set:
        raise fail(f"value {entry['value']!r} is not a number")
    period = normalise_period(entry.get("period", "year"))
    if period is None:
        raise fail(f"bad period {entry.get('period')!r}; use year, Q1..Q4 or M01..M12")
    if value is not None:
        check_value(INDICATORS[indicator].kind, value, fail)
    baseline = entry.get("baseline_year")
    if baseline is not None:
        baseline = as_int(baseline)
        if baseline is None or baseline >= year:
            raise fail(f"bad baseline_year {entry['baseline_year']!r} (must precede year)")
    elif INDICATORS[indicator].kind == "change":
        baseline = year - 1
    note = entry.get("note")
    source = entry.get("source")
    if source is not None and INDICATORS[indicator].domain != "rectification":
        raise fail("'source' applies to rectification targets only")
    return {
        "region_code": str(region).strip(),
        "year": year,
        "period": period,
        "indicator": indicator,
        "comparator": comparator,
        "value": value,
        "baseline_year": baseline,
        "note": None if note is None else str(note),
        "source": None if source is None else str(source).strip(),
    }


def check_value(kind: str, value: float, fail: Any) -> None:
    """Range checks that catch typos: classes 1-6, percentages 0-100, counts >= 0."""
    if kind == "class" and (value != int(value) or not 1 <= value <= 6):
        raise fail(f"target class {value!r} must be 1..5 (6 = 劣V)")
    if kind in ("rate", "share") and not 0 <= value <= 100:
        raise fail(f"percentage {value!r} outside 0..100")
    if kind in ("count", "mean", "percentile", "index") and value < 0:
        raise fail(f"value {value!r} must not be negative")


def check_duplicates(rows: list[dict[str, Any]], path: Path) -> None:
    """Two entries for the same region, year, period, indicator and comparator contradict."""
    seen: dict[tuple, int] = {}
    for i, r in enumerate(rows):
        key = (r["region_code"], r["year"], r["period"], r["indicator"], r["comparator"],
               r["source"])
        if key in seen:
            raise TargetsError(
                f"{path}: targets[{i}] repeats targets[{seen[key]}] "
                f"({r['region_code']} {r['year']} {r['period']} {r['indicator']})"
            )
        seen[key] = i


def normalise_period(value: Any) -> str | None:
    """'year', 'Q1'..'Q4', 'M01'..'M12' (also accepts q2, m3, M3); None when unrecognised."""
    text = str(value).strip()
    if text.lower() in ("year", "annual", "y"):
        return "year"
    text = text.upper()
    if re.fullmatch(r"M\d{1,2}", text):
        text = f"M{int(text[1:]):02d}"
    return text if PERIOD_PATTERN.match(text) else None


def as_int(value: Any) -> int | None:
    number = as_float(value)
    return int(number) if number is not None and number.is_integer() else None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
