"""Water tables of a region's report: the sections with their verdicts, and the section x month
class matrix."""

from __future__ import annotations

from reports import i18n
from reports.colours import status_colour, water_class_colours
from reports.data import RegionData
from reports.table import Table, as_int, frame_of, missing_to_none


def water_table(d: RegionData, lang: str) -> Table:
    """Per section: target class, class to date, last year's, verdict, main pollutants."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [
        t("section_code"),
        t("section"),
        t("river"),
        t("target_class"),
        t("class_now"),
        t("class_last_year"),
        t("meets_target"),
        t("target_miss_items"),
        t("main_pollutants"),
        t("exceedance"),
        t("status"),
    ]
    colours = water_class_colours()
    rows, fills = [], {}
    for i, r in enumerate(d.water_sections.itertuples()):
        met = missing_to_none(r.meets_target)
        rows.append(
            [
                r.section_code,
                r.section_name,
                missing_to_none(r.river),
                i18n.water_class(r.target_class, lang),
                i18n.water_class(r.class_now, lang),
                i18n.water_class(r.last_year_class, lang),
                None if met is None else t("met_yes" if met else "met_no"),
                missing_to_none(r.target_miss_items) or None,
                missing_to_none(r.main_pollutants) or None,
                missing_to_none(r.exceedance) or None,
                i18n.indicator(r.status, lang) if missing_to_none(r.status) else None,
            ]
        )
        if missing_to_none(r.status):
            fills[(i, 10)] = status_colour(r.status)
        for col, value in ((4, r.class_now), (5, r.last_year_class)):
            if as_int(value) in colours:
                fills[(i, col)] = colours[int(value)]
        if met is not None:
            fills[(i, 6)] = status_colour("met" if met else "not_met")
    return Table("sheet_water", frame_of(rows, headers), fills)


def water_matrix_table(d: RegionData, lang: str) -> Table:
    """Section (rows) x month (columns) class, coloured by class."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [t("section_code"), t("section"), t("target_class")]
    headers += [i18n.month(m, lang) for m in range(1, 13)]
    colours = water_class_colours()
    rows, fills = [], {}
    long = d.water_matrix
    for i, (code, rows_of) in enumerate(long.groupby("section_code", sort=True)):
        first = rows_of.iloc[0]
        by_month = rows_of.set_index("month")["class"]
        row = [code, first["section_name"], i18n.water_class(first["target_class"], lang)]
        for m in range(1, 13):
            value = as_int(by_month.get(m))
            row.append(i18n.water_class(value, lang) or None)
            if value in colours:
                fills[(i, 2 + m)] = colours[value]
        rows.append(row)
    return Table("sheet_water_matrix", frame_of(rows, headers), fills)
