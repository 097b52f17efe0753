"""Long hourly station files: the Haikou-style layout and the UCI Beijing PRSA layout."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.transforms.helpers import detected_formats, quarantine, station_hours
from transforms.ingest.engine import ingest_file

LONG = (
    "datetime,PM2.5,O3,NO2,CO,SO2\n"
    "2019-01-15 00:00:00,20.0,2.0,13.0,0.571,7.0\n"  # line 2
    "2019-01-15 01:00:00,19.0,25.0,,0.538,\n"  # line 3: two missing
    "2019-01-15 02:00:00,,,,,\n"  # line 4: all missing
    "2019-01-15 03:00:00,x,-4.0,5000.0,200.5,6.0\n"  # line 5: non-numeric, negative, too high
    "2019-13-01 00:00:00,1.0,1.0,1.0,0.1,1.0\n"  # line 6: no such month
    "2019-01-15 04:30:00,1.0,1.0,1.0,0.1,1.0\n"  # line 7: not on the hour
    "2019-01-15 00:00:00,20.0,2.0,14.0,0.571,7.0\n"  # line 8: repeat of line 2, NO2 differs
)

PRSA = (
    '"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES",'
    '"DEWP","RAIN","wd","WSPM","station"\r\n'
    '1,2013,3,1,0,9,9,3,17,300,89,-0.5,1024.5,-21.4,0,"NNW",5.7,"Dongsi"\r\n'  # line 2
    '2,2013,3,1,1,NA,4,3,16,1250,NA,-0.7,1025.1,-22.1,0,"NW",3.9,"Dongsi"\r\n'  # line 3
    '3,2013,3,1,24,4,4,3,16,300,88,-0.7,1025.1,-22.1,0,"NW",3.9,"Dongsi"\r\n'  # line 4: hour 24
    '4,2013,3,1,2,5,NA,0.2856,64.0536,200000,88,-0.7,1025.1,-22.1,0,"NW",3.9,"Nowhere"\r\n'
)


def T(hour: int, day: int = 15, month: int = 1, year: int = 2019) -> dt.datetime:
    return dt.datetime(year, month, day, hour)


def test_long_file_station_from_name_hour_ending_ts(warehouse, tmp_path):
    f = tmp_path / "PM2.5NO2SO2O3CO_1410A.csv"
    f.write_text(LONG)
    result = ingest_file(warehouse, f)
    assert (result.status, result.format) == ("loaded", "air_long")
    rows = station_hours(warehouse)
    # line 2: 5 values, NO2 conflicts with line 8 and is quarantined -> 4; line 3: 3; line 5: SO2
    assert rows == [
        ("1410A", T(0), "co", 0.571, "realtime"),
        ("1410A", T(0), "o3", 2.0, "realtime"),
        ("1410A", T(0), "pm25", 20.0, "realtime"),
        ("1410A", T(0), "so2", 7.0, "realtime"),
        ("1410A", T(1), "co", 0.538, "realtime"),
        ("1410A", T(1), "o3", 25.0, "realtime"),
        ("1410A", T(1), "pm25", 19.0, "realtime"),
        ("1410A", T(3), "so2", 6.0, "realtime"),
    ]
    assert quarantine(warehouse) == [
        (2, "NO2", "duplicate_conflict", "13.0"),
        (5, "CO", "impossible_value", "200.5"),
        (5, "NO2", "impossible_value", "5000.0"),
        (5, "O3", "negative", "-4.0"),
        (5, "PM2.5", "non_numeric", "x"),
        (6, "datetime", "bad_timestamp", "2019-13-01 00:00:00,1.0,1.0,1.0,0.1,1.0"),
        (7, "datetime", "bad_timestamp", "2019-01-15 04:30:00,1.0,1.0,1.0,0.1,1.0"),
        (8, "NO2", "duplicate_conflict", "14.0"),
    ]
    assert (result.rows_loaded, result.rows_quarantined) == (8, 8)


def test_long_file_with_station_column(warehouse, tmp_path):
    f = tmp_path / "export.csv"
    f.write_text(
        "time,station_code,pm25,pm10\n2019-01-01 01:00,1001A,10,20\n2019-01-01 01:00,,5,5\n"
    )
    result = ingest_file(warehouse, f)
    assert station_hours(warehouse) == [
        ("1001A", T(1, 1), "pm10", 20.0, "realtime"),
        ("1001A", T(1, 1), "pm25", 10.0, "realtime"),
    ]
    assert quarantine(warehouse) == [(3, "station_code", "missing_code", "2019-01-01 01:00,,5,5")]
    assert result.rows_quarantined == 1


def test_long_file_without_station_code_fails_with_rule(warehouse, tmp_path):
    f = tmp_path / "hourly.csv"
    f.write_text("datetime,PM2.5\n2019-01-01 01:00:00,3\n")
    result = ingest_file(warehouse, f)
    assert result.status == "failed"
    assert "long hourly file without station code" in result.message


def test_prsa_co_to_mg_and_codes(warehouse, tmp_path):
    f = tmp_path / "PRSA_Data_Dongsi_20130301-20170228.csv"
    f.write_bytes(PRSA.encode("ascii"))
    result = ingest_file(warehouse, f)
    assert (result.status, result.format) == ("loaded", "air_prsa")
    rows = station_hours(warehouse)
    assert rows == [
        ("1003A", T(0, 1, 3, 2013), "co", 0.3, "realtime"),
        ("1003A", T(0, 1, 3, 2013), "no2", 17.0, "realtime"),
        ("1003A", T(0, 1, 3, 2013), "o3", 89.0, "realtime"),
        ("1003A", T(0, 1, 3, 2013), "pm10", 9.0, "realtime"),
        ("1003A", T(0, 1, 3, 2013), "pm25", 9.0, "realtime"),
        ("1003A", T(0, 1, 3, 2013), "so2", 3.0, "realtime"),
        ("1003A", T(1, 1, 3, 2013), "co", 1.25, "realtime"),
        ("1003A", T(1, 1, 3, 2013), "no2", 16.0, "realtime"),
        ("1003A", T(1, 1, 3, 2013), "pm10", 4.0, "realtime"),
        ("1003A", T(1, 1, 3, 2013), "so2", 3.0, "realtime"),
        ("PRSA-Nowhere", T(2, 1, 3, 2013), "no2", 64.0536, "realtime"),
        ("PRSA-Nowhere", T(2, 1, 3, 2013), "o3", 88.0, "realtime"),
        ("PRSA-Nowhere", T(2, 1, 3, 2013), "pm25", 5.0, "realtime"),
        ("PRSA-Nowhere", T(2, 1, 3, 2013), "so2", 0.2856, "realtime"),
    ]
    assert quarantine(warehouse) == [
        (4, "year,month,day,hour", "bad_timestamp", PRSA.split("\r\n")[3]),
        (5, "CO", "impossible_value", "200000"),  # 200 mg/m³
    ]
    assert "PRSA-<name>: ['Nowhere']" in result.message


def test_same_file_twice_changes_nothing(warehouse, tmp_path):
    f = tmp_path / "PRSA_Data_Dongsi.csv"
    f.write_bytes(PRSA.encode("ascii"))
    ingest_file(warehouse, f)
    before = (station_hours(warehouse), quarantine(warehouse))
    assert ingest_file(warehouse, f).status == "skipped"
    # the same rows under another name (other bytes: LF endings) replace themselves
    g = tmp_path / "copy.csv"
    g.write_bytes(PRSA.replace("\r\n", "\n").encode("ascii"))
    assert ingest_file(warehouse, g).status == "loaded"
    assert station_hours(warehouse) == before[0]


def test_detected_by_exactly_one_format(tmp_path):
    for name, text, want in (
        ("PM2.5NO2SO2O3CO_1410A.csv", LONG, "air_long"),
        ("PRSA_Data_Dongsi.csv", PRSA, "air_prsa"),
    ):
        assert detected_formats(tmp_path / name, text.encode("ascii")) == [want]


@pytest.mark.realdata
def test_real_haikou_file(warehouse, shared_data):
    f = shared_data / "cnemc_station_1410A_haikou_hourly_2014_2023" / "PM2.5NO2SO2O3CO_1410A.csv"
    result = ingest_file(warehouse, f)
    # non-empty cells per column (README and pandas): PM2.5 73517, O3 72623, NO2 73880,
    # CO 73638, SO2 72982 = 366640; nothing is quarantined
    assert (result.rows_loaded, result.rows_quarantined) == (366640, 0)
    counts = dict(
        warehouse.execute(
            "select pollutant, count(*) from air_station_hourly group by pollutant"
        ).fetchall()
    )
    assert counts == {"pm25": 73517, "o3": 72623, "no2": 73880, "co": 73638, "so2": 72982}
    first = warehouse.execute(
        "select pollutant, value from air_station_hourly where ts = '2014-05-13 00:00:00'"
    ).fetchall()
    assert dict(first) == {"pm25": 20.0, "o3": 2.0, "no2": 13.0, "co": 0.571, "so2": 7.0}


@pytest.mark.realdata
def test_real_prsa_file_matches_cnemc_release(warehouse, shared_data):
    f = (
        shared_data
        / "uci_beijing_multisite_prsa_2013_2017"
        / ("PRSA_Data_Dongsi_20130301-20170228.csv")
    )
    result = ingest_file(warehouse, f)
    # non-NA cells (pandas): PM2.5 34314, PM10 34511, SO2 34401, NO2 33463, CO 31867, O3 34400
    assert (result.rows_loaded, result.rows_quarantined) == (202956, 0)
    co = warehouse.execute(
        "select count(*), min(value), max(value) from air_station_hourly where pollutant = 'co'"
    ).fetchall()[0]
    assert co == (31867, 0.1, 10.0)
    # the same hours in the CNEMC release: PRSA hour h is china_sites hour h (hour-ending)
    sample = shared_data / "cnemc_china_sites_2019" / "other_vintage_sample"
    cnemc = pd.read_csv(
        sample / "china_sites_20170101.csv",
        usecols=["date", "hour", "type", "1003A"],
    )
    cnemc = cnemc[cnemc["type"] == "PM2.5"].dropna()
    expected = {
        dt.datetime(2017, 1, 1) + dt.timedelta(hours=int(h)): v
        for h, v in zip(cnemc["hour"], cnemc["1003A"], strict=True)
    }
    got = dict(
        warehouse.execute(
            "select ts, value from air_station_hourly where pollutant = 'pm25' "
            "and ts between '2017-01-01 00:00' and '2017-01-01 23:00'"
        ).fetchall()
    )
    assert len(expected) == 19
    assert {ts: got[ts] for ts in expected} == expected


def test_cnemc_wide_and_water_headers_are_not_mine(tmp_path):
    mine = {
        "station_list",
        "air_long",
        "air_prsa",
        "daily_city_header",
        "daily_city_pipes",
        "daily_city_rank",
        "daily_city_aqi",
    }
    for name, text in (
        ("china_sites_20190101.csv", "date,hour,type,1001A,1002A\r\n20190101,0,AQI,35,40"),
        ("china_cities_20190101.csv", "date,hour,type,北京,天津\r\n20190101,0,AQI,35,40"),
        ("water.csv", "省份,流域,断面名称,监测时间,水质类别,水温(℃),pH(无量纲)\n"),
    ):
        assert not set(detected_formats(tmp_path / name, text.encode("utf-8"))) & mine
