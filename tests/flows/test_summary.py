"""The one-screen run summary, from a made-up summary dict."""

from __future__ import annotations

from flows.summary import run_summary_lines, run_summary_markdown

RISKS = [
    "cannot_be_met/无法达标  610902 汉滨区 2026 year  good_days 优良天数: 250 (target >= 330)",
    "off_track/偏离进度  620800 平凉市<script> 2026 year  pm25_mean PM2.5: 41 µg/m³ (target <= 35)",
    "at_risk/有风险  610900 安康市 2026 year  good_rate 优良天数比例: 86.1 (target >= 88)",
    "not_evaluable/无法评估  610929 <b>旬阳</b> 2026 year  heavy_days 重污染天数: no data",
]
SUMMARY = {
    "run_id": "20261123T020000-abc123",
    "warehouse": "/srv/envq/envq.duckdb",
    "published": "/srv/envq/envq.duckdb",
    "ingest": {
        "files": 5,
        "by_status": {"loaded": 3, "skipped": 1, "failed": 1},
        "rows_loaded": 1234567,
        "rows_quarantined": 12,
        "quarantine_by_reason": {"non_numeric": 9, "negative": 3},
        "failures": ["china_sites_20261122.csv: truncated file"],
    },
    "unregistered_stations": 2,
    "unregistered_sections": 0,
    "validation": {"ok": True, "critical_failures": 0, "warnings": 4, "docs": "q/index.html"},
    "build": {"air_city_daily": 1000, "air_rankings": 5, "target_progress": 40},
    "targets_at_risk": RISKS,
    "reports": ["r/610900.html", "r/610900.xlsx", "r/index.html"],
}


def test_summary_lines_state_every_fact():
    lines = run_summary_lines(SUMMARY)
    assert lines[0] == "envq run 20261123T020000-abc123"
    assert lines[1] == "published: /srv/envq/envq.duckdb"
    assert lines[2] == (
        "files: 5 (failed 1, loaded 3, skipped 1); rows loaded 1,234,567; cells quarantined 12"
    )
    assert lines[3] == "quarantined by reason: non_numeric 9, negative 3"
    assert lines[4] == "  ! china_sites_20261122.csv: truncated file"
    assert lines[5] == "unregistered: 2 stations, 0 sections"
    assert lines[6] == "validation: ok, 4 warnings, 0 critical (q/index.html)"
    assert lines[7] == "marts: 3 rebuilt, 1,045 rows (air_city_daily 1,000, target_progress 40)"
    assert lines[8] == (
        "targets in danger: cannot_be_met 1, off_track 1, at_risk 1, not_evaluable 1"
    )
    assert lines[9:12] == [f"  {r}" for r in RISKS[:3]]  # names shown; not_evaluable counted
    assert lines[12] == "reports: 3 files in r"
    assert lines[13] == "  r/index.html"  # the index first
    assert len(lines) == 16


def test_summary_of_a_run_that_did_not_publish_and_found_nothing():
    lines = run_summary_lines(
        {
            "run_id": "x",
            "warehouse": "w.duckdb",
            "validation": {"ok": False, "critical_failures": 2},
        }
    )
    assert lines == [
        "envq run x",
        "warehouse: w.duckdb (not published by this run)",
        "validation: FAILED, 0 warnings, 2 critical",
        "targets in danger: none",
    ]


def test_long_target_lists_are_cut_to_one_screen():
    risks = [f"at_risk/有风险  99{i:04d} 合成城市 2026 year  pm25_mean: 40" for i in range(30)]
    lines = run_summary_lines({"run_id": "x", "targets_at_risk": risks})
    assert lines[-1] == "  ... 18 more (`envq targets check`)"
    assert len(lines) == 2 + 1 + 12 + 1


def test_markdown_nests_details_and_escapes_names():
    md = run_summary_markdown(SUMMARY)
    assert md.startswith("# envq run summary\n\n- envq run 20261123T020000-abc123\n")
    assert "\n  - cannot_be_met/无法达标  610902 汉滨区" in md
    assert "平凉市&lt;script&gt;" in md
    assert "<script>" not in md
    assert "- reports: 3 files in r\n  - r/index.html\n" in md


def test_chinese_summary_names_states_and_the_deciding_number():
    danger = [
        {
            "region_code": "610902",
            "region_name": "汉滨区",
            "year": 2026,
            "period": "year",
            "indicator": "good_days",
            "status": "cannot_be_met",
            "actual": 250.0,
            "comparator": ">=",
            "target": 330.0,
            "good_days_needed": 80,
            "remaining_days": 61,
        },
        {
            "region_code": "620800",
            "region_name": "平凉市",
            "year": 2026,
            "period": "year",
            "indicator": "pm25_mean",
            "status": "off_track",
            "actual": 41.0,
            "comparator": "<=",
            "target": 35.0,
            "good_days_needed": None,
            "remaining_days": 61,
            "remaining_mean_ceiling": 12.94,
        },
        {
            "region_code": "610900",
            "region_name": "安康市",
            "year": 2026,
            "period": "year",
            "indicator": "good_rate",
            "status": "at_risk",
            "actual": 86.1,
            "comparator": ">=",
            "target": 88.0,
            "good_days_needed": 54,
            "remaining_days": 61,
        },
    ]
    lines = run_summary_lines({**SUMMARY, "targets_in_danger": danger}, "zh")
    assert lines[0] == "envq 运行 20261123T020000-abc123"
    assert (
        lines[2] == "文件：5 个（失败 1, 已载入 3, 已跳过 1）；载入 1,234,567 行；隔离 12 个数值"
    )
    assert lines[8] == "需关注的目标：已无法完成 1, 进度滞后 1, 有风险 1, 无法评估 1"
    assert lines[9:12] == [
        "  已无法完成  610902 汉滨区 优良天数：现状 250天（目标 >= 330天）；"
        "还需 80 个优良天，但只剩 61 天",
        "  进度滞后  620800 平凉市 PM2.5平均浓度：现状 41 µg/m³（目标 <= 35 µg/m³）；"
        "余下 61 天平均浓度需不高于 12.9 µg/m³",
        "  有风险  610900 安康市 优良天数比例：现状 86.1%（目标 >= 88%）；"
        "余下 61 天中至少 54 天需为优良",
    ]

def test_summary_names_each_domains_as_of():
    # water data ten days behind air: the summary says both days, each domain counts its own
    lines = run_summary_lines(
        {**SUMMARY, "data_as_of": {"air": "2026-10-31", "water": "2026-10-21"}}
    )
    assert lines[8] == "as of: air 2026-10-31, water 2026-10-21"
    assert lines[9].startswith("targets in danger:")

    zh = run_summary_lines(
        {**SUMMARY, "data_as_of": {"air": "2026-10-31", "water": "2026-10-21"}}, lang="zh"
    )
    assert "数据截至：空气 2026-10-31, 水质 2026-10-21" in zh
