"""The headline above the cards, from target_progress rows (the report fixture's and made-up)."""

from __future__ import annotations

import duckdb
import pandas as pd

from reports import data
from reports.headline import headline, key_number
from reports.html_page import region_page
from tests.reports.conftest import AS_OF, CITY, NAMES


def _city_targets(report_warehouse) -> pd.DataFrame:
    con = duckdb.connect(str(report_warehouse), read_only=True)
    try:
        return data.targets(con, data.Scope(CITY, AS_OF.year, AS_OF))
    finally:
        con.close()


def test_headline_of_the_fixture_city(report_warehouse):
    # the fixture's city at 2026-03-31: good_days off_track (239 good days needed, 275 days
    # left), pm25_mean at_risk (rest of the year may average 38.54), heavy_days on_track
    targets = _city_targets(report_warehouse)
    assert headline(targets, "zh") == [
        "3 项目标中 1 项已达标或进度正常，1 项进度滞后，1 项有风险。",
        "优良天数进度滞后：余下 275 天中至少 239 天需为优良；"
        "PM2.5平均浓度有风险：余下 275 天平均浓度需不高于 38.5 µg/m³。",
    ]
    assert headline(targets, "en") == [
        "1 of 3 targets are met or on track; 1 off track, 1 at risk.",
        "Good days off track: at least 239 of the remaining 275 days must be good; "
        "PM2.5 mean at risk: the remaining 275 days must average at most 38.5 µg/m³.",
    ]


def test_headline_sits_above_the_cards(report_warehouse):
    con = duckdb.connect(str(report_warehouse), read_only=True)
    try:
        d = data.region_data(con, data.Scope(CITY, AS_OF.year, AS_OF), NAMES[CITY])
    finally:
        con.close()
    import datetime as dt

    page = region_page(d, "zh", "quality/index.html", dt.datetime(2026, 4, 1, 8, 0))
    lead = page.index('<div class="headline">')
    assert lead < page.index('<div class="cards">')
    assert page.index("余下 275 天中至少 239 天需为优良", lead) < page.index('<div class="cards">')


def _row(indicator: str, status: str, **values) -> dict:
    base = {"indicator": indicator, "period": "year", "status": status}
    base.update(values)
    return base


def test_key_number_when_the_days_left_cannot_hold_the_good_days_needed():
    row = _row("good_days", "cannot_be_met", good_days_needed=70, remaining_days=61)
    assert key_number(row, "zh") == "还需 70 个优良天，但只剩 61 天"
    assert key_number(row, "en") == "70 more good days needed but only 61 days left"


def test_targets_sharing_a_number_are_named_together_and_the_rest_counted():
    rows = [
        _row("good_days", "at_risk", good_days_needed=54, remaining_days=61),
        _row("good_rate", "at_risk", good_days_needed=54, remaining_days=61),
        _row("pm25_mean", "off_track", remaining_mean_ceiling=30.04, remaining_days=61),
        _row("pm10_mean", "at_risk", remaining_mean_ceiling=60.0, remaining_days=61),
        _row("heavy_days", "met"),
    ]
    lines = headline(pd.DataFrame(rows), "zh")
    assert lines[0] == "5 项目标中 1 项已达标或进度正常，1 项进度滞后，3 项有风险。"
    # worst first: the off-track PM2.5, then the first two at-risk ones (same number)
    assert lines[1] == (
        "PM2.5平均浓度进度滞后：余下 61 天平均浓度需不高于 30.0 µg/m³；"
        "优良天数、优良天数比例有风险：余下 61 天中至少 54 天需为优良。另有 1 项见下方卡片。"
    )


def test_all_on_course():
    lines = headline(pd.DataFrame([_row("good_days", "on_track"), _row("pm25_mean", "met")]))
    assert lines == ["2 项目标中 2 项已达标或进度正常。", "所有目标均按进度推进。"]


def test_targets_without_data_are_not_called_on_course():
    # the real CNEMC January 2019 files hold no station of the configured cities: every
    # target of 安康市 was not_evaluable, and the page must not say all is well
    rows = [_row("good_days", "not_evaluable"), _row("pm25_mean", "not_evaluable")]
    rows.append(_row("heavy_days", "on_track"))
    assert headline(pd.DataFrame(rows)) == [
        "3 项目标中 1 项已达标或进度正常，2 项无法评估。",
        "2 项目标缺少数据，暂无法评估，见下方卡片。",
    ]
