"""Station lists -> prefecture-level cities, on a small hand-made registry.

The registry below copies real codes (GB/T 2260) so that the expected answers can be checked
against any list of divisions: 朝阳 is both a district of 北京 (110105) and a city of 辽宁
(211300); 城区 is a district of both 阳泉 (140302) and 晋城 (140502) in 山西; 胶南市 (370284)
merged into 黄岛区 (370211) of 青岛 in 2012; 石河子 (659001) is a county-level city under
新疆 directly; 库尔勒 (652801) is a county-level city of 巴音郭楞 (652800).
"""

from __future__ import annotations

import pandas as pd
import pytest

from transforms.ingest.region_names import short_name
from transforms.ingest.registry import national_region_changes, national_regions
from transforms.ingest.station_regions import assign_stations

REGIONS = pd.DataFrame(
    [
        ("110000", "北京市", "city", None),
        ("110105", "朝阳区", "county", "110000"),
        ("210000", "辽宁省", "province", None),
        ("211300", "朝阳市", "city", "210000"),
        ("140000", "山西省", "province", None),
        ("140300", "阳泉市", "city", "140000"),
        ("140302", "城区", "county", "140300"),
        ("140500", "晋城市", "city", "140000"),
        ("140502", "城区", "county", "140500"),
        ("370000", "山东省", "province", None),
        ("370200", "青岛市", "city", "370000"),
        ("370211", "黄岛区", "county", "370200"),
        ("460000", "海南省", "province", None),
        ("630000", "青海省", "province", None),
        ("632500", "海南藏族自治州", "city", "630000"),
        ("650000", "新疆维吾尔自治区", "province", None),
        ("652800", "巴音郭楞蒙古自治州", "city", "650000"),
        ("652801", "库尔勒市", "county", "652800"),
        ("654300", "阿勒泰地区", "city", "650000"),
        ("659001", "石河子市", "city", "650000"),
    ],
    columns=["region_code", "name", "level", "parent_code"],
)
CHANGES = pd.DataFrame(
    [("370284", "胶南市", "370211", "黄岛区", "county", "merged")],
    columns=["old_code", "old_name", "new_code", "new_name", "level", "change"],
)


def assign(rows: list[tuple], **columns: list) -> tuple[dict[str, tuple], list[str]]:
    """(code, city, lon, lat) rows (+ optional province / prefecture columns) ->
    {code: (region_code, city_code)} and the problem lines."""
    frame = pd.DataFrame(rows, columns=["station_code", "city", "lon", "lat"])
    frame["station_name"] = "站" + frame["station_code"]
    for name, values in columns.items():
        frame[name] = values
    result = assign_stations(frame, REGIONS, CHANGES)
    got = {
        r.station_code: (r.region_code, r.city_code)
        for r in result.stations.itertuples(index=False)
    }
    return got, result.problems


def test_short_names():
    assert short_name("安康市") == "安康"
    assert short_name("海西蒙古族藏族自治州") == "海西州"
    assert short_name("新疆维吾尔自治区") == "新疆"
    assert short_name("内蒙古自治区") == "内蒙古"
    assert short_name("铜仁地区") == "铜仁"
    assert short_name("城区") == "城区"  # never fewer than two characters
    assert short_name("回民区") == "回民"  # an ethnic word at the start is part of the name


def test_municipality_city_and_short_forms():
    got, problems = assign([
        ("1001A", "北京", 116.37, 39.87),
        ("1002A", "朝阳", 120.45, 41.57),     # no province: the city 朝阳 wins over the district
        ("1003A", "海南州", 100.62, 36.28),   # the autonomous prefecture, not the province
        ("1004A", "巴音郭楞州", 86.15, 41.76),
        ("1005A", "石河子", 86.04, 44.30),    # county-level city under the province: a city
    ])
    assert got == {
        "1001A": ("110000", "110000"),
        "1002A": ("211300", "211300"),
        "1003A": ("632500", "632500"),
        "1004A": ("652800", "652800"),
        "1005A": ("659001", "659001"),
    }
    assert problems == []


def test_province_column_decides_a_short_name():
    got, problems = assign([("1006A", "朝阳", 116.48, 39.92)], province=["北京市"])
    # 朝阳市 lies in 辽宁: dropped; the district of 北京 matches, its city is 北京
    assert got == {"1006A": ("110105", "110000")}
    assert problems == []


def test_county_level_cities_and_renamed_counties_keep_their_county():
    got, _ = assign([
        ("1956A", "库尔勒", 86.15, 41.76),
        ("1965A", "胶南", 120.04, 35.87),  # 胶南市 -> 黄岛区 (2012) through the history
    ])
    assert got == {"1956A": ("652801", "652800"), "1965A": ("370211", "370200")}


def test_ambiguous_county_name_settled_by_prefecture_or_coordinates():
    got, problems = assign(
        [
            ("Y1", "阳泉", 113.57, 37.85),
            ("J1", "晋城", 112.85, 35.49),
            ("C1", "城区", 112.86, 35.50),  # 1.5 km from 晋城's station, 265 km from 阳泉's
            ("C2", "城区", 113.58, 37.86),  # beside 阳泉's station
            ("C3", "城区", None, None),     # nothing to decide with
            ("C4", "城区", None, None),     # the prefecture column decides
        ],
        province=["山西省"] * 6,
        prefecture=["", "", "", "", "", "阳泉市"],
    )
    assert got["C1"] == ("140502", "140500")
    assert got["C2"] == ("140302", "140300")
    assert got["C3"] == (None, None)
    assert got["C4"] == ("140302", "140300")
    assert any(line.startswith("C3 站C3: unassigned: 城市 '城区' names 城区 140302 or 城区 140502;"
                               " no coordinates to decide") for line in problems)


def test_bad_lines_are_named_and_the_rest_assigned():
    got, problems = assign(
        [
            ("B1", "晋城", 112.85, 35.49),
            ("B2", "晋城", None, None),
            ("B3", "火星城", 100.0, 30.0),
            ("B4", "阳泉", 113.57, 37.85),
            ("B5", "石河子", 86.04, 44.30),
        ],
        province=["山西省", "山西省", "山西省", "火星省", "新疆维吾尔自治区"],
        prefecture=["晋城市", "晋城市", "", "阳泉市", "阿勒泰地区"],
    )
    assert got == {
        "B1": ("140500", "140500"),
        "B2": ("140500", "140500"),
        "B3": (None, None),
        "B4": ("140300", "140300"),
        "B5": ("659001", "659001"),
    }
    assert problems == [
        "B2 站B2: no coordinates (assigned by name to 晋城市)",
        "B3 站B3: unassigned: 城市 '火星城', 省级行政区 '山西省' matches no region",
        "B4 站B4: unknown province '火星省' (matched by the city alone)",
        "B5 站B5: 地级行政区 '阿勒泰地区' contradicts 城市 '石河子': took 石河子市 659001",
    ]


def test_name_of_another_province_only():
    got, problems = assign([("P1", "晋城", 112.85, 35.49)], province=["山东省"])
    assert got == {"P1": (None, None)}
    assert problems == [
        "P1 站P1: unassigned: 城市 '晋城', 省级行政区 '山东省': the names match regions of "
        "another province only"
    ]


def test_national_registry_shape():
    regions = national_regions()
    by_code = regions.set_index("region_code")
    # municipalities: one region, level city, no parent; their districts hang under them
    assert by_code.loc["310000", ["name", "level", "kind"]].tolist() == [
        "上海市", "city", "municipality"]
    assert by_code.loc["310000", "parent_code"] is None
    assert by_code.loc["310115", "parent_code"] == "310000"  # 浦东新区
    assert "310100" not in by_code.index  # the statistical 市辖区 placeholder is dropped
    assert by_code.loc["610981", ["name", "parent_code"]].tolist() == ["旬阳市", "610900"]
    assert by_code.loc["419001", ["level", "parent_code"]].tolist() == ["city", "410000"]
    changes = national_region_changes().set_index("old_code")
    assert changes.loc["610928", ["new_code", "change"]].tolist() == ["610981", "recoded"]
    assert changes.loc["620824", ["new_code", "last_listed", "first_listed"]].tolist() == [
        "620881", "2017-10-31", "2018-10-31"]
    assert regions["region_code"].is_unique


@pytest.mark.realdata
def test_real_station_lists_assigned(shared_data):
    """Both real layouts: every NewSiteList station assigned but the national new areas
    (新区), every StationList-2020 station assigned."""
    from transforms.ingest.formats.station_list import parse

    folder = shared_data / "cnemc_china_sites_2019" / "stations"
    regions, changes = national_regions(), national_region_changes()
    new = parse(folder / "NewSiteList.csv").tables["stations"].to_pandas()
    result = assign_stations(new, regions, changes)
    missing = result.stations[result.stations["region_code"].isna()]
    assert len(result.stations) == 2026
    assert set(new.loc[new["station_code"].isin(missing["station_code"]), "city"]) == {
        "兰州新区", "赣江新区", "雄安新区", "西咸新区"}
    assert len(missing) == 12
    old = parse(folder / "StationList-2020.01.01.csv").tables["stations"].to_pandas()
    result = assign_stations(old, regions, changes)
    assert result.stations["region_code"].notna().all()
    assert result.stations["city_code"].nunique() == 338
