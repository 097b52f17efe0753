"""Water marts on a tiny warehouse: period classes, summaries, warnings (hand-computed)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from transforms.warehouse import connect
from transforms.water.marts import build_water_marts
from transforms.water.sections import load_section_config

SECTIONS = """section_code,section_name,province,river,basin,water_type,region_code,\
control_level,target_class,is_drinking_source
S1,一号,陕西省,R1,B1,river,610929,national,3,N
S2,二号,陕西省,R1,B1,river,610929,national,2,N
S3,三号,陕西省,R1,B1,river,610902,provincial,3,N
S4,四号,陕西省,R2,B1,river,610902,provincial,3,Y
S5,五号,陕西省,R2,B1,river,610902,municipal,2,Y
S6,六号,陕西省,L1,B2,lake,610902,municipal,3,N
"""
REGIONS = [("610000", "陕西省", "province", None), ("610900", "安康市", "city", "610000"),
           ("610902", "汉滨区", "county", "610900"), ("610929", "白河县", "county", "610900")]

# (section, 'YYYY-MM', parameter, values, method); one sample per value on days 1, 2, ...
SAMPLES = [
    ("S1", "2025-01", "tp", [0.1, 0.2], "auto"), ("S1", "2025-02", "tp", [0.25], "auto"),
    ("S1", "2025-03", "tp", [0.1], "auto"),
    ("S1", "2026-01", "tp", [0.1], "auto"), ("S1", "2026-02", "tp", [0.35, 0.45], "auto"),
    ("S1", "2026-03", "tp", [0.1], "auto"),
    *[("S2", f"{y}-0{m}", "tp", [v], "auto") for y, v in ((2025, 0.15), (2026, 0.35))
      for m in (1, 2, 3)],
    # S3: automatic TP wins over the manual TP of the same month (2020 rule); COD manual only
    ("S3", "2025-03", "tp", [0.1], "auto"),
    ("S3", "2026-03", "tp", [0.1, 0.1], "auto"), ("S3", "2026-03", "tp", [0.3], "manual"),
    ("S3", "2026-03", "cod", [18.0], "manual"),
    ("S3", "2026-02", "tp", [0.3], "manual"),   # no automatic TP this month: manual used
    ("S4", "2025-03", "tp", [0.25], "auto"), ("S4", "2026-03", "tp", [0.5], "auto"),
    ("S5", "2025-03", "tp", [0.02], "auto"), ("S5", "2026-03", "tp", [0.02], "auto"),
    ("S6", "2026-03", "tp", [0.04], "auto"), ("S6", "2026-03", "tn", [1.2], "auto"),
    ("S1", "2026-04", "tp", [0.9], "auto"),     # after as_of: ignored
]
AS_OF = dt.date(2026, 3, 31)


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("water_marts")
    warehouse = connect(tmp_path / "wh.duckdb")
    cfg = tmp_path / "water_sections.csv"
    cfg.write_text(SECTIONS, encoding="utf-8")
    load_section_config(warehouse, cfg)
    warehouse.executemany("insert into regions (region_code, name, level, parent_code) "
                          "values (?, ?, ?, ?)", REGIONS)
    rows = [
        (code, dt.datetime.fromisoformat(f"{month}-{i + 1:02d} 08:00"), param, v, method)
        for code, month, param, values, method in SAMPLES
        for i, v in enumerate(values)
    ]
    frame = pd.DataFrame(rows, columns=["section_code", "sampled_at", "parameter", "value",
                                        "method"])
    warehouse.register("rows", frame)
    warehouse.execute("insert into water_section_samples (section_code, sampled_at, parameter, "
                      "value, method, source_file) select *, 'test' from rows")
    counts = build_water_marts(warehouse, as_of=AS_OF)
    yield warehouse, counts
    warehouse.close()


def period(con, code: str, label: str) -> dict:
    df = con.execute("select * from water_section_period where section_code = ? and period = ?",
                     [code, label]).df()
    assert len(df) == 1, (code, label)
    return df.iloc[0].to_dict()


def test_period_classes_from_sample_means(marts):
    con, counts = marts
    assert counts["water_section_period"] > 0
    # months: 2026-02 TP mean (0.35+0.45)/2 = 0.4 -> V
    assert period(con, "S1", "2026-02")["class"] == 5
    assert period(con, "S1", "2026-02")["tp"] == pytest.approx(0.4)
    # quarter / year / YTD: mean of the samples (0.1+0.35+0.45+0.1)/4 = 0.25 -> IV
    for label in ("2026-Q1", "2026", "2026-YTD"):
        row = period(con, "S1", label)
        assert (row["class"], row["tp"], row["n_samples"]) == (4, pytest.approx(0.25), 4)
    # last year's YTD (0.1+0.2+0.25+0.1)/4 = 0.1625 -> III
    ytd = period(con, "S1", "2026-YTD")
    assert (ytd["last_year_class"], ytd["class_change"], ytd["period_type"]) == (3, 1, "ytd")
    assert (ytd["meets_target"], ytd["target_miss_items"]) == (False, "总磷")
    assert (ytd["main_pollutants"], ytd["exceedance"], ytd["status"]) == (
        "总磷", "总磷(0.25)", "轻度污染")
    # April sample is after as_of
    assert con.execute("select count(*) from water_section_period where period = '2026-04'"
                       ).fetchall() == [(0,)]


def test_automatic_data_preferred_for_the_automatic_items(marts):
    con, _ = marts
    march = period(con, "S3", "2026-03")
    assert march["tp"] == pytest.approx(0.1)      # automatic, not the manual 0.3
    assert march["cod"] == pytest.approx(18.0)    # manual only -> III
    assert (march["class"], march["worst_parameters"]) == (3, "cod")
    assert period(con, "S3", "2026-02")["class"] == 4   # manual TP 0.3 when no automatic


def test_lake_tp_limits_and_tn_apart(marts):
    con, _ = marts
    lake = period(con, "S6", "2026-03")
    assert (lake["class"], lake["tn_class"], lake["water_type"]) == (3, 4, "lake")
    assert pd.isna(period(con, "S1", "2026-03")["tn_class"])


def summary(con, group_type: str, code: str, label: str) -> dict:
    df = con.execute("select * from water_region_summary where group_type = ? and "
                     "group_code = ? and period = ?", [group_type, code, label]).df()
    assert len(df) == 1
    return df.iloc[0].to_dict()


def test_five_or_more_sections_use_shares(marts):
    con, _ = marts
    # 2026-03: S1 II, S2 V, S3 III, S4 劣V, S5 I -> I-III 60%, 劣V 20% -> 中度污染
    b1 = summary(con, "basin", "B1", "2026-03")
    assert (b1["method"], b1["n_sections"], b1["status"]) == ("proportion", 5, "中度污染")
    assert (b1["share_class_1_3"], b1["share_class_6"]) == (60.0, 20.0)
    assert pd.isna(b1["class"])
    # targets: S1, S3, S5 meet theirs; drinking sources: S5 (I) yes, S4 (劣V) no
    assert (b1["n_meeting_target"], b1["share_meeting_target"]) == (3, 60.0)
    assert (b1["n_drinking_sources"], b1["share_drinking_sources_ok"]) == (2, 50.0)
    # 2025-03: S1 II, S2 III, S3 II, S4 IV, S5 I -> 80% and 0%
    assert (b1["last_year_share_class_1_3"], b1["change_share_class_1_3"],
            b1["change_share_class_6"]) == (80.0, -20.0, 20.0)
    # the city holds both counties' sections (S1-S6 reported in 2026-03)
    city = summary(con, "region", "610900", "2026-03")
    assert (city["n_sections"], city["group_name"], city["method"]) == (6, "安康市", "proportion")


def test_fewer_than_five_sections_classify_item_means(marts):
    con, _ = marts
    # R1 2026-03: TP (0.1 + 0.35 + 0.1)/3 = 0.183 -> III; COD 18 (S3 only) -> III
    r1 = summary(con, "river", "R1", "2026-03")
    assert (r1["method"], r1["n_sections"], r1["class"], r1["status"]) == ("mean", 3, 3, "良好")
    # 2025-03: TP (0.1 + 0.15 + 0.1)/3 = 0.117 -> III
    assert (r1["last_year_class"], r1["class_change"]) == (3, 0)
    county = summary(con, "region", "610929", "2026-03")
    # S1 0.1, S2 0.35 -> mean 0.225 -> IV
    assert (county["method"], county["class"], county["status"]) == ("mean", 4, "轻度污染")


def test_warnings_appear_and_clear(marts):
    con, counts = marts
    w = con.execute("select section_code, period, level, month_class, month_class_last_year, "
                    "ytd_class, ytd_class_last_year, active, cleared_in from water_warnings "
                    "order by section_code, period").fetchall()
    assert counts["water_warnings"] == len(w)
    assert w == [
        # S1 Feb: month V vs IV, YTD (0.1+0.35+0.45)/3 = 0.3 IV vs 0.183 III, target III
        ("S1", "2026-02", 2, 5, 4, 4, 3, False, "2026-03"),
        # S2: V vs III in every month and YTD (two classes worse), target II, still holds
        ("S2", "2026-01", 1, 5, 3, 5, 3, False, None),
        ("S2", "2026-02", 1, 5, 3, 5, 3, False, None),
        ("S2", "2026-03", 1, 5, 3, 5, 3, True, None),
        # S4 March (its only month): 劣V vs IV
        ("S4", "2026-03", 1, 6, 4, 6, 4, True, None),
    ]


def test_rebuild_is_repeatable(marts):
    con, counts = marts
    first = con.execute("select * from water_section_period order by all").df()
    assert build_water_marts(con, as_of=AS_OF) == counts
    pd.testing.assert_frame_equal(
        first, con.execute("select * from water_section_period order by all").df())
