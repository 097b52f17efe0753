"""The registry: the national administrative divisions shipped with envq, and the bureau's
own configured regions and stations (data/config/*.csv) that add to and override them.

The national divisions (transforms/reference/admin_divisions.csv, with their history in
admin_division_changes.csv; source and vintage in transforms/reference/README.md) give every
province, prefecture-level city and county its code, name, short name and parent, so that
the stations of a national list can be assigned to their cities.

Configuration is what the bureau asserts about its regions and stations (行政区划代码, which
stations count for the city value, which are 对照点); it wins over any station list a file
brings. The flow loads both files on every run with replace-all semantics, each in one
transaction, and fails loudly on a bad configuration line (unlike raw data, configuration is
curated, so a mistake must stop the run rather than be quarantined).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from transforms.ingest.cell_values import read_cells
from transforms.warehouse import read_sql, run_sql

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
NATIONAL_REGIONS_CSV = REFERENCE_DIR / "admin_divisions.csv"
NATIONAL_CHANGES_CSV = REFERENCE_DIR / "admin_division_changes.csv"
RANKING_LISTS_CSV = REFERENCE_DIR / "ranking_lists.csv"
NATIONAL_REGION_COLUMNS = (
    "region_code", "name", "short_name", "level", "parent_code", "province_code", "kind",
)

STATION_COLUMNS = (
    "station_code", "station_name", "region_code", "city", "lon", "lat", "is_background",
    "city_assessment",
)
REGION_COLUMNS = ("region_code", "name", "name_en", "level", "parent_code")
DUST_COLUMNS = ("region_code", "date", "note")
REGISTRY_REGION_COLUMNS = (
    "region_code", "name", "name_en", "level", "parent_code", "short_name", "province_code",
    "kind", "source",
)
REGION_LEVELS = ("province", "city", "county")
YES_NO = {"Y": True, "N": False, "y": True, "n": False, "是": True, "否": False}


class ConfigError(ValueError):
    """A configuration file that cannot be used: names the file, line and rule."""


def national_regions() -> pd.DataFrame:
    """The national administrative divisions shipped with envq, one row per region.

    Columns: region_code (6-digit 行政区划代码), name, short_name (安康, 海西州, 内蒙古),
    level (province / city / county), parent_code (None for provinces and municipalities),
    province_code, kind (province, municipality, prefecture, direct_county, county).
    Municipalities (北京, 天津, 上海, 重庆) are one region at the province code with level
    city; county-level units under a province directly (济源, 仙桃, 石河子) are cities of
    their province (kind direct_county).
    """
    frame = pd.read_csv(NATIONAL_REGIONS_CSV, dtype=str, keep_default_na=False)
    frame = frame[list(NATIONAL_REGION_COLUMNS)]
    return frame.astype(object).where(frame.ne(""), None)


def national_region_changes() -> pd.DataFrame:
    """The history of the divisions that matters to monitoring series, one row per change.

    Columns: old_code, old_name, new_code, new_name (None when abolished), level, change
    (renamed / recoded / merged / abolished), last_listed and first_listed (the cut-off dates
    of the statistical vintages between which the change happened; empty for curated changes
    older than the first vintage), source (nbs-vintages / curated), note.
    Example: 旬阳县 610928 -> 旬阳市 610981, recoded between 2020-06-30 and 2021-10-31.
    """
    frame = pd.read_csv(NATIONAL_CHANGES_CSV, dtype=str, keep_default_na=False)
    return frame.astype(object).where(frame.ne(""), None)


def config_frame(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """The config file's rows as stripped strings with a `line_no` column (header = line 1)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    cells, _ = read_cells(path)
    header = [str(c).strip() for c in cells.iloc[0]]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ConfigError(f"{path}: missing columns {', '.join(missing)}")
    body = cells.iloc[1:, [header.index(c) for c in columns]]
    body.columns = list(columns)
    body = body.apply(lambda col: col.astype(str).str.strip())
    body = body[(body != "").any(axis=1)]
    body.insert(0, "line_no", body.index + 1)
    return body


def fail_on(path: Path, frame: pd.DataFrame, bad: pd.Series, rule: str) -> None:
    """Raise ConfigError naming the first offending line, when any row breaks the rule."""
    if bad.any():
        first = frame.loc[bad.to_numpy()].iloc[0]
        raise ConfigError(f"{path}:{first['line_no']}: {rule} ({bad.sum()} lines)")


def read_station_config(path: Path) -> pa.Table:
    """data/config/stations.csv checked and typed (Y/N flags, numeric coordinates)."""
    frame = config_frame(path, STATION_COLUMNS)
    fail_on(path, frame, frame["station_code"] == "", "empty station_code")
    fail_on(path, frame, frame["station_code"].duplicated(keep=False), "station_code repeated")
    out = pd.DataFrame({c: frame[c].replace("", None) for c in STATION_COLUMNS[:4]})
    for axis in ("lon", "lat"):
        values = pd.to_numeric(frame[axis].replace("", None), errors="coerce")
        fail_on(path, frame, values.isna() & (frame[axis] != ""), f"{axis} is not a number")
        out[axis] = values.astype("float64")
    for flag in ("is_background", "city_assessment"):
        values = frame[flag].map(YES_NO)
        fail_on(path, frame, values.isna(), f"{flag} is not Y or N")
        out[flag] = values.astype(bool)
    return pa.Table.from_pandas(out, preserve_index=False)


def read_region_config(path: Path) -> pa.Table:
    """data/config/regions.csv checked (unique codes, a name, a known level)."""
    frame = config_frame(path, REGION_COLUMNS)
    fail_on(path, frame, frame["region_code"] == "", "empty region_code")
    fail_on(path, frame, frame["name"] == "", "empty name")
    fail_on(path, frame, frame["region_code"].duplicated(keep=False), "region_code repeated")
    fail_on(path, frame, ~frame["level"].isin(REGION_LEVELS), "level not province/city/county")
    out = frame[list(REGION_COLUMNS)].replace("", None)
    return pa.Table.from_pandas(out, preserve_index=False)


def load_station_config(con: duckdb.DuckDBPyConnection, path: Path | str) -> int:
    """Replace the configured stations by the file's (source = 'config'); return the count."""
    rows = read_station_config(Path(path))
    with _transaction(con):
        con.register("config_stations", rows)
        try:
            con.execute(read_sql("ingest/load_station_config"))
        finally:
            con.unregister("config_stations")
    return rows.num_rows


def load_region_config(con: duckdb.DuckDBPyConnection, path: Path | str) -> int:
    """Replace all regions by the file's rows; return the count."""
    rows = read_region_config(Path(path))
    with _transaction(con):
        con.register("config_regions", rows)
        try:
            con.execute("delete from regions")
            con.execute(
                "insert into regions (region_code, name, name_en, level, parent_code) "
                "select region_code, name, name_en, level, parent_code from config_regions"
            )
        finally:
            con.unregister("config_regions")
    return rows.num_rows


def registry_regions(config_path: Path | str | None = None) -> pd.DataFrame:
    """The regions envq works with: the national divisions, then the bureau's regions.csv
    (when given) adding regions and replacing national rows of the same code; short_name,
    province_code and kind are computed for the bureau's rows that do not give them."""
    from transforms.ingest.station_regions import complete_regions

    national = national_regions().assign(name_en=None, source="national")
    if config_path is None or not Path(config_path).is_file():
        return national
    config = read_region_config(Path(config_path)).to_pandas().assign(source="config")
    # what the bureau's file does not say about a national region stays the registry's
    extra = ["short_name", "province_code", "kind"]
    config = config.merge(national[["region_code", *extra]], on="region_code", how="left")
    kept = national[~national["region_code"].isin(config["region_code"])]
    merged = pd.concat([kept, config], ignore_index=True)
    merged = complete_regions(merged)
    county = merged["kind"].isna() & merged["level"].eq("county")
    merged.loc[county, "kind"] = "county"
    merged["kind"] = merged["kind"].where(merged["kind"].notna(), merged["level"].map(
        {"province": "province", "city": "prefecture"}))
    return merged.astype(object).where(merged.notna(), None)


def load_registry(con: duckdb.DuckDBPyConnection, config_path: Path | str | None) -> int:
    """Replace all regions by the national divisions plus the bureau's regions.csv (which
    wins for its codes); return the number of regions."""
    rows = registry_regions(config_path)[list(REGISTRY_REGION_COLUMNS)]
    table = pa.Table.from_pandas(rows, preserve_index=False)
    with _transaction(con):
        con.register("registry_regions", table)
        try:
            con.execute("delete from regions")
            columns = ", ".join(REGISTRY_REGION_COLUMNS)
            con.execute(
                f"insert into regions ({columns}) select {columns} from registry_regions"  # noqa: S608
            )
        finally:
            con.unregister("registry_regions")
    return table.num_rows


def ranking_lists(config_path: Path | str | None = None) -> pd.DataFrame:
    """Named lists of regions to rank among themselves (list_name, region_code, name): the
    lists shipped with envq, a list of the bureau's file replacing a shipped one of the same
    name. Configuration: a repeated (list, code) or an empty field stops the run."""
    shipped = pd.read_csv(RANKING_LISTS_CSV, dtype=str, keep_default_na=False)
    if config_path is None or not Path(config_path).is_file():
        return shipped
    path = Path(config_path)
    own = config_frame(path, ("list_name", "region_code", "name"))
    fail_on(path, own, (own["list_name"] == "") | (own["region_code"] == ""),
            "empty list_name or region_code")
    fail_on(path, own, own.duplicated(["list_name", "region_code"], keep=False),
            "region_code repeated in a list")
    own = own[["list_name", "region_code", "name"]]
    return pd.concat([shipped[~shipped["list_name"].isin(own["list_name"])], own],
                     ignore_index=True)


def load_ranking_lists(con: duckdb.DuckDBPyConnection, config_path: Path | str | None) -> int:
    """Replace the ranking lists (shipped plus the bureau's); return the number of rows."""
    table = pa.Table.from_pandas(ranking_lists(config_path), preserve_index=False)
    with _transaction(con):
        con.register("ranking_list_rows", table)
        try:
            con.execute("delete from ranking_lists")
            con.execute("insert into ranking_lists select list_name, region_code, name "
                        "from ranking_list_rows")
        finally:
            con.unregister("ranking_list_rows")
    return table.num_rows


def assign_station_regions(con: duckdb.DuckDBPyConnection) -> int:
    """Fill region_code of listed stations from the regions named like their city.

    Station lists give a city name (安康), not a code; the city-level region named 安康 or
    安康市 is taken when exactly one matches (province level for 北京/上海/天津/重庆). Listed
    stations therefore carry their city's code, configured ones their county's. Returns the
    number of stations updated.
    """
    return con.execute(read_sql("ingest/assign_station_regions")).fetchall()[0][0]


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction, rolled back on any error."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def load_dust_days(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Replace the bureau's sand-dust days (air_dust_flags) from data/config/dust_days.csv.

    The table is created from transforms/sql/air/air_dust_flags.sql (its one definition), so
    that it exists, empty, when the file does not; returns the rows loaded.
    """
    run_sql(con, "air/air_dust_flags")
    path = Path(path)
    if not path.exists():
        return 0
    frame = config_frame(path, DUST_COLUMNS)
    fail_on(path, frame, frame["region_code"] == "", "empty region_code")
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    fail_on(path, frame, dates.isna(), "date is not YYYY-MM-DD")
    rows = pa.table({
        "region_code": pa.array(frame["region_code"].tolist(), pa.string()),
        "date": pa.array(dates.dt.date.tolist(), pa.date32()),
        "note": pa.array(frame["note"].replace("", None).tolist(), pa.string()),
    })
    with _transaction(con):
        con.execute("delete from air_dust_flags")
        con.register("dust_days_rows", rows)
        try:
            con.execute("insert into air_dust_flags select * from dust_days_rows")
        finally:
            con.unregister("dust_days_rows")
    return rows.num_rows
