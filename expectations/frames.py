"""Batches to validate: a table's rows plus derived frames, with the way back to the rows.

Row-level rules that compare two measurements of the same station-hour (PM2.5 <= PM10, the CO
unit) read naturally on a wide frame, one row per station-hour with a column per pollutant.
`pivot_wide` builds it with numpy in one pass (dense integer keys, no sort, no Python loop) and
keeps, for every wide cell, the index of the long row it came from, so that a failing cell can
be sent back to quarantine as the original row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROWS = "rows"
HOUR_US = 3_600_000_000  # one hour in microseconds (timestamps are read as µs)


@dataclass
class Batch:
    """The frames of one batch; cell_rows[(frame, column)][i] = row of `rows` (-1: none)."""

    table: str
    frames: dict[str, pa.Table]
    cell_rows: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    # codes a frame builder already computed, per frame and column (or tuple of columns for
    # a compound key), see fast.FrameView
    codes: dict[str, dict[object, np.ndarray]] = field(default_factory=dict)

    @property
    def rows(self) -> pa.Table:
        return self.frames[ROWS]

    def source_rows(self, frame: str, column: str | None, index: np.ndarray) -> np.ndarray:
        """Indices into `rows` of the failing rows `index` of `frame` (cells of `column`)."""
        if frame == ROWS:
            return np.asarray(index, dtype=np.int64)
        mapped = self.cell_rows[(frame, column)][index]
        return mapped[mapped >= 0]


def rows_batch(table_name: str, rows: pa.Table) -> Batch:
    """A batch that is just the table's rows."""
    return Batch(table_name, {ROWS: prepared(rows)})


def prepared(table: pa.Table) -> pa.Table:
    """One chunk per column and string columns dictionary-encoded, once per batch.

    Checks read a column as codes or numbers many times; encoding each string column once
    (instead of in every check) is what keeps a national file's checks in milliseconds.
    """
    table = table.combine_chunks()
    for i, f in enumerate(table.schema):
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            col = table.column(i).combine_chunks() if table.num_rows else table.column(i)
            table = table.set_column(i, f.name, pc.dictionary_encode(col))
    return table


def small_codes(values: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Dense int64 codes of integer-like values (-1 where not valid), keeping their order."""
    if valid is not None and not valid.all():
        codes = np.full(values.size, -1, dtype=np.int64)
        codes[valid] = small_codes(values[valid])
        return codes
    if values.size == 0:
        return values.astype(np.int64)
    ints = values.astype(np.int64, copy=False)
    if np.issubdtype(values.dtype, np.floating) and not np.array_equal(ints, values):
        return np.unique(values, return_inverse=True)[1].astype(np.int64)
    offsets = ints - int(ints.min())
    limit = 8 * ints.size + 1024
    if int(offsets.max()) > limit:  # e.g. hourly timestamps in microseconds: divide the step
        if not np.any(offsets % HOUR_US):
            step = HOUR_US
        else:
            step = int(np.gcd.reduce(offsets))
        if step > 1:
            offsets = offsets // step
    if int(offsets.max()) <= limit:
        return offsets
    return np.unique(offsets, return_inverse=True)[1].astype(np.int64)


def codes_of(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Dictionary codes (int64, -1 for null) and the dictionary of a string column."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    codes = arr.indices.to_numpy(zero_copy_only=False)
    if arr.indices.null_count:
        codes = np.where(arr.indices.is_valid().to_numpy(zero_copy_only=False), codes, -1)
    return codes.astype(np.int64, copy=False), arr.dictionary


def timestamps_us(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Timestamps as int64 microseconds and a validity mask."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    arr = arr.cast(pa.timestamp("us")).cast(pa.int64())
    if not arr.null_count:
        return arr.to_numpy(), np.ones(len(arr), dtype=bool)
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    return arr.fill_null(0).to_numpy(zero_copy_only=False), valid


def float_values(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A numeric column as float64 with NaN for null."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    arr = arr.cast(pa.float64())
    return (arr.fill_null(np.nan) if arr.null_count else arr).to_numpy(zero_copy_only=False)


def dense_index(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys ascending, position of each key among them) for non-negative int keys."""
    if keys.size == 0:
        return keys, keys
    span = int(keys.max()) + 1
    if span <= 8 * keys.size + 1024:
        seen = np.zeros(span, dtype=bool)
        seen[keys] = True
        distinct = np.flatnonzero(seen)
        position = np.cumsum(seen) - 1
        return distinct, position[keys]
    distinct, inverse = np.unique(keys, return_inverse=True)
    return distinct, inverse


def pivot_wide(
    rows: pa.Table, names: tuple[str, ...], name_column: str, value_column: str
) -> tuple[pa.Table, dict[str, np.ndarray], dict[object, np.ndarray]]:
    """One row per (station_code, ts) with a float column per name.

    Returns the wide frame, each wide cell's source row per name (-1: none), and the codes of
    the rows' station_code, ts and name columns (for the rows frame's checks). Values of a
    row with a null key or a name outside `names` stay out of the wide frame (the row-level
    checks of the rows frame report them). Missing cells are NaN.
    """
    station_all, station_dict = codes_of(rows["station_code"])
    ts_all, ts_valid = timestamps_us(rows["ts"])
    ts_codes = small_codes(ts_all, ts_valid)
    name_codes, name_dict = codes_of(rows[name_column])
    to_slot = np.array([names.index(n) if n in names else -1 for n in name_dict.to_pylist()]
                       + [-1], dtype=np.int64)
    slot_all = to_slot[name_codes]  # code -1 (null) -> last entry -> -1
    # one dense code per (station, hour): the wide row, and the first part of the grain
    n_ts = int(ts_codes.max()) + 1 if ts_codes.size else 1
    keyed = (station_all >= 0) & ts_valid
    all_keyed = bool(keyed.all())
    spot = np.full(rows.num_rows, -1, dtype=np.int64)
    if all_keyed:
        spot = dense_index(station_all * n_ts + ts_codes)[1]
    elif keyed.any():
        spot[keyed] = dense_index(station_all[keyed] * n_ts + ts_codes[keyed])[1]
    n = int(spot.max()) + 1 if spot.size else 0
    values = float_values(rows[value_column])
    keep = keyed & (slot_all >= 0)
    if keep.all():
        source, wide_row, slot = np.arange(rows.num_rows), spot, slot_all
    else:
        source = np.flatnonzero(keep)
        wide_row, slot, values = spot[keep], slot_all[keep], values[keep]
    cells = np.full((len(names), n), np.nan)
    cell_rows = np.full((len(names), n), -1, dtype=np.int64)
    flat = slot * n + wide_row
    cells.reshape(-1)[flat] = values
    cell_rows.reshape(-1)[flat] = source
    # a source row of each station-hour, for its keys (rows of unknown names only: any row)
    first = cell_rows.max(axis=0)
    if (first < 0).any():
        others = keyed & (slot_all < 0)
        first[spot[others]] = np.flatnonzero(others)
    ts_col = rows["ts"].combine_chunks().cast(pa.timestamp("us")).take(pa.array(first))
    station_col = pa.DictionaryArray.from_arrays(
        pa.array(station_all[first], type=pa.int32()), station_dict)
    columns = {"station_code": station_col, "ts": ts_col}
    columns.update({name: pa.array(cells[i]) for i, name in enumerate(names)})  # NaN = none
    # the grain (station_code, ts, name) as one code per row, -1 where a part is missing
    # (those rows fail the not-null checks); spares the unique check its own pass
    grain = np.where(keyed & (name_codes >= 0), spot * (len(name_dict) + 1) + name_codes, -1)
    row_codes = {"station_code": station_all, "ts": ts_codes, name_column: name_codes,
                 ("station_code", "ts", name_column): grain}
    return pa.table(columns), {name: cell_rows[i] for i, name in enumerate(names)}, row_codes
