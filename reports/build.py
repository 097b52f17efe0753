"""Target-gap reports: one HTML page (no network) and one Excel workbook per region and as-of
date, plus the overview page of every region. Chinese by default, English with lang='en';
every label from reports.i18n. The pages of one folder share one plotly.js file written
beside them (about 4.7 MB once instead of in every page); self_contained=True embeds it in
each page instead, for a page to be mailed on its own.

This module only chooses what to write and where; the figures come from reports.data (SQL in
reports/sql), the page from reports.html_page, the workbook from reports.xlsx.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from reports import data
from reports.html_page import plotly_file_name, plotly_js, region_page
from reports.index_page import RegionPage, index_page
from reports.overview import read_overview, region_ranks
from reports.retention import prune_reports, reports_to_keep
from reports.tables import all_tables
from reports.xlsx import write_workbook
from transforms.clock import bureau_now


def resolve_as_of(con: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> dt.date:
    """The latest as-of date of target_progress on or before `as_of` (or the latest of all)."""
    rows = con.execute(
        "select max(as_of) from target_progress where $as_of is null or as_of <= $as_of",
        {"as_of": as_of},
    ).fetchall()
    if rows[0][0] is None:
        raise ValueError(f"target_progress holds no verdict on or before {as_of or 'today'}")
    return rows[0][0]


def report_regions(
    con: duckdb.DuckDBPyConnection,
    year: int,
    as_of: dt.date,
    region: str | None,
    lang: str = "zh",
) -> list[tuple[str, str]]:
    """(code, name) of the regions with targets for the year at as_of, cities before counties.

    English reports show the English name before the Chinese one where the registry has it.
    """
    rows = con.execute(
        data.sql_text("report_regions"), {"region": region, "year": year, "as_of": as_of}
    ).fetchall()
    if not rows:
        which = f"region {region}" if region else "any region"
        raise ValueError(f"target_progress holds no {year} targets of {which} at {as_of}")
    return [
        (code, f"{name_en} {name}" if lang == "en" and name_en else name)
        for code, name, name_en in rows
    ]


def write_shared_plotly(out: Path) -> str:
    """Write the shared plotly.js beside the pages (once per version; written to a temporary
    name and renamed, so a page never finds half a file); return its relative src."""
    name = plotly_file_name()
    path = out / name
    if not path.exists():
        tmp = out / f".{name}.tmp"
        tmp.write_text(plotly_js(), encoding="utf-8")
        tmp.replace(path)
    return name


def write_reports(
    warehouse: Path | str,
    out_dir: Path | str,
    as_of: dt.date | None = None,
    lang: str = "zh",
    formats: tuple[str, ...] = ("html", "xlsx"),
    region: str | None = None,
    year: int | None = None,
    quality_docs: Path | str | None = None,
    self_contained: bool = False,
) -> list[Path]:
    """Write every region's report (or one region's) from the published warehouse, and with
    every region's pages the overview page index_<lang>.html.

    quality_docs is the Data Docs index the pages link to (relatively), by default
    <out_dir>/quality/index.html as written by expectations/docs.py. self_contained embeds
    plotly.js in every page instead of sharing one file beside them.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = Path(quality_docs) if quality_docs else out / "quality" / "index.html"
    docs_href = Path(os.path.relpath(docs, out)).as_posix()
    generated = bureau_now()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        day = resolve_as_of(con, as_of)
        report_year = year or day.year
        written: list[Path] = []
        pages: dict[str, RegionPage] = {}
        common = data.common_data(con)
        # the ranks and the overview appear on pages only
        overview = read_overview(con, report_year, day) if "html" in formats else None
        plotly_src = None
        if "html" in formats and not self_contained:
            plotly_src = write_shared_plotly(out)
        for code, name in report_regions(con, report_year, day, region, lang):
            scope = data.Scope(code, report_year, day)
            d = data.region_data(con, scope, name, common)
            tables = all_tables(d, lang)
            # a past year's report must not overwrite the current one of the same as-of date
            year_part = "" if report_year == day.year else f"{report_year}_"
            stem = f"envq_{code}_{year_part}{day:%Y%m%d}_{lang}"
            if "html" in formats:
                path = out / f"{stem}.html"
                page = region_page(
                    d,
                    lang,
                    docs_href,
                    generated,
                    tables,
                    plotly_src=plotly_src,
                    ranks=region_ranks(overview, code) if overview is not None else None,
                )
                path.write_text(page, encoding="utf-8")
                written.append(path)
                pages[code] = RegionPage(name, path.name)
            if "xlsx" in formats:
                written.append(write_workbook(tables, lang, out / f"{stem}.xlsx"))
        if overview is not None and region is None:
            index = out / f"index_{lang}.html"
            index.write_text(
                index_page(overview, pages, lang, day, generated), encoding="utf-8"
            )
            written.append(index)
        prune_reports(out, reports_to_keep())
        return written
    finally:
        con.close()
