"""Suites for surface-water samples: measured values and the class the publisher printed.

Shape, unknown parameter codes and duplicate facts are critical. A value outside the
physical bounds of its parameter (transforms.ingest.formats.water_auto.PLAUSIBLE) is quarantined; a
section missing from the registry is flagged (its placeholder row keeps it visible).
The bounds differ per parameter, so the rows frame carries `plausible_excess`: how far the
value lies outside its parameter's bounds (0 inside, NaN for a parameter without bounds).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from expectations.frames import ROWS, Batch, codes_of, prepared
from expectations.spec import Check, Suite
from expectations.suites.context import BatchContext
from transforms.ingest.formats.water_auto import PARAMETERS, PLAUSIBLE
from transforms.water.classes import WORST_CLASS, items

TABLE = "water_section_samples"
CLASS_TABLE = "water_sample_published_class"
# water_section_samples.method (transforms/sql/core/schema.sql): automatic station or laboratory.
METHODS = ("auto", "manual")


def parameter_codes() -> list[str]:
    """GB 3838 Table 1 items plus the automatic stations' extra parameters."""
    return sorted(set(items()) | {code for code, _ in PARAMETERS.values()})


def frames(rows: pa.Table) -> Batch:
    """The rows plus `plausible_excess` (distance outside the parameter's bounds)."""
    frame = rows = prepared(rows)
    if "parameter" in rows.column_names and "value" in rows.column_names:
        codes, dictionary = codes_of(rows["parameter"])
        names = dictionary.to_pylist()
        low = np.array([PLAUSIBLE.get(n, (np.nan, np.nan))[0] for n in names] + [np.nan])
        high = np.array([PLAUSIBLE.get(n, (np.nan, np.nan))[1] for n in names] + [np.nan])
        value = rows["value"].combine_chunks().cast(pa.float64()).fill_null(np.nan).to_numpy(
            zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            excess = np.fmax(np.fmax(low[codes] - value, value - high[codes]), 0.0)
        excess[np.isnan(low[codes]) | np.isnan(value)] = np.nan
        frame = frame.append_column("plausible_excess", pa.array(excess, from_pandas=True))
    return Batch(TABLE, {ROWS: frame})


def suite(ctx: BatchContext) -> Suite:
    checks = [
        Check("columns_present", "ExpectTableColumnsToMatchSet",
              {"column_set": ["section_code", "sampled_at", "parameter", "value", "method"],
               "exact_match": False}, "critical", "reject"),
        Check("section_code_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "section_code"}, "critical", "reject"),
        Check("sampled_at_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "sampled_at"}, "critical", "reject"),
        Check("value_not_null", "ExpectColumnValuesToNotBeNull", {"column": "value"},
              "critical", "reject"),
        Check("parameter_known", "ExpectColumnValuesToBeInSet",
              {"column": "parameter", "value_set": parameter_codes()}, "critical", "reject",
              why="GB 3838-2002 Table 1 items and the automatic stations' parameters"),
        Check("method_known", "ExpectColumnValuesToBeInSet",
              {"column": "method", "value_set": list(METHODS)}, "critical", "reject"),
        Check("grain_unique", "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["section_code", "sampled_at", "parameter", "method"]},
              "critical", "reject"),
        Check("value_plausible", "ExpectColumnValuesToBeBetween",
              {"column": "plausible_excess", "max_value": 0}, "warning", "quarantine",
              show=("parameter", "value"),
              why="inside the parameter's physical bounds "
              "(transforms.ingest.water_cells.PLAUSIBLE)"),
    ]
    if ctx.section_codes:
        checks.append(Check(
            "section_registered", "ExpectColumnValuesToBeInSet",
            {"column": "section_code", "value_set": sorted(ctx.section_codes)},
            "warning", "flag", why="section codes known to the registry"))
    return Suite("water_samples", TABLE, tuple(checks))


def class_suite(ctx: BatchContext) -> Suite:
    checks = (
        Check("section_code_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "section_code"}, "critical", "reject"),
        Check("sampled_at_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "sampled_at"}, "critical", "reject"),
        Check("grain_unique", "ExpectCompoundColumnsToBeUnique",
              {"column_list": ["section_code", "sampled_at"]}, "critical", "reject"),
        Check("class_known", "ExpectColumnValuesToBeInSet",
              {"column": "published_class", "value_set": list(range(1, WORST_CLASS + 1))},
              "warning", "quarantine", why="GB 3838 classes I-V and 劣V (= 6)"),
    )
    return Suite("water_published_class", CLASS_TABLE, checks)
