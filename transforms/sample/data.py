"""`envq sample`: a deterministic synthetic data set in the real raw formats.

write_sample() reads the bureau's configuration (data/config: stations, water sections, dust
days) and writes, under out_dir, CNEMC china_sites daily files and a GBK station list (air/),
national automatic surface-water exports (water/), monthly laboratory results
(water_manual/), a README.md stating that every value is synthetic, and PLANTED.json listing
every deliberately bad value or oddity with its file, line and column. The same arguments give
byte-identical files: all randomness comes from numpy SeedSequence streams keyed by integers,
never from the clock or from hash() of strings.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from transforms.sample.air_files import stream, write_air
from transforms.sample.config import DEFAULT_CONFIG_DIR, SampleConfig, read_config
from transforms.sample.ledger import write_ledger
from transforms.sample.summary import sample_figures
from transforms.sample.water import (
    SectionSeries,
    single_sample_class,
    write_auto,
    write_manual,
)

GENERATED = ("air", "water", "water_manual", "ledger", "README.md", "PLANTED.json")
MAX_NATIONAL_STATIONS = 7000  # codes 1001A..8000A stay clear of the sample's 9001A..


def _check_args(start: date, end: date, national_stations: int | None, seed: int) -> int:
    """Validate the arguments before any file is touched; return the national station count."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    n = national_stations or 0
    if not 0 <= n <= MAX_NATIONAL_STATIONS:
        raise ValueError(f"national_stations must be 0..{MAX_NATIONAL_STATIONS}, got {n}")
    if seed < 0:
        raise ValueError("seed must be >= 0")
    return n


def _prepare(out_dir: Path) -> None:
    """Remove a previous sample in out_dir; refuse to mix with files that are not a sample."""
    out_dir.mkdir(parents=True, exist_ok=True)
    present = [name for name in GENERATED if (out_dir / name).exists()]
    if present and not (out_dir / "PLANTED.json").exists():
        raise ValueError(f"{out_dir} holds {', '.join(present)} but no PLANTED.json: "
                         "not a sample directory, refusing to overwrite")
    for name in present:
        path = out_dir / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def write_sample(out_dir: Path, start: date = date(2024, 1, 1), end: date = date(2026, 10, 31),
                 national_stations: int | None = None, seed: int = 20240101,
                 config_dir: Path = DEFAULT_CONFIG_DIR,
                 on_day: Callable[[date], None] | None = None) -> dict:
    """Write the synthetic sample for start..end (inclusive); return its manifest.

    national_stations=N adds N benchmark columns (codes 1001A upward, a cheaper random model)
    to every china_sites file; the configured stations' values do not change with N.
    on_day(day) is called as each day's air values are computed (progress of long samples).
    """
    n_national = _check_args(start, end, national_stations, seed)
    out_dir = Path(out_dir)
    config = read_config(Path(config_dir))
    _prepare(out_dir)

    def seed_stream(*key: int) -> np.random.Generator:
        return stream(seed, *key)

    air = write_air(out_dir, config, start, end, n_national, seed, on_day)
    w_files, w_rows, w_planted, series = write_auto(out_dir, config, start, end, seed_stream)
    m_files, m_rows, m_planted = write_manual(out_dir, config, start, end, series, seed_stream)
    l_files, l_rows, l_planted = write_ledger(out_dir, config, end, seed_stream(900))
    planted = air.planted + w_planted + m_planted + l_planted
    figures = sample_figures(config, air.observed, start, end)
    water_classes = _water_classes(config, series)
    manifest = {
        "out_dir": str(out_dir), "start": start.isoformat(), "end": end.isoformat(),
        "seed": seed, "national_stations": n_national,
        "files": {"air": air.files, "station_list": 1, "water": w_files,
                  "water_manual": m_files, "ledger": l_files, "readme": 1, "planted": 1},
        "n_files": air.files + w_files + m_files + l_files + 3,
        "rows": {"air": air.data_rows, "water": w_rows, "water_manual": m_rows,
                 "ledger": l_rows},
        "planted": planted,
        "planted_counts": dict(sorted(Counter(p["kind"] for p in planted).items())),
        "figures": figures,
        "water_classes": water_classes,
    }
    (out_dir / "PLANTED.json").write_text(
        json.dumps(planted, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out_dir / "README.md").write_text(_readme(manifest, config), encoding="utf-8")
    return manifest


def _water_classes(config: SampleConfig, series: dict[str, SectionSeries]) -> dict:
    """Approximate annual class per section (annual means of the simulated auto items)."""
    out: dict[str, dict[int, int]] = {}
    for sec in config.sections:
        s = series[sec.code]
        years = np.array([t.year for t in s.times])
        out[sec.code] = {}
        for y in sorted(set(years.tolist())):
            sel = years == y
            means = [float(np.mean(s.values[k][sel])) for k in ("ph", "do", "codmn", "nh3n",
                                                                 "tp")]
            out[sec.code][int(y)] = single_sample_class(*means, sec.water_type == "lake")
    return out


def _readme(m: dict, config: SampleConfig) -> str:
    names = {code: row["name"] for code, row in config.regions.items()}
    start, end = date.fromisoformat(m["start"]), date.fromisoformat(m["end"])
    lines = [
        "# envq synthetic sample: EVERY VALUE IN THESE FILES IS SYNTHETIC",
        "",
        "Nothing here is a measurement. The files imitate the layouts of real public data",
        "(CNEMC china_sites daily files, the CNEMC station list, the national automatic",
        "surface-water export, a monthly laboratory table) so that envq can be run and tested",
        "end to end. Station codes 9001A.. and section codes WQ........ are made up and never",
        "collide with real national codes; benchmark columns 1001A.. are random, not real.",
        "",
        f"Generated by `transforms.sample.data.write_sample(start={start}, end={end}, "
        f"seed={m['seed']}, national_stations={m['national_stations']})`.",
        "Same arguments -> byte-identical files (numpy SeedSequence streams keyed by integers).",
        "",
        "## Files",
        "",
        f"- `air/china_sites_YYYYMMDD.csv`: {m['files']['air']} daily files, "
        f"{m['rows']['air']} data rows. Header `date,hour,type,<codes>`, 15 type rows per",
        "  hour, empty = missing, CRLF, no final newline. Derived rows as the real 2019 files",
        "  show them: X_24h = mean of hours h-23..h (>= 20 values), O3_8h = mean of h-7..h",
        "  (>= 6), O3_24h = max 1-h O3 of h-23..h, O3_8h_24h = running max of O3_8h within",
        "  the natural day (hours 01..h; hour 0 closes the previous day); means rounded half",
        "  to even (CO_24h to 0.1). AQI = real-time hourly AQI by transforms.air.aqi (HJ 633-2012;",
        "  HJ 633-2026 from 2026-03-01), informational.",
        "- `air/station_list.csv`: GBK, `监测点编码,监测点名称,城市,经度,纬度,对照点`.",
        "- `water/<省份>/<流域>/<断面名称>/<YYYY-MM>/<断面名称>.csv`: "
        f"{m['files']['water']} files,",
        f"  {m['rows']['water']} rows, 4-hourly, 监测时间 `MM-DD HH:MM` without a year (the",
        "  year is the folder's), 水质类别 = single-sample class of pH, DO, CODMn, NH3-N, TP",
        "  (GB 3838-2002; lake TP limits for lakes), `*` = not published, `--` = not measured.",
        f"- `water_manual/manual_water_YYYY.csv`: {m['rows']['water_manual']} rows, UTF-8 with",
        "  BOM, one sample per section per month, GB 3838 Table 1 items; `0.00004L` = below",
        "  the detection limit 0.00004.",
        f"- `ledger/整改台账_YYYYMMDD.xlsx|.csv`: {m['rows']['ledger']} rows, two snapshots of one",
        "  rectification ledger (督察整改台账): a workbook with a merged title row, then a GBK",
        "  CSV at the sample's end (transforms/sample/ledger.py).",
        "- `PLANTED.json`: every planted problem: file, line (1-based, header = 1), column,",
        "  kind, value as written.",
        "",
        "## Models",
        "",
        "Air (transforms/sample/air.py, sample_air_params.py): station level x sharp winter",
        "season x heating-season boost (stronger in 平凉) x city weather driver (daily AR(1),",
        "shared by a city's stations, mildly correlated between cities) x diurnal profile x",
        "station AR(1) noise; Spring-Festival fireworks on 除夕 night, 初一 evening and 元宵",
        "(2024-02-09, 2025-01-28, 2026-02-16 eves); sand dust on the dates of",
        "data/config/dust_days.csv (PM10 >> PM2.5); photochemical O3 peaking in summer",
        "afternoons. Missing: station outages of a few hours and single gaps.",
        "Water (transforms/sample/water.py): seasonal temperature, DO from saturation,",
        "winter-high ammonia, rainy-season storms raising turbidity, TP and CODMn, lake",
        "chlorophyll and algae; a monthly anomaly shared with the laboratory sample.",
        "",
        "## Planted problems",
        "",
    ]
    for kind, count in m["planted_counts"].items():
        lines.append(f"- {kind}: {count}")
    air_files: dict[str, dict[str, list[int]]] = {}
    for p in m["planted"]:
        if p["file"].startswith("air/") and (p["line"] is None or p["kind"] in (
                "truncated_hour", "duplicate_row")):
            hours = air_files.setdefault(p["file"], {}).setdefault(p["kind"], [])
            hours += [] if p["hour"] is None else [p["hour"]]
    air_lines = {
        f: "; ".join(k + (f" (hour {', '.join(map(str, h))})" if h else "")
                     for k, h in kinds.items())
        for f, kinds in air_files.items()
    }
    if air_files:
        lines += ["", "Air files with file-level problems:", ""]
        lines += [f"- {f}: {what}" for f, what in sorted(air_lines.items())]
    lines += [
        "",
        "## Figures the sample was tuned to",
        "",
        "A simple independent reckoning (transforms/sample/summary.py), not the pipeline's",
        "marts: city = mean of its city-assessment stations (no 对照点), county = its station;",
        "daily means need >= 20 hours; daily AQI by the HJ 633 edition in force on the day;",
        "good = AQI <= 100; planted and missing values excluded. The last year is to date.",
        "",
        "| region | year | days | valid | good | good % | good % dust excl. | heavy | PM2.5 |"
        " PM10 | O3-8h p90 | composite |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for code, rows in m["figures"].items():
        for r in rows:
            lines.append(
                f"| {names.get(code, code)} {code} | {r['year']} | {r['days']} | "
                f"{r['valid_days']} | {r['good_days']} | {r['good_rate']} | "
                f"{r['good_rate_dust_excluded']} | {r['heavy_days']} | {r['pm25_mean']} | "
                f"{r['pm10_mean']} | {r['o3_8h_p90']} | {r['composite_index']} |")
    last_year = end.year
    remaining = (date(last_year, 12, 31) - end).days
    lines += ["", f"On {end}: {remaining} days of {last_year} remain.", ""]
    for code, rows in m["figures"].items():
        r = next((x for x in rows if x["year"] == last_year), None)
        if r:
            lines.append(f"- {names.get(code, code)}: {r['good_days']} good days so far, at most "
                         f"{r['good_days'] + remaining} by year end; PM2.5 {r['pm25_mean']}, "
                         f"PM10 {r['pm10_mean']} µg/m³ to date.")
    lines += ["", "Approximate annual class of each water section (annual means):", ""]
    roman = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}
    for sec in config.sections:
        classes = ", ".join(f"{y}: {roman[c]}" for y, c in m["water_classes"][sec.code].items())
        lines.append(f"- {sec.code} {sec.name} ({sec.river}, target {roman[sec.target_class]}):"
                     f" {classes}")
    return "\n".join(lines) + "\n"
