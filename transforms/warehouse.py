"""Opening the DuckDB warehouse, applying its schema and running the SQL files of transforms/sql."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

SQL_PACKAGE = "transforms.sql"


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


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at path (creating its folder and schema when writing)."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        apply_schema(con)
    return con
