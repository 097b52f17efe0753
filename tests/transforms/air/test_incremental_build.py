"""The nightly increment of the marts equals a full rebuild of the same data.

A synthetic sample (envq sample, 2025-12-01 .. 2026-02-28, the configured stations) is loaded
in two batches and built after each, the second time as the nightly run does (incremental).
Every mart is then compared with a full rebuild of a copy: equal row sets, EXCEPT ALL both
ways with doubles rounded to 9 decimals (the rows left must pair up and differ by less than
1e-9: parallel float sums differ by ~1e-13 between runs). Then a corrected file re-sent for
a day already loaded, the same way; and the cases that must fall back to a full build.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from flows import stages
from flows.settings import Settings
from transforms.air.period_scope import PeriodScope
from transforms.sample.data import write_sample
from transforms.warehouse import connect

REPO = Path(__file__).resolve().parents[3]
FIRST_BATCH_LAST_FILE = "china_sites_20260115.csv"
MARTS = (
    "air_region_hourly_wide",
    "air_city_daily",
    "air_region_period",
    "air_rankings",
    "county_rankings",
    "target_progress",
    "water_section_period",
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("incr") / "sample"
    write_sample(folder, start=dt.date(2025, 12, 1), end=dt.date(2026, 2, 28))
    return folder


@pytest.fixture(scope="module")
def batches(sample: Path, tmp_path_factory) -> tuple[Path, Path]:
    """Batch 1: station list, water, air files up to 15 January; batch 2: the later air files."""
    root = tmp_path_factory.mktemp("batches")
    first, second = root / "first", root / "second"
    shutil.copytree(sample, first, ignore=shutil.ignore_patterns("china_sites_*"))
    (second / "air").mkdir(parents=True)
    for path in sorted((sample / "air").glob("china_sites_*.csv")):
        dest = first if path.name <= FIRST_BATCH_LAST_FILE else second
        shutil.copy(path, dest / "air" / path.name)
    return first, second


@pytest.fixture(scope="module")
def after_first(batches, tmp_path_factory) -> Path:
    """A warehouse with the first batch loaded and built (a full build: no state yet)."""
    db = tmp_path_factory.mktemp("first") / "wh.duckdb"
    nightly(db, batches[0])
    return db


def settings(db: Path) -> Settings:
    return Settings(
        warehouse=db,
        config_dir=REPO / "data" / "config",
        targets=REPO / "data" / "targets.yaml",
        reports_dir=db.parent / "reports",
    )


def nightly(db: Path, folder: Path) -> None:
    """Configure, ingest and build as the nightly run does (incremental build)."""
    con = connect(db)
    try:
        stages.load_configuration(con, settings(db))
        stages.ingest(con, [folder], "test-run", validate=False)
        stages.build(con, None, None, incremental=True)
    finally:
        con.close()


def full_rebuild(db: Path, copy: Path) -> Path:
    shutil.copyfile(db, copy)
    con = connect(copy)
    try:
        stages.build(con, None, None)
    finally:
        con.close()
    return copy


def differences(left: Path, right: Path, table: str) -> tuple[int, int]:
    """Rows of table only in left and only in right, doubles rounded to 9 decimals. Rows that
    differ only by float noise (< 1e-9 on every double, all else equal) are not counted."""
    con = duckdb.connect(str(left), read_only=True)
    try:
        con.execute("attach ? as other (read_only)", [str(right)])
        cols = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = ?"
            " and database_name = current_database() order by column_index",
            [table],
        ).fetchall()
        doubles = [c for c, t in cols if t == "DOUBLE"]
        others = [c for c, _ in cols if c not in doubles]
        shown = ", ".join(
            f'round("{c}", 9) as "{c}"' if c in doubles else f'"{c}"' for c, _ in cols
        )
        only = [
            con.execute(
                f"select {shown} from {a}.{table} except all select {shown} from {b}.{table}"  # noqa: S608
            )
            .df()
            .sort_values(others, kind="stable")
            .reset_index(drop=True)
            for a, b in (("main", "other"), ("other", "main"))
        ]
    finally:
        con.close()
    a, b = only
    if len(a) == len(b) and a[others].astype(str).equals(b[others].astype(str)):
        noise = all(
            np.allclose(a[c].astype(float), b[c].astype(float), rtol=0, atol=1e-9, equal_nan=True)
            for c in doubles
        )
        if noise:
            return 0, 0
    return len(a), len(b)


def test_increment_equals_full_rebuild(after_first, batches, tmp_path, caplog):
    db = tmp_path / "wh.duckdb"
    shutil.copyfile(after_first, db)
    with caplog.at_level(logging.INFO, logger="envq"):
        nightly(db, batches[1])
    assert "air marts: increment" in caplog.text
    ref = full_rebuild(db, tmp_path / "full.duckdb")
    for table in MARTS:
        assert differences(db, ref, table) == (0, 0), table
    con = duckdb.connect(str(db), read_only=True)
    try:
        last_day, n_days = con.execute(
            "select max(date), count(distinct date) from air_city_daily"
        ).fetchall()[0]
        years = con.execute(
            "select list(distinct year order by year) from air_region_period"
        ).fetchall()[0][0]
    finally:
        con.close()
    # hour 23 of the 28 Feb file ends at 1 March 00:00, the last hour of natural day 28 Feb
    assert last_day == dt.date(2026, 2, 28)
    assert n_days == (dt.date(2026, 2, 28) - dt.date(2025, 1, 1)).days + 1  # calendar from 1 Jan
    assert years == [2025, 2026]


def test_corrected_file_for_loaded_day_equals_full_rebuild(after_first, sample, tmp_path, caplog):
    db = tmp_path / "wh.duckdb"
    shutil.copyfile(after_first, db)
    before = pm25_of(db, dt.date(2026, 1, 10))
    resent = tmp_path / "resent" / "air"
    resent.mkdir(parents=True)
    original = (sample / "air" / "china_sites_20260110.csv").read_text(encoding="utf-8")
    (resent / "china_sites_20260110.csv").write_text(raise_pm25(original), encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="envq"):
        nightly(db, resent.parent)
    assert "air marts: increment" in caplog.text
    after = pm25_of(db, dt.date(2026, 1, 10))
    assert after > before + 10  # hours 1..23 of the day went up by 20 at every station
    ref = full_rebuild(db, tmp_path / "full.duckdb")
    for table in MARTS:
        assert differences(db, ref, table) == (0, 0), table


def test_changed_dust_flags_make_a_full_build(after_first, batches, tmp_path, caplog):
    db = tmp_path / "wh.duckdb"
    shutil.copyfile(after_first, db)
    config = tmp_path / "config"
    shutil.copytree(REPO / "data" / "config", config)
    with open(config / "dust_days.csv", "a", encoding="utf-8") as fh:
        fh.write("620800,2026-01-05,test\n")
    con = connect(db)
    try:
        stages.load_configuration(
            con, Settings(warehouse=db, config_dir=config, targets=REPO / "data" / "targets.yaml")
        )
        with caplog.at_level(logging.INFO, logger="envq"):
            stages.build(con, None, None, incremental=True)
    finally:
        con.close()
    assert "air marts: full build" in caplog.text


def test_period_scope_of_a_changed_day():
    scope = PeriodScope.for_changes([2025], years_present=range(2024, 2027), as_of_moved=False)
    assert scope == PeriodScope(out_years=(2025, 2026), in_years=(2024, 2025, 2026), all_ytd=False)
    last = PeriodScope.for_changes([2026], years_present=range(2024, 2027), as_of_moved=True)
    assert last == PeriodScope(out_years=(2026,), in_years=(2025, 2026), all_ytd=True)
    assert PeriodScope.for_changes([], range(2024, 2027), True).out_years == ()


def raise_pm25(csv_text: str) -> str:
    """The same file with every PM2.5 value 20 higher (empty cells stay empty)."""
    lines = csv_text.splitlines()
    out = lines[:1]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[2] == "PM2.5":
            cells[3:] = [str(int(c) + 20) if c else c for c in cells[3:]]
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


def pm25_of(db: Path, day: dt.date) -> float:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select avg(pm25) from air_city_daily where date = ?", [day]).fetchall()[
            0
        ][0]
    finally:
        con.close()
