"""Excel workbooks in: laboratory results and a daily city table, read through the same format
detection, parsing and quarantine as CSV; merged header cells, several sheets and formula cells
handled; every quarantine row names the sheet and the cell."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from transforms.ingest.engine import ingest_paths, registered_formats
from transforms.ingest.raw_files import DocumentationFile
from transforms.ingest.workbooks import cell_text, column_letter, read_workbook


def lab_workbook(path):
    """Sheet 说明: prose. Sheet 化验结果: a merged title row, a two-row header (codes, names and
    dates merged over both rows, 监测项目 merged over the three items), five data rows with a
    formula, a value below the detection limit, text in a number cell. Sheet 四月: a one-row
    header, a formula whose stored result is an error. Sheet 空气: a daily city table (another
    format)."""
    book = xlsxwriter.Workbook(str(path))
    notes = book.add_worksheet("说明")
    notes.write(0, 0, "本工作簿为实验室化验结果, 单位 mg/L。")
    ws = book.add_worksheet("化验结果")
    ws.merge_range("A1:F1", "2026年3月 地表水监测结果")
    for col, label in enumerate(["断面编码", "断面名称", "采样日期"]):
        ws.merge_range(1, col, 2, col, label)
    ws.merge_range("D2:F2", "监测项目")
    ws.write_row("D3", ["总磷", "氨氮", "高锰酸盐指数"])
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    rows = [
        ("WQ1", "瀛湖坝前", 0.05, 0.2, 3.1),
        ("WQ1", "瀛湖坝前", "=0.1+0.02", "0.01L", 2.8),  # formula with its value 0.12
        ("WQ2", "月河口", 0.3, "abc", 4.4),
        ("WQ2", "月河口", -1, 0.6, 5.0),
    ]
    for i, (code, name, tp, nh3n, codmn) in enumerate(rows):
        r = 3 + i
        ws.write(r, 0, code)
        ws.write(r, 1, name)
        ws.write_datetime(r, 2, dt.datetime(2026, 3, 1 + i), date_format)
        if isinstance(tp, str):
            ws.write_formula(r, 3, tp, None, 0.12)
        else:
            ws.write_number(r, 3, tp)
        ws.write(r, 4, nh3n) if isinstance(nh3n, str) else ws.write_number(r, 4, nh3n)
        ws.write_number(r, 5, codmn)
    april = book.add_worksheet("四月")
    april.write_row(0, 0, ["断面编码", "断面名称", "采样日期", "总磷"])
    april.write_row(1, 0, ["WQ1", "瀛湖坝前", "2026-04-02", 0.07])
    april.write_row(2, 0, ["WQ2", "月河口", "2026-04-02"])
    april.write_formula(2, 3, "=1/0", None, "#DIV/0!")  # a formula that gave an error
    air = book.add_worksheet("空气")
    air.write_row(0, 0, ["日期", "AQI", "质量等级"])
    air.write_row(1, 0, ["2026-04-02", 55, "良"])
    book.close()
    return path


def test_lab_results_load_from_every_sheet_of_the_format(tmp_path):
    spec, parsed = read_workbook(lab_workbook(tmp_path / "化验结果2026.xlsx"), registered_formats())
    assert spec.name == "water_manual_wide"
    samples = parsed.tables["water_section_samples"].to_pylist()
    got = sorted(
        (s["section_code"], s["sampled_at"].strftime("%m-%d"), s["parameter"], round(s["value"], 6))
        for s in samples
    )
    assert got == sorted(
        [
            ("WQ1", "03-01", "tp", 0.05),
            ("WQ1", "03-01", "nh3n", 0.2),
            ("WQ1", "03-01", "codmn", 3.1),
            ("WQ1", "03-02", "tp", 0.12),
            ("WQ1", "03-02", "nh3n", 0.005),
            ("WQ1", "03-02", "codmn", 2.8),
            ("WQ2", "03-03", "tp", 0.3),
            ("WQ2", "03-03", "codmn", 4.4),  # nh3n "abc": quarantined
            ("WQ2", "03-04", "nh3n", 0.6),
            ("WQ2", "03-04", "codmn", 5.0),  # tp -1: quarantined
            ("WQ1", "04-02", "tp", 0.07),  # sheet 四月
        ]
    )
    by_key = {(s["section_code"], s["sampled_at"], s["parameter"]): s["value"] for s in samples}
    assert by_key[("WQ1", dt.datetime(2026, 3, 2), "tp")] == pytest.approx(0.12)  # the formula
    assert by_key[("WQ1", dt.datetime(2026, 3, 2), "nh3n")] == pytest.approx(0.005)  # 0.01L / 2
    assert by_key[("WQ1", dt.datetime(2026, 4, 2), "tp")] == pytest.approx(0.07)
    assert len(samples) == 11
    quarantine = parsed.quarantine.to_pylist()
    got_q = sorted((q["line_no"], q["column_name"], q["reason"], q["raw"]) for q in quarantine)
    assert got_q == [
        (3, "四月!D3 (总磷)", "non_numeric", "#DIV/0!"),
        (6, "化验结果!E6 (氨氮)", "non_numeric", "abc"),
        (7, "化验结果!D7 (总磷)", "negative", "-1"),
    ]
    assert "sheet '空气' not read: daily_city_header, not water_manual_wide" in parsed.notes
    assert "sheet '说明' not read (no known header)" in parsed.notes


def test_a_workbook_loads_and_quarantines_through_the_engine(warehouse, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    lab_workbook(raw / "化验结果2026.xlsx")
    (result,) = ingest_paths(warehouse, [raw])
    assert (result.status, result.format, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        "water_manual_wide",
        11 + 2,  # 11 samples and the 2 sections they name
        3,
    )
    rows = warehouse.execute(
        "select line_no, column_name, reason, raw from quarantine order by line_no"
    ).fetchall()
    assert rows == [
        (3, "四月!D3 (总磷)", "non_numeric", "#DIV/0!"),
        (6, "化验结果!E6 (氨氮)", "non_numeric", "abc"),
        (7, "化验结果!D7 (总磷)", "negative", "-1"),
    ]
    assert warehouse.execute(
        "select count(*) from water_section_samples where method = 'manual'"
    ).fetchall() == [(11,)]


def test_a_workbook_no_format_recognises_is_documentation(tmp_path):
    path = tmp_path / "目录.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("list").write_row(0, 0, ["name", "phone"])
    book.close()
    with pytest.raises(DocumentationFile):
        read_workbook(path, registered_formats())


def test_a_broken_workbook_is_a_one_line_error(warehouse, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    (result,) = ingest_paths(warehouse, [path])
    assert result.status == "failed"
    assert "unreadable workbook" in result.message and "\n" not in result.message


def test_cell_text_and_letters():
    assert [cell_text(v) for v in (None, 3.0, 0.1, 1e-05, True, " x\ny ")] == [
        "",
        "3",
        "0.1",
        "1e-05",
        "TRUE",
        "x y",
    ]
    assert cell_text(dt.datetime(2026, 3, 1)) == "2026-03-01"
    assert cell_text(dt.datetime(2026, 3, 1, 13, 5)) == "2026-03-01 13:05:00"
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


@pytest.mark.realdata
def test_a_real_daily_city_table_as_a_workbook_loads_as_its_csv(shared_data, tmp_path):
    """The real GBK daily table re-saved as a bureau's workbook (a merged title row, dates as
    date cells, numbers as numbers, a notes sheet) gives the rows its CSV gives."""
    source = shared_data / "daily_aqi_gbk_1city_2013_2018" / "air_train&test.csv"
    if not source.is_file():
        pytest.skip(f"{source} is absent")
    rows = [line.split(",") for line in source.read_text(encoding="gbk").splitlines()]
    (tmp_path / "csv").mkdir()
    (tmp_path / "xlsx").mkdir()
    (tmp_path / "csv" / source.name).write_bytes(source.read_bytes())
    book = xlsxwriter.Workbook(str(tmp_path / "xlsx" / "air_train&test.xlsx"))
    ws = book.add_worksheet("日报")
    ws.merge_range(0, 0, 0, len(rows[0]) - 1, "空气质量日报 2013-2018")
    ws.write_row(1, 0, rows[0])
    date_format = book.add_format({"num_format": "yyyy/m/d"})
    for i, row in enumerate(rows[1:], start=2):
        ws.write_datetime(i, 0, dt.datetime.strptime(row[0], "%Y/%m/%d"), date_format)
        for j, text in enumerate(row[1:], start=1):
            try:
                ws.write_number(i, j, float(text))
            except ValueError:
                ws.write_string(i, j, text)
    book.add_worksheet("说明").write(0, 0, "数据来源: 公开数据")
    book.close()
    loaded = {}
    for kind in ("csv", "xlsx"):
        from transforms.warehouse import connect

        con = connect(tmp_path / f"{kind}.duckdb")
        (result,) = ingest_paths(con, [tmp_path / kind])
        assert (result.status, result.format) == ("loaded", "daily_city_header")
        loaded[kind] = con.execute(
            "select * exclude (source_file) from air_city_daily_published order by date"
        ).fetchall()
        con.close()
    assert len(loaded["csv"]) == len(rows) - 1 == 1787
    assert loaded["xlsx"] == loaded["csv"]
