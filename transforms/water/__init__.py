"""Public water-quality API for analysts and tests (GB 3838-2002, 环办〔2011〕22号).

The rules are implemented once, in transforms/water/classes.py; this module only names them:
`transforms.water.classify(frame, water_type="river"|"lake")` and friends.
"""

from transforms.water.classes import (
    AUTO_PREFERRED_ITEMS,
    CLASS_LABELS,
    WORST_CLASS,
    assessed_items,
    classify,
    exceedance_multiple,
    format_multiple,
    item_class,
    item_name_zh,
    items,
    items_worse_than,
    limits,
    main_pollutants,
    meets_target,
    period_values,
    ph_mean,
    proportion_status,
    share_meeting_target,
    status_word,
    summarise_sections,
)

__all__ = [
    "AUTO_PREFERRED_ITEMS",
    "CLASS_LABELS",
    "WORST_CLASS",
    "assessed_items",
    "classify",
    "exceedance_multiple",
    "format_multiple",
    "item_class",
    "item_name_zh",
    "items",
    "items_worse_than",
    "limits",
    "main_pollutants",
    "meets_target",
    "period_values",
    "ph_mean",
    "proportion_status",
    "share_meeting_target",
    "status_word",
    "summarise_sections",
]
