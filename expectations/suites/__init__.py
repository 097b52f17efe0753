"""The suites, one per dataset, keyed by the core table whose rows form a batch.

Each entry gives the suite builder (checks for a batch context) and the frames builder (the
table's rows plus derived frames). Tables without an entry are loaded unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from expectations.frames import Batch, rows_batch
from expectations.spec import Suite
from expectations.suites import (
    city_daily,
    station_hourly,
    station_published,
    stations,
    targets,
    water_samples,
    water_sections,
)
from expectations.suites.context import BatchContext


@dataclass(frozen=True)
class Dataset:
    table: str
    suite: Callable[[BatchContext], Suite]
    frames: Callable[[pa.Table], Batch]


def _rows(table: str) -> Callable[[pa.Table], Batch]:
    return lambda rows: rows_batch(table, rows)


DATASETS: dict[str, Dataset] = {
    d.table: d
    for d in (
        Dataset(station_hourly.TABLE, station_hourly.suite, station_hourly.frames),
        Dataset(station_published.TABLE, station_published.suite,
                _rows(station_published.TABLE)),
        Dataset(city_daily.PUBLISHED_TABLE, city_daily.published_suite,
                city_daily.published_frames),
        Dataset(city_daily.MART_TABLE, city_daily.mart_suite, city_daily.mart_frames),
        Dataset(stations.TABLE, stations.suite, _rows(stations.TABLE)),
        Dataset(water_samples.TABLE, water_samples.suite, water_samples.frames),
        Dataset(water_samples.CLASS_TABLE, water_samples.class_suite,
                _rows(water_samples.CLASS_TABLE)),
        Dataset(water_sections.TABLE, water_sections.suite, _rows(water_sections.TABLE)),
        Dataset(targets.TABLE, targets.suite, _rows(targets.TABLE)),
    )
}
