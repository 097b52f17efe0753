"""pivot_grid (the parser's layout) gives what pivot_wide (grouping the rows) gives."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from expectations.batch import validate_parsed
from expectations.frames import pivot_grid, pivot_wide, prepared
from expectations.suites.context import BatchContext, file_date
from tests.transforms.test_ingest_cnemc import wide_text, write
from transforms.ingest_cnemc import parse_sites
from transforms.rules import POLLUTANTS

TABLE = "air_station_hourly"


def assert_same_pivot(path: Path) -> None:
    parsed = parse_sites(path)
    grid = parsed.grids[TABLE]
    assert grid.rows is parsed.tables[TABLE]
    from_grid = pivot_grid(grid, POLLUTANTS, "pollutant", "value")
    assert from_grid is not None
    wide, cell_rows, codes = from_grid
    want_wide, want_cells, want_codes = pivot_wide(prepared(grid.rows), POLLUTANTS,
                                                   "pollutant", "value")
    assert wide.schema == want_wide.schema
    assert wide.select(["station_code", "ts"]).equals(want_wide.select(["station_code", "ts"]))
    for p in POLLUTANTS:  # NaN = no value, equal to NaN here
        np.testing.assert_array_equal(wide[p].to_numpy(), want_wide[p].to_numpy())
    for p in POLLUTANTS:
        np.testing.assert_array_equal(cell_rows[p], want_cells[p])
    for key in ("station_code", "pollutant", ("station_code", "ts", "pollutant")):
        np.testing.assert_array_equal(codes[key], want_codes[key])
    # ts codes: the same grouping and order (hour index vs hours since the first)
    np.testing.assert_array_equal(np.unique(codes["ts"], return_inverse=True)[1],
                                  np.unique(want_codes["ts"], return_inverse=True)[1])
    # and the gate's verdict is the same either way
    ctx = BatchContext(file_date(path))
    with_grid, rows_grid = validate_parsed(parsed, path, ctx)
    without, rows_plain = validate_parsed(replace(parsed, grids={}), path, ctx)
    assert rows_grid == rows_plain
    assert with_grid.rejected == without.rejected
    assert with_grid.parsed.quarantine.equals(without.parsed.quarantine)
    assert with_grid.parsed.tables[TABLE].equals(without.parsed.tables[TABLE])


def test_grid_of_a_file_with_gaps_pivots_as_the_rows_do(tmp_path):
    # the fixture leaves cells empty (1003A at hour 1, 1002A's PM10 at hour 23)
    assert_same_pivot(write(tmp_path / "china_sites_20190105.csv", wide_text()))


def test_a_repeated_row_loads_once_and_pivots_as_the_rows_do(tmp_path):
    text = wide_text()
    repeated = next(line for line in text.split("\r\n") if ",PM2.5," in line)
    path = write(tmp_path / "china_sites_20190105.csv", text + "\r\n" + repeated)
    assert "3 cells repeated with the same value (loaded once)" in parse_sites(path).notes
    assert_same_pivot(path)


def test_a_grid_with_a_repeated_hour_measure_slot_is_not_used(tmp_path):
    grid = parse_sites(write(tmp_path / "china_sites_20190105.csv", wide_text())).grids[TABLE]
    names = list(grid.slot_name)
    names[1] = names[0]  # two slots of the same hour now claim the same pollutant
    assert pivot_grid(replace(grid, slot_name=tuple(names)), POLLUTANTS, "pollutant",
                      "value") is None
    outside = replace(grid, slot_name=("aqi", *grid.slot_name[1:]))
    assert pivot_grid(outside, POLLUTANTS, "pollutant", "value") is None


@pytest.mark.realdata
@pytest.mark.parametrize("day", ["20190102", "20190110", "20191222"])
def test_grid_of_real_files_pivots_as_the_rows_do(shared_data, day):
    path = shared_data / "cnemc_china_sites_2019" / "xz" / f"china_sites_{day}.csv.xz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    assert_same_pivot(path)
