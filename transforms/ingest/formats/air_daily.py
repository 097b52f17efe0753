"""Daily city air quality as published by third parties, into `air_city_daily_published`.

These are the city values a website or bulletin printed (日期, AQI, 质量等级, concentrations),
kept apart from the values envq computes itself so the two can be compared. Layouts:

- `daily_city_header`: a header naming 日期/date and AQI (plus any of 质量等级, PM2.5, PM10, SO2,
  CO, NO2, O3_8h, 城市), GBK or UTF-8 with BOM, dates 2013/12/2 or 2013-12-02
  (aqistudy-style tables, e.g. air_train&test.csv).
- `daily_city_pipes`: tianqihoubao scrape, no header, '||' between and after the fields:
  城市||日期||质量等级||AQI||当天AQI排名||PM2.5||PM10||SO2||NO2||CO||O3|| (数据说明.txt and the
  site's table header). Its O3 is loaded as o3_8h: the O3 of a daily city report is the daily
  maximum 8-h mean (HJ 633 daily report, docs/standards.md §1.5); the scraper does not say so.
- `daily_city_rank`: tianqihoubao 5-city scrape, no header, UTF-8 BOM:
  日期,质量等级,AQI,当天AQI排名,PM2.5.
- `daily_city_aqi`: aqistudy per-city files, no header: 日期,AQI.
  (aqistudy's wide alldata.csv is not read: its gaps were filled by imputation upstream.)

City: the file's 城市 column when it has one; else `parse_daily_file(path, city=...)`; else
the file name: a Chinese name in it (上海.csv), or a known pinyin name (air_beijing_2018.csv
-> 北京), or else the file name itself, with a note (air_train&test.csv has no city anywhere;
rename the file to the city's name or pass city= to load it under a real name).

Rules:
- Levels: the six HJ 633 categories (HJ 633-2012 Table 2, via transforms.rules); the
  abbreviations 轻度/中度/重度/严重 are the categories without 污染. Another text is quarantined
  (`unknown_level`) and the row loads without a level.
- 0 is missing, in every layout and numeric column: the '||' file writes 0 / 0.00 for missing
  values (e.g. 章丘 2014-02-23..27 SO2, NO2, CO and O3 all 0 with AQI 104..138), and the headed
  file has PM10 = 0 on 35 days with PM2.5 up to 294 (PM10 >= PM2.5 always holds physically).
  A daily mean of exactly 0 (or AQI 0) is not a measurement at a Chinese city.
- non_numeric, negative and impossible values (above transforms.plausibility limits; AQI
  above 500, the top of the HJ 633 scale) are quarantined; the rest of the row loads.
- A date that cannot be read (`bad_date`) or a missing city quarantines the whole line.
- The same city and date twice: identical rows load once (tianqihoubao repeats 2017-04-23 and
  2017-05-20); different rows are all quarantined (`duplicate_conflict`).
- 当天AQI排名 (the national rank) is not loaded (no column holds it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, partial
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
)
from transforms.ingest.engine import FormatSpec, ParsedFile, head_bytes, register_format
from transforms.ingest.raw_files import RawFileError, logical_name
from transforms.plausibility import AQI_MAX, PLAUSIBLE_MAX
from transforms.rules import cached_rules

VALUE_COLUMNS = ("aqi", "pm25", "pm10", "so2", "no2", "co", "o3_8h")
LIMITS = {**{c: PLAUSIBLE_MAX[c] for c in ("pm25", "pm10", "so2", "no2", "co")},
          "o3_8h": PLAUSIBLE_MAX["o3"], "aqi": AQI_MAX}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日")
HEADER_ALIASES = {
    "日期": "date", "date": "date", "城市": "city", "city": "city",
    "aqi": "aqi", "aqi指数": "aqi", "质量等级": "level", "level": "level", "quality": "level",
    "pm2.5": "pm25", "pm25": "pm25", "pm2_5": "pm25", "pm10": "pm10", "so2": "so2",
    "no2": "no2", "co": "co", "o3_8h": "o3_8h", "o3-8h": "o3_8h", "o3_8h_max": "o3_8h",
    "o3": "o3_8h", "当天aqi排名": "rank", "rank": "rank",
}
# Pinyin city names seen in scraper file names (air_beijing_2018.csv).
PINYIN_CITIES = {
    "beijing": "北京", "shanghai": "上海", "guangzhou": "广州", "shenzhen": "深圳",
    "tianjin": "天津", "chongqing": "重庆", "chengdu": "成都", "wuhan": "武汉", "xian": "西安",
    "hangzhou": "杭州", "nanjing": "南京", "shenyang": "沈阳", "haerbin": "哈尔滨",
}
# Column titles of the tianqihoubao table, used to name quarantined cells of headerless files.
COLUMN_TITLES = {
    "city": "城市", "date": "日期", "level": "质量等级", "aqi": "AQI指数", "rank": "当天AQI排名",
    "pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "co": "CO", "o3_8h": "O3",
}
DATE_RE = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}"
RANK_LINE = re.compile(rf"^{DATE_RE},[^,\d]+,\d+,\d+,\d+$")
AQI_LINE = re.compile(rf"^{DATE_RE},\d+$")


@dataclass(frozen=True)
class Layout:
    """Where each field is in a headerless layout (column positions)."""

    name: str
    sep: str
    fields: dict[str, int]


PIPES = Layout("daily_city_pipes", "||", {
    "city": 0, "date": 1, "level": 2, "aqi": 3, "rank": 4, "pm25": 5, "pm10": 6, "so2": 7,
    "no2": 8, "co": 9, "o3_8h": 10,
})
RANK = Layout("daily_city_rank", ",", {"date": 0, "level": 1, "aqi": 2, "rank": 3, "pm25": 4})
AQI_ONLY = Layout("daily_city_aqi", ",", {"date": 0, "aqi": 1})

DAILY_SCHEMA = pa.schema(
    [("city", pa.string()), ("date", pa.date32()), ("aqi", pa.float64()), ("level", pa.string())]
    + [(c, pa.float64()) for c in ("pm25", "pm10", "so2", "no2", "co", "o3_8h")]
    + [("line_no", pa.int64())]  # provenance (transforms.ingest.engine.PROVENANCE_COLUMNS)
)


@cache
def level_names() -> dict[str, str]:
    """Published level text -> HJ 633 category (优, 良, 轻度污染 ... 严重污染)."""
    categories = [lvl["category_zh"] for lvl in cached_rules("2012")["levels"]]
    names = {c: c for c in categories}
    names.update({c.removesuffix("污染"): c for c in categories if c.endswith("污染")})
    return names


def header_fields(line: str) -> dict[str, int]:
    fields: dict[str, int] = {}
    for pos, cell in enumerate(line.split(",")):
        field = HEADER_ALIASES.get(header_key(cell))
        if field and field not in fields:
            fields[field] = pos
    return fields


def detect_header(path: Path, head: bytes) -> bool:
    """A header with a date and an AQI column and no hour column (CNEMC files have one)."""
    line = first_line(head)
    fields = header_fields(line)
    keys = {header_key(c) for c in line.split(",")}
    return "date" in fields and "aqi" in fields and "hour" not in keys


def detect_pipes(path: Path, head: bytes) -> bool:
    line = first_line(head).strip()
    parts = line.split("||")
    return len(parts) >= 11 and re.fullmatch(DATE_RE, parts[1].strip()) is not None


def detect_rank(path: Path, head: bytes) -> bool:
    return RANK_LINE.match(first_line(head).strip()) is not None


def detect_aqi(path: Path, head: bytes) -> bool:
    return AQI_LINE.match(first_line(head).strip()) is not None


def city_from_name(path: Path) -> tuple[str, str | None]:
    """City from the file name; returns (city, note when the name is not a city)."""
    stem = logical_name(path).rsplit(".", 1)[0]
    chinese = re.findall(r"[\u4e00-\u9fff]+", stem)
    if chinese:
        return chinese[0], None
    for token in re.split(r"[^a-z]+", stem.lower()):
        if token in PINYIN_CITIES:
            return PINYIN_CITIES[token], None
    return stem, f"{logical_name(path)}: no city in the file; loaded under its file name {stem!r}"


def parse_daily_file(path: Path, city: str | None = None) -> ParsedFile:
    """Parse any daily city layout; city names the city of a file that has no city column."""
    head = head_bytes(path)
    for layout, detect in ((PIPES, detect_pipes), (RANK, detect_rank), (AQI_ONLY, detect_aqi)):
        if detect(path, head):
            return parse_layout(path, layout, city)
    if detect_header(path, head):
        return parse_layout(path, None, city)
    raise RawFileError(path, "no known daily city layout")


def parse_layout(path: Path, layout: Layout | None, city: str | None = None) -> ParsedFile:
    """Parse one daily file in the given layout (None: the header names the columns)."""
    raw = read_raw_table(path, layout.sep if layout else ",")
    cells = raw.cells
    if layout is None:
        fields = header_fields(",".join(cells.iloc[0]))
        header = {f: str(cells.iloc[0, pos]).strip() for f, pos in fields.items()}
        body = cells.iloc[1:]
        name = "daily_city_header"
    else:
        fields, body, name = layout.fields, cells, layout.name
        header = {f: COLUMN_TITLES[f] for f in fields}
    body = body[(body != "").any(axis=1)]
    line_no = body.index.to_numpy(dtype="int64") + 1
    notes: list[str] = []
    quarantine: list[pd.DataFrame] = []

    def column(field: str) -> pd.Series:
        if field in fields and fields[field] < body.shape[1]:
            return body[fields[field]].astype(str).str.strip()
        return pd.Series("", index=body.index, dtype="str")

    if "city" in fields:
        cities = column("city")
    else:
        if city is None:
            city, note = city_from_name(path)
            notes += [note] if note else []
        cities = pd.Series(city, index=body.index, dtype="str")
    dates = parse_dates(column("date"), DATE_FORMATS)
    bad_date = dates.isna().to_numpy()
    no_city = (cities == "").to_numpy() & ~bad_date
    quarantine += [
        quarantine_frame(line_no[bad_date], header["date"], "bad_date",
                         raw.line_text(line_no[bad_date])),
        quarantine_frame(line_no[no_city], header.get("city", "city"), "missing_city",
                         raw.line_text(line_no[no_city])),
    ]
    good = ~bad_date & ~no_city
    body, line_no, cities, dates = body[good], line_no[good], cities[good], dates[good]

    out = pd.DataFrame({"city": cities.to_numpy(dtype=object), "date": dates.dt.date.to_numpy()})
    for field in VALUE_COLUMNS:
        if field not in fields:
            out[field] = np.nan
            continue
        values, q = checked_numbers(
            column(field), line_no, header[field], limit=LIMITS[field], zero_is_missing=True
        )
        out[field] = values
        quarantine.append(q)
    level_text = column("level")
    levels = level_text.map(level_names())
    unknown = (levels.isna() & (level_text != "")).to_numpy()
    quarantine.append(
        quarantine_frame(line_no[unknown], header.get("level", "level"), "unknown_level",
                         level_text.to_numpy(dtype=object)[unknown])
    )
    out["level"] = levels.to_numpy(dtype=object)
    out["line_no"] = line_no
    out = out[out[list(VALUE_COLUMNS) + ["level"]].notna().any(axis=1)]
    out, conflicts = one_row_per_day(out, raw)
    quarantine.append(conflicts)
    table = pa.Table.from_pandas(
        out[DAILY_SCHEMA.names], schema=DAILY_SCHEMA, preserve_index=False
    )
    if layout is None and header.get("o3_8h", "").lower() == "o3":
        notes.append(f"{logical_name(path)}: column O3 read as the daily max 8-h mean (o3_8h)")
    if "rank" in fields:
        notes.append(f"{logical_name(path)}: 当天AQI排名 (national rank) not loaded")
    notes.insert(0, f"{logical_name(path)}: {table.num_rows} city-days ({name})")
    return ParsedFile(
        name, {"air_city_daily_published": table}, quarantine_table(quarantine), notes
    )


def one_row_per_day(out: pd.DataFrame, raw: RawTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Identical repeats of a city-day load once; differing repeats are all quarantined."""
    content = [c for c in out.columns if c != "line_no"]
    out = out.drop_duplicates(subset=content, keep="first")
    clash = out.duplicated(subset=["city", "date"], keep=False).to_numpy()
    lines = out["line_no"].to_numpy()[clash]
    conflicts = quarantine_frame(lines, "*", "duplicate_conflict", raw.line_text(lines))
    return out[~clash], conflicts


register_format(FormatSpec(PIPES.name, detect_pipes, partial(parse_layout, layout=PIPES)))
register_format(FormatSpec(RANK.name, detect_rank, partial(parse_layout, layout=RANK)))
register_format(FormatSpec(AQI_ONLY.name, detect_aqi, partial(parse_layout, layout=AQI_ONLY)))
register_format(FormatSpec("daily_city_header", detect_header, partial(parse_layout, layout=None)))
