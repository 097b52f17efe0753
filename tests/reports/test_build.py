"""reports.build: which reports are written, the index page, English reports, the CLI."""

from __future__ import annotations

import datetime as dt
import html
import re

import openpyxl
import pytest

from flows.cli import main
from reports.build import write_reports
from reports.html_page import plotly_file_name
from tests.reports.conftest import CITY, COUNTY_A, COUNTY_B, fetch
from tests.reports.test_index_page import page_rows

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def data_texts(warehouse) -> set[str]:
    """Every text of the warehouse that a report may show as it is (names, pollutant lists)."""
    rows = fetch(
        warehouse,
        "select name from regions union select section_name from water_sections "
        "union select river from water_sections union select raw from quarantine "
        "union select unnest([target_miss_items, main_pollutants, exceedance]) "
        "from water_section_period "
        "union select unnest([source, description, deadline_text, array_to_string(units, '、')]) "
        "from rectification_problems",
    )
    return {r[0] for r in rows if r[0]}


def test_one_report_per_region_with_targets_and_an_index(report_warehouse, tmp_path):
    paths = write_reports(report_warehouse, tmp_path)
    names = sorted(p.name for p in paths)
    assert names == sorted(
        [
            f"envq_{c}_20260331_zh.{ext}"
            for c in (CITY, COUNTY_A, COUNTY_B)
            for ext in ("html", "xlsx")
        ]
        + ["index_zh.html"]
    )
    rows = page_rows((tmp_path / "index_zh.html").read_text(encoding="utf-8"))
    # the most urgent first: a lost target (county B), then off track (the city), on track
    assert [(r["h"], r["n"]) for r in rows] == [
        (f"envq_{COUNTY_B}_20260331_zh.html", "汉阴县"),
        (f"envq_{CITY}_20260331_zh.html", "安康市"),
        (f"envq_{COUNTY_A}_20260331_zh.html", "汉滨区"),
    ]


def test_english_report_has_no_chinese_labels(report_warehouse, tmp_path):
    write_reports(report_warehouse, tmp_path, lang="en", region=CITY)
    page = (tmp_path / f"envq_{CITY}_20260331_en.html").read_text(encoding="utf-8")
    start = page.index("<script")
    text = html.unescape(page[:start] + page[page.index("</script>", start) :])
    names = data_texts(report_warehouse)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    assert CJK.findall(text) == []
    assert "Ankang" in text and "Targets at a glance" in text
    wb = openpyxl.load_workbook(tmp_path / f"envq_{CITY}_20260331_en.xlsx")
    assert not any(CJK.search(n) for n in wb.sheetnames)
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        assert not any(CJK.search(str(h)) for h in header), (ws.title, header)
        for row in ws.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, str) and value not in names:
                    assert not CJK.search(value), (ws.title, value)


def test_as_of_picks_the_verdict_on_or_before_it(report_warehouse, tmp_path):
    paths = write_reports(
        report_warehouse, tmp_path, as_of=dt.date(2026, 3, 15), region=CITY, formats=("html",)
    )
    assert [p.name for p in paths] == [f"envq_{CITY}_20260228_zh.html"]
    with pytest.raises(ValueError, match="no verdict on or before 2026-01-01"):
        write_reports(report_warehouse, tmp_path, as_of=dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match="no 2025 targets of any region at 2026-03-31"):
        write_reports(report_warehouse, tmp_path, year=2025)


def test_envq_report_writes_html_and_xlsx(report_warehouse, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ENVQ_REPORTS", str(tmp_path / "reports"))
    assert main(["report", "--warehouse", str(report_warehouse), "--region", COUNTY_B]) == 0
    assert "reports: 2 files" in capsys.readouterr().out
    written = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert written == [
        f"envq_{COUNTY_B}_20260331_zh.html",
        f"envq_{COUNTY_B}_20260331_zh.xlsx",
        plotly_file_name(),
    ]


def test_envq_report_self_contained_writes_one_file_a_page(report_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("ENVQ_REPORTS", str(tmp_path / "reports"))
    argv = ["report", "--warehouse", str(report_warehouse), "--region", COUNTY_B]
    assert main([*argv, "--format", "html", "--self-contained"]) == 0
    written = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert written == [f"envq_{COUNTY_B}_20260331_zh.html"]
    page = (tmp_path / "reports" / written[0]).read_text(encoding="utf-8")
    assert "plotly.js v" in page and " src=" not in page
