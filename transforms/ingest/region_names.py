"""Short names of Chinese administrative units, as station lists write them.

Station lists name a station's city in short forms (北京 for 北京市, 海西州 for
海西蒙古族藏族自治州, 克州 for 克孜勒苏柯尔克孜自治州, 铜仁地区 for what is now 铜仁市). These
functions give the forms under which a registered unit may be written, so that a list's
names can be matched to codes (transforms/ingest/station_regions.py).
"""

from __future__ import annotations

import re

# Ethnic groups named in autonomous units (自治州/自治县/自治旗/自治区): the short name stops
# before the first of them (海西蒙古族藏族自治州 -> 海西州). Searched from the third
# character on, so that names beginning with such a word (回民区) keep it.
ETHNIC = re.compile(
    "(蒙古族|蒙古|藏族|回族|维吾尔|哈萨克|柯尔克孜|土家族|苗族|侗族|布依族|彝族|哈尼族|壮族|傣族|"
    "白族|景颇族|傈僳族|羌族|朝鲜族|黎族|瑶族|畲族|满族|土族|撒拉族|东乡族|保安族|裕固族|锡伯族|"
    "达斡尔族|鄂温克族|鄂伦春族|仡佬族|水族|毛南族|仫佬族|纳西族|拉祜族|佤族|布朗族|德昂族|阿昌族|"
    "普米族|怒族|独龙族|基诺族|塔吉克|各族|土家|自治)"
)
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "盟",
            "州", "县", "区", "旗")


def short_name(name: str) -> str:
    """The name without its administrative suffix and ethnic designation (安康市 -> 安康,
    海西蒙古族藏族自治州 -> 海西州, 内蒙古自治区 -> 内蒙古, 铜仁地区 -> 铜仁); never shorter
    than two characters (城区 stays 城区)."""
    name = name.strip()
    match = ETHNIC.search(name, 2)
    if match:
        base = name[: match.start()]
        return base + "州" if name.endswith("自治州") else base
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def loose_aliases(name: str) -> set[str]:
    """Further forms of a prefecture-level name that lists use: for an autonomous prefecture
    the base without 州 (海西), the name with 自治 dropped (伊犁哈萨克州), two and one
    characters + 州 (博州, 克州); for a 地区 or 盟 the base alone. Looser than short_name, so
    matched only when the name and short name match nothing."""
    short = short_name(name)
    out = {short}
    if name.endswith("自治州"):
        base = short[:-1]
        out |= {base, name.replace("自治州", "州"), base[:2] + "州", base[:1] + "州"}
    return out - {name}
