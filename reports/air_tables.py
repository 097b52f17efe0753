"""Air tables of a region's report: targets, good days, PM means, AQI calendar, primary
pollutants of the non-good days, county ranking."""

from __future__ import annotations

from reports import i18n
from reports.colours import aqi_levels, status_colour
from reports.data import RegionData
from reports.table import Table, as_float, as_int, frame_of, missing_to_none


def targets_table(d: RegionData, lang: str) -> Table:
    """One row per target: target, actual (the published, rounded figure), gap, pace, what the
    rest of the period must deliver, the status (数据不足 when the statistic is not valid) and
    the edition of the standards the figure was judged by."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [
        t("indicator"),
        t("period"),
        t("unit"),
        t("target"),
        t("actual"),
        t("gap"),
        t("elapsed_share"),
        t("pace"),
        t("pace_gap"),
        t("good_days_needed"),
        t("non_good_allowed"),
        t("ceiling"),
        t("projected"),
        t("probability"),
        t("last_year"),
        t("status"),
        t("edition"),
    ]
    rows, fills = [], {}
    for i, r in enumerate(d.targets.itertuples()):
        rows.append(
            [
                i18n.indicator(r.indicator, lang),
                i18n.period(r.period, lang),
                i18n.unit(r.indicator, lang),
                as_float(r.target),
                as_float(r.actual),
                as_float(r.gap),
                None
                if missing_to_none(r.elapsed_share) is None
                else round(float(r.elapsed_share) * 100, 1),
                as_float(r.on_pace_value),
                as_float(r.pace_gap),
                as_int(r.good_days_needed),
                as_int(r.non_good_days_allowed),
                as_float(r.remaining_mean_ceiling),
                as_float(r.projected),
                as_float(r.probability_of_meeting),
                as_float(r.last_year_actual),
                i18n.indicator(r.status, lang),
                t(f"edition_{r.edition}") if missing_to_none(r.edition) else None,
            ]
        )
        fills[(i, len(headers) - 2)] = status_colour(r.status)
    return Table("sheet_targets", frame_of(rows, headers), fills)


def good_days_table(d: RegionData, lang: str) -> Table:
    """Cumulative good days by day, this year and last year."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [t("year"), t("date"), t("day_of_year"), t("cum_good")]
    rows = [
        [int(r.year), r.date, int(r.day_of_year), int(r.cumulative_good_days)]
        for r in d.good_days.itertuples()
    ]
    return Table("sheet_good_days", frame_of(rows, headers))


def pm_table(d: RegionData, lang: str) -> Table:
    """Daily and running year-to-date means of PM2.5 and PM10."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [t("date")]
    for p in ("pm25", "pm10"):
        name = i18n.pollutant(p, lang)
        headers += [f"{name} {t('daily_mean')}", f"{name} {t('ytd_mean')}"]
    rows = [
        [
            r.date,
            as_float(r.pm25),
            as_float(r.pm25_ytd_mean),
            as_float(r.pm10),
            as_float(r.pm10_ytd_mean),
        ]
        for r in d.running_means.itertuples()
    ]
    return Table("sheet_pm", frame_of(rows, headers))


def calendar_table(d: RegionData, lang: str) -> Table:
    """One row a day: AQI, level, category and primary pollutants, level colour as fill."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [t("date"), t("aqi"), t("level"), t("category"), t("primary_pollutant")]
    levels = {lv["level"]: lv for lv in aqi_levels(d.scope.as_of)}
    category = "category_en" if lang == "en" else "category_zh"
    rows, fills = [], {}
    for i, r in enumerate(d.aqi_calendar.itertuples()):
        level = as_int(r.level)
        names = i18n.pollutants(r.primary_pollutants, lang)
        rows.append(
            [
                r.date,
                as_int(r.aqi),
                level,
                levels[level][category] if level else None,
                ", ".join(names) or None,
            ]
        )
        if level:
            fills[(i, 3)] = levels[level]["colour"]
    return Table("sheet_calendar", frame_of(rows, headers), fills)


def drivers_table(d: RegionData, lang: str) -> Table:
    """Non-good days by month (rows) and primary pollutant (columns)."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    counts = d.primary_pollutants
    codes = sorted(counts["pollutant"].unique()) if not counts.empty else []
    headers = [t("month")] + [i18n.pollutant(c, lang) for c in codes]
    rows = []
    for m in range(1, d.scope.as_of.month + 1 if d.scope.as_of.year == d.scope.year else 13):
        per = counts[counts["month"] == m].set_index("pollutant")["days"]
        rows.append([i18n.month(m, lang)] + [int(per.get(c, 0)) for c in codes])
    return Table("sheet_drivers", frame_of(rows, headers))


def ranking_table(d: RegionData, lang: str) -> Table:
    """Counties ranked by composite index year to date, with last year and the change."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    ly = t("last_year")
    headers = [
        t("rank"),
        t("region_code"),
        t("region"),
        t("composite_index"),
        f"{t('composite_index')} {ly}",
        t("change_pct"),
        t("pm25"),
        f"{t('pm25')} {ly}",
        t("change_pct") + " PM2.5",
        t("good_rate"),
        f"{t('good_rate')} {ly}",
        t("change_pp"),
        t("improvement_rank"),
    ]
    rows, fills = [], {}
    for i, r in enumerate(d.county_ranking.itertuples()):
        rows.append(
            [
                as_int(r.composite_index_rank)
                if r.ranking_status != "insufficient_data"
                else t("insufficient_data"),
                r.region_code,
                r.name,
                as_float(r.composite_index),
                as_float(r.composite_index_last_year),
                as_float(r.composite_index_change_pct),
                as_float(r.pm25),
                as_float(r.pm25_last_year),
                as_float(r.pm25_change_pct),
                as_float(r.good_rate),
                as_float(r.good_rate_last_year),
                as_float(r.good_rate_change),
                as_int(r.improvement_rank),
            ]
        )
        if r.region_code == d.scope.region:
            fills.update({(i, c): "#fff3c4" for c in range(len(headers))})
    decimals = {headers[3]: 2, headers[4]: 2}
    return Table("sheet_ranking", frame_of(rows, headers), fills, decimals)
