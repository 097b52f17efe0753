"""Opening the DuckDB warehouse, applying its schema and running the SQL files of transforms/sql."""

from __future__ import annotations

import os
import re
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

SQL_PACKAGE = "transforms.sql"

# The on-disk format a written warehouse gets. DuckDB 2.0 writes storage version 69 by default,
# which DuckDB 1.x (R's package, DBeaver's driver, most command lines) refuses; 'v1.4.0' is read
# by DuckDB >= 1.4. 'latest' chooses the running DuckDB's own newer format.
STORAGE_VERSION_ENV = "ENVQ_STORAGE_VERSION"
DEFAULT_STORAGE_VERSION = "v1.4.0"
_STORAGE_VERSION = re.compile(r"v\d+\.\d+\.\d+|latest")


def read_sql(name: str, package: str = SQL_PACKAGE) -> str:
    """Return the text of <name>.sql in a package's SQL folder (transforms/sql by default;
    expectations.sql and reports.sql for theirs); name with or without the .sql suffix."""
    if not name.endswith(".sql"):
        name += ".sql"
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def run_sql(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> None:
    """Run one SQL file; named parameters ($name) are bound, never pasted into the text."""
    if params:
        con.execute(read_sql(name), params)
    else:
        con.execute(read_sql(name))


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the warehouse holds a stored (not temporary) table of that name."""
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where table_name = ? and not temporary", [name]
        ).fetchall()[0][0]
    )


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the core and bookkeeping tables that do not exist yet (idempotent)."""
    run_sql(con, "core/schema")


def storage_version() -> str:
    """The storage version new warehouse files get: $ENVQ_STORAGE_VERSION, else v1.4.0."""
    version = os.environ.get(STORAGE_VERSION_ENV) or DEFAULT_STORAGE_VERSION
    if not _STORAGE_VERSION.fullmatch(version):
        raise ValueError(
            f"{STORAGE_VERSION_ENV}={version!r}: expected a version such as v1.4.0, or latest"
        )
    return version


def file_storage_version(con: duckdb.DuckDBPyConnection) -> str:
    """The storage version tag of the connection's database file, e.g. 'v1.4.0+'."""
    tags = con.execute(
        "select tags from duckdb_databases() where database_name = current_database()"
    ).fetchall()[0][0]
    return str((tags or {}).get("storage_version", ""))


@cache
def _tag_written_for(version: str) -> str:
    """The tag DuckDB gives a new file written with this storage version (probed once)."""
    with tempfile.TemporaryDirectory() as folder:
        probe = duckdb.connect(
            str(Path(folder) / "probe.duckdb"), config={"storage_compatibility_version": version}
        )
        try:
            return file_storage_version(probe)
        finally:
            probe.close()


def rewrite_storage(path: Path | str, version: str | None = None) -> bool:
    """Rewrite the (closed) database at path in the given storage version if it is in another.

    A file keeps the format it was created in; this copies every table, view and comment into a
    new file of the wanted version and swaps it in. Returns whether the file was rewritten.
    """
    path = Path(path)
    version = version or storage_version()
    if not _STORAGE_VERSION.fullmatch(version):
        raise ValueError(f"storage version {version!r}: expected e.g. v1.4.0 or latest")
    with duckdb.connect(str(path), read_only=True) as con:
        current = file_storage_version(con)
    if current == _tag_written_for(version):
        return False
    tmp = path.with_name(f".{path.name}.{os.getpid()}.storage.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect() as con:
            con.execute("set enable_progress_bar = false")
            con.execute("attach ? as src (read_only)", [str(path)])
            # the version is validated above, so it can be part of the statement
            con.execute(f"attach ? as dst (storage_version '{version}')", [str(tmp)])
            con.execute("copy from database src to dst")
            con.execute("detach dst")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at path (creating its folder and schema when writing).

    A file created here is written in storage_version() so that DuckDB 1.x clients can open it.
    """
    path = Path(path)
    if read_only:
        con = duckdb.connect(str(path), read_only=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        config = {"storage_compatibility_version": storage_version()}
        con = duckdb.connect(str(path), config=config)
    if not read_only:
        apply_schema(con)
    return con
