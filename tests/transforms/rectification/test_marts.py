"""The rectification marts on two snapshots of a small ledger, every figure worked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.transforms.ingest.formats.test_rectification import write_csv
from transforms.ingest.engine import ingest_paths
from transforms.ingest.registry import load_region_config
from transforms.ingest.targets_config import load_targets
from transforms.rectification.marts import build_rectification
from transforms.targets.progress import build_target_progress
from transforms.warehouse import connect

REPO = Path(__file__).resolve().parents[3]
SRC = "中央第三督察组"


def row(no: str, units: str, deadline: str, status: str, completed: str = "",
        source: str = SRC) -> str:
    return f"{no},{source},2021-05-10,问题{no},{units},,措施,{deadline},{status},{completed},,"


# Snapshot 2026-06-30 and 2026-10-31 (the second is "today" for the verdicts below).
FIRST = [
    row("P1", "汉滨区人民政府", "2021年底前", "已完成", "2021-11-01"),
    row("P2", "石泉县人民政府", "2026年6月", "整改中"),        # due 06-30: not overdue on 06-30
    row("P3", "汉滨区人民政府", "2026-11-20", "整改中"),
    row("P4", "安康市生态环境局", "长期坚持", "序时推进"),
    row("P5", "汉滨区人民政府、石泉县人民政府", "2026年底前", "已完成", "2026-05-01"),
    row("P6", "平利县人民政府", "2026年12月", "进度滞后"),
]
SECOND = [
    FIRST[0],
    FIRST[1],                                                   # overdue since 06-30: 123 days
    FIRST[2],                                                   # due in 20 days: yellow
    FIRST[3],                                                   # ongoing: white
    row("P5", "汉滨区人民政府、石泉县人民政府", "2026年底前", "整改中"),  # reopened: red
    FIRST[5],                                                   # lagging: yellow
]


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    load_region_config(con, REPO / "data" / "config" / "regions.csv")
    write_csv(tmp_path / "整改台账_20260630.csv", FIRST)
    write_csv(tmp_path / "整改台账_20261031.csv", SECOND)
    ingest_paths(con, [tmp_path])
    build_rectification(con)
    yield con
    con.close()


def test_each_problem_at_the_last_snapshot(con):
    rows = con.execute(
        "select problem_no, is_completed, is_overdue, days_overdue, due_soon, reopened, colour, "
        "region_codes from rectification_problems where snapshot_date = '2026-10-31' "
        "order by problem_no").fetchall()
    assert rows == [
        ("P1", True, False, None, False, False, "white", ["610900", "610902"]),
        # 2026-06-30 -> 2026-10-31: 1 + 31 + 31 + 30 + 31 = 123 days
        ("P2", False, True, 123, False, False, "red", ["610900", "610922"]),
        ("P3", False, False, None, True, False, "yellow", ["610900", "610902"]),
        ("P4", False, False, None, False, False, "white", ["610900"]),
        ("P5", False, False, None, False, True, "red", ["610900", "610902", "610922"]),
        ("P6", False, False, None, False, False, "yellow", ["610900", "610926"]),
    ]


def test_status_history_shows_the_reopened_problem(con):
    rows = con.execute(
        "select snapshot_date, status, previous_status, status_changed from "
        "rectification_problems where problem_no = 'P5' order by snapshot_date").fetchall()
    assert rows == [
        (dt.date(2026, 6, 30), "completed", None, False),
        (dt.date(2026, 10, 31), "in_progress", "completed", True),
    ]


def test_summary_by_region_and_unit(con):
    got = {
        (g, k): r for g, k, *r in con.execute(
            "select group_by, group_key, problems, completed, overdue, due_soon, reopened, "
            "completion_rate, red, yellow, white, days_overdue_total from rectification_summary "
            "where snapshot_date = '2026-10-31'").fetchall()
    }
    # all six: 1 completed (P1) -> 16.7 %; red P2, P5; yellow P3, P6; white P1, P4
    assert got[("all", "全部")] == [6, 1, 1, 1, 1, 16.7, 2, 2, 2, 123]
    # 汉滨区 610902: P1, P3, P5 -> 1 of 3 completed = 33.3 %
    assert got[("region", "610902")] == [3, 1, 0, 1, 1, 33.3, 1, 1, 1, 0]
    # 石泉县人民政府 holds P2 and P5, both red
    assert got[("unit", "石泉县人民政府")] == [2, 0, 1, 0, 1, 0.0, 2, 0, 0, 123]
    # on 06-30: P1 and P5 completed of six = 33.3 %, nothing overdue yet
    first = con.execute(
        "select completed, overdue, completion_rate from rectification_summary "
        "where snapshot_date = '2026-06-30' and group_by = 'all'").fetchall()
    assert first == [(2, 0, 33.3)]


def test_rectification_target_progress(con, tmp_path):
    (tmp_path / "t.yaml").write_text(
        "targets:\n"
        '  - {region: "610902", year: 2026, indicator: rectification_rate, comparator: ">=", '
        "value: 30, source: 中央}\n"
        '  - {region: "610922", year: 2026, indicator: rectification_rate, comparator: ">=", '
        "value: 100}\n"
        '  - {region: "610924", year: 2026, indicator: rectification_rate, comparator: ">=", '
        "value: 100}\n", encoding="utf-8")
    load_targets(con, tmp_path / "t.yaml")
    build_target_progress(con, as_of=dt.date(2026, 10, 31))
    rows = con.execute(
        "select region_code, round(actual, 2), round(on_pace_value, 2), status, reason "
        "from target_progress order by region_code").fetchall()
    assert rows == [
        # 610902: 1 of 3 completed = 33.33 %, published to 0.1 % (GB/T 8170): 33.3 >= 30;
        # nothing overdue (pace share 100 %): on track
        ("610902", 33.3, 30.0, "on_track", None),
        # 610922: P2 (overdue) and P5: 0 % completed; on schedule 1 of 2 = 50 % < 100: off track
        ("610922", 0.0, 100.0, "off_track", None),
        # 紫阳县 has no problem in the ledger: not evaluable, with the reason
        ("610924", None, 100.0, "not_evaluable",
         "no ledger problem of this region and source on or before the date"),
    ]
