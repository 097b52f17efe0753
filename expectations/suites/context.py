"""What a suite needs to know about the batch beyond its rows: file date and registries."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from transforms.ingest.raw_files import logical_name

# Daily files carry their date in the name: china_sites_20190101.csv, ..._20190101.csv.xz.
FILE_DATE = re.compile(r"_((?:19|20)\d{6})\.[A-Za-z]+$")


@dataclass(frozen=True)
class BatchContext:
    """The file's date (None when its name has none) and the registered codes (None: no
    registry loaded, so registry checks are skipped rather than flag every row)."""

    file_date: dt.date | None = None
    station_codes: frozenset[str] | None = None
    section_codes: frozenset[str] | None = None
    region_codes: frozenset[str] | None = None


def file_date(path: Path | str) -> dt.date | None:
    """The date in a daily file's name (YYYYMMDD before the extension), or None."""
    match = FILE_DATE.search(logical_name(Path(path)))
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d").date()
    except ValueError:
        return None
