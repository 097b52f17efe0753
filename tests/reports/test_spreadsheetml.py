"""reports.spreadsheetml: the hand-written workbook reads back in openpyxl with the values, types,
styles, widths and frozen header it was given; text is never a formula."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from reports.spreadsheetml import Sheet, Style, Styles, cell_xml, column_letter, save


@pytest.fixture
def workbook(tmp_path):
    styles = Styles()
    bold = styles.index(Style(bold=True, fill="EEF3FA"))
    first = Sheet("数据 & <检查>", [12, 40])
    first.append([("名称", bold), ("值", bold)])
    first.append(
        [("=1+1", styles.index(Style(quote_prefix=True))), (3.25, styles.index(Style("0.0")))]
    )
    first.append(
        [(dt.date(2026, 3, 31), styles.index(Style("yyyy-mm-dd"))), (-7, styles.index(Style("0")))]
    )
    first.append([("a\x01b <c> & d", 0), (None, styles.index(Style(fill="66BB6A")))])
    first.append([(True, 0), (dt.datetime(2026, 1, 2, 12), styles.index(Style("yyyy-mm-dd")))])
    second = Sheet("empty", [10])
    second.append([("only a header", bold)])
    path = save(tmp_path / "t.xlsx", [first, second], styles)
    return path, openpyxl.load_workbook(path)


def test_values_and_types_read_back(workbook):
    _, wb = workbook
    assert wb.sheetnames == ["数据 & <检查>", "empty"]
    ws = wb["数据 & <检查>"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["名称", "值"],
        ["=1+1", 3.25],
        [dt.datetime(2026, 3, 31), -7],
        ["ab <c> & d", None],
        [True, dt.datetime(2026, 1, 2, 12)],
    ]
    assert [ws["A2"].data_type, ws["B2"].data_type, ws["B3"].data_type] == ["s", "n", "n"]
    assert ws["A3"].is_date and ws["A3"].number_format == "yyyy-mm-dd"
    assert [ws["B2"].number_format, ws["B3"].number_format] == ["0.0", "0"]
    assert ws["A2"].quotePrefix and not ws["A4"].quotePrefix


def test_styles_widths_and_frozen_header(workbook):
    _, wb = workbook
    ws = wb["数据 & <检查>"]
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws["A1"].fill.fill_type == "solid" and ws["A1"].fill.fgColor.rgb[-6:] == "EEF3FA"
    assert ws["B4"].fill.fgColor.rgb[-6:] == "66BB6A"  # an empty cell keeps its fill
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 12 and ws.column_dimensions["B"].width == 40
    assert [c.value for c in next(wb["empty"].iter_rows())] == ["only a header"]


def test_no_formula_in_the_package(workbook):
    path, _ = workbook
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if "worksheets" in n)
    assert "<f>" not in xml and "<f " not in xml
    assert '<t xml:space="preserve">=1+1</t>' in xml


def test_each_style_is_registered_once():
    styles = Styles()
    assert styles.index(Style()) == 0
    assert styles.index(Style("0.00")) == styles.index(Style("0.00")) == 1
    assert styles.index(Style(bold=True)) == 2
    xml = styles.xml()
    assert '<cellXfs count="3">' in xml and 'numFmtId="2"' in xml


@pytest.mark.parametrize(
    ("value", "xml"),
    [
        (None, ""),
        ("", ""),
        (float("nan"), ""),
        (2, '<c r="A1"><v>2</v></c>'),
        (0.1, '<c r="A1"><v>0.1</v></c>'),
        (dt.date(1900, 3, 1), '<c r="A1"><v>61</v></c>'),
        (False, '<c r="A1" t="b"><v>0</v></c>'),
    ],
)
def test_cell_xml(value, xml):
    assert cell_xml("A1", value, 0) == xml


def test_unknown_types_are_refused():
    with pytest.raises(TypeError):
        cell_xml("A1", object(), 0)


def test_column_letters_are_openpyxls():
    for index in (1, 26, 27, 52, 53, 702, 703, 16384):
        assert column_letter(index) == openpyxl.utils.get_column_letter(index)
    assert [column_letter(i) for i in (1, 26, 27, 28, 702, 703)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]
