"""Surface-water ingest: automatic exports (CSV, JSON snapshots), manual results, registry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from transforms.ingest.engine import detect_format, ingest_paths
from transforms.ingest.formats.water_auto import parse_auto_csv, parse_snapshot_json
from transforms.ingest.formats.water_manual import parse_manual
from transforms.ingest.raw_files import RawFileError
from transforms.water.sections import load_section_config, placeholder_codes

HEADER = ("省份,流域,断面名称,监测时间,水质类别,水温(℃),pH(无量纲),溶解氧(mg/L),电导率(μS/cm),"
          "浊度(NTU),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L),总氮(mg/L),叶绿素α(mg/L),"
          "藻密度(cells/L),站点情况")
ROWS = [
    # line 2: a normal reading
    "陕西省,长江流域,小钢桥,04-01 08:00,Ⅱ,14.2,8.10,9.50,300.1,5.2,1.90,0.100,0.045,1.60,*,*,正常",
    # line 3: '--' and '*' are missing, not faults
    "陕西省,长江流域,小钢桥,04-01 12:00,Ⅲ,15.0,8.05,--,301.0,5.0,2.10,0.120,0.150,--,*,*,正常",
    # line 4: exact repeat of line 2 -> loaded once
    "陕西省,长江流域,小钢桥,04-01 08:00,Ⅱ,14.2,8.10,9.50,300.1,5.2,1.90,0.100,0.045,1.60,*,*,正常",
    # line 5: no time -> quarantined
    "陕西省,长江流域,小钢桥,*,*,--,--,--,--,--,--,--,--,--,*,*,维护",
    # line 6: same time as line 3 but another TP -> both TP cells quarantined
    "陕西省,长江流域,小钢桥,04-01 12:00,Ⅲ,15.0,8.05,--,301.0,5.0,2.10,0.120,0.180,--,*,*,正常",
    # line 7: bad cells: text, negative, impossible pH
    "陕西省,长江流域,小钢桥,04-01 16:00,劣Ⅴ,15.5,15.30,8.00,abc,5.0,2.00,-0.010,0.050,1.50,"
    "*,*,正常",
    # line 8: a month after the folder month belongs to the previous year (stale reading)
    "陕西省,长江流域,小钢桥,05-20 08:00,Ⅱ,20.0,8.00,8.00,290.0,4.0,1.80,0.090,0.040,1.40,*,*,正常",
    # line 9: no such date
    "陕西省,长江流域,小钢桥,02-30 08:00,Ⅱ,20.0,8.00,8.00,290.0,4.0,1.80,0.090,0.040,1.40,*,*,正常",
]


def write_export(root: Path, rows: list[str], month: str = "2021-04",
                 name: str = "小钢桥") -> Path:
    folder = root / "water" / "陕西省" / "长江流域" / name / month
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))
    return path


def samples_of(parsed) -> pd.DataFrame:
    return parsed.tables["water_section_samples"].to_pandas()


def test_auto_export_year_from_folder_missing_markers_and_duplicates(tmp_path):
    parsed = parse_auto_csv(write_export(tmp_path, ROWS))
    s = samples_of(parsed)
    code = placeholder_codes(pd.Series(["陕西省"]), pd.Series(["小钢桥"]))[0]
    assert set(s["section_code"]) == {code}
    at = {ts: g.set_index("parameter")["value"].to_dict() for ts, g in s.groupby("sampled_at")}
    assert sorted(at) == [pd.Timestamp("2020-05-20 08:00"), pd.Timestamp("2021-04-01 08:00"),
                          pd.Timestamp("2021-04-01 12:00"), pd.Timestamp("2021-04-01 16:00")]
    first = at[pd.Timestamp("2021-04-01 08:00")]
    assert first == {"temp": 14.2, "ph": 8.1, "do": 9.5, "cond": 300.1, "turb": 5.2,
                     "codmn": 1.9, "nh3n": 0.1, "tp": 0.045, "tn": 1.6}
    # line 3/6: DO and TN missing, TP conflicting -> out; the rest loads once
    assert at[pd.Timestamp("2021-04-01 12:00")] == {
        "temp": 15.0, "ph": 8.05, "cond": 301.0, "turb": 5.0, "codmn": 2.1, "nh3n": 0.12}
    # line 7: only the good cells
    assert set(at[pd.Timestamp("2021-04-01 16:00")]) == {
        "temp", "do", "turb", "codmn", "tp", "tn"}
    assert len(s) == len(s.drop_duplicates(["section_code", "sampled_at", "parameter"]))
    assert set(s["method"]) == {"auto"}
    assert s.set_index("parameter")["unit"].to_dict()["cond"] == "µS/cm"


def test_auto_export_quarantines_bad_cells_with_lines_and_reasons(tmp_path):
    q = parse_auto_csv(write_export(tmp_path, ROWS)).quarantine.to_pandas()
    got = sorted(zip(q["line_no"], q["column_name"], q["reason"], q["raw"], strict=True))
    assert got == [
        (3, "总磷(mg/L)", "duplicate_conflict", "0.150"),
        (5, "监测时间", "missing_timestamp",
         "陕西省,长江流域,小钢桥,*,*,--,--,--,--,--,--,--,--,--,*,*,维护"),
        (6, "总磷(mg/L)", "duplicate_conflict", "0.180"),
        (7, "pH(无量纲)", "impossible_value", "15.30"),
        (7, "氨氮(mg/L)", "negative", "-0.010"),
        (7, "电导率(μS/cm)", "non_numeric", "abc"),
        (9, "监测时间", "bad_timestamp", "02-30 08:00"),
    ]


def test_published_class_and_status(tmp_path):
    pub = parse_auto_csv(write_export(tmp_path, ROWS)).tables[
        "water_sample_published_class"].to_pandas().set_index("sampled_at")
    assert pub.loc[pd.Timestamp("2021-04-01 08:00"), "published_class"] == 2
    assert pub.loc[pd.Timestamp("2021-04-01 16:00"), "published_class"] == 6  # 劣Ⅴ
    assert pub.loc[pd.Timestamp("2021-04-01 12:00"), "station_status"] == "正常"
    assert len(pub) == 4


def test_year_override_and_missing_context(tmp_path, monkeypatch):
    flat = tmp_path / "export.csv"
    flat.write_text("\n".join([HEADER, ROWS[0]]), encoding="utf-8")
    with pytest.raises(RawFileError, match="no year"):
        parse_auto_csv(flat)
    assert samples_of(parse_auto_csv(flat, year=2019))["sampled_at"].iloc[0] == pd.Timestamp(
        "2019-04-01 08:00")
    monkeypatch.setenv("ENVQ_WATER_YEAR", "2018")
    assert samples_of(parse_auto_csv(flat))["sampled_at"].iloc[0] == pd.Timestamp(
        "2018-04-01 08:00")
    # a date in the file name is a context too; January folder -> December is last year
    dated = tmp_path / "export_20210105.csv"
    dated.write_text("\n".join([HEADER, ROWS[0].replace("04-01", "12-31")]), encoding="utf-8")
    monkeypatch.delenv("ENVQ_WATER_YEAR")
    assert samples_of(parse_auto_csv(dated))["sampled_at"].iloc[0] == pd.Timestamp(
        "2020-12-31 08:00")


def span(value: str, raw: str) -> str:
    return (f"<span data-toggle='tooltip' data-placement='right' title='原始值：{raw}'>"
            f"{value}</span>")


def write_snapshot(root: Path) -> Path:
    unit = "<br/><span class='unit'>({})</span>"
    thead = ["省份", "流域", "断面名称", "监测时间", "水质类别", "水温" + unit.format("℃"),
             "pH" + unit.format("无量纲"), "溶解氧" + unit.format("mg/L"),
             "电导率" + unit.format("μS/cm"), "浊度" + unit.format("NTU"),
             "高锰酸盐指数" + unit.format("mg/L"), "氨氮" + unit.format("mg/L"),
             "总磷" + unit.format("mg/L"), "总氮" + unit.format("mg/L"),
             "叶绿素α" + unit.format("mg/L"), "藻密度" + unit.format("cells/L"), "站点情况"]
    name = ("<span data-toggle='tooltip' data-placement='right' "
            "title='所在地市:汉滨区&#10;所属河流:汉江'>瀛湖坝前</span>")
    tbody = [
        ["陕西省", "长江流域", name, "05-08 08:00", "Ⅲ", span("20.7", "20.74"),
         span("8.00", "7.995"), span("8.68", "8.675"), span("393.4", "393.35"),
         span("3.6", "3.557"), span("4.23", "4.229"), span("0.033", "0.0326"),
         span("0.024", "0.02402"), span("0.62", "0.622"), span("0.004", "0.0041"),
         span("5.2E+05", "520000"), "正常"],
        ["陕西省", "长江流域", "古北口&amp;测试", "09-09 12:00", "Ⅱ", "--", "--", "--", "--",
         "--", "--", "--", span("0.05", "0.05"), "--", "*", "*", "正常"],
        ["陕西省", "长江流域", "沿河城", None, "", "--", "--", "--", "--", "--", "--", "--",
         "--", "--", "*", "*", "停站"],
    ]
    folder = root / "2020-05"
    folder.mkdir(parents=True)
    path = folder / "2020-05-08.json"
    doc = {"result": 1, "total": 1, "records": 3, "thead": thead, "tbody": tbody}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_json_snapshot_takes_the_unrounded_value(tmp_path):
    parsed = parse_snapshot_json(write_snapshot(tmp_path))
    s = samples_of(parsed)
    first = s[s["sampled_at"] == pd.Timestamp("2020-05-08 08:00")].set_index("parameter")
    assert first["value"].to_dict() == {
        "temp": 20.74, "ph": 7.995, "do": 8.675, "cond": 393.35, "turb": 3.557,
        "codmn": 4.229, "nh3n": 0.0326, "tp": 0.02402, "tn": 0.622, "chla": 0.0041,
        "algae": 520000.0}
    # "09-09" in a 2020-05-08 snapshot is the stale reading of 2019-09-09
    assert s["sampled_at"].min() == pd.Timestamp("2019-09-09 12:00")
    sections = parsed.tables["water_sections"].to_pandas().set_index("section_name")
    assert sections.loc["瀛湖坝前", "river"] == "汉江"
    assert sections.loc["瀛湖坝前", "water_type"] == "lake"  # chlorophyll measured
    assert "古北口&测试" in sections.index  # HTML entity decoded
    q = parsed.quarantine.to_pandas()
    assert q[["line_no", "column_name", "reason"]].values.tolist() == [
        [3, "监测时间", "missing_timestamp"]]
    assert any("stale" in n for n in parsed.notes)


MANUAL = "\n".join([
    "断面编码,断面名称,采样日期,监测项目,监测值,单位",
    "WQ61092901,小钢桥,2025-01-07,pH,7.91,无量纲",
    "WQ61092901,小钢桥,2025-01-07,溶解氧,9.3,mg/L",
    "WQ61092901,小钢桥,2025-01-07,汞,0.00004L,mg/L",   # below detection: half the limit
    "WQ61092901,小钢桥,2025-01-07,铅,2.5,μg/L",        # converted to mg/L
    "WQ61092901,小钢桥,2025-01-07,总磷,0.052,mg/L",
    "WQ61092901,小钢桥,2025-01-07,总磷,0.052,mg/L",    # exact repeat: once
    "WQ61092901,小钢桥,2025-01-07,氨氮,0.30,mg/L",
    "WQ61092901,小钢桥,2025-01-07,氨氮,0.35,mg/L",     # conflict with line 8
    "WQ61092901,小钢桥,2025-01-07,透明度,1.2,m",       # not a Table 1 item
    "WQ61092901,小钢桥,2025-13-07,铜,0.003,mg/L",      # no such date
    "WQ61092901,小钢桥,2025-01-07,锌,0.02,kg",         # unknown unit
    "WQ61092901,小钢桥,2025-01-07,粪大肠菌群,24,个/100mL",
    "WQ61092901,小钢桥,2025-01-07,化学需氧量,--,mg/L",  # missing: skipped
])


def test_manual_long_with_detection_limits(tmp_path):
    path = tmp_path / "water_manual" / "manual_water_2025.csv"
    path.parent.mkdir()
    path.write_bytes(b"\xef\xbb\xbf" + MANUAL.encode("utf-8"))
    assert detect_format(path).name == "water_manual_long"
    parsed = parse_manual(path)
    s = samples_of(parsed).set_index("parameter")
    assert s["value"].to_dict() == pytest.approx(
        {"ph": 7.91, "do": 9.3, "hg": 0.00002, "pb": 0.0025, "tp": 0.052,
         "fecal_coliform": 240.0})
    assert set(s["method"]) == {"manual"}
    assert set(s["sampled_at"]) == {pd.Timestamp("2025-01-07")}
    assert s.loc["fecal_coliform", "unit"] == "个/L"
    q = parsed.quarantine.to_pandas()
    assert sorted(zip(q["line_no"], q["reason"], q["raw"], strict=True)) == [
        (8, "duplicate_conflict", "0.30"),
        (9, "duplicate_conflict", "0.35"),
        (10, "unknown_item", "透明度"),
        (11, "bad_timestamp", "2025-13-07"),
        (12, "bad_unit", "kg"),
    ]
    assert any("half the limit" in n for n in parsed.notes)


def test_manual_wide_with_english_names(tmp_path):
    path = tmp_path / "lab_wide.csv"
    path.write_text(
        "section_code,section_name,date,pH,DO,Permanganate index,NH3-N,TP (mg/L),"
        "Chromium (VI),Fecal coliform,remark\n"
        "S1,Alpha,2025/03/02,7.2,8.1,2.2,0.20,0.03,0.004L,900,ok\n"
        "S1,Alpha,2025/04/02,7.3,abc,2.4,0.25,0.05,0.006,,ok\n",
        encoding="utf-8",
    )
    assert detect_format(path).name == "water_manual_wide"
    parsed = parse_manual(path)
    s = samples_of(parsed)
    march = s[s["sampled_at"] == pd.Timestamp("2025-03-02")].set_index("parameter")["value"]
    assert march.to_dict() == pytest.approx(
        {"ph": 7.2, "do": 8.1, "codmn": 2.2, "nh3n": 0.2, "tp": 0.03, "cr6": 0.002,
         "fecal_coliform": 900.0})
    q = parsed.quarantine.to_pandas()
    assert q[["line_no", "column_name", "reason"]].values.tolist() == [
        [3, "DO", "non_numeric"]]
    assert any("remark" in n for n in parsed.notes)


def test_auto_format_is_detected(tmp_path):
    assert detect_format(write_export(tmp_path, ROWS[:1])).name == "water_auto_csv"
    assert detect_format(write_snapshot(tmp_path)).name == "water_auto_json"


SECTIONS = "\n".join([
    "section_code,section_name,province,river,basin,water_type,region_code,control_level,"
    "target_class,is_drinking_source",
    "WQ61092901,小钢桥,陕西省,汉江,长江流域,river,610929,national,2,N",
    "WQ61090201,瀛湖坝前,陕西省,汉江,长江流域,lake,610902,national,Ⅱ,Y",
])


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0]  # noqa: S608
            for t in ("water_section_samples", "water_sample_published_class", "water_sections",
                      "quarantine")}


def test_warehouse_load_resolves_names_and_is_idempotent(tmp_path, warehouse):
    cfg = tmp_path / "water_sections.csv"
    cfg.write_text(SECTIONS, encoding="utf-8")
    assert load_section_config(warehouse, cfg) == 2
    export = write_export(tmp_path, ROWS)
    other = write_export(tmp_path, ["陕西省,长江流域,无名桥,04-02 08:00,Ⅱ,1,7,8,1,1,1,0.1,0.02,1,"
                                    "*,*,正常"], name="无名桥")
    results = ingest_paths(warehouse, [tmp_path / "water"])
    assert [r.status for r in results] == ["loaded", "loaded"]
    codes = warehouse.execute(
        "select distinct section_code from water_section_samples order by 1").fetchall()
    placeholder = placeholder_codes(pd.Series(["陕西省"]), pd.Series(["无名桥"]))[0]
    assert sorted(c[0] for c in codes) == sorted(["WQ61092901", placeholder])
    assert warehouse.execute(
        "select section_name, registered from water_sections where section_code = ?",
        [placeholder]).fetchall() == [("无名桥", False)]
    before = counts(warehouse)
    assert before["quarantine"] == 7
    assert [r.status for r in ingest_paths(warehouse, [export, other])] == ["skipped"] * 2
    # a re-sent file (other bytes) with a reading already loaded replaces it: nothing doubles
    resent = write_export(tmp_path / "resent", ROWS[:1])
    ingest_paths(warehouse, [resent])
    assert counts(warehouse)["water_section_samples"] == before["water_section_samples"]
    assert counts(warehouse)["water_sections"] == before["water_sections"]


def test_config_loaded_after_data_folds_placeholders(tmp_path, warehouse):
    ingest_paths(warehouse, [write_export(tmp_path, ROWS[:2])])
    assert warehouse.execute("select count(*) from water_sections where not registered"
                             ).fetchall() == [(1,)]
    cfg = tmp_path / "water_sections.csv"
    cfg.write_text(SECTIONS.replace("小钢桥", " 小钢桥 "), encoding="utf-8")  # names normalised
    load_section_config(warehouse, cfg)
    assert warehouse.execute(
        "select distinct section_code from water_section_samples").fetchall() == [("WQ61092901",)]
    assert warehouse.execute(
        "select count(*) from water_sections where not registered").fetchall() == [(0,)]
    row = warehouse.execute(
        "select water_type, target_class, is_drinking_source from water_sections "
        "where section_code = 'WQ61090201'").fetchall()
    assert row == [("lake", 2, True)]


def test_bad_section_config_names_the_line(tmp_path, warehouse):
    cfg = tmp_path / "water_sections.csv"
    cfg.write_text(SECTIONS.replace(",2,N", ",7,N"), encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: target_class"):
        load_section_config(warehouse, cfg)


@pytest.mark.realdata
def test_real_export_and_snapshot(shared_data):
    root = shared_data / "cnemc_surface_water_realtime_2020_2021"
    export = (root / "water_quality_by_name" / "福建省" / "浙闽片河流" / "大田高才" / "2021-04"
              / "大田高才.csv")
    parsed = parse_auto_csv(export)
    s = samples_of(parsed)
    # 28 lines, the reading of 04-01 12:00 twice (exact duplicate)
    assert s["sampled_at"].nunique() == 25
    assert s["sampled_at"].min() == pd.Timestamp("2021-04-01 04:00")
    snap = parse_snapshot_json(root / "2020-05" / "2020-05-08.json")
    first = samples_of(snap)
    code = placeholder_codes(pd.Series(["北京市"]), pd.Series(["鼓楼外大街"]))[0]
    row = first[(first["section_code"] == code) & (first["parameter"] == "tp")]
    assert row["value"].tolist() == [0.0326]  # 原始值, displayed 0.033
    assert row["sampled_at"].tolist() == [pd.Timestamp(dt.datetime(2020, 5, 8, 15))]
