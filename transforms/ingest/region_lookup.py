"""Find a region of the national registry by code or name (`envq init --region`).

A bureau names its city as it writes it: the code (610900), the full name (安康市) or the
short name (安康). A city-level match wins over counties of the same short name (朝阳 is
朝阳市 of 辽宁, not 朝阳区 of 北京), since a workspace is made for a city; anything else that
does not lead to exactly one region is an error listing the candidates, never a guess.
"""

from __future__ import annotations

import difflib

import pandas as pd

MAX_CANDIDATES = 8


class RegionLookupError(ValueError):
    """No region, or more than one, answers to the name; the message lists candidates."""


def find_region(regions: pd.DataFrame, text: str) -> pd.Series:
    """The one row of `regions` (national_regions() columns) that `text` names."""
    query = str(text).strip()
    if not query:
        raise RegionLookupError("empty region: give a code (610900) or a name (安康市, 安康)")
    if query.isdigit():
        hit = regions[regions["region_code"] == query]
        if hit.empty:
            raise RegionLookupError(f"unknown region code {query}{near(regions, query)}")
        return hit.iloc[0]
    named = regions[(regions["name"] == query) | (regions["short_name"] == query)]
    cities = named[named["level"] == "city"]
    for pick in (cities, named):
        if len(pick) == 1:
            return pick.iloc[0]
    if named.empty:
        raise RegionLookupError(f"unknown region {query!r}{near(regions, query)}")
    listed = describe(regions, cities if len(cities) > 1 else named)
    raise RegionLookupError(f"region {query!r} is ambiguous: {listed}; give the code")


def near(regions: pd.DataFrame, query: str) -> str:
    """'; did you mean: …' with the closest names or codes, or '' when none is close."""
    if query.isdigit():
        pool = regions[regions["region_code"].str.startswith(query[:4])]
    else:
        names = list(regions["name"]) + list(regions["short_name"].dropna())
        close = set(difflib.get_close_matches(query, names, n=MAX_CANDIDATES, cutoff=0.5))
        close |= {n for n in names if query in n}
        pool = regions[regions["name"].isin(close) | regions["short_name"].isin(close)]
    if pool.empty:
        return ""
    return f"; did you mean: {describe(regions, pool)}"


def describe(regions: pd.DataFrame, rows: pd.DataFrame) -> str:
    """'211300 朝阳市 (辽宁省), 110105 朝阳区 (北京市), …' for at most MAX_CANDIDATES rows."""
    names = dict(zip(regions["region_code"], regions["name"], strict=True))
    parts = []
    for r in rows.sort_values(["level", "region_code"]).head(MAX_CANDIDATES).itertuples():
        parent = names.get(r.parent_code) if r.parent_code else None
        parts.append(f"{r.region_code} {r.name}" + (f" ({parent})" if parent else ""))
    more = len(rows) - MAX_CANDIDATES
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


def region_family(regions: pd.DataFrame, code: str) -> pd.DataFrame:
    """The region, its parents up to the province, and its children (a city's counties)."""
    by_code = regions.set_index("region_code", drop=False)
    chain, parent = [code], by_code.at[code, "parent_code"]
    while parent and parent in by_code.index and parent not in chain:
        chain.append(parent)
        parent = by_code.at[parent, "parent_code"]
    children = regions[regions["parent_code"] == code]["region_code"].tolist()
    family = regions[regions["region_code"].isin(chain + children)]
    order = {"province": 0, "city": 1, "county": 2}
    return family.sort_values(
        ["level", "region_code"], key=lambda c: c.map(order) if c.name == "level" else c
    )
