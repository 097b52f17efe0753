"""The overview page in a real browser (headless Chromium over the DevTools protocol, as
test_html_page_chromium does): on a generated 340-city warehouse and on the demo, the rows come
in urgency order, a province filter leaves that province's rows alone, sorting by composite
index orders the rows, every link opens a page that exists, and nothing is requested from
outside the machine. The expected order is recomputed here from the warehouse, in Python,
independently of the page's SQL and script.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import pytest

from flows.plain_run import run_plainly
from reports.build import write_reports
from tests.conftest import REPO_ROOT
from tests.reports.conftest import CITY
from tests.reports.national_warehouse import build_national_warehouse, city_code
from tests.reports.test_html_page_chromium import (
    CHROMIUM,
    LOCAL_SCHEMES,
    Browser,
    RefusingProxy,
)
from transforms.sample.data import write_sample

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")

ROWS_JS = (
    "Array.from(document.querySelectorAll('#regions tbody tr'))"
    ".map(tr => [tr.dataset.code, tr.cells[2].textContent, tr.cells[%d].textContent])"
)
LINKS_JS = (
    "Array.from(document.querySelectorAll('a')).map(a => a.href)"
    ".filter(h => !h.includes('#'))"
)
# the worst status first (overview_targets.sql's urgency, restated here)
SEVERITY = {
    "cannot_be_met": 0,
    "not_met": 0,
    "off_track": 1,
    "at_risk": 2,
    "on_track": 3,
    "insufficient_data": 4,
    "not_evaluable": 4,
    "met": 5,
}


class Page:
    """One tab of the browser on one page."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        browser.call("Network.enable", session=self.session)
        browser.call("Page.enable", session=self.session)
        browser.call("Page.navigate", {"url": url}, session=self.session)
        browser.wait_for("Page.loadEventFired", self.session)

    def js(self, expression: str) -> object:
        reply = self.browser.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True},
            session=self.session,
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(reply["exceptionDetails"])
        return reply["result"].get("value")

    def requested(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e.get("method") == "Network.requestWillBeSent"
            and e.get("sessionId") == self.session
        ]


def column(page: Page, header: str) -> int:
    headers = page.js("Array.from(document.querySelectorAll('#regions th')).map(t => t.title)")
    assert isinstance(headers, list)
    return headers.index(header)


def expected_order(warehouse: Path, codes: set[str]) -> list[str]:
    """Urgency order recomputed from target_progress (own targets and sections' targets)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select region_code, status, probability_of_meeting, gap, target "
            "from target_progress "
            "where as_of = (select max(as_of) from target_progress) "
            "and year = year((select max(as_of) from target_progress))"
        ).fetchall()
        sections = con.execute(
            "select ws.section_code, r.region_code from water_sections ws, regions r "
            "where ws.region_code = r.region_code or ws.region_code in "
            "(select region_code from regions where parent_code = r.region_code)"
        ).fetchall()
        levels = dict(con.execute("select region_code, level from regions").fetchall())
    finally:
        con.close()
    owners: dict[str, list[str]] = {}
    for section, region in sections:
        owners.setdefault(section, []).append(region)
    verdicts: dict[str, list[tuple[int, float, float | None]]] = {}
    for code, status, p, gap, target in rows:
        short = gap / abs(target) if gap is not None and target else None
        for owner in owners.get(code, [code]):
            verdicts.setdefault(owner, []).append(
                (SEVERITY[status], 2.0 if p is None else p, short)
            )

    def key(code: str) -> tuple:
        mine = verdicts.get(code, [])
        if not mine:
            return (9, 2.0, 0, 0, 0.0, levels[code] == "county", code)
        worst = min(v[0] for v in mine)
        probabilities = [v[1] for v in mine if v[0] == worst]
        shorts = [v[2] for v in mine if v[0] == worst and v[2] is not None]
        # the largest shortfall first; none at all after any
        by_short = (0, -max(shorts)) if shorts else (1, 0.0)
        return (
            worst,
            min(probabilities),
            -len(probabilities),
            *by_short,
            levels[code] == "county",
            code,
        )

    return sorted(codes, key=key)


def check_overview(
    reports: Path, warehouse: Path, province: str, profile: Path, chart_region: str, day: str
) -> None:
    """Every check of the issue on one written folder of reports (chart_region: a region
    whose page has charts, day: the pages' as-of date and language, "20260331_zh.html")."""
    index = reports / "index_zh.html"
    with RefusingProxy() as proxy:
        browser = Browser(profile, proxy.port)
        try:
            page = Page(browser, index.resolve().as_uri())
            ci = column(page, "综合指数")
            rows = page.js(ROWS_JS % ci)
            assert isinstance(rows, list) and rows
            codes = [r[0] for r in rows]
            shown = page.js("document.getElementById('shown').textContent")
            assert shown == f"显示 {len(rows)} / {len(rows)} 个地区"
            assert page.js("document.getElementById('more').hidden") is True  # all drawn
            assert codes == expected_order(warehouse, set(codes))

            page.js(
                f"var s = document.getElementById('f-province'); s.value = {json.dumps(province)};"
                "s.dispatchEvent(new Event('change'))"
            )
            filtered = page.js(ROWS_JS % ci)
            assert isinstance(filtered, list)
            name = page.js(
                "document.querySelector('#f-province option:checked').textContent"
            )
            assert filtered and {r[1] for r in filtered} == {name}
            assert len(filtered) == sum(1 for r in rows if r[1] == name)
            page.js(
                "var s = document.getElementById('f-province'); s.value = '';"
                "s.dispatchEvent(new Event('change'))"
            )

            page.js(f"document.querySelectorAll('#regions th')[{ci}].click()")
            by_index = page.js(ROWS_JS % ci)
            assert isinstance(by_index, list) and len(by_index) == len(rows)
            values = [float(r[2]) for r in by_index if r[2] != "—"]
            assert values == sorted(values) and len(values) > 0
            assert all(r[2] == "—" for r in by_index[len(values) :])  # no value: last
            page.js(f"document.querySelectorAll('#regions th')[{ci}].click()")
            values = [float(r[2]) for r in page.js(ROWS_JS % ci) if r[2] != "—"]  # type: ignore[union-attr]
            assert values == sorted(values, reverse=True)

            ranked = page.js("document.querySelectorAll('#rank-lists tr').length")
            assert isinstance(ranked, int) and ranked > 4  # four lists with their headers

            links = page.js(LINKS_JS)
            assert isinstance(links, list)
            assert len(links) >= len(rows)
            for href in set(links):
                target = Path(unquote(urlparse(href).path))
                assert target.is_file(), href
                assert target.parent == reports.resolve()
            requested = page.requested()
            assert requested and all(u.startswith(LOCAL_SCHEMES) for u in requested), requested

            # linked region pages open with the shared plotly.js beside them, offline, and
            # every chart div is drawn
            for href in (links[0], *[h for h in links if h.endswith(f"_{chart_region}_{day}")]):
                region = Page(browser, href)
                time.sleep(0.5)
                drawn = region.js(
                    "[typeof Plotly, document.querySelectorAll('div[id^=fig-]').length,"
                    " document.querySelectorAll('div.js-plotly-plot').length]"
                )
                assert isinstance(drawn, list) and drawn[0] == "object" and drawn[1] == drawn[2]
                assert all(u.startswith(LOCAL_SCHEMES) for u in region.requested())
            assert drawn[1] >= 1  # the chart region's page has charts
        finally:
            browser.close()


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("national")
    warehouse = build_national_warehouse(folder / "wh.duckdb", n_cities=340)
    write_reports(warehouse, folder / "reports", formats=("html",))
    return warehouse, folder / "reports"


def test_overview_of_340_cities_in_a_browser(national, tmp_path):
    warehouse, reports = national
    assert len(list(reports.glob("envq_*.html"))) == 343  # 340 cities and conftest's three
    province = city_code(4)[:2] + "0000"
    check_overview(reports, warehouse, province, tmp_path / "profile", CITY, "20260331_zh.html")


@pytest.mark.e2e
def test_overview_of_the_demo_in_a_browser(tmp_path, monkeypatch):
    """The demo as `envq run --no-prefect` writes it, on 14 months of the bundled sample."""
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("ENVQ_REPORTS", str(tmp_path / "reports"))
    write_sample(tmp_path / "raw", start=dt.date(2025, 9, 1), end=dt.date(2026, 10, 31))
    warehouse = tmp_path / "wh" / "envq.duckdb"
    run_plainly(warehouse=str(warehouse), raw=str(tmp_path / "raw"))
    check_overview(
        tmp_path / "reports", warehouse, "620000", tmp_path / "profile", CITY, "20261031_zh.html"
    )
