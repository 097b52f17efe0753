"""Every table of a region's report in the page's order (one workbook sheet each)."""

from __future__ import annotations

from reports.air_tables import (
    calendar_table,
    drivers_table,
    good_days_table,
    pm_table,
    ranking_table,
    targets_table,
)
from reports.data import RegionData
from reports.quality_tables import completeness_table, quarantine_table, validation_table
from reports.rectification_tables import (
    rectification_ledger_table,
    rectification_red_table,
    rectification_summary_table,
    rectification_units_table,
)
from reports.table import Table
from reports.water_tables import water_matrix_table, water_table


def all_tables(d: RegionData, lang: str) -> list[Table]:
    """Every table of the report, in the page's order (one workbook sheet each)."""
    rectification = (
        [
            rectification_summary_table(d, lang),
            rectification_units_table(d, lang),
            rectification_red_table(d, lang),
            rectification_ledger_table(d, lang),
        ]
        if not d.rectification.empty
        else []
    )
    return [
        targets_table(d, lang),
        good_days_table(d, lang),
        pm_table(d, lang),
        calendar_table(d, lang),
        drivers_table(d, lang),
        ranking_table(d, lang),
        water_table(d, lang),
        water_matrix_table(d, lang),
        *rectification,
        completeness_table(d, lang),
        quarantine_table(d, lang),
        validation_table(d, lang),
    ]
