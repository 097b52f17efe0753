"""reports.xlsx: the workbook read back with openpyxl holds the warehouse's numbers as typed
cells, and text that looks like a formula stays text."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from reports.build import write_reports
from tests.reports.conftest import AS_OF, CITY, PLANTED, fetch


def sheet_rows(ws) -> tuple[list[str], list[tuple]]:
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


@pytest.fixture
def workbook(report_warehouse, tmp_path):
    write_reports(report_warehouse, tmp_path / "out", formats=("xlsx",), region=CITY)
    return openpyxl.load_workbook(tmp_path / "out" / f"envq_{CITY}_20260331_zh.xlsx")


def test_sheets_in_page_order_with_chinese_names(workbook):
    assert workbook.sheetnames == [
        "说明",
        "目标进度",
        "累计优良天数",
        "颗粒物累计均值",
        "AQI日历",
        "首要污染物",
        "区县排名",
        "水质断面",
        "断面逐月类别",
        "整改进展",
        "责任单位督办",
        "红色督办单",
        "整改台账",
        "数据完整性",
        "隔离数据",
        "未通过校验",
    ]
    header, _ = sheet_rows(workbook["目标进度"])
    assert header[:6] == ["指标", "考核期", "单位", "目标", "现状", "差距"]


def test_target_numbers_equal_the_warehouse(workbook, report_warehouse):
    expected = fetch(
        report_warehouse,
        "select target, actual, gap, good_days_needed, remaining_mean_ceiling "
        "from target_progress where region_code = ? and year = 2026 and as_of = ? "
        "order by indicator",
        [CITY, AS_OF],
    )
    header, rows = sheet_rows(workbook["目标进度"])
    cols = [header.index(h) for h in ("目标", "现状", "差距", "尚需优良天数", "年剩余日控制值")]
    got = [tuple(r[c] for c in cols) for r in rows]
    # Excel keeps 15 significant digits; None stays an empty cell
    assert got == [tuple(pytest.approx(v, rel=1e-12) if v else v for v in e) for e in expected]
    assert workbook["目标进度"].cell(row=2, column=cols[1] + 1).data_type == "n"
    assert [r[header.index("状态")] for r in rows] == ["进度滞后", "进度正常", "有风险"]


def test_ranking_and_calendar_equal_the_warehouse(workbook, report_warehouse):
    ranking = fetch(
        report_warehouse,
        "select rank, region_code, value, last_year_value, change_pct from county_rankings "
        "where parent_code = ? and indicator = 'composite_index' and dust_deducted "
        "order by rank",
        [CITY],
    )
    days = fetch(
        report_warehouse,
        "select date, aqi, level from air_city_daily where region_code = ? "
        "and date between '2026-01-01' and ? order by date",
        [CITY, AS_OF],
    )
    _, rows = sheet_rows(workbook["区县排名"])
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in rows] == [
        (rank, code, *(pytest.approx(v, rel=1e-12) for v in values))
        for rank, code, *values in ranking
    ]
    ws = workbook["AQI日历"]
    _, cal = sheet_rows(ws)
    assert [(r[0].date(), r[1], r[2]) for r in cal] == days
    assert ws["A2"].is_date and ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].data_type == "n"


def test_good_days_sheet_ends_at_the_count_of_good_days(workbook, report_warehouse):
    ((good,),) = fetch(
        report_warehouse,
        "select count(*) from air_city_daily where region_code = ? and is_good "
        "and date between '2026-01-01' and ?",
        [CITY, AS_OF],
    )
    _, rows = sheet_rows(workbook["累计优良天数"])
    assert rows[-1][0] == 2026 and rows[-1][1] == dt.datetime(2026, 3, 31)
    assert rows[-1][3] == good


def test_formula_like_names_are_text_cells(planted_warehouse, tmp_path):
    write_reports(planted_warehouse, tmp_path, formats=("xlsx",), region=CITY)
    path = tmp_path / f"envq_{CITY}_20260331_zh.xlsx"
    wb = openpyxl.load_workbook(path)
    names = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    names[cell.value] = cell.data_type
    planted = {PLANTED[k] for k in ("610902", "610921", "S1", "S2", "river")}
    assert planted | {"=cmd|' /C calc'!A0"} <= set(names)
    assert set(names.values()) == {"s"}
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml
    assert "HYPERLINK" in xml  # the text is there, as a string


def test_numbers_that_start_with_minus_stay_numbers(workbook):
    _, rows = sheet_rows(workbook["区县排名"])
    assert rows[0][5] == pytest.approx(100 * (3.9 - 4.1) / 4.1)
    assert isinstance(rows[0][5], float)
