"""reports.i18n: pollutant lists as the calendar shows them."""

from __future__ import annotations

import math

from reports import i18n


def test_pollutant_list_names_each_code_and_skips_blanks():
    assert i18n.pollutants("pm25, o3_8h", "en") == ["PM2.5", "O3-8h"]
    assert i18n.pollutants("pm25,,xyz", "zh") == ["PM2.5", "xyz"]
    assert i18n.pollutants(None) == []
    assert i18n.pollutants(math.nan) == []
