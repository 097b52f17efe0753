"""Suite `water_sections`: the surface-water section registry.

The section code is the key and the target class decides every target verdict, so a missing
or repeated code, an unknown water type (it picks the TP limits of GB 3838 Table 1 row 8) or a
target class outside I-V is critical. An unknown control level is flagged.
"""

from __future__ import annotations

from expectations.spec import Check, Suite
from expectations.suites.context import BatchContext
from transforms.water.classes import WATER_TYPES
from transforms.water.sections import CONTROL_WORDS

TABLE = "water_sections"
# A target class is one of GB 3838-2002's five classes I..V (劣V is never a target).
TARGET_CLASSES = (1, 2, 3, 4, 5)


def suite(ctx: BatchContext) -> Suite:
    checks = (
        Check("section_code_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "section_code"}, "critical", "reject"),
        Check("section_code_unique", "ExpectColumnValuesToBeUnique",
              {"column": "section_code"}, "critical", "reject"),
        Check("section_name_not_null", "ExpectColumnValuesToNotBeNull",
              {"column": "section_name"}, "critical", "reject"),
        Check("water_type_known", "ExpectColumnValuesToBeInSet",
              {"column": "water_type", "value_set": list(WATER_TYPES)}, "critical", "reject",
              why="river or lake (lakes and reservoirs use GB 3838 Table 1 row 8 lake TP)"),
        Check("target_class_known", "ExpectColumnValuesToBeInSet",
              {"column": "target_class", "value_set": list(TARGET_CLASSES)}, "critical",
              "reject", why="GB 3838-2002 classes I-V; empty = no target"),
        Check("control_level_known", "ExpectColumnValuesToBeInSet",
              {"column": "control_level", "value_set": sorted(set(CONTROL_WORDS.values()))},
              "warning", "flag"),
    )
    return Suite("water_sections", TABLE, checks)
