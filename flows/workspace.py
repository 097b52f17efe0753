"""`envq init DIR --region CODE|NAME [--stations FILE]`: a bureau's workspace for a real city.

The workspace is a home (flows/settings.py): config/ with the city's regions from the national
registry and, from a national station list, its stations; targets.yaml as a template to fill;
empty raw/, warehouse/ and reports/; a README saying what goes where; and the marker file that
tells envq it is a bureau's workspace (never a place for the synthetic sample).

Init never overwrites a file that exists: into a folder that already holds a workspace it
refuses unless --force, and with --force it only adds what is missing and names what it kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from flows.settings import WORKSPACE_MARKER
from transforms.indicators import INDICATORS
from transforms.ingest.region_lookup import find_region, region_family
from transforms.ingest.registry import REGION_COLUMNS, STATION_COLUMNS
from transforms.targets.standard_limits import grade2_limits, year_edition
from transforms.water.sections import SECTION_COLUMNS

# The rows of the targets template, in the order a bureau's 考核目标 usually lists them.
TEMPLATE_INDICATORS = (
    ("good_rate", ">="),
    ("pm25_mean", "<="),
    ("pm10_mean", "<="),
    ("o3_8h_p90", "<="),
    ("so2_mean", "<="),
    ("no2_mean", "<="),
    ("co_p95", "<="),
    ("heavy_days", "<="),
    ("composite_index", "<="),
)
# what makes a folder a workspace already (besides the marker)
WORKSPACE_FILES = ("config/regions.csv", "config/stations.csv", "targets.yaml")


class WorkspaceError(RuntimeError):
    """init cannot go ahead; the message says why and what to do."""


@dataclass
class InitResult:
    """What init did: the city, counts, and the files written and kept."""

    home: Path
    region_code: str
    name: str
    regions: int
    stations: int | None
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def init_workspace(
    home: Path | str,
    region: str,
    stations: Path | str | None = None,
    force: bool = False,
    year: int | None = None,
) -> InitResult:
    """Create (or, with force, complete) the workspace of one city or county in home."""
    from transforms.ingest.registry import national_regions

    home = Path(home)
    year = year or dt.date.today().year
    national = national_regions()
    row = find_region(national, region)
    if row["level"] == "province":
        raise WorkspaceError(
            f"{row['region_code']} {row['name']} is a province: give one of its cities"
        )
    existing = [p for p in (WORKSPACE_MARKER, *WORKSPACE_FILES) if (home / p).exists()]
    if existing and not force:
        raise WorkspaceError(
            f"{home} already holds a workspace ({', '.join(existing)}); "
            "--force adds what is missing and keeps every existing file"
        )
    made_for = marker_region(home / WORKSPACE_MARKER)
    if made_for and made_for != row["region_code"]:
        raise WorkspaceError(
            f"{home} is the workspace of {made_for}, not {row['region_code']}: "
            "make the new region's workspace in another folder"
        )
    family = region_family(national, row["region_code"])
    result = InitResult(home, row["region_code"], row["name"], len(family), None)
    files: dict[str, str] = {
        WORKSPACE_MARKER: marker_text(row, year),
        "config/regions.csv": regions_csv(family),
        "config/water_sections.csv": ",".join(SECTION_COLUMNS) + "\n",
        "config/dust_days.csv": "region_code,date,note\n",
        "config/progress.yaml": PROGRESS_TEXT,
        "targets.yaml": targets_template(row, year),
        "README.md": readme_text(row, home),
    }
    if stations is not None:
        frame, notes = city_stations(Path(stations), row)
        result.stations = len(frame)
        result.notes += notes
        files["config/stations.csv"] = frame.to_csv(index=False, lineterminator="\n")
    else:
        files["config/stations.csv"] = ",".join(STATION_COLUMNS) + "\n"
    for folder in ("raw", "warehouse", "reports"):
        (home / folder).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = home / name
        if path.exists():
            result.kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as out:  # never overwrite
            out.write(text)
        result.written.append(path)
    return result


def regions_csv(family: pd.DataFrame) -> str:
    """config/regions.csv of the city's family (name_en left empty: the registry has none)."""
    frame = family.assign(name_en=None)[list(REGION_COLUMNS)]
    return frame.to_csv(index=False, lineterminator="\n")


def city_stations(path: Path, region: pd.Series) -> tuple[pd.DataFrame, list[str]]:
    """The stations of a national station list that belong to the region, as
    config/stations.csv rows.

    Each listed station gets its city from the national registry by its names
    (transforms/ingest/station_regions.py: 城市, and 省级/地级行政区 where the list has them);
    a city's workspace takes the stations of the city, a county's those of the county. Stations
    of a county-level city listed under its own name (寿光) keep the county's code and do not
    count toward the city value; 对照点 never count.
    """
    from transforms.ingest.formats.station_list import parse
    from transforms.ingest.raw_files import RawFileError
    from transforms.ingest.registry import national_region_changes, registry_regions
    from transforms.ingest.station_regions import assign_stations

    if not path.is_file():
        raise WorkspaceError(f"{path}: station list not found")
    try:
        parsed = parse(path)
    except RawFileError as exc:
        raise WorkspaceError(str(exc)) from exc
    listed = parsed.tables["stations"].to_pandas()
    assigned = assign_stations(listed, registry_regions(None), national_region_changes())
    found = assigned.stations.set_index("station_code")
    listed["region_code"] = listed["station_code"].map(found["region_code"])
    listed["city_code"] = listed["station_code"].map(found["city_code"])
    listed["county"] = listed["station_code"].map(found["county"]).fillna(False).astype(bool)
    code = region["region_code"]
    key = "city_code" if region["level"] == "city" else "region_code"
    mine = listed[listed[key] == code].copy()
    unassigned = int(listed["region_code"].isna().sum())
    notes = [
        f"{path.name}: {len(listed)} stations, {len(mine)} in {region['name']} "
        f"({unassigned} of the list could not be given a city)"
    ]
    if parsed.quarantine.num_rows:
        notes.append(f"{path.name}: {parsed.quarantine.num_rows} lines set aside (bad cells)")
    if mine.empty:
        notes.append(
            f"no station of {path.name} lies in {region['name']}: "
            "config/stations.csv is left with its header only"
        )
    background = mine["is_background"].astype("boolean").fillna(False).astype(bool)
    assessed = mine["city_assessment"].astype("boolean").fillna(~background).astype(bool)
    assessed &= ~background & ~mine["county"]
    yes_no = {True: "Y", False: "N"}
    out = pd.DataFrame(
        {
            "station_code": mine["station_code"],
            "station_name": mine["station_name"],
            "region_code": mine["region_code"],
            "city": mine["city"],
            "lon": mine["lon"],
            "lat": mine["lat"],
            "is_background": background.map(yes_no),
            "city_assessment": assessed.map(yes_no),
        }
    )
    return out.sort_values("station_code")[list(STATION_COLUMNS)], notes


def marker_region(path: Path) -> str | None:
    """The region code a workspace marker names (None without a readable marker)."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return str(doc["region"]) if isinstance(doc, dict) and doc.get("region") else None


def marker_text(region: pd.Series, year: int) -> str:
    return (
        "# envq workspace (made by `envq init`; envq never puts the synthetic sample here)\n"
        f'region: "{region["region_code"]}"\n'
        f"name: {region['name']}\n"
        f"created: {dt.date.today().isoformat()}\n"
        f"template_year: {year}\n"
    )


def targets_template(region: pd.Series, year: int) -> str:
    """targets.yaml with the city's rows to fill: values empty (not set until filled), each
    with its national default (the GB 3095 grade II limit of the year's edition) in a comment."""
    edition = year_edition(year)
    limits = grade2_limits(edition)
    code, name = region["region_code"], region["name"]
    lines = [
        f"# Assessment targets (考核目标) of {name} {code}: fill in each `value:` with the figure",
        "# of your target document. A row whose value is empty is NOT SET: envq skips it and",
        "# the report shows the national default instead, labelled 标准限值 (standard limit),",
        f"# where GB 3095-{edition} sets one. Add rows for counties (their codes are in",
        "# config/regions.csv), quarters (period: Q4) or other years as your targets need;",
        "# docs/targets.md lists every indicator.",
        "",
        "targets:",
    ]
    for indicator, comparator in TEMPLATE_INDICATORS:
        meta = INDICATORS[indicator]
        unit = f" {meta.unit}" if meta.unit else ""
        default = (
            f"national default: GB 3095-{edition} 二级 limit {limits[indicator]:g}{unit}"
            if indicator in limits
            else "no national default"
        )
        entry = (
            f'  - {{region: "{code}", year: {year}, indicator: {indicator}, '
            f'comparator: "{comparator}", value: }}'
        )
        lines.append(f"{entry:<96}# FILL IN · {meta.name_zh}{unit}; {default}")
    lines += [
        "  # water (needs config/water_sections.csv):",
        f'  # - {{region: "{code}", year: {year}, indicator: share_class_1_3, '
        'comparator: ">=", value: }',
        "",
    ]
    return "\n".join(lines)


PROGRESS_TEXT = """\
# Settings of the target-progress verdicts (docs/target_progress.md). Every setting has a
# default; uncomment a line to change it.
# on_track_probability: 0.8
# at_risk_probability: 0.5
# dust_deduction: true
"""


def readme_text(region: pd.Series, home: Path) -> str:
    name, code = region["name"], region["region_code"]
    return f"""# envq workspace of {name} ({code})

Made by `envq init`. Every envq command works here when given `--home {home}` (or with
`ENVQ_HOME={home}` set). What goes where:

- `raw/`: the monitoring files as they arrive (you): CNEMC hourly station files
  (china_sites_YYYYMMDD.csv or .csv.xz), daily city files, water exports; sub-folders are fine.
- `config/regions.csv`: {name} and its counties from envq's national registry (行政区划代码);
  edit to add or rename.
- `config/stations.csv`: the city's monitoring stations (from `--stations`). `region_code` is
  the city's code until you set each station's county; `is_background` Y = 对照点, never
  counted; `city_assessment` Y = counts toward the city value.
- `config/water_sections.csv`, `config/dust_days.csv`: water sections and sand-dust days to
  deduct (扣除沙尘); header only until you add yours.
- `config/progress.yaml`: thresholds of the on-track / at-risk verdicts (optional).
- `targets.yaml`: the year's assessment targets. Fill in every `value:`; an empty value is not
  set, and the report then shows the GB 3095 grade II limits, labelled 标准限值.
- `warehouse/envq.duckdb`: the published database (envq writes it; analysts open it read-only).
- `reports/`: the HTML and Excel reports and the data-quality pages (reports/quality/).

## Every day

```bash
envq run --home {home} --no-prefect    # ingest new files in raw/, check, build, publish, report
```

or step by step:

```bash
envq ingest --home {home}        # everything new in raw/ (or: envq ingest --home {home} DIR)
envq build --home {home}
envq report --home {home} --region {code}
```

envq never writes files into raw/ and never generates the synthetic demo sample here.
"""
