"""A region compared with standard limits (no targets configured) is labelled so in its report:
the cards say 标准限值, a note says these are not assessment targets, the PM line is named
after the limit, and the targets sheet says what each row is compared with."""

from __future__ import annotations

import duckdb
import openpyxl

from reports.build import write_reports
from tests.reports.conftest import AS_OF, CITY, COUNTY_B


def as_standard_limits(warehouse) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            "update target_progress set target_basis = 'standard_limit', "
            "note = 'GB 3095-2026 二级标准限值' where region_code = ?",
            [COUNTY_B],
        )
    finally:
        con.close()


def test_standard_limit_rows_are_labelled_in_page_and_workbook(report_warehouse, tmp_path):
    as_standard_limits(report_warehouse)
    write_reports(report_warehouse, tmp_path, region=COUNTY_B)
    page = (tmp_path / f"envq_{COUNTY_B}_{AS_OF:%Y%m%d}_zh.html").read_text(encoding="utf-8")
    assert "标准限值: &lt;= 35 µg/m³" in page  # whole µg/m³, as published
    assert "目标: &lt;=" not in page
    # county B: PM2.5 46.0 against 35 (tests/reports/conftest.py) -> 11.0 above the limit
    assert "超过限值 11 µg/m³" in page and "优于目标" not in page
    # as of 2026-03-31 the year's statistics fall under GB 3095-2026
    assert "对照GB 3095二级标准限值（2026年版）" in page and "标准限值不是考核目标" in page
    assert '"name":"二级标准限值 35"' in page  # the PM2.5 figure's line
    book = openpyxl.load_workbook(tmp_path / f"envq_{COUNTY_B}_{AS_OF:%Y%m%d}_zh.xlsx")
    sheet = book["目标进度"]
    header = [c.value for c in sheet[1]]
    basis = header.index("对照依据")
    assert [row[basis].value for row in sheet.iter_rows(min_row=2)] == ["标准限值"]


def test_targets_keep_their_label(report_warehouse, tmp_path):
    as_standard_limits(report_warehouse)
    write_reports(report_warehouse, tmp_path, region=CITY, lang="en", formats=("html",))
    page = (tmp_path / f"envq_{CITY}_{AS_OF:%Y%m%d}_en.html").read_text(encoding="utf-8")
    assert "Target: &lt;=" in page and "Standard limit" not in page
    assert "not assessment targets" not in page
