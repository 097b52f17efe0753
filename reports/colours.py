"""Colours of the reports: progress statuses, and the official level colours read from the rules.

AQI levels use the HJ 633 level table (Table 2 / Appendix A, docs/standards.md §1.4) as held in
transforms/rules/air_<edition>.yaml; water classes use the 环办〔2011〕22号 class table
(docs/standards.md §6.3) as held in transforms/rules/gb3838_2002.yaml. No second copy lives here.
"""

from __future__ import annotations

import datetime as dt

from transforms.rules import cached_rules, edition_for_date
from transforms.water import classes as water_class

STATUS_COLOURS: dict[str, str] = {
    "met": "#2e7d32",
    "on_track": "#66bb6a",
    "at_risk": "#f9a825",
    "off_track": "#ef6c00",
    "cannot_be_met": "#c62828",
    "not_met": "#c62828",
    "insufficient_data": "#bdbdbd",
    "not_evaluable": "#9e9e9e",
}
UNKNOWN = "#9e9e9e"

# The rules name water colours in words; these are the screen shades of those words.
WATER_SHADES = {
    "blue": "#4f8fd8",
    "green": "#3fae49",
    "yellow": "#f2d600",
    "orange": "#f28c28",
    "red": "#d7301f",
}


# Three-colour supervision (白黄红三色督办): the colour of a problem's supervision sheet.
RECTIFICATION_COLOURS = {"red": "#e03131", "yellow": "#ffd43b", "white": "#ffffff"}


def status_colour(status: str) -> str:
    """Colour of a progress status (grey for an unknown one)."""
    return STATUS_COLOURS.get(status, UNKNOWN)


def aqi_levels(day: dt.date) -> list[dict]:
    """HJ 633 level rows (level, upper, category_zh, category_en, colour) in force on `day`."""
    return [dict(row) for row in cached_rules(edition_for_date(day))["levels"]]


def water_class_colours() -> dict[int, str]:
    """Class 1..6 -> screen colour of its status word (环办〔2011〕22号)."""
    return {
        int(row["class"]): WATER_SHADES.get(str(row["colour"]), str(row["colour"]))
        for row in water_class.rules()["class_status"]
    }
