"""The six pollutants of GB 3095 / HJ 633 and the statistic each is assessed by, named once.

POLLUTANTS are the measured concentrations (hourly and daily values, AQI sub-indices).
DAILY_STATISTICS are the daily values that the period statistics, the composite index and
target progress are computed from: O3 enters by its daily maximum 8-hour mean (MDA8, HJ 663
§4; docs/standards.md, "HJ 663 statistics"), the others by their daily means. The order is
the order of every table and report that lists them.
"""

from __future__ import annotations

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")
DAILY_STATISTICS = ("pm25", "pm10", "so2", "no2", "co", "o3_8h")
