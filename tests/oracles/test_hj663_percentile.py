"""The HJ 663 percentile oracle: k = 1 + (n-1)p, linear interpolation; quantile_cont agrees."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pytest

from tests.oracles.hj663_percentile import hj663_percentile


def test_hj663_worked_example():
    # {3,4,8,2,5,4}: sorted 2,3,4,4,5,8; k = 1 + 5*0.9 = 5.5 -> 5 + (8-5)*0.5 = 6.5
    assert hj663_percentile([3, 4, 8, 2, 5, 4], 0.9) == pytest.approx(6.5)


def test_edges_and_nan():
    assert math.isnan(hj663_percentile([], 0.9))
    assert math.isnan(hj663_percentile([np.nan, np.nan], 0.5))
    assert hj663_percentile([7.0], 0.95) == 7.0
    assert hj663_percentile([3, np.nan, 1, 2], 0.5) == 2.0  # NaN ignored
    assert hj663_percentile([5, 1, 9], 0.0) == 1.0
    assert hj663_percentile([5, 1, 9], 1.0) == 9.0
    with pytest.raises(ValueError):
        hj663_percentile([1, 2], 95)


def test_equals_numpy_linear():
    rng = np.random.default_rng(3)
    for n in (2, 29, 324, 365):
        x = rng.gamma(2.0, 30.0, n)
        for p in (0.9, 0.95, 0.98):
            assert hj663_percentile(x, p) == pytest.approx(np.percentile(x, 100 * p))


def test_duckdb_quantile_cont_uses_the_same_rule():
    """SQL marts may use quantile_cont(x, p): same k = 1 + (n-1)p interpolation."""
    rng = np.random.default_rng(11)
    con = duckdb.connect()
    try:
        for n in (1, 2, 6, 30, 331, 366):
            x = np.round(rng.gamma(2.0, 30.0, n), 1)
            for p in (0.5, 0.9, 0.95, 0.98):
                sql = "select quantile_cont(v, ?) from (select unnest(?::double[]) as v)"
                got = con.execute(sql, [p, x.tolist()]).fetchone()[0]
                assert got == pytest.approx(hj663_percentile(x, p), abs=1e-9), (n, p)
        worked = "select quantile_cont(v, 0.9) from (select unnest([3, 4, 8, 2, 5, 4]) as v)"
        assert con.execute(worked).fetchone()[0] == pytest.approx(6.5)
    finally:
        con.close()
