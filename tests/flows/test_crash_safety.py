"""Killing a run at any moment leaves the published warehouse at the last good state.

The loop test SIGKILLs `envq run --no-prefect` at seeded random moments while it loads a
second batch of files, and checks after every kill that the published database is exactly
the state before the batch or exactly the state after it, never a mix; then one run to the
end must give the same warehouse as a single clean run over all the files.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.publish import open_working, publish, start_working, writer_lock
from tests.flows.processes import kill, start_envq

# the warehouse contract's tables (docs/analysts.md); bookkeeping such as validation_results
# grows with every run and is not part of the state compared here
CONTRACT_TABLES = (
    "stations",
    "regions",
    "air_station_hourly",
    "air_city_daily",
    "air_region_annual",
    "water_section_samples",
    "water_section_period",
    "targets",
    "target_progress",
    "load_log",
    "quarantine",
)
DATA_TABLES = ("air_station_hourly", "air_station_published_wide", "water_section_samples",
               "rectification_snapshots")
KILLS = 6


def test_start_working_discards_what_a_killed_run_left(tmp_path):
    published = tmp_path / "envq.duckdb"
    work = tmp_path / "envq.work.duckdb"
    con = open_working(published, work)
    con.execute("create table t as select 1 as v")
    con.close()
    publish(work, published)
    assert not work.exists()
    # a writer killed mid-run: its working file holds a half state and an unreplayed WAL
    script = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('pragma disable_checkpoint_on_shutdown')\n"
        "con.execute('create or replace table t as select 2 as v')\n"
        "os._exit(9)\n"
    )
    shutil.copyfile(published, work)
    subprocess.run([sys.executable, "-c", script, str(work)], check=False)  # noqa: S603
    assert work.with_name(work.name + ".wal").exists()
    stray = tmp_path / f".{work.name}.12345.tmp"
    stray.write_bytes(b"half a copy")
    with writer_lock(work):
        start_working(published, work)
    assert not stray.exists()
    assert not work.with_name(work.name + ".wal").exists()
    con = open_working(published, work)
    assert con.execute("select v from t").fetchall() == [(1,)]
    con.close()


def test_publish_folds_a_left_wal_into_the_file(tmp_path):
    published = tmp_path / "envq.duckdb"
    work = tmp_path / "envq.work.duckdb"
    script = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('pragma disable_checkpoint_on_shutdown')\n"
        "con.execute('create table t as select 3 as v')\n"
        "con.close()\n"
    )
    subprocess.run([sys.executable, "-c", script, str(work)], check=True)  # noqa: S603
    assert work.with_name(work.name + ".wal").exists()
    publish(work, published)
    assert not published.with_name(published.name + ".wal").exists()
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("select v from t").fetchall() == [(3,)]
    con.close()


def _state(published: Path) -> dict[str, object]:
    """Row counts of the contract tables, each file's rows, and target_progress in full."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        counts = {
            t: con.execute(f"select count(*) from {t}").fetchall()[0][0]  # noqa: S608
            for t in CONTRACT_TABLES
        }
        union = " union all ".join(f"select source_file from {t}" for t in DATA_TABLES)  # noqa: S608
        files = con.execute(
            f"with u as ({union}) "  # noqa: S608
            "select l.path, l.status, l.rows_loaded, l.rows_quarantined, count(u.source_file) "
            "from load_log l left join u on u.source_file = l.path group by all order by 1"
        ).fetchall()
        orphans = con.execute(
            f"with u as ({union}) select count(*) from u "  # noqa: S608
            "where source_file not in (select path from load_log where status = 'loaded')"
        ).fetchall()[0][0]
        # settled to 1e-9: parallel float sums differ by ~1e-13 from one build to the next
        progress = [
            tuple(round(v, 9) if isinstance(v, float) else v for v in row)
            for row in con.execute("select * from target_progress order by all").fetchall()
        ]
    finally:
        con.close()
    # no file counted as loaded without its rows, no rows without their file in load_log
    for path, status, rows_loaded, _, in_tables in files:
        if status == "loaded" and rows_loaded > 0:
            assert in_tables > 0, f"{path} is logged as loaded but has no rows"
    assert orphans == 0
    return {"counts": counts, "files": files, "target_progress": progress}


def _difference(state: dict, before: dict, complete: dict) -> str:
    """Which parts of a published state match the state before, the complete one, or neither."""

    def like(key: str) -> str:
        if state[key] == before[key]:
            return "before"
        return "complete" if state[key] == complete[key] else "neither"

    parts = ", ".join(f"{key}: {like(key)}" for key in state)
    counts = {
        k: (v, before["counts"][k], complete["counts"][k]) for k, v in state["counts"].items()
    }
    return f"a killed run published a half-built state ({parts}; counts {counts})"


def _envq_run(raw: Path, warehouse: Path, reports: Path) -> subprocess.Popen[bytes]:
    return start_envq(
        "run", "--no-prefect", "--raw", str(raw), "--warehouse", str(warehouse),
        env={"ENVQ_REPORTS": str(reports)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _finish(proc: subprocess.Popen[bytes]) -> None:
    try:
        _, err = proc.communicate(timeout=600)
    finally:
        kill(proc)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]


def _kill_after(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL the run's process group after delay seconds; True if it had finished first."""
    try:
        proc.wait(timeout=delay)
        return True
    except subprocess.TimeoutExpired:
        kill(proc)
        return False


@pytest.mark.e2e  # slow: about ten runs of the pipeline, though not through Prefect
def test_killing_runs_at_random_moments_never_publishes_a_half_state(tmp_path):
    from transforms.sample.data import write_sample

    sample = tmp_path / "sample"
    write_sample(sample, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 6))
    second = [p for p in sample.glob("air/china_sites_*.csv") if p.stem >= "china_sites_20260104"]
    assert len(second) == 3
    raw = tmp_path / "raw"
    reports = tmp_path / "reports"
    shutil.copytree(sample, raw)

    # the answer: one clean run over both batches
    _finish(_envq_run(raw, tmp_path / "ref" / "envq.duckdb", reports))
    complete = _state(tmp_path / "ref" / "envq.duckdb")

    # the last good state: the first batch alone
    for path in second:
        (raw / path.relative_to(sample)).unlink()
    warehouse = tmp_path / "wh" / "envq.duckdb"
    t0 = time.monotonic()
    _finish(_envq_run(raw, warehouse, reports))
    run_seconds = time.monotonic() - t0
    before = _state(warehouse)
    assert before["counts"]["load_log"] < complete["counts"]["load_log"]

    last_good = tmp_path / "last_good.duckdb"
    shutil.copyfile(warehouse, last_good)
    for path in second:
        shutil.copyfile(path, raw / path.relative_to(sample))
    rng = random.Random(20260301)
    seen = []
    for _ in range(KILLS):
        delay = rng.uniform(0.5, run_seconds)
        finished = _kill_after(_envq_run(raw, warehouse, reports), delay)
        state = _state(warehouse)
        assert state in (before, complete), _difference(state, before, complete)
        seen.append((round(delay, 1), "finished" if finished else "killed", state == complete))
        if state == complete:  # the kill came after the publication: try the batch again
            shutil.copyfile(last_good, warehouse)

    _finish(_envq_run(raw, warehouse, reports))
    assert _state(warehouse) == complete
    leftovers = {p.name for p in warehouse.parent.iterdir()}
    assert leftovers == {"envq.duckdb", "envq.work.lock"}, seen
