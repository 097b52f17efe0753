"""The overview page (reports.index_page, reports.overview): urgency order, status counts, the
most urgent target in words, composite-index ranks nationally and within the province at
bulletin precision, a region's ranks on its own page, and data that cannot break the page."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from reports.build import write_reports
from reports.index_page import STATUS_ORDER, script_json, urgent_phrase
from reports.overview import ranked_month, read_overview
from tests.reports.conftest import AS_OF, CITY, COUNTY_A, COUNTY_B, build_report_warehouse
from tests.reports.national_warehouse import AIR_COLUMNS, build_rankings


def page_rows(page: str) -> list[dict]:
    """The rows the overview page carries (the JSON its script draws), in the default order."""
    found = re.search(r'<script type="application/json" id="envq-data">(.*?)</script>', page)
    assert found, "the overview page carries its data"
    return json.loads(found.group(1))["rows"]


def counts(row: dict) -> dict[str, int]:
    return {s: n for s, n in zip(STATUS_ORDER, row["k"], strict=True) if n}


def test_default_order_counts_and_most_urgent_target_in_words(report_warehouse, tmp_path):
    write_reports(report_warehouse, tmp_path, formats=("html",))
    rows = page_rows((tmp_path / "index_zh.html").read_text(encoding="utf-8"))
    # conftest's verdicts at 2026-03-31: county B has a lost PM2.5 target and its section 月河口
    # (WQ2) is off track; the city has good days off track (P 0.35), PM2.5 at risk, heavy days
    # on track, and shows its county's section WQ2 (off track, no P); county A is on track.
    assert [r["c"] for r in rows] == [COUNTY_B, CITY, COUNTY_A]
    assert [counts(r) for r in rows] == [
        {"cannot_be_met": 1, "off_track": 1},
        {"off_track": 2, "at_risk": 1, "on_track": 1},
        {"on_track": 1},
    ]
    assert [r["w"] for r in rows] == [
        # ceiling 31.4 µg/m³ over the 275 days left
        "PM2.5平均浓度: 余下 275 天平均浓度需不高于 31.4 µg/m³",
        # the off-track target with a probability (0.35) before the one without
        "优良天数: 余下 275 天中至少 239 天需为优良",
        "优良天数: 余下 275 天中至少 220 天需为优良",
    ]
    assert [r["pr"] for r in rows] == [0.0, 0.35, 0.9]
    assert [(r["l"], r["pc"], r["p"]) for r in rows] == [
        ("county", "610000", "陕西省"),
        ("city", "610000", "陕西省"),
        ("county", "610000", "陕西省"),
    ]


def test_english_overview_says_it_in_english(report_warehouse, tmp_path):
    write_reports(report_warehouse, tmp_path, formats=("html",), lang="en")
    rows = page_rows((tmp_path / "index_en.html").read_text(encoding="utf-8"))
    assert rows[1]["w"] == "good days: at least 239 of the remaining 275 days must be good"
    assert rows[1]["p"] == "Shaanxi Province"


def _phrase(**fields: object) -> str:
    base = {"urgent_period": "year", "urgent_section": None, "n_targets": 3}
    return urgent_phrase(pd.Series({**base, **fields}), "zh")


def test_phrases_of_lost_closed_and_met_targets():
    # 76 good days needed but only 61 left: lost
    assert (
        _phrase(
            urgent_status="cannot_be_met",
            urgent_indicator="good_days",
            urgent_remaining_days=61,
            urgent_good_days_needed=76,
        )
        == "优良天数: 还需 76 个优良天，但只剩 61 天"
    )
    # a period already over: the value against the target
    assert (
        _phrase(
            urgent_status="not_met",
            urgent_indicator="pm25_mean",
            urgent_period="Q1",
            urgent_remaining_days=0,
            urgent_comparator="<=",
            urgent_target=46.0,
            urgent_actual=52.73,
        )
        == "PM2.5平均浓度（第一季度）: 现状 53 µg/m³, 目标 <= 46 µg/m³"  # whole µg/m³ as published
    )
    assert (
        _phrase(
            urgent_status="off_track",
            urgent_indicator="section_class",
            urgent_section="瀛湖坝前",
            urgent_remaining_days=61,
            urgent_comparator="<=",
            urgent_target=2.0,
            urgent_actual=3.0,
        )
        == "断面水质类别 瀛湖坝前: 现状 Ⅲ类, 目标 <= Ⅱ类"
    )
    assert (
        _phrase(
            urgent_status="at_risk",
            urgent_indicator="o3_8h_p90",
            urgent_remaining_days=61,
            urgent_days_over_allowed=4,
            urgent_target=160.0,
        )
        == "O3日最大8小时平均第90百分位数: 余下 61 天中至多 4 天可超过 160 µg/m³"
    )
    assert _phrase(urgent_status="met", urgent_indicator="good_days") == "全部 3 项目标已达标"
    assert _phrase(urgent_status="not_evaluable", urgent_indicator="o3_8h_p90") == (
        "O3日最大8小时平均第90百分位数: 无法评估"
    )


def test_ranked_month_is_the_last_complete_month():
    assert ranked_month(2026, dt.date(2026, 10, 31)) == 10
    assert ranked_month(2026, dt.date(2026, 11, 15)) == 10
    assert ranked_month(2026, dt.date(2026, 1, 20)) is None
    assert ranked_month(2025, dt.date(2026, 3, 1)) == 12


# A province with three cities and one county, and a second province with one city. The index
# as air_region_period publishes it (2 decimals); ΔI unrounded, ranked at 0.1 % (GB/T 8170).
RANK_CASE = {
    # code: (parent, level, composite index, ΔI %)
    "710100": ("710000", "city", 3.45, -5.04),    # ΔI shown -5.0
    "710200": ("710000", "city", 3.45, -4.96),    # a tie on the index; ΔI -5.0 (a tie)
    "710300": ("710000", "city", 4.20, 2.0),
    "710301": ("710300", "county", 2.5, -1.0),
    "720100": ("720000", "city", 3.10, None),     # no last year: not in the improvement rank
    "720200": ("720000", "city", None, None),     # no index: not ranked
}


@pytest.fixture
def rank_warehouse(tmp_path: Path) -> Path:
    path = build_report_warehouse(tmp_path / "ranks.duckdb")
    con = duckdb.connect(str(path))
    try:
        rows = [("710000", "甲省", "province", None), ("720000", "乙省", "province", None)]
        rows += [(code, f"地区{code}", v[1], v[0]) for code, v in RANK_CASE.items()]
        for code, name, level, parent in rows:
            con.execute(
                "insert into regions (region_code, name, level, parent_code, province_code) "
                "values (?, ?, ?, ?, ?)",
                [code, name, level, parent, code[:2] + "0000"],
            )
            con.execute(
                "insert into target_progress (region_code, year, period, as_of, indicator, "
                "comparator, target, actual, remaining_days, good_days_needed, "
                "probability_of_meeting, status) values "
                "(?, 2026, 'year', ?, 'good_days', '>=', 300, 80, 275, 200, 0.9, 'on_track')",
                [code, AS_OF],
            )
        con.execute(f"create table air_region_period ({AIR_COLUMNS})")
        for code, (_, _, ci, dci) in RANK_CASE.items():
            for dust, bump in ((True, 0.0), (False, 1.0)):
                con.execute(
                    "insert into air_region_period values "
                    "(?, 'ytd', 2026, null, '2026-YTD', ?, ?, true, ?, ?, 80, 1, 30, -2, "
                    "null, null, null, null, null)",
                    [code, AS_OF, dust, None if ci is None else ci + bump, dci],
                )
        build_rankings(con)
    finally:
        con.close()
    return path


def test_ranks_nationally_and_within_the_province_at_bulletin_precision(rank_warehouse):
    con = duckdb.connect(str(rank_warehouse), read_only=True)
    try:
        overview = read_overview(con, 2026, AS_OF)
    finally:
        con.close()
    air = overview.air.set_index("region_code")
    got = {
        code: tuple(
            None if pd.isna(v) else int(v)
            for v in air.loc[
                code,
                [
                    "index_rank",
                    "index_ranked",
                    "index_rank_parent",
                    "index_ranked_parent",
                    "improvement_rank",
                    "improvement_rank_parent",
                ],
            ]
        )
        for code in RANK_CASE
    }
    # cities nationally: 3.10 (720100) first, 3.45 twice (a shared 2nd, so no 3rd), 4.20 4th;
    # 4 ranked of 5 (720200 has no index). In 甲省: 3.45, 3.45, 4.20 -> 1, 1, 3. ΔI -5.0 twice
    # -> 1, 1; +2.0 -> 3 (720100 has none). The county has no national rank; it ranks among
    # the counties of its city (710300), alone.
    assert got == {
        "710100": (2, 4, 1, 3, 1, 1),
        "710200": (2, 4, 1, 3, 1, 1),
        "710300": (4, 4, 3, 3, 3, 3),
        "710301": (None, None, 1, 1, None, 1),
        "720100": (1, 4, 1, 1, None, None),
        "720200": (None, 4, None, 1, None, None),
    }
    assert overview.air.set_index("region_code").loc["710301", "parent_scope"] == "710300"
    assert overview.ytd == "2026-YTD" and overview.month is None  # no month row loaded


def test_a_region_page_shows_its_own_ranks(rank_warehouse, tmp_path):
    write_reports(rank_warehouse, tmp_path, formats=("html",), region="710200")
    page = (tmp_path / "envq_710200_20260331_zh.html").read_text(encoding="utf-8")
    block = page[page.index('id="region-ranks"') :]
    block = block[: block.index("</table>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", block)
    # period, index (the deducted row's), national, in province, ΔI, improvement ranks
    # (three cities have a ΔI: 720100 has no last year)
    assert cells == ["2026-YTD", "3.45", "第 2 / 4", "第 1 / 3", "-5.0", "第 1 / 3", "第 1 / 3"]


def test_hostile_names_cannot_break_out_of_the_data(planted_warehouse, tmp_path):
    write_reports(planted_warehouse, tmp_path, formats=("html",))
    page = (tmp_path / "index_zh.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    names = {r["n"] for r in page_rows(page)}
    assert "+1 <script>alert(1)</script>" in names  # kept as data, escaped by the script
    safe = script_json({"x": "</script><b>&"})
    assert safe == '{"x":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}'
    assert json.loads(safe) == {"x": "</script><b>&"}
