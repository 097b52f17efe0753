"""The year of year-less water timestamps ("MM-DD HH:MM") from the file's context.

The national automatic surface-water site prints 监测时间 without a year (docs/standards.md §7.2).
The year comes, in this order, from:
1. an explicit override: the `year` argument, else the environment variable ENVQ_WATER_YEAR
   (YYYY): every timestamp of the file is in that year;
2. a date in the file name (YYYY-MM-DD, YYYYMMDD; a JSON snapshot is named by its date) when
   it agrees with the folder month or there is no folder month;
3. a YYYY-MM folder in the path (the real layout .../<断面名称>/2021-04/<断面名称>.csv and the
   sample's water/<省份>/<流域>/<断面名称>/<YYYY-MM>/<断面名称>.csv), nearest folder first;
4. a YYYY-MM or YYYYMM in the file name.
The context gives the latest date a reading can have (end of the folder month; the snapshot
day + 1 day of slack for readings taken after a snapshot was named). A month-day after that
date belongs to the previous year: a stale reading, e.g. "09-09" in the 2020-05-08 snapshot is
2019-09-09, the last reading of a station that stopped then. Stale readings are kept at their
own time (they are real measurements of that time, and later copies merge on the same key);
the parser notes how many there are. Month-days that exist in no calendar (02-30, 02-29 of a
common year, hour 24) are quarantined as bad_timestamp.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from transforms.ingest.raw_files import RawFileError, date_in_name, logical_name
from transforms.targets.day_series import month_end

YEAR_ENV = "ENVQ_WATER_YEAR"
SNAPSHOT_SLACK = dt.timedelta(days=1)
STALE_AFTER = dt.timedelta(days=31)
TIME_RE = r"^\s*(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})(?::\d{2})?\s*$"


@dataclass(frozen=True)
class YearContext:
    """Where the year comes from: a fixed year, or the latest possible date of a reading."""

    source: str  # override / file name / folder
    end: dt.date | None = None
    fixed_year: int | None = None


def _folder_month(path: Path) -> tuple[int, int] | None:
    for part in reversed(path.parent.parts):
        m = re.fullmatch(r"((?:19|20)\d\d)-(0[1-9]|1[0-2])", part)
        if m:
            return int(m[1]), int(m[2])
    return None


def _name_month(name: str) -> tuple[int, int] | None:
    m = re.search(r"(?<!\d)((?:19|20)\d\d)-?(0[1-9]|1[0-2])(?!\d)", name)
    return (int(m[1]), int(m[2])) if m else None


def year_context(path: Path, year: int | None = None) -> YearContext:
    """The year context of a file (see the module docstring); RawFileError when there is none."""
    if year is None and os.environ.get(YEAR_ENV, "").strip():
        text = os.environ[YEAR_ENV].strip()
        if not re.fullmatch(r"(19|20)\d\d", text):
            raise RawFileError(path, f"bad {YEAR_ENV}", f"{text!r} is not a year YYYY")
        year = int(text)
    if year is not None:
        return YearContext("override", fixed_year=int(year))
    name = logical_name(path)
    folder = _folder_month(path)
    day = date_in_name(name)
    if day is not None and (folder is None or (day.year, day.month) == folder):
        return YearContext("file name", end=day + SNAPSHOT_SLACK)
    if folder is not None:
        return YearContext("folder", end=month_end(*folder))
    month = _name_month(name)
    if month is not None:
        return YearContext("file name", end=month_end(*month))
    raise RawFileError(
        path,
        "no year for year-less timestamps",
        f"put the file under a YYYY-MM folder, date its name, or set {YEAR_ENV}",
    )


def resolve_timestamps(text: pd.Series, ctx: YearContext) -> tuple[pd.Series, np.ndarray]:
    """Timestamps of "MM-DD HH:MM" cells in the context's year; (timestamps, bad mask).

    Cells that do not parse, or name no calendar date, are NaT and flagged bad; the caller
    separates missing markers first.
    """
    parts = text.fillna("").astype(str).str.extract(TIME_RE).astype("float64")
    month, day, hour, minute = (parts[i].to_numpy() for i in range(4))
    if ctx.fixed_year is not None:
        year = np.full(len(text), float(ctx.fixed_year))
    else:
        end = ctx.end
        later = (month > end.month) | ((month == end.month) & (day > end.day))
        year = np.where(later, end.year - 1, end.year).astype("float64")
    ok = ~np.isnan(month) & (month >= 1) & (month <= 12) & (day >= 1) & (hour <= 23)
    ok &= minute <= 59
    y, m, d, h, mi = (np.where(ok, a, 1).astype("int64") for a in (year, month, day, hour, minute))
    first = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    date = first.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    ok &= date.astype("datetime64[M]") == first  # 02-30 rolls into March: not a date
    stamps = date.astype("datetime64[us]") + (h * 60 + mi).astype("timedelta64[m]")
    stamps = np.where(ok, stamps, np.datetime64("NaT"))
    return pd.Series(stamps, index=text.index, dtype="datetime64[us]"), ~ok


def stale_count(stamps: pd.Series, ctx: YearContext) -> int:
    """Readings more than 31 days older than the context's latest date (noted, not dropped)."""
    if ctx.end is None:
        return 0
    limit = pd.Timestamp(ctx.end - STALE_AFTER)
    return int((stamps < limit).sum())
