"""Synthetic hourly air-pollutant series for the bundled sample (a seeded statistical model).

Every value is SYNTHETIC. The model multiplies a station level by a seasonal cycle, a
heating-season boost, a city-wide day-to-day weather driver (AR(1), shared by the stations of
a city, mildly correlated between cities), a diurnal profile and a station-local AR(1) noise;
it adds Spring-Festival fireworks, sand-dust episodes on the bureau's dust days and a
photochemical ozone term that peaks in summer afternoons. Times are hour-ending CST: file day
D, hour h covers (D+h-1h, D+h].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from transforms.pollutants import POLLUTANTS

# 春节 (first day of the lunar year); 除夕 is the day before, 元宵 is 14 days after.
SPRING_FESTIVAL = {
    2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
    2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}

# Diurnal profiles by hour-ending h (0..23, hour 0 = 23:00-24:00), normalised to mean 1.
_PM_DIURNAL = np.array([1.12, 1.13, 1.12, 1.10, 1.06, 1.02, 1.00, 1.03, 1.09, 1.12, 1.08, 1.00,
                        0.91, 0.84, 0.79, 0.77, 0.79, 0.85, 0.93, 1.01, 1.08, 1.12, 1.13, 1.12])
_NO2_DIURNAL = np.array([1.08, 1.02, 0.96, 0.91, 0.88, 0.89, 0.97, 1.12, 1.25, 1.22, 1.07, 0.92,
                         0.81, 0.75, 0.72, 0.74, 0.81, 0.94, 1.10, 1.21, 1.24, 1.20, 1.14, 1.10])
_SO2_DIURNAL = np.array([0.95, 0.93, 0.91, 0.90, 0.90, 0.91, 0.94, 0.99, 1.06, 1.13, 1.17, 1.16,
                         1.12, 1.07, 1.03, 1.00, 0.98, 0.98, 0.99, 1.00, 1.00, 0.99, 0.98, 0.96])
PM_DIURNAL = _PM_DIURNAL / _PM_DIURNAL.mean()
NO2_DIURNAL = _NO2_DIURNAL / _NO2_DIURNAL.mean()
SO2_DIURNAL = _SO2_DIURNAL / _SO2_DIURNAL.mean()
# Photochemical O3 shape: afternoon peak at hour-ending 15 (14:00-15:00).
O3_SUN = np.exp(-0.5 * ((np.arange(24) - 15.0) / 3.3) ** 2)
O3_NIGHT = np.array([0.80, 0.76, 0.72, 0.69, 0.66, 0.64, 0.62, 0.64, 0.72, 0.84, 0.96, 1.06,
                     1.14, 1.20, 1.24, 1.25, 1.23, 1.18, 1.10, 1.02, 0.95, 0.90, 0.86, 0.83])


@dataclass
class StationParams:
    """Per-station model parameters (arrays aligned with codes) and city-driver groups."""

    codes: list[str]
    group: np.ndarray        # index of the city weather driver the station follows
    pm25: np.ndarray         # PM2.5 level (µg/m³) at seasonal factor 1
    season_amp: np.ndarray   # PM seasonal amplitude (winter peak, summer trough)
    heating: np.ndarray      # extra PM/SO2/CO factor in the heating season (Nov-Mar)
    coarse: np.ndarray       # PM10 - PM2.5 coarse part (µg/m³)
    no2: np.ndarray
    so2: np.ndarray
    o3_photo: np.ndarray     # photochemical O3 amplitude at the summer peak (µg/m³)
    o3_bg: np.ndarray        # background O3 (µg/m³)
    fireworks: np.ndarray    # PM2.5 added at the peak of 除夕 night (µg/m³)
    co_decimals: np.ndarray  # 1 or 2 decimals for CO
    year_factor: dict[int, np.ndarray]  # PM/CO/SO2 multiplier by calendar year
    group_sd_winter: np.ndarray  # per group: sd of log weather driver in winter
    group_sd_summer: np.ndarray  # per group: and in summer

    @property
    def size(self) -> int:
        return len(self.codes)


def _day_numbers(first_day: date, n_hours: int, k0: int) -> tuple[np.ndarray, np.ndarray]:
    """Fractional ordinal (mid-hour) and hour-of-day for grid hours k0..k0+n_hours-1."""
    k = np.arange(k0, k0 + n_hours)
    hour = k % 24
    ordinal = first_day.toordinal() + k / 24.0 - 0.5 / 24.0
    return ordinal, hour


def _season(ordinal: np.ndarray, peak: tuple[int, int]) -> np.ndarray:
    """cos cycle equal to +1 on the given (month, day) every year."""
    ref = date(2000, *peak).toordinal()
    return np.cos(2 * np.pi * (ordinal - ref) / 365.2425)


def _heating_indicator(ordinal: np.ndarray) -> np.ndarray:
    """1 from 1 Nov to 31 Mar, 0 in summer, with 12-day ramps (北方集中供暖期)."""
    days = np.floor(ordinal).astype(np.int64)
    dates = np.datetime64("0001-01-01") + (days - 1).astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]")
    doy = (dates - years.astype("datetime64[D]")).astype(np.int64)  # 0 = 1 Jan
    end = 90 - doy   # ~31 Mar
    start = doy - 304  # ~1 Nov
    return np.clip(np.maximum(end / 12.0, start / 12.0 + 1.0), 0.0, 1.0)


def _years(ordinal: np.ndarray) -> np.ndarray:
    days = np.floor(ordinal).astype(np.int64)
    dates = np.datetime64("0001-01-01") + (days - 1).astype("timedelta64[D]")
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def fireworks_shape(first_day: date, n_hours: int, k0: int) -> np.ndarray:
    """0..1 intensity of festival fireworks by grid hour: 除夕 night, 初一 evening, 元宵 night."""
    k = np.arange(k0, k0 + n_hours)
    t = first_day.toordinal() * 24.0 + k  # hour-ending, in hours
    out = np.zeros(n_hours)
    for sf in SPRING_FESTIVAL.values():
        eve = (sf.toordinal() - 1) * 24.0
        x = t - eve
        out += np.where((x > 16) & (x < 36), np.exp(-0.5 * ((x - 24.5) / 2.3) ** 2), 0.0)
        x1 = t - sf.toordinal() * 24.0
        out += np.where((x1 > 17) & (x1 < 27), 0.25 * np.exp(-0.5 * ((x1 - 21.0) / 1.8) ** 2), 0)
        xl = t - (sf.toordinal() + 14) * 24.0
        out += np.where((xl > 17) & (xl < 28), 0.4 * np.exp(-0.5 * ((xl - 21.5) / 1.8) ** 2), 0)
    return out


def dust_shape(first_day: date, n_hours: int, k0: int, dust_dates: list[date]) -> np.ndarray:
    """0..1 sand-dust intensity by grid hour: onset mid-morning, peak afternoon, slow decay."""
    k = np.arange(k0, k0 + n_hours)
    t = first_day.toordinal() * 24.0 + k
    out = np.zeros(n_hours)
    for d in dust_dates:
        x = t - d.toordinal() * 24.0
        rise = np.clip((x - 8.0) / 7.0, 0.0, 1.0)
        decay = np.exp(-np.clip(x - 21.0, 0.0, 60.0) / 6.0)
        out = np.maximum(out, np.where((x > 8) & (x < 48), rise * decay, 0.0))
    return out


def weather_drivers(rng: np.random.Generator, n_days: int, n_groups: int,
                    correlation: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """Daily standard-normal AR(1) drivers (stagnation for PM, sunshine for O3), per group."""
    common = rng.standard_normal((n_days, 2))
    own = rng.standard_normal((n_days, n_groups, 2))
    shocks = correlation * common[:, None, :] + np.sqrt(1 - correlation**2) * own
    phi = np.array([0.72, 0.6])
    z = np.empty_like(shocks)
    z[0] = shocks[0]
    for i in range(1, n_days):
        z[i] = phi * z[i - 1] + np.sqrt(1 - phi**2) * shocks[i]
    # O3 sunshine partly follows stagnation (anticyclonic days are calm and sunny)
    sun = 0.35 * z[..., 0] + np.sqrt(1 - 0.35**2) * z[..., 1]
    return z[..., 0], sun


def _hourly_from_daily(daily: np.ndarray, k0: int, n_hours: int) -> np.ndarray:
    """Linear interpolation of daily (noon) values to grid hours k0..k0+n-1 -> (n, groups)."""
    x = (np.arange(k0, k0 + n_hours) - 12.0) / 24.0
    i0 = np.clip(np.floor(x).astype(np.int64), 0, len(daily) - 2)
    w = np.clip(x - i0, 0.0, 1.0)[:, None]
    return daily[i0] * (1 - w) + daily[i0 + 1] * w


class AirModel:
    """Hour-by-hour generator over a day grid; call chunk() on consecutive hour ranges."""

    def __init__(self, params: StationParams, first_day: date, n_days: int,
                 rng: np.random.Generator, dust_events: list[tuple[date, np.ndarray]]) -> None:
        self.p = params
        self.first_day = first_day
        self.rng = rng
        n_groups = int(params.group.max()) + 1 if params.size else 0
        self.stagnation, self.sunshine = weather_drivers(rng, n_days + 2, n_groups)
        self.dust_events = dust_events  # (date, bool mask of the stations it hits)
        self.dust_peak = rng.uniform(550.0, 950.0, size=len(dust_events))
        s = params.size
        self.local = rng.standard_normal(s) * 0.22
        self.local_o3 = rng.standard_normal(s) * 0.12

    def chunk(self, k0: int, n: int) -> dict[str, np.ndarray]:
        """True (unrounded) hourly values for grid hours k0..k0+n-1, each (n, stations)."""
        p, rng = self.p, self.rng
        s = p.size
        ordinal, hour = _day_numbers(self.first_day, n, k0)
        winter = _season(ordinal, (1, 10))[:, None]        # +1 early January
        # sharp winter peak (Dec-Jan), quick fall in March, mean over the year ~1
        pm_season = (1 - p.season_amp) + p.season_amp * 2.667 * ((1 + winter) / 2) ** 2
        summer = _season(ordinal, (6, 25))[:, None]        # +1 late June
        spring = np.clip(_season(ordinal, (4, 5)), 0, None)[:, None]
        heat = _heating_indicator(ordinal)[:, None]
        years = _years(ordinal)
        year_factor = np.ones((n, s))
        for year, factor in p.year_factor.items():
            year_factor[years == year] = factor

        sd = (p.group_sd_summer + (p.group_sd_winter - p.group_sd_summer)
              * (1 + winter) / 2)[:, p.group]                      # (n, s)
        z_m = _hourly_from_daily(self.stagnation, k0, n)[:, p.group]
        z_w = _hourly_from_daily(self.sunshine, k0, n)[:, p.group]
        stagnation = np.exp(sd * z_m - sd**2 / 2)
        sunshine = np.exp(0.24 * z_w - 0.24**2 / 2)

        local = np.empty((n, s))
        local_o3 = np.empty((n, s))
        eps = rng.standard_normal((n, s, 2))
        a, b = 0.9, np.sqrt(1 - 0.9**2)
        for i in range(n):
            self.local = a * self.local + b * 0.22 * eps[i, :, 0]
            self.local_o3 = 0.85 * self.local_o3 + np.sqrt(1 - 0.85**2) * 0.12 * eps[i, :, 1]
            local[i] = self.local
            local_o3[i] = self.local_o3
        white = np.exp(rng.standard_normal((n, s, 5)) * 0.07)

        fw = fireworks_shape(self.first_day, n, k0)[:, None] * p.fireworks
        dust = np.zeros((n, s))
        for (d, mask), peak in zip(self.dust_events, self.dust_peak, strict=True):
            shape = dust_shape(self.first_day, n, k0, [d])
            if shape.any():
                dust = np.maximum(dust, shape[:, None] * (peak * mask))
        dust = dust * white[..., 4]

        pm_level = p.pm25 * year_factor * pm_season * (1 + p.heating * heat)
        pm25_clean = (pm_level * stagnation * PM_DIURNAL[hour][:, None] * np.exp(local)
                      * white[..., 0])
        fine_ratio = 0.74 + 0.06 * winter - 0.06 * spring   # PM2.5 / PM10 without coarse dust
        coarse = p.coarse * (1 + 0.6 * spring) * np.sqrt(stagnation) * white[..., 1]
        pm25 = pm25_clean + fw + 0.18 * dust
        pm10 = pm25_clean / fine_ratio + coarse + 1.25 * fw + dust
        so2 = (p.so2 * year_factor * (1 + 0.3 * winter) * (1 + 1.2 * p.heating * heat)
               * stagnation**0.5 * SO2_DIURNAL[hour][:, None] * np.exp(0.6 * local)
               * white[..., 2] + 0.12 * fw)
        no2 = (p.no2 * (1 + 0.3 * winter) * stagnation**0.6 * NO2_DIURNAL[hour][:, None]
               * np.exp(0.8 * local) * white[..., 3])
        co = (0.32 + 0.0105 * pm25_clean) * (1 + 0.3 * p.heating * heat) + 0.004 * fw
        photo = np.clip((1 + summer) / 2, 0.1, None) ** 1.3
        bg = p.o3_bg * (0.65 + 0.35 * (1 + summer) / 2)
        o3 = ((bg * O3_NIGHT[hour][:, None] + p.o3_photo * photo * sunshine
               * O3_SUN[hour][:, None]) * np.exp(local_o3 - 0.25 * local))
        return {"pm25": pm25, "pm10": pm10, "so2": so2, "no2": no2, "co": co, "o3": o3}


def round_published(values: dict[str, np.ndarray],
                    co_decimals: np.ndarray) -> dict[str, np.ndarray]:
    """Values as a monitoring platform publishes them: integers (half up), CO 1 or 2 decimals."""
    out = {}
    for name, v in values.items():
        if name == "co":
            hundredths = np.floor(v * 100 + 0.5)
            tenths = np.floor(v * 10 + 0.5) * 10
            out[name] = np.maximum(np.where(co_decimals == 2, hundredths, tenths), 10) / 100
        else:
            out[name] = np.maximum(np.floor(v + 0.5), 2.0 if name in ("so2", "no2") else 1.0)
    return out


def drop_missing(values: dict[str, np.ndarray], rng: np.random.Generator,
                 outage_rate: float = 0.0025, gap_rate: float = 0.004) -> None:
    """Blank station outages (all pollutants, a few hours) and single-pollutant gaps in place."""
    n, s = values["pm25"].shape
    starts = np.argwhere(rng.random((n, s)) < outage_rate)
    lengths = rng.geometric(0.3, size=len(starts))
    station_gap = np.zeros((n, s), dtype=bool)
    for (i, j), length in zip(starts, lengths, strict=True):
        station_gap[i : i + length, j] = True
    for name in POLLUTANTS:
        gap = station_gap | (rng.random((n, s)) < gap_rate)
        values[name][gap] = np.nan
