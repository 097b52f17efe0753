"""Report retention keeps the newest as-of dates of each region, year and language."""

from __future__ import annotations

from reports.retention import prune_reports


def test_prune_keeps_the_newest_dates_of_each_region_and_language(tmp_path):
    names = [
        f"envq_610900_{day}_{lang}.{ext}"
        for day in ("20261029", "20261030", "20261031")
        for lang in ("zh", "en")
        for ext in ("html", "xlsx")
    ] + ["envq_620800_20261029_zh.html", "envq_610900_2025_20261029_zh.html", "index_zh.html"]
    for name in names:
        (tmp_path / name).write_text("x")
    deleted = prune_reports(tmp_path, keep=2)
    assert [p.name for p in deleted] == [
        "envq_610900_20261029_en.html",
        "envq_610900_20261029_en.xlsx",
        "envq_610900_20261029_zh.html",
        "envq_610900_20261029_zh.xlsx",
    ]
    left = {p.name for p in tmp_path.iterdir()}
    assert "envq_620800_20261029_zh.html" in left  # another region's only date stays
    assert "envq_610900_2025_20261029_zh.html" in left  # a past year's report is its own group
    assert "index_zh.html" in left and len(left) == len(names) - 4
