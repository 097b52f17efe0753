"""Long hourly station files: one row per station and hour, one column per pollutant.

Two layouts, both loaded into `air_station_hourly` as data_kind 'realtime' (both are built
from the CNEMC real-time releases, not from audited data, so audited data replace them):

- Long station files such as the Haikou extract PM2.5NO2SO2O3CO_1410A.csv: header
  `datetime,PM2.5,O3,NO2,CO,SO2` (a time column first, then any of the six pollutants;
  optionally a station-code column). The time is the CNEMC hour label, hour-ending
  ("2019-01-15 07:00:00" covers 06:00-07:00), so ts = the time as written; checked on the real
  file: every value of 1410A on 2019-01-15 and 2019-07-16 equals china_sites date D hour h at
  ts = D + h. Units as CNEMC: µg/m³, CO mg/m³. Without a station column the code comes from
  the file name (the one `dddd`+`A` code in it, e.g. _1410A).
- UCI Beijing PRSA (Zhang et al. 2017, UCI dataset 501): "No","year","month","day","hour",
  PM2.5, PM10, SO2, NO2, CO, O3, TEMP, PRES, DEWP, RAIN, wd, WSPM, "station"; 'NA' = missing.
  CO is in µg/m³ and is divided by 1000 (envq keeps CO in mg/m³). hour 0..23 is the CNEMC
  hour-ending label: on 2017-01-01 all 19 published hours of PM2.5, NO2 and CO/1000 of the four
  stations kept here equal china_sites_20170101.csv at the same date and hour, so ts =
  date + hour. Station names map to CNEMC codes by transforms/reference/prsa_stations.csv
  (four verified by those equal values, eight by name against NewSiteList.csv); a name not
  in it gets the code 'PRSA-<name>'. Weather columns are not loaded (no table holds them).

Cells: empty/'NA' = missing; non-numeric, negative and impossible values (above
transforms.plausibility.PLAUSIBLE_MAX, after unit conversion) are quarantined; so is a row
whose time cannot be read (`bad_timestamp`, whole line). The same station, hour and pollutant
twice with different values: all of them are quarantined (`duplicate_conflict`) because the
file does not say which is right; identical repeats load once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.ingest.cell_values import (
    RawTable,
    checked_numbers,
    first_line,
    header_key,
    parse_dates,
    quarantine_frame,
    quarantine_table,
    read_raw_table,
    split_conflicts,
)
from transforms.ingest.engine import FormatSpec, ParsedFile, register_format
from transforms.ingest.raw_files import RawFileError, logical_name
from transforms.plausibility import PLAUSIBLE_MAX

DATA_KIND = "realtime"
POLLUTANT_ALIASES = {
    "pm2.5": "pm25", "pm25": "pm25", "pm2_5": "pm25", "pm10": "pm10", "so2": "so2",
    "no2": "no2", "co": "co", "o3": "o3",
}
TIME_ALIASES = frozenset({"datetime", "date_time", "time", "timepoint", "ts", "时间", "监测时间"})
STATION_ALIASES = frozenset(
    {"station_code", "stationcode", "监测点编码", "站点编码", "code", "site_code", "sitecode"}
)
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
STATION_IN_NAME = re.compile(r"(?<![0-9])\d{4}A(?![0-9A-Za-z])")
PRSA_HEAD = ("no", "year", "month", "day", "hour")
PRSA_CO_SCALE = 0.001  # µg/m³ -> mg/m³
PRSA_STATIONS_CSV = Path(__file__).resolve().parents[2] / "reference" / "prsa_stations.csv"

HOURLY_SCHEMA = pa.schema(
    [
        ("station_code", pa.string()),
        ("ts", pa.timestamp("us")),
        ("pollutant", pa.string()),
        ("value", pa.float64()),
        ("data_kind", pa.string()),
        # provenance (transforms.ingest.engine.PROVENANCE_COLUMNS): the raw cell; dropped at
        # the merge
        ("line_no", pa.int64()),
        ("column_name", pa.string()),
    ]
)


def header_keys(head: bytes) -> list[str]:
    return [header_key(c) for c in first_line(head).split(",")]


def detect_long(path: Path, head: bytes) -> bool:
    """A time column first and at least one pollutant column (the CNEMC wide files start
    with date,hour,type and are not matched)."""
    keys = header_keys(head)
    return keys[0] in TIME_ALIASES and any(k in POLLUTANT_ALIASES for k in keys[1:])


def detect_prsa(path: Path, head: bytes) -> bool:
    """The UCI PRSA header: No,year,month,day,hour, pollutants ..., station."""
    keys = header_keys(head)
    return tuple(keys[:5]) == PRSA_HEAD and "station" in keys and "pm2.5" in keys


@cache
def prsa_station_codes() -> dict[str, str]:
    """PRSA station name -> CNEMC station code (transforms/reference/prsa_stations.csv)."""
    table = pd.read_csv(PRSA_STATIONS_CSV, dtype=str)
    return dict(zip(table["prsa_station"], table["station_code"], strict=True))


def parse_long(path: Path) -> ParsedFile:
    """Parse a long station file (time column, pollutant columns, optional station column)."""
    raw = read_raw_table(path)
    header, keys, body, line_no = split_header(raw)
    ts = parse_dates(body[0], TIME_FORMATS)
    bad_ts = (ts.isna() | (ts.dt.minute != 0) | (ts.dt.second != 0)).to_numpy()
    station_col = next((i for i, k in enumerate(keys) if k in STATION_ALIASES), None)
    if station_col is None:
        codes_in_name = set(STATION_IN_NAME.findall(logical_name(path)))
        if len(codes_in_name) != 1:
            raise RawFileError(path, "long hourly file without station code", "no column, name")
        stations = pd.Series(codes_in_name.pop(), index=body.index, dtype="str")
    else:
        stations = body[station_col].astype(str).str.strip()
    hourly, quarantine = hourly_values(
        raw, header, keys, body, line_no, stations, ts, bad_ts,
        time_column=header[0], station_column=header[station_col or 0], scales={},
    )
    loaded = {0, station_col} | {i for i, k in enumerate(keys) if k in POLLUTANT_ALIASES}
    other = [h for i, h in enumerate(header) if i not in loaded and h]
    notes = [f"{logical_name(path)}: {hourly.num_rows} hourly values ({DATA_KIND})"]
    if other:
        notes.append(f"{logical_name(path)}: columns not loaded: {', '.join(other)}")
    return ParsedFile("air_long", {"air_station_hourly": hourly}, quarantine, notes)


def parse_prsa(path: Path) -> ParsedFile:
    """Parse one UCI PRSA station file (CO µg/m³ -> mg/m³, names -> CNEMC codes)."""
    raw = read_raw_table(path)
    header, keys, body, line_no = split_header(raw)
    parts = {
        k: pd.to_numeric(body[keys.index(k)].str.strip(), errors="coerce") for k in PRSA_HEAD[1:]
    }
    day = pd.to_datetime(
        pd.DataFrame({"year": parts["year"], "month": parts["month"], "day": parts["day"]}),
        errors="coerce",
    )
    hour = parts["hour"]
    bad_ts = (day.isna() | ~hour.between(0, 23) | (hour % 1 != 0)).to_numpy()
    ts = (day + pd.to_timedelta(hour.fillna(0), unit="h")).astype("datetime64[us]")
    names = body[keys.index("station")].astype(str).str.strip()
    known = prsa_station_codes()
    codes = names.map(known).fillna("PRSA-" + names).where(names != "", "")
    hourly, quarantine = hourly_values(
        raw, header, keys, body, line_no, codes, ts, bad_ts,
        time_column="year,month,day,hour", station_column="station",
        scales={"co": PRSA_CO_SCALE},
    )
    unmapped = sorted(set(names[~names.isin(known) & (names != "")]))
    name = logical_name(path)
    notes = [
        f"{name}: {hourly.num_rows} hourly values ({DATA_KIND}; CO µg/m³ -> mg/m³)",
        f"{name}: weather columns not loaded: TEMP, PRES, DEWP, RAIN, wd, WSPM",
    ]
    if unmapped:
        notes.append(f"PRSA stations without a CNEMC code, loaded as PRSA-<name>: {unmapped}")
    return ParsedFile("air_prsa", {"air_station_hourly": hourly}, quarantine, notes)


def split_header(raw: RawTable) -> tuple[list[str], list[str], pd.DataFrame, np.ndarray]:
    """(header cells, header keys, non-blank body rows, their line numbers)."""
    header = [str(c).strip() for c in raw.cells.iloc[0]]
    body = raw.cells.iloc[1:]
    body = body[(body != "").any(axis=1)]
    return header, [header_key(c) for c in header], body, body.index.to_numpy("int64") + 1


def hourly_values(
    raw: RawTable,
    header: list[str],
    keys: list[str],
    body: pd.DataFrame,
    line_no: np.ndarray,
    stations: pd.Series,
    ts: pd.Series,
    bad_ts: np.ndarray,
    *,
    time_column: str,
    station_column: str,
    scales: dict[str, float],
) -> tuple[pa.Table, pa.Table]:
    """Rows with a bad time or no station go to quarantine whole; the rest are stacked."""
    no_code = (stations == "").to_numpy() & ~bad_ts
    quarantine = [
        quarantine_frame(line_no[bad_ts], time_column, "bad_timestamp",
                         raw.line_text(line_no[bad_ts])),
        quarantine_frame(line_no[no_code], station_column, "missing_code",
                         raw.line_text(line_no[no_code])),
    ]
    good = ~bad_ts & ~no_code
    pollutant_cols = [(i, POLLUTANT_ALIASES[k]) for i, k in enumerate(keys)
                      if k in POLLUTANT_ALIASES]
    hourly, q = long_values(
        body[good], line_no[good], stations[good].to_numpy(dtype=object),
        ts[good].to_numpy(), header, pollutant_cols, scales,
    )
    return hourly, quarantine_table(quarantine + q)


def long_values(
    body: pd.DataFrame,
    line_no: np.ndarray,
    stations: np.ndarray,
    ts: np.ndarray,
    header: list[str],
    pollutant_cols: list[tuple[int, str]],
    scales: dict[str, float],
) -> tuple[pa.Table, list[pd.DataFrame]]:
    """Stack the pollutant columns into (station_code, ts, pollutant, value) rows.

    Each column is parsed and checked as a whole (checked_numbers); conflicting duplicates
    of (station, ts, pollutant) are quarantined, identical ones kept once.
    """
    frames, quarantine = [], []
    for col, pollutant in pollutant_cols:
        raw = body[col]
        values, q = checked_numbers(
            raw, line_no, header[col], limit=PLAUSIBLE_MAX[pollutant],
            scale=scales.get(pollutant, 1.0),
        )
        quarantine.append(q)
        keep = ~np.isnan(values)
        frames.append(
            pd.DataFrame(
                {
                    "station_code": stations[keep],
                    "ts": ts[keep],
                    "pollutant": pollutant,
                    "value": values[keep],
                    "line_no": line_no[keep],
                    "column_name": header[col],
                    "raw": raw.to_numpy(dtype=object)[keep],
                }
            )
        )
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["station_code", "ts", "pollutant", "value", "line_no", "column_name", "raw"]
    )
    long, conflicts = drop_duplicate_keys(long)
    quarantine.append(conflicts)
    long["data_kind"] = DATA_KIND
    table = pa.Table.from_pandas(
        long[HOURLY_SCHEMA.names],
        schema=HOURLY_SCHEMA,
        preserve_index=False,
    )
    return table, quarantine


def drop_duplicate_keys(long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one row per (station, ts, pollutant); quarantine keys whose values disagree."""
    long, conflicting = split_conflicts(long, ["station_code", "ts", "pollutant"], "value")
    conflicts = quarantine_frame(conflicting["line_no"], conflicting["column_name"],
                                 "duplicate_conflict", conflicting["raw"])
    return long, conflicts


register_format(FormatSpec(name="air_prsa", detect=detect_prsa, parse=parse_prsa))
register_format(FormatSpec(name="air_long", detect=detect_long, parse=parse_long))
