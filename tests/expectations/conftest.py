"""Helpers for the expectations tests: hand-made hourly batches and a toy raw format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from transforms.ingest.engine import FormatSpec, ParsedFile, register_format

DAY = dt.date(2019, 1, 2)
T0 = dt.datetime(2019, 1, 2)


def hourly(rows: list[tuple], kind: str = "realtime") -> pa.Table:
    """air_station_hourly rows from (station, ts, pollutant, value) tuples."""
    return pa.table({
        "station_code": pa.array([r[0] for r in rows], pa.string()),
        "ts": pa.array([r[1] for r in rows], pa.timestamp("us")),
        "pollutant": pa.array([r[2] for r in rows], pa.string()),
        "value": pa.array([r[3] for r in rows], pa.float64()),
        "data_kind": pa.array([kind] * len(rows), pa.string()),
    })


def station_hour(station: str, hour: int, **values: float) -> list[tuple]:
    """Rows of one station-hour of DAY: station_hour("S1", 5, pm25=30, pm10=50)."""
    ts = T0 + dt.timedelta(hours=hour)
    return [(station, ts, p, v) for p, v in values.items()]


# The toy format "GXTOY": header line, then station,ISO time,pollutant,value per line. It keeps
# the parser's provenance columns (line_no, column_name) like a careful parser would.
def _detect(path: Path, head: bytes) -> bool:
    return head.startswith(b"GXTOY")


def _parse(path: Path) -> ParsedFile:
    lines = path.read_text().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    table = hourly([(r[0], dt.datetime.fromisoformat(r[1]), r[2], float(r[3])) for r in rows])
    table = table.append_column("line_no", pa.array(range(2, len(rows) + 2), pa.int64()))
    table = table.append_column("column_name", pa.array([r[2] for r in rows], pa.string()))
    return ParsedFile("gxtoy", {"air_station_hourly": table})


register_format(FormatSpec("gxtoy", _detect, _parse))


def write_toy(path: Path, rows: list[tuple]) -> Path:
    """A GXTOY file of (station, ts, pollutant, value) rows."""
    body = "\n".join(f"{s},{t.isoformat(sep=' ')},{p},{v:g}" for s, t, p, v in rows)
    path.write_text("GXTOY\n" + body + "\n")
    return path


def clean_day(stations: tuple[str, ...] = ("S1", "S2")) -> list[tuple]:
    """A plausible full day (hours 0-23 of DAY) for the stations, values varying by hour."""
    rows = []
    for i, s in enumerate(stations):
        for h in range(24):
            rows += station_hour(s, h, pm25=20 + h + i, pm10=40 + 2 * h + i, so2=5 + h % 3,
                                 no2=30 + h, co=0.5 + h / 100, o3=40 + h)
    return rows


@pytest.fixture
def registered(warehouse):
    """The warehouse with stations S1 and S2 registered."""
    warehouse.execute("insert into stations (station_code, station_name, source) values "
                      "('S1', 'one', 'config'), ('S2', 'two', 'config')")
    return warehouse
