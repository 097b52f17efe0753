"""The national automatic-station snapshots: sections registered with province and basin,
regions where the names allow, basin and province summaries recomputed apart."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.ingest.engine import ingest_paths
from transforms.ingest.registry import load_registry
from transforms.warehouse import connect
from transforms.water.marts import build_water_marts


def status_2011(share_1_3: float, share_6: float) -> str:
    """环办〔2011〕22号 (docs/standards.md §6.5), the table as printed."""
    if share_1_3 >= 90:
        return "优"
    if share_1_3 >= 75:
        return "良好"
    if share_6 < 20:
        return "轻度污染"
    if share_6 < 40:
        return "中度污染"
    return "重度污染"


@pytest.mark.realdata
def test_national_snapshot_sections_regions_and_summaries(shared_data, tmp_path):
    folder = shared_data / "cnemc_surface_water_realtime_2020_2021"
    con = connect(tmp_path / "wh.duckdb")
    try:
        load_registry(con, None)
        # a full national snapshot, and a later one whose names carry 所在地市
        ingest_paths(con, [folder / "2020-05" / "2020-05-08.json",
                           folder / "2020-06" / "2020-06-15.json"])
        sections = con.execute(
            "select section_code, section_name, province, basin, region_code, locality "
            "from water_sections").df()
        build_water_marts(con, as_of=dt.date(2020, 6, 30))
        periods = con.execute(
            "select section_code, class from water_section_period "
            "where period_type = 'month' and period = '2020-05'").df()
        summary = con.execute(
            "select group_type, group_code, n_sections, share_class_1_3, share_class_6, status"
            " from water_region_summary where period_type = 'month' and period = '2020-05'"
            " and group_type in ('basin', 'province') and method = 'proportion'").df()
    finally:
        con.close()

    assert len(sections) >= 1900
    assert sections["province"].notna().all() and sections["basin"].notna().all()
    # 沿河城 lies in 门头沟区 (110109) by the site's 所在地市
    yanhe = sections[sections["section_name"] == "沿河城"].iloc[0]
    assert (yanhe["locality"], yanhe["region_code"]) == ("门头沟区", "110109")
    assert sections["region_code"].notna().sum() > 200

    # shares of the sections' own classes, per basin and province, computed here
    own = periods.dropna(subset=["class"]).merge(sections, on="section_code")
    for group_type in ("basin", "province"):
        grouped = own.groupby(group_type)["class"]
        for row in summary[summary["group_type"] == group_type].itertuples(index=False):
            classes = grouped.get_group(row.group_code)
            assert row.n_sections == len(classes)
            share_1_3 = 100.0 * (classes <= 3).mean()
            share_6 = 100.0 * (classes == 6).mean()
            assert row.share_class_1_3 == pytest.approx(share_1_3)
            assert row.share_class_6 == pytest.approx(share_6)
            assert row.status == status_2011(share_1_3, share_6), row.group_code
    assert set(summary.loc[summary["group_type"] == "basin", "group_code"]) >= {
        "长江流域", "黄河流域", "珠江流域", "淮河流域", "海河流域"}
    assert (summary["group_type"] == "province").sum() >= 25
