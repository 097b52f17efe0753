"""envq init: a workspace for a real city from the shipped national registry, its stations from
a station list, a targets template that loads as "not set", and files never overwritten."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from flows import stages
from flows.cli import main
from flows.settings import WORKSPACE_MARKER, load_settings
from flows.workspace import WorkspaceError, init_workspace
from transforms.ingest.registry import national_regions
from transforms.ingest.targets_config import parse_targets
from transforms.warehouse import connect

# NewSiteList layout (GBK): two 安康 stations (one 对照点), one 平凉 station
STATION_LIST = (
    "监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区\n"
    "2701A,江北,安康,109.01,32.71,N,陕西省,安康市\n"
    "2702A,香溪洞(对照点),安康,109.03,32.65,Y,陕西省,安康市\n"
    "2801A,平凉站,平凉,106.66,35.54,N,甘肃省,平凉市\n"
    "2901A,旬阳城区,旬阳,109.36,32.83,N,陕西省,安康市\n"
)


@pytest.fixture
def station_list(tmp_path) -> Path:
    path = tmp_path / "NewSiteList.csv"
    path.write_bytes(STATION_LIST.encode("gbk"))
    return path


def test_init_writes_the_city_and_its_counties_from_the_registry(tmp_path, station_list):
    home = tmp_path / "ankang"
    result = init_workspace(home, "安康", stations=station_list, year=2026)
    assert (result.region_code, result.name) == ("610900", "安康市")
    regions = pd.read_csv(home / "config" / "regions.csv", dtype=str)
    # 陕西省, 安康市 and its ten county-level units (旬阳市 610981 since 2021, not 旬阳县)
    assert regions["region_code"].tolist()[:2] == ["610000", "610900"]
    assert len(regions) == 12 and "610981" in set(regions["region_code"])
    assert set(regions.loc[regions["level"] == "county", "parent_code"]) == {"610900"}
    stations = pd.read_csv(home / "config" / "stations.csv", dtype=str)
    columns = ["station_code", "region_code", "is_background", "city_assessment"]
    assert stations[columns].values.tolist() == [
        ["2701A", "610900", "N", "Y"],
        ["2702A", "610900", "Y", "N"],  # 对照点: never counted
        ["2901A", "610981", "N", "N"],  # listed under 旬阳市, a county-level city of 安康
    ]
    for folder in ("raw", "reports", "warehouse"):
        assert (home / folder).is_dir() and not any((home / folder).iterdir())
    assert "raw/" in (home / "README.md").read_text(encoding="utf-8")
    assert load_settings(home=home).is_workspace


def test_the_configuration_init_writes_loads(tmp_path, station_list):
    home = tmp_path / "ws"
    init_workspace(home, "610900", stations=station_list, year=2026)
    con = connect(tmp_path / "wh.duckdb")
    try:
        counts = stages.load_configuration(con, load_settings(home=home))
    finally:
        con.close()
    # the workspace's regions are national ones: they replace their rows, add none
    assert counts["regions"] == len(national_regions()) and counts["stations"] == 3
    assert counts["targets"] == 0 and counts["targets_not_set"] == 9


def test_targets_template_is_not_set_until_filled(tmp_path):
    home = tmp_path / "ws"
    init_workspace(home, "平凉市", year=2019)
    path = home / "targets.yaml"
    text = path.read_text(encoding="utf-8")
    # the national default in the comment: GB 3095-2012 grade II annual PM2.5 limit, 35 µg/m³
    pm25 = next(line for line in text.splitlines() if "pm25_mean" in line)
    assert "FILL IN" in pm25 and "GB 3095-2012" in pm25 and "limit 35 µg/m³" in pm25
    table, not_set = parse_targets(path)
    assert (table.num_rows, not_set) == (0, 9)
    path.write_text(
        text.replace('indicator: pm25_mean, comparator: "<=", value: }',
                     'indicator: pm25_mean, comparator: "<=", value: 33}'),
        encoding="utf-8",
    )
    table, not_set = parse_targets(path)
    assert (table.num_rows, not_set) == (1, 8)
    assert table.to_pylist()[0]["region_code"] == "620800"
    assert table.to_pylist()[0]["value"] == 33.0


def test_template_year_2026_names_the_2026_limits(tmp_path):
    init_workspace(tmp_path / "ws", "610900", year=2026)
    text = (tmp_path / "ws" / "targets.yaml").read_text(encoding="utf-8")
    pm25 = next(line for line in text.splitlines() if "pm25_mean" in line)
    assert "GB 3095-2026" in pm25 and "limit 30 µg/m³" in pm25  # transitional grade II


def test_init_refuses_an_existing_workspace_and_force_keeps_the_bureaus_files(tmp_path):
    home = tmp_path / "ws"
    init_workspace(home, "610900", year=2026)
    targets = home / "targets.yaml"
    targets.write_text("targets: []  # the bureau's own\n", encoding="utf-8")
    (home / "README.md").unlink()
    with pytest.raises(WorkspaceError, match="already holds a workspace"):
        init_workspace(home, "610900")
    result = init_workspace(home, "610900", force=True)
    assert targets.read_text(encoding="utf-8") == "targets: []  # the bureau's own\n"
    assert targets in result.kept and home / "config" / "regions.csv" in result.kept
    assert result.written == [home / "README.md"]
    with pytest.raises(WorkspaceError, match="is the workspace of 610900, not 620800"):
        init_workspace(home, "平凉", force=True)


def test_a_folder_with_a_targets_file_counts_as_a_workspace(tmp_path):
    (tmp_path / "targets.yaml").write_text("targets: []\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"targets\.yaml"):
        init_workspace(tmp_path, "610900")


def test_a_province_is_not_a_workspace(tmp_path):
    with pytest.raises(WorkspaceError, match="陕西省 is a province"):
        init_workspace(tmp_path / "ws", "610000")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("鼓楼", ["ambiguous", "320106 鼓楼区 (南京市)", "350102 鼓楼区 (福州市)"]),
        ("安康县", ["unknown region '安康县'", "610900 安康市 (陕西省)"]),
        ("999999", ["unknown region code 999999"]),
    ],
)
def test_cli_names_the_candidates_in_one_line(tmp_path, capsys, name, expected):
    assert main(["init", str(tmp_path / "ws"), "--region", name]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    for part in expected:
        assert part in err
    assert not (tmp_path / "ws").exists()


def test_city_names_win_over_counties_of_the_same_short_name(tmp_path):
    # 朝阳 is 朝阳市 (辽宁), a city, not 朝阳区 of 北京 or 长春 (counties)
    assert init_workspace(tmp_path / "ws", "朝阳").region_code == "211300"


def test_cli_init_prints_what_it_wrote_and_kept(tmp_path, capsys, station_list):
    home = tmp_path / "ws"
    assert main(["init", str(home), "--region", "安康市", "--stations", str(station_list)]) == 0
    out = capsys.readouterr().out
    assert "安康市 610900: 12 regions, 3 stations" in out and "wrote" in out
    assert main(["init", str(home), "--region", "安康市", "--force"]) == 0
    assert "kept (already there, not overwritten)" in capsys.readouterr().out
    marker = (home / WORKSPACE_MARKER).read_text(encoding="utf-8")
    assert f"template_year: {dt.date.today().year}" in marker


def test_a_county_workspace_takes_the_stations_listed_under_the_county(tmp_path, station_list):
    result = init_workspace(tmp_path / "ws", "旬阳", stations=station_list, year=2026)
    assert (result.region_code, result.stations) == ("610981", 1)
    regions = pd.read_csv(tmp_path / "ws" / "config" / "regions.csv", dtype=str)
    assert regions["region_code"].tolist() == ["610000", "610900", "610981"]


def test_a_missing_or_foreign_station_list_is_a_one_line_error(tmp_path, capsys):
    home = tmp_path / "ws"
    assert main(["init", str(home), "--region", "610900", "--stations", "nope.csv"]) == 1
    assert "nope.csv: station list not found" in capsys.readouterr().err
    other = tmp_path / "other.csv"
    other.write_text("date,hour,type,1001A\n20190101,0,AQI,50\n", encoding="utf-8")
    assert main(["init", str(home), "--region", "610900", "--stations", str(other)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "station list without column" in err
    assert not home.exists()  # nothing written before the inputs are known to be good
