"""The report's table type and the helpers that keep cell values typed.

The HTML page and the Excel workbook render the same `Table`s, so a figure passed on in a
workbook is the figure on the page. Values stay typed (float, int, date, str); formatting and
escaping are the renderers' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from transforms.indicators import INDICATORS


@dataclass
class Table:
    """A table of the report: key (its sheet name key in i18n), frame, and fills by (row, col)."""

    key: str
    frame: pd.DataFrame
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    decimals: dict[str, int] = field(default_factory=dict)


def missing_to_none(value: object) -> object:
    """NaN/NA -> None so that renderers write an empty cell."""
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def as_float(value: object) -> float | None:
    """A float, or None when missing."""
    value = missing_to_none(value)
    return None if value is None else float(value)  # type: ignore[arg-type]


def as_int(value: object) -> int | None:
    """An int, or None when missing."""
    value = missing_to_none(value)
    return None if value is None else int(value)  # type: ignore[call-overload]


def frame_of(rows: list[list[object]], headers: list[str]) -> pd.DataFrame:
    """Rows under headers, kept as Python objects (no NaN for missing ints)."""
    return pd.DataFrame(rows, columns=headers, dtype=object)


def indicator_decimals(code: str) -> int:
    """Decimals an indicator is shown with (from transforms.indicators)."""
    ind = INDICATORS.get(code)
    return ind.decimals if ind else 2
