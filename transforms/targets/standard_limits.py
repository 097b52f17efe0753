"""Standard limits as default reference lines for regions without assessment targets.

A region with air data in a year but no configured air target of that year (a real city just set
up by `envq init`, a city of a national load) still gets its report: each of the six annual
assessment items is compared with the GB 3095 grade II limit of the same averaging time
(HJ 663, docs/standards.md: annual means of SO2, NO2, PM10 and PM2.5 against the annual
limits, the CO 95th percentile against the 24-h limit, the O3-8h 90th percentile against the
8-h limit). The limits come from the rule set of the year's edition (transforms/rules/*.yaml),
chosen as for the year's targets (transforms.rules.period_edition). These rows are standard
limits (标准限值, target_basis 'standard_limit'), never assessment targets: reports label them
so, and `envq targets check` and the alerts leave them out.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from transforms.rules import cached_rules, period_edition

# indicator -> (pollutant, averaging time) of GB 3095 Table 1 it is assessed against
STANDARD_ITEMS: dict[str, tuple[str, str]] = {
    "pm25_mean": ("pm25", "annual"),
    "pm10_mean": ("pm10", "annual"),
    "so2_mean": ("so2", "annual"),
    "no2_mean": ("no2", "annual"),
    "co_p95": ("co", "24h"),
    "o3_8h_p90": ("o3", "8h"),
}
BASIS_TARGET = "target"
BASIS_STANDARD = "standard_limit"
LIMIT_SCHEMA = pa.schema(
    [
        ("year", pa.int32()),
        ("indicator", pa.string()),
        ("value", pa.float64()),
        ("edition", pa.string()),
    ]
)


def year_edition(year: int) -> str:
    """The edition whose limits judge the year, as for the year's targets (the period's
    last day by default, transforms/rules/editions.yaml): GB 3095-2026 from 2026-03-01."""
    return period_edition(dt.date(year, 1, 1), dt.date(year, 12, 31))


def grade2_limits(edition: str) -> dict[str, float]:
    """indicator -> GB 3095 grade II limit of the edition (transforms/rules/air_<edition>.yaml)."""
    limits = cached_rules(edition)["limits"]["grade2"]
    return {ind: float(limits[p][avg]) for ind, (p, avg) in STANDARD_ITEMS.items()}


def standard_limit_table(years: list[int]) -> pa.Table:
    """The reference values of each year: (year, indicator, value, edition)."""
    rows = [
        {"year": y, "indicator": ind, "value": value, "edition": edition}
        for y in sorted(set(years))
        for edition in (year_edition(y),)
        for ind, value in grade2_limits(edition).items()
    ]
    return pa.Table.from_pylist(rows, schema=LIMIT_SCHEMA)
