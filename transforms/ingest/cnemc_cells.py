"""The cells of a CNEMC wide file (china_sites / china_cities) as one clean number matrix.

Layout (docs/formats.md; docs/standards.md §7.1): header `date,hour,type,<columns>`,
then one row per hour (0..23) and type (the 15 of ROW_TYPES); an empty cell is missing.

Two readers give the same result:
- `typed_cells`: pyarrow's CSV reader with every column's type given (no sniffing), then a
  few vectorised checks. It gives up (returns None) as soon as anything would need a
  quarantine entry or a line number, so a clean file never pays for line bookkeeping.
- `careful_cells`: every physical line as text (line i = row i - 1, header = line 1); each
  non-empty cell that cannot load goes to quarantine with its line, column and reason:
  `non_numeric`, `negative`, `impossible_value` (above transforms.plausibility limits),
  `date_mismatch` (the row's date is not the file-name date), `bad_timestamp` (hour not
  0..23), `unknown_type`, `unnamed_column`, `duplicate_conflict` (the same hour, type and
  column twice with different values: all of them, since the file does not say which is
  right; identical repeats load once and are noted), `truncated` (the cut last cell of a last
  line that stops short) and `bad_field_count` (any other line with too few or too many
  cells: the whole line).
Both return values series-major (one row per column of the file), NaN = absent.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from transforms.ingest.engine import QUARANTINE_SCHEMA, empty_quarantine
from transforms.plausibility import AQI_MAX, PLAUSIBLE_MAX, implausible

# The 15 row types of the files, in file order, and the codes envq stores them under.
ROW_TYPES = ("AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2",
             "NO2_24h", "O3", "O3_24h", "O3_8h", "O3_8h_24h", "CO", "CO_24h")
TYPE_CODES = ("aqi", "pm25", "pm25_24h", "pm10", "pm10_24h", "so2", "so2_24h", "no2",
              "no2_24h", "o3", "o3_24h", "o3_8h", "o3_8h_24h", "co", "co_24h")
TYPE_INDEX = {name: i for i, name in enumerate(ROW_TYPES)}
# Upper limit per row type: AQI ends at 500 (HJ 633-2012 §5); a concentration, its 24-h mean
# or 8-h mean cannot exceed the pollutant's physical limit (transforms.plausibility).
TYPE_LIMIT = np.array(
    [AQI_MAX if code == "aqi" else PLAUSIBLE_MAX[code.split("_")[0]] for code in TYPE_CODES]
)
HOURS = 24
HEAD = ("date", "hour", "type")
# quarantine reasons of cells (index 0 = the cell loads)
REASONS = (None, "non_numeric", "negative", "impossible_value", "date_mismatch",
           "bad_timestamp", "unknown_type", "unnamed_column")
SEP = "\x1f"  # the careful reader re-joins a line's cells with this (never in a cell)
NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


@dataclass
class WideCells:
    """A wide file reduced to numbers: one slot per (hour, type), one series per column."""

    series: list[str]  # column names (station codes or city names), unique
    hour: np.ndarray  # int64 (slots,)
    type_index: np.ndarray  # int64 (slots,), index into ROW_TYPES
    values: np.ndarray  # float64 (series, slots); NaN = absent
    complete: np.ndarray  # bool (slots,): False when only a cut line gives the slot
    day: dt.date
    quarantine: pa.Table = field(default_factory=empty_quarantine)
    notes: list[str] = field(default_factory=list)


TYPE_LETTERS = np.array([sum(c.isalpha() for c in name) for name in ROW_TYPES])
_LETTERS = bytes(c for c in range(128) if chr(c).isalpha())


def _letters(data: bytes) -> int:
    return len(data) - len(data.translate(None, _LETTERS))


def header_names(line: str) -> list[str]:
    """The header cells, stripped; the first three must be date, hour, type."""
    return [name.strip().strip('"') for name in line.rstrip("\r").split(",")]


def parse_day(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def typed_cells(
    body: bytes | memoryview, names: list[str], day: dt.date | None
) -> WideCells | None:
    """Read the data lines (header removed) with the column types given; None when the file
    needs the careful reader (anything to quarantine, ragged lines, unknown types...)."""
    series = names[3:]
    if not series or "" in series:
        return None
    columns = [*HEAD, *(f"c{i}" for i in range(len(series)))]
    types: dict[str, pa.DataType] = {c: pa.float64() for c in columns[3:]}
    types.update(date=pa.string(), hour=pa.string(), type=pa.string())
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(
                column_names=columns, block_size=max(1 << 20, len(body) + 1), use_threads=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=[""], strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows == 0:
        return None
    dates = table.column("date").combine_chunks()
    first = parse_day(dates[0].as_py())
    if first is None or (day is not None and first != day):
        return None
    if not pc.all(pc.equal(dates, dates[0])).as_py():
        return None
    try:
        hour = pc.cast(table.column("hour").combine_chunks(), pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    kinds = table.column("type").to_pylist()
    type_index = np.array([TYPE_INDEX.get(t, -1) for t in kinds], np.int64)
    if (type_index < 0).any() or (hour < 0).any() or (hour >= HOURS).any():
        return None
    if np.unique(hour * len(ROW_TYPES) + type_index).size != len(hour):
        return None
    # letters in a cell ('nan', 'inf', '1e3', '—' is not ASCII but fails the read) -> careful
    if _letters(bytes(body)) != sum(TYPE_LETTERS[t] for t in type_index):
        return None
    cells = table.drop_columns(list(HEAD)).combine_chunks().to_batches()
    if len(cells) != 1:
        return None
    values = np.asarray(cells[0].to_tensor(null_to_nan=True, row_major=False)).T
    with np.errstate(invalid="ignore"):
        if (values < 0).any() or (values > TYPE_LIMIT[type_index]).any():
            return None  # (inf is above every limit)
    notes: list[str] = []
    if len(set(series)) != len(series):
        merged = _merge_repeated_columns(series, values)
        if merged is None:
            return None
        series, values, repeated = merged
        notes = [_repeat_note(names, repeated)]
    complete = np.ones(len(hour), bool)
    return WideCells(series, hour, type_index, values, complete, first, notes=notes)


def _merge_repeated_columns(
    series: list[str], values: np.ndarray
) -> tuple[list[str], np.ndarray, int] | None:
    """One row per column name: a name given twice (3207A in the 2019 files from June on)
    keeps the values its columns agree on; None when they disagree anywhere."""
    unique, first, inverse = np.unique(np.array(series, dtype=object), return_index=True,
                                       return_inverse=True)
    keep = np.sort(first)
    out = values[keep]
    position = {series[i]: n for n, i in enumerate(keep)}
    repeated = 0
    for name in unique[np.bincount(inverse) > 1]:
        block = values[[i for i, s in enumerate(series) if s == name]]
        with np.errstate(invalid="ignore"):
            low, high = np.fmin.reduce(block, axis=0), np.fmax.reduce(block, axis=0)
        if (low != high)[~np.isnan(low)].any():
            return None
        out[position[name]] = low
        repeated += int(np.count_nonzero((~np.isnan(block)).sum(axis=0) > 1))
    return [series[i] for i in keep], out, repeated


def _repeat_note(names: list[str], repeated: int) -> str:
    counts = pd.Series(names[3:]).value_counts()
    twice = ", ".join(counts[counts > 1].index[:5])
    return f"columns given more than once: {twice}; {repeated} cells repeated with the same " \
        "value (loaded once)"


def careful_cells(text: str, day: dt.date | None) -> WideCells:
    """Every line as text, each cell checked; see the module docstring for the rules."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line, it does not start one
    names = header_names(lines[0])
    width = len(names)
    quarantine: list[pd.DataFrame] = []
    kept: list[str] = []
    line_no: list[int] = []
    cut_row = -1
    for number, line in enumerate(lines[1:], start=2):
        line = line.removesuffix("\r")
        if not line.strip(", \t"):
            continue  # a blank line carries no cell
        if SEP in line:
            quarantine.append(_entries([number], [None], "bad_field_count", [line]))
            continue
        fields = next(csv.reader([line])) if '"' in line else line.split(",")
        if len(fields) < width and number == len(lines):
            # the file stops inside its last line: its last cell may be cut, the others hold
            if len(fields) <= len(HEAD):
                quarantine.append(_entries([number], [None], "truncated", [line]))
                continue
            if fields[-1].strip():
                quarantine.append(
                    _entries([number], [names[len(fields) - 1]], "truncated", [fields[-1]])
                )
            cut_row = len(kept)
            fields = fields[:-1] + [""] * (width - len(fields) + 1)
        elif len(fields) != width:
            quarantine.append(_entries([number], [None], "bad_field_count", [line]))
            continue
        kept.append(SEP.join(fields))
        line_no.append(number)
    columns = [*HEAD, *(f"c{i}" for i in range(width - len(HEAD)))]
    table = pacsv.read_csv(
        pa.py_buffer("\n".join(kept).encode()),
        read_options=pacsv.ReadOptions(column_names=columns, use_threads=False),
        parse_options=pacsv.ParseOptions(delimiter=SEP, quote_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(columns, pa.string()), strings_can_be_null=False
        ),
    ) if kept else pa.table({c: pa.array([], pa.string()) for c in columns})
    rows = table.num_rows
    if rows == 0:
        named = sorted({n for n in names[3:] if n})
        none = np.zeros(0, np.int64)
        return WideCells(named, none, none, np.zeros((len(named), 0)), none.astype(bool),
                         day or dt.date(1970, 1, 1), _quarantine_table(quarantine),
                         ["no data rows"])
    lines_arr = np.array(line_no, np.int64)
    dates = [d.strip() for d in table.column("date").to_pylist()]
    if day is None:
        day = next((d for d in map(parse_day, dates) if d is not None), None)
    hour = pd.to_numeric(pd.Series(table.column("hour").to_pylist(), dtype=object),
                         errors="coerce").to_numpy(dtype=float)
    type_index = np.array([TYPE_INDEX.get(t.strip(), -1) for t in table.column("type").to_pylist()],
                          np.int64)
    row_reason = np.zeros(rows, np.int8)
    row_reason[type_index < 0] = REASONS.index("unknown_type")
    row_reason[~np.isin(hour, np.arange(HOURS))] = REASONS.index("bad_timestamp")
    day_text = day.strftime("%Y%m%d") if day else None
    row_reason[np.array([d != day_text for d in dates], bool)] = REASONS.index("date_mismatch")
    good_row = row_reason == 0

    # the cells, series-major (one block of `rows` cells per column of the file)
    raw = pa.concat_arrays([chunk for column in table.columns[3:] for chunk in column.chunks]) \
        if rows else pa.array([], pa.string())
    stripped = pc.utf8_trim_whitespace(raw)
    present = pc.not_equal(stripped, "").to_numpy(zero_copy_only=False).reshape(-1, rows)
    numeric = pc.match_substring_regex(stripped, NUMBER)
    numbers = pc.cast(pc.if_else(numeric, stripped, None), pa.float64())
    numbers = numbers.to_numpy(zero_copy_only=False).reshape(-1, rows)
    reason = np.zeros(numbers.shape, np.int8)
    limit = TYPE_LIMIT[np.where(type_index < 0, 0, type_index)]
    negative, impossible = implausible(numbers, high=limit)
    reason[impossible] = REASONS.index("impossible_value")
    reason[negative] = REASONS.index("negative")
    reason[~numeric.to_numpy(zero_copy_only=False).reshape(-1, rows)] = REASONS.index("non_numeric")
    reason[:, ~good_row] = row_reason[~good_row]
    series_names = np.array(names[3:], dtype=object)
    reason[series_names == ""] = REASONS.index("unnamed_column")
    reason[~present] = 0
    col, row = np.nonzero(reason)
    quarantine.append(_entries(lines_arr[row], series_names[col],
                               np.array(REASONS, dtype=object)[reason[col, row]],
                               raw.take(pa.array(col * rows + row)).to_pylist()))

    # slots (hour, type) of the good rows, unique series, then repeats of one cell
    slot_keys, slot_of_good = np.unique(
        hour[good_row].astype(np.int64) * len(ROW_TYPES) + type_index[good_row],
        return_inverse=True,
    )
    slot_of_row = np.full(rows, -1, np.int64)
    slot_of_row[good_row] = slot_of_good
    complete = np.zeros(len(slot_keys), bool)
    whole = good_row & (np.arange(rows) != cut_row)
    complete[slot_of_row[whole]] = True
    series, series_of_col = np.unique(series_names.astype(str), return_inverse=True)
    col, row = np.nonzero(present & (reason == 0) & good_row)
    key = series_of_col[col] * len(slot_keys) + slot_of_row[row]
    value = numbers[col, row]
    order = np.lexsort((row, key))
    key, value, col, row = key[order], value[order], col[order], row[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key
    counts = np.diff(np.r_[starts, len(key)])
    low = np.minimum.reduceat(value, starts) if len(key) else value
    high = np.maximum.reduceat(value, starts) if len(key) else value
    conflict = np.repeat(low != high, counts)
    quarantine.append(_entries(
        lines_arr[row[conflict]], series_names[col[conflict]], "duplicate_conflict",
        raw.take(pa.array(col[conflict] * rows + row[conflict])).to_pylist(),
    ))
    notes = []
    repeated = int(np.count_nonzero((counts > 1) & (low == high)))
    if len(set(names[3:])) < width - len(HEAD):
        notes.append(_repeat_note(names, repeated))
    elif repeated:
        notes.append(f"{repeated} cells repeated with the same value (loaded once)")
    keep = starts[low == high]
    values = np.full((len(series), len(slot_keys)), np.nan)
    values.ravel()[key[keep]] = value[keep]
    named = series != ""
    return WideCells(
        series=[str(name) for name in series[named]],
        hour=slot_keys // len(ROW_TYPES),
        type_index=slot_keys % len(ROW_TYPES),
        values=values[named],
        complete=complete,
        day=day if day is not None else dt.date(1970, 1, 1),
        quarantine=_quarantine_table(quarantine),
        notes=notes,
    )


def _entries(line_no, column, reason, raw) -> pd.DataFrame:
    line_no = np.asarray(line_no, np.int64)
    n = len(line_no)
    return pd.DataFrame({
        "line_no": line_no,
        "column_name": np.broadcast_to(np.asarray(column, dtype=object), n),
        "reason": np.broadcast_to(np.asarray(reason, dtype=object), n),
        "raw": np.broadcast_to(np.asarray(raw, dtype=object), n),
    })


def _quarantine_table(frames: list[pd.DataFrame]) -> pa.Table:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_quarantine()
    q = pd.concat(frames, ignore_index=True).sort_values("line_no", kind="stable")
    return pa.Table.from_pandas(q, schema=QUARANTINE_SCHEMA, preserve_index=False)
