"""The rectification section of a region's report (督察整改) on the small warehouse's ledger:
R-1 overdue in county A, R-2 due within 30 days in county B, R-3 closed in county A, at the
snapshot 2026-03-31 (conftest._rectification)."""

from __future__ import annotations

import datetime as dt

import duckdb

from reports import data
from reports.html_page import region_page
from reports.rectification_tables import (
    rectification_ledger_table,
    rectification_red_table,
    rectification_summary_table,
    rectification_units_table,
)
from tests.reports.conftest import AS_OF, CITY, COUNTY_B, NAMES


def test_summary_per_source(region):
    frame = rectification_summary_table(region, "zh").frame
    # 3 problems: 1 completed and closed, 2 under way, R-1 overdue, R-2 due in 20 days
    # completion = closure = 1 / 3 = 33.3 %
    assert frame.values.tolist() == [["中央第三督察组", 3, 1, 1, 2, 1, 1, 0, 33.3, 33.3]]


def test_units_by_colour(region):
    table = rectification_units_table(region, "zh")
    a, b = f"{NAMES['610902']}人民政府", f"{NAMES['610921']}人民政府"
    # 汉滨区 holds R-1 (red) and R-3 (white); 汉阴县 holds R-2 (yellow); reds first
    assert table.frame.values.tolist() == [[a, 1, 0, 1, 2], [b, 0, 1, 0, 1]]
    assert table.fills == {(0, 1): "#e03131", (1, 2): "#ffd43b"}


def test_red_list_and_ledger(region):
    red = rectification_red_table(region, "zh").frame
    # R-1 due 2025-12-31: Jan 31 + Feb 28 + Mar 31 = 90 days overdue on 2026-03-31
    assert red[["问题编号", "逾期天数"]].values.tolist() == [["R-1", 90]]
    ledger = rectification_ledger_table(region, "zh").frame
    assert ledger[["督办等级", "问题编号", "整改状态"]].values.tolist() == [
        ["红", "R-1", "整改中"], ["黄", "R-2", "整改中"], ["白", "R-3", "已销号"]]


def test_a_county_report_shows_only_its_own_problems(report_warehouse):
    con = duckdb.connect(str(report_warehouse), read_only=True)
    try:
        d = data.region_data(con, data.Scope(COUNTY_B, AS_OF.year, AS_OF), "汉阴县")
    finally:
        con.close()
    assert d.rectification["problem_no"].tolist() == ["R-2"]


def test_page_section_escapes_and_shows_the_snapshot(planted_warehouse):
    con = duckdb.connect(str(planted_warehouse), read_only=True)
    try:
        d = data.region_data(con, data.Scope(CITY, AS_OF.year, AS_OF), "安康市")
    finally:
        con.close()
    page = region_page(d, "zh", "quality/index.html", dt.datetime(2026, 4, 1, 8))
    assert "<h2>督察整改</h2>" in page and "台账截至 2026-03-31" in page
    assert '=HYPERLINK("http' not in page  # the planted unit name is escaped
    assert "=HYPERLINK(&quot;http://example.invalid/x&quot;,&quot;click&quot;)人民政府" in page
