"""The station-hourly suite on real 2019 CNEMC files (skipped without ../shared/data)."""

from __future__ import annotations

import pytest

from expectations.batch import validate_parsed
from expectations.suites.context import BatchContext, file_date
from transforms.ingest.formats.cnemc import parse_sites

pytestmark = pytest.mark.realdata


def check(shared_data, day: str) -> tuple[object, dict]:
    path = shared_data / "cnemc_china_sites_2019" / "xz" / f"china_sites_{day}.csv.xz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    outcome, rows = validate_parsed(parse_sites(path), path, BatchContext(file_date(path)))
    return outcome, {r.expectation: r for r in rows if r.suite == "station_hourly"}


def test_a_january_file_passes_everything(shared_data):
    outcome, found = check(shared_data, "20190102")
    assert not outcome.rejected
    assert [name for name, r in found.items() if not r.success] == []
    assert found["grain_unique"].element_count == 198086


def test_december_inversions_are_flagged_not_quarantined(shared_data):
    # from late April 2019 the platform stops blanking inverted PM pairs
    outcome, found = check(shared_data, "20191222")
    assert not outcome.rejected
    assert found["pm25_le_pm10"].unexpected_count == 1857
    assert outcome.parsed.quarantine.num_rows == 0


def test_co_of_90_between_readings_of_2_is_quarantined(shared_data):
    outcome, found = check(shared_data, "20190110")
    assert found["co_value_mg_per_m3"].unexpected_count == 1
    assert found["co_value_mg_per_m3"].unexpected_sample == \
        "station_code=2170A ts=2019-01-10 10:00 co=90"
    (entry,) = [q for q in outcome.parsed.quarantine.to_pylist()
                if q["reason"] == "co_value_mg_per_m3"]
    assert entry["raw"] == "station_code=2170A ts=2019-01-10 10:00:00 pollutant=co value=90"
