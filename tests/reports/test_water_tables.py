"""reports.water_tables: section verdicts and the section x month matrix, coloured by class."""

from __future__ import annotations

from reports.colours import water_class_colours
from reports.water_tables import water_matrix_table, water_table


def test_sections_with_classes_verdicts_and_status(region):
    table = water_table(region, "zh")
    rows = table.frame.values.tolist()
    assert [r[:7] for r in rows] == [
        ["WQ1", "瀛湖坝前", "汉江", "Ⅱ类", "Ⅲ类", "Ⅱ类", "未达标"],
        ["WQ2", "月河口", "汉江", "Ⅲ类", "Ⅳ类", "Ⅳ类", "未达标"],
    ]
    assert rows[1][9:] == ["总磷(0.42)", "进度滞后"]
    assert table.fills[(1, 4)] == water_class_colours()[4]


def test_matrix_months_to_date_coloured_by_class(region):
    table = water_matrix_table(region, "en")
    frame = table.frame
    assert frame.columns.tolist()[:6] == [
        "Section code",
        "Section",
        "Target class",
        "Jan",
        "Feb",
        "Mar",
    ]
    assert frame.iloc[0, 3:7].tolist() == ["II", "III", "II", None]  # April is after as_of
    assert frame.iloc[1, 3:5].tolist() == ["IV", None]
    colours = water_class_colours()
    assert (table.fills[(0, 3)], table.fills[(0, 4)]) == (colours[2], colours[3])
    assert (0, 6) not in table.fills


def test_class_colours_follow_the_rules_words():
    colours = water_class_colours()
    assert colours[1] == colours[2]  # I and II are both 优 (blue)
    assert len(set(colours.values())) == 5
