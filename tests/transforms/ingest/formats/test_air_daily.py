"""Daily city files: Chinese header (GBK), '||' headerless, tianqihoubao 5-column, aqistudy."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from tests.transforms.helpers import detected_formats, quarantine
from transforms.ingest.engine import ingest_file, load_parsed
from transforms.ingest.formats.air_daily import parse_daily_file

HEADED = (
    "日期,PM2.5,PM10,SO2,CO,NO2,O3_8h,AQI,质量等级\r\n"
    "2013/12/2,109,138,61,2.6,88,11,142,轻度\r\n"  # line 2
    "2013/12/3,64,86,38,1.6,54,45,86,良\r\n"  # line 3
    "2015/7/21,133,0,2,1.1,33,151,176,中度\r\n"  # line 4: PM10 0 = missing
    "2015/13/1,1,1,1,1,1,1,1,优\r\n"  # line 5: no month 13
    "2016/1/5,abc,-3,5,0.8,40,20,600,很差\r\n"  # line 6: non-numeric, negative, AQI > 500, level
    "2016/1/6,30,50,5,2,40,20,45,严重污染\r\n"  # line 7
)

PIPES = (
    "济南||2014-01-01||轻度污染||138||113||71||207||138||73||1.35||19||\r\n"  # line 1
    "章丘||2014-02-23||轻度污染||104||63||78||113||0||0||0.00||0||\r\n"  # line 2: zeros
    "平度||2017-08-16||重度污染||201||365||24||14982||5||18||0.40||81||\r\n"  # line 3
    "济南||2017-04-23||良||60||100||40||70||10||30||0.70||90||\r\n"  # line 4
    "济南||2017-04-23||良||60||100||40||70||10||30||0.70||90||\r\n"  # line 5: identical
    "青岛||2017-05-20||良||55||90||30||60||8||20||0.50||80||\r\n"  # line 6
    "青岛||2017-05-20||良||56||90||31||60||8||20||0.50||80||\r\n"  # line 7: differs
    "||2017-05-21||良||56||90||31||60||8||20||0.50||80||\r\n"  # line 8: no city
)

COLUMNS = "city, date, aqi, level, pm25, pm10, so2, no2, co, o3_8h"


def daily(con) -> list[tuple]:
    rows = con.execute(
        f"select {COLUMNS} from air_city_daily_published order by city, date"  # noqa: S608
    ).fetchall()
    return [tuple(None if isinstance(v, float) and math.isnan(v) else v for v in r) for r in rows]


D = dt.date


def test_chinese_header_gbk(warehouse, tmp_path):
    f = tmp_path / "绵阳.csv"
    f.write_bytes(HEADED.encode("gbk"))
    result = ingest_file(warehouse, f)
    assert (result.status, result.format) == ("loaded", "daily_city_header")
    assert daily(warehouse) == [
        ("绵阳", D(2013, 12, 2), 142.0, "轻度污染", 109.0, 138.0, 61.0, 88.0, 2.6, 11.0),
        ("绵阳", D(2013, 12, 3), 86.0, "良", 64.0, 86.0, 38.0, 54.0, 1.6, 45.0),
        ("绵阳", D(2015, 7, 21), 176.0, "中度污染", 133.0, None, 2.0, 33.0, 1.1, 151.0),
        ("绵阳", D(2016, 1, 5), None, None, None, None, 5.0, 40.0, 0.8, 20.0),
        ("绵阳", D(2016, 1, 6), 45.0, "严重污染", 30.0, 50.0, 5.0, 40.0, 2.0, 20.0),
    ]
    assert quarantine(warehouse) == [
        (5, "日期", "bad_date", "2015/13/1,1,1,1,1,1,1,1,优"),
        (6, "AQI", "impossible_value", "600"),
        (6, "PM10", "negative", "-3"),
        (6, "PM2.5", "non_numeric", "abc"),
        (6, "质量等级", "unknown_level", "很差"),
    ]


def test_utf8_bom_header_and_city_argument(warehouse, tmp_path):
    f = tmp_path / "air_train&test.csv"
    f.write_bytes(HEADED.encode("utf-8-sig"))
    parsed = parse_daily_file(f)
    assert parsed.tables["air_city_daily_published"]["city"][0].as_py() == "air_train&test"
    assert "no city in the file" in parsed.notes[1]
    named = parse_daily_file(f, city="绵阳")
    load_parsed(warehouse, named, str(f), None)
    assert daily(warehouse)[0][:2] == ("绵阳", D(2013, 12, 2))
    assert len(daily(warehouse)) == 5


def test_pipes_zeros_are_missing_and_repeats(warehouse, tmp_path):
    f = tmp_path / "output.txt"
    f.write_bytes(PIPES.encode("gbk"))
    result = ingest_file(warehouse, f)
    assert (result.status, result.format) == ("loaded", "daily_city_pipes")
    assert daily(warehouse) == [
        ("平度", D(2017, 8, 16), 201.0, "重度污染", 24.0, None, 5.0, 18.0, 0.4, 81.0),
        ("济南", D(2014, 1, 1), 138.0, "轻度污染", 71.0, 207.0, 138.0, 73.0, 1.35, 19.0),
        ("济南", D(2017, 4, 23), 60.0, "良", 40.0, 70.0, 10.0, 30.0, 0.7, 90.0),
        ("章丘", D(2014, 2, 23), 104.0, "轻度污染", 78.0, 113.0, None, None, None, None),
    ]
    assert quarantine(warehouse) == [
        (3, "PM10", "impossible_value", "14982"),
        (6, "*", "duplicate_conflict", "青岛||2017-05-20||良||55||90||30||60||8||20||0.50||80||"),
        (7, "*", "duplicate_conflict", "青岛||2017-05-20||良||56||90||31||60||8||20||0.50||80||"),
        (8, "城市", "missing_city", "||2017-05-21||良||56||90||31||60||8||20||0.50||80||"),
    ]
    assert (result.rows_loaded, result.rows_quarantined) == (4, 4)


def test_tianqihoubao_rank_and_aqistudy_files(warehouse, tmp_path):
    rank = tmp_path / "air_beijing_2018.csv"
    rank.write_bytes(
        "2018-01-01,良,55,42,35\r\n2018-01-02,轻度污染,101,300,76\r\n2018-01-02,轻度污染,101,300,76\r\n".encode(
            "utf-8-sig"
        )
    )
    aqi = tmp_path / "上海.csv"
    aqi.write_text("2015-07-01,42\n2015-07-02,0\n")
    assert ingest_file(warehouse, rank).format == "daily_city_rank"
    assert ingest_file(warehouse, aqi).format == "daily_city_aqi"
    assert daily(warehouse) == [
        ("上海", D(2015, 7, 1), 42.0, None, None, None, None, None, None, None),
        ("北京", D(2018, 1, 1), 55.0, "良", 35.0, None, None, None, None, None),
        ("北京", D(2018, 1, 2), 101.0, "轻度污染", 76.0, None, None, None, None, None),
    ]
    assert quarantine(warehouse) == []


def test_same_file_twice_changes_nothing(warehouse, tmp_path):
    f = tmp_path / "output.txt"
    f.write_bytes(PIPES.encode("gbk"))
    ingest_file(warehouse, f)
    before = (daily(warehouse), quarantine(warehouse))
    assert ingest_file(warehouse, f).status == "skipped"
    assert (daily(warehouse), quarantine(warehouse)) == before


def test_detected_by_exactly_one_format(tmp_path):
    cases = (
        ("a.csv", HEADED.encode("gbk"), "daily_city_header"),
        ("b.csv", HEADED.encode("utf-8-sig"), "daily_city_header"),
        ("output.txt", PIPES.encode("gbk"), "daily_city_pipes"),
        (
            "air_tianjin_2017.csv",
            "2017-01-01,重度污染,249,360,199\r\n".encode("utf-8-sig"),
            "daily_city_rank",
        ),
        ("三亚.csv", b"2015-07-01,57\n", "daily_city_aqi"),
    )
    for name, data, want in cases:
        assert detected_formats(tmp_path / name, data) == [want]


@pytest.mark.realdata
def test_real_shandong_pipes_file(warehouse, shared_data):
    f = shared_data / "tianqihoubao_shandong_daily_2014_2017" / "output.txt"
    result = ingest_file(warehouse, f)
    # 43672 lines, 60 exact repeats -> 43612 city-days; PM10 14982 and 12067 (平度
    # 2017-08-16/17, published AQI 201 and 279) are above the plausibility limit
    assert (result.rows_loaded, result.rows_quarantined) == (43612, 2)
    assert quarantine(warehouse) == [
        (8606, "PM10", "impossible_value", "14982"),
        (8607, "PM10", "impossible_value", "12067"),
    ]
    # non-zero cells after removing the repeats (pandas): zeros are missing, not loaded
    counts = warehouse.execute(
        "select count(*), count(aqi), count(level), count(pm25), count(pm10), count(so2), "
        "count(no2), count(co), count(o3_8h), count(distinct city) from air_city_daily_published"
    ).fetchall()[0]
    assert counts == (43612, 43612, 43612, 43599, 43588, 43565, 43573, 43575, 43476, 30)
    first = daily(warehouse)
    assert ("济南", D(2014, 1, 1), 138.0, "轻度污染", 71.0, 207.0, 138.0, 73.0, 1.35, 19.0) in first


@pytest.mark.realdata
def test_real_gbk_header_file(warehouse, shared_data):
    f = shared_data / "daily_aqi_gbk_1city_2013_2018" / "air_train&test.csv"
    parsed = parse_daily_file(f, city="未知城市")
    load_parsed(warehouse, parsed, str(f), None)
    counts = warehouse.execute(
        "select count(*), count(pm10), min(date), max(date), count(*) filter (level = '轻度污染') "
        "from air_city_daily_published"
    ).fetchall()[0]
    # 1787 days; PM10 is 0 on 35 of them (missing); 396 days 轻度 (pandas value_counts)
    assert counts == (1787, 1752, D(2013, 12, 2), D(2018, 10, 31), 396)
    assert parsed.quarantine.num_rows == 0


@pytest.mark.realdata
def test_real_five_city_files(warehouse, shared_data):
    folder = shared_data / "tianqihoubao_daily_5cities_2017_2018"
    for f in sorted(folder.glob("air_*.csv")):
        assert ingest_file(warehouse, f).status == "loaded"
    got = dict(
        warehouse.execute(
            "select city, count(*) from air_city_daily_published group by city"
        ).fetchall()
    )
    # 316 lines each (366 for Tianjin), every file repeats a date with identical values
    assert got == {"北京": 315, "上海": 315, "广州": 315, "深圳": 315, "天津": 364}
