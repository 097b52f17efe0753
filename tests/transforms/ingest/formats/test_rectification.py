"""Rectification ledgers as bureaus deliver them: GBK CSV under a title row, workbooks with
merged titles, several sheets and formulas; bad rows quarantined by reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from transforms.ingest.engine import detect_format, ingest_paths
from transforms.ingest.formats.rectification import FORMAT_NAME
from transforms.ingest.raw_files import RawFileError
from transforms.warehouse import connect

HEADER = ",".join([
    "问题编号", "问题来源", "反馈时间", "问题描述", "责任单位", "牵头单位", "整改措施", "整改时限",
    "整改状态", "完成时间", "销号时间", "备注",
])
GOOD = [
    "A-1,中央第三督察组,2021-05-10,黑臭水体,汉滨区人民政府、市住建局,市住建局,截污,2021年底前,已销号,2021-11-20,2022-01-15,",
    "A-2,中央第三督察组,2021-05-10,尾矿库,石泉县人民政府,,闭库,2026年6月,整改中,,,",
    "A-3,中央第三督察组,2021-05-10,扬尘,市生态环境局,,长效,长期坚持,序时推进,,,",
]
BAD = [
    ("A-4,中央第三督察组,2021-05-10,渗滤液,汉滨区人民政府,,x,尽快,整改中,,,",
     "unparseable_deadline", "整改时限"),
    ("A-5,中央第三督察组,2021-05-10,采砂,汉滨区人民政府,,x,2022年底前,差不多,,,",
     "unknown_status", "整改状态"),
    ("A-1,中央第三督察组,2021-05-10,另一描述,汉滨区人民政府,,x,2022年底前,整改中,,,",
     "duplicate_problem_no", "问题编号"),
    ("A-6,中央第三督察组,2021-05-10,锅炉,汉滨区人民政府,,x,2022年底前,已完成,2020-01-01,,",
     "completion_before_feedback", "完成时间"),
    (",中央第三督察组,2021-05-10,无编号,汉滨区人民政府,,x,2022年底前,整改中,,,",
     "missing_problem_no", "问题编号"),
    ("A-7,中央第三督察组,2021-13-45,坏日期,汉滨区人民政府,,x,2022年底前,整改中,,,",
     "unparseable_date", "反馈时间"),
]


def write_csv(path: Path, rows: list[str], encoding: str = "gbk") -> Path:
    text = "\r\n".join(["某市督察反馈问题整改台账", HEADER, *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_ledger_loads_good_rows_and_quarantines_bad_ones(tmp_path):
    path = write_csv(tmp_path / "整改台账_20261130.csv", GOOD + [b[0] for b in BAD])
    assert detect_format(path).name == FORMAT_NAME
    con = connect(tmp_path / "w.duckdb")
    (result,) = ingest_paths(con, [path])
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 3, 6)
    rows = con.execute(
        "select problem_no, snapshot_date, deadline, ongoing, status, units "
        "from rectification_snapshots order by problem_no").fetchall()
    assert rows == [
        ("A-1", dt.date(2026, 11, 30), dt.date(2021, 12, 31), False, "closed",
         ["汉滨区人民政府", "市住建局"]),
        ("A-2", dt.date(2026, 11, 30), dt.date(2026, 6, 30), False, "in_progress",
         ["石泉县人民政府"]),
        ("A-3", dt.date(2026, 11, 30), None, True, "on_schedule", ["市生态环境局"]),
    ]
    # header = line 2 (a title above it); the bad rows are lines 6..11 in order
    quarantined = con.execute(
        "select line_no, reason, column_name from quarantine order by line_no").fetchall()
    assert quarantined == [(6 + i, reason, col) for i, (_, reason, col) in enumerate(BAD)]


def test_utf8_bom_csv_is_read_too(tmp_path):
    path = write_csv(tmp_path / "ledger-2026-11-30.csv", GOOD, encoding="utf-8-sig")
    parsed = detect_format(path).parse(path)
    table = parsed.tables["rectification_snapshots"]
    assert table.num_rows == 3
    assert set(table.column("snapshot_date").to_pylist()) == {dt.date(2026, 11, 30)}


def test_a_ledger_without_a_date_fails_with_the_rule(tmp_path):
    path = write_csv(tmp_path / "ledger.csv", GOOD)
    with pytest.raises(RawFileError, match="no snapshot date"):
        detect_format(path).parse(path)


def test_workbook_with_merged_title_notes_sheet_and_formulas(tmp_path):
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本表为督察整改台账"])
    ws = wb.create_sheet("台账")
    ws.append(["某市督察反馈问题整改台账"])
    ws.merge_cells("A1:L1")
    ws.append(HEADER.split(","))
    ws.append(["B-1", "省委督察组", dt.datetime(2023, 8, 15), "污水管网", "汉滨区人民政府", None,
               "x", dt.datetime(2024, 6, 30), "已完成", dt.datetime(2024, 5, 1), None, "=1+1"])
    ws.append(["B-2", "省委督察组", "2023-08-15", "采砂", "汉滨区人民政府", None, "x",
               "2024年底前", "整改中", None, None, None])
    ws.append(["B-3", "省委督察组", "2023-08-15", "锅炉", "汉滨区人民政府", None, "x",
               "以后再说", "整改中", None, None, None])
    path = tmp_path / "整改台账_20240630.xlsx"
    wb.save(path)
    assert detect_format(path).name == FORMAT_NAME
    parsed = detect_format(path).parse(path)
    rows = parsed.tables["rectification_snapshots"].to_pylist()
    assert [(r["problem_no"], r["deadline"], r["status"], r["remarks"]) for r in rows] == [
        ("B-1", dt.date(2024, 6, 30), "completed", None),  # an uncached formula reads as empty
        ("B-2", dt.date(2024, 12, 31), "in_progress", None),
    ]
    assert rows[0]["feedback_date"] == dt.date(2023, 8, 15)
    # the sheet and the cell of the bad value: row 5, column H (整改时限)
    assert parsed.quarantine.to_pylist() == [
        {"line_no": 5, "column_name": "台账!H5", "reason": "unparseable_deadline",
         "raw": "B-3,省委督察组,2023-08-15,锅炉,汉滨区人民政府,,x,以后再说,整改中,,,"},
    ]


def test_two_snapshots_keep_the_history(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    write_csv(tmp_path / "整改台账_20260630.csv", GOOD)
    later = [GOOD[0], GOOD[1].replace("整改中", "已完成").replace(",,,", ",2026-07-01,,"), GOOD[2]]
    write_csv(tmp_path / "整改台账_20261031.csv", later)
    ingest_paths(con, [tmp_path])
    history = con.execute(
        "select snapshot_date, status from rectification_snapshots where problem_no = 'A-2' "
        "order by snapshot_date").fetchall()
    assert history == [(dt.date(2026, 6, 30), "in_progress"), (dt.date(2026, 10, 31), "completed")]
