"""The air part of the synthetic sample: china_sites_YYYYMMDD.csv files, station list, plants.

Generation runs over a day grid that starts SPINUP_DAYS before the first written day (so the
first file's 24-h rows are complete), in fixed chunks of CHUNK_DAYS, so memory stays bounded
and the output does not depend on how much is generated at once beyond (seed, range).
Configured stations and national benchmark stations draw from separate random streams: the
configured stations' values do not change when --stations is given.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from transforms.sample.air import (
    POLLUTANTS,
    AirModel,
    StationParams,
    drop_missing,
    round_published,
)
from transforms.sample.air_params import (
    dust_events,
    national_station_params,
    sample_station_params,
)
from transforms.sample.aqi import EDITION_2026_FROM, hourly_aqi
from transforms.sample.cnemc import (
    HISTORY_HOURS,
    HOURLY_TYPE,
    TYPE_INDEX,
    TYPES,
    co_codes,
    derived_rows,
    int_code,
    int_codes,
    special_code,
    write_day_file,
    write_station_list,
)
from transforms.sample.config import SampleConfig

SPINUP_DAYS = 2
CHUNK_DAYS = 32
FULL_DAY = [(h, k) for h in range(24) for k in range(len(TYPES))]


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent, reproducible random stream for (seed, key...)."""
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))


@dataclass
class CellPlant:
    """One deliberately bad cell: where it goes, what rule gives its value, what was written."""

    day: date
    hour: int
    pollutant: str
    station: str
    kind: str
    value: float | None = None   # fixed numeric value, or None when the rule decides
    text: str = ""
    note: str = ""


@dataclass
class AirPlan:
    cells: list[CellPlant] = field(default_factory=list)
    missing_days: set[date] = field(default_factory=set)
    missing_hours: dict[date, list[int]] = field(default_factory=dict)
    truncated: dict[date, tuple[int, int]] = field(default_factory=dict)  # hour, rows kept
    duplicate: dict[date, tuple[int, int]] = field(default_factory=dict)  # hour, type index

    def rows(self, day: date) -> list[tuple[int, int]]:
        """The (hour, type) rows written in the day's file, in order."""
        gone = set(self.missing_hours.get(day, []))
        rows = [(h, k) for h, k in FULL_DAY if h not in gone]
        if day in self.truncated:
            hour, kept = self.truncated[day]
            rows = [(h, k) for h, k in rows if h != hour or k < kept]
        if day in self.duplicate:
            at = rows.index(self.duplicate[day])
            rows.insert(at + 1, rows[at])
        return rows

    def written(self, day: date, hour: int, type_index: int) -> bool:
        return day not in self.missing_days and (hour, type_index) in set(self.rows(day))


def plan_air(start: date, end: date, config: SampleConfig) -> AirPlan:
    """Place the planted problems at fixed fractions of the range (file-level ones need 20+ days).

    Cell plants go to configured stations only; a cell plant that would land in a row that is not
    written moves to the next day.
    """
    n_days = (end - start).days + 1
    def at(frac: float) -> date:
        return start + timedelta(days=round(frac * (n_days - 1)))

    central = [s.code for s in config.stations if s.city_assessment]
    county = [s.code for s in config.stations if not s.city_assessment and not s.is_background]
    plan = AirPlan()
    if n_days >= 20:
        plan.missing_hours[at(0.05)] = [13]
        plan.missing_hours[at(0.28)] = [2, 3]
        plan.missing_days.add(at(0.52))
        plan.missing_hours.setdefault(at(0.71), []).extend([20, 21, 22])
        plan.duplicate[at(0.75)] = (12, TYPE_INDEX["PM10"])
        plan.missing_hours.setdefault(at(0.86), []).extend(range(8, 24))
        plan.truncated[at(0.93)] = (23, 4)
    c0, c1 = central[0], central[min(1, len(central) - 1)]
    k1, k2 = county[min(1, len(county) - 1)], county[min(4, len(county) - 1)]
    cells = [
        CellPlant(at(0.12), 5, "pm25", k1, "negative", -3.0),
        CellPlant(at(0.57), 4, "so2", c1, "negative", -1.0),
        CellPlant(at(0.20), 3, "o3", c0, "non_numeric", None, "—"),
        CellPlant(at(0.66), 18, "no2", c1, "non_numeric", None, "—"),
        CellPlant(at(0.33), 14, "pm25", c0, "impossible_pm25_gt_pm10"),
        CellPlant(at(0.81), 9, "pm25", k2, "impossible_pm25_gt_pm10"),
    ]
    cells += [CellPlant(at(0.45), h, "co", k2, "co_in_ugm3") for h in (9, 10, 11)]
    stuck_start = datetime.combine(at(0.90), datetime.min.time()) + timedelta(hours=6)
    for i in range(24):
        ts = stuck_start + timedelta(hours=i)
        if ts.date() <= end:
            cells.append(CellPlant(ts.date(), ts.hour, "pm10", k1, "stuck_instrument_24h", 47.0,
                                   note="PM10 repeats 47 for 24 hours"))
    for cell in cells:
        while cell.kind != "stuck_instrument_24h" and cell.day < end and not plan.written(
                cell.day, cell.hour, TYPE_INDEX[HOURLY_TYPE[cell.pollutant]]):
            cell.day += timedelta(days=1)
    plan.cells = [c for c in cells if plan.written(c.day, c.hour,
                                                   TYPE_INDEX[HOURLY_TYPE[c.pollutant]])]
    return plan


@dataclass
class AirResult:
    files: int
    data_rows: int
    planted: list[dict]
    observed: dict[str, np.ndarray]  # configured stations, hours from start 00h, NaN = unseen
    station_codes: list[str]


def _edition_mask(grid0: date, k0: int, n: int) -> np.ndarray:
    """True for grid hours whose natural day (hour-ending) is on or after 2026-03-01."""
    first = datetime.combine(grid0, datetime.min.time()) + timedelta(hours=k0 - 1)
    switch = datetime.combine(EDITION_2026_FROM, datetime.min.time())
    offset = (switch - first) / timedelta(hours=1)
    return np.arange(n) >= offset


def _aqi(values: dict[str, np.ndarray], new: np.ndarray) -> np.ndarray:
    if new.all():
        return hourly_aqi(values, "2026")
    if not new.any():
        return hourly_aqi(values, "2012")
    old = hourly_aqi(values, "2012")
    return np.where(new[:, None], hourly_aqi(values, "2026"), old)


def _station_list_rows(config: SampleConfig, national: StationParams,
                       rng: np.random.Generator) -> list[tuple]:
    """Rows of the station list: benchmark stations (5 per made-up city), then configured ones."""
    n = national.size
    centres = rng.uniform([75.0, 20.0], [130.0, 48.0], size=(n // 5 + 1, 2))
    lonlat = centres[np.arange(n) // 5] + rng.normal(0.0, 0.05, size=(n, 2))  # ~10 km apart
    rows = [(c, f"合成站点{c}", f"合成城市{1 + i // 5:03d}", float(lonlat[i, 0]),
             float(lonlat[i, 1]), False) for i, c in enumerate(national.codes)]
    return rows + [(s.code, s.name, s.city, s.lon, s.lat, s.is_background)
                   for s in config.stations]


def _cells(published: dict[str, np.ndarray], derived: dict[str, np.ndarray], aqi: np.ndarray,
           overrides: dict[tuple[int, int, int], int]) -> np.ndarray:
    """Token codes (hours, 15 types, stations) of one chunk."""
    n, s = aqi.shape
    cells = np.zeros((n, len(TYPES), s), dtype=np.int32)
    cells[:, 0] = int_codes(aqi)
    for p in POLLUTANTS:
        cells[:, TYPE_INDEX[HOURLY_TYPE[p]]] = (co_codes if p == "co" else int_codes)(
            published[p])
    for t, v in derived.items():
        cells[:, TYPE_INDEX[t]] = (co_codes if t == "CO_24h" else int_codes)(v)
    for (i, k, j), code in overrides.items():
        cells[i, k, j] = code
    return cells


def write_air(out_dir: Path, config: SampleConfig, start: date, end: date,
              national_stations: int, seed: int,
              on_day: Callable[[date], None] | None = None) -> AirResult:
    """Write air/china_sites_*.csv and air/station_list.csv; return counts, plants, observed.

    on_day(day) is called once per day of start..end when that day is computed (progress)."""
    air_dir = out_dir / "air"
    air_dir.mkdir(parents=True, exist_ok=True)
    n_days = (end - start).days + 1
    grid0 = start - timedelta(days=SPINUP_DAYS)
    grid_days = n_days + SPINUP_DAYS
    sample = sample_station_params(config, stream(seed, 1))
    national = national_station_params(national_stations, stream(seed, 11))
    models = [(AirModel(sample, grid0, grid_days, stream(seed, 2), dust_events(config)),
               stream(seed, 3))]
    if national_stations:
        models.insert(0, (AirModel(national, grid0, grid_days, stream(seed, 12), []),
                          stream(seed, 13)))
    codes = national.codes + sample.codes
    n_nat = national.size
    column = {c: i for i, c in enumerate(codes)}
    plan = plan_air(start, end, config)
    write_station_list(air_dir / "station_list.csv",
                       _station_list_rows(config, national, stream(seed, 14)))

    observed = {p: np.full((n_days * 24, sample.size), np.nan) for p in POLLUTANTS}
    history = {p: np.full((HISTORY_HOURS, len(codes)), np.nan) for p in POLLUTANTS}
    planted: list[dict] = []
    files = rows_total = 0
    pending: list[tuple[date, str, Future]] = []

    def collect(jobs: list[tuple[date, str, Future]]) -> list[dict]:
        return [rec for day, name, job in jobs
                for rec in _plant_records(plan, day, job.result(), name)]

    # pyarrow's CSV writer releases the GIL: a chunk's files are written while the next computes
    with ThreadPoolExecutor(max_workers=1) as pool:
        for c0 in range(0, grid_days, CHUNK_DAYS):
            k0, n = c0 * 24, (min(c0 + CHUNK_DAYS, grid_days) - c0) * 24
            parts = []
            for model, miss_rng in models:
                rounded = round_published(model.chunk(k0, n), model.p.co_decimals)
                published = {p: v.copy() for p, v in rounded.items()}
                drop_missing(published, miss_rng)
                parts.append((rounded, published))
            rounded = {p: np.hstack([r[p] for r, _ in parts]) for p in POLLUTANTS}
            published = {p: np.hstack([q[p] for _, q in parts]) for p in POLLUTANTS}
            overrides = _apply_plants(plan, grid0, k0, n, column, rounded, published)

            full = {p: np.vstack([history[p], published[p]]) for p in POLLUTANTS}
            first_hour = (k0 - HISTORY_HOURS) % 24
            derived = {t: v[HISTORY_HOURS:] for t, v in derived_rows(full, first_hour).items()}
            history = {p: v[-HISTORY_HOURS:] for p, v in full.items()}
            aqi = _aqi({**published, "o3_8h": derived["O3_8h"]}, _edition_mask(grid0, k0, n))
            cells = _cells(published, derived, aqi, overrides)

            planted += collect(pending)
            pending = []
            for d in range(n // 24):
                day = grid0 + timedelta(days=c0 + d)
                if not start <= day <= end:
                    continue
                written = np.zeros((24, len(TYPES)), dtype=bool)
                if day not in plan.missing_days:
                    rows = plan.rows(day)
                    path = air_dir / f"china_sites_{day:%Y%m%d}.csv"
                    job = pool.submit(write_day_file, path, day, codes,
                                      cells[d * 24:(d + 1) * 24], rows)
                    pending.append((day, path.name, job))
                    files += 1
                    rows_total += len(rows)
                    for h, k in rows:
                        written[h, k] = True
                at = (day - start).days * 24
                for p in POLLUTANTS:  # what a reader of the files sees
                    vals = published[p][d * 24:(d + 1) * 24, n_nat:].copy()
                    vals[~written[:, TYPE_INDEX[HOURLY_TYPE[p]]]] = np.nan
                    observed[p][at:at + 24] = vals
                if on_day:
                    on_day(day)
        planted += collect(pending)
    for cell in plan.cells:  # planted cells are not observations
        i = (cell.day - start).days * 24 + cell.hour
        observed[cell.pollutant][i, column[cell.station] - n_nat] = np.nan
    planted += _file_records(plan)
    return AirResult(files, rows_total, planted, observed, sample.codes)


def _apply_plants(plan: AirPlan, grid0: date, k0: int, n: int, column: dict[str, int],
                  rounded: dict[str, np.ndarray],
                  published: dict[str, np.ndarray]) -> dict[tuple[int, int, int], int]:
    """Put the planted values into the published arrays; return token overrides by cell."""
    overrides: dict[tuple[int, int, int], int] = {}
    for cell in plan.cells:
        i = (cell.day - grid0).days * 24 + cell.hour - k0
        if not 0 <= i < n:
            continue
        j = column[cell.station]
        k = TYPE_INDEX[HOURLY_TYPE[cell.pollutant]]
        if cell.kind == "non_numeric":
            published[cell.pollutant][i, j] = np.nan
            overrides[(i, k, j)] = special_code(cell.text)
            continue
        if cell.kind == "impossible_pm25_gt_pm10":
            pm10 = rounded["pm10"][i, j]
            published["pm10"][i, j] = pm10
            value = float(pm10 + 60)
        elif cell.kind == "co_in_ugm3":
            value = float(np.floor(rounded["co"][i, j] * 1000 + 0.5))
        else:
            value = float(cell.value)
        published[cell.pollutant][i, j] = value
        cell.text = str(int(value))
        overrides[(i, k, j)] = int_code(int(value))
    return overrides


def _plant_records(plan: AirPlan, day: date, lines: dict, name: str) -> list[dict]:
    out = []
    for cell in plan.cells:
        if cell.day == day:
            k = TYPE_INDEX[HOURLY_TYPE[cell.pollutant]]
            out.append({"file": f"air/{name}", "line": lines[(cell.hour, k)][0],
                        "column": cell.station, "kind": cell.kind, "value": cell.text,
                        "hour": cell.hour, "type": TYPES[k], "note": cell.note})
    if day in plan.duplicate:
        first, second = lines[plan.duplicate[day]][:2]
        out.append({"file": f"air/{name}", "line": second, "column": None,
                    "kind": "duplicate_row", "value": None, "hour": plan.duplicate[day][0],
                    "type": TYPES[plan.duplicate[day][1]],
                    "note": f"exact repeat of line {first}"})
    if day in plan.truncated:
        hour, kept = plan.truncated[day]
        last = max(v[-1] for v in lines.values())
        out.append({"file": f"air/{name}", "line": last, "column": None,
                    "kind": "truncated_hour", "value": None, "hour": hour, "type": None,
                    "note": f"hour {hour} has only its first {kept} of 15 type rows"})
    return out


def _file_records(plan: AirPlan) -> list[dict]:
    out = []
    for day in sorted(plan.missing_days):
        out.append({"file": f"air/china_sites_{day:%Y%m%d}.csv", "line": None, "column": None,
                    "kind": "missing_day", "value": None, "hour": None, "type": None,
                    "note": "no file for this day"})
    for day, hours in sorted(plan.missing_hours.items()):
        for hour in hours:
            out.append({"file": f"air/china_sites_{day:%Y%m%d}.csv", "line": None,
                        "column": None, "kind": "missing_hours", "value": None, "hour": hour,
                        "type": None, "note": "all 15 rows of this hour are absent"})
    return out
