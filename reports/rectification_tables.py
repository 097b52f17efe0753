"""Rectification tables of a region's report (督察整改): figures per source, responsible unit x
colour (白黄红三色督办), the red supervision list (督办单) and the whole ledger (整改台账)."""

from __future__ import annotations

import pandas as pd

from reports import i18n
from reports.colours import RECTIFICATION_COLOURS
from reports.data import RegionData
from reports.table import Table, frame_of, missing_to_none

COLOURS = ("red", "yellow", "white")


def _rate(part: int, whole: int) -> float | None:
    """Percent to 0.1, half to even (GB/T 8170), or None for an empty group."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def rectification_summary_table(d: RegionData, lang: str) -> Table:
    """Per source (inspection and batch): problems, completed, closed, under way, overdue,
    due within the warning window, completion and closure rates."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [t("rect_source"), t("rect_problems"), t("rect_completed"), t("rect_closed"),
               t("rect_under_way"), t("rect_overdue"), t("rect_due_soon"), t("rect_reopened"),
               t("rect_completion_rate"), t("rect_closure_rate")]
    p = d.rectification
    rows = []
    for source, g in p.groupby("source", sort=True):
        n, done, closed = len(g), int(g["is_completed"].sum()), int(g["is_closed"].sum())
        rows.append([source, n, done, closed, n - done, int(g["is_overdue"].sum()),
                     int(g["due_soon"].sum()), int(g["reopened"].sum()), _rate(done, n),
                     _rate(closed, n)])
    return Table("sheet_rect_summary", frame_of(rows, headers),
                 decimals={t("rect_completion_rate"): 1, t("rect_closure_rate"): 1})


def rectification_units_table(d: RegionData, lang: str) -> Table:
    """Responsible unit (rows) x colour (columns): how many problems each unit holds of each."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [t("rect_unit"), *(t(f"rect_{c}") for c in COLOURS), t("rect_problems")]
    p = d.rectification
    long = p[["unit_list", "colour"]].explode("unit_list").dropna(subset=["unit_list"])
    counts = pd.crosstab(long["unit_list"], long["colour"]) if len(long) else pd.DataFrame()
    rows, fills = [], {}
    for i, (unit, r) in enumerate(counts.iterrows()):
        values = [int(r.get(c, 0)) for c in COLOURS]
        rows.append([unit, *values, sum(values)])
        for j, c in enumerate(COLOURS):
            if values[j] and c != "white":
                fills[(i, 1 + j)] = RECTIFICATION_COLOURS[c]
    order = sorted(range(len(rows)), key=lambda k: (-rows[k][1], -rows[k][2], rows[k][0]))
    rows = [rows[k] for k in order]
    fills = {(order.index(i), j): c for (i, j), c in fills.items()}
    return Table("sheet_rect_units", frame_of(rows, headers), fills)


Fills = dict[tuple[int, int], str]


def _problem_rows(p: pd.DataFrame, lang: str) -> tuple[list[list[object]], Fills]:
    """One row per problem (colour first, filled with it)."""
    rows, fills = [], {}
    for i, r in enumerate(p.itertuples()):
        rows.append([
            i18n.text(f"rect_{r.colour}", lang),
            r.source,
            r.problem_no,
            r.description,
            missing_to_none(r.units),
            missing_to_none(r.deadline_text),
            missing_to_none(r.deadline),
            i18n.text(f"rect_status_{r.status}", lang),
            missing_to_none(r.days_overdue),
            i18n.text("rect_yes", lang) if r.reopened else None,
            missing_to_none(r.completed_date),
            missing_to_none(r.closed_date),
        ])
        fills[(i, 0)] = RECTIFICATION_COLOURS[r.colour]
    return rows, fills


def _problem_headers(lang: str) -> list[str]:
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    return [t("rect_colour"), t("rect_source"), t("rect_problem_no"), t("rect_description"),
            t("rect_units"), t("rect_deadline_text"), t("rect_deadline"), t("rect_status"),
            t("rect_days_overdue"), t("rect_reopened"), t("rect_completed_date"),
            t("rect_closed_date")]


def rectification_red_table(d: RegionData, lang: str) -> Table:
    """The supervision list (督办单): the red problems, most overdue first."""
    rows, fills = _problem_rows(d.rectification[d.rectification["colour"] == "red"], lang)
    return Table("sheet_rect_red", frame_of(rows, _problem_headers(lang)), fills)


def rectification_ledger_table(d: RegionData, lang: str) -> Table:
    """Every problem of the region at the latest snapshot (整改台账), red, yellow, then white."""
    rows, fills = _problem_rows(d.rectification, lang)
    return Table("sheet_rect_ledger", frame_of(rows, _problem_headers(lang)), fills)
