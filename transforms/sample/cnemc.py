"""Writing synthetic data in the CNEMC china_sites_YYYYMMDD.csv layout, fast.

Layout (as the real 2019 files; docs/formats.md): header `date,hour,type,<codes>`, 15 type
rows per hour in a fixed order, empty cell = missing, integers for µg/m³, CO with up to two
decimals, CRLF line endings and no newline after the last row. Cells are built by indexing one
pyarrow string dictionary (tokens) with int32 codes, so a national day (1,700 columns) is a
few vectorised calls rather than 600,000 Python string conversions.

The publisher-derived rows are computed as the real 2019 files show them (see derived_rows).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

TYPES = ("AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2", "NO2_24h",
         "O3", "O3_24h", "O3_8h", "O3_8h_24h", "CO", "CO_24h")
TYPE_INDEX = {t: i for i, t in enumerate(TYPES)}
HOURLY_TYPE = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "o3": "O3",
               "co": "CO"}
HISTORY_HOURS = 31  # O3_8h_24h at hour h needs hourly O3 back to h-30

INT_MIN, INT_MAX = -999, 20000
CO_MAX_HUNDREDTHS = 100_000
SPECIAL_TOKENS = ("—",)
_CO_BASE = 1 + (INT_MAX - INT_MIN + 1)
_SPECIAL_BASE = _CO_BASE + CO_MAX_HUNDREDTHS + 1


def co_text(hundredths: int) -> str:
    """CO as the platform prints it: 1.35, 1.2, and 1 for 1.0."""
    return f"{hundredths // 100}.{hundredths % 100:02d}".rstrip("0").rstrip(".")


@lru_cache(maxsize=1)
def tokens() -> pa.StringArray:
    """The cell dictionary: null, integers INT_MIN..INT_MAX, CO 0.00..1000.00, specials."""
    ints = [str(i) for i in range(INT_MIN, INT_MAX + 1)]
    cos = [co_text(k) for k in range(CO_MAX_HUNDREDTHS + 1)]
    return pa.array([None, *ints, *cos, *SPECIAL_TOKENS], type=pa.string())


def int_codes(values: np.ndarray) -> np.ndarray:
    """Token codes of integer-valued cells (NaN -> empty)."""
    v = np.nan_to_num(values, nan=0.0)
    codes = 1 + (np.clip(v, INT_MIN, INT_MAX).astype(np.int64) - INT_MIN)
    return np.where(np.isnan(values), 0, codes).astype(np.int32)


def co_codes(values: np.ndarray) -> np.ndarray:
    """Token codes of CO cells in mg/m³ (NaN -> empty)."""
    k = np.floor(np.nan_to_num(values, nan=0.0) * 100 + 0.5)
    codes = _CO_BASE + np.clip(k, 0, CO_MAX_HUNDREDTHS).astype(np.int64)
    return np.where(np.isnan(values), 0, codes).astype(np.int32)


def special_code(text: str) -> int:
    return _SPECIAL_BASE + SPECIAL_TOKENS.index(text)


def int_code(value: int) -> int:
    return 1 + (value - INT_MIN)


def _window_sum(x: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count of non-NaN values over rows i-width+1..i (leading rows see fewer)."""
    valid = ~np.isnan(x)
    csum = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(np.where(valid, x, 0.0), axis=0)])
    ccnt = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(valid, axis=0)])
    lo = np.maximum(np.arange(1, x.shape[0] + 1) - width, 0)
    return csum[1:] - csum[lo], ccnt[1:] - ccnt[lo]


def _window_max(x: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Max and count of non-NaN values over rows i-width+1..i (leading rows see fewer).

    Doubling (sparse-table) maxima: M_p over the largest power of two p <= width, then
    max(M_p[i], M_p[i - (width - p)]): log2(width) vectorised passes, no window copies.
    """
    valid = ~np.isnan(x)
    pad = np.vstack([np.full((width - 1, x.shape[1]), -np.inf), np.where(valid, x, -np.inf)])
    span, m = 1, pad
    while span * 2 <= width:
        shifted = np.vstack([np.full((span, x.shape[1]), -np.inf), m[:-span]])
        m = np.maximum(m, shifted)
        span *= 2
    rest = width - span
    if rest:
        m = np.maximum(m, np.vstack([np.full((rest, x.shape[1]), -np.inf), m[:-rest]]))
    _, count = _window_sum(np.where(valid, 0.0, np.nan), width)
    return m[width - 1:], count


def _half_even_ratio(total: np.ndarray, divisor: np.ndarray) -> np.ndarray:
    """total / divisor rounded half to even (GB/T 8170), exactly, on integer arrays."""
    q, r = np.divmod(total, divisor)
    up = (2 * r > divisor) | ((2 * r == divisor) & (q % 2 == 1))
    return (q + up).astype(float)


def _mean(total: np.ndarray, count: np.ndarray, min_count: int, scale: int = 1) -> np.ndarray:
    """Mean of integer values (sum `total`), divided by `scale`, rounded half to even."""
    t = np.rint(total).astype(np.int64)
    c = np.maximum(count.astype(np.int64), 1)
    return np.where(count >= min_count, _half_even_ratio(t, c * scale), np.nan)


def _natural_day_running_max(x: np.ndarray, first_hour: int) -> np.ndarray:
    """Running max (NaN ignored) within each natural day, hours 01..24 (hour 0 closes a day).

    first_hour: the hour of day (0..23) of row 0.
    """
    lead = (first_hour - 1) % 24  # rows of row 0's natural day that precede it
    n, s = x.shape
    blocks = -(-(lead + n) // 24)
    padded = np.full((blocks * 24, s), np.nan)
    padded[lead:lead + n] = x
    run = np.fmax.accumulate(padded.reshape(blocks, 24, s), axis=1).reshape(-1, s)
    return run[lead:lead + n]


def derived_rows(hourly: dict[str, np.ndarray], first_hour: int) -> dict[str, np.ndarray]:
    """Publisher-derived rows from published hourly values (rows = consecutive hours).

    As the 2019 files show (checked on 6 days x 1,605 stations): X_24h = mean of hours h-23..h,
    O3_8h = mean of h-7..h, O3_24h = max 1-h O3 of h-23..h (99.2 % of cells agree), and
    O3_8h_24h = running max of O3_8h within the natural day so far (hours 01..h; hour 0 closes
    the previous day; 99.2 % agree; NOT the max of the last 24 h). Means are rounded half to
    even (GB/T 8170; 97.8 % of the real PM2.5_24h cells agree, 96.2 % with half up). Validity
    here is GB 3095 Table 4 (>= 20 of 24 values, >= 6 of 8); the real publisher's is looser.
    The first HISTORY_HOURS rows are history: callers keep the tail. first_hour: hour of day
    of row 0. CO is summed in exact hundredths, CO_24h rounded to 0.1 mg/m³.
    """
    out: dict[str, np.ndarray] = {}
    for name in ("pm25", "pm10", "so2", "no2"):
        total, count = _window_sum(hourly[name], 24)
        out[HOURLY_TYPE[name] + "_24h"] = _mean(total, count, 20)
    total, count = _window_sum(np.rint(hourly["co"] * 100), 24)
    out["CO_24h"] = _mean(total, count, 20, scale=10) / 10.0
    o3_max, o3_cnt = _window_max(hourly["o3"], 24)
    out["O3_24h"] = np.where(o3_cnt >= 20, o3_max, np.nan)
    total, count = _window_sum(hourly["o3"], 8)
    o3_8h = _mean(total, count, 6)
    out["O3_8h"] = o3_8h
    out["O3_8h_24h"] = _natural_day_running_max(o3_8h, first_hour)
    return out


def write_station_list(path: Path, rows: list[tuple[str, str, str, float, float, bool]]) -> int:
    """The CNEMC station list (站点列表) layout, GBK, LF: code, name, city, lon, lat, 对照点."""
    lines = ["监测点编码,监测点名称,城市,经度,纬度,对照点"]
    for code, name, city, lon, lat, background in rows:
        lines.append(f"{code},{name},{city},{lon:.4f},{lat:.4f},{'Y' if background else 'N'}")
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return len(rows)


_HOUR_TEXT = [str(h) for h in range(24)]
_WRITE_OPTIONS = pacsv.WriteOptions(eol="\r\n", quoting_style="none", quoting_header="none")


def write_day_file(path: Path, day: date, codes: list[str], cells: np.ndarray,
                   rows: list[tuple[int, int]]) -> dict[tuple[int, int], list[int]]:
    """Write one china_sites file; return {(hour, type index): [1-based line numbers]}.

    cells: int32 token codes shaped (24 hours, 15 types, stations); rows: the (hour, type)
    rows to write in order (a full day is hour-major over TYPES; gaps and repeats allowed).
    """
    hours = np.array([h for h, _ in rows], dtype=np.int64)
    kinds = np.array([k for _, k in rows], dtype=np.int64)
    block = cells[hours, kinds, :]                                   # (rows, stations)
    n_rows = len(rows)
    flat = pa.array(np.ascontiguousarray(block.T).reshape(-1), type=pa.int32())
    text = tokens().take(flat)
    columns = [text.slice(j * n_rows, n_rows) for j in range(len(codes))]
    head = [
        pa.array([day.strftime("%Y%m%d")] * n_rows, type=pa.string()),
        pa.array([_HOUR_TEXT[h] for h, _ in rows], type=pa.string()),
        pa.array([TYPES[k] for _, k in rows], type=pa.string()),
    ]
    table = pa.Table.from_arrays(head + columns, names=["date", "hour", "type", *codes])
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, _WRITE_OPTIONS)
    data = sink.getvalue().to_pybytes()
    path.write_bytes(data[:-2] if data.endswith(b"\r\n") else data)
    lines: dict[tuple[int, int], list[int]] = {}
    for i, key in enumerate(rows):
        lines.setdefault(key, []).append(i + 2)
    return lines
