"""Raw delimited files as string cells, and cells turned into checked numbers.

Shared by the station-list, long hourly and daily city parsers. Every physical line of a file
becomes one row (row i = line i + 1, header = line 1), so a quarantined cell always carries
its exact line; numbers are parsed column-wise (pandas), never row by row.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.ingest.engine import QUARANTINE_SCHEMA
from transforms.ingest.raw_files import RawFileError, decode_text, read_bytes
from transforms.plausibility import implausible

# Cells that mean "no value" in the raw formats envq reads ('NA' in UCI PRSA, '-' in CNEMC
# station lists, '--' and '/' in bureau tables, '*' and '--' in the surface-water automatic
# station exports, 'None' where a cell was empty in the exporting program). They are missing,
# not quarantined. One set for every format.
MISSING_TOKENS = frozenset({
    "", "NA", "N/A", "NaN", "nan", "None", "null", "NULL", "-", "--", "—", "/", "*",
})
FIELD_SEP = "\x1f"  # stands in for a multi-character delimiter such as '||'


@dataclass
class RawTable:
    """A raw file's cells (row i = physical line i + 1) and its lines as text."""

    cells: pd.DataFrame
    lines: np.ndarray  # the physical lines, without line ends (raw text for quarantine)
    encoding: str

    def line_text(self, line_no: np.ndarray) -> np.ndarray:
        """The raw text of the given 1-based lines."""
        return self.lines[np.asarray(line_no, dtype="int64") - 1]


def read_cells(path: Path, sep: str = ",") -> tuple[pd.DataFrame, str]:
    """All lines of the file as string cells (see read_raw_table); returns (cells, encoding)."""
    raw = read_raw_table(path, sep)
    return raw.cells, raw.encoding


def read_raw_table(path: Path, sep: str = ",") -> RawTable:
    """All lines of the (decompressed, decoded) file as string cells, and as raw text.

    Row i of the frame is physical line i + 1; blank lines give rows of empty cells; short
    lines are padded with empty cells. A delimiter of more than one character ('||') is
    replaced by a control character first so that pandas' C parser can be used.
    """
    text, encoding = decode_text(read_bytes(path), path)
    lines = pd.Series(text.split("\n")).str.removesuffix("\r")
    width = int(lines.str.count(re.escape(sep)).max()) + 1
    if len(sep) > 1:
        text = text.replace(sep, FIELD_SEP)
        sep = FIELD_SEP
    try:
        cells = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            names=list(range(width)),
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise RawFileError(path, "unreadable table", str(exc).splitlines()[0]) from exc
    return RawTable(cells, lines.to_numpy(dtype=object), encoding)


def first_line(head: bytes) -> str:
    """The first line of a file's first bytes, decoded leniently (for format detection)."""
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return line.decode("gb18030", errors="replace")


def header_key(name: str) -> str:
    """A header cell reduced for matching: no quotes, spaces, BOM or case ('"PM2.5"' -> 'pm2.5')."""
    return re.sub(r"[\s\"'\ufeff]", "", name).lower()


def quarantine_frame(
    line_no: Iterable[int] | np.ndarray,
    column_name: str | Iterable[str],
    reason: str,
    raw: Iterable[str],
) -> pd.DataFrame:
    """Rows for the quarantine table (line, column, rule, raw text); one column name for
    every row, or one per row."""
    line_no = np.asarray(line_no, dtype="int64")
    raw = pd.Series(raw, dtype="str").to_numpy() if not isinstance(raw, np.ndarray) else raw
    return pd.DataFrame(
        {
            "line_no": line_no,
            "column_name": np.full(len(line_no), np.asarray(column_name, dtype=object)),
            "reason": np.full(len(line_no), reason, dtype=object),
            "raw": np.asarray(raw, dtype=object),
        }
    )


def quarantine_table(frames: list[pd.DataFrame]) -> pa.Table:
    """The quarantine frames of one file as one Arrow table, sorted by line."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return QUARANTINE_SCHEMA.empty_table()
    q = pd.concat(frames, ignore_index=True).sort_values(["line_no", "column_name"], kind="stable")
    return pa.Table.from_pandas(q, schema=QUARANTINE_SCHEMA, preserve_index=False)


def checked_numbers(
    raw: pd.Series,
    line_no: np.ndarray,
    column_name: str,
    *,
    limit: float | None = None,
    scale: float = 1.0,
    zero_is_missing: bool = False,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Parse one column of cells; return (values, quarantine rows).

    values is float64 with NaN where the cell is missing (MISSING_TOKENS, or 0 when the format
    writes 0 for missing) or rejected. Rejected cells go to quarantine: `non_numeric`,
    `negative`, or `impossible_value` when value * scale exceeds limit (transforms.plausibility).
    """
    text = raw.astype(str).str.strip()
    missing = text.isin(MISSING_TOKENS).to_numpy()
    numbers = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(
        dtype="float64", copy=True
    )
    non_numeric = ~missing & ~np.isfinite(numbers)
    numbers[non_numeric] = np.nan
    if zero_is_missing:
        numbers[numbers == 0] = np.nan
    values = numbers * scale
    negative, impossible = implausible(values, high=np.inf if limit is None else limit)
    values[negative | impossible] = np.nan
    raw_text = raw.to_numpy(dtype=object)
    quarantine = pd.concat(
        [
            quarantine_frame(line_no[mask], column_name, reason, raw_text[mask])
            for mask, reason in (
                (non_numeric, "non_numeric"),
                (negative, "negative"),
                (impossible, "impossible_value"),
            )
            if mask.any()
        ]
        or [quarantine_frame([], column_name, "", [])],
        ignore_index=True,
    )
    return values, quarantine


def parse_dates(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Dates or timestamps tried against each format in turn; NaT where none fits."""
    text = text.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in formats:
        todo = out.isna() & (text != "")
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return out


def split_conflicts(
    long: pd.DataFrame, key: list[str], value: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per key whose values agree, every row of keys with different values)."""
    if not long.duplicated(key).any():
        return long, long.iloc[0:0]
    distinct = long.drop_duplicates([*key, value])
    clash = distinct.duplicated(key, keep=False)
    if not clash.any():
        return distinct, long.iloc[0:0]
    bad_keys = distinct.loc[clash, key].drop_duplicates()
    marked = long.merge(bad_keys.assign(_clash=True), on=key, how="left")
    conflict = marked["_clash"].fillna(False).astype(bool).to_numpy()
    return long[~conflict].drop_duplicates(key), long[conflict]
