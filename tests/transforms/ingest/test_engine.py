"""The ingest framework: idempotent, atomic, corrections and audited-over-realtime."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from transforms.ingest.engine import (
    FormatSpec,
    ParsedFile,
    ingest_file,
    ingest_paths,
    register_format,
)

# A toy long format used only by these tests: "TOYAIR" header, then station,ts,pollutant,value,kind


def _toy_detect(path: Path, head: bytes) -> bool:
    return head.startswith(b"TOYAIR")


def _toy_parse(path: Path) -> ParsedFile:
    lines = path.read_text().splitlines()[1:]
    rows = [line.split(",") for line in lines]
    if any(r[0] == "CRASH" for r in rows):
        rows = [r for r in rows if r[0] != "CRASH"] + [["X", "bad-ts", "pm25", "1", "realtime"]]
    table = pa.table(
        {
            "station_code": [r[0] for r in rows],
            "ts": [r[1] for r in rows],
            "pollutant": [r[2] for r in rows],
            "value": [float(r[3]) for r in rows],
            "data_kind": [r[4] for r in rows],
        }
    )
    return ParsedFile("toy", {"air_station_hourly": table})


register_format(FormatSpec("toy", _toy_detect, _toy_parse))


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("TOYAIR\n" + "\n".join(rows) + "\n")
    return path


def _table(con) -> list[tuple]:
    return con.execute(
        "select station_code, ts, pollutant, value, data_kind from air_station_hourly order by all"
    ).fetchall()


TS1 = "2026-01-01 01:00:00"
TS2 = "2026-01-01 02:00:00"


def test_same_bytes_load_once(warehouse, tmp_path):
    f = _write(tmp_path / "a.csv", [f"S1,{TS1},pm25,10,realtime", f"S1,{TS2},pm25,12,realtime"])
    first = ingest_file(warehouse, f)
    again = ingest_file(warehouse, f)
    assert (first.status, first.rows_loaded) == ("loaded", 2)
    assert again.status == "skipped"
    assert len(_table(warehouse)) == 2
    assert warehouse.execute("select count(*) from load_log").fetchone() == (1,)


def test_corrected_file_replaces_exactly_the_changed_values(warehouse, tmp_path):
    ingest_file(warehouse, _write(tmp_path / "a.csv", [f"S1,{TS1},pm25,10,realtime",
                                                       f"S1,{TS2},pm25,12,realtime"]))
    ingest_file(warehouse, _write(tmp_path / "b.csv", [f"S1,{TS2},pm25,13,realtime"]))
    rows = _table(warehouse)
    assert [r[3] for r in rows] == [10.0, 13.0]
    assert warehouse.execute(
        "select source_file from air_station_hourly where value = 13"
    ).fetchone()[0].endswith("b.csv")


def test_audited_replaces_realtime_never_the_reverse(warehouse, tmp_path):
    ingest_file(warehouse, _write(tmp_path / "rt.csv", [f"S1,{TS1},pm25,10,realtime"]))
    ingest_file(warehouse, _write(tmp_path / "au.csv", [f"S1,{TS1},pm25,11,audited"]))
    ingest_file(warehouse, _write(tmp_path / "rt2.csv", [f"S1,{TS1},pm25,99,realtime"]))
    assert _table(warehouse) == [("S1", dt.datetime(2026, 1, 1, 1), "pm25", 11.0, "audited")]


def test_failed_load_leaves_nothing_and_other_files_still_load(warehouse, tmp_path):
    _write(tmp_path / "1good.csv", [f"S1,{TS1},pm25,10,realtime"])
    _write(tmp_path / "2bad.csv", [f"S2,{TS1},pm25,10,realtime", "CRASH,x,x,0,x"])
    unknown = tmp_path / "3unknown.csv"
    unknown.write_text("what,is,this\n1,2,3\n")
    empty = tmp_path / "4empty.csv"
    empty.write_text("")
    results = {Path(r.path).name: r for r in ingest_paths(warehouse, [tmp_path])}
    assert results["1good.csv"].status == "loaded"
    assert results["2bad.csv"].status == "failed"
    assert "2bad.csv" in results["2bad.csv"].message
    assert "no known format" in results["3unknown.csv"].message
    assert "empty file" in results["4empty.csv"].message
    assert [r[0] for r in _table(warehouse)] == ["S1"]  # nothing of 2bad.csv
    statuses = dict(warehouse.execute("select path, status from load_log").fetchall())
    assert sorted(statuses.values()) == ["failed", "failed", "failed", "loaded"]


def test_missing_path_is_a_clear_error(warehouse, tmp_path):
    from transforms.ingest.raw_files import RawFileError

    with pytest.raises(RawFileError, match="no such file"):
        ingest_paths(warehouse, [tmp_path / "nope"])


def test_documentation_beside_the_data_is_skipped_not_failed(warehouse, tmp_path):
    _write(tmp_path / "data.txt", [f"S1,{TS1},pm25,10,realtime"])  # .txt data: claimed first
    (tmp_path / "数据说明.txt").write_bytes(
        "山东省空气质量历史数据\r\n来源：天气后报\r\n".encode("gbk")
    )
    (tmp_path / "city.txt").write_text("哈尔滨\n南昌\n", encoding="utf-8")
    notes = tmp_path / "notes.md"  # outside the folder walk's suffixes: given by name
    notes.write_text("# how the data were made, with commas, here\n", encoding="utf-8")
    (tmp_path / "unknown.csv").write_text("what,is,this\n1,2,3\n")
    results = {Path(r.path).name: r for r in ingest_paths(warehouse, [tmp_path, notes])}
    assert {name: r.status for name, r in results.items()} == {
        "data.txt": "loaded",
        "数据说明.txt": "skipped",
        "city.txt": "skipped",
        "notes.md": "skipped",
        "unknown.csv": "failed",  # a table no format knows is still a failure
    }
    assert results["city.txt"].message.startswith("documentation")
    assert dict(warehouse.execute("select path, status from load_log").fetchall()) == {
        str(tmp_path / "data.txt"): "loaded",
        str(tmp_path / "unknown.csv"): "failed",
    }


@pytest.mark.realdata
def test_real_folder_with_notes_loads_without_failures(warehouse, shared_data):
    folder = shared_data / "tianqihoubao_shandong_daily_2014_2017"
    results = {
        Path(r.path).name: (r.status, r.rows_loaded) for r in ingest_paths(warehouse, [folder])
    }
    # README.txt is left out by the folder walk; the two notes files are documentation
    assert results == {
        "output.txt": ("loaded", 43612),
        "数据说明.txt": ("skipped", 0),
        "AQI数据非空地区网址列表.txt": ("skipped", 0),
    }
