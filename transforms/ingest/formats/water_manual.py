"""Manual (laboratory) surface-water results: the 21 assessed items of GB 3838-2002 Table 1.

Two layouts, item names in Chinese or English (header matching ignores case, spaces, width):
- long: one row per result, e.g. the sample's water_manual/manual_water_YYYY.csv
  `断面编码,断面名称,采样日期,监测项目,监测值,单位` (or section_code, section_name, date, item,
  value, unit);
- wide: one row per section and date, one column per item ('总磷', '总磷(mg/L)', 'TP', ...).
Rows go to `water_section_samples` with method 'manual'; sampled_at is the sampling date at
00:00 (laboratory results carry a date, not an hour).

Values below the detection limit are written "0.0005L" (or "<0.0005"): envq loads half the
limit, as 《地表水环境质量监测数据统计技术规定（试行）》(环办监测函〔2020〕82号) point 7 prescribes
("当监测数据低于检出限时，以1/2检出限值参与计算和统计"; also SL 219-2013 §12.2.5). µg/L
results are converted to mg/L, fecal coliform per 100 mL to per L. Missing ('', '--', '*') is
skipped; bad cells are quarantined (non_numeric, negative, impossible_value, bad_unit,
unknown_item, bad_timestamp, duplicate_conflict) and the rest of the file loads.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.ingest.cell_values import (
    MISSING_TOKENS,
    first_line,
    parse_dates,
    quarantine_frame,
    quarantine_table,
    read_cells,
    split_conflicts,
)
from transforms.ingest.engine import FormatSpec, ParsedFile, register_format
from transforms.ingest.raw_files import RawFileError, logical_name
from transforms.ingest.water_cells import (
    PLAUSIBLE,
    SAMPLE_SCHEMA,
    is_auto_header,
    prepare,
)
from transforms.plausibility import implausible
from transforms.water.sections import SECTION_SCHEMA, guess_water_type, placeholder_codes

LONG_FORMAT = "water_manual_long"
WIDE_FORMAT = "water_manual_wide"


def norm(text: str) -> str:
    """Header or item name reduced for matching: NFKC, lower case, no spaces, '_' or '-'."""
    t = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").lower()
    return re.sub(r"[\s_\-−'\"]", "", t)


_ITEMS = {
    "temp": "水温 temperature watertemperature wt",
    "ph": "ph ph值 phvalue",
    "do": "溶解氧 do dissolvedoxygen",
    "codmn": "高锰酸盐指数 codmn permanganateindex permanganate",
    "cod": "化学需氧量 cod codcr chemicaloxygendemand",
    "bod5": "五日生化需氧量 生化需氧量 bod5 bod biochemicaloxygendemand",
    "nh3n": "氨氮 nh3n nh3 nh4n ammonianitrogen ammonia",
    "tp": "总磷 tp totalphosphorus",
    "tn": "总氮 tn totalnitrogen",
    "cu": "铜 cu copper",
    "zn": "锌 zn zinc",
    "fluoride": "氟化物 fluoride fluorides f",
    "se": "硒 se selenium",
    "as": "砷 as arsenic",
    "hg": "汞 hg mercury",
    "cd": "镉 cd cadmium",
    "cr6": "铬(六价) 六价铬 cr6 cr6+ cr(vi) crvi chromium(vi) hexavalentchromium chromiumvi",
    "pb": "铅 pb lead",
    "cn": "氰化物 cn cyanide cyanides",
    "phenol": "挥发酚 phenol phenols volatilephenol volatilephenols",
    "oil": "石油类 oil oils petroleum petroleumoil",
    "las": "阴离子表面活性剂 las anionicsurfactant anionicsurfactants",
    "sulfide": "硫化物 sulfide sulfides sulphide",
    "fecal_coliform": "粪大肠菌群 fecalcoliform fecalcoliforms faecalcoliform fecal_coliform",
    "cond": "电导率 cond conductivity",
    "turb": "浊度 turb turbidity",
    "chla": "叶绿素a 叶绿素α chla chlorophylla",
    "algae": "藻密度 algae algaldensity",
}
ITEM_NAMES: dict[str, str] = {norm(n): code for code, names in _ITEMS.items()
                              for n in names.split()}
UNIT_KIND = {"ph": "ph", "temp": "temp", "fecal_coliform": "count", "cond": "cond",
             "turb": "turb", "algae": "algae"}
CANONICAL_UNIT = {"conc": "mg/L", "ph": "dimensionless", "temp": "℃", "count": "个/L",
                  "cond": "µS/cm", "turb": "NTU", "algae": "cells/L"}
UNIT_FACTORS: dict[str, dict[str, float]] = {
    "conc": {"": 1, "mg/l": 1, "μg/l": 1e-3, "ug/l": 1e-3, "ng/l": 1e-6},
    "ph": {"": 1, "无量纲": 1, "dimensionless": 1, "ph": 1, "1": 1},
    "temp": {"": 1, "℃": 1, "°c": 1, "c": 1, "degc": 1},
    "count": {"": 1, "个/l": 1, "mpn/l": 1, "cfu/l": 1, "个/100ml": 10, "mpn/100ml": 10,
              "cfu/100ml": 10},
    "cond": {"": 1, "μs/cm": 1, "us/cm": 1, "ms/m": 10, "ms/cm": 1000},
    "turb": {"": 1, "ntu": 1},
    "algae": {"": 1, "cells/l": 1, "个/l": 1},
}
SECTION_CODE = {norm(x) for x in ("断面编码", "断面代码", "断面编号", "section_code",
                                  "sectioncode")}
SECTION_NAME = {norm(x) for x in ("断面名称", "断面", "section_name", "sectionname",
                                  "section")}
PROVINCE = {norm(x) for x in ("省份", "省", "province")}
DATE = {norm(x) for x in ("采样日期", "采样时间", "监测日期", "监测时间", "日期", "date",
                          "sample_date", "sampling_date", "sampled_at", "sampledate")}
ITEM = {norm(x) for x in ("监测项目", "项目", "指标", "监测指标", "item", "parameter")}
VALUE = {norm(x) for x in ("监测值", "浓度", "测定值", "结果", "value", "result",
                           "concentration")}
UNIT = {norm(x) for x in ("单位", "unit", "units")}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                "%Y/%m/%d %H:%M", "%Y.%m.%d")
BELOW_DETECTION = r"^(?:<\s*([0-9.]+(?:[eE][-+]?\d+)?)|([0-9.]+(?:[eE][-+]?\d+)?)\s*[Ll])$"


def item_code(label: str) -> tuple[str | None, str]:
    """(item code, unit in the header) of a column or item name; ('总磷(mg/L)' -> tp, mg/L)."""
    key = norm(label)
    if key in ITEM_NAMES:
        return ITEM_NAMES[key], ""
    m = re.fullmatch(r"(.+?)\(([^()]*)\)", key)
    if m and m[1] in ITEM_NAMES:
        return ITEM_NAMES[m[1]], m[2]
    return None, ""


def _roles(labels: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for pos, label in enumerate(labels):
        key = norm(label)
        for role, names in (("code", SECTION_CODE), ("name", SECTION_NAME),
                            ("province", PROVINCE), ("date", DATE), ("item", ITEM),
                            ("value", VALUE), ("unit", UNIT)):
            if key in names and role not in roles:
                roles[role] = pos
    return roles


def layout(labels: list[str]) -> str | None:
    """'long', 'wide' or None for a header row."""
    if is_auto_header(labels):
        return None
    roles = _roles(labels)
    if not ({"code", "name"} & set(roles)) or "date" not in roles:
        return None
    if {"item", "value"} <= set(roles):
        return "long"
    if any(item_code(x)[0] for i, x in enumerate(labels) if i not in roles.values()):
        return "wide"
    return None


def _detect(path: Path, head: bytes, want: str) -> bool:
    if not logical_name(path).lower().endswith((".csv", ".txt")):
        return False
    return layout(first_line(head).split(",")) == want


def parse_manual(path: Path) -> ParsedFile:
    """Parse one manual-results file (long or wide) into samples, sections and quarantine."""
    cells, _ = read_cells(path)
    labels = [str(c) for c in cells.iloc[0].tolist()] if len(cells) else []
    kind = layout(labels)
    if kind is None:
        raise RawFileError(path, "not a manual water-results file", "header not recognised")
    body = cells.iloc[1:]
    body = body[(body != "").any(axis=1)]
    roles = _roles(labels)
    notes: list[str] = []

    def col(role: str) -> pd.Series:
        if role not in roles:
            return pd.Series([""] * len(body), index=body.index, dtype=object)
        return body[roles[role]].astype(str).str.strip()

    base = pd.DataFrame({"line_no": body.index.to_numpy() + 1, "code": col("code"),
                         "name": col("name"), "province": col("province"),
                         "date": col("date")})
    if kind == "long":
        long = base.assign(item=col("item"), value=col("value"), unit=col("unit"),
                           column=labels[roles["value"]], item_label=labels[roles["item"]])
    else:
        parts, ignored = [], []
        for pos, label in enumerate(labels):
            if pos in roles.values():
                continue
            code, unit = item_code(label)
            if code is None:
                if label.strip():
                    ignored.append(label)
                continue
            parts.append(base.assign(item=label, value=body[pos].astype(str).str.strip(),
                                     unit=unit, column=label, item_label=label))
        long = pd.concat(parts, ignore_index=True)
        if ignored:
            notes.append(f"columns not read: {', '.join(ignored)}")
    return _to_parsed(LONG_FORMAT if kind == "long" else WIDE_FORMAT, long, notes)


def _to_parsed(fmt: str, long: pd.DataFrame, notes: list[str]) -> ParsedFile:
    q: list[pd.DataFrame] = []
    long = long[~long["value"].isin(MISSING_TOKENS)].reset_index(drop=True)
    line = long["line_no"].to_numpy()

    def reject(mask: np.ndarray, reason: str, column: pd.Series | str, raw: pd.Series) -> None:
        cols = column[mask].to_numpy() if isinstance(column, pd.Series) else column
        q.append(quarantine_frame(line[mask], "", reason, raw[mask].to_numpy())
                 .assign(column_name=cols))

    ok = np.ones(len(long), dtype=bool)
    no_section = ((long["code"] == "") & (long["name"] == "")).to_numpy()
    reject(no_section, "missing_section", "断面", long["name"])
    ok &= ~no_section
    param = long["item"].map(lambda s: item_code(s)[0])
    unknown = ok & param.isna().to_numpy()
    reject(unknown, "unknown_item", long["item_label"], long["item"])
    ok &= ~unknown
    stamps = parse_dates(long["date"], DATE_FORMATS)
    bad_date = ok & stamps.isna().to_numpy()
    reject(bad_date, "bad_timestamp", "date", long["date"])
    ok &= ~bad_date

    value_text = long["value"]
    below = value_text.str.extract(BELOW_DETECTION)
    limit = pd.to_numeric(below[0].fillna(below[1]), errors="coerce").to_numpy()
    is_below = ~np.isnan(limit)
    number = pd.to_numeric(value_text, errors="coerce").to_numpy(dtype="float64")
    value = np.where(is_below, limit / 2, number)
    non_numeric = ok & ~np.isfinite(value)
    reject(non_numeric, "non_numeric", long["column"], value_text)
    ok &= ~non_numeric
    header_unit = long["item"].map(lambda s: item_code(s)[1])
    unit_text = long["unit"].where(long["unit"] != "", header_unit).map(norm)
    kind = param.map(lambda p: UNIT_KIND.get(p, "conc"))
    factor = pd.Series([UNIT_FACTORS[k].get(u, np.nan) if isinstance(k, str) else np.nan
                        for k, u in zip(kind, unit_text, strict=True)], dtype="float64")
    bad_unit = ok & factor.isna().to_numpy()
    reject(bad_unit, "bad_unit", long["column"], long["unit"])
    ok &= ~bad_unit
    value = value * factor.to_numpy()
    low = param.map(lambda p: PLAUSIBLE.get(p, (0.0, np.inf))[0]).to_numpy(dtype="float64")
    high = param.map(lambda p: PLAUSIBLE.get(p, (0.0, np.inf))[1]).to_numpy(dtype="float64")
    negative, impossible = implausible(value, low, high)
    negative, impossible = ok & negative, ok & impossible
    reject(negative, "negative", long["column"], value_text)
    reject(impossible, "impossible_value", long["column"], value_text)
    ok &= ~(negative | impossible)
    if (is_below & ok).any():
        notes.append(f"{int((is_below & ok).sum())} values below the detection limit "
                     "loaded as half the limit")

    codes = long["code"].where(long["code"] != "",
                               placeholder_codes(long["province"], long["name"]))
    rows = pd.DataFrame({"section_code": codes, "sampled_at": stamps.to_numpy(),
                         "parameter": param, "value": value, "line_no": line,
                         "column": long["column"], "raw": value_text})[ok]
    kept, conflicts = split_conflicts(rows, ["section_code", "sampled_at", "parameter"], "value")
    q.append(quarantine_frame(conflicts["line_no"], "", "duplicate_conflict", conflicts["raw"])
             .assign(column_name=conflicts["column"].to_numpy()))
    samples = kept.assign(
        unit=kept["parameter"].map(lambda p: CANONICAL_UNIT[UNIT_KIND.get(p, "conc")]),
        method="manual",
    ).rename(columns={"column": "column_name"})[
        ["section_code", "sampled_at", "parameter", "value", "unit", "method", "line_no",
         "column_name"]]
    sections = pd.DataFrame({"section_code": codes,
                             "section_name": long["name"].where(long["name"] != "", codes),
                             "province": long["province"].replace("", None),
                             "river": None, "basin": None})[~no_section]
    sections = sections.drop_duplicates("section_code").reset_index(drop=True)
    lake = sections["section_code"].isin(kept.loc[kept["parameter"].isin(["chla", "algae"]),
                                                   "section_code"])
    sections["water_type"] = guess_water_type(lake).to_numpy()
    sections["registered"] = False
    sections["region_code"] = None
    sections["locality"] = None
    return ParsedFile(
        format=fmt,
        tables={
            "water_section_samples": pa.Table.from_pandas(
                samples.reset_index(drop=True), schema=SAMPLE_SCHEMA, preserve_index=False
            ),
            "water_sections": pa.Table.from_pandas(
                sections, schema=SECTION_SCHEMA, preserve_index=False
            ),
        },
        quarantine=quarantine_table(q),
        notes=notes,
    )


register_format(FormatSpec(name=LONG_FORMAT, detect=lambda p, h: _detect(p, h, "long"),
                           parse=parse_manual, prepare=prepare))
register_format(FormatSpec(name=WIDE_FORMAT, detect=lambda p, h: _detect(p, h, "wide"),
                           parse=parse_manual, prepare=prepare))
