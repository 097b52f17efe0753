"""A zh report in headless Chromium: no English interface text (plotly.js's toolbar included,
through the bundled zh-CN locale), and Ctrl+P's A4 document (Page.printToPDF with the page's
print stylesheet) has the headline and every card on page 1 and each section on a new page.
The same offline Chromium as test_html_page_chromium; pdftotext (poppler) reads the PDF."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from reports.build import write_reports
from reports.headline import headline
from tests.reports.conftest import AS_OF, CITY
from tests.reports.test_html_page_chromium import CHROMIUM, Browser, RefusingProxy

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")

TEXTS_JS = """(() => ({
  titles: Array.from(document.querySelectorAll('.modebar [data-title]'))
    .map(e => e.getAttribute('data-title')),
  text: document.body.innerText + '\\n' +
    Array.from(document.querySelectorAll('svg text')).map(e => e.textContent).join('\\n'),
}))()"""
# names that are the same in every language: pollutant symbols, units, water classes
SYMBOLS = re.compile(
    r"PM2\.5|PM10|SO2|NO2|O3-8h|O3|CO|AQI|µg/m³|mg/m³|I-III|Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Asia/Shanghai|PNG"
)
# nine more targets of the city, so that the first page holds twelve cards as the demo's does
MORE_TARGETS = [
    ("composite_index", "year", "<=", 4.2, 3.97, "on_track"),
    ("drinking_sources_met", "year", ">=", 100.0, 100.0, "on_track"),
    ("good_rate", "year", ">=", 86.3, 86.1, "at_risk"),
    ("o3_8h_p90", "year", "<=", 160.0, 147.0, "on_track"),
    ("pm10_mean", "year", "<=", 73.0, 67.4, "on_track"),
    ("share_class_1_3", "year", ">=", 80.0, 80.0, "on_track"),
    ("share_class_6", "year", "<=", 0.0, 0.0, "on_track"),
    ("pm25_mean", "Q1", "<=", 60.0, 58.0, "on_track"),
    ("pm25_mean", "Q4", "<=", 55.0, 40.8, "on_track"),
]


def _page(warehouse: Path, out: Path) -> Path:
    write_reports(warehouse, out, formats=("html",), region=CITY)
    return out / f"envq_{CITY}_{AS_OF:%Y%m%d}_zh.html"


def _browse(tmp_path: Path, page: Path, calls):
    with RefusingProxy() as proxy:
        browser = Browser(tmp_path / "profile", proxy.port)
        try:
            browser.load(page.resolve().as_uri())
            return calls(browser)
        finally:
            browser.close()


def _data_names(warehouse: Path) -> set[str]:
    """What the page shows as data: suites and expectations of the validation run, section
    codes, and the raw text of quarantined values."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select suite, expectation from validation_results").fetchall()
        rows += con.execute("select section_code from water_sections").fetchall()
        rows += con.execute("select * from quarantine").fetchall()  # raw text quarantined
    finally:
        con.close()
    return {name for row in rows for name in row if isinstance(name, str)}


def test_zh_page_has_no_english_interface_text(report_warehouse, tmp_path):
    page = _page(report_warehouse, tmp_path / "r")

    def texts(browser):
        return browser.call(
            "Runtime.evaluate",
            {"expression": TEXTS_JS, "returnByValue": True},
            session=browser.session,
        )["result"]["value"]

    found = _browse(tmp_path, page, texts)
    # the toolbar is there, and speaks Chinese (plotly.js's own English would read "Zoom")
    assert "缩放" in found["titles"] and "下载图表为PNG格式" in found["titles"]
    leftover = SYMBOLS.sub(" ", found["text"])
    for name in sorted(_data_names(report_warehouse), key=len, reverse=True):
        leftover = leftover.replace(name, " ")
    for title in found["titles"]:
        assert not re.findall(r"[A-Za-z]{2,}", SYMBOLS.sub(" ", title)), title
    words = re.findall(r"[A-Za-z]{2,}", leftover)
    assert words == [], [
        leftover[max(0, leftover.find(w) - 60) : leftover.find(w) + 40] for w in words
    ]
    # month names of the date axes and the calendar come in Chinese too
    assert "3月" in found["text"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_printed_report_has_the_headline_and_the_cards_on_page_one(report_warehouse, tmp_path):
    con = duckdb.connect(str(report_warehouse))
    try:
        for indicator, period, comparator, target, actual, status in MORE_TARGETS:
            con.execute(
                "insert into target_progress (region_code, year, period, as_of, indicator, "
                "comparator, target, actual, gap, status) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    CITY,
                    AS_OF.year,
                    period,
                    AS_OF,
                    indicator,
                    comparator,
                    target,
                    actual,
                    actual - target,
                    status,
                ],
            )
        from reports import data

        targets = data.targets(con, data.Scope(CITY, AS_OF.year, AS_OF))
    finally:
        con.close()
    assert len(targets) == 12
    page = _page(report_warehouse, tmp_path / "r")

    def pdf(browser):
        reply = browser.call(
            "Page.printToPDF",
            {"printBackground": True, "preferCSSPageSize": True},
            session=browser.session,
        )
        return base64.b64decode(reply["data"])

    out = tmp_path / "report.pdf"
    out.write_bytes(_browse(tmp_path, page, pdf))

    def text(first: int, last: int) -> str:
        done = subprocess.run(  # noqa: S603 - fixed argument list
            ["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(out), "-"],
            capture_output=True,
            check=True,
            text=True,
        )
        return re.sub(r"\s+", "", done.stdout)  # pdftotext breaks lines where the page does

    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info.stdout)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    first = text(1, 1)
    for sentence in headline(targets, "zh"):
        assert re.sub(r"\s+", "", sentence) in first
    assert first.count("目标:") == 12  # every card's target line
    assert "时序进度线" not in first  # the first chart (its legend) starts on a new page
    assert text(2, 2).startswith("优良天数进度")
    assert pages >= 6  # cards, good days, PM, calendar, drivers, ranking...
