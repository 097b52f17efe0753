"""The ingest hook: critical failures reject the file, warning rows go to quarantine."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from expectations.batch import make_batch_validator, validate_parsed
from expectations.suites.context import BatchContext
from tests.expectations.conftest import DAY, T0, clean_day, hourly, station_hour, write_toy
from transforms.ingest.engine import ParsedFile, ingest_file

TABLES = ("air_station_hourly", "quarantine", "stations")


def snapshot(con) -> dict[str, list[tuple]]:
    return {t: con.execute(f"select * exclude (quarantined_at) from {t} order by all"  # noqa: S608
                           if t == "quarantine" else f"select * from {t} order by all"  # noqa: S608
                           ).fetchall() for t in TABLES}


def results(con, batch_suffix: str) -> dict[str, tuple]:
    rows = con.execute(
        "select expectation, severity, action, success, unexpected_count, unexpected_sample "
        "from validation_results where batch like '%' || ?", [batch_suffix]).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_critical_failure_rejects_the_file_and_leaves_tables_unchanged(registered, tmp_path):
    con = registered
    hook = make_batch_validator(con, "run-1")
    good = ingest_file(con, write_toy(tmp_path / "good_20190102.csv", clean_day()), "run-1",
                       validate=hook)
    assert good.status == "loaded" and good.rows_loaded == 2 * 24 * 6
    before = snapshot(con)
    # a corrected file for the same day whose CO is in µg/m³ throughout (a unit slip of the
    # whole file) and which would otherwise replace every loaded value
    bad_rows = [(s, t, p, v * 1000 if p == "co" else v + 1) for s, t, p, v in clean_day()]
    bad = ingest_file(con, write_toy(tmp_path / "bad_20190102.csv", bad_rows), "run-1",
                      validate=hook)
    assert bad.status == "rejected"
    assert "station_hourly.co_unit_mg_per_m3" in bad.message
    assert snapshot(con) == before
    assert con.execute("select status, message from load_log where path like '%bad_20190102.csv'"
                       ).fetchall() == [("rejected", bad.message)]
    found = results(con, "bad_20190102.csv")
    assert found["co_unit_mg_per_m3"][:3] == ("critical", "reject", False)
    assert found["grain_unique"][2] is True
    assert hook.rejected and hook.files == 2


def test_rejected_file_is_tried_again_when_corrected(registered, tmp_path):
    con = registered
    hook = make_batch_validator(con, "run-1")
    rows = clean_day()
    rows[0] = ("S1", rows[0][1], "pm1", 3.0)  # an unknown pollutant code: the parser is wrong
    first = ingest_file(con, write_toy(tmp_path / "x_20190102.csv", rows), validate=hook)
    assert first.status == "rejected" and "pollutant_known" in first.message
    fixed = ingest_file(con, write_toy(tmp_path / "x_20190102.csv", clean_day()), validate=hook)
    assert fixed.status == "loaded"


def test_warning_rows_go_to_quarantine_with_the_expectation_name(registered, tmp_path):
    con = registered
    rows = clean_day()
    rows += station_hour("S3", 7, pm25=80, pm10=60)  # unregistered station: flagged only
    rows = [r for r in rows if not (r[0] == "S1" and r[1] == T0 + dt.timedelta(hours=5)
                                    and r[2] in ("pm25", "pm10", "co", "so2"))]
    # PM2.5 > PM10 + 13 (flagged), CO in µg/m³ and a negative SO2 (both quarantined)
    rows += station_hour("S1", 5, pm25=149, pm10=89, co=700, so2=-3)
    path = write_toy(tmp_path / "w_20190102.csv", rows)
    result = ingest_file(con, path, "run-2", validate=make_batch_validator(con, "run-2"))
    assert result.status == "loaded"
    assert (result.rows_loaded, result.rows_quarantined) == (len(rows) - 2, 2)
    quarantined = con.execute(
        "select line_no, column_name, reason, raw from quarantine order by line_no").fetchall()
    line = {(r[0], r[2]): i + 2 for i, r in enumerate(rows) if r[3] in (700, -3)}
    assert quarantined == [
        (line[("S1", "co")], "co", "co_value_mg_per_m3", "700"),
        (line[("S1", "so2")], "so2", "plausible_so2", "-3"),
    ]
    loaded = con.execute(
        "select pollutant, value from air_station_hourly where station_code = 'S1' "
        "and ts = ? order by pollutant", [T0 + dt.timedelta(hours=5)]).fetchall()
    assert loaded == [("no2", 35.0), ("o3", 45.0), ("pm10", 89.0), ("pm25", 149.0)]
    found = results(con, "w_20190102.csv")
    assert found["co_value_mg_per_m3"][:4] == ("warning", "quarantine", False, 1)
    assert found["plausible_so2"][:4] == ("warning", "quarantine", False, 1)
    assert found["pm25_le_pm10"][:4] == ("warning", "flag", False, 2)
    assert found["pm25_le_pm10"][4] == (
        "station_code=S1 ts=2019-01-02 05:00 pm25=149 pm10=89; "
        "station_code=S3 ts=2019-01-02 07:00 pm25=80 pm10=60")
    assert found["station_registered"][:4] == ("warning", "flag", False, 2)
    assert found["station_registered"][4] == "S3 x2"
    assert found["grain_unique"][:4] == ("critical", "reject", True, 0)
    assert con.execute("select count(*) from air_station_hourly where station_code = 'S3'"
                       ).fetchall() == [(2,)]


@pytest.mark.parametrize(("pm10", "pm25", "caught"), [
    (50, 60, False),   # tolerance max(10, 7.5) = 10: 60 <= 60
    (50, 61, True),
    (200, 230, False),  # tolerance max(10, 30) = 30
    (200, 231, True),
])
def test_pm25_above_pm10_beyond_tolerance(pm10, pm25, caught):
    parsed = ParsedFile("t", {"air_station_hourly": hourly(station_hour("S1", 3, pm25=pm25,
                                                                       pm10=pm10))})
    outcome, rows = validate_parsed(parsed, "f_20190102.csv", BatchContext(DAY))
    result = {r.expectation: r for r in rows}["pm25_le_pm10"]
    assert (result.unexpected_count == 1, result.success) == (caught, not caught)
    assert outcome.parsed.quarantine.num_rows == 0  # flagged: both values load


def test_co_in_micrograms_is_caught_per_value_and_per_file():
    day = clean_day(("S1",))
    one = [(s, t, p, 1200.0 if p == "co" and t.hour == 9 else v) for s, t, p, v in day]
    outcome, rows = validate_parsed(ParsedFile("t", {"air_station_hourly": hourly(one)}),
                                    "f_20190102.csv", BatchContext(DAY))
    by_name = {r.expectation: r for r in rows}
    assert not outcome.rejected
    assert by_name["co_value_mg_per_m3"].unexpected_count == 1
    assert outcome.parsed.quarantine.to_pylist()[0]["reason"] == "co_value_mg_per_m3"
    every = [(s, t, p, v * 1000 if p == "co" else v) for s, t, p, v in day]
    outcome, rows = validate_parsed(ParsedFile("t", {"air_station_hourly": hourly(every)}),
                                    "f_20190102.csv", BatchContext(DAY))
    assert outcome.rejected and "co_unit_mg_per_m3" in outcome.message


def test_hours_outside_the_file_date_reject_the_file():
    rows = clean_day(("S1",)) + station_hour("S1", 24, pm25=10)  # 2019-01-03 00:00
    outcome, _ = validate_parsed(ParsedFile("t", {"air_station_hourly": hourly(rows)}),
                                 "china_sites_20190102.csv", BatchContext(DAY))
    assert outcome.rejected and "ts_within_file_date" in outcome.message
    outcome, _ = validate_parsed(ParsedFile("t", {"air_station_hourly": hourly(rows)}),
                                 "long_file.csv", BatchContext(None))
    assert not outcome.rejected  # no date in the name: nothing to compare with


def test_duplicate_facts_in_one_file_reject_it():
    rows = clean_day(("S1",))
    rows.append(rows[10][:3] + (rows[10][3] + 1,))
    outcome, results_ = validate_parsed(ParsedFile("t", {"air_station_hourly": hourly(rows)}),
                                        "f_20190102.csv", BatchContext(DAY))
    assert outcome.rejected
    assert {r.expectation: r.unexpected_count for r in results_}["grain_unique"] == 2


def test_quarantine_without_provenance_spells_out_the_row():
    rows = station_hour("S1", 3, pm25=90, co=71.5) + station_hour("S1", 4, co=0.6) \
        + station_hour("S1", 5, co=0.7)  # the file's median CO stays in mg/m³
    outcome, _ = validate_parsed(ParsedFile("t", {"air_station_hourly": hourly(rows)}),
                                 "f_20190102.csv", BatchContext(DAY))
    (entry,) = outcome.parsed.quarantine.to_pylist()
    assert entry == {"line_no": None, "column_name": "co", "reason": "co_value_mg_per_m3",
                     "raw": "station_code=S1 ts=2019-01-02 03:00:00 pollutant=co value=71.5"}
    assert outcome.parsed.tables["air_station_hourly"].num_rows == 3


def cnemc_file(path, day: str, co: float) -> None:
    """A small china_sites file: two stations, hours 0-2, every type row, the given CO."""
    types = ("AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2",
             "NO2_24h", "O3", "O3_24h", "O3_8h", "O3_8h_24h", "CO", "CO_24h")
    lines = ["date,hour,type,1001A,1002A"]
    for hour in range(3):
        for t in types:
            value = co if t == "CO" else 20 + hour
            lines.append(f"{day},{hour},{t},{value:g},{value:g}")
    path.write_text("\r\n".join(lines))


def test_a_rejected_file_in_a_batch_of_cnemc_files_loads_nothing(warehouse, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    cnemc_file(raw / "china_sites_20190102.csv", "20190102", 0.7)
    cnemc_file(raw / "china_sites_20190103.csv", "20190103", 40.0)  # high, still mg/m³
    cnemc_file(raw / "china_sites_20190104.csv", "20190104", 85.0)  # CO in µg/m³ throughout
    cnemc_file(raw / "china_sites_20190105.csv", "20190105", 0.9)
    from transforms.ingest.engine import ingest_paths

    results = ingest_paths(warehouse, [raw], "run-b",
                           validate=make_batch_validator(warehouse, "run-b"))
    assert [r.status for r in results] == ["loaded", "loaded", "rejected", "loaded"]
    assert "co_unit_mg_per_m3" in results[2].message
    days = warehouse.execute(
        "select distinct cast(ts as date) from air_station_hourly order by 1").fetchall()
    assert [d for (d,) in days] == [dt.date(2019, 1, d) for d in (2, 3, 5)]
    assert warehouse.execute(
        "select status from load_log where path like '%20190104.csv'").fetchall() == \
        [("rejected",)]
    assert warehouse.execute(
        "select count(*) from validation_results where batch like '%20190104.csv' "
        "and expectation = 'co_unit_mg_per_m3' and not success").fetchall() == [(1,)]


def loaded_state(con) -> dict[str, list[tuple]]:
    """What a run leaves: rows, quarantine, load_log statuses and every check result."""
    return {
        "rows": con.execute("select * from air_station_hourly order by all").fetchall(),
        "quarantine": con.execute(
            "select source_file, line_no, column_name, reason, raw from quarantine order by all"
        ).fetchall(),
        "load_log": con.execute("select path, status, rows_loaded, rows_quarantined, message "
                                "from load_log order by path").fetchall(),
        "results": con.execute(
            "select suite, expectation, batch, success, element_count, unexpected_count, "
            "unexpected_sample from validation_results order by all").fetchall(),
    }


def test_verdicts_made_in_the_reading_threads_equal_those_made_at_merge(tmp_path):
    """The same files, judged early (beside parsing) or at merge time, load the same."""
    from transforms.ingest.engine import ingest_paths
    from transforms.warehouse import connect

    raw = tmp_path / "raw"
    raw.mkdir()
    for day, co in ((2, 0.7), (3, 40.0), (4, 85.0), (5, 0.9), (6, 1.1)):
        cnemc_file(raw / f"china_sites_201901{day:02d}.csv", f"201901{day:02d}", co)
    write_toy(raw / "toy_20190102.csv", clean_day() + station_hour("S3", 3, pm10=-4))
    states = []
    for name in ("early", "at_merge"):
        con = connect(tmp_path / f"{name}.duckdb")
        hook = make_batch_validator(con, "run-e")
        # a plain function has no `early`: every file is judged in the merge thread
        validate = hook if name == "early" else (lambda parsed, path, h=hook: h(parsed, path))
        results = ingest_paths(con, [raw], "run-e", validate=validate)
        assert [r.status for r in results].count("rejected") == 1
        assert hook.files == 6
        assert hook.files_judged_early == (6 if name == "early" else 0)
        states.append(loaded_state(con))
        con.close()
    early, at_merge = states
    assert early == at_merge
    assert [r[3] for r in early["quarantine"]] == ["plausible_pm10"]


def test_an_early_verdict_made_before_the_registry_changed_is_made_again(registered, tmp_path):
    con = registered
    hook = make_batch_validator(con, "run-r")
    path = write_toy(tmp_path / "s3_20190102.csv", clean_day(("S3",)))
    from transforms.ingest.engine import read_file

    parsed = read_file(path, lambda sha: False).parsed
    early = hook.early(parsed, path)
    assert early is not None
    stale = {r.expectation: r.unexpected_count for r in early.rows}
    assert stale["station_registered"] == 24 * 6  # S3 is not registered yet
    # a station list registering S3 passes the hook (as in the same ingest run)
    con.execute("insert into stations (station_code, station_name, source) "
                "values ('S3', 'three', 'config')")
    station_list = ParsedFile("station_list", {"stations": pa.table({
        "station_code": ["S3"], "station_name": ["three"]})})
    hook(station_list, tmp_path / "stations.csv")
    outcome = hook(parsed, path, early)
    assert hook.files_judged_early == 0  # judged again with the new registry
    outcome.record(con)
    assert results(con, "s3_20190102.csv")["station_registered"][2:4] == (True, 0)
