"""The sample's rectification ledger, counted independently of the marts: the CSV and the
workbook read with the csv module and openpyxl, deadlines read by a small reader of the four
forms the generator writes, colours by the rule in docs/rectification.md."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from transforms.ingest.engine import ingest_paths
from transforms.ingest.registry import load_region_config
from transforms.rectification.marts import build_rectification
from transforms.sample.air_files import stream
from transforms.sample.config import DEFAULT_CONFIG_DIR, read_config
from transforms.sample.ledger import snapshot_dates, write_ledger
from transforms.warehouse import connect

END = dt.date(2026, 10, 31)
DONE = {"已完成", "已销号"}


def due_of(text: str) -> dt.date | None:
    if text == "长期坚持":
        return None
    if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月(底前)?", text):
        y, mo = int(m[1]), int(m[2])
        return dt.date(y, mo, calendar.monthrange(y, mo)[1])
    m = re.fullmatch(r"(\d{4})年底前", text)
    assert m, text
    return dt.date(int(m[1]), 12, 31)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    out = tmp_path_factory.mktemp("ledger")
    files, rows, planted = write_ledger(out, read_config(DEFAULT_CONFIG_DIR), END,
                                        stream(20240101, 900))
    return out, planted


def test_planted_rows_are_where_planted_json_says(ledger):
    out, planted = ledger
    assert {p["kind"] for p in planted} == {"unparseable_deadline", "unknown_status",
                                             "duplicate_problem_no", "completion_before_feedback"}
    for p in planted:
        lines = (out / p["file"]).read_bytes().decode("gb18030").split("\r\n")
        header = next(csv.reader([lines[1]]))
        cells = next(csv.reader([lines[p["line"] - 1]]))
        assert cells[header.index(p["column"])] == p["value"]


def test_completion_overdue_and_colours_equal_an_independent_count(ledger, tmp_path):
    out, planted = ledger
    first_day, last_day = snapshot_dates(END)
    bad_lines = {p["line"] for p in planted}
    text = (out / f"ledger/整改台账_{last_day:%Y%m%d}.csv").read_bytes().decode("gb18030")
    lines = list(csv.reader(io.StringIO(text)))
    header = lines[1]
    last = [dict(zip(header, r, strict=True)) for i, r in enumerate(lines[2:], start=3)
            if i not in bad_lines]
    wb = load_workbook(out / f"ledger/整改台账_{first_day:%Y%m%d}.xlsx")
    ws = wb["整改台账"]
    first = {r[0]: r[8] for r in ws.iter_rows(min_row=3, values_only=True)}
    completed = [r for r in last if r["整改状态"] in DONE]
    overdue, colours = [], {}
    for r in last:
        due = due_of(r["整改时限"])
        done = r["整改状态"] in DONE
        late = not done and due is not None and due < last_day
        reopened = first[r["问题编号"]] in DONE and not done
        soon = not done and due is not None and last_day <= due <= last_day + dt.timedelta(30)
        if late:
            overdue.append(r["问题编号"])
        colours[r["问题编号"]] = (
            "red" if late or reopened
            else "yellow" if soon or r["整改状态"] == "进度滞后" else "white"
        )
    con = connect(tmp_path / "w.duckdb")
    load_region_config(con, DEFAULT_CONFIG_DIR / "regions.csv")
    results = ingest_paths(con, [out / "ledger"])
    assert [r.status for r in results] == ["loaded", "loaded"]
    assert sum(r.rows_quarantined for r in results) == len(planted)
    build_rectification(con)
    got = dict(con.execute(
        "select problem_no, colour from rectification_problems where snapshot_date = ?",
        [last_day]).fetchall())
    assert got == colours
    (row,) = con.execute(
        "select problems, completed, overdue, completion_rate, reopened from rectification_summary "
        "where snapshot_date = ? and group_by = 'all'", [last_day]).fetchall()
    rate = round(100 * len(completed) / len(last), 1)
    assert row == (len(last), len(completed), len(overdue), rate, 1)
    # the proportions the generator promises: some overdue, one reopened, most completed
    assert overdue and len(completed) > len(last) / 2
    assert sorted(set(colours.values())) == ["red", "white", "yellow"]
