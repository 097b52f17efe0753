"""`envq export`: each format reads back to the warehouse's rows, filters by year and region
(with the regions under it), writes a manifest, and refuses in one line what it cannot do."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import openpyxl
import pandas as pd
import pyarrow.dataset as pa_ds
import pytest

from flows.cli import main
from flows.export import ExportError, Filters, export
from transforms.warehouse import connect

CITY, COUNTY_A, COUNTY_B, OTHER = "610900", "610902", "610921", "620800"


@pytest.fixture
def published(tmp_path):
    """A small published warehouse: regions, two stations, two years of hourly values (one row
    a day at 12:00, value = day of year), a daily mart with Chinese text and formula-like text."""
    path = tmp_path / "wh" / "envq.duckdb"
    con = connect(path)
    con.execute(
        "insert into regions values (?, '安康市', 'Ankang', 'city', '610000'), "
        "(?, '汉滨区', null, 'county', ?), (?, '汉阴县', null, 'county', ?), "
        "(?, '平凉市', null, 'city', '620000')",
        [CITY, COUNTY_A, CITY, COUNTY_B, CITY, OTHER],
    )
    con.execute(
        "insert into stations (station_code, station_name, region_code) values "
        "('1001A', '江北', ?), ('2001A', '崆峒', ?)",
        [COUNTY_A, OTHER],
    )
    con.execute(
        """
        insert into air_station_hourly
        select s, d + interval 12 hour, 'pm25', dayofyear(d), 'realtime', 'f.csv'
        from (values ('1001A'), ('2001A')) t(s),
             range(date '2025-01-01', date '2027-01-01', interval 1 day) r(d)
        """
    )
    con.execute(
        """
        create table air_city_daily as
        select region_code, d::date as date, 40 + dayofmonth(d) as aqi,
               case when dayofmonth(d) > 25 then '良' else '优' end as category,
               case when region_code = ? then '=1+1' else '安康' end as primary_pollutants,
               dayofmonth(d) / 3 as pm25, dayofmonth(d) <= 25 as is_good
        from (values (?), (?), (?), (?)) t(region_code),
             range(date '2025-01-01', date '2027-01-01', interval 1 day) r(d)
        """,
        [COUNTY_B, CITY, COUNTY_A, COUNTY_B, OTHER],
    )
    con.execute(
        """
        create table rectification_problems as
        select * from (values
            ('P1', date '2026-03-01', ['汉阴县人民政府', '安康市水利局'], ['610921', '610900']),
            ('P2', date '2026-03-01', ['平凉市水利局'], ['620800'])
        ) t(problem_no, snapshot_date, units, region_codes)
        """
    )
    con.close()
    return path


def rows_of(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_parquet_partitions_the_large_table_by_year_and_reads_back(published, tmp_path):
    out = tmp_path / "out"
    manifest = export(published, out, ["air_station_hourly", "air_city_daily"], "parquet")
    hourly = out / "air_station_hourly"
    assert sorted(p.name for p in hourly.iterdir()) == ["year=2025", "year=2026"]
    assert (out / "air_city_daily.parquet").is_file()
    # 2 stations x (365 + 365) days; 4 regions x 730 days
    assert [(e["table"], e["rows"]) for e in manifest["tables"]] == [
        ("air_station_hourly", 1460),
        ("air_city_daily", 2920),
    ]
    back = pa_ds.dataset(hourly, format="parquet", partitioning="hive").to_table().to_pandas()
    with duckdb.connect(str(published), read_only=True) as con:
        expected = con.sql("select * from air_station_hourly").df()
    got = back.drop(columns="year").sort_values(["station_code", "ts"]).reset_index(drop=True)
    expected = expected.sort_values(["station_code", "ts"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert (back["year"] == back["ts"].dt.year).all()
    daily = pd.read_parquet(out / "air_city_daily.parquet")
    assert len(daily) == 2920 and set(daily["category"]) == {"优", "良"}


def test_csv_has_a_bom_and_reads_back_with_the_year_and_region_filters(published, tmp_path):
    out = tmp_path / "out"
    filters = Filters(year=2026, region=CITY)
    manifest = export(published, out, ["air_city_daily", "air_station_hourly"], "csv", filters)
    raw = (out / "air_city_daily.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "优".encode() in raw
    back = pd.read_csv(out / "air_city_daily.csv", encoding="utf-8-sig", dtype={"region_code": str})
    # the city and its two counties, 365 days of 2026 each; 平凉市 is out
    assert sorted(set(back["region_code"])) == [CITY, COUNTY_A, COUNTY_B]
    assert len(back) == 3 * 365 and back["date"].str.startswith("2026-").all()
    assert back["is_good"].sum() == 3 * 12 * 25  # days 1..25 of every month are good
    assert set(back.loc[back["region_code"] == COUNTY_B, "primary_pollutants"]) == {"=1+1"}
    hourly = pd.read_csv(out / "air_station_hourly.csv", encoding="utf-8-sig")
    # station 1001A stands in 汉滨区 (under the city); timestamps without fractions
    assert set(hourly["station_code"]) == {"1001A"} and len(hourly) == 365
    assert hourly["ts"].iloc[0] == "2026-01-01 12:00:00"
    assert manifest["filters"] == {"year": 2026, "region": CITY}
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest


def test_xlsx_reads_back_typed_and_formula_text_stays_text(published, tmp_path):
    out = tmp_path / "out"
    export(published, out, ["air_city_daily"], "xlsx", Filters(year=2025, region=COUNTY_B))
    wb = openpyxl.load_workbook(out / "air_city_daily.xlsx")
    assert wb.sheetnames == ["About", "air_city_daily"]
    rows = list(wb["air_city_daily"].iter_rows(values_only=True))
    assert rows[0] == (
        "region_code",
        "date",
        "aqi",
        "category",
        "primary_pollutants",
        "pm25",
        "is_good",
    )
    assert len(rows) == 1 + 365
    assert rows[1] == (
        COUNTY_B,
        dt.datetime(2025, 1, 1),
        41,
        "优",
        "=1+1",
        pytest.approx(1 / 3),
        True,
    )
    assert wb["air_city_daily"]["E2"].data_type == "s"


def test_list_columns_filter_by_region_and_read_as_text(published, tmp_path):
    out = tmp_path / "out"
    export(published, out, ["rectification_problems"], "csv", Filters(region=COUNTY_B))
    back = pd.read_csv(out / "rectification_problems.csv", encoding="utf-8-sig", dtype=str)
    assert back.to_dict("records") == [
        {
            "problem_no": "P1",
            "snapshot_date": "2026-03-01",
            "units": "汉阴县人民政府、安康市水利局",
            "region_codes": "610921、610900",
        }
    ]
    export(published, tmp_path / "pq", ["rectification_problems"], "parquet")
    lists = pd.read_parquet(tmp_path / "pq" / "rectification_problems.parquet")
    assert list(lists["units"].iloc[1]) == ["平凉市水利局"]  # Parquet keeps the list


def test_refusals_are_one_line_and_name_the_valid_choices(published, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="is not empty; .* --force"):
        export(published, out, ["air_city_daily"], "csv")
    export(published, out, ["air_city_daily"], "csv", force=True)
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(ExportError, match="xlsx is for the mart tables"):
        export(published, tmp_path / "x", ["air_station_hourly"], "xlsx")
    with pytest.raises(ExportError, match="unknown region '999999'"):
        export(published, tmp_path / "y", ["air_city_daily"], "csv", Filters(region="999999"))
    with pytest.raises(ExportError, match="--region does not apply to load_log"):
        export(published, tmp_path / "z", ["load_log"], "csv", Filters(region=CITY))

    wh = ["--warehouse", str(published)]
    assert main(["export", *wh, "--table", "nope", "--out", str(tmp_path / "a")]) == 1
    err = capsys.readouterr().err.strip()
    # one line: the command, (a localised word for "failed",) the reason with the valid names
    assert err.count("\n") == 0 and err.startswith("envq export")
    assert "unknown table nope; valid tables: air_city_daily, " in err
    assert "air_station_hourly" in err
    assert main(["export", *wh, "--format", "ods", "--out", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("envq export")
    assert err.endswith("unknown format 'ods'; valid formats: parquet, csv, xlsx")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
