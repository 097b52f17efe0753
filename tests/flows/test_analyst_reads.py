"""An analyst's read-only connection and the nightly run, at the same time.

The analyst keeps reading the state published before the run, never blocks it and never sees
a half-built state; once the run has published, a new connection sees the new state.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.flows.processes import kill, start_envq

pytestmark = pytest.mark.e2e

READ = (
    "select (select count(*) from load_log), (select count(*) from air_station_hourly), "
    "(select max(date) from air_city_daily), (select count(*) from target_progress)"
)


def _run(raw: Path, warehouse: Path, tmp: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {"ENVQ_REPORTS": str(tmp / "reports"), "PREFECT_HOME": str(tmp / "prefect")}
    return start_envq("run", "--raw", str(raw), "--warehouse", str(warehouse), *extra, env=env)


def _read_in_another_process(warehouse: Path) -> tuple:
    code = (
        "import duckdb, sys\n"
        f"row = duckdb.connect(sys.argv[1], read_only=True).execute({READ!r}).fetchall()[0]\n"
        "print(*row)"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, str(warehouse)], capture_output=True, text=True, check=True
    )
    files, values, last_day, progress = out.stdout.split()
    return int(files), int(values), dt.date.fromisoformat(last_day), int(progress)


def test_analyst_reads_the_old_state_while_the_nightly_run_publishes(tmp_path):
    from transforms.sample.data import write_sample

    sample = tmp_path / "sample"
    write_sample(sample, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 6))
    later = sorted(sample.glob("air/china_sites_*.csv"))[-2:]
    raw = tmp_path / "raw"
    shutil.copytree(sample, raw)
    for path in later:
        (raw / path.relative_to(sample)).unlink()
    warehouse = tmp_path / "wh" / "envq.duckdb"
    first = _run(raw, warehouse, tmp_path, "--no-prefect")
    try:
        out, _ = first.communicate(timeout=600)
    finally:
        kill(first)
    assert first.returncode == 0, out.decode(errors="replace")[-2000:]

    analyst = duckdb.connect(str(warehouse), read_only=True)
    old = analyst.execute(READ).fetchall()[0]
    assert old[2] == dt.date(2026, 1, 4)  # the files of 1 to 4 January
    for path in later:
        shutil.copyfile(path, raw / path.relative_to(sample))

    nightly = _run(raw, warehouse, tmp_path)  # through Prefect, as `envq run` is
    reads = 0
    try:
        deadline = time.monotonic() + 600
        while nightly.poll() is None and time.monotonic() < deadline:
            assert analyst.execute(READ).fetchall()[0] == old
            reads += 1
            time.sleep(0.2)
        out, _ = nightly.communicate(timeout=30)
    finally:
        kill(nightly)
    text = out.decode(errors="replace")
    assert nightly.returncode == 0, text[-3000:]
    assert reads >= 20  # the analyst read all along the run (~30 s or more)

    assert analyst.execute(READ).fetchall()[0] == old  # the analyst's session is unchanged
    new = _read_in_another_process(warehouse)  # a new session elsewhere sees the new night
    assert new[0] == old[0] + 2
    assert new[1] > old[1]
    assert new[2] == dt.date(2026, 1, 6)
    analyst.close()
    # in the same process DuckDB shares the open file: a new connection sees the new state
    # once the old connections are closed
    again = duckdb.connect(str(warehouse), read_only=True)
    assert again.execute(READ).fetchall()[0] == new
    again.close()
