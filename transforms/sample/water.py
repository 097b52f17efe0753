"""The water part of the synthetic sample: automatic-station exports and monthly lab results.

Every value is SYNTHETIC. Each section follows a seasonal model (water temperature, DO from
saturation, winter-high ammonia, storm-driven turbidity/phosphorus/permanganate in the rainy
season, lake chlorophyll and algae in summer) scaled to the levels of its row in
SECTION_MODELS; a monthly anomaly is shared by the automatic readings and the laboratory sample
of the same month so that the two agree. The printed 水质类别 is the single-sample class of the
automatically measured pH, DO, CODMn, NH3-N and TP against GB 3838-2002 Table 1 (lake TP
limits for lakes), as the national automatic-monitoring site prints it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from transforms.sample.config import SampleConfig, Section

AUTO_HEADER = ["省份", "流域", "断面名称", "监测时间", "水质类别", "水温(℃)", "pH(无量纲)",
               "溶解氧(mg/L)", "电导率(μS/cm)", "浊度(NTU)", "高锰酸盐指数(mg/L)", "氨氮(mg/L)",
               "总磷(mg/L)", "总氮(mg/L)", "叶绿素α(mg/L)", "藻密度(cells/L)", "站点情况"]
MEASURED = AUTO_HEADER[5:16]
MANUAL_HEADER = ["断面编码", "断面名称", "采样日期", "监测项目", "监测值", "单位"]
CLASS_TEXT = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}

# GB 3838-2002 Table 1 upper limits of classes I..V (DO: lower limits).
LIMITS = {
    "do": [7.5, 6.0, 5.0, 3.0, 2.0],
    "codmn": [2.0, 4.0, 6.0, 10.0, 15.0],
    "nh3n": [0.15, 0.5, 1.0, 1.5, 2.0],
    "tp_river": [0.02, 0.1, 0.2, 0.3, 0.4],
    "tp_lake": [0.01, 0.025, 0.05, 0.1, 0.2],
}

# Levels per section code (annual means at the reference season); others use DEFAULT_MODELS.
SECTION_MODELS: dict[str, dict[str, float]] = {
    "WQ61092901": dict(temp=16.5, amp=8.5, ph=8.15, do=1.00, cond=300, turb=8, codmn=1.9,
                       nh3n=0.10, tp=0.045, tn=1.6, storm=1.0),
    "WQ61090201": dict(temp=17.5, amp=9.5, ph=8.30, do=1.03, cond=265, turb=2, codmn=1.6,
                       nh3n=0.06, tp=0.014, tn=1.25, storm=0.3, chla=0.004, algae=8e5),
    "WQ61090202": dict(temp=16.5, amp=9.0, ph=7.80, do=0.80, cond=520, turb=15, codmn=4.6,
                       nh3n=1.20, tp=0.23, tn=3.2, storm=1.5),
    "WQ61090203": dict(temp=16.0, amp=9.0, ph=8.00, do=0.93, cond=420, turb=12, codmn=3.2,
                       nh3n=0.42, tp=0.11, tn=2.2, storm=1.2),
    "WQ61092501": dict(temp=15.0, amp=8.0, ph=8.10, do=1.00, cond=280, turb=5, codmn=1.5,
                       nh3n=0.08, tp=0.035, tn=1.3, storm=1.0),
    "WQ62080201": dict(temp=12.0, amp=10.0, ph=8.35, do=0.98, cond=620, turb=6, codmn=2.9,
                       nh3n=0.22, tp=0.031, tn=1.4, storm=0.4, chla=0.008, algae=1.5e6),
    "WQ62080202": dict(temp=11.0, amp=10.0, ph=8.25, do=0.95, cond=950, turb=150, codmn=3.3,
                       nh3n=0.42, tp=0.115, tn=4.5, storm=2.0),
    "WQ62082101": dict(temp=11.5, amp=10.0, ph=8.30, do=0.96, cond=1100, turb=180, codmn=3.1,
                       nh3n=0.36, tp=0.12, tn=4.8, storm=2.0),
    "WQ62082102": dict(temp=11.5, amp=10.0, ph=8.20, do=0.94, cond=800, turb=90, codmn=3.6,
                       nh3n=0.52, tp=0.14, tn=3.6, storm=1.6),
}
DEFAULT_MODELS = {  # by target class
    2: dict(temp=15.0, amp=9.0, ph=8.1, do=1.0, cond=300, turb=8, codmn=1.8, nh3n=0.1, tp=0.04,
            tn=1.4, storm=1.0),
    3: dict(temp=15.0, amp=9.0, ph=8.1, do=0.95, cond=450, turb=20, codmn=3.2, nh3n=0.4,
            tp=0.11, tn=2.5, storm=1.2),
}
LAKE_EXTRA = dict(chla=0.005, algae=1e6)

# (name, unit, decimals, detection limit) of the GB 3838 Table 1 items, in table order.
MANUAL_ITEMS = [
    ("pH", "无量纲", 2, None), ("溶解氧", "mg/L", 1, None), ("高锰酸盐指数", "mg/L", 1, 0.5),
    ("化学需氧量", "mg/L", 0, 4), ("五日生化需氧量", "mg/L", 1, 0.5), ("氨氮", "mg/L", 3, 0.025),
    ("总磷", "mg/L", 3, 0.01), ("总氮", "mg/L", 2, 0.05), ("铜", "mg/L", 4, 0.001),
    ("锌", "mg/L", 3, 0.006), ("氟化物", "mg/L", 2, 0.05), ("硒", "mg/L", 4, 0.0004),
    ("砷", "mg/L", 4, 0.0003), ("汞", "mg/L", 5, 0.00004), ("镉", "mg/L", 4, 0.0001),
    ("铬(六价)", "mg/L", 3, 0.004), ("铅", "mg/L", 3, 0.001), ("氰化物", "mg/L", 3, 0.004),
    ("挥发酚", "mg/L", 4, 0.0003), ("石油类", "mg/L", 2, 0.01),
    ("阴离子表面活性剂", "mg/L", 2, 0.05), ("硫化物", "mg/L", 3, 0.005),
    ("粪大肠菌群", "个/L", 0, None),
]
# Typical trace levels (mg/L) and the chance a lab reports "<DL>L" for the few it does.
TRACE = {"铜": (0.003, 0.0), "锌": (0.02, 0.0), "氟化物": (0.35, 0.0), "硒": (0.0006, 0.04),
         "砷": (0.0018, 0.0), "汞": (0.00005, 0.04), "镉": (0.0002, 0.04),
         "铬(六价)": (0.006, 0.04), "铅": (0.0025, 0.0), "氰化物": (0.006, 0.04),
         "挥发酚": (0.0006, 0.04), "石油类": (0.02, 0.0), "阴离子表面活性剂": (0.07, 0.0),
         "硫化物": (0.01, 0.04)}
# Lab items that follow the automatic reading of the sampling hour: item -> (series key, ratio
# of the lab value to it, before the lab's own scatter). COD and BOD5 follow permanganate.
LAB_FROM_AUTO = {"溶解氧": ("do", 1.0), "高锰酸盐指数": ("codmn", 1.0),
                 "化学需氧量": ("codmn", 3.4), "五日生化需氧量": ("codmn", 0.45),
                 "氨氮": ("nh3n", 1.0), "总磷": ("tp", 1.0), "总氮": ("tn", 1.0)}
READ_HOURS = (0, 4, 8, 12, 16, 20)


def single_sample_class(ph: float, do: float, codmn: float, nh3n: float, tp: float,
                        lake: bool) -> int:
    """GB 3838-2002 class (1..6) of one sample from the five auto-station items; NaN skipped."""
    worst = 1
    if not np.isnan(ph) and not 6.0 <= ph <= 9.0:
        return 6
    if not np.isnan(do):
        worst = max(worst, next((i + 1 for i, lim in enumerate(LIMITS["do"]) if do >= lim), 6))
    tp_key = "tp_lake" if lake else "tp_river"
    for value, key in ((codmn, "codmn"), (nh3n, "nh3n"), (tp, tp_key)):
        if not np.isnan(value):
            worst = max(worst, next((i + 1 for i, lim in enumerate(LIMITS[key])
                                     if value <= lim), 6))
    return worst


def _do_saturation(temp: np.ndarray) -> np.ndarray:
    """Oxygen saturation (mg/L) in fresh water at sea level (APHA polynomial fit)."""
    return 14.62 - 0.3898 * temp + 0.006969 * temp**2 - 0.00005897 * temp**3


@dataclass
class SectionSeries:
    """4-hourly true values of one section, and its monthly anomaly factors."""

    times: list[datetime]
    values: dict[str, np.ndarray]
    monthly: dict[tuple[int, int], float]


def _model(section: Section) -> dict[str, float]:
    base = SECTION_MODELS.get(section.code) or DEFAULT_MODELS.get(section.target_class,
                                                                  DEFAULT_MODELS[3])
    if section.water_type == "lake":
        base = {**LAKE_EXTRA, **base}
    return base


def simulate_section(section: Section, start: date, end: date,
                     rng: np.random.Generator) -> SectionSeries:
    """4-hourly values from start 00:00 to end 20:00."""
    m = _model(section)
    n_days = (end - start).days + 1
    times = [datetime.combine(start + timedelta(days=d), datetime.min.time())
             + timedelta(hours=h) for d in range(n_days) for h in READ_HOURS]
    t = np.array([start.toordinal() + d + h / 24 for d in range(n_days) for h in READ_HOURS])
    hour = np.tile(np.array(READ_HOURS), n_days)
    summer = np.cos(2 * np.pi * (t - date(2000, 7, 28).toordinal()) / 365.2425)
    wet = np.clip(np.cos(2 * np.pi * (t - date(2000, 8, 5).toordinal()) / 365.2425), 0, None)
    winter = -summer
    # storms: daily events, more in the rainy season, decaying over ~2 days
    day_wet = np.clip(np.cos(2 * np.pi * (np.arange(n_days) + start.toordinal()
                                          - date(2000, 8, 5).toordinal()) / 365.2425), 0, None)
    events = (rng.random(n_days) < 0.02 + 0.10 * day_wet) * rng.lognormal(0, 0.7, n_days)
    storm_day = np.zeros(n_days)
    level = 0.0
    for i in range(n_days):
        level = level * np.exp(-1 / 1.8) + events[i]
        storm_day[i] = level
    storm = np.repeat(storm_day, len(READ_HOURS)) * m["storm"]
    months = sorted({(x.year, x.month) for x in times})
    anomaly = dict(zip(months, rng.lognormal(0, 0.13, len(months)), strict=True))
    month_factor = np.array([anomaly[(x.year, x.month)] for x in times])
    noise = rng.standard_normal((len(times), 9))
    diurnal = np.sin(2 * np.pi * (hour - 9) / 24)  # peak mid-afternoon
    temp = np.clip(m["temp"] + m["amp"] * summer + 0.4 * diurnal + 0.3 * noise[:, 0], 0.3, None)
    lake = section.water_type == "lake"
    ratio = m["do"] * (1 + (0.06 if lake else 0.03) * diurnal + (0.05 * summer if lake else 0))
    values = {
        "temp": temp,
        "ph": m["ph"] + (0.12 if lake else 0.05) * summer + 0.06 * diurnal + 0.05 * noise[:, 1],
        "do": _do_saturation(temp) * ratio * np.exp(0.04 * noise[:, 2]),
        "cond": m["cond"] * (1 + 0.08 * winter) / (1 + 0.15 * storm) * np.exp(0.02 * noise[:, 3]),
        "turb": m["turb"] * (1 + 6 * storm) * np.exp(0.2 * noise[:, 4]),
        "codmn": (m["codmn"] * (1 + 0.15 * summer) * (1 + 0.35 * storm) * month_factor
                  * np.exp(0.08 * noise[:, 5])),
        "nh3n": np.maximum(m["nh3n"] * (1 + 0.35 * winter) * month_factor
                           * np.exp(0.12 * noise[:, 6]), 0.025),
        "tp": np.maximum(m["tp"] * (1 + 0.1 * summer) * (1 + 0.9 * storm) * month_factor
                         * np.exp(0.1 * noise[:, 7]), 0.005),
        "tn": m["tn"] * (1 + 0.2 * winter) * np.exp(0.05 * noise[:, 8]),
    }
    if lake:
        values["chla"] = m["chla"] * (1 + 1.5 * np.clip(summer, 0, None) + 0.6 * wet) * np.exp(
            0.3 * rng.standard_normal(len(times)))
        values["algae"] = m["algae"] * (1 + 2 * np.clip(summer, 0, None)) * np.exp(
            0.4 * rng.standard_normal(len(times)))
    return SectionSeries(times, values, anomaly)


_DECIMALS = {"temp": 1, "ph": 2, "do": 2, "cond": 1, "turb": 1, "codmn": 2, "nh3n": 3,
             "tp": 3, "tn": 2, "chla": 3, "algae": 0}
_ORDER = ["temp", "ph", "do", "cond", "turb", "codmn", "nh3n", "tp", "tn", "chla", "algae"]


def _plain(value: float) -> str:
    """A detection limit as labs print it: 0.00004, 0.025, 4 (never 4e-05)."""
    return format(Decimal(repr(value)).normalize(), "f")


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue()


# Oddities placed at fixed fractions of the range (ranges of 20+ days), by section index.
SPECIALS = {(0, 0.30): "stale_timestamp", (5, 0.62): "stale_timestamp",
            (2, 0.88): "stale_timestamp", (3, 0.40): "missing_timestamp",
            (1, 0.47): "impossible_ph", (6, 0.73): "negative"}
PLANTED_CELL = {"impossible_ph": (1, "15.32"), "negative": (7, "-0.012")}  # cell index, text


def _specials(n_sections: int, start: date, end: date) -> dict[tuple[int, date], str]:
    n_days = (end - start).days + 1
    if n_days < 20:
        return {}
    return {(i, start + timedelta(days=round(f * (n_days - 1)))): kind
            for (i, f), kind in SPECIALS.items() if i < n_sections}


def _month_rows(section: Section, series: SectionSeries, idxs: list[int],
                rng: np.random.Generator, special: dict[date, str],
                prev_last: list[str] | None) -> tuple[list[list[str]], list[tuple]]:
    """One month's export rows and its oddities as (line, column, kind, value, note)."""
    lake = section.water_type == "lake"
    place = [section.province, section.basin, section.name]
    planted_at = {i for i in idxs if series.times[i].hour == 8
                  and series.times[i].date() in special}
    keep = [i for i in idxs if i in planted_at or rng.random() >= 0.04]  # 4 % not captured
    maint: set[int] = set()
    if rng.random() < 0.2 and len(keep) > 5:
        at = int(rng.integers(0, len(keep) - 4))
        maint = set(keep[at: at + int(rng.integers(1, 4))]) - planted_at
    lines: list[list[str]] = []
    notes: list[tuple] = []
    for i in keep:
        ts = series.times[i]
        cells = [_fmt(series.values[k][i], _DECIMALS[k]) if k in series.values else "*"
                 for k in _ORDER]
        kind = special.get(ts.date()) if i in planted_at else None
        if kind in PLANTED_CELL:
            j, text = PLANTED_CELL[kind]
            cells[j] = text
        status = "维护" if i in maint else "正常"
        if i in maint:
            for c in rng.choice(9, size=int(rng.integers(0, 3)), replace=False):
                cells[int(c)] = "--"
        elif kind is None and rng.random() < 0.004:
            cells[int(rng.integers(0, 9))] = "--"
        vals = [np.nan if cells[j] in ("--", "*") else float(cells[j]) for j in (1, 2, 5, 6, 7)]
        klass = "*" if status == "维护" else CLASS_TEXT[single_sample_class(*vals, lake)]
        row = [*place, f"{ts:%m-%d %H:%M}", klass, *cells, status]
        lines.append(row)
        line_no = len(lines) + 1
        notes += [(line_no, MEASURED[j], "not_measured", "--", "")
                  for j, cell in enumerate(cells[:9]) if cell == "--"]
        if status == "维护":
            notes.append((line_no, "站点情况", "maintenance_row", "维护", ""))
        if kind in PLANTED_CELL:
            j, text = PLANTED_CELL[kind]
            notes.append((line_no, MEASURED[j], kind, text, ""))
        if kind == "missing_timestamp":
            lines.append([*place, "*", "*", *(["--"] * 9), *cells[9:], "维护"])
            notes.append((len(lines) + 1, "监测时间", "missing_timestamp", "*",
                          "reading without a time (station in maintenance)"))
        if rng.random() < 0.003:  # the scraper appended the same reading twice
            lines.append(list(row))
            notes.append((len(lines) + 1, None, "duplicate_row", None,
                          f"exact repeat of line {line_no}"))
    stale = any(special.get(series.times[i].date()) == "stale_timestamp" for i in idxs)
    if stale and prev_last is not None:
        lines.append(list(prev_last))
        notes.append((len(lines) + 1, "监测时间", "stale_timestamp", prev_last[3],
                      "reading of the previous month repeated"))
    return lines, notes


def write_auto(out_dir: Path, config: SampleConfig, start: date, end: date,
               seed_stream: Callable[..., np.random.Generator],
               ) -> tuple[int, int, list[dict], dict[str, SectionSeries]]:
    """Write water/<省份>/<流域>/<断面>/<YYYY-MM>/<断面>.csv; return files, rows, plants, series."""
    files = rows_total = 0
    planted: list[dict] = []
    series_by_code = {}
    specials = _specials(len(config.sections), start, end)
    for si, section in enumerate(config.sections):
        rng = seed_stream(21, si)
        series = simulate_section(section, start, end, rng)
        series_by_code[section.code] = series
        special = {d: kind for (i, d), kind in specials.items() if i == si}
        by_month: dict[tuple[int, int], list[int]] = {}
        for i, ts in enumerate(series.times):
            by_month.setdefault((ts.year, ts.month), []).append(i)
        prev_last: list[str] | None = None
        for (year, month), idxs in by_month.items():
            folder = (out_dir / "water" / section.province / section.basin / section.name
                      / f"{year:04d}-{month:02d}")
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{section.name}.csv"
            lines, notes = _month_rows(section, series, idxs, rng, special, prev_last)
            timed = [row for row in lines if row[3] != "*"]
            prev_last = timed[-1] if timed else prev_last
            path.write_text(_csv_text([AUTO_HEADER, *lines]), encoding="utf-8", newline="")
            rel = path.relative_to(out_dir).as_posix()
            planted += [_rec(rel, *note) for note in notes]
            files += 1
            rows_total += len(lines)
    return files, rows_total, planted, series_by_code


def _rec(file: str, line: int, column: str | None, kind: str, value: str | None,
         note: str = "") -> dict:
    return {"file": file, "line": line, "column": column, "kind": kind, "value": value,
            "hour": None, "type": None, "note": note}


def _manual_value(name: str, section: Section, month_series: dict[str, float],
                  rng: np.random.Generator) -> float:
    v = month_series
    lab = float(np.exp(0.08 * rng.standard_normal()))
    if name == "pH":
        return v["ph"] + 0.05 * rng.standard_normal()
    if name in LAB_FROM_AUTO:
        key, ratio = LAB_FROM_AUTO[name]
        return v[key] * ratio * lab
    if name == "粪大肠菌群":
        level = 300 * (1 + 5 * v["nh3n"]) * (2 if section.water_type == "river" else 0.5)
        return float(rng.lognormal(np.log(level), 0.5))
    typical, _ = TRACE[name]
    return typical * float(rng.lognormal(0, 0.3))


def write_manual(out_dir: Path, config: SampleConfig, start: date, end: date,
                 series_by_code: dict[str, SectionSeries],
                 seed_stream: Callable[..., np.random.Generator]) -> tuple[int, int, list]:
    """Write water_manual/manual_water_YYYY.csv (UTF-8 with BOM, long layout)."""
    folder = out_dir / "water_manual"
    folder.mkdir(parents=True, exist_ok=True)
    rng = seed_stream(31)
    samples: list[tuple[date, int, Section]] = []
    month = date(start.year, start.month, 1)
    while month <= end:
        for si, section in enumerate(config.sections):
            day = month + timedelta(days=int(rng.integers(4, 16)))
            if start <= day <= end:
                samples.append((day, si, section))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    samples.sort(key=lambda x: (x[0], x[1]))
    files = rows_total = 0
    planted: list[dict] = []
    for year in sorted({d.year for d, _, _ in samples}):
        name = f"manual_water_{year}.csv"
        rel = f"water_manual/{name}"
        lines: list[list[str]] = []
        dup_at = int(rng.integers(5, 40))
        for day, _, section in (s for s in samples if s[0].year == year):
            series = series_by_code[section.code]
            at = next(i for i, t in enumerate(series.times) if t.date() == day and t.hour == 8)
            month_vals = {k: float(v[at]) for k, v in series.values.items()}
            for item, unit, decimals, dl in MANUAL_ITEMS:
                value = _manual_value(item, section, month_vals, rng)
                if item in TRACE:  # trace items: "<DL>L" only as often as TRACE says
                    below = rng.random() < TRACE[item][1]
                    value = max(value, 1.2 * dl)
                else:
                    below = dl is not None and value < dl
                if below:
                    text = f"{_plain(dl)}L"
                elif decimals == 0:
                    text = str(int(round(value)))
                else:
                    text = _fmt(value, decimals)
                lines.append([section.code, section.name, day.isoformat(), item, text, unit])
                if text.endswith("L"):
                    planted.append(_rec(rel, len(lines) + 1, "监测值", "below_detection_limit",
                                        text, f"{item}: below the detection limit {_plain(dl)}"))
                if len(lines) == dup_at:
                    lines.append(list(lines[-1]))
                    planted.append(_rec(rel, len(lines) + 1, None, "duplicate_row", None,
                                        f"exact repeat of line {len(lines)}"))
        text = _csv_text([MANUAL_HEADER, *lines])
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        files += 1
        rows_total += len(lines)
    return files, rows_total, planted
