"""reports.i18n: pollutant lists as the calendar shows them."""

from __future__ import annotations

import math

from reports import i18n


def test_pollutant_list_names_each_code_and_skips_blanks():
    assert i18n.pollutants("pm25, o3_8h", "en") == ["PM2.5", "O3-8h"]
    assert i18n.pollutants("pm25,,xyz", "zh") == ["PM2.5", "xyz"]
    assert i18n.pollutants(None) == []
    assert i18n.pollutants(math.nan) == []


def test_month_periods_are_named_in_the_readers_language():
    assert [i18n.period(f"M{m:02d}", "zh") for m in (1, 3, 12)] == ["1月", "3月", "12月"]
    assert [i18n.period(f"M{m:02d}", "en") for m in (1, 3, 12)] == ["Jan", "Mar", "Dec"]
    assert i18n.period("M13", "zh") == "M13"  # not a month: shown as it is
    assert i18n.period("Q4", "zh") == "第四季度"


def test_severities_are_named_in_the_readers_language():
    assert i18n.severity("critical") == "严重" and i18n.severity("warning", "en") == "warning"


def test_rectification_quarantine_reasons_are_named():
    assert i18n.quarantine_reason("unparseable_deadline") == "无法识别的整改时限"
    assert i18n.quarantine_reason("duplicate_problem_no", "en") == "problem number given twice"
