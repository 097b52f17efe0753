"""The configuration that goes with a national benchmark sample (`envq sample --stations N`).

The benchmark stations (codes 1001A.., five per made-up city 合成城市NNN) are in no region of
data/config, so without their own configuration the marts would compute almost nothing and the
build time would mean nothing. write_national_config copies the bureau's configuration and
adds one synthetic province (990000 合成省), one city-level region per made-up city (codes
99NNNN, clear of the real 行政区划代码 which never start with 99), every benchmark station as a
configured city-assessment station of its city, and a few targets per city and year, so that
air_city_daily, the annual marts, target_progress and the reports work on ~N/5 cities.
Stations, names and coordinates are read from the sample's own station list (air/
station_list.csv), so the configuration always matches what write_sample wrote.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from transforms.sample.config import DEFAULT_CONFIG_DIR, REGION_COLUMNS, STATION_COLUMNS

PROVINCE_CODE = "990000"
PROVINCE_NAME = "合成省"
LIST_COLUMNS = ("监测点编码", "监测点名称", "城市", "经度", "纬度", "对照点")
# Per city and year: (indicator, comparator, value); typical national control targets.
CITY_TARGETS = (("good_rate", ">=", 85.0), ("pm25_mean", "<=", 35.0), ("o3_8h_p90", "<=", 160.0))


def city_code(index: int) -> str:
    """Region code of the index-th (0-based) made-up city."""
    return f"99{index + 1:04d}"


def read_benchmark_stations(sample_dir: Path, configured: set[str]) -> list[dict[str, str]]:
    """Rows of the sample's station list (GBK) that are not configured stations."""
    with open(Path(sample_dir) / "air" / "station_list.csv", encoding="gbk", newline="") as fh:
        rows = list(csv.reader(fh))
    if tuple(rows[0]) != LIST_COLUMNS:
        raise ValueError(f"{sample_dir}: unexpected station list header {rows[0]}")
    return [dict(zip(LIST_COLUMNS, r, strict=True)) for r in rows[1:] if r[0] not in configured]


def write_national_config(
    sample_dir: Path,
    config_out: Path,
    years: range,
    base_config_dir: Path = DEFAULT_CONFIG_DIR,
    base_targets: Path | None = None,
) -> dict[str, int]:
    """Write config_out/{regions,stations,...}.csv and config_out/targets.yaml; return counts.

    base_targets (default: data/targets.yaml beside base_config_dir) is copied first, then the
    CITY_TARGETS of every made-up city for every year in `years`.
    """
    config_out = Path(config_out)
    shutil.rmtree(config_out, ignore_errors=True)
    shutil.copytree(base_config_dir, config_out)
    with open(config_out / "stations.csv", encoding="utf-8-sig", newline="") as fh:
        configured = {r["station_code"] for r in csv.DictReader(fh)}
    stations = read_benchmark_stations(sample_dir, configured)
    cities = {name: city_code(i) for i, name in enumerate(sorted({s["城市"] for s in stations}))}

    _append(
        config_out / "regions.csv",
        REGION_COLUMNS,
        [
            (PROVINCE_CODE, PROVINCE_NAME, "Synthetic Province", "province", ""),
            *(
                (code, name, f"Synthetic City {code}", "city", PROVINCE_CODE)
                for name, code in cities.items()
            ),
        ],
    )
    _append(
        config_out / "stations.csv",
        STATION_COLUMNS,
        [
            (
                s["监测点编码"],
                s["监测点名称"],
                cities[s["城市"]],
                s["城市"],
                s["经度"],
                s["纬度"],
                "N",
                "Y",
            )
            for s in stations
        ],
    )
    base_targets = base_targets or Path(base_config_dir).parent / "targets.yaml"
    text = Path(base_targets).read_text(encoding="utf-8") if Path(base_targets).exists() else ""
    lines = [text.rstrip("\n") if text.strip() else "targets:"]
    lines += [
        f'  - {{region: "{code}", year: {year}, indicator: {ind}, comparator: "{cmp}", '
        f"value: {value}}}"
        for code in cities.values()
        for year in years
        for ind, cmp, value in CITY_TARGETS
    ]
    (config_out / "targets.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "cities": len(cities),
        "stations": len(stations),
        "targets": len(cities) * len(years) * len(CITY_TARGETS),
    }


def _append(path: Path, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Append rows to a config CSV whose header must be `columns`."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    if tuple(header) != columns:
        raise ValueError(f"{path}: expected columns {','.join(columns)}")
    text = path.read_text(encoding="utf-8-sig")
    with open(path, "a", encoding="utf-8", newline="") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        csv.writer(fh, lineterminator="\n").writerows(rows)
