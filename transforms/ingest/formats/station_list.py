"""Station lists (监测点列表): code, name, city, coordinates and the 对照点 flag, any vintage.

CNEMC station lists circulate as CSV in GBK or UTF-8 with Chinese headers (监测点编码,
监测点名称, 城市, 经度, 纬度[, 对照点, 省级行政区, 地级行政区]) or English ones (code, name,
city, lon, lat, ...). A file is a station list when its header names a station code, a name,
a longitude and a latitude. Rows go to `stations` with registered = true and source = the
file; the registry merge (transforms/ingest/engine.py) keeps configured rows, lets a later list
replace an earlier list's row, and replaces the placeholder rows made for unknown codes.

Rules:
- is_background (对照点: not used for city values, HJ 663 / docs/standards.md §3.1) comes from the
  flag column (Y/N, 是/否, 1/0, true/false); a list without one (or a blank flag) marks
  control stations with "(对照点)" or "（对照点）" in the name and leaves the others unstated
  (NULL): the merge then keeps what an earlier list said (StationList-2020 has no flag and
  names 1002A 定陵 without the mark; NewSiteList flags it Y) and a new code gets False.
  city_assessment = not is_background (a national list names a city's evaluation stations,
  评价点); the bureau's configuration overrides both.
- Names are trimmed (also full-width spaces) and lose the spaces next to Chinese characters
  ("二  印" -> "二印", "白马寺 (对照点)" -> "白马寺(对照点)"); status notes such as "(停运150702)"
  stay in the name.
- Coordinates "" or "-" are missing. A coordinate that is not a number or lies outside China
  (lon 73..136, lat 3..54) is quarantined and the station loads without coordinates: the code,
  name and flag are still good.
- A line without a code is quarantined (`missing_code`). A code listed twice with different
  content: the last line wins (lists are appended to) and the earlier lines are quarantined
  (`duplicate_conflict`); identical repeats are one station.
- region_code: the file's own region_code column when it has one; otherwise, in `prepare`
  (inside the file's transaction, against the warehouse's registry of regions: national
  divisions plus the bureau's), the station's city is found by its names
  (transforms/ingest/station_regions.py): 城市, and 省级行政区 / 地级行政区 where the list
  has them. A station of a county-level city (寿光) gets the county's code and does not count
  toward its prefecture's city value. region_note says how, or why a station stays
  unassigned; unassigned stations are listed in the file's notes and never stop the load.
  The bureau's stations.csv still wins (configured rows are never changed by a file).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.ingest.cell_values import (
    MISSING_TOKENS,
    checked_numbers,
    first_line,
    header_key,
    quarantine_frame,
    quarantine_table,
    read_raw_table,
)
from transforms.ingest.engine import FormatSpec, ParsedFile, register_format
from transforms.ingest.raw_files import RawFileError, logical_name
from transforms.ingest.registry import (  # noqa: F401 - re-exported for tests
    assign_station_regions,
    load_region_config,
    load_station_config,
    national_region_changes,
    registry_regions,
)
from transforms.ingest.station_regions import assign_stations

log = logging.getLogger(__name__)

FORMAT_NAME = "station_list"

# Header names per field (compared after header_key: no spaces or quotes, lower case).
HEADER_ALIASES: dict[str, frozenset[str]] = {
    "station_code": frozenset(
        {"监测点编码", "监测点代码", "站点编码", "站点代码", "code", "station_code", "stationcode",
         "site_code", "sitecode"}
    ),
    "station_name": frozenset(
        {"监测点名称", "站点名称", "监测点", "name", "station_name", "stationname", "positionname",
         "site_name"}
    ),
    "city": frozenset({"城市", "所属城市", "city", "area"}),
    "lon": frozenset({"经度", "lon", "lng", "longitude"}),
    "lat": frozenset({"纬度", "lat", "latitude"}),
    "is_background": frozenset(
        {"对照点", "是否对照点", "is_background", "background", "control", "control_point"}
    ),
    "region_code": frozenset({"region_code"}),
    "province": frozenset({"省级行政区", "省份", "省", "所属省份", "province"}),
    "prefecture": frozenset({"地级行政区", "地级市", "所属地市", "prefecture"}),
    "city_assessment": frozenset({"city_assessment"}),
}
REQUIRED_FIELDS = ("station_code", "station_name", "lon", "lat")
FLAG_VALUES = {
    "y": True, "yes": True, "是": True, "1": True, "true": True, "t": True,
    "n": False, "no": False, "否": False, "0": False, "false": False, "f": False,
}
BACKGROUND_MARK = re.compile(r"[（(]\s*对照点\s*[)）]")
# Spaces next to a Chinese character or a bracket carry nothing in a station name.
CJK = r"[\u3000-\u9fff\uff00-\uffef()（）]"
CJK_SPACE = re.compile(rf"(?<={CJK})\s+|\s+(?={CJK})")
CHINA_EXTENT = {"lon": (73.0, 136.0), "lat": (3.0, 54.0)}

STATION_SCHEMA = pa.schema(
    [
        ("station_code", pa.string()),
        ("station_name", pa.string()),
        ("region_code", pa.string()),
        ("city", pa.string()),
        ("lon", pa.float64()),
        ("lat", pa.float64()),
        ("is_background", pa.bool_()),
        ("city_assessment", pa.bool_()),
        ("registered", pa.bool_()),
        ("source", pa.string()),
        ("region_note", pa.string()),
        # names the assignment reads in `prepare`, then drops (not stored)
        ("province", pa.string()),
        ("prefecture", pa.string()),
        ("line_no", pa.int64()),  # provenance (transforms.ingest.engine.PROVENANCE_COLUMNS)
    ]
)


def header_fields(cells: list[str]) -> dict[str, int]:
    """Field name -> column position for the header cells that name a known field."""
    found: dict[str, int] = {}
    for pos, cell in enumerate(cells):
        key = header_key(cell)
        for field, aliases in HEADER_ALIASES.items():
            if key in aliases and field not in found:
                found[field] = pos
    return found


def detect(path: Path, head: bytes) -> bool:
    """A station list names a code, a name, a longitude and a latitude in its header."""
    fields = header_fields(first_line(head).split(","))
    return all(f in fields for f in REQUIRED_FIELDS)


def clean_names(names: pd.Series) -> pd.Series:
    """Trim (full-width spaces too) and drop the spaces next to Chinese characters."""
    return names.str.strip().str.replace(CJK_SPACE, "", regex=True)


def parse(path: Path) -> ParsedFile:
    """Parse one station list into `stations` rows plus the quarantined cells."""
    raw = read_raw_table(path)
    cells, encoding = raw.cells, raw.encoding
    fields = header_fields(cells.iloc[0].tolist())
    missing = [f for f in REQUIRED_FIELDS if f not in fields]
    if missing:
        raise RawFileError(path, "station list without column", ", ".join(missing))
    body = cells.iloc[1:]
    body = body[(body != "").any(axis=1)]
    line_no = body.index.to_numpy(dtype="int64") + 1
    raw_lines = raw.line_text(line_no)
    quarantine: list[pd.DataFrame] = []

    def column(field: str) -> pd.Series:
        if field in fields:
            return body[fields[field]].astype(str).str.strip()
        return pd.Series("", index=body.index, dtype="str")

    code = column("station_code")
    no_code = (code == "").to_numpy()
    quarantine.append(
        quarantine_frame(line_no[no_code], "station_code", "missing_code", raw_lines[no_code])
    )

    name = clean_names(column("station_name"))
    lonlat = {}
    for axis in ("lon", "lat"):
        values, q = checked_numbers(column(axis), line_no, body_header(cells, fields, axis))
        low, high = CHINA_EXTENT[axis]
        outside = (values < low) | (values > high)
        quarantine += [
            q,
            quarantine_frame(
                line_no[outside], body_header(cells, fields, axis), "impossible_value",
                column(axis).to_numpy(dtype=object)[outside],
            ),
        ]
        values[outside] = np.nan
        lonlat[axis] = values

    # True / False where the list states it, NA where it does not (the merge then keeps the
    # earlier list's flag, or defaults to False for a new code).
    marked = name.str.contains(BACKGROUND_MARK)
    is_background = marked.where(marked, pd.NA).astype("boolean")
    if "is_background" in fields:
        flag_text = column("is_background")
        flag = flag_text.str.lower().map(FLAG_VALUES).astype("boolean")
        bad_flag = (flag.isna() & ~flag_text.isin(MISSING_TOKENS)).to_numpy()
        quarantine.append(
            quarantine_frame(
                line_no[bad_flag], body_header(cells, fields, "is_background"), "bad_flag",
                flag_text.to_numpy(dtype=object)[bad_flag],
            )
        )
        is_background = flag.where(flag.notna(), is_background)
    city_assessment = ~is_background
    if "city_assessment" in fields:
        assess = column("city_assessment").str.lower().map(FLAG_VALUES).astype("boolean")
        city_assessment = assess.where(assess.notna(), city_assessment)

    region = column("region_code")
    stations = pd.DataFrame(
        {
            "station_code": code.to_numpy(dtype=object),
            "station_name": name.replace("", None).to_numpy(dtype=object),
            "region_code": region.replace("", None).to_numpy(dtype=object),
            "city": column("city").replace("", None).to_numpy(dtype=object),
            "province": column("province").replace("", None).to_numpy(dtype=object),
            "prefecture": column("prefecture").replace("", None).to_numpy(dtype=object),
            "lon": lonlat["lon"],
            "lat": lonlat["lat"],
            "is_background": is_background.to_numpy(dtype=object),
            "city_assessment": city_assessment.to_numpy(dtype=object),
            "line_no": line_no,
            "raw": raw_lines,
        }
    )[~no_code]
    stations, conflicts = last_listing_wins(stations)
    quarantine.append(conflicts)

    stations = stations.drop(columns=["raw"])
    stations["registered"] = True
    stations["source"] = str(path)
    stations["region_note"] = np.where(stations["region_code"].notna(), "region_code column",
                                       None)
    table = pa.Table.from_pandas(stations, schema=STATION_SCHEMA, preserve_index=False)
    header = cells.iloc[0].tolist()
    unused = [h for pos, h in enumerate(header) if pos not in fields.values() and h.strip()]
    notes = [f"{logical_name(path)}: {table.num_rows} stations ({encoding})"]
    if unused:
        notes.append(f"{logical_name(path)}: columns not stored: {', '.join(unused)}")
    return ParsedFile(
        FORMAT_NAME, {"stations": table}, quarantine_table(quarantine), notes
    )


def body_header(cells: pd.DataFrame, fields: dict[str, int], field: str) -> str:
    """The file's own header text for a field (quarantine rows name the column as written)."""
    return str(cells.iloc[0, fields[field]]).strip() if field in fields else field


def last_listing_wins(stations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per code: identical repeats collapse; otherwise the last line wins and the
    earlier lines of that code are returned for quarantine (`duplicate_conflict`)."""
    content = [c for c in stations.columns if c not in ("line_no", "raw")]
    unique = stations.drop_duplicates(subset=content, keep="last")
    earlier = unique.duplicated(subset=["station_code"], keep="last").to_numpy()
    conflicts = quarantine_frame(
        unique["line_no"].to_numpy()[earlier], "station_code", "duplicate_conflict",
        unique["raw"].to_numpy()[earlier],
    )
    return unique[~earlier], conflicts


def prepare(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> None:
    """Assign the listed stations their city from the warehouse's regions (the national
    registry when none are loaded); note the assignment and every station that needs a look."""
    table = parsed.tables["stations"]
    frame = table.to_pandas()
    regions = con.execute(
        "select region_code, name, level, parent_code, short_name, province_code, kind "
        "from regions"
    ).df()
    if regions.empty:
        regions = registry_regions(None)
    configured = {c for (c,) in con.execute(
        "select station_code from stations where source = 'config'").fetchall()}
    known = con.execute(
        "select s.region_code, s.lon, s.lat from stations s join regions r using (region_code) "
        "where r.level = 'city' and s.lon is not null and s.lat is not null"
    ).df()
    todo = frame["region_code"].isna() & ~frame["station_code"].isin(configured)
    result = assign_stations(frame[todo], regions, national_region_changes(), known)
    found = result.stations.set_index("station_code")
    at = frame.loc[todo, "station_code"]
    frame.loc[todo, "region_code"] = at.map(found["region_code"]).to_numpy()
    frame.loc[todo, "region_note"] = at.map(found["region_note"]).to_numpy()
    county = at.map(found["county"]).fillna(False).astype(bool).to_numpy()
    frame.loc[frame.index[todo.to_numpy()][county], "city_assessment"] = False
    frame = frame.drop(columns=["province", "prefecture"])
    schema = pa.schema([f for f in STATION_SCHEMA if f.name not in ("province", "prefecture")])
    parsed.tables["stations"] = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    name = logical_name(Path(frame["source"].iloc[0])) if len(frame) else "station list"
    assigned = int(found["region_code"].notna().sum())
    parsed.notes.append(
        f"{name}: {assigned} of {len(found)} listed stations assigned a region "
        f"({int(found['county'].sum())} of them to a county-level city), "
        f"{len(found) - assigned} unassigned"
        + (f"; {len(configured & set(frame['station_code']))} configured stations kept"
           if configured else "")
    )
    parsed.notes.extend(f"{name}: {line}" for line in result.problems)
    if result.problems:
        more = len(result.problems) - 3
        log.warning("%s: %d stations need a look, e.g. %s%s", name, len(result.problems),
                    "; ".join(result.problems[:3]), f" (+{more} more)" if more > 0 else "")


register_format(FormatSpec(name=FORMAT_NAME, detect=detect, parse=parse, prepare=prepare))
