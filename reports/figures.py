"""Plotly figures of a region's report, drawn from the frames of reports.data.

Figures are plain dicts (data + layout) in the shape plotly.graph_objects would give, serialised
by reports.html_page without plotly's per-property validation: building the same charts through
graph_objects cost about a third of a second a region, most of it validating values we set
ourselves. The default template is added here so that the charts look as plotly's own would.

Only SVG trace types (scatter, bar, heatmap) so that the page renders without WebGL on an office
PC; the page embeds plotly.js once (reports.html_page), figures carry no script of their own.
Plotly draws text as a subset of HTML, so text that comes from data (pollutant codes that the
translation table does not know) is escaped.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import html
from functools import cache
from typing import Any

import pandas as pd
import plotly.io as pio

from reports import i18n
from reports.colours import aqi_levels
from reports.data import Scope

Figure = dict[str, Any]

LAST_YEAR_GREY = "#9e9e9e"
THIS_YEAR_BLUE = "#1f5fa8"
TARGET_RED = "#c62828"
PACE_GREEN = "#2e7d32"
POLLUTANT_COLOURS = {
    "pm25": "#8c564b",
    "pm10": "#d4a373",
    "o3_8h": "#1f77b4",
    "o3_1h": "#6baed6",
    "no2": "#9467bd",
    "so2": "#7f7f7f",
    "co": "#2ca02c",
    "unknown": "#c7c7c7",
}
LAYOUT = {
    "height": 420,
    "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
    "legend": {"orientation": "h", "y": -0.18},
    "font": {"family": "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif"},
    "plot_bgcolor": "#ffffff",
}


@cache
def _template() -> dict[str, Any]:
    """plotly's default template as a dict (what go.Figure puts in every layout)."""
    return pio.templates[pio.templates.default].to_plotly_json()


def layout(title: str, **extra: Any) -> dict[str, Any]:
    """The report's common layout with a title and axes; the template shared, not copied."""
    return {"template": _template(), **copy.deepcopy(LAYOUT), "title": {"text": title}, **extra}


def axis_title(text: str) -> dict[str, Any]:
    """An axis with a title."""
    return {"title": {"text": text}}


def line(x: Any, y: Any, name: str, style: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A scatter trace drawn as a line."""
    return {
        "x": x,
        "y": y,
        "name": name,
        "mode": "lines",
        "line": style,
        **extra,
        "type": "scatter",
    }


def _target_row(targets: pd.DataFrame, indicator: str) -> pd.Series | None:
    rows = targets[(targets["indicator"] == indicator) & (targets["period"] == "year")]
    return None if rows.empty else rows.iloc[0]


def _year_days(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def good_days_figure(days: pd.DataFrame, targets: pd.DataFrame, scope: Scope, lang: str) -> Figure:
    """Cumulative good days this year and last year against the annual target and its pace."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    data = []
    for year, name, colour in (
        (scope.year - 1, f"{t('last_year')} ({scope.year - 1})", LAST_YEAR_GREY),
        (scope.year, f"{t('this_year')} ({scope.year})", THIS_YEAR_BLUE),
    ):
        d = days[days["year"] == year]
        if d.empty:
            continue
        data.append(
            line(
                d["day_of_year"].to_numpy(),
                d["cumulative_good_days"].to_numpy(),
                name,
                {"color": colour, "width": 3 if year == scope.year else 2},
                customdata=[str(x) for x in d["date"]],
                hovertemplate="%{customdata}: %{y}<extra></extra>",
            )
        )
    row = _target_row(targets, "good_days")
    if row is not None:
        goal, n = float(row["target"]), _year_days(scope.year)
        data.append(
            line(
                [1, n],
                [goal, goal],
                f"{t('target_line')} {goal:g}",
                {"color": TARGET_RED, "dash": "dash"},
            )
        )
        data.append(line([0, n], [0, goal], t("pace_line"), {"color": PACE_GREEN, "dash": "dot"}))
    return {
        "data": data,
        "layout": layout(
            t("cum_good"), xaxis=axis_title(t("day_of_year")), yaxis=axis_title(t("days"))
        ),
    }


def pm_figure(
    means: pd.DataFrame, targets: pd.DataFrame, scope: Scope, pollutant: str, lang: str
) -> Figure:
    """Running year-to-date mean of PM2.5 or PM10 against the target and the rest-of-year cap."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    label = i18n.pollutant(pollutant, lang)
    data = []
    if not means.empty:
        dates = pd.to_datetime(means["date"]).to_numpy()
        data.append(
            line(
                dates,
                means[pollutant].to_numpy(),
                t("daily_mean"),
                {"color": "#c8c8c8", "width": 1},
            )
        )
        data.append(
            line(
                dates,
                means[f"{pollutant}_ytd_mean"].to_numpy(),
                t("ytd_mean"),
                {"color": THIS_YEAR_BLUE, "width": 3},
            )
        )
    row = _target_row(targets, f"{pollutant}_mean")
    if row is not None:
        start, end = dt.date(scope.year, 1, 1), dt.date(scope.year, 12, 31)
        goal = float(row["target"])
        # a region without targets is drawn against the standard limit, named as such
        name = "standard_line" if row.get("target_basis") == "standard_limit" else "target"
        data.append(
            line(
                [start, end],
                [goal, goal],
                f"{t(name)} {goal:g}",
                {"color": TARGET_RED, "dash": "dash"},
            )
        )
        ceiling = row["remaining_mean_ceiling"]
        if pd.notna(ceiling) and scope.as_of < end:
            data.append(
                line(
                    [scope.as_of + dt.timedelta(days=1), end],
                    [float(ceiling), float(ceiling)],
                    f"{t('ceiling_line')} {float(ceiling):.1f}",
                    {"color": "#ef6c00", "width": 4},
                )
            )
    return {
        "data": data,
        "layout": layout(
            f"{label} · {t('ytd_mean')}",
            xaxis=axis_title(t("date")),
            yaxis=axis_title(t("concentration")),
        ),
    }


def calendar_figure(days: pd.DataFrame, scope: Scope, lang: str) -> Figure:
    """AQI calendar: one cell a day (month rows, day columns) in the HJ 633 level colours."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    levels = aqi_levels(scope.as_of)
    category = "category_en" if lang == "en" else "category_zh"
    z: list[list[int | None]] = [[None] * 31 for _ in range(12)]
    text = [[""] * 31 for _ in range(12)]
    for row in days.itertuples():
        d = pd.Timestamp(row.date)
        if pd.isna(row.level):
            continue
        lv = levels[int(row.level) - 1]
        primary = ", ".join(html.escape(n) for n in i18n.pollutants(row.primary_pollutants, lang))
        z[d.month - 1][d.day - 1] = int(row.level)
        text[d.month - 1][d.day - 1] = f"{d.date()} AQI {int(row.aqi)} {lv[category]}" + (
            f" · {primary}" if primary else ""
        )
    n = len(levels)
    scale = []
    for i, lv in enumerate(levels):
        scale += [[i / n, lv["colour"]], [(i + 1) / n, lv["colour"]]]
    heatmap = {
        "z": z,
        "x": list(range(1, 32)),
        "y": [i18n.month(m, lang) for m in range(1, 13)],
        "text": text,
        "hovertemplate": "%{text}<extra></extra>",
        "colorscale": scale,
        "zmin": 0.5,
        "zmax": n + 0.5,
        "xgap": 2,
        "ygap": 2,
        "colorbar": {
            "tickvals": [lv["level"] for lv in levels],
            "ticktext": [lv[category] for lv in levels],
            "title": {"text": t("category")},
        },
        "type": "heatmap",
    }
    return {
        "data": [heatmap],
        "layout": layout(
            f"{t('sec_calendar')} {scope.year}",
            xaxis={**axis_title(t("day")), "dtick": 1},
            yaxis={"autorange": "reversed"},
            height=460,
        ),
    }


def drivers_figure(counts: pd.DataFrame, scope: Scope, lang: str) -> Figure:
    """Non-good days by month, stacked by primary pollutant."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    months = list(range(1, 13))
    data = []
    for code in sorted(counts["pollutant"].unique()) if not counts.empty else []:
        per_month = counts[counts["pollutant"] == code].set_index("month")["days"]
        data.append(
            {
                "x": [i18n.month(m, lang) for m in months],
                "y": [int(per_month.get(m, 0)) for m in months],
                "name": html.escape(i18n.pollutant(code, lang)),
                "marker": {"color": POLLUTANT_COLOURS.get(code, "#17becf")},
                "type": "bar",
            }
        )
    return {
        "data": data,
        "layout": layout(
            f"{t('sec_drivers')} {scope.year}",
            barmode="stack",
            xaxis=axis_title(t("month")),
            yaxis=axis_title(t("days")),
        ),
    }
