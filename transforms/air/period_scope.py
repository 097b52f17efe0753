"""Which assessment periods a build recomputes, and putting rebuilt rows in place.

air_region_period, air_rankings and county_rankings are recomputed a whole period at a time
(month, quarter, year, ytd). A full build recomputes every period. A nightly increment that
changed some days recomputes the periods of those days' years, and of the year after each
(its year-on-year columns read this year's values); when the as-of date moved it also
recomputes the ytd period of every year, since ytd ends at the as-of month and day in each
year. The SQL models read the days of in_years: out_years and the year before each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

# the rows of a table of periods (a `year` and a `period_type` column) that a scope rebuilds
PERIODS_IN_SCOPE = (
    "list_contains($out_years::integer[], year) or (period_type = 'ytd' and $all_ytd)"
)


@dataclass(frozen=True)
class PeriodScope:
    """out_years: years whose periods are rebuilt; in_years: years whose days are read;
    all_ytd: also rebuild the ytd period of every year."""

    out_years: tuple[int, ...]
    in_years: tuple[int, ...]
    all_ytd: bool

    @classmethod
    def every(cls, years: Iterable[int]) -> PeriodScope:
        """Every period of these years (a full build)."""
        years = tuple(sorted(set(years)))
        return cls(years, years, True)

    @classmethod
    def for_changes(
        cls, changed_years: Iterable[int], years_present: Iterable[int], as_of_moved: bool
    ) -> PeriodScope:
        """The periods that days changed in changed_years (and a moved as-of date) affect."""
        changed, present = set(changed_years), set(years_present)
        out = changed | {y + 1 for y in changed if y + 1 in present}
        return cls(tuple(sorted(out)), tuple(sorted(out | {y - 1 for y in out})), as_of_moved)

    def params(self) -> dict[str, Any]:
        """Parameters of the SQL models ($out_years, $in_years, $all_ytd)."""
        return {
            "out_years": list(self.out_years),
            "in_years": list(self.in_years),
            "all_ytd": self.all_ytd,
        }

    def replaced_rows(self) -> tuple[str, dict[str, Any]]:
        """The where clause and parameters of the rows the scope rebuilds (put_in_place)."""
        return PERIODS_IN_SCOPE, {"out_years": list(self.out_years), "all_ytd": self.all_ytd}


def put_in_place(
    con: duckdb.DuckDBPyConnection,
    table: str,
    update: str,
    where: str | None = None,
    params: dict[str, Any] | None = None,
) -> None:
    """Make the temp table `update` the table (where None), or, in one transaction, delete
    the table's rows matching `where` (the rows update recomputed) and insert update's rows.
    table, update and where are fixed names and clauses of the callers, never user text."""
    if where is None:
        con.execute(f"create or replace table {table} as select * from temp.{update}")  # noqa: S608
    else:
        con.execute("begin transaction")
        try:
            con.execute(f"delete from {table} where {where}", params or {})  # noqa: S608
            con.execute(f"insert into {table} by name select * from temp.{update}")  # noqa: S608
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    con.execute(f"drop table if exists temp.{update}")
