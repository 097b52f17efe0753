"""Regions of unregistered automatic-station sections, from 所在地市 or the section name."""

from __future__ import annotations

import pandas as pd

from transforms.ingest.registry import national_regions
from transforms.water.sections import section_regions


def test_regions_from_locality_or_name_prefix():
    sections = pd.DataFrame(
        [
            ("W1", "沿河城", "北京市", "门头沟区"),  # the site's 所在地市: a district of 北京
            ("W2", "上杭李家坪", "福建省", None),   # 上杭县 begins the name
            ("W3", "南安康美桥", "福建省", None),   # 南安市, not 南安康 (no such unit)
            ("W4", "城区大桥", "山西省", None),     # 城区 of 阳泉 and of 晋城: ambiguous
            ("W5", "上杭李家坪", "江西省", None),   # 上杭 is not in 江西
            ("W6", "古北口", "北京市", None),        # nothing in the name
        ],
        columns=["section_code", "section_name", "province", "locality"],
    )
    # GB/T 2260: 门头沟区 110109, 上杭县 350823 (龙岩), 南安市 350583 (泉州)
    assert section_regions(sections, national_regions()) == {
        "W1": "110109", "W2": "350823", "W3": "350583"}
