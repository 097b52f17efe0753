"""Reading the bureau's configuration (data/config/*.csv) for the synthetic-sample generator."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "data" / "config"

REGION_COLUMNS = ("region_code", "name", "name_en", "level", "parent_code")
STATION_COLUMNS = ("station_code", "station_name", "region_code", "city", "lon", "lat",
                   "is_background", "city_assessment")
SECTION_COLUMNS = ("section_code", "section_name", "province", "river", "basin", "water_type",
                   "region_code", "control_level", "target_class", "is_drinking_source")
DUST_COLUMNS = ("region_code", "date", "note")


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    region_code: str
    city: str
    lon: float
    lat: float
    is_background: bool
    city_assessment: bool


@dataclass(frozen=True)
class Section:
    code: str
    name: str
    province: str
    river: str
    basin: str
    water_type: str
    region_code: str
    control_level: str
    target_class: int
    is_drinking_source: bool


@dataclass(frozen=True)
class SampleConfig:
    regions: dict[str, dict[str, str]]   # region_code -> row
    stations: list[Station]
    sections: list[Section]
    dust_days: list[tuple[str, date]]    # (region_code, date)

    def city_of(self, region_code: str) -> str:
        """The city-level code a county (or the city itself) belongs to."""
        row = self.regions.get(region_code)
        if row is None or row["level"] != "county":
            return region_code
        return row["parent_code"]

    def dust_dates_for(self, station: Station) -> list[date]:
        codes = {station.region_code, self.city_of(station.region_code)}
        return sorted({d for code, d in self.dust_days if code in codes})


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise ValueError(f"{path}: expected columns {','.join(columns)}")
        return [dict(row) for row in reader]


def _flag(value: str, path: Path) -> bool:
    if value not in ("Y", "N"):
        raise ValueError(f"{path}: flag must be Y or N, got {value!r}")
    return value == "Y"


def read_config(config_dir: Path) -> SampleConfig:
    """Read and check regions, stations, water sections and dust days."""
    regions = {r["region_code"]: r for r in _read(config_dir / "regions.csv", REGION_COLUMNS)}
    path = config_dir / "stations.csv"
    stations = [
        Station(r["station_code"], r["station_name"], r["region_code"], r["city"],
                float(r["lon"]), float(r["lat"]), _flag(r["is_background"], path),
                _flag(r["city_assessment"], path))
        for r in _read(path, STATION_COLUMNS)
    ]
    path = config_dir / "water_sections.csv"
    sections = [
        Section(r["section_code"], r["section_name"], r["province"], r["river"], r["basin"],
                r["water_type"], r["region_code"], r["control_level"], int(r["target_class"]),
                _flag(r["is_drinking_source"], path))
        for r in _read(path, SECTION_COLUMNS)
    ]
    dust = [(r["region_code"], date.fromisoformat(r["date"]))
            for r in _read(config_dir / "dust_days.csv", DUST_COLUMNS)]
    for s in stations:
        if s.region_code not in regions:
            raise ValueError(f"stations.csv: {s.code} has unknown region {s.region_code}")
    for sec in sections:
        if sec.region_code not in regions or sec.water_type not in ("river", "lake"):
            raise ValueError(f"water_sections.csv: bad region or water_type for {sec.code}")
    if len({s.code for s in stations}) != len(stations):
        raise ValueError("stations.csv: duplicate station_code")
    return SampleConfig(regions, stations, sections, dust)
