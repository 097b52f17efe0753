"""Report retention: a nightly run writes a page and a workbook per region (a few MB for the
sample's 19 regions with the shared plotly.js; about 100 MB when every page embeds it). Keep
the newest few as-of dates of each region and language and delete older ones; the warehouse
can write any past report again (`envq report --as-of DATE`). The shared plotly.js is not a
report and stays."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

DEFAULT_KEEP = 14
REPORT_NAME = re.compile(
    r"^envq_(?P<code>[^_]+)_(?P<year>\d{4}_)?(?P<day>\d{8})_(?P<lang>[a-z]{2})\.(html|xlsx)$"
)


def reports_to_keep() -> int:
    """How many as-of dates of each region's report stay on disk (ENVQ_REPORT_KEEP, >= 1)."""
    return max(1, int(os.environ.get("ENVQ_REPORT_KEEP", DEFAULT_KEEP)))


def prune_reports(out_dir: Path, keep: int) -> list[Path]:
    """Delete the report files of each (region, year part, language) older than its newest
    `keep` as-of dates; returns what was deleted. Files not named like envq reports stay."""
    groups: dict[tuple[str, str, str], dict[str, list[Path]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in out_dir.iterdir():
        m = REPORT_NAME.match(path.name)
        if m and path.is_file():
            key = (m["code"], m["year"] or "", m["lang"])
            groups[key][m["day"]].append(path)
    deleted: list[Path] = []
    for by_day in groups.values():
        for day in sorted(by_day, reverse=True)[keep:]:
            for path in by_day[day]:
                path.unlink()
                deleted.append(path)
    return sorted(deleted)
