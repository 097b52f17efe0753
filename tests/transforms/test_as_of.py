"""One as-of per domain (transforms/as_of.py): each domain stands on its own last data day,
never past it; the run's as-of is the later one unless asked."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.as_of import domain_as_of, last_data_day, run_as_of
from transforms.warehouse import connect


@pytest.fixture
def wh(tmp_path):
    con = connect(tmp_path / "wh.duckdb")
    # air: hour-ending 2026-10-22 00:00 closes 21 October (the last natural day with data)
    con.execute(
        "insert into air_station_hourly (station_code, ts, pollutant, value, data_kind,"
        " source_file) values ('S1', '2026-10-21 01:00', 'pm25', 30, 'audited', 't'),"
        " ('S1', '2026-10-22 00:00', 'pm25', 30, 'audited', 't')"
    )
    # water ten days ahead
    con.execute(
        "insert into water_section_samples (section_code, sampled_at, parameter, value, method,"
        " source_file) values ('W1', '2026-10-31 08:00', 'nh3n', 0.5, 'manual', 't')"
    )
    yield con
    con.close()


def test_each_domain_has_its_own_last_day(wh):
    assert last_data_day(wh, "air") == dt.date(2026, 10, 21)
    assert last_data_day(wh, "water") == dt.date(2026, 10, 31)
    # no --as-of: each its own day; the run is keyed by the later one
    assert domain_as_of(wh, "air", None) == dt.date(2026, 10, 21)
    assert domain_as_of(wh, "water", None) == dt.date(2026, 10, 31)
    assert run_as_of(wh, None) == dt.date(2026, 10, 31)


def test_as_of_never_past_the_data(wh):
    # asked for 5 November: both stop at their data (the days after are missing, not
    # elapsed); asked for 15 October: both stop there
    asked = dt.date(2026, 11, 5)
    assert domain_as_of(wh, "air", asked) == dt.date(2026, 10, 21)
    assert domain_as_of(wh, "water", asked) == dt.date(2026, 10, 31)
    assert run_as_of(wh, asked) == asked
    early = dt.date(2026, 10, 15)
    assert domain_as_of(wh, "air", early) == early == domain_as_of(wh, "water", early)


def test_no_data_falls_back_to_the_asked_day(tmp_path):
    con = connect(tmp_path / "empty.duckdb")
    assert last_data_day(con, "air") is None
    assert domain_as_of(con, "air", dt.date(2026, 5, 1)) == dt.date(2026, 5, 1)
    con.close()
