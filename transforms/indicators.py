"""The one table of assessed indicators and progress statuses: codes, Chinese and English names,
units and how each indicator is computed, used by targets, target progress, reports and the CLI.

Indicator definitions follow the assessment rules: good day = daily AQI <= 100 and the good-day
ratio over valid days (HJ 663 / docs/standards.md §3.3), heavy days = AQI > 200, period means of
daily means, CO 95th and O3-8h 90th percentiles (HJ 663, §3.2), the composite index
(城市环境空气质量排名技术规定, §4), section class and shares of sections (环办〔2011〕22号, §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class Indicator:
    """One assessed indicator. kind says how its period value is computed from the data."""

    code: str
    name_zh: str
    name_en: str
    unit: str            # display unit; "" when dimensionless
    domain: str          # air / water / rectification
    kind: str            # count, rate, mean, percentile, index, class, share, change
    better: str          # lower / higher: the direction of improvement
    pollutant: str = ""  # daily-value column of air_city_daily for means and percentiles
    base: str = ""       # change targets: the indicator whose change is measured
    change: str = ""     # change targets: pct (relative %) or diff (difference in base unit)
    decimals: int = 1


INDICATOR_LIST: tuple[Indicator, ...] = (
    Indicator("good_days", "优良天数", "good days", "天", "air", "count", "higher", decimals=0),
    Indicator("good_rate", "优良天数比例", "good-day ratio", "%", "air", "rate", "higher"),
    Indicator(
        "heavy_days", "重度及以上污染天数", "heavy-pollution days", "天", "air", "count", "lower",
        decimals=0,
    ),
    Indicator("pm25_mean", "PM2.5平均浓度", "PM2.5 mean", "µg/m³", "air", "mean", "lower", "pm25",
              decimals=0),  # published in whole µg/m³ (GB/T 8170, rule set rounding)
    Indicator("pm10_mean", "PM10平均浓度", "PM10 mean", "µg/m³", "air", "mean", "lower", "pm10",
              decimals=0),  # published in whole µg/m³ (GB/T 8170, rule set rounding)
    Indicator("so2_mean", "SO2平均浓度", "SO2 mean", "µg/m³", "air", "mean", "lower", "so2",
              decimals=0),  # published in whole µg/m³ (GB/T 8170, rule set rounding)
    Indicator("no2_mean", "NO2平均浓度", "NO2 mean", "µg/m³", "air", "mean", "lower", "no2",
              decimals=0),  # published in whole µg/m³ (GB/T 8170, rule set rounding)
    Indicator(
        "co_p95", "CO日均值第95百分位数", "CO 95th percentile", "mg/m³", "air", "percentile",
        "lower", "co",
    ),
    Indicator(
        "o3_8h_p90", "O3日最大8小时平均第90百分位数", "O3-8h 90th percentile", "µg/m³", "air",
        "percentile", "lower", "o3_8h", decimals=0,
    ),
    Indicator(
        "composite_index", "环境空气质量综合指数", "composite index", "", "air", "index", "lower",
        decimals=2,
    ),
    Indicator(
        "pm25_change_pct", "PM2.5浓度同比变化", "PM2.5 change on last year", "%", "air", "change",
        "lower", base="pm25_mean", change="pct",
    ),
    Indicator(
        "pm10_change_pct", "PM10浓度同比变化", "PM10 change on last year", "%", "air", "change",
        "lower", base="pm10_mean", change="pct",
    ),
    Indicator(
        "o3_8h_p90_change_pct", "O3-8h第90百分位数同比变化", "O3-8h 90th percentile change on "
        "last year", "%", "air", "change", "lower", base="o3_8h_p90", change="pct",
    ),
    Indicator(
        "composite_index_change_pct", "综合指数同比变化", "composite index change on last year",
        "%", "air", "change", "lower", base="composite_index", change="pct",
    ),
    Indicator(
        "good_rate_change", "优良天数比例同比变化", "good-day ratio change on last year",
        "百分点", "air", "change", "higher", base="good_rate", change="diff",
    ),
    Indicator(
        "good_days_change", "优良天数同比变化", "good days change on last year", "天", "air",
        "change", "higher", base="good_days", change="diff", decimals=0,
    ),
    Indicator(
        "heavy_days_change", "重污染天数同比变化", "heavy-pollution days change on last year",
        "天", "air", "change", "lower", base="heavy_days", change="diff", decimals=0,
    ),
    Indicator(
        "section_class", "断面水质类别", "section water class", "类", "water", "class", "lower",
        decimals=0,
    ),
    Indicator(
        "share_class_1_3", "优良(I-III类)水质断面比例", "share of sections at class I-III", "%",
        "water", "share", "higher",
    ),
    Indicator(
        "share_class_6", "劣V类水质断面比例", "share of sections worse than class V", "%",
        "water", "share", "lower",
    ),
    Indicator(
        "share_meeting_target", "水质达标断面比例", "share of sections meeting their target", "%",
        "water", "share", "higher",
    ),
    Indicator(
        "drinking_sources_met", "集中式饮用水水源地达标率",
        "drinking-water sources meeting standard", "%", "water", "share", "higher",
    ),
    Indicator(
        "share_class_1_3_change", "优良水质断面比例同比变化", "class I-III share change on last "
        "year", "百分点", "water", "change", "higher", base="share_class_1_3", change="diff",
    ),
    Indicator(
        "rectification_rate", "督察整改完成率", "inspection problems rectified", "%",
        "rectification", "rate", "higher",
    ),
)

INDICATORS: dict[str, Indicator] = {i.code: i for i in INDICATOR_LIST}

# Progress statuses, in order from best to worst (docs/target_progress.md has the rule).
STATUSES: dict[str, tuple[str, str]] = {
    "met": ("已达标", "met"),
    "on_track": ("进度正常", "on track"),
    "at_risk": ("有风险", "at risk"),
    "off_track": ("进度滞后", "off track"),
    "cannot_be_met": ("已无法完成", "cannot be met"),
    "not_met": ("未达标", "not met"),
    "insufficient_data": ("数据不足", "insufficient data"),
    "not_evaluable": ("无法评估", "not evaluable"),
}

# Units as English readers see them (the Chinese unit column holds 天, 类, 百分点).
UNIT_EN = {"天": "days", "类": "class", "百分点": "pp", "%": "%", "µg/m³": "µg/m³",
           "mg/m³": "mg/m³", "": ""}

COMPARATORS = (">=", "<=", "==", ">", "<")


def indicator(code: str) -> Indicator:
    """The indicator with this code; KeyError names the known codes."""
    try:
        return INDICATORS[code]
    except KeyError:
        raise KeyError(f"unknown indicator {code!r}; known: {', '.join(INDICATORS)}") from None


def label(code: str, lang: str = "zh") -> str:
    """Display name of an indicator or a status in Chinese (zh) or English (en)."""
    if code in INDICATORS:
        ind = INDICATORS[code]
        return ind.name_zh if lang == "zh" else ind.name_en
    if code in STATUSES:
        zh, en = STATUSES[code]
        return zh if lang == "zh" else en
    return code


def unit(code: str, lang: str = "zh") -> str:
    """Unit of an indicator as shown to readers of that language."""
    u = INDICATORS[code].unit
    return u if lang == "zh" else UNIT_EN.get(u, u)


def names_table() -> pa.Table:
    """Every indicator and status as rows (kind 'indicator' or 'status'), for the warehouse."""
    rows = [
        ("indicator", i.code, i.name_zh, i.name_en, i.unit, UNIT_EN.get(i.unit, i.unit), i.domain,
         i.kind, i.better, i.base or None, i.decimals)
        for i in INDICATOR_LIST
    ] + [
        ("status", code, zh, en, None, None, None, None, None, None, None)
        for code, (zh, en) in STATUSES.items()
    ]
    cols = list(zip(*rows, strict=True))
    names = ["kind", "code", "name_zh", "name_en", "unit_zh", "unit_en", "domain",
             "indicator_kind", "better", "base", "decimals"]
    return pa.table({n: list(c) for n, c in zip(names, cols, strict=True)})


def indicator_meta_table() -> pa.Table:
    """Indicator definitions as an Arrow table, joined by the target-progress SQL."""
    return pa.table(
        {
            "indicator": [i.code for i in INDICATOR_LIST],
            "domain": [i.domain for i in INDICATOR_LIST],
            "kind": [i.kind for i in INDICATOR_LIST],
            "better": [i.better for i in INDICATOR_LIST],
            "pollutant": [i.pollutant or None for i in INDICATOR_LIST],
            "base": [i.base or i.code for i in INDICATOR_LIST],
            "base_kind": [INDICATORS[i.base or i.code].kind for i in INDICATOR_LIST],
            "base_pollutant": [INDICATORS[i.base or i.code].pollutant or None
                               for i in INDICATOR_LIST],
            "change_mode": [i.change or None for i in INDICATOR_LIST],
            "unit": [i.unit for i in INDICATOR_LIST],
        }
    )


def exceedance_multiple(c: Any, s: Any) -> Any:
    """超标倍数 (C - S) / S where C > S, else NaN: air (HJ 663 §5, against the limit of the same
    averaging time) and water (环办〔2011〕22号 §3.3, against class III); docs/standards.md.

    NaN, not 0, for C <= S so that "not exceeded" stays distinct from "exceeded by 0". The air
    marts compute the same rule in SQL (macro exceedance_multiple in air_region_period.sql).
    Scalars give a float, arrays an ndarray.
    """
    c_arr = np.asarray(c, dtype="float64")
    s_arr = np.asarray(s, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(c_arr > s_arr, (c_arr - s_arr) / s_arr, np.nan)
    return float(out) if out.ndim == 0 else out
