"""The data dictionary of the published warehouse, from transforms/dictionary.yaml.

One source for the comments stored in the file (COMMENT ON every table, view and column, which
DBeaver and duckdb_columns() show) and for the dictionary part of docs/analysts.md. A column's
meaning is looked up in its table's own entries, then by name, then by pattern (a pollutant or
water item with a statistic suffix such as pm25_p95 or co_p95_yoy_pct).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import yaml

DOC_START = "<!-- dictionary: generated from transforms/dictionary.yaml; do not edit by hand -->"
DOC_END = "<!-- end of dictionary -->"


@dataclass(frozen=True)
class Entry:
    """What one table or column means, in Chinese and English."""

    zh: str
    en: str
    unit: str | None = None
    standard: str | None = None

    def comment(self) -> str:
        """One line: 中文 / English; unit; standard and clause."""
        parts = [f"{self.zh} / {self.en}"]
        if self.unit:
            parts.append(f"单位 unit: {self.unit}")
        if self.standard:
            parts.append(f"依据 standard: {self.standard}")
        return "; ".join(parts)


@dataclass(frozen=True)
class TableInfo:
    """A published table or view: its meaning and how exports treat it."""

    name: str
    entry: Entry
    kind: str
    year_column: str | None
    large: bool
    columns: dict[str, Entry]


@cache
def _source() -> dict[str, Any]:
    text = resources.files("transforms").joinpath("dictionary.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _entry(raw: dict[str, Any]) -> Entry:
    return Entry(raw["zh"], raw["en"], raw.get("unit"), raw.get("standard"))


@cache
def tables() -> dict[str, TableInfo]:
    """Every published table and view of the dictionary, by name."""
    out = {}
    for name, raw in _source()["tables"].items():
        columns = {c: _entry(v) for c, v in (raw.get("columns") or {}).items()}
        out[name] = TableInfo(
            name, _entry(raw), raw["kind"], raw.get("year_column"), bool(raw.get("large")), columns
        )
    return out


def column_entry(table: str, column: str) -> Entry | None:
    """The meaning of table.column, or None when the dictionary does not know it."""
    info = tables().get(table)
    if info and column in info.columns:
        return info.columns[column]
    return _by_name(column)


@cache
def _by_name(column: str) -> Entry | None:
    source = _source()
    if column in source["columns"]:
        return _entry(source["columns"][column])
    for pattern in source["patterns"]:
        stem = _stem(column, pattern)
        if stem is None:
            continue
        nested = stem != column  # a bare item code must not look itself up again
        base = _base(stem, pattern["kind"], nested, bool(pattern.get("any_stem")))
        if base is None:
            continue
        fill = {"zh": base.zh, "en": base.en, "unit": base.unit or ""}
        return Entry(
            pattern["zh"].format(**fill),
            pattern["en"].format(**fill),
            pattern.get("unit", base.unit),
            pattern.get("standard", base.standard),
        )
    return None


def _stem(column: str, pattern: dict[str, Any]) -> str | None:
    prefix, suffix = pattern.get("prefix", ""), pattern.get("suffix", "")
    if not column.startswith(prefix) or not column.endswith(suffix):
        return None
    stem = column[len(prefix) : len(column) - len(suffix)]
    return stem or None


def _base(stem: str, kind: str, nested: bool, any_stem: bool = False) -> Entry | None:
    """A pollutant or water item by code, or (for air) a statistic column such as co_p95; with
    any_stem, any column the dictionary describes (good_rate_unrounded)."""
    items = _source()["pollutants" if kind == "air" else "water_items"]
    if stem in items:
        return _entry(items[stem])
    if nested and any_stem:
        return _by_name(stem)
    if nested and kind == "air" and stem not in _source()["columns"]:
        found = _by_name(stem)
        if found is not None and stem.split("_")[0] in _source()["pollutants"]:
            return found
    return None


def published(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(name, 'table' or 'view', [(column, type)]) of every table and view in the warehouse."""
    rows = con.execute(
        """
        select c.table_name, coalesce(v.kind, 'table'), list((c.column_name, c.data_type)
                                                           order by c.column_index)
        from duckdb_columns() c
        left join (select view_name, 'view' as kind from duckdb_views() where not internal) v
          on v.view_name = c.table_name
        where c.database_name = current_database() and c.schema_name = 'main' and not c.internal
        group by all
        order by 1
        """
    ).fetchall()
    return [(name, kind, [tuple(c) for c in cols]) for name, kind, cols in rows]


def missing(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Published tables and columns the dictionary does not describe ('table' or 'table.col')."""
    out = []
    for name, _kind, columns in published(con):
        if name not in tables():
            out.append(name)
        out += [f"{name}.{c}" for c, _ in columns if column_entry(name, c) is None]
    return out


def apply_comments(con: duckdb.DuckDBPyConnection) -> int:
    """COMMENT ON every described table, view and column whose comment differs; returns how
    many comments were written (a rebuilt table has lost its comments, an untouched one not).

    Object names come from the catalogue (quoted as identifiers) and comment text is quoted as
    a SQL string literal; all in one transaction.
    """
    current = dict(
        con.execute(
            """
            select table_name || '.' || column_name, coalesce(comment, '') from duckdb_columns()
            where database_name = current_database() and schema_name = 'main' and not internal
            union all
            select table_name, coalesce(comment, '') from duckdb_tables()
            where database_name = current_database() and schema_name = 'main'
            union all
            select view_name, coalesce(comment, '') from duckdb_views()
            where database_name = current_database() and schema_name = 'main' and not internal
            """
        ).fetchall()
    )
    todo: list[tuple[str, str]] = []
    for name, kind, columns in published(con):
        info = tables().get(name)
        if info is not None and current.get(name) != info.entry.comment():
            todo.append((f"comment on {kind} {_ident(name)} is ", info.entry.comment()))
        for column, _ in columns:
            entry = column_entry(name, column)
            if entry is not None and current.get(f"{name}.{column}") != entry.comment():
                target = f"comment on column {_ident(name)}.{_ident(column)} is "
                todo.append((target, entry.comment()))
    if todo:
        con.execute("begin transaction")
        try:
            for statement, text in todo:
                _comment(con, statement, text)
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return len(todo)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _comment(con: duckdb.DuckDBPyConnection, statement: str, text: str) -> None:
    # COMMENT ON takes a literal, not a parameter: quote it the SQL way
    con.execute(statement + "'" + text.replace("'", "''") + "'")


def render_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """The dictionary part of docs/analysts.md: one section per published table or view."""
    lines = [DOC_START, ""]
    for name, kind, columns in published(con):
        info = tables().get(name)
        lines.append(f"## `{name}` ({kind})")
        lines.append("")
        if info is not None:
            lines.append(f"{info.entry.zh}. {info.entry.en} (kind: {info.kind})")
            lines.append("")
        lines.append("| column | type | 中文 | meaning | unit | standard |")
        lines.append("|---|---|---|---|---|---|")
        for column, data_type in columns:
            e = column_entry(name, column) or Entry("", "")
            cells = [column, data_type, e.zh, e.en, e.unit or "", e.standard or ""]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    lines.append(DOC_END)
    return "\n".join(lines)


def update_doc(doc: Path, con: duckdb.DuckDBPyConnection) -> bool:
    """Replace the generated part of doc (between the markers); returns whether it changed."""
    text = doc.read_text(encoding="utf-8")
    start, end = text.index(DOC_START), text.index(DOC_END) + len(DOC_END)
    new = text[:start] + render_markdown(con) + text[end:]
    if new != text:
        doc.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # python -m transforms.dictionary WAREHOUSE [DOC]
    warehouse = sys.argv[1]
    target = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/analysts.md")
    with duckdb.connect(warehouse, read_only=True) as connection:
        gaps = missing(connection)
        if gaps:
            sys.exit("not in transforms/dictionary.yaml: " + ", ".join(gaps))
        print(f"{target}: {'updated' if update_doc(target, connection) else 'unchanged'}")
