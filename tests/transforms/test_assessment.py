"""GB/T 8170 rounding (round half to even) as the SQL applies it, and the rule-set row."""

from __future__ import annotations

import duckdb
import pytest

from transforms.assessment import rule_set_row, write_rule_sets


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (42.3, 0, 42.0),    # 四舍
        (42.5, 0, 42.0),    # 五成双: 2 is even, stays
        (43.5, 0, 44.0),    # 3 is odd, goes up to the even 4
        (42.51, 0, 43.0),   # more than a half: up
        (0.35, 1, 0.4),     # the decimal 0.35, though stored as 0.34999...
        (0.25, 1, 0.2),
        (4.025, 2, 4.02),   # an index sum of exactly 161/40, stored as 4.02499...
        (2.675, 2, 2.68),
        (86.25, 1, 86.2),
        (-2.5, 0, -2.0),
    ],
)
def test_bulletin_round_is_half_to_even(value, decimals, expected):
    con = duckdb.connect()
    write_rule_sets(con)
    got = con.execute("select bulletin_round(?, ?)", [value, decimals]).fetchall()[0][0]
    assert got == expected


def test_rule_set_row_carries_the_rounding_and_the_switch():
    row = rule_set_row("2026")
    assert (row["round_pm25"], row["round_co"], row["round_ratio"], row["round_index"]) == (
        0, 1, 1, 2
    )
    assert row["missing_indicator_rule"] is True and row["o3_1h_min_hours"] == 20
    assert (row["s_pm25"], row["s_o3_8h"]) == (35.0, 160.0)  # 2012 grade II, kept in 2026
