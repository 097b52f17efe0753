"""Suite `targets`: the assessment targets (table `targets`, loaded from data/targets.yaml).

Every target must be evaluable: a duplicate, an unknown indicator or comparator or a period
that is not year/Qn/Mnn is critical (transforms.ingest.targets_config and transforms.indicators
define them).
A region or section code known to no registry is flagged (the target reports as unevaluable).
"""

from __future__ import annotations

from expectations.spec import Check, Suite
from expectations.suites.context import BatchContext
from transforms.indicators import COMPARATORS, INDICATORS
from transforms.ingest.targets_config import PERIOD_PATTERN

TABLE = "targets"


def suite(ctx: BatchContext) -> Suite:
    checks = [
        Check("region_code_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "region_code"}, "critical", "reject"),
        Check("value_not_null", "ExpectColumnValuesToNotBeNull", {"column": "value"},
              "critical", "reject"),
        Check("grain_unique", "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["region_code", "year", "period", "indicator", "source"]},
              "critical", "reject",
              why="one target per region, year, period, indicator (and rectification source)"),
        Check("indicator_known", "ExpectColumnValuesToBeInSet",
              {"column": "indicator", "value_set": sorted(INDICATORS)}, "critical", "reject",
              why="transforms.indicators.INDICATORS"),
        Check("comparator_known", "ExpectColumnValuesToBeInSet",
              {"column": "comparator", "value_set": list(COMPARATORS)}, "critical", "reject"),
        Check("period_known", "ExpectColumnValuesToMatchRegex",
              {"column": "period", "regex": PERIOD_PATTERN.pattern}, "critical", "reject",
              why="year, Q1..Q4 or M01..M12 (transforms.ingest.targets_config.PERIOD_PATTERN)"),
    ]
    if ctx.region_codes:
        checks.append(Check(
            "region_registered", "ExpectColumnValuesToBeInSet",
            {"column": "region_code", "value_set": sorted(ctx.region_codes)},
            "warning", "flag", why="a region (regions) or section (water_sections) code"))
    return Suite("targets", TABLE, tuple(checks))
