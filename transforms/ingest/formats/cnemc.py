"""CNEMC national wide files: china_sites_YYYYMMDD.csv and china_cities_YYYYMMDD.csv.

Layout (docs/formats.md; docs/standards.md §7.1): header `date,hour,type,<columns>`,
15 type rows per hour, hour 0..23; plain, .csv.xz or .csv.gz. The columns are station codes
(china_sites, 1605 to 1641 of them in 2019) or Chinese city names (china_cities). Time: the
value of hour h is the mean of (h-1, h], so ts = file date + h hours (hour-ending, local CST;
hour 0 of D is the last hour of D-1). An empty cell is missing and simply absent; every other
cell that cannot load is quarantined (transforms.ingest.cnemc_cells lists the rules).

Where the values go:
- station files: the six 1-h measurements (PM2.5, PM10, SO2, NO2, O3, CO) to
  `air_station_hourly` (pollutant pm25 ... co, µg/m³, CO mg/m³); AQI and the publisher's
  derived rows (X_24h = 24-h moving mean, O3_24h = 24-h max of 1-h O3, O3_8h = 8-h moving
  mean, O3_8h_24h = 24-h max of O3_8h) to `air_station_published_wide`, one row per
  station-hour, read in long form through the view `air_station_published` (types aqi,
  pm25_24h ... co_24h; kept for audit, envq recomputes its own).
- city files: all 15 types to `air_city_hourly_published` (city, ts, type, value). These are
  CNEMC's own city values, not measurements at a point: envq computes city values from the
  stations by HJ 663, so the publisher's city series stay apart (as the daily ones do in
  air_city_daily_published) and never enter station tables, registries or means.

data_kind is 'audited' when the file sits below a folder named `audited` or its name ends
in `_audited` (china_sites_20190101_audited.csv.xz), else 'realtime'.

Two pseudo-tables carry what the file covers (its columns, its hour-type rows) to the loader
(transforms.ingest.cnemc_load), which makes a later file for the same date supersede the earlier one
for exactly those cells, including the cells it leaves empty.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from transforms.ingest.cell_values import first_line
from transforms.ingest.cnemc_cells import (
    HEAD,
    HOURS,
    ROW_TYPES,
    TYPE_CODES,
    WideCells,
    careful_cells,
    header_names,
    parse_day,
    typed_cells,
)
from transforms.ingest.cnemc_load import (
    COVERED_SERIES,
    COVERED_SLOTS,
    PUBLISHED_TYPES,
    load_cnemc,
    load_cnemc_batch,
)
from transforms.ingest.engine import FormatSpec, ParsedFile, register_format
from transforms.ingest.raw_files import RawFileError, decode_text, logical_name, read_bytes
from transforms.pollutants import POLLUTANTS

FILE_NAME = re.compile(r"china_(sites|cities)_(\d{8})", re.IGNORECASE)
AUDITED_FOLDER = "audited"
AUDITED_SUFFIX = "_audited"
# per row type: index into POLLUTANTS (1-h measurement) or into PUBLISHED_TYPES, else -1
POLLUTANT_OF_TYPE = np.array([POLLUTANTS.index(c) if c in POLLUTANTS else -1 for c in TYPE_CODES])
PUBLISHED_OF_TYPE = np.array(
    [PUBLISHED_TYPES.index(c) if c in PUBLISHED_TYPES else -1 for c in TYPE_CODES]
)
HOUR_US = 3_600_000_000


def data_kind_of(path: Path | str) -> str:
    """'audited' for files below an `audited` folder or named *_audited.csv[.xz|.gz]."""
    path = Path(path)
    stem = logical_name(path).rsplit(".", 1)[0]
    folders = {part.lower() for part in path.parent.parts}
    audited = AUDITED_FOLDER in folders or stem.lower().endswith(AUDITED_SUFFIX)
    return "audited" if audited else "realtime"


def file_day(path: Path) -> dt.date | None:
    match = FILE_NAME.search(logical_name(path))
    return parse_day(match.group(2)) if match else None


def _head_names(head: bytes) -> list[str] | None:
    names = header_names(first_line(head))
    if len(names) < 4 or [n.lower() for n in names[:3]] != list(HEAD):
        return None
    return names


def _is_cities(path: Path, names: list[str]) -> bool:
    match = FILE_NAME.search(logical_name(path))
    if match:
        return match.group(1).lower() == "cities"
    return any(not name.isascii() for name in names[3:])


def detect_sites(path: Path, head: bytes) -> bool:
    names = _head_names(head)
    return names is not None and not _is_cities(path, names)


def detect_cities(path: Path, head: bytes) -> bool:
    names = _head_names(head)
    return names is not None and _is_cities(path, names)


def read_cells(path: Path) -> WideCells:
    """The file's cells: the typed fast reader, or the careful one when it gives up."""
    data = read_bytes(path)
    end = data.find(b"\n")
    header = data if end < 0 else data[:end]
    if not header.strip():
        raise RawFileError(path, "empty file")
    names = header_names(decode_text(header, path)[0])
    if [n.lower() for n in names[:3]] != list(HEAD):
        raise RawFileError(path, "no date,hour,type header")
    day = file_day(path)
    cells = None
    if end >= 0:
        cells = typed_cells(memoryview(data)[end + 1 :], names, day)
    if cells is None:
        cells = careful_cells(decode_text(data, path)[0], day)
    if day is None:
        cells.notes.append(f"no date in the file name: rows dated {cells.day} used")
    cells.notes.extend(_completeness_notes(cells))
    return cells


def _completeness_notes(cells: WideCells) -> list[str]:
    hours, counts = np.unique(cells.hour, return_counts=True)
    notes = []
    if len(hours) < HOURS:
        notes.append(f"{len(hours)} of {HOURS} hours")
    short = [f"{h} ({c} of {len(ROW_TYPES)} rows)" for h, c in zip(hours, counts, strict=True)
             if c < len(ROW_TYPES)]
    if short:
        notes.append("incomplete hours: " + ", ".join(short[:5]) + (" ..." if len(short) > 5
                                                                      else ""))
    return notes


def _slot_ts(cells: WideCells) -> np.ndarray:
    start = np.datetime64(cells.day, "us").astype(np.int64)
    return (start + cells.hour.astype(np.int64) * HOUR_US).astype("datetime64[us]")


def _codes(indices: np.ndarray, dictionary: pa.Array) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices), dictionary)


def _kind_column(n: int, kind: str) -> pa.DictionaryArray:
    return _codes(np.zeros(n, np.int8), pa.array([kind]))


def coverage_tables(cells: WideCells, kind: str) -> dict[str, pa.Table]:
    """The file's columns (with whether any value loads) and its hour-type rows."""
    has_values = ~np.isnan(cells.values).all(axis=1) if cells.values.size else \
        np.zeros(len(cells.series), bool)
    return {
        COVERED_SERIES: pa.table({
            "series": pa.array(cells.series, pa.string()),
            "has_values": pa.array(has_values),
        }),
        COVERED_SLOTS: pa.table({
            "ts": pa.array(_slot_ts(cells)),
            "type": pa.array(np.array(TYPE_CODES, dtype=object)[cells.type_index], pa.string()),
            "complete": pa.array(cells.complete),
            "data_kind": pa.array([kind] * len(cells.hour), pa.string()),
        }),
    }


def hourly_rows(cells: WideCells, kind: str) -> pa.Table:
    """The 1-h measurements as air_station_hourly rows, ordered by hour, pollutant, station
    (hour-major order compresses best in DuckDB)."""
    slots = np.flatnonzero(POLLUTANT_OF_TYPE[cells.type_index] >= 0)
    block = cells.values[:, slots].T.ravel()  # slot-major
    cell = np.flatnonzero(~np.isnan(block))
    slot, station = np.divmod(cell, len(cells.series))
    slot = slots[slot]
    return pa.table({
        "station_code": _codes(station.astype(np.int32), pa.array(cells.series, pa.string())),
        "ts": pa.array(_slot_ts(cells)[slot]),
        "pollutant": _codes(POLLUTANT_OF_TYPE[cells.type_index[slot]].astype(np.int8),
                            pa.array(POLLUTANTS)),
        "value": block[cell],
        "data_kind": _kind_column(len(cell), kind),
    })


def published_rows(cells: WideCells, kind: str) -> pa.Table:
    """AQI and the derived rows: one air_station_published_wide row per station-hour that has
    any of them (n_values = how many it has), ordered by hour, station."""
    slots = np.flatnonzero(PUBLISHED_OF_TYPE[cells.type_index] >= 0)
    hours = np.unique(cells.hour[slots])
    grid = np.full((len(PUBLISHED_TYPES), len(hours), len(cells.series)), np.nan)
    grid[PUBLISHED_OF_TYPE[cells.type_index[slots]], np.searchsorted(hours, cells.hour[slots])] \
        = cells.values[:, slots].T
    flat = grid.reshape(len(PUBLISHED_TYPES), -1)
    counts = np.count_nonzero(~np.isnan(flat), axis=0)
    cell = np.flatnonzero(counts)
    hour, station = np.divmod(cell, len(cells.series))
    start = np.datetime64(cells.day, "us").astype(np.int64)
    columns: dict[str, pa.Array] = {
        "station_code": _codes(station.astype(np.int32), pa.array(cells.series, pa.string())),
        "ts": pa.array((start + hours[hour].astype(np.int64) * HOUR_US).astype("datetime64[us]")),
    }
    for i, name in enumerate(PUBLISHED_TYPES):
        columns[name] = pa.array(flat[i, cell], from_pandas=True)  # NaN -> null
    columns["data_kind"] = _kind_column(len(cell), kind)
    columns["n_values"] = pa.array(counts[cell].astype(np.int16))
    return pa.table(columns)


def city_rows(cells: WideCells, kind: str) -> pa.Table:
    """Every value of a city file as air_city_hourly_published rows (all 15 types)."""
    block = cells.values.T.ravel()  # slot-major
    cell = np.flatnonzero(~np.isnan(block))
    slot, city = np.divmod(cell, len(cells.series))
    return pa.table({
        "city": _codes(city.astype(np.int32), pa.array(cells.series, pa.string())),
        "ts": pa.array(_slot_ts(cells)[slot]),
        "type": _codes(cells.type_index[slot].astype(np.int8), pa.array(TYPE_CODES)),
        "value": block[cell],
        "data_kind": _kind_column(len(cell), kind),
    })


def parse_sites(path: Path) -> ParsedFile:
    cells = read_cells(path)
    kind = data_kind_of(path)
    tables = {
        "air_station_hourly": hourly_rows(cells, kind),
        "air_station_published_wide": published_rows(cells, kind),
        **coverage_tables(cells, kind),
    }
    return ParsedFile("cnemc_sites", tables, cells.quarantine, cells.notes)


def parse_cities(path: Path) -> ParsedFile:
    cells = read_cells(path)
    kind = data_kind_of(path)
    tables = {"air_city_hourly_published": city_rows(cells, kind),
              **coverage_tables(cells, kind)}
    return ParsedFile("cnemc_cities", tables, cells.quarantine, cells.notes)


for _spec in (FormatSpec("cnemc_sites", detect_sites, parse_sites),
              FormatSpec("cnemc_cities", detect_cities, parse_cities)):
    register_format(replace(_spec, load=load_cnemc, load_batch=load_cnemc_batch))
