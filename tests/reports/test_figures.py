"""reports.figures: the plain-dict figures are valid plotly figures (plotly's own validation,
which the page skips, accepts every property) and carry the warehouse's series."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from reports import data, figures
from reports.html_page import figure_div
from tests.reports.conftest import AS_OF, CITY

SCOPE = data.Scope(CITY, 2026, AS_OF)


def all_figures(d: data.RegionData, lang: str) -> dict[str, figures.Figure]:
    return {
        "good": figures.good_days_figure(d.good_days, d.targets, SCOPE, lang),
        "pm25": figures.pm_figure(d.running_means, d.targets, SCOPE, "pm25", lang),
        "pm10": figures.pm_figure(d.running_means, d.targets, SCOPE, "pm10", lang),
        "calendar": figures.calendar_figure(d.aqi_calendar, SCOPE, lang),
        "drivers": figures.drivers_figure(d.primary_pollutants, SCOPE, lang),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_pass_plotlys_validation(region, lang):
    for name, fig in all_figures(region, lang).items():
        validated = go.Figure(fig)  # raises on any unknown property or bad value
        assert len(validated.data) == len(fig["data"]), name
        assert validated.layout.template.layout.font.color == "#2a3f5f"  # plotly's default


def test_series_are_the_warehouse_values(region):
    figs = all_figures(region, "zh")
    this_year = region.good_days[region.good_days["year"] == 2026]
    trace = go.Figure(figs["good"]).data[1]
    assert list(trace.y) == this_year["cumulative_good_days"].tolist()
    assert trace.name == "今年 (2026)"
    goal = region.targets.set_index("indicator").loc["good_days", "target"]
    target = next(t for t in figs["good"]["data"] if t["line"].get("dash") == "dash")
    assert target["y"] == [goal, goal] and target["x"] == [1, 365]
    assert figs["calendar"]["layout"]["height"] == 460
    assert figs["calendar"]["layout"]["yaxis"] == {"autorange": "reversed"}
    assert [t["name"] for t in figs["pm25"]["data"]][:2] == ["日均浓度", "累计平均浓度"]


def test_figure_div_sends_typed_arrays(region):
    fig = figures.good_days_figure(region.good_days, region.targets, SCOPE, "zh")
    div = figure_div(fig, "fig-good")
    assert div.startswith('<div style="height:420px;') and '<div id="fig-good"' in div
    assert '"bdata"' in div and '"template"' in div
