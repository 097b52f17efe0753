"""Assign the stations of a national station list to their prefecture-level city.

Station lists give names, not codes: a city column (城市: 北京, 朝阳, 海西州, 寿光, 铜仁地区) and,
in some vintages, the province (省级行政区) and prefecture (地级行政区) in full. Each station
is matched against the registry (national divisions plus the bureau's regions) in this order,
the first step with a match deciding:

1. the city column as a prefecture-level unit (municipality, prefecture, or a county-level
   unit under a province directly: 石河子), by full name, short name, then looser forms of
   autonomous prefectures (伊犁哈萨克州, 克州), then former names (莱芜 -> 济南市);
2. the city column as a county (寿光 -> 寿光市 of 潍坊市; 胶南 -> 黄岛区 of 青岛市 through the
   history of divisions): CNEMC lists the stations of county-level cities under their own
   name, and they are not part of the prefecture's city value (HJ 663 评价点 of the city),
   so the station gets the county's code (its city is the county's parent) and does not
   count toward the city (city_assessment false);
3. the prefecture column, as in step 1.

Candidates outside the province named by the list are dropped. A name that still names
several cities is decided by the coordinates: the city whose stations (those assigned without
doubt) lie nearest, within MAX_CENTROID_KM. A station that cannot be assigned keeps no region
and a line saying why; nothing stops the load.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from transforms.ingest.region_names import loose_aliases, short_name

MAX_CENTROID_KM = 150.0
# name tiers: lower wins within a step
TIER_NAME, TIER_SHORT, TIER_LOOSE, TIER_FORMER_CITY, TIER_COUNTY_NAME, TIER_COUNTY_SHORT, \
    TIER_FORMER_COUNTY = range(7)
STEP_TIERS = {
    1: (TIER_NAME, TIER_SHORT, TIER_LOOSE, TIER_FORMER_CITY),
    2: (TIER_COUNTY_NAME, TIER_COUNTY_SHORT, TIER_FORMER_COUNTY),
    3: (TIER_NAME, TIER_SHORT, TIER_LOOSE, TIER_FORMER_CITY),
}
STEP_COLUMN = {1: "city", 2: "city", 3: "prefecture"}
COUNTY_STEP = 2
COLUMN_LABEL = {"city": "城市", "prefecture": "地级行政区", "province": "省级行政区"}


@dataclass(frozen=True)
class Assignment:
    """Per station: region_code (None when unassigned; a county's code when the list names a
    county-level city), city_code (its prefecture-level city), county (matched as a county)
    and region_note (how, or why not);
    problems: one line per station that needs a look (unassigned, unknown province, no
    coordinates, a prefecture column contradicted)."""

    stations: pd.DataFrame
    problems: list[str]


def complete_regions(regions: pd.DataFrame) -> pd.DataFrame:
    """Regions with short_name and province_code filled (a bureau's rows may lack them)."""
    out = regions.copy()
    for col in ("short_name", "province_code", "kind"):
        if col not in out.columns:
            out[col] = None
    out["short_name"] = out["short_name"].where(
        out["short_name"].notna(), out["name"].map(short_name)
    )
    parent = dict(zip(out["region_code"], out["parent_code"], strict=True))
    top = out["region_code"].copy()
    for _ in range(4):  # province <- city <- county: three steps at most
        up = top.map(parent)
        top = top.where(up.isna(), up)
    out["province_code"] = out["province_code"].where(out["province_code"].notna(), top)
    return out


def name_table(regions: pd.DataFrame, changes: pd.DataFrame | None) -> pd.DataFrame:
    """(key, tier, target, province_code, unit): every written form of every unit and the
    code it stands for (a city-level unit, or a county of a city)."""
    level = dict(zip(regions["region_code"], regions["level"], strict=True))
    rows: list[tuple[str, int, str, str, str]] = []
    for r in regions.itertuples(index=False):
        if r.level == "city":
            rows += [(r.name, TIER_NAME, r.region_code, r.province_code, r.name),
                     (r.short_name, TIER_SHORT, r.region_code, r.province_code, r.name)]
            rows += [(a, TIER_LOOSE, r.region_code, r.province_code, r.name)
                     for a in loose_aliases(r.name)]
        elif r.level == "county" and level.get(r.parent_code) == "city":
            rows += [(r.name, TIER_COUNTY_NAME, r.region_code, r.province_code, r.name),
                     (r.short_name, TIER_COUNTY_SHORT, r.region_code, r.province_code, r.name)]
    if changes is not None and len(changes):
        parent = dict(zip(regions["region_code"], regions["parent_code"], strict=True))
        province = dict(zip(regions["region_code"], regions["province_code"], strict=True))
        for c in changes.dropna(subset=["new_code"]).itertuples(index=False):
            new_level = level.get(c.new_code)
            if new_level is None or level.get(
                    c.new_code if new_level == "city" else parent.get(c.new_code)) != "city":
                continue
            target = c.new_code
            tier = TIER_FORMER_CITY if c.level == "city" else TIER_FORMER_COUNTY
            unit = f"{c.old_name} (now {c.new_name})"
            for key in {c.old_name, short_name(c.old_name)}:
                rows.append((key, tier, target, province[c.new_code], unit))
    table = pd.DataFrame(rows, columns=["key", "tier", "target", "province_code", "unit"])
    return table.drop_duplicates(["key", "tier", "target"])


def province_codes(regions: pd.DataFrame) -> dict[str, str]:
    """Province column values (full or short name) -> province code (municipalities too)."""
    tops = regions[regions["region_code"] == regions["province_code"]]
    out = dict(zip(tops["short_name"], tops["region_code"], strict=True))
    out.update(zip(tops["name"], tops["region_code"], strict=True))
    return out


def assign_stations(
    stations: pd.DataFrame,
    regions: pd.DataFrame,
    changes: pd.DataFrame | None = None,
    known: pd.DataFrame | None = None,
) -> Assignment:
    """Assign each station (station_code, station_name, city[, province, prefecture], lon,
    lat) its prefecture-level region_code; `known` (region_code, lon, lat) adds stations
    already assigned elsewhere to the coordinates that settle ambiguous names."""
    regions = complete_regions(regions)
    names = name_table(regions, changes)
    frame = stations.copy()
    for col in ("city", "province", "prefecture"):
        if col not in frame.columns:
            frame[col] = None
        frame[col] = frame[col].where(frame[col].notna(), "").astype(str).str.strip()
    provinces = province_codes(regions)
    frame["province_code"] = frame["province"].map(
        lambda v: provinces.get(v) or provinces.get(short_name(v)) if v else None
    )

    candidates = _candidates(frame, names)
    chosen, why = _choose(frame, candidates, regions, known)
    frame["region_code"] = frame["station_code"].map(chosen).astype(object)
    level = dict(zip(regions["region_code"], regions["level"], strict=True))
    parent = dict(zip(regions["region_code"], regions["parent_code"], strict=True))
    frame["county"] = frame["region_code"].map(level).eq("county")
    frame["city_code"] = frame["region_code"].where(~frame["county"],
                                                    frame["region_code"].map(parent))
    frame["region_note"] = frame["station_code"].map(why).astype(object)
    frame = frame.astype({"region_code": object, "region_note": object,
                          "city_code": object}).where(frame.notna(), None)
    problems, reasons = _problems(frame, candidates, regions)
    unassigned = frame["region_code"].isna()
    frame.loc[unassigned, "region_note"] = frame.loc[unassigned, "station_code"].map(reasons)
    columns = ["station_code", "region_code", "city_code", "county", "region_note"]
    return Assignment(frame[columns], problems)


def _candidates(frame: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """All (station, step, tier, target) name matches, dropped outside the list's province."""
    parts = []
    for step, column in STEP_COLUMN.items():
        values = frame[["station_code", column, "province_code"]].rename(columns={column: "value"})
        values = values[values["value"] != ""]
        keys = pd.concat([values.assign(key=values["value"]),
                          values.assign(key=values["value"].map(short_name))]).drop_duplicates()
        hits = keys.merge(names[names["tier"].isin(STEP_TIERS[step])], on="key",
                          suffixes=("", "_unit"))
        parts.append(hits.assign(step=step, column=column))
    hits = pd.concat(parts, ignore_index=True)
    hits["in_province"] = hits["province_code"].isna() | (
        hits["province_code"] == hits["province_code_unit"]
    )
    return hits


def _choose(
    frame: pd.DataFrame, hits: pd.DataFrame, regions: pd.DataFrame, known: pd.DataFrame | None
) -> tuple[dict[str, str], dict[str, str]]:
    """Station -> region_code and station -> note, from the best-ranked matches."""
    name = dict(zip(regions["region_code"], regions["name"], strict=True))
    ok = hits[hits["in_province"]].copy()
    ok["rank"] = ok["step"] * 10 + ok["tier"]
    best = ok[ok["rank"] == ok.groupby("station_code")["rank"].transform("min")].copy()
    # a county name found in several places: the prefecture column, where given, decides
    parent = dict(zip(regions["region_code"], regions["parent_code"], strict=True))
    pref = ok[ok["step"] == 3].groupby("station_code")["target"].agg(set)
    city_of = best["target"].where(best["step"] != COUNTY_STEP, best["target"].map(parent))
    best["in_prefecture"] = [
        c in pref.get(s, ()) for s, c in zip(best["station_code"], city_of, strict=True)
    ]
    keep = best["in_prefecture"] | ~best.groupby("station_code")["in_prefecture"].transform("any")
    best = best[keep]
    targets = best.groupby("station_code")["target"].agg(lambda t: sorted(set(t)))
    chosen: dict[str, str] = {}
    why: dict[str, str] = {}
    first = best.drop_duplicates("station_code").set_index("station_code")
    for code, options in targets.items():
        if len(options) == 1:
            hit = first.loc[code]
            chosen[code] = options[0]
            via = "" if hit["unit"] == name[options[0]] else f" via {hit['unit']}"
            why[code] = f"{COLUMN_LABEL[hit['column']]} '{hit['value']}'{via}"
    located = frame.set_index("station_code")[["lon", "lat"]]
    centroids = _centroids(chosen, located, known)
    for code, options in targets.items():
        if len(options) == 1:
            continue
        hit = first.loc[code]
        label = f"{COLUMN_LABEL[hit['column']]} '{hit['value']}'"
        names_of = " or ".join(f"{name[o]} {o}" for o in options)
        lon, lat = located.loc[code, "lon"], located.loc[code, "lat"]
        if pd.isna(lon) or pd.isna(lat):
            why[code] = f"{label} names {names_of}; no coordinates to decide"
            continue
        # a county without stations of its own is judged by its city's stations
        spots = {o: centroids.get(o) or centroids.get(parent.get(o)) for o in options}
        near = [(o, _km(lon, lat, *spot)) for o, spot in spots.items() if spot is not None]
        near.sort(key=lambda t: t[1])
        if near and near[0][1] <= MAX_CENTROID_KM and (len(near) == 1 or near[1][1] > near[0][1]):
            chosen[code] = near[0][0]
            why[code] = (f"{label} names {names_of}; the coordinates decide "
                         f"({near[0][1]:.0f} km from its stations)")
        else:
            why[code] = f"{label} names {names_of}; the coordinates do not decide"
    return chosen, why


def _centroids(
    chosen: dict[str, str], located: pd.DataFrame, known: pd.DataFrame | None
) -> dict[str, tuple[float, float]]:
    """Mean coordinates of the stations of each city (assigned ones and `known` ones)."""
    parts = [pd.DataFrame({"region_code": pd.Series(chosen)}).join(located)]
    if known is not None and len(known):
        parts.append(known[["region_code", "lon", "lat"]])
    points = pd.concat(parts).dropna()
    means = points.groupby("region_code")[["lon", "lat"]].mean()
    return {c: (r.lon, r.lat) for c, r in means.iterrows()}


def _km(lon: float, lat: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine, km)."""
    p1, p2 = np.radians(lat), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(6371.0 * 2 * np.arcsin(np.sqrt(a)))


def _problems(
    frame: pd.DataFrame, hits: pd.DataFrame, regions: pd.DataFrame
) -> tuple[list[str], dict[str, str]]:
    """One line per station that needs a look, in list order; the reason of each unassigned
    station."""
    name = dict(zip(regions["region_code"], regions["name"], strict=True))
    elsewhere = hits.groupby("station_code")["in_province"].agg(lambda s: not s.any())
    matched = set(hits["station_code"])
    in_pref = hits[(hits["step"] == 3) & hits["in_province"]]
    pref_targets = in_pref.groupby("station_code")["target"].agg(set).to_dict()
    lines = []
    reasons: dict[str, str] = {}
    for s in frame.itertuples(index=False):
        head = f"{s.station_code} {s.station_name or ''}".rstrip()
        where = (f"城市 '{s.city}'" + (f", 地级行政区 '{s.prefecture}'" if s.prefecture else "")
                 + (f", 省级行政区 '{s.province}'" if s.province else ""))
        if s.province and pd.isna(s.province_code):
            lines.append(f"{head}: unknown province '{s.province}' (matched by the city alone)")
        if pd.isna(s.region_code):
            if not s.city and not s.prefecture:
                reason = "no city name"
            elif s.station_code not in matched:
                reason = f"{where} matches no region"
                if s.city.endswith("新区") or s.prefecture.endswith("新区"):
                    reason += " (a 新区 is a development area, not an administrative division)"
            elif elsewhere.get(s.station_code, False):
                reason = f"{where}: the names match regions of another province only"
            else:
                reason = s.region_note or "no match"
            lines.append(f"{head}: unassigned: {reason}")
            reasons[s.station_code] = f"unassigned: {reason}"
            continue
        if pd.isna(s.lon) or pd.isna(s.lat):
            lines.append(f"{head}: no coordinates (assigned by name to {name[s.region_code]})")
        if s.prefecture and s.region_note.startswith("城市"):
            pref = pref_targets.get(s.station_code)
            if pref and s.city_code not in pref:
                lines.append(
                    f"{head}: 地级行政区 '{s.prefecture}' contradicts 城市 '{s.city}': "
                    f"took {name[s.region_code]} {s.region_code}"
                )
    return lines, reasons
