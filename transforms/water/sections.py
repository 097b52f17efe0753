"""The surface-water section registry: configured sections and placeholders for unknown ones.

Sections are keyed by section_code. The bureau's registry (data/config/water_sections.csv) gives
code, name, province, river, basin, type (river / lake), responsible region, control level,
target class and whether the section is a drinking-water source. Automatic-station exports
carry only a name (and province, basin), so their rows are matched to the registry by name and
province; a section found in no registry gets a placeholder row (registered = false) whose code
is derived from province + name, so that nothing is dropped and a run can list the unknown
sections. When the registry later names such a section, its data move to the configured code.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.ingest.raw_files import decode_text, read_bytes

PLACEHOLDER_PREFIX = "UNREG-"
SECTION_COLUMNS = (
    "section_code", "section_name", "province", "river", "basin", "water_type",
    "region_code", "control_level", "target_class", "is_drinking_source",
)
SECTION_SCHEMA = pa.schema(
    [
        ("section_code", pa.string()),
        ("section_name", pa.string()),
        ("province", pa.string()),
        ("river", pa.string()),
        ("basin", pa.string()),
        ("water_type", pa.string()),
        ("registered", pa.bool_()),
        ("region_code", pa.string()),
        ("locality", pa.string()),  # 所在地市 as the site publishes it
    ]
)
WATER_TYPE_WORDS = {
    "river": "river", "河流": "river", "河": "river",
    "lake": "lake", "reservoir": "lake", "lake-reservoir": "lake", "湖库": "lake",
    "湖泊": "lake", "水库": "lake", "湖": "lake", "库": "lake",
}
CONTROL_WORDS = {
    "national": "national", "国控": "national", "国考": "national",
    "provincial": "provincial", "省控": "provincial", "省考": "provincial",
    "municipal": "municipal", "市控": "municipal", "市考": "municipal",
}
TRUE_WORDS = {"y", "yes", "true", "1", "是"}
FALSE_WORDS = {"n", "no", "false", "0", "否", ""}
ROMAN_CLASSES = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "劣Ⅴ": 6,
                 "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "劣V": 6}
class SectionConfigError(ValueError):
    """The section registry file breaks a rule (named with its line)."""


def normalise_name(names: pd.Series) -> pd.Series:
    """Names reduced for matching: NFKC (full-width brackets -> ASCII), no whitespace."""
    text = names.fillna("").astype(str)
    uniq = text.unique()
    lookup = {s: re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)) for s in uniq}
    return pd.Series([lookup[s] for s in text], index=names.index, dtype=object)


def placeholder_codes(province: pd.Series, name: pd.Series) -> pd.Series:
    """Deterministic code of an unregistered section: UNREG- + 10 hex of sha1(province|name)."""
    key = normalise_name(province) + "|" + normalise_name(name)
    lookup = {
        k: PLACEHOLDER_PREFIX + hashlib.sha1(k.encode("utf-8")).hexdigest()[:10].upper()
        for k in key.unique()
    }
    return pd.Series([lookup[k] for k in key], index=key.index, dtype=object)


def guess_water_type(has_lake_parameters: pd.Series) -> pd.Series:
    """'lake' or 'river' for a section found in no registry (the exports do not say).

    The national automatic stations publish chlorophyll-a and algae density at lake and
    reservoir sites ('*' elsewhere), so a section with any such value is taken as a lake. Names
    mislead: on the real 2021-04 exports 20 sections named …水库/…湖 are classed with river TP
    limits by the publisher (river-type reservoirs are assessed as rivers, docs/standards.md §6.5)
    and in-lake points have names like 三道 or 鹿角; measured by
    transforms/conformance/water_class_agreement.py. The registry's water_type always wins.
    """
    lake = has_lake_parameters.fillna(False).astype(bool).to_numpy()
    return pd.Series(np.where(lake, "lake", "river"), index=has_lake_parameters.index,
                     dtype=object)


def read_section_config(path: Path) -> pd.DataFrame:
    """The registry file as a checked frame (raises SectionConfigError naming the line)."""
    import io

    text, _ = decode_text(read_bytes(path), path)
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df.columns = [c.strip().lower() for c in df.columns]
    missing = {"section_code", "section_name"} - set(df.columns)
    if missing:
        raise SectionConfigError(f"{path}: missing columns {sorted(missing)}")
    for col in SECTION_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df = df[list(SECTION_COLUMNS)].apply(lambda s: s.str.strip())
    line = pd.Series(np.arange(2, len(df) + 2), index=df.index)

    def fail(mask: pd.Series, rule: str, col: str) -> None:
        if mask.any():
            first = mask.idxmax()
            raise SectionConfigError(
                f"{path}: line {line[first]}: {rule} ({col}={df.at[first, col]!r})"
            )

    fail(df["section_code"] == "", "empty section_code", "section_code")
    fail(df["section_name"] == "", "empty section_name", "section_name")
    fail(df["section_code"].duplicated(), "duplicate section_code", "section_code")
    wt = df["water_type"].str.lower().replace("", "river").map(WATER_TYPE_WORDS)
    fail(wt.isna(), "water_type must be river or lake", "water_type")
    cl = df["control_level"].str.lower().map(lambda s: CONTROL_WORDS.get(s, None if s else ""))
    fail(cl.isna(), "control_level must be national, provincial or municipal", "control_level")
    tc = df["target_class"].map(_target_class)
    fail(tc.isna() & (df["target_class"] != ""), "target_class must be 1-5 or Ⅰ-Ⅴ", "target_class")
    ds = df["is_drinking_source"].str.lower()
    fail(~ds.isin(TRUE_WORDS | FALSE_WORDS), "is_drinking_source must be Y or N",
         "is_drinking_source")
    out = df.assign(
        water_type=wt,
        control_level=cl.replace("", None),
        target_class=tc.astype("Int64"),
        is_drinking_source=ds.isin(TRUE_WORDS),
    )
    for col in ("province", "river", "basin", "region_code"):
        out[col] = out[col].replace("", None)
    return out


def _target_class(text: str) -> float:
    t = unicodedata.normalize("NFKC", text).strip().upper().removesuffix("类")
    if t.isdigit() and 1 <= int(t) <= 5:
        return float(t)
    roman = ROMAN_CLASSES.get(text.strip().removesuffix("类"), ROMAN_CLASSES.get(t))
    return float(roman) if roman and roman <= 5 else np.nan


def load_section_config(con: duckdb.DuckDBPyConnection, path: Path | str) -> int:
    """Replace the configured sections by the registry file; return the sections loaded.

    Config rows win: every registered row is replaced, and placeholders (registered = false)
    whose name and province match a configured section are folded into it (their samples
    move to the configured code). Codes still seen in data but no longer configured keep a
    placeholder row, so nothing becomes invisible.
    """
    cfg = read_section_config(Path(path))
    con.execute("begin transaction")
    try:
        con.execute("delete from water_sections where registered")
        con.register("cfg_sections", cfg)
        con.execute(
            f"insert into water_sections ({', '.join(SECTION_COLUMNS)}, registered) "  # noqa: S608
            f"select {', '.join(SECTION_COLUMNS)}, true from cfg_sections c "
            "on conflict (section_code) do update set "
            + ", ".join(f"{c} = excluded.{c}" for c in SECTION_COLUMNS[1:])
            + ", registered = true"
        )
        con.unregister("cfg_sections")
        fold_placeholders(con)
        restore_placeholders(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(cfg)


def match_sections(found: pd.DataFrame, registry: pd.DataFrame) -> dict[str, str]:
    """Map codes of sections found in data (code, name, province) to registered codes.

    A name matches when the normalised names are equal and the provinces agree (or either is
    unknown); a name with several registered candidates keeps its own code (ambiguous).
    """
    if found.empty or registry.empty:
        return {}
    candidates: dict[str, list[tuple[str, str]]] = {}
    for code, name, prov in zip(registry["section_code"], normalise_name(registry["section_name"]),
                                normalise_name(registry["province"]), strict=True):
        candidates.setdefault(name, []).append((code, prov))
    mapping = {}
    for code, name, prov in zip(found["section_code"], normalise_name(found["section_name"]),
                                normalise_name(found["province"]), strict=True):
        options = [(c, p) for c, p in candidates.get(name, []) if p == prov or not p or not prov]
        exact = [c for c, p in options if p == prov]
        chosen = set(exact) if exact else {c for c, _ in options}
        if len(chosen) == 1:
            mapping[code] = chosen.pop()
    return mapping


def fold_placeholders(con: duckdb.DuckDBPyConnection) -> int:
    """Move data of placeholder sections that the registry now names to the configured codes."""
    placeholders = con.execute(
        "select section_code, section_name, province from water_sections "
        "where not registered and starts_with(section_code, $p)",
        {"p": PLACEHOLDER_PREFIX},
    ).df()
    registry = con.execute(
        "select section_code, section_name, province from water_sections where registered"
    ).df()
    mapping = match_sections(placeholders, registry)
    if not mapping:
        return 0
    con.register("section_map", pd.DataFrame({"old": list(mapping), "new": list(mapping.values())}))
    try:
        for sql in _FOLD_SQL:
            con.execute(sql)
    finally:
        con.unregister("section_map")
    return len(mapping)


_FOLD_SQL = (
    # rows already present under the configured code win over the placeholder's
    """delete from water_section_samples s using section_map m
       where s.section_code = m.old and exists (
         select 1 from water_section_samples t where t.section_code = m.new
         and t.sampled_at = s.sampled_at and t.parameter = s.parameter and t.method = s.method)""",
    """update water_section_samples s set section_code = m.new from section_map m
       where s.section_code = m.old""",
    """delete from water_sample_published_class s using section_map m
       where s.section_code = m.old and exists (
         select 1 from water_sample_published_class t where t.section_code = m.new
         and t.sampled_at = s.sampled_at)""",
    """update water_sample_published_class s set section_code = m.new from section_map m
       where s.section_code = m.old""",
    "delete from water_sections w using section_map m where w.section_code = m.old",
)


def restore_placeholders(con: duckdb.DuckDBPyConnection) -> int:
    """Give every code present in the sample tables a registry row (placeholder if unknown)."""
    before = con.execute("select count(*) from water_sections").fetchall()[0][0]
    con.execute(
        """insert into water_sections (section_code, section_name, registered)
           select distinct section_code, section_code, false from (
             select section_code from water_section_samples
             union select section_code from water_sample_published_class) d
           where section_code not in (select section_code from water_sections)"""
    )
    return con.execute("select count(*) from water_sections").fetchall()[0][0] - before


def resolve_sections(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> list[str]:
    """Rewrite placeholder codes of one parsed file to registered codes (in place); notes.

    Placeholder rows of sections the registry knows are dropped; placeholders of sections
    already seen keep what earlier files learnt (a 'lake' guess, river, basin).
    """
    sections = tables.get("water_sections")
    if sections is None or sections.num_rows == 0:
        return []
    found = sections.to_pandas()
    registry = con.execute(
        "select section_code, section_name, province from water_sections where registered"
    ).df()
    placeholders = found["section_code"].str.startswith(PLACEHOLDER_PREFIX)
    mapping = match_sections(found[placeholders], registry)
    if mapping:
        for name, table in list(tables.items()):
            if name == "water_sections" or "section_code" not in table.column_names:
                continue
            codes = table["section_code"].to_pandas()
            new = pa.array(codes.map(lambda c: mapping.get(c, c)), pa.string())
            idx = table.column_names.index("section_code")
            tables[name] = table.set_column(idx, "section_code", new)
    keep = found[~found["section_code"].isin(mapping) & ~found["section_code"].isin(
        registry["section_code"])]
    for col in ("region_code", "locality"):
        if col not in keep.columns:
            keep = keep.assign(**{col: None})
    known = con.execute(
        "select section_code, water_type, river, basin, region_code, locality "
        "from water_sections where not registered"
    ).df().set_index("section_code")
    if len(keep) and len(known):
        prev = known.reindex(keep["section_code"])

        def earlier(col: str) -> pd.Series:
            return keep[col].fillna(pd.Series(prev[col].to_numpy(), index=keep.index))

        keep = keep.assign(
            water_type=np.where(prev["water_type"].to_numpy() == "lake", "lake",
                                keep["water_type"].to_numpy()),
            river=earlier("river"), basin=earlier("basin"), locality=earlier("locality"),
            region_code=earlier("region_code"),
        )
    assigned = 0
    keep = keep.astype({"region_code": object, "locality": object})
    if len(keep):
        todo = keep["region_code"].isna()
        regions = con.execute(
            "select region_code, name, level, parent_code, short_name, province_code, kind "
            "from regions").df()
        codes = section_regions(keep[todo], regions) if len(regions) else {}
        keep.loc[todo, "region_code"] = keep.loc[todo, "section_code"].map(codes)
        assigned = len(codes)
    tables["water_sections"] = pa.Table.from_pandas(
        keep.reset_index(drop=True), schema=SECTION_SCHEMA, preserve_index=False
    )
    notes = []
    if mapping:
        notes.append(f"{len(mapping)} section names matched to the registry")
    if len(keep):
        notes.append(f"{len(keep)} sections not in the registry (placeholders); "
                     f"{assigned} of them newly given a region by 所在地市 or name, "
                     f"{int(keep['region_code'].isna().sum())} without a region")
    return notes


def section_regions(sections: pd.DataFrame, regions: pd.DataFrame) -> dict[str, str]:
    """Region codes of unregistered sections (section_code, section_name, province, locality),
    where the published names allow it: the site's 所在地市 (a county or a city) matched in the
    section's province as station cities are (transforms/ingest/station_regions.py), else the
    longest county or city short name of the province that begins the section name
    (上杭李家坪 -> 上杭县, 南安康美桥 -> 南安市), when exactly one region has it. Others: none."""
    from transforms.ingest.station_regions import assign_stations, complete_regions

    if sections.empty:
        return {}
    regions = complete_regions(regions)
    out: dict[str, str] = {}
    named = sections[sections["locality"].notna() & (sections["locality"] != "")]
    if len(named):
        frame = pd.DataFrame({
            "station_code": named["section_code"].to_numpy(),
            "station_name": named["section_name"].to_numpy(),
            "city": named["locality"].to_numpy(),
            "province": named["province"].to_numpy(),
            "lon": np.nan, "lat": np.nan,
        })
        found = assign_stations(frame, regions).stations.dropna(subset=["region_code"])
        out.update(zip(found["station_code"], found["region_code"], strict=True))
    tops = regions[regions["region_code"] == regions["province_code"]]
    province_of = dict(zip(tops["name"], tops["region_code"], strict=True))
    units = regions[regions["level"].isin(["city", "county"])]
    prefixes: dict[tuple[str, str], set[str]] = {}
    for code, short, prov in zip(units["region_code"], units["short_name"],
                                 units["province_code"], strict=True):
        if isinstance(short, str) and len(short) >= 2:
            prefixes.setdefault((prov, short), set()).add(code)
    rest = sections[~sections["section_code"].isin(out)]
    for code, name, prov in zip(rest["section_code"], normalise_name(rest["section_name"]),
                                rest["province"], strict=True):
        province = province_of.get(prov)
        if province is None:
            continue
        for size in range(min(len(name) - 1, 6), 1, -1):  # longest first; a name stays
            hits = prefixes.get((province, name[:size]))
            if hits:
                if len(hits) == 1:
                    out[code] = next(iter(hits))
                break
    return out
