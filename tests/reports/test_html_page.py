"""reports.html_page: a self-contained page holds plotly.js once and no URL to fetch, a page of a
folder loads the shared plotly.js beside it; every name from the data is escaped; the cards
and sections come in the issue's order."""

from __future__ import annotations

import re

import pytest

from reports.build import write_reports
from reports.html_page import esc, fmt, plotly_file_name, text_colour
from tests.reports.conftest import CITY, PLANTED

PLOTLY_MARK = "plotly.js v"  # the bundle's banner comment


@pytest.fixture
def page(report_warehouse, tmp_path) -> str:
    write_reports(report_warehouse, tmp_path, formats=("html",), region=CITY, self_contained=True)
    return (tmp_path / f"envq_{CITY}_20260331_zh.html").read_text(encoding="utf-8")


def test_pages_of_a_folder_share_one_plotly_js_beside_them(report_warehouse, tmp_path):
    write_reports(report_warehouse, tmp_path, formats=("html",))
    shared = sorted(tmp_path.glob("plotly-*.min.js"))
    assert [p.name for p in shared] == [plotly_file_name()]
    assert shared[0].read_text(encoding="utf-8").count(PLOTLY_MARK) == 1
    pages = sorted(tmp_path.glob("envq_*.html"))
    assert len(pages) == 3
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert PLOTLY_MARK not in text
        srcs = re.findall(r'<script[^>]*\ssrc="([^"]+)"', text)
        assert srcs == [plotly_file_name()]  # relative: the folder opens anywhere, offline
        assert len(text) < 200_000  # the bundle alone is about 4.7 MB


def test_plotly_js_embedded_once_and_nothing_fetched(page):
    assert page.count(PLOTLY_MARK) == 1
    tags = re.findall(r"<script[^>]*>", page)
    # the bundle, its zh-CN locale, one call per figure, the print script
    assert len(tags) == 2 + 5 + 1
    assert not any("src" in tag for tag in tags)
    # the markup around the bundle (the bundle's own strings hold links it never follows)
    start = page.index("<script")
    markup = page[:start] + page[page.index("</script>", start) :]
    fetched = re.findall(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", markup, re.I)
    assert fetched == []
    assert "@import" not in markup and "<link" not in markup


def test_sections_in_the_issue_order(page):
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [
        "目标完成情况",
        "优良天数进度",
        "颗粒物浓度进度",
        "空气质量日历",
        "非优良天首要污染物",
        "区县排名",
        "水环境断面",
        "督察整改",
        "数据质量",
    ]
    ids = re.findall(r'<div id="(fig-[a-z0-9]+)"', page)
    assert ids == ["fig-good", "fig-pm25", "fig-pm10", "fig-calendar", "fig-drivers"]


def test_cards_carry_status_colours_and_figures(page):
    cards = re.findall(r'<div class="card" style="border-left-color:(#[0-9a-f]{6})">', page)
    assert cards == ["#ef6c00", "#66bb6a", "#f9a825"]  # good days, heavy days, PM2.5
    assert "尚需优良天数: 239" in page
    assert "年剩余日控制值: 38.5" in page
    # each card names the standards its figure was judged by (the fixture's 2026 targets)
    assert page.count("评价标准: 2026年版标准") == 3


def test_data_docs_linked_relatively(page):
    assert '<a href="quality/index.html">' in page


def test_names_from_data_are_escaped(planted_warehouse, tmp_path):
    write_reports(planted_warehouse, tmp_path, formats=("html",), region=CITY)
    page = (tmp_path / f"envq_{CITY}_20260331_zh.html").read_text(encoding="utf-8")
    body = page.split("</script>", 1)[1]  # after the plotly bundle
    assert "<script>alert(1)</script>" not in body
    assert "<b>bold</b>" not in body
    assert esc(PLANTED["610921"]) in body
    assert esc(PLANTED["S2"]) in body
    assert esc(PLANTED["610902"]) in body  # quotes escaped too


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), (float("nan"), "—"), (3, "3"), (1234.5, "1,234.50"), ("<x>", "&lt;x&gt;")],
)
def test_fmt(value, text):
    assert fmt(value) == text


def test_text_colour_reads_on_the_level_colours():
    assert text_colour("#FFFF00") == "#000"  # yellow (良)
    assert text_colour("#7E0023") == "#fff"  # maroon (严重污染)


def test_card_says_how_p_was_made_or_why_there_is_none():
    import pandas as pd

    from reports.html_page import probability_basis

    made = pd.Series(
        {
            "probability_of_meeting": 0.62,
            "projection_method": "block_bootstrap_30d",
            "history_years": 3,
            "history_span": "2023-2025",
            "projection_futures": 2000,
        }
    )
    assert probability_basis(made, "en") == "from 3 earlier years (2023-2025), 2000 futures"
    assert probability_basis(made, "zh") == "据3个往年（2023-2025）、2000种模拟"
    none = made.copy()
    none["probability_of_meeting"], none["projection_futures"] = None, None
    none["projection_method"], none["history_years"] = "none", 1
    assert "pace verdict only" in probability_basis(none, "en")
    none["projection_method"] = "final"
    assert probability_basis(none, "en") == ""
