"""Versioned air rule sets (HJ 633, GB 3095, HJ 663), one YAML file per edition.

The 2012 editions (HJ 633-2012, GB 3095-2012, HJ 663-2013) were replaced by the 2026 editions
on 2026-03-01, so a year of data can straddle two rule sets: the edition is chosen by the data's
date (`edition_for_date`) and can be overridden per run. The numbers live in
transforms/rules/air_<edition>.yaml, each with its standard and clause in a comment; this module
only loads and checks them, so a typo in a table fails loudly instead of skewing every AQI.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from transforms.pollutants import DAILY_STATISTICS, POLLUTANTS

EDITIONS = ("2012", "2026")
RULES_DIR = Path(__file__).with_name("rules")
PERIOD_EDITION_RULES = ("last_day", "first_day")
INDICATORS = (
    "so2_24h", "so2_1h", "no2_24h", "no2_1h", "pm10_24h",
    "co_24h", "co_1h", "o3_1h", "o3_8h", "pm25_24h",
)
REQUIRED_KEYS = (
    "edition", "valid_from", "valid_to", "standards", "iaqi_breakpoints", "special_cases",
    "daily_aqi_indicators", "hourly_aqi_indicators", "limits", "validity", "statistics",
    "composite_index", "levels", "rounding", "missing_indicator_rule",
)
VALIDITY_KEYS = (
    "hours_per_day", "hours_per_8h_window", "days_per_year", "days_per_month",
    "days_per_february", "mda8_min_windows", "o3_1h_min_hours",
)
STATISTIC_KEYS = DAILY_STATISTICS
ROUNDING_KEYS = ("pm25", "pm10", "so2", "no2", "o3", "co", "ratio", "composite_index")
LEVEL_KEYS = ("level", "upper", "level_zh", "category_zh", "category_en", "colour")


class RulesError(ValueError):
    """A rule-set file is missing, or breaks the shape the code relies on."""


def load_rules(edition: str) -> dict[str, Any]:
    """The validated rule set of one edition ("2012" or "2026"), as a fresh dict.

    Parsed once per process; each call returns a deep copy so a caller cannot alter the cache.
    """
    return copy.deepcopy(cached_rules(edition))


def edition_for_date(d: dt.date) -> str:
    """The edition in force on date d: "2012" before the switch date (2026-03-01), else "2026".

    GB 3095-2026, HJ 633-2026 and HJ 663-2026 took effect on 2026-03-01 (never mix the two).
    """
    if isinstance(d, dt.datetime):
        d = d.date()
    return "2012" if d < switch_date() else "2026"


@cache
def edition_settings() -> dict[str, Any]:
    """transforms/rules/editions.yaml: the switch date and the period-edition rule, checked."""
    path = RULES_DIR / "editions.yaml"
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"cannot read {path}: {exc}") from exc
    if not isinstance(settings, dict):
        raise RulesError(f"{path}: not a mapping")
    try:
        settings["switch_date"] = dt.date.fromisoformat(str(settings["switch_date"]))
    except (KeyError, ValueError) as exc:
        raise RulesError(f"{path}: switch_date must be an ISO date") from exc
    if settings.get("period_edition") not in PERIOD_EDITION_RULES:
        raise RulesError(f"{path}: period_edition must be one of {PERIOD_EDITION_RULES}")
    return settings


def switch_date() -> dt.date:
    """The day the 2026 editions took effect (2026-03-01), from editions.yaml."""
    return edition_settings()["switch_date"]


def period_edition_rule() -> str:
    """Which day of a period picks the edition of its limits: "last_day" (default) or
    "first_day" (editions.yaml, documented in docs/air_marts.md)."""
    return str(edition_settings()["period_edition"])


def period_edition(start: dt.date, end: dt.date, forced: str | None = None) -> str:
    """The edition whose limits judge a period start .. end (forced: the run's --standard)."""
    if forced is not None:
        return forced
    return edition_for_date(start if period_edition_rule() == "first_day" else end)


@cache
def cached_rules(edition: str) -> dict[str, Any]:
    """Shared, parsed rule set for internal read-only use (do not mutate the result)."""
    if edition not in EDITIONS:
        raise RulesError(f"unknown edition {edition!r}; expected one of {EDITIONS}")
    path = RULES_DIR / f"air_{edition}.yaml"
    try:
        rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"cannot read rule set {path}: {exc}") from exc
    check_rules(rules, edition)
    return rules


def check_rules(rules: Any, edition: str) -> None:
    """Raise RulesError unless `rules` has every section the AQI and assessment code reads."""
    if not isinstance(rules, dict):
        raise RulesError(f"rule set {edition}: not a mapping")
    missing = [k for k in REQUIRED_KEYS if k not in rules]
    if missing:
        raise RulesError(f"rule set {edition}: missing keys {missing}")
    if str(rules["edition"]) != edition:
        raise RulesError(f"rule set {edition}: file says edition {rules['edition']!r}")
    try:
        start = dt.date.fromisoformat(str(rules["valid_from"]))
        end = dt.date.fromisoformat(str(rules["valid_to"]))
    except ValueError as exc:
        raise RulesError(f"rule set {edition}: valid_from/valid_to not ISO dates") from exc
    if start > end:
        raise RulesError(f"rule set {edition}: valid_from after valid_to")
    check_breakpoints(rules["iaqi_breakpoints"], edition)
    check_special_cases(rules["special_cases"], edition)
    for key in ("daily_aqi_indicators", "hourly_aqi_indicators"):
        unknown = set(rules[key]) - set(INDICATORS)
        if unknown or not rules[key]:
            raise RulesError(f"rule set {edition}: {key} has unknown indicators {unknown}")
    check_limits(rules["limits"], edition)
    check_numbers(rules["validity"], VALIDITY_KEYS, f"rule set {edition}: validity")
    check_numbers(rules["statistics"], STATISTIC_KEYS, f"rule set {edition}: statistics")
    if not all(0 < rules["statistics"][k] < 100 for k in STATISTIC_KEYS):
        raise RulesError(f"rule set {edition}: statistics percentiles must lie in (0, 100)")
    check_numbers(rules["composite_index"], STATISTIC_KEYS, f"rule set {edition}: composite_index")
    check_rounding(rules["rounding"], edition)
    if not isinstance(rules["missing_indicator_rule"], bool):
        raise RulesError(f"rule set {edition}: missing_indicator_rule must be true or false")
    check_levels(rules["levels"], edition)


def check_rounding(rounding: Any, edition: str) -> None:
    """GB/T 8170 decimals: every statistic named, each a whole number 0..4."""
    where = f"rule set {edition}: rounding"
    if not isinstance(rounding, dict) or set(rounding) != set(ROUNDING_KEYS):
        raise RulesError(f"{where}: must list exactly {ROUNDING_KEYS}")
    bad = [k for k, v in rounding.items() if not isinstance(v, int) or not 0 <= v <= 4]
    if bad:
        raise RulesError(f"{where}: decimals must be whole numbers 0..4, not {bad}")


def check_breakpoints(table: Any, edition: str) -> None:
    """Each indicator: one value per IAQI breakpoint, increasing, nulls only at the top."""
    where = f"rule set {edition}: iaqi_breakpoints"
    if not isinstance(table, dict) or "iaqi" not in table:
        raise RulesError(f"{where}: needs an 'iaqi' row")
    n = len(table["iaqi"])
    for key in ("iaqi", *INDICATORS):
        row = table.get(key)
        if not isinstance(row, list) or len(row) != n:
            raise RulesError(f"{where}: {key} must list {n} values")
        defined = [v for v in row if v is not None]
        if row[: len(defined)] != defined or len(defined) < 2:
            raise RulesError(f"{where}: {key} may hold nulls only after its defined values")
        if any(b <= a for a, b in zip(defined, defined[1:], strict=False)) or defined[0] != 0:
            raise RulesError(f"{where}: {key} must start at 0 and increase strictly")


def check_special_cases(cases: Any, edition: str) -> None:
    """Each special case names a known indicator, a threshold and an IAQI or a fallback."""
    where = f"rule set {edition}: special_cases"
    if not isinstance(cases, dict):
        raise RulesError(f"{where}: not a mapping")
    for name, case in cases.items():
        numeric = isinstance(case.get("above"), int | float)
        if case.get("indicator") not in INDICATORS or not numeric:
            raise RulesError(f"{where}: {name} needs a known indicator and a numeric 'above'")
        fallback = case.get("fallback_indicator")
        if case.get("iaqi") is None and fallback not in INDICATORS:
            raise RulesError(f"{where}: {name} needs an iaqi value or a fallback_indicator")


def check_limits(limits: Any, edition: str) -> None:
    """GB 3095 Table 1: grade1 and grade2, each pollutant with at least one averaging time."""
    for grade in ("grade1", "grade2"):
        table = limits.get(grade) if isinstance(limits, dict) else None
        if not isinstance(table, dict) or set(table) != set(POLLUTANTS):
            raise RulesError(f"rule set {edition}: limits.{grade} must list {POLLUTANTS}")
        for pollutant, by_time in table.items():
            where = f"rule set {edition}: limits.{grade}.{pollutant}"
            check_numbers(by_time, tuple(by_time), where)


def check_numbers(section: Any, keys: tuple[str, ...], where: str) -> None:
    """Every key present with a positive number."""
    if not isinstance(section, dict) or not keys:
        raise RulesError(f"{where}: not a mapping")
    bad = [k for k in keys if not isinstance(section.get(k), int | float) or section[k] <= 0]
    if bad:
        raise RulesError(f"{where}: missing or non-positive {bad}")


def check_levels(levels: Any, edition: str) -> None:
    """HJ 633 level table: levels 1..6 with increasing AQI upper bounds and hex colours."""
    where = f"rule set {edition}: levels"
    if not isinstance(levels, list) or [lv.get("level") for lv in levels] != [1, 2, 3, 4, 5, 6]:
        raise RulesError(f"{where}: must list levels 1..6 in order")
    uppers = [lv.get("upper") for lv in levels]
    if any(not isinstance(u, int) for u in uppers) or uppers != sorted(set(uppers)):
        raise RulesError(f"{where}: upper bounds must be increasing integers")
    for lv in levels:
        if any(k not in lv for k in LEVEL_KEYS):
            raise RulesError(f"{where}: level {lv['level']} lacks one of {LEVEL_KEYS}")
        if not re.fullmatch(r"#[0-9A-F]{6}", str(lv["colour"])):
            raise RulesError(f"{where}: level {lv['level']} colour must be #RRGGBB")


# GB 3095-2026 / HJ 633-2026 / HJ 663-2026 effective date (editions.yaml), for importers
SWITCH_DATE = switch_date()
