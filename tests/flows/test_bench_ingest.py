"""The ingest benchmark: figures of a small load and DuckDB's typed read of the same files."""

from __future__ import annotations

import pytest

from flows.bench_ingest import bench_ingest, peak_rss_bytes
from tests.transforms.ingest.formats.test_cnemc import wide_text, write


def test_bench_reports_rows_time_memory_and_baseline(tmp_path):
    folder = tmp_path / "in"
    write(folder / "china_sites_20190105.csv.xz", wide_text())
    write(folder / "china_sites_20190106.csv.xz", wide_text(day="20190106"))
    figures = bench_ingest([folder], tmp_path / "bench.duckdb", isolate=False)
    assert figures["files"] == 2 and figures["by_status"] == {"loaded": 2}
    assert figures["rows"] == 2 * (47 + 72)
    assert figures["table_rows"]["air_station_hourly"] == 2 * 47
    assert figures["wall_s"] > 0 and figures["rows_per_s"] > 0
    assert figures["peak_rss_mb"] >= 1
    assert figures["baseline"]["rows_read"] == 2 * 3 * 15
    assert figures["baseline"]["duckdb_typed_read_s"] >= 0
    with pytest.raises(FileExistsError):
        bench_ingest([folder], tmp_path / "bench.duckdb")


def test_peak_rss_is_read():
    assert peak_rss_bytes() > 10_000_000
