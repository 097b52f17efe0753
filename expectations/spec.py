"""Expectations as data: one definition per check, read by GX and by the vectorised evaluator.

A `Check` names a Great Expectations expectation class and its arguments, plus what envq does
when it fails:

- severity `critical`, action `reject`: the whole batch (file) stays out of the warehouse;
- severity `warning`, action `quarantine`: the failing rows move to `quarantine` with the
  check's name as reason, the rest of the batch loads;
- severity `warning`, action `flag`: the rows load; the failure is recorded in
  `validation_results` only (used where the rows are not wrong in themselves, e.g. a station
  missing from the registry must still load).

The same `Check` becomes a GX expectation (`gx_engine.py`, with severity and action in the
expectation's `meta`) or is evaluated directly with numpy (`fast.py`); a test keeps the two in
agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Severity = Literal["critical", "warning"]
Action = Literal["reject", "quarantine", "flag"]
SEVERITY_ACTIONS: dict[str, tuple[str, ...]] = {
    "critical": ("reject",),
    "warning": ("quarantine", "flag"),
}

# Expectation classes envq uses (GX 1.x names); fast.py implements each of them.
ROW_TYPES = (
    "ExpectColumnValuesToBeBetween",
    "ExpectColumnValuesToBeInSet",
    "ExpectColumnValuesToNotBeNull",
    "ExpectColumnValuesToMatchRegex",
    "ExpectColumnValuesToBeUnique",
    "ExpectCompoundColumnsToBeUnique",
    "ExpectColumnPairValuesAToBeGreaterThanB",
    "ExpectColumnPairValuesToBeEqual",
)
AGGREGATE_TYPES = ("ExpectColumnMedianToBeBetween", "ExpectTableColumnsToMatchSet")


@dataclass(frozen=True)
class Check:
    """One expectation of a suite and what a failure does."""

    name: str  # expectation name: quarantine reason and validation_results.expectation
    gx_type: str  # GX expectation class, e.g. "ExpectColumnValuesToBeBetween"
    kwargs: Mapping[str, Any]
    severity: Severity
    action: Action
    frame: str = "rows"  # "rows" (the table's rows) or a derived frame of the batch ("wide")
    target: str | None = None  # wide frames: the value column whose cell a failing row names
    why: str = ""  # the rule and its source, for the Data Docs page
    show: tuple[str, ...] = ()  # columns to print for a failing row (default: those it reads)

    def __post_init__(self) -> None:
        if self.gx_type not in ROW_TYPES + AGGREGATE_TYPES:
            raise ValueError(f"check {self.name}: unsupported expectation {self.gx_type}")
        if self.action not in SEVERITY_ACTIONS.get(self.severity, ()):
            raise ValueError(f"check {self.name}: {self.severity} cannot {self.action}")
        if self.gx_type in AGGREGATE_TYPES and self.action == "quarantine":
            raise ValueError(f"check {self.name}: a table-level check cannot quarantine rows")

    @property
    def row_level(self) -> bool:
        return self.gx_type in ROW_TYPES

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the check reads (it is skipped when one is absent from the frame)."""
        kw = self.kwargs
        if "column_list" in kw:
            return tuple(kw["column_list"])
        if "column_A" in kw:
            return (kw["column_A"], kw["column_B"])
        if "column" in kw:
            return (kw["column"],)
        return ()


@dataclass(frozen=True)
class Suite:
    """The checks of one dataset (a core table), in the order failures are attributed."""

    name: str  # e.g. "station_hourly"
    table: str  # the core table whose rows form the batch
    checks: tuple[Check, ...]

    def __post_init__(self) -> None:
        names = [c.name for c in self.checks]
        if len(names) != len(set(names)):
            raise ValueError(f"suite {self.name}: check names must be unique")


@dataclass
class CheckResult:
    """The outcome of one check on one frame (engine-independent)."""

    check: Check
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_index: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    observed: Any = None  # table-level checks: the observed value
    skipped: str = ""  # why the check did not run (column absent, no values)
