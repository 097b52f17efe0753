"""Test oracle: the percentile of a series of daily values as HJ 663 defines it, written
directly from the standard's text (HJ 663-2013 §5.2; docs/standards.md, "Percentiles").

The marts compute percentiles in SQL with DuckDB's `quantile_cont`; this independent Python
version is what the tests compare them with.

Sort the n valid values ascending X(1) .. X(n); k = 1 + (n - 1)·p; s = floor(k);
m_p = X(s) + (X(s+1) - X(s))·(k - s). This is linear interpolation between closest ranks, the
same rule as numpy's default percentile, R type 7 and DuckDB's `quantile_cont(x, p)` (so SQL
marts may use `quantile_cont`; tests/oracles/test_hj663_percentile.py checks the two agree). It
is not nearest-rank and not the (n + 1)·p rule. The data-count minima that make an annual
percentile valid (324 days, 27 a month) are checked by the caller, not here.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def hj663_percentile(values: Any, p: float) -> float:
    """The p-quantile (p in [0, 1], e.g. 0.95) of the non-NaN values; NaN when there are none.

    Example from HJ 663: {3, 4, 8, 2, 5, 4} at p = 0.9 -> k = 5.5 -> 5 + (8 - 5)·0.5 = 6.5.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p is a fraction in [0, 1] (e.g. 0.9 for the 90th percentile), got {p}")
    x = np.asarray(values, dtype="float64").ravel()
    x = np.sort(x[~np.isnan(x)])
    n = len(x)
    if n == 0:
        return float("nan")
    k = 1.0 + (n - 1) * p
    s = int(np.floor(k))
    if s >= n:
        return float(x[n - 1])
    return float(x[s - 1] + (x[s] - x[s - 1]) * (k - s))
