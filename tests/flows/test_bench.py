"""`envq bench` on a tiny national sample: every step is measured and the counts agree.

No timing is asserted (speed is what the bench reports); the test checks that each step ran,
gave positive figures, and that rows, files and regions are consistent with each other.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from flows.bench import GOALS_S, run_bench

STATIONS, DAYS = 10, 3  # two made-up cities of five stations, three days (+ one nightly day)


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "figures.json"
    assert run_bench(None, str(out), STATIONS, DAYS, bench_dir=folder, progress=False) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    return folder, result, {s["step"]: s for s in result["steps"]}


def test_every_step_is_there_with_positive_times(bench):
    _, result, steps = bench
    expected = {
        "generate national sample",
        "national configuration",
        "ingest national synthetic",
        "load configuration",
        "validate (whole warehouse)",
        "build marts (full rebuild)",
        "report (every region)",
        "generate one more day",
        "nightly increment (total)",
        *(
            f"  nightly {s}"
            for s in (
                "start (working copy)",
                "sample",
                "raw",
                "configure",
                "ingest",
                "validate",
                "build",
                "publish",
                "report",
            )
        ),
    }
    assert set(steps) == expected
    # a rename (publish) or a tiny working copy can take less than the 10 ms shown
    instant = {
        "national configuration",
        "  nightly publish",
        "  nightly start (working copy)",
        "  nightly sample",  # the bench names its raw folder: nothing to generate
        "  nightly raw",  # the demo home: no check of an empty raw folder
    }
    timed = [s for s in result["steps"] if s["step"] not in instant]
    assert all(s["wall_s"] > 0 for s in timed), [s["step"] for s in timed if s["wall_s"] <= 0]
    assert all(s["wall_s"] >= 0 for s in result["steps"] if "wall_s" in s)
    assert result["stations"] == STATIONS and result["days"] == DAYS
    assert [g["step"] for g in result["goals"]] == list(GOALS_S)
    assert all(g["measured_s"] > 0 for g in result["goals"])
    assert (bench[0] / "figures.json").exists() and not (bench[0] / "bench.json").exists()


def test_ingest_figures_agree_with_the_warehouse(bench):
    _, _, steps = bench
    ingest = steps["ingest national synthetic"]
    files = DAYS + 1  # one china_sites file a day and the station list
    assert ingest["files"] == files
    assert ingest["by_status"] == {"loaded": files}
    assert ingest["table_rows"]["load_log"] == files
    assert ingest["rows"] > 0 and ingest["rows_per_s"] > 0 and ingest["peak_rss_mb"] > 0
    assert ingest["table_rows"]["stations"] >= STATIONS
    assert ingest["baseline"]["duckdb_typed_read_s"] > 0
    assert ingest["baseline"]["rows_read"] > 0


def test_national_configuration_puts_every_station_in_a_city(bench):
    folder, _, steps = bench
    assert steps["national configuration"]["cities"] == STATIONS // 5
    assert steps["national configuration"]["stations"] == STATIONS
    con = duckdb.connect(str(folder / "national.duckdb"), read_only=True)
    try:
        per_city = con.execute(
            "select region_code, count(aqi) from air_city_daily "
            "where region_code like '99%' group by region_code order by region_code"
        ).fetchall()
    finally:
        con.close()
    assert per_city == [("990001", DAYS), ("990002", DAYS)]  # the marts hold the made-up cities
    assert steps["build marts (full rebuild)"]["regions_with_air"] >= 2
    marts = steps["build marts (full rebuild)"]["marts"]
    assert steps["build marts (full rebuild)"]["rows"] == sum(marts.values())


def test_nightly_increment_adds_one_day_and_sums_its_stages(bench):
    folder, result, steps = bench
    ingest = steps["  nightly ingest"]
    assert ingest["by_status"] == {"loaded": 1, "skipped": 1}  # the day; the same station list
    assert ingest["rows"] > 0
    assert steps["  nightly validate"]["ok"] is True
    stages = [s for s in result["steps"] if s["step"].startswith("  nightly ")]
    total = steps["nightly increment (total)"]["wall_s"]
    assert total == pytest.approx(sum(s["wall_s"] for s in stages), abs=0.05)
    con = duckdb.connect(str(folder / "nightly.duckdb"), read_only=True)
    try:
        days = con.execute(
            "select count(aqi) from air_city_daily where region_code = '990001'"
        ).fetchall()[0][0]
        progress = con.execute(
            "select count(*) from target_progress where region_code like '99%'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert days == DAYS + 1
    assert progress > 0


def test_reports_are_measured_or_their_error_recorded(bench):
    _, _, steps = bench
    for name in ("report (every region)", "  nightly report"):
        step = steps[name]
        assert ("error" in step) or (step["files"] > 0 and step["output_mb"] > 0)


def test_real_steps_measure_the_gate_the_validation_and_its_share(tmp_path):
    """--real: a bare ingest, an ingest gated as in a run, then the run's validation."""
    from flows.bench import VALIDATION_SHARE_GOAL, _goals, _real_steps
    from tests.expectations.test_batch import cnemc_file

    raw = tmp_path / "raw"
    raw.mkdir()
    for day in (2, 3, 4):
        cnemc_file(raw / f"china_sites_201901{day:02d}.csv", f"201901{day:02d}", 0.7)
    bare, gated, validation = _real_steps(tmp_path, raw, progress=False)
    assert bare["step"] == "ingest real" and gated["step"] == "ingest real, gated as in a run"
    # 3 files x 2 stations x 3 hours x 6 pollutants hourly values, all clean: the same load
    assert bare["table_rows"]["air_station_hourly"] == 3 * 2 * 3 * 6
    assert gated["table_rows"] == bare["table_rows"] and gated["rows"] == bare["rows"]
    assert "baseline" in bare and "baseline" not in gated
    assert validation["files_judged_early"] == 3 and validation["files_rejected"] == 0
    assert validation["wall_s"] == validation["warehouse_s"] > 0
    assert "sql station_hourly" in validation["warehouse_timings_s"]
    share = (gated["wall_s"] - bare["wall_s"] + validation["warehouse_s"]) / bare["wall_s"]
    assert validation["validation_share"] == round(share, 3)
    goal = _goals([bare, gated, validation])[-1]
    assert goal == {"step": "validation share of the real ingest",
                    "limit": VALIDATION_SHARE_GOAL, "measured": round(share, 3),
                    "met": share < VALIDATION_SHARE_GOAL}


def test_real_build_step_builds_every_listed_city(tmp_path):
    """--real: the station lists beside the real files give the stations their cities, then
    every mart is rebuilt; the step counts the cities with a year's value."""
    from flows.bench import REAL_BUILD_STEP, _goals, real_build_step
    from tests.transforms.ingest.formats.test_cnemc import wide_text
    from transforms.ingest.engine import ingest_paths
    from transforms.warehouse import connect

    values = {"PM2.5": "30", "PM10": "50", "SO2": "10", "NO2": "30", "O3": "80", "CO": "0.8"}
    raw, lists = tmp_path / "xz", tmp_path / "stations"
    raw.mkdir()
    lists.mkdir()
    for day in ("20190105", "20190106"):
        (raw / f"china_sites_{day}.csv").write_text(wide_text(
            day, list(range(24)), ["2643A", "2644A"], lambda h, k, s: values.get(k, "")))
    (lists / "list.csv").write_text(
        "监测点编码,监测点名称,城市,经度,纬度\n2643A,安康市监测站,安康,109.03,32.69\n"
        "2644A,汉滨区检察院,安康,109.01,32.70\n", encoding="utf-8")
    db = tmp_path / "real.duckdb"
    con = connect(db)
    ingest_paths(con, [raw])
    con.close()
    step = real_build_step(raw, db)
    assert step["step"] == REAL_BUILD_STEP and step["station_lists"] == [str(lists)]
    assert step["cities_with_annual_value"] == 1  # 安康 610900, from the list's city name
    assert step["wall_s"] > 0 and step["cpu_s"] > 0
    assert step["marts"]["air_city_daily"] > 0
    assert [g["step"] for g in _goals([step])] == [
        "build marts (full rebuild)", "nightly increment (total)", REAL_BUILD_STEP]
