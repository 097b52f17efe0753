"""`envq validate`: suites on the loaded data, results rows, Data Docs, the artifact rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from expectations.run import (
    artifact_rows,
    make_batch_validator,
    validate_warehouse,
)
from tests.expectations.conftest import clean_day, station_hour, write_toy
from tests.expectations.test_warehouse_checks import insert
from transforms.air.build_state import loaded_days
from transforms.ingest.engine import ingest_paths


def load_two_days(con, tmp_path):
    """Files for 2019-01-02 and 01-03: S2 lacks PM10 at 01-03 00:00-05:00, and S1's CO at
    01-03 07:00 (650, µg/m³) is quarantined by the hook."""
    raw = tmp_path / "raw"
    raw.mkdir()
    write_toy(raw / "a_20190102.csv", clean_day())
    day2 = [(s, t + dt.timedelta(days=1), p, v) for s, t, p, v in clean_day()]
    day2 = [r for r in day2 if not (r[0] == "S2" and r[2] == "pm10" and r[1].hour < 6)]
    day2 = [r for r in day2 if not (r[0] == "S1" and r[1].hour == 7 and r[2] == "co")]
    day2 += station_hour("S1", 24 + 7, co=650)
    write_toy(raw / "b_20190103.csv", day2)
    hook = make_batch_validator(con, "ingest-1")
    return ingest_paths(con, [raw], "ingest-1", validate=hook)


def test_validate_writes_results_with_real_counts_and_docs(registered, tmp_path):
    con = registered
    loaded = load_two_days(con, tmp_path)
    assert [r.status for r in loaded] == ["loaded", "loaded"]
    before = con.execute("select count(*) from air_station_hourly").fetchall()
    summary = validate_warehouse(con, "validate-1", tmp_path / "quality")
    assert con.execute("select count(*) from air_station_hourly").fetchall() == before
    assert summary.ok
    rows = {(r.suite, r.expectation): r for r in summary.rows}
    # the CO 650 was quarantined at ingest: nothing left to find
    assert rows[("station_hourly", "co_value_mg_per_m3")].unexpected_count == 0
    # data 01-02 00:00 .. 01-03 23:00: the calendar holds natural day 01-02 only (01-02 01:00
    # .. 01-03 00:00), 2 stations x 6 pollutants; S2's PM10 misses its 24:00 value there
    complete = rows[("station_hourly", "station_day_complete")]
    assert complete.unexpected_count == 1 and complete.element_count == 12
    assert complete.unexpected_sample == "S2 2019-01-02 pm10 23 h"
    assert rows[("station_hourly", "station_day_valid")].unexpected_count == 0
    assert con.execute("select reason, raw from quarantine").fetchall() == [
        ("co_value_mg_per_m3", "650")
    ]
    stored = con.execute(
        "select count(*), count(*) filter (where not success), sum(unexpected_count) "
        "from validation_results where run_id = 'validate-1'"
    ).fetchall()[0]
    # ... and the registry's codes S1, S2 are not CNEMC codes (dddd + A): flagged, 2 rows
    assert stored == (len(summary.rows), 2, 3)
    table = {(r["suite"], r["expectation"]): r for r in artifact_rows(con, "validate-1")}
    assert table[("station_hourly", "station_day_complete")]["failed_batches"] == 1
    assert artifact_rows(con, "validate-1")[0]["expectation"] == "station_day_complete"
    page = summary.docs_path.read_text(encoding="utf-8")
    assert summary.docs_path.name == "index.html"
    assert (tmp_path / "quality" / "run-validate-1.html").exists()
    assert "station_day_complete" in page and "pm25_le_pm10" in page
    assert not re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page)
    assert "<script" not in page
    # Chinese by default: headings, column names and verdicts; English on request
    assert '<html lang="zh-CN">' in page
    assert "<h2>本次运行的校验项</h2>" in page and "<th>未通过批次</th>" in page
    assert ">未通过</span>" in page and ">警告</span>" in page
    english = validate_warehouse(con, "validate-en", tmp_path / "quality-en", lang="en")
    page_en = english.docs_path.read_text(encoding="utf-8")
    assert "<h2>Expectations of this run</h2>" in page_en and ">failed</span>" in page_en


def test_critical_failure_in_the_warehouse_makes_the_summary_not_ok(registered, tmp_path):
    con = registered
    insert(con, [("S1", dt.datetime(2019, 1, 2, 5), "pm25", 10.0)])
    insert(con, [("S1", dt.datetime(2019, 1, 2, 5), "pm25", 12.0, "other.csv")])
    insert(con, [("S1", dt.datetime(2019, 1, 2, 6), "pm<b>", 12.0)])  # loaded past the hook
    summary = validate_warehouse(con, "validate-2", tmp_path / "q")
    assert not summary.ok
    failed = {r.expectation for r in summary.critical_failures}
    assert failed == {"grain_unique_table", "pollutant_known", "grain_unique"}
    assert any("critical" in line and "grain_unique_table" in line for line in summary.lines())
    page = summary.docs_path.read_text(encoding="utf-8")
    assert "pm&lt;b&gt;" in page and "pm<b>" not in page


def test_validate_on_an_empty_warehouse(warehouse, tmp_path):
    summary = validate_warehouse(warehouse, "empty", None)
    assert summary.ok and summary.rows == [] and summary.docs_path is None


def test_loaded_days_are_the_natural_days_of_the_files(registered, tmp_path):
    files = load_two_days(registered, tmp_path)
    second = [f.path for f in files if f.path.endswith("b_20190103.csv")]
    assert loaded_days(registered, second) == (dt.date(2019, 1, 2), dt.date(2019, 1, 3))
    assert loaded_days(registered, ["nothing.csv"]) is None


def test_a_batch_with_a_critical_failure_leaves_the_published_warehouse_unchanged(
    tmp_path, monkeypatch
):
    """A night with a file the gate rejects (CO in µg/m³) and a file that passes the gate but
    fails a critical warehouse check (a value at 05:30): the run stops at 'validate' and the
    published database keeps the last good state, file and content."""
    from flows.plain_run import StageFailed, run_plainly
    from transforms.warehouse import connect

    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    monkeypatch.setenv("ENVQ_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ENVQ_REPORTS", str(tmp_path / "reports"))
    published = tmp_path / "wh" / "envq.duckdb"
    published.parent.mkdir()
    good = write_toy(tmp_path / "a_20190102.csv", clean_day())
    con = connect(published)
    ingest_paths(con, [good], "good", validate=make_batch_validator(con, "good"))
    assert validate_warehouse(con, "good", None).ok

    def state(con) -> tuple:
        return tuple(
            con.execute(f"select * from {t} order by all").fetchall()  # noqa: S608
            for t in ("air_station_hourly", "load_log", "quarantine")
        )

    before = state(con)
    con.close()
    inode = published.stat().st_ino

    raw = tmp_path / "raw"
    raw.mkdir()
    day3 = [
        (s, t + dt.timedelta(days=1), p, v * 1000 if p == "co" else v) for s, t, p, v in clean_day()
    ]
    write_toy(raw / "b_20190103.csv", day3)  # the whole file's CO in µg/m³: rejected
    day4 = [(s, t + dt.timedelta(days=2), p, v) for s, t, p, v in clean_day()]
    day4 = [
        (s, t + dt.timedelta(minutes=30) if (s, t.hour, p) == ("S1", 5, "so2") else t, p, v)
        for s, t, p, v in day4
    ]
    write_toy(raw / "c_20190104.csv", day4)  # passes the gate, fails ts_on_the_hour
    with pytest.raises(StageFailed, match=r"^failed at stage 'validate': .*1 critical"):
        run_plainly(warehouse=str(published), raw=str(raw))

    assert published.stat().st_ino == inode
    con = connect(published, read_only=True)
    try:
        assert state(con) == before
    finally:
        con.close()
    work = connect(published.with_name("envq.work.duckdb"), read_only=True)
    try:  # the working database shows why: the gate's rejection and the warehouse check
        assert work.execute("select path, status from load_log order by path").fetchall()[1:] == [
            (str(raw / "b_20190103.csv"), "rejected"),
            (str(raw / "c_20190104.csv"), "loaded"),
        ]
        failed = work.execute(
            "select expectation from validation_results "
            "where severity = 'critical' and not success order by 1"
        ).fetchall()
        assert failed == [("co_unit_mg_per_m3",), ("ts_on_the_hour",)]
    finally:
        work.close()
