"""Suite `stations`: a station list (the air station registry, table `stations`).

The code is the key of the registry (lists disagree on names and coordinates, so joins go by
code): a missing or repeated code makes the list unusable (critical). Codes outside the CNEMC
pattern, a missing name and coordinates outside China are flagged; the stations still load.
"""

from __future__ import annotations

from expectations.spec import Check, Suite
from expectations.suites.context import BatchContext

TABLE = "stations"
# CNEMC station codes: four digits and 'A' (1001A = 北京万寿西宫; docs/standards.md §7.1).
STATION_CODE_PATTERN = r"^\d{4}A$"
# China's territorial extremes (Pamirs 73°33'E .. Heilongjiang/Ussuri 135°05'E, Zengmu Ansha
# 3°52'N .. Mohe 53°33'N), rounded outwards: coordinates outside are typos or swapped lon/lat.
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)


def suite(ctx: BatchContext) -> Suite:
    checks = (
        Check("columns_present", "ExpectTableColumnsToMatchSet",
              {"column_set": ["station_code"], "exact_match": False}, "critical", "reject"),
        Check("station_code_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "station_code"}, "critical", "reject"),
        Check("station_code_unique", "ExpectColumnValuesToBeUnique",
              {"column": "station_code"}, "critical", "reject",
              why="the station code is the registry's key"),
        Check("station_code_pattern", "ExpectColumnValuesToMatchRegex",
              {"column": "station_code", "regex": STATION_CODE_PATTERN}, "warning", "flag",
              why="CNEMC codes are four digits and A"),
        Check("station_name_present", "ExpectColumnValuesToNotBeNull",
              {"column": "station_name"}, "warning", "flag"),
        Check("lon_in_china", "ExpectColumnValuesToBeBetween",
              {"column": "lon", "min_value": CHINA_LON[0], "max_value": CHINA_LON[1]},
              "warning", "flag", why="longitude inside China (73-136 °E); empty is allowed"),
        Check("lat_in_china", "ExpectColumnValuesToBeBetween",
              {"column": "lat", "min_value": CHINA_LAT[0], "max_value": CHINA_LAT[1]},
              "warning", "flag", why="latitude inside China (3-54 °N); empty is allowed"),
    )
    return Suite("stations", TABLE, checks)
