"""reports.xlsx.write_frames: read back with openpyxl, the workbook has the values and types it was
given, and what Excel users expect (frozen header, autofilter, widths, number formats, dates,
print titles, fit to width, fills, an explaining first sheet); text is never a formula."""

from __future__ import annotations

import datetime as dt
import math
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from reports.xlsx import write_frames


@pytest.fixture
def written(tmp_path):
    frame = pd.DataFrame(
        {
            "名称": ["=1+1", "a <c> & d", "+86 138", "安康市"],
            "值": [3.25, -7.0, math.inf, np.nan],
            "天数": [np.int64(3), 4, 5, 6],
            "优良天数比例 (%)": [86.125, 90.0, None, 100.0],
            "日期": [dt.date(2026, 3, 31), pd.Timestamp("2026-01-02"), None, dt.date(2024, 2, 29)],
            "时间": [dt.datetime(2026, 1, 2, 13), None, None, None],
            "达标": [True, False, np.bool_(True), None],
        },
        dtype=object,
    )
    empty = pd.DataFrame({"only a header": []}, dtype=object)
    path = write_frames(
        tmp_path / "t.xlsx",
        [("数据 & <检查>", frame), ("empty", empty)],
        "zh",
        decimals=[{"值": 1}, {}],
        fills=[{(0, 6): "#66bb6a", (1, 0): "red"}, {}],
    )
    return path, openpyxl.load_workbook(path)


def test_values_and_types_read_back(written):
    _, wb = written
    assert wb.sheetnames == ["说明", "数据 & <检查>", "empty"]
    ws = wb["数据 & <检查>"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["名称", "值", "天数", "优良天数比例 (%)", "日期", "时间", "达标"]
    assert rows[1] == [
        "=1+1",
        3.25,
        3,
        86.125,
        dt.datetime(2026, 3, 31),
        dt.datetime(2026, 1, 2, 13),
        True,
    ]
    # inf and NaN become empty cells; a midnight Timestamp is a date
    assert rows[2] == ["a <c> & d", -7.0, 4, 90.0, dt.datetime(2026, 1, 2), None, False]
    assert rows[3][:3] == ["+86 138", None, 5] and rows[4][1] is None
    assert [ws["A2"].data_type, ws["B2"].data_type, ws["C2"].data_type] == ["s", "n", "n"]
    assert ws["E2"].is_date and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["F2"].is_date and ws["F2"].number_format == "yyyy-mm-dd hh:mm"


def test_number_formats_by_type_decimals_and_percent(written):
    _, wb = written
    ws = wb["数据 & <检查>"]
    assert ws["B2"].number_format == "0.0"  # the column's decimals
    assert ws["C2"].number_format == "0"  # integers
    assert ws["D2"].number_format == '0.00"%"'  # values already in %, shown with the sign
    assert ws["D2"].value == 86.125  # the value itself is unchanged


def test_header_filter_widths_print_setup_and_fills(written):
    _, wb = written
    ws = wb["数据 & <检查>"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G5"
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws["A1"].fill.fgColor.rgb[-6:] == "EEF3FA"
    assert ws["G2"].fill.fgColor.rgb[-6:] == "66BB6A"
    assert ws["A3"].fill.fill_type is None  # "red" is not a hex colour: no fill
    # widths from the content: 名称 holds "a <c> & d" (9 characters) + 2 of margin
    assert ws.column_dimensions["A"].width == pytest.approx(11, abs=1)
    assert ws.print_title_rows == "$1:$1"
    # fit to one page wide (fitToWidth's default, 1, is left out of the file), any number tall
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.orientation == "landscape"


def test_first_sheet_explains_the_others(written):
    _, wb = written
    rows = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    assert rows[0] == ["工作表", "行数", "列"]
    assert rows[1][:2] == ["数据 & <检查>", 4]
    assert rows[1][2].startswith("名称, 值, 天数")
    assert rows[2] == ["empty", 0, "only a header"]
    assert any("公式" in str(r[0]) for r in rows[3:] if r[0])


def test_formula_text_is_a_string_with_a_quote_prefix(written):
    path, wb = written
    ws = wb["数据 & <检查>"]
    assert ws["A2"].quotePrefix and ws["A4"].quotePrefix and not ws["A3"].quotePrefix
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "<f " not in xml
