"""targets.yaml: checked entry by entry, loaded as the whole set, errors name file and entry."""

from __future__ import annotations

import pytest

from transforms.ingest.targets_config import (
    TargetsError,
    load_targets,
    parse_targets,
    read_targets,
)

GOOD = """
targets:
  - {region: "610900", year: 2026, indicator: good_rate, comparator: ">=", value: 86.3}
  - {region: "610900", year: 2026, indicator: pm25_mean, comparator: "<=", value: 55,
     period: q4, note: 秋冬季管控}
  - {region: "620800", year: 2026, indicator: pm25_change_pct, comparator: "<=", value: -5}
  - {section: WQ61092901, year: 2026, indicator: section_class, comparator: "<=", value: 2,
     period: M3}
"""


def write(tmp_path, text: str):
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_and_load(tmp_path, warehouse):
    path = write(tmp_path, GOOD)
    table = read_targets(path).to_pylist()
    assert [r["period"] for r in table] == ["year", "Q4", "year", "M03"]
    assert table[2]["baseline_year"] == 2025 and table[0]["baseline_year"] is None
    assert table[3]["region_code"] == "WQ61092901"
    assert table[1]["note"] == "秋冬季管控"
    assert load_targets(warehouse, path) == 4
    assert load_targets(warehouse, path) == 4  # the file replaces the table
    assert warehouse.execute("select count(*) from targets").fetchall() == [(4,)]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('{region: "1", year: 2026, indicator: pm25_avg, comparator: "<=", value: 3}',
         "targets[0] (1 2026 pm25_avg): unknown indicator 'pm25_avg'"),
        ('{region: "1", year: 2026, indicator: good_days, comparator: "=>", value: 3}',
         "bad comparator '=>'"),
        ('{region: "1", year: 2026, indicator: good_days, comparator: ">=", value: x}',
         "value 'x' is not a number"),
        ('{region: "1", year: 2026, indicator: good_days, comparator: ">=", value: 3, '
         'period: Q5}', "bad period 'Q5'"),
        ('{region: "1", year: 2026, indicator: good_rate, comparator: ">=", value: 120}',
         "percentage 120.0 outside 0..100"),
        ('{region: "1", year: 2026, indicator: section_class, comparator: "<=", value: 7}',
         "target class 7.0"),
        ('{region: "1", year: 2026, indicator: good_days, comparator: ">=", value: 3, x: 1}',
         "unknown keys ['x']"),
        ('{year: 2026, indicator: good_days, comparator: ">=", value: 3}', "missing 'region'"),
        ('{region: "1", indicator: good_days, comparator: ">=", value: 3}', "missing 'year'"),
    ],
)
def test_bad_entries_name_the_file_and_entry(tmp_path, entry, message):
    path = write(tmp_path, f"targets:\n  - {entry}\n")
    with pytest.raises(TargetsError) as err:
        read_targets(path)
    assert str(err.value).startswith(f"{path}: targets[0]")
    assert message in str(err.value)


def test_duplicates_and_shape(tmp_path):
    dup = '  - {region: "1", year: 2026, indicator: good_days, comparator: ">=", value: 3}\n'
    with pytest.raises(TargetsError, match=r"targets\[1\] repeats targets\[0\]"):
        read_targets(write(tmp_path, "targets:\n" + dup + dup))
    with pytest.raises(TargetsError, match="list under 'targets:'"):
        read_targets(write(tmp_path, "- a\n"))
    assert read_targets(write(tmp_path, "")).num_rows == 0


TEMPLATE = """
targets:
  - {region: "610900", year: 2026, indicator: good_rate, comparator: ">=", value: }  # FILL IN
  - {region: "610900", year: 2026, indicator: pm25_mean, comparator: "<=", value: ""}
  - {region: "610900", year: 2026, indicator: pm10_mean, comparator: "<=", value: 70}
"""


def test_template_rows_with_empty_values_are_not_set(tmp_path, warehouse):
    path = write(tmp_path, TEMPLATE)
    table, not_set = parse_targets(path)
    assert not_set == 2
    assert [(r["indicator"], r["value"]) for r in table.to_pylist()] == [("pm10_mean", 70.0)]
    assert load_targets(warehouse, path) == 1
    # an empty list (every row deleted) is no error either
    assert parse_targets(write(tmp_path, "targets:\n"))[0].num_rows == 0


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        # an unfilled row is still checked: a typo in it fails like in any other row
        ('{region: "1", year: 2026, indicator: pm25_avg, comparator: "<=", value: }',
         "unknown indicator 'pm25_avg'"),
        # a row without the value key at all is not a template row
        ('{region: "1", year: 2026, indicator: pm25_mean, comparator: "<="}', "missing 'value'"),
    ],
)
def test_unfilled_rows_are_still_checked(tmp_path, entry, message):
    with pytest.raises(TargetsError, match=message):
        parse_targets(write(tmp_path, f"targets:\n  - {entry}\n"))
