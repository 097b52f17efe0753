"""CNEMC wide files (china_sites / china_cities): counts, times, quarantine, corrections."""

from __future__ import annotations

import datetime as dt
import gzip
import lzma
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from tests.transforms.helpers import quarantine, station_hours
from transforms.ingest.cnemc_cells import ROW_TYPES, TYPE_INDEX
from transforms.ingest.engine import ingest_file, ingest_paths
from transforms.ingest.formats.cnemc import data_kind_of, parse_sites
from transforms.warehouse import connect

STATIONS = ["1001A", "1002A", "1003A"]
HOURS = [0, 1, 23]
MEASURED = {"PM2.5", "PM10", "SO2", "NO2", "O3", "CO"}


def cell(hour: int, kind: str, station: str) -> str:
    """The fixture's value: empty for 1003A at hour 1 and for 1002A's PM10 at hour 23;
    CO (mg/m³) written '1' and '1.35' at hour 0 as the platform does."""
    if (station == "1003A" and hour == 1) or (station == "1002A" and kind == "PM10"
                                               and hour == 23):
        return ""
    if kind == "CO" and hour == 0:
        return {"1001A": "1", "1002A": "1.35"}.get(station, "0.8")
    column = STATIONS.index(station) if station in STATIONS else len(STATIONS)
    value = 1 + 10 * TYPE_INDEX[kind] + 3 * column + hour
    return f"{value / 100:g}" if kind.startswith("CO") else str(value)


def wide_text(
    day: str = "20190105",
    hours: list[int] = HOURS,
    columns: list[str] = STATIONS,
    value: Callable[[int, str, str], str] = cell,
    types: tuple[str, ...] = ROW_TYPES,
    final_newline: bool = False,
) -> str:
    """A file in the CNEMC layout: header, 15 type rows per hour, CRLF, no final newline."""
    lines = [",".join(["date", "hour", "type", *columns])]
    for hour in hours:
        lines += [",".join([day, str(hour), kind, *(value(hour, kind, c) for c in columns)])
                  for kind in types]
    return "\r\n".join(lines) + ("\r\n" if final_newline else "")


def line_of(hour: int, kind: str, hours: list[int] = HOURS) -> int:
    return 2 + hours.index(hour) * len(ROW_TYPES) + TYPE_INDEX[kind]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode(encoding)
    if path.name.endswith(".xz"):
        data = lzma.compress(data)
    elif path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def published(con) -> list[tuple]:
    return con.execute(
        "select station_code, ts, type, value, data_kind from air_station_published "
        "order by all"
    ).fetchall()


def expected_cells(text: str) -> tuple[int, int]:
    """(1-h measurement cells, published cells) that are not empty, counted with pandas."""
    frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    values = frame.iloc[:, 3:] != ""
    measured = frame["type"].isin(MEASURED)
    return int(values[measured].to_numpy().sum()), int(values[~measured].to_numpy().sum())


def test_rows_hours_and_units(warehouse, tmp_path):
    text = wide_text()
    result = ingest_file(warehouse, write(tmp_path / "china_sites_20190105.csv", text))
    rows = station_hours(warehouse)
    # 3 hours x 6 pollutants x 3 stations = 54 cells, 6 (1003A hour 1) + 1 (1002A PM10 h23)
    # empty; published: 3 x 9 x 3 = 81 cells, 9 empty
    assert expected_cells(text) == (47, 72)
    assert len(rows) == 47 and len(published(warehouse)) == 72
    assert result.rows_loaded == 47 + 72 and result.status == "loaded"
    values = {(s, ts, p): v for s, ts, p, v, _ in rows}
    day = dt.datetime(2019, 1, 5)
    # hour h of file date D is ts = D + h (hour-ending); hour 0 is D 00:00
    assert values[("1001A", day, "pm25")] == 1 + 10 * 1
    assert values[("1002A", day + dt.timedelta(hours=23), "o3")] == 1 + 90 + 3 + 23
    assert values[("1001A", day, "co")] == 1.0 and values[("1002A", day, "co")] == 1.35
    assert values[("1003A", day + dt.timedelta(hours=23), "co")] == 1.6
    assert ("1003A", day + dt.timedelta(hours=1), "pm25") not in values
    assert ("1002A", day + dt.timedelta(hours=23), "pm10") not in values
    assert {r[4] for r in rows} == {"realtime"}
    pub = {(s, ts, t): v for s, ts, t, v, _ in published(warehouse)}
    assert pub[("1001A", day, "aqi")] == 1
    assert pub[("1002A", day + dt.timedelta(hours=1), "o3_8h_24h")] == 1 + 120 + 3 + 1
    assert pub[("1001A", day, "co_24h")] == 1.41
    assert warehouse.execute("select count(*) from air_station_published_wide").fetchone() == (8,)
    assert quarantine(warehouse) == []


def test_quarantine_names_line_column_reason_and_raw_text(warehouse, tmp_path):
    bad = {(0, "PM2.5", "1002A"): "—", (1, "NO2", "1001A"): "NA", (1, "SO2", "1003A"): "-",
           (23, "O3", "1001A"): "-5", (23, "PM10_24h", "1002A"): "12000",
           (0, "AQI", "1001A"): "nan"}

    def value(hour: int, kind: str, station: str) -> str:
        return bad.get((hour, kind, station), cell(hour, kind, station))

    text = wide_text(value=value)
    result = ingest_file(warehouse, write(tmp_path / "china_sites_20190105.csv", text))
    assert quarantine(warehouse) == [
        (line_of(0, "AQI"), "1001A", "non_numeric", "nan"),
        (line_of(0, "PM2.5"), "1002A", "non_numeric", "—"),
        (line_of(1, "SO2"), "1003A", "non_numeric", "-"),  # (1003A has no value at hour 1)
        (line_of(1, "NO2"), "1001A", "non_numeric", "NA"),
        (line_of(23, "PM10_24h"), "1002A", "impossible_value", "12000"),
        (line_of(23, "O3"), "1001A", "negative", "-5"),
    ]
    assert result.rows_quarantined == 6
    assert len(station_hours(warehouse)) == 47 - 3  # ('-' stands where the fixture has no value)
    assert len(published(warehouse)) == 72 - 2


def test_wrong_date_and_repeated_rows(warehouse, tmp_path):
    text = wide_text(hours=[0, 1])
    lines = text.split("\r\n")
    lines[line_of(1, "NO2", [0, 1]) - 1] = lines[line_of(1, "NO2", [0, 1]) - 1].replace(
        "20190105", "20190106")
    same = lines[line_of(0, "PM10", [0, 1]) - 1]
    other = lines[line_of(0, "SO2", [0, 1]) - 1].split(",")
    other[3] = "999"  # 1001A
    lines += [same, ",".join(other)]
    path = write(tmp_path / "china_sites_20190105.csv", "\r\n".join(lines))
    result = ingest_file(warehouse, path)
    n = len(lines)
    so2 = line_of(0, "SO2", [0, 1])
    assert quarantine(warehouse) == [
        (so2, "1001A", "duplicate_conflict", str(cell(0, "SO2", "1001A"))),
        (line_of(1, "NO2", [0, 1]), "1001A", "date_mismatch", cell(1, "NO2", "1001A")),
        (line_of(1, "NO2", [0, 1]), "1002A", "date_mismatch", cell(1, "NO2", "1002A")),
        (n, "1001A", "duplicate_conflict", "999"),
    ]
    assert "repeated with the same value" in result.message
    day = dt.datetime(2019, 1, 5)
    values = {(s, ts, p): v for s, ts, p, v, _ in station_hours(warehouse)}
    assert values[("1001A", day, "pm10")] == 31  # the repeated PM10 row, loaded once
    assert ("1001A", day, "so2") not in values and values[("1002A", day, "so2")] == 54
    assert ("1001A", day + dt.timedelta(hours=1), "no2") not in values


def test_cut_last_line_and_missing_hours(warehouse, tmp_path):
    text = wide_text(hours=[0, 5], types=ROW_TYPES)
    lines = text.split("\r\n")[: 1 + len(ROW_TYPES) + 4]  # hour 5 keeps 4 of 15 rows
    lines[-1] = lines[-1][: lines[-1].rindex(",") - 1]  # cut inside 1002A's PM10 cell
    path = write(tmp_path / "china_sites_20190105.csv", "\r\n".join(lines))
    result = ingest_file(warehouse, path)
    assert lines[-1].split(",")[-1] == "3"  # '39' cut to '3'
    assert quarantine(warehouse) == [(len(lines), "1002A", "truncated", "3")]
    values = {(s, ts, p): v for s, ts, p, v, _ in station_hours(warehouse)}
    h5 = dt.datetime(2019, 1, 5, 5)
    assert values[("1001A", h5, "pm10")] == 1 + 30 + 5
    assert ("1002A", h5, "pm10") not in values and ("1001A", h5, "so2") not in values
    assert values[("1002A", h5, "pm25")] == 1 + 10 + 3 + 5
    assert len(values) == 18 + 3 + 1  # hour 0: 18; hour 5: PM2.5 x 3, PM10 of 1001A only
    assert "2 of 24 hours" in result.message and "5 (4 of 15 rows)" in result.message


def test_station_set_changes_and_unregistered_stations(warehouse, tmp_path):
    warehouse.execute("insert into stations (station_code, station_name) values ('1001A', 'A')")
    write(tmp_path / "in" / "china_sites_20190105.csv", wide_text())
    write(tmp_path / "in" / "china_sites_20190106.csv",
          wide_text(day="20190106", columns=[*STATIONS, "3151A"]))
    results = ingest_paths(warehouse, [tmp_path / "in"])
    assert [r.status for r in results] == ["loaded", "loaded"]
    assert results[1].rows_loaded == 47 + 72 + 18 + 27  # 3151A has every cell on day 2
    stations = warehouse.execute(
        "select station_code, registered from stations order by 1").fetchall()
    assert stations == [("1001A", True), ("1002A", False), ("1003A", False), ("3151A", False)]
    assert "2 stations in no station list" in results[0].message
    assert "1 stations in no station list" in results[1].message


@pytest.mark.parametrize("suffix", [".csv.xz", ".csv.gz"])
def test_compressed_files_load_like_plain_ones(tmp_path, suffix):
    text = wide_text(final_newline=True)
    contents = []
    for name in ("china_sites_20190105.csv", "china_sites_20190105" + suffix):
        con = connect(tmp_path / f"{name}.duckdb")
        ingest_file(con, write(tmp_path / name.replace(".", "_", 1) / name, text))
        contents.append((station_hours(con), published(con)))
        con.close()
    assert contents[0] == contents[1] and len(contents[0][0]) == 47


def _snapshot(con) -> dict[str, list[tuple]]:
    return {
        "hourly": station_hours(con),
        "published": published(con),
        "sources": con.execute(
            "select source_file, count(*) from air_station_hourly group by 1 order by 1"
        ).fetchall(),
        "quarantine": quarantine(con),
        "stations": con.execute("select * from stations order by 1").fetchall(),
        "loaded": con.execute(
            "select path, rows_loaded, rows_quarantined, status from load_log order by 1"
        ).fetchall(),
    }


def test_loading_twice_changes_nothing(warehouse, tmp_path):
    folder = tmp_path / "in"
    write(folder / "china_sites_20190105.csv", wide_text())
    write(folder / "china_sites_20190106.csv.xz", wide_text(day="20190106"))
    write(folder / "china_sites_20190107.csv",
          wide_text(day="20190107", value=lambda h, k, s: "—" if h == 1 and cell(h, k, s)
                    else cell(h, k, s)))
    first = ingest_paths(warehouse, [folder])
    before = _snapshot(warehouse)
    again = ingest_paths(warehouse, [folder])
    assert [r.status for r in first] == ["loaded"] * 3
    assert [r.status for r in again] == ["skipped"] * 3
    assert _snapshot(warehouse) == before
    assert len(before["quarantine"]) == 15 * 2  # hour 1 of day 7 (1003A is empty there)


def test_batch_and_file_by_file_loads_agree(tmp_path):
    folder = tmp_path / "in"
    write(folder / "china_sites_20190105.csv", wide_text())
    write(folder / "china_sites_20190106.csv", wide_text(day="20190106"))
    write(folder / "later" / "china_sites_20190105.csv",  # a correction of day 5
          wide_text(value=lambda h, k, s: "7" if (h, k) == (1, "PM2.5") else cell(h, k, s)))
    batch = connect(tmp_path / "batch.duckdb")
    ingest_paths(batch, [folder])
    single = connect(tmp_path / "single.duckdb")
    for path in sorted(folder.rglob("*.csv")):
        ingest_file(single, path)
    a, b = _snapshot(batch), _snapshot(single)
    assert a["hourly"] == b["hourly"] and a["published"] == b["published"]
    assert a["sources"] == b["sources"] and a["stations"] == b["stations"]
    assert ("1003A", dt.datetime(2019, 1, 5, 1), "pm25", 7.0, "realtime") in a["hourly"]


def test_corrected_file_replaces_exactly_the_changed_values(warehouse, tmp_path):
    day = dt.datetime(2019, 1, 5)
    ingest_file(warehouse, write(tmp_path / "a" / "china_sites_20190105.csv", wide_text()))
    before = {(s, ts, p): v for s, ts, p, v, _ in station_hours(warehouse)}
    changes = {(0, "PM2.5", "1001A"): "99",   # changed
               (0, "NO2", "1002A"): "",       # withdrawn: empty in the corrected file
               (1, "O3", "1003A"): "40"}      # new: the station was out at hour 1

    def corrected(hour: int, kind: str, station: str) -> str:
        return changes.get((hour, kind, station), cell(hour, kind, station))

    # the corrected file lacks hour 23: hour 23 is not covered and keeps its values
    text = wide_text(hours=[0, 1], value=corrected)
    result = ingest_file(warehouse, write(tmp_path / "b" / "china_sites_20190105.csv", text))
    after = {(s, ts, p): v for s, ts, p, v, _ in station_hours(warehouse)}
    expected = dict(before)
    expected[("1001A", day, "pm25")] = 99
    del expected[("1002A", day, "no2")]
    expected[("1003A", day + dt.timedelta(hours=1), "o3")] = 40
    assert after == expected
    assert result.rows_loaded == 2 * 18 - 6 - 1 + 1 + 2 * 27 - 9  # the b file's values
    sources = dict(warehouse.execute(
        "select hour(ts), min(source_file) from air_station_hourly group by 1").fetchall())
    assert sources[0].endswith("b/china_sites_20190105.csv")
    assert sources[23].endswith("a/china_sites_20190105.csv")


def test_audited_replaces_realtime_never_the_reverse(warehouse, tmp_path):
    day = dt.datetime(2019, 1, 5)
    ingest_file(warehouse, write(tmp_path / "rt" / "china_sites_20190105.csv", wide_text()))
    audited_path = tmp_path / "audited" / "china_sites_20190105.csv"
    assert data_kind_of(audited_path) == "audited"
    assert data_kind_of(tmp_path / "china_sites_20190105_audited.csv.xz") == "audited"
    assert data_kind_of(tmp_path / "rt" / "china_sites_20190105.csv") == "realtime"

    def audited(hour: int, kind: str, station: str) -> str:
        if (hour, kind, station) == (0, "PM2.5", "1001A"):
            return "12"
        return "" if (hour, kind, station) == (0, "SO2", "1001A") else cell(hour, kind, station)

    ingest_file(warehouse, write(audited_path, wide_text(value=audited)))
    audited_rows = station_hours(warehouse)
    assert {r[4] for r in audited_rows} == {"audited"} and len(audited_rows) == 46
    late = write(tmp_path / "rt2" / "china_sites_20190105.csv",
                 wide_text(value=lambda h, k, s: "500" if k == "PM2.5" else cell(h, k, s)))
    result = ingest_file(warehouse, late)
    assert station_hours(warehouse) == audited_rows  # a realtime file changes no audited value
    assert result.status == "loaded" and result.rows_loaded == 0
    values = {(s, ts, p): v for s, ts, p, v, _ in audited_rows}
    assert values[("1001A", day, "pm25")] == 12 and ("1001A", day, "so2") not in values
    assert {r[4] for r in published(warehouse)} == {"audited"}


def test_city_file_goes_to_its_own_table(warehouse, tmp_path):
    cities = ["北京", "天津", "石家庄"]
    text = wide_text(columns=cities, value=lambda h, k, c: cell(h, k, STATIONS[cities.index(c)]))
    path = write(tmp_path / "china_cities_20190105.csv", text, encoding="gbk")
    result = ingest_file(warehouse, path)
    assert result.format == "cnemc_cities" and result.rows_loaded == 47 + 72
    rows = warehouse.execute(
        "select city, ts, type, value from air_city_hourly_published order by all").fetchall()
    assert len(rows) == 119
    values = {(c, ts, t): v for c, ts, t, v in rows}
    day = dt.datetime(2019, 1, 5)
    assert values[("北京", day, "pm25")] == 11 and values[("天津", day, "co")] == 1.35
    assert values[("石家庄", day + dt.timedelta(hours=23), "aqi")] == 1 + 6 + 23
    assert warehouse.execute("select count(*) from air_station_hourly").fetchone() == (0,)
    assert warehouse.execute("select count(*) from stations").fetchone() == (0,)


def test_typed_and_careful_readers_agree(tmp_path):
    from transforms.ingest.cnemc_cells import careful_cells, header_names, typed_cells

    text = wide_text(columns=[*STATIONS, "1002A"])  # a column given twice, same values
    body = text.encode()
    end = body.index(b"\n")
    fast = typed_cells(memoryview(body)[end + 1 :], header_names(text[:end]),
                       dt.date(2019, 1, 5))
    slow = careful_cells(text, dt.date(2019, 1, 5))
    assert fast is not None

    def cells(c):
        return sorted((c.series[s], int(c.hour[r]), int(c.type_index[r]), c.values[s, r])
                      for s in range(len(c.series)) for r in range(len(c.hour))
                      if c.values[s, r] == c.values[s, r])

    assert cells(fast) == cells(slow) and len(cells(fast)) == 47 + 72
    assert "1002A" in fast.notes[0] and "1002A" in slow.notes[0]


def test_older_long_published_table_moves_into_the_wide_one(warehouse, tmp_path):
    warehouse.execute(
        "insert into air_station_published values "
        "('1001A', '2019-01-04 10:00', 'aqi', 80, 'old.csv'), "
        "('1001A', '2019-01-04 10:00', 'o3_8h', 70, 'old.csv')")
    ingest_file(warehouse, write(tmp_path / "china_sites_20190105.csv", wide_text()))
    rows = published(warehouse)
    assert len(rows) == 72 + 2
    assert ("1001A", dt.datetime(2019, 1, 4, 10), "o3_8h", 70.0, "realtime") in rows


@pytest.mark.realdata
def test_two_real_days_load_every_non_empty_cell(shared_data, tmp_path):
    folder = shared_data / "cnemc_china_sites_2019" / "xz"
    files = [folder / "china_sites_20190101.csv.xz", folder / "china_sites_20190424.csv.xz"]
    con = connect(tmp_path / "wh.duckdb")
    results = ingest_paths(con, files)
    measured = published_cells = 0
    for f in files:
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)  # (pads the cut last line)
        filled = (frame.iloc[:, 3:] != "").to_numpy()
        is_measured = frame["type"].isin(MEASURED).to_numpy()
        measured += int(filled[is_measured].sum())
        published_cells += int(filled[~is_measured].sum())
    hourly_rows = con.execute("select count(*) from air_station_hourly").fetchone()[0]
    published_rows = con.execute("select count(*) from air_station_published").fetchone()[0]
    # 20190424 stops inside line 350 (hour 23, PM10): its last cell '61' may be cut
    assert quarantine(con) == [(350, "1108A", "truncated", "61")]
    assert (hourly_rows + 1, published_rows) == (measured, published_cells)
    assert sum(r.rows_loaded for r in results) == hourly_rows + published_rows
    assert con.execute(
        "select value from air_station_hourly where station_code = '1001A' "
        "and ts = '2019-01-01 00:00' and pollutant = 'pm25'").fetchone() == (53.0,)
    assert con.execute(
        "select value from air_station_published where station_code = '1001A' "
        "and ts = '2019-01-01 00:00' and type = 'aqi'").fetchone() == (73.0,)
    parsed = parse_sites(files[1])
    assert "incomplete hours: 23 (4 of 15 rows)" in parsed.notes
    con.close()


def test_a_failing_batch_is_loaded_file_by_file(warehouse, tmp_path, monkeypatch):
    import transforms.ingest.cnemc_load as cnemc_load

    def broken(con, files):
        if files:
            raise RuntimeError("disk full")

    monkeypatch.setattr(cnemc_load, "_append", broken)
    write(tmp_path / "in" / "china_sites_20190105.csv", wide_text())
    write(tmp_path / "in" / "china_sites_20190106.csv", wide_text(day="20190106"))
    results = ingest_paths(warehouse, [tmp_path / "in"])
    assert [(r.status, r.rows_loaded) for r in results] == [("loaded", 119), ("loaded", 119)]
    assert len(station_hours(warehouse)) == 2 * 47
    assert warehouse.execute("select count(*) from load_log").fetchone() == (2,)


def test_header_only_file_loads_nothing(warehouse, tmp_path):
    path = write(tmp_path / "china_sites_20190105.csv", wide_text(hours=[]))
    result = ingest_file(warehouse, path)
    assert (result.status, result.rows_loaded) == ("loaded", 0)
    assert "no data rows" in result.message and station_hours(warehouse) == []


def test_ragged_line_and_quoted_cells(warehouse, tmp_path):
    lines = wide_text(hours=[0]).split("\r\n")
    ragged = line_of(0, "SO2", [0])
    lines[ragged - 1] += ",7"  # one cell too many: the whole line is quarantined
    assert lines[line_of(0, "NO2", [0]) - 1] == "20190105,0,NO2,71,74,77"
    lines[line_of(0, "NO2", [0]) - 1] = '20190105,0,"NO2","71",74," 77"'  # quoted cells
    path = write(tmp_path / "china_sites_20190105.csv", "\r\n".join(lines))
    ingest_file(warehouse, path)
    assert quarantine(warehouse) == [(ragged, None, "bad_field_count", lines[ragged - 1])]
    values = {(s, p): v for s, _, p, v, _ in station_hours(warehouse)}
    assert ("1001A", "so2") not in values and len(values) == 18 - 3
    assert values[("1001A", "no2")] == 1 + 70 and values[("1003A", "no2")] == 1 + 70 + 6
