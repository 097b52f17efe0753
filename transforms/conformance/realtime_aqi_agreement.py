"""Gate: recompute CNEMC real-time station AQI from the published 1-h values and compare.

Reads CNEMC `china_sites_YYYYMMDD.csv` files (plain or .xz; header date,hour,type,<station
codes>; 15 type rows per hour), recomputes each station-hour's real-time AQI with
`transforms.air.aqi.aqi(kind="hourly", edition="2012")` from the 1-h rows PM2.5, PM10, SO2, NO2,
CO and O3 (plus SO2_24h, the 24-h moving average HJ 633-2012 Table 1 note (a) falls back to
when SO2 1-h > 800), and compares with the published `AQI` row.

Every station-hour with a published AQI or at least one input value is classified:
agree, disagree (by kind, see KINDS) or present on one side only.

    python -m transforms.conformance.realtime_aqi_agreement FILE...
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transforms.air.aqi import aqi, iaqi

# CNEMC `type` row -> envq column (1-h values unless named otherwise).
TYPE_COLUMNS = {
    "AQI": "published_aqi", "PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2",
    "CO": "co", "O3": "o3", "O3_8h": "o3_8h", "SO2_24h": "so2_24h",
}
INPUT_COLUMNS = ("pm25", "pm10", "so2", "no2", "co", "o3")

KINDS = {
    "so2_1h_above_800": "SO2 1-h > 800: HJ 633-2012 Table 1 note (a) reports SO2 with its 24-h "
    "IAQI; the platform published an AQI that only an SO2 IAQI of 200 explains (the rule that "
    "HJ 633-2026 Table 3 later wrote down).",
    "o3_8h_above_others": "O3 8-h IAQI above all 1-h IAQIs (only with include_o3_8h): the "
    "platform's real-time AQI does not use the O3 8-h moving average.",
    "truncated_hour_block": "The file's block for that hour lacks some of the type rows used "
    "here (20190424 hour 23 has 4 of 15), so the AQI is recomputed from incomplete values.",
    "published_one_below": "Published AQI = recomputed - 1 (in 2019: only the 12 Beijing "
    "stations 1001A-1012A, 2019-09-30 20h .. 2019-10-08; only where the exact IAQI has a "
    "fraction below .5, never at or above .5, all-or-nothing per hour): in those hours the "
    "platform rounded the IAQI to nearest instead of up as HJ 633-2012 §6.2 requires.",
    "other": "Unexplained difference.",
    "unpublished_no_pm": "AQI not published, PM2.5 and PM10 both missing, other pollutants "
    "present: the platform withholds the AQI without PM (published for 4 % of such "
    "station-hours in January 2019).",
    "unpublished_one_pm": "AQI not published, one of PM2.5/PM10 missing (mostly PM10): the "
    "platform usually still publishes such hours (96 % in January 2019), but from 2019-04-23 "
    "20h to 2019-06-17 it withheld more than 90 % of them.",
    "unpublished_with_pm": "AQI not published although PM2.5 and PM10 are both present: "
    "withheld by the platform (clustered by station and hour; nothing in the values explains "
    "it).",
    "published_without_inputs": "AQI published but none of the six 1-h values present (in "
    "2019 all in truncated hour blocks: 20190220 hour 7 has only the AQI row, 20190424 hour 23 "
    "only 4 rows).",
}


# Kinds where both a published and a recomputed AQI exist.
COMPARED_KINDS = (
    "truncated_hour_block", "so2_1h_above_800", "o3_8h_above_others", "published_one_below",
    "other",
)


def read_station_hours(path: str | Path) -> pd.DataFrame:
    """One CNEMC daily station file as one row per station-hour with the TYPE_COLUMNS values.

    A type row missing for an hour (truncated blocks exist) leaves that column NaN, and
    complete_block says whether the hour had all the TYPE_COLUMNS rows.
    """
    raw = pd.read_csv(path)
    stations = [c for c in raw.columns if c not in ("date", "hour", "type")]
    hours = np.sort(raw["hour"].unique())
    cube = np.full((len(TYPE_COLUMNS), len(hours), len(stations)), np.nan)
    wanted = raw["type"].isin(list(TYPE_COLUMNS))
    rows = raw[wanted]
    t_idx = pd.Index(list(TYPE_COLUMNS)).get_indexer(rows["type"])
    h_idx = np.searchsorted(hours, rows["hour"].to_numpy())
    cube[t_idx, h_idx, :] = rows[stations].to_numpy(dtype="float64")
    per_hour = np.bincount(h_idx, minlength=len(hours))
    frame = pd.DataFrame({name: cube[i].ravel() for i, name in enumerate(TYPE_COLUMNS.values())})
    frame["complete_block"] = np.repeat(per_hour == len(TYPE_COLUMNS), len(stations))
    frame.insert(0, "station_code", np.tile(np.array(stations, dtype=object), len(hours)))
    frame.insert(0, "hour", np.repeat(hours, len(stations)))
    frame.insert(0, "date", str(raw["date"].iloc[0]) if len(raw) else Path(path).name)
    return frame


def compare(frame: pd.DataFrame, include_o3_8h: bool = False) -> pd.DataFrame:
    """Add recomputed_aqi and outcome (agree / a KINDS key / '') to station-hour rows."""
    indicators = ["pm25_24h", "pm10_24h", "so2_1h", "no2_1h", "co_1h", "o3_1h"]
    if include_o3_8h:
        indicators.append("o3_8h")
    result = aqi(frame, "hourly", "2012", indicators=indicators)
    rec = result["aqi"].to_numpy(dtype="float64", na_value=np.nan)
    pub = frame["published_aqi"].to_numpy()
    has_pub, has_rec = ~np.isnan(pub), ~np.isnan(rec)
    pm_missing = frame["pm25"].isna().to_numpy().astype(int) + frame["pm10"].isna().to_numpy()
    differ = has_pub & has_rec & (pub != rec)
    truncated = ~frame["complete_block"].to_numpy()
    so2_high = frame["so2"].to_numpy() > 800
    o3_8h = iaqi("o3", frame["o3_8h"], "8h") if include_o3_8h else np.full(len(frame), np.nan)
    rules = {  # first match wins
        "agree": has_pub & has_rec & ~differ,
        "truncated_hour_block": differ & truncated,
        "so2_1h_above_800": differ & so2_high,
        "o3_8h_above_others": differ & (o3_8h == rec),
        "published_one_below": differ & (pub == rec - 1),
        "other": differ,
        "unpublished_no_pm": has_rec & ~has_pub & (pm_missing == 2),
        "unpublished_one_pm": has_rec & ~has_pub & (pm_missing == 1),
        "unpublished_with_pm": has_rec & ~has_pub,
        "published_without_inputs": has_pub & ~has_rec,
    }
    outcome = np.select(list(rules.values()), list(rules), default="")
    return frame.assign(recomputed_aqi=rec, outcome=outcome)


def measure_agreement(
    files: Iterable[str | Path], *, include_o3_8h: bool = False, examples: int = 3,
) -> dict[str, Any]:
    """Agreement of recomputed vs published real-time AQI over CNEMC station files.

    Returns files, station_hours (rows with a published AQI or any input), compared (both
    present), agree, agreement (agree / compared), and kinds: {kind: {count, explanation,
    examples}} for every disagreement or one-sided row found.
    """
    counts: dict[str, int] = {}
    samples: dict[str, list[dict[str, Any]]] = {}
    n_files = 0
    for path in files:
        n_files += 1
        rows = compare(read_station_hours(path), include_o3_8h)
        rows = rows[rows["outcome"] != ""]
        for kind, group in rows.groupby("outcome", sort=False):
            counts[str(kind)] = counts.get(str(kind), 0) + len(group)
            if kind != "agree" and len(samples.setdefault(str(kind), [])) < examples:
                keep = examples - len(samples[str(kind)])
                samples[str(kind)].extend(example_rows(group.head(keep)))
    agree = counts.pop("agree", 0)
    compared = agree + sum(counts.get(k, 0) for k in COMPARED_KINDS)
    return {
        "files": n_files,
        "station_hours": agree + sum(counts.values()),
        "compared": compared,
        "agree": agree,
        "agreement": agree / compared if compared else float("nan"),
        "kinds": {
            kind: {"count": n, "explanation": KINDS[kind], "examples": samples.get(kind, [])}
            for kind, n in sorted(counts.items(), key=lambda kv: -kv[1])
        },
    }


def example_rows(group: pd.DataFrame) -> list[dict[str, Any]]:
    """A few rows as plain dicts for the report (NaN dropped)."""
    cols = ["date", "hour", "station_code", "published_aqi", "recomputed_aqi",
            *INPUT_COLUMNS, "o3_8h", "so2_24h"]
    return [
        {k: v for k, v in row.items() if not (isinstance(v, float) and np.isnan(v))}
        for row in group[cols].to_dict("records")
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: print the agreement summary of the given files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--include-o3-8h", action="store_true",
                        help="also use the O3_8h row, as the HJ 633-2012 text lists it")
    args = parser.parse_args(argv)
    summary = measure_agreement(sorted(args.files), include_o3_8h=args.include_o3_8h)
    print(f"files {summary['files']}, station-hours {summary['station_hours']:,}, "
          f"compared {summary['compared']:,}, agree {summary['agree']:,} "
          f"({summary['agreement']:.6%})")
    for kind, info in summary["kinds"].items():
        print(f"  {kind}: {info['count']:,}  {info['explanation']}")
        for example in info["examples"]:
            print(f"      e.g. {example}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
