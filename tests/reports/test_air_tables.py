"""reports.air_tables: localized, typed tables; the calendar in the HJ 633 level colours."""

from __future__ import annotations

import datetime as dt

from reports.air_tables import calendar_table, drivers_table, ranking_table, targets_table
from tests.reports.conftest import CITY, aqi_of, level_of
from transforms.rules import cached_rules

HJ633_HEX = {1: "#00E400", 2: "#FFFF00", 3: "#FF7E00", 4: "#FF0000", 5: "#99004C", 6: "#7E0023"}


def test_level_colours_are_the_rules_colours():
    # the table below is docs/standards.md §1.4; the report reads the rules file, never a copy
    for edition in ("2012", "2026"):
        colours = {lv["level"]: lv["colour"] for lv in cached_rules(edition)["levels"]}
        assert colours == HJ633_HEX


def test_calendar_cells_carry_the_level_colour(region):
    table = calendar_table(region, "zh")
    assert len(table.frame) == 90
    first = dt.date(2026, 1, 1)
    level = level_of(aqi_of(first, CITY))
    assert table.frame.iloc[0].tolist()[:3] == [first, aqi_of(first, CITY), level]
    assert table.fills[(0, 3)] == HJ633_HEX[level]
    assert {table.frame.iloc[i, 2] for i in range(90)} <= set(HJ633_HEX)


def test_drivers_table_has_a_row_per_month_to_date(region):
    table = drivers_table(region, "en")
    assert table.frame.columns.tolist() == ["Month", "PM2.5"]  # Q1: PM2.5 only
    assert table.frame["Month"].tolist() == ["Jan", "Feb", "Mar"]
    assert sum(table.frame["PM2.5"]) == sum(region.primary_pollutants["days"])


def test_targets_table_in_english_keeps_numbers_typed(region):
    table = targets_table(region, "en")
    row = table.frame.iloc[0]
    assert (row["Indicator"], row["Unit"], row["Target"], row["Status"]) == (
        "good days",
        "days",
        300.0,
        "off track",
    )
    assert row["Time elapsed"] == round(100 * 90 / 365, 1)


def test_targets_and_ranking_name_the_edition_and_insufficient_data(region):
    # every target row says which standards judged it (the fixture's 2026 rows: GB 3095-2026)
    table = targets_table(region, "zh")
    assert set(table.frame["评价标准"]) == {"2026年版标准"}
    assert set(targets_table(region, "en").frame["Standards edition"]) == {
        "GB 3095-2026 / HJ 633-2026"
    }
    # a county whose index is not valid shows 数据不足 instead of a rank
    region.county_ranking.loc[1, "ranking_status"] = "insufficient_data"
    ranks = ranking_table(region, "zh").frame.iloc[:, 0].tolist()
    assert ranks[1] == "数据不足" and ranks[0] == 1
