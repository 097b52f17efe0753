"""Station lists (GBK/UTF-8, Chinese/English headers) and the registry rules for `stations`."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from tests.transforms.helpers import quarantine
from transforms.ingest.engine import ingest_file, merge_rows, registered_formats
from transforms.ingest.registry import (
    ConfigError,
    assign_station_regions,
    load_region_config,
    load_station_config,
)

GBK_LIST = (
    "监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区\n"
    "1001A,万寿西宫,北京,116.3621,39.8784,N,北京市,北京市\n"  # line 2
    "1002A,定陵(对照点),北京,116.2202,40.2915,Y,北京市,北京市\n"  # line 3
    "1013A,市监测中心(停运150702),天津,117.151,39.097,Y,天津市,天津市\n"  # line 4
    "1045A,市政府,秦皇岛,,,N,河北省,秦皇岛市\n"  # line 5: no coordinates
    "1837A,二  印,三门峡,111.1858,34.7917,N,河南省,三门峡市\n"  # line 6
    "2165A,白马寺 (对照点),晋城,112.8453,35.546,Y,山西省,晋城市\n"  # line 7
    ",无编码,北京,116.1,39.9,N,北京市,北京市\n"  # line 8: no code
    "2276A,大通区政府（已停运）,淮南,abc,32.6611,Y,安徽省,淮南市\n"  # line 9: lon not a number
    "2300A,监测站,滁州,118.3158,139.5,X,安徽省,滁州市\n"  # line 10: lat outside, bad flag
    "3207A,市政府原办公楼(190307启用),滁州,118.3117,32.3039,N,安徽省,滁州市\n"  # line 11
    "3207A,市政府原办公楼(20190308启用),滁州,118.3117,32.3039,N,安徽省,滁州市\n"  # line 12
    "1001A,万寿西宫,北京,116.3621,39.8784,N,北京市,北京市\n"  # line 13: identical repeat
)

UTF8_LIST = (
    "code,name,city,lon,lat\n"
    "1001A,万寿西宫,北京,116.366,39.8673\n"
    "1002A,定陵,北京,116.17,40.2865\n"
    "1045A,市政府,秦皇岛,119.5,39.9\n"
    "1386A,东湖(对照点),江门,113.0819,22.5931\n"
    "3019A,西沙,三沙,-,-\n"
    "1013A,市监测中心,天津,,\n"
)


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def stations(con) -> dict[str, tuple]:
    rows = con.execute(
        "select station_code, station_name, city, lon, lat, is_background, city_assessment, "
        "registered, source from stations"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_gbk_chinese_list(warehouse, tmp_path):
    f = write(tmp_path / "NewSiteList.csv", GBK_LIST, "gbk")
    result = ingest_file(warehouse, f)
    assert (result.status, result.format, result.rows_loaded) == ("loaded", "station_list", 9)
    st = stations(warehouse)
    assert st["1001A"] == ("万寿西宫", "北京", 116.3621, 39.8784, False, True, True, str(f))
    assert st["1002A"][:6] == ("定陵(对照点)", "北京", 116.2202, 40.2915, True, False)
    assert st["1013A"][0] == "市监测中心(停运150702)"
    assert st["1045A"][2:4] == (None, None)
    assert st["1837A"][0] == "二印"
    assert st["2165A"][0] == "白马寺(对照点)"
    assert st["2276A"][:6] == ("大通区政府（已停运）", "淮南", None, 32.6611, True, False)
    # bad flag: the name has no mark either, so unstated -> False for a new code
    assert st["2300A"][2:6] == (118.3158, None, False, True)
    assert st["3207A"][0] == "市政府原办公楼(20190308启用)"
    assert quarantine(warehouse) == [
        (8, "station_code", "missing_code", ",无编码,北京,116.1,39.9,N,北京市,北京市"),
        (9, "经度", "non_numeric", "abc"),
        (10, "对照点", "bad_flag", "X"),
        (10, "纬度", "impossible_value", "139.5"),
        (11, "station_code", "duplicate_conflict",
         "3207A,市政府原办公楼(190307启用),滁州,118.3117,32.3039,N,安徽省,滁州市"),
    ]
    assert result.rows_quarantined == 5
    assert "columns not stored" not in result.message  # province and prefecture are read
    # the city of each station, by the list's names (codes of GB/T 2260: 秦皇岛 130300,
    # 三门峡 411200, 晋城 140500, 淮南 340400, 滁州 341100; municipalities are one region)
    regions = dict(warehouse.execute("select station_code, region_code from stations").fetchall())
    assert regions == {
        "1001A": "110000", "1002A": "110000", "1013A": "120000", "1045A": "130300",
        "1837A": "411200", "2165A": "140500", "2276A": "340400", "2300A": "341100",
        "3207A": "341100",
    }
    assert "9 of 9 listed stations assigned a region" in result.message
    assert "1045A 市政府: no coordinates (assigned by name to 秦皇岛市)" in result.message


def test_utf8_english_list_marks_background_by_name(warehouse, tmp_path):
    f = write(tmp_path / "list.csv", UTF8_LIST, "utf-8-sig")
    assert ingest_file(warehouse, f).rows_loaded == 6
    st = stations(warehouse)
    assert st["1386A"][4:6] == (True, False)  # "(对照点)" in the name
    assert st["1002A"][4:6] == (False, True)  # not stated, new code -> False
    assert st["3019A"][2:4] == (None, None)  # "-" = no coordinates
    assert quarantine(warehouse) == []


def test_later_list_updates_earlier_list_and_notes_coordinates(warehouse, tmp_path):
    first = write(tmp_path / "a.csv", GBK_LIST, "gbk")
    second = write(tmp_path / "b.csv", UTF8_LIST, "utf-8")
    ingest_file(warehouse, first)
    result = ingest_file(warehouse, second)
    st = stations(warehouse)
    assert st["1001A"][:4] == ("万寿西宫", "北京", 116.366, 39.8673)  # latest wins
    assert st["1001A"][-1] == str(second)
    assert st["1002A"][0] == "定陵" and st["1002A"][4:6] == (True, False)  # flag kept
    assert st["1045A"][2:4] == (119.5, 39.9)  # coordinates filled in
    assert st["1013A"][2:4] == (117.151, 39.097)  # blank in b: a's coordinates kept
    assert "stations: 3 codes change coordinates" in result.message
    logged = warehouse.execute("select message from load_log where path = ?", [str(second)])
    assert "1001A 116.3621,39.8784 -> 116.366,39.8673" in logged.fetchall()[0][0]
    assert len(st) == 11


def test_config_wins_and_placeholders_are_replaced(warehouse, tmp_path):
    config = tmp_path / "stations.csv"
    config.write_text(
        "station_code,station_name,region_code,city,lon,lat,is_background,city_assessment\n"
        "1001A,配置名,110102,北京,116.0,39.0,N,Y\n",
        encoding="utf-8",
    )
    assert load_station_config(warehouse, config) == 1
    placeholder = pa.table(
        {"station_code": ["1002A"], "registered": [False], "source": ["china_sites_x.csv"]}
    )
    merge_rows(warehouse, "stations", placeholder, "china_sites_x.csv")
    ingest_file(warehouse, write(tmp_path / "a.csv", GBK_LIST, "gbk"))
    st = stations(warehouse)
    assert st["1001A"] == ("配置名", "北京", 116.0, 39.0, False, True, True, "config")
    assert st["1002A"][0] == "定陵(对照点)" and st["1002A"][6] is True  # placeholder replaced
    # a placeholder arriving later never replaces a listed row
    merge_rows(warehouse, "stations", placeholder, "china_sites_y.csv")
    assert stations(warehouse)["1002A"][0] == "定陵(对照点)"
    # reloading the configuration keeps it on top and does not touch list rows
    assert load_station_config(warehouse, config) == 1
    assert stations(warehouse)["1001A"][0] == "配置名"
    assert len(stations(warehouse)) == 9


def test_config_replace_all_turns_dropped_codes_into_placeholders(warehouse, tmp_path):
    config = tmp_path / "stations.csv"
    head = "station_code,station_name,region_code,city,lon,lat,is_background,city_assessment\n"
    config.write_text(head + "9001A,甲,610902,安康,109.0,32.7,N,Y\n9002A,乙,610902,安康,,,Y,N\n")
    assert load_station_config(warehouse, config) == 2
    config.write_text(head + "9002A,乙,610902,安康,,,Y,N\n")
    assert load_station_config(warehouse, config) == 1
    st = stations(warehouse)
    assert st["9001A"][-2:] == (False, None)
    assert st["9002A"] == ("乙", "安康", None, None, True, False, True, "config")


def test_config_errors_name_the_line(warehouse, tmp_path):
    config = tmp_path / "stations.csv"
    config.write_text(
        "station_code,station_name,region_code,city,lon,lat,is_background,city_assessment\n"
        "9001A,甲,610902,安康,109.0,32.7,N,Y\n9002A,乙,610902,安康,1x,32.7,N,Y\n"
    )
    with pytest.raises(ConfigError, match=r"stations.csv:3: lon is not a number"):
        load_station_config(warehouse, config)
    assert stations(warehouse) == {}


def test_regions_and_city_name_matching(warehouse, tmp_path):
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "region_code,name,name_en,level,parent_code\n"
        "610000,陕西省,Shaanxi,province,\n610900,安康市,Ankang,city,610000\n"
        "610902,汉滨区,Hanbin,county,610900\n110000,北京市,Beijing,province,\n",
        encoding="utf-8",
    )
    assert load_region_config(warehouse, regions) == 4
    assert load_region_config(warehouse, regions) == 4  # replace-all, not appended
    ingest_file(
        warehouse,
        write(tmp_path / "l.csv", "code,name,city,lon,lat\nA1,x,安康,109,32\nA2,y,北京,116,39\n"
              "A3,z,西安,108,34\n", "utf-8"),
    )
    # the list's own load assigned A1 (a city-level region); the SQL fallback adds A2, whose
    # only match here is a region the bureau configured at province level
    assert assign_station_regions(warehouse) == 1
    got = dict(warehouse.execute("select station_code, region_code from stations").fetchall())
    assert got == {"A1": "610900", "A2": "110000", "A3": None}
    bad = tmp_path / "bad.csv"
    bad.write_text("region_code,name,name_en,level,parent_code\n1,甲,,town,\n")
    with pytest.raises(ConfigError, match="bad.csv:2: level not province/city/county"):
        load_region_config(warehouse, bad)


def test_same_file_twice_changes_nothing(warehouse, tmp_path):
    f = write(tmp_path / "a.csv", GBK_LIST, "gbk")
    ingest_file(warehouse, f)
    before = (stations(warehouse), quarantine(warehouse))
    assert ingest_file(warehouse, f).status == "skipped"
    assert (stations(warehouse), quarantine(warehouse)) == before


def test_detected_by_exactly_one_format(tmp_path):
    for name, text, enc in (("a.csv", GBK_LIST, "gbk"), ("b.csv", UTF8_LIST, "utf-8-sig")):
        path = write(tmp_path / name, text, enc)
        head = path.read_bytes()
        assert [s.name for s in registered_formats() if s.detect(path, head)] == ["station_list"]


@pytest.mark.realdata
def test_real_station_lists(warehouse, shared_data):
    folder = shared_data / "cnemc_china_sites_2019" / "stations"
    new = ingest_file(warehouse, folder / "NewSiteList.csv")
    # 2026 stations, 10 without coordinates, 250 flagged Y (checked with pandas)
    assert (new.rows_loaded, new.rows_quarantined) == (2026, 0)
    counts = warehouse.execute(
        "select count(*), count(lon), sum(is_background::int) from stations"
    ).fetchall()[0]
    assert counts == (2026, 2016, 250)
    old = ingest_file(warehouse, folder / "StationList-2020.01.01.csv")
    # 1641 lines, 3207A twice with different names: the later wins, the earlier is quarantined
    assert (old.rows_loaded, old.rows_quarantined) == (1640, 1)
    assert quarantine(warehouse)[0][:3] == (1632, "station_code", "duplicate_conflict")
    # 1638 common codes with coordinates in both lists differ for 821 (pandas comparison)
    assert "stations: 821 codes change coordinates" in old.message
    st = stations(warehouse)
    assert len(st) == 2028  # + 1777A and 1946A, which only the 2020 list has
    assert st["1001A"][2:4] == (116.366, 39.8673)
    assert st["1002A"][4] is True  # flag from NewSiteList kept; the 2020 list has none
    assert st["1386A"][4] is True  # "东湖(对照点)" in the 2020 list
    assert st["1028A"][2:4] == (114.5637, 38.0549)  # blank in 2020: earlier coordinates kept


BAD_LIST = (
    "监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区\n"
    "2001A,甲,晋城,112.85,35.49,N,山西省,晋城市\n"  # line 2: repeated below with another city
    "2002A,乙,阳泉,,,N,山西省,阳泉市\n"  # line 3: no coordinates
    "2003A,丙,火星城,100.0,30.0,N,山西省,\n"  # line 4: a city that matches nothing
    "2004A,丁,大同,113.3,40.08,N,火星省,大同市\n"  # line 5: unknown province
    "2001A,甲,长治,113.1,36.2,N,山西省,长治市\n"  # line 6: the same code, another city
)


def test_bad_station_list_names_each_station_and_loses_none(warehouse, tmp_path):
    result = ingest_file(warehouse, write(tmp_path / "bad.csv", BAD_LIST, "gbk"))
    assert result.status == "loaded"
    got = dict(warehouse.execute(
        "select station_code, region_code from stations order by station_code").fetchall())
    # the last listing of 2001A wins (长治 140400); 阳泉 140300, 大同 140200 (GB/T 2260)
    assert got == {"2001A": "140400", "2002A": "140300", "2003A": None, "2004A": "140200"}
    assert quarantine(warehouse) == [
        (2, "station_code", "duplicate_conflict", "2001A,甲,晋城,112.85,35.49,N,山西省,晋城市"),
    ]
    for line in (
        "3 of 4 listed stations assigned a region",
        "2002A 乙: no coordinates (assigned by name to 阳泉市)",
        "2003A 丙: unassigned: 城市 '火星城', 省级行政区 '山西省' matches no region",
        "2004A 丁: unknown province '火星省' (matched by the city alone)",
    ):
        assert line in result.message
    note = warehouse.execute(
        "select region_note from stations where station_code = '2003A'").fetchall()[0][0]
    assert note == "unassigned: 城市 '火星城', 省级行政区 '山西省' matches no region"
