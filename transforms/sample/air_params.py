"""Parameters of the synthetic air model: the two modelled cities, their counties, and a cheap
random parameter set for the national benchmark columns.

The numbers are tuning knobs chosen so that the sample tells the story the reports must show
(安康市 at risk on good days and close to its PM2.5 target in 2026, 平凉市 off track on PM10,
旬阳市 having lost its good-days target); they are not measurements.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from transforms.sample.air import StationParams
from transforms.sample.config import SampleConfig

# City-level levels (µg/m³) keyed by city region code; other cities get DEFAULT_CITY.
CITY_MODELS: dict[str, dict[str, float]] = {
    "610900": dict(pm25=38.0, season_amp=0.35, heating=0.10, coarse=9.0, no2=22.0, so2=6.0,
                   o3_photo=108.0, o3_bg=44.0, fireworks=260.0, sd_winter=0.42,
                   sd_summer=0.28),
    "620800": dict(pm25=22.0, season_amp=0.30, heating=0.55, coarse=22.0, no2=20.0, so2=8.0,
                   o3_photo=108.0, o3_bg=52.0, fireworks=230.0, sd_winter=0.55,
                   sd_summer=0.26),
}
DEFAULT_CITY = dict(pm25=22.0, season_amp=0.45, heating=0.25, coarse=14.0, no2=22.0, so2=8.0,
                    o3_photo=125.0, o3_bg=45.0, fireworks=240.0, sd_winter=0.45,
                    sd_summer=0.25)

# PM multiplier of a county's station relative to its city's level.
COUNTY_FACTORS: dict[str, float] = {
    "610921": 0.92, "610922": 0.85, "610923": 0.70, "610924": 0.86, "610925": 0.78,
    "610926": 0.84, "610927": 0.68, "610929": 0.93, "610981": 1.22,
    "620821": 1.02, "620822": 0.92, "620823": 0.90, "620825": 0.95, "620826": 1.04,
    "620881": 1.08,
}
# Year multipliers of PM, SO2 and CO, by city or county code (a county's applies on top).
YEAR_FACTORS: dict[str, dict[int, float]] = {
    "610900": {2024: 1.00, 2025: 0.97, 2026: 1.01},
    "620800": {2024: 1.00, 2025: 0.98, 2026: 0.93},
    "610981": {2026: 1.10},
}


def sample_station_params(config: SampleConfig, rng: np.random.Generator) -> StationParams:
    """Parameters of the configured stations (one weather driver per city)."""
    stations = config.stations
    cities = list(dict.fromkeys(config.city_of(s.region_code) for s in stations))
    rows = []
    years = sorted({y for f in YEAR_FACTORS.values() for y in f})
    year_factor = {y: np.ones(len(stations)) for y in years}
    for j, s in enumerate(stations):
        city = config.city_of(s.region_code)
        model = CITY_MODELS.get(city, DEFAULT_CITY)
        jitter = float(np.exp(rng.normal(0.0, 0.05)))
        if s.is_background:
            pm, no2, o3, fw = 0.55, 0.45, 1.10, 0.35
        elif s.city_assessment:
            pm, no2, o3, fw = jitter, jitter, 1.0, 0.75
        else:
            pm = COUNTY_FACTORS.get(s.region_code, float(rng.uniform(0.8, 1.05))) * jitter
            no2, o3, fw = 0.8 * jitter, 0.97, 1.15
        rows.append((cities.index(city), model["pm25"] * pm, model["season_amp"],
                     model["heating"], model["coarse"] * (0.9 + 0.2 * pm), model["no2"] * no2,
                     model["so2"] * pm, model["o3_photo"] * o3, model["o3_bg"] * o3,
                     model["fireworks"] * fw, 2 if j % 5 == 2 else 1))
        for code in (city, s.region_code):
            for y, f in YEAR_FACTORS.get(code, {}).items():
                year_factor[y][j] *= f
    cols = list(zip(*rows, strict=True))
    models = [CITY_MODELS.get(c, DEFAULT_CITY) for c in cities]
    return StationParams(
        codes=[s.code for s in stations],
        group=np.array(cols[0], dtype=np.int64),
        pm25=np.array(cols[1]), season_amp=np.array(cols[2]), heating=np.array(cols[3]),
        coarse=np.array(cols[4]), no2=np.array(cols[5]), so2=np.array(cols[6]),
        o3_photo=np.array(cols[7]), o3_bg=np.array(cols[8]), fireworks=np.array(cols[9]),
        co_decimals=np.array(cols[10]),
        year_factor=year_factor,
        group_sd_winter=np.array([m["sd_winter"] for m in models]),
        group_sd_summer=np.array([m["sd_summer"] for m in models]),
    )


def dust_events(config: SampleConfig) -> list[tuple[date, np.ndarray]]:
    """The bureau's dust days as (date, mask of the configured stations in that region)."""
    dates = sorted({d for _, d in config.dust_days})
    return [(d, np.array([d in config.dust_dates_for(s) for s in config.stations]))
            for d in dates]


def national_station_params(n: int, rng: np.random.Generator) -> StationParams:
    """A cheap random parameter set for n benchmark stations, codes 1001A upward, 5 per city."""
    group = np.arange(n) // 5
    n_groups = int(group[-1]) + 1 if n else 0
    city_pm = rng.lognormal(np.log(30.0), 0.35, n_groups)
    city_heat = rng.uniform(0.0, 0.7, n_groups)
    station = rng.lognormal(0.0, 0.12, n)
    return StationParams(
        codes=[f"{1001 + i}A" for i in range(n)],
        group=group,
        pm25=city_pm[group] * station * 0.8,
        season_amp=rng.uniform(0.25, 0.65, n_groups)[group],
        heating=city_heat[group],
        coarse=rng.uniform(8.0, 30.0, n),
        no2=rng.uniform(14.0, 40.0, n),
        so2=rng.uniform(4.0, 18.0, n),
        o3_photo=rng.uniform(100.0, 160.0, n_groups)[group],
        o3_bg=rng.uniform(35.0, 55.0, n),
        fireworks=rng.uniform(80.0, 260.0, n),
        co_decimals=np.where(rng.random(n) < 0.2, 2, 1),
        year_factor={},
        group_sd_winter=np.full(n_groups, 0.45),
        group_sd_summer=np.full(n_groups, 0.25),
    )
