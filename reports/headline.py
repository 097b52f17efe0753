"""The headline above the cards: what a leader must know today, in two or three sentences.

Generated from a region's target_progress rows (reports/sql/targets.sql), never written by
hand: how many targets are met or on track, which are in danger (worst first), and for each
of those the one number that decides it - the good days the rest of the period needs
("余下 61 天中至少 54 天需为优良"), or the highest mean the rest may average. The same
phrase is used by the alerts (flows/alerts.py), so a message and the page say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from reports import i18n
from transforms.targets.progress import is_missing

# worst first: the order in which targets in danger are named
DANGER = ("not_met", "cannot_be_met", "off_track", "at_risk")
FINE = ("met", "on_track")
MAX_NAMED = 3


def target_name(row: Mapping[str, Any], lang: str) -> str:
    """Indicator name, with the period unless it is the whole year (PM2.5 · 第四季度)."""
    name = i18n.indicator(str(row["indicator"]), lang)
    period = str(row.get("period") or "year")
    return name if period == "year" else f"{name}（{i18n.period(period, lang)}）"


def key_number(row: Mapping[str, Any], lang: str) -> str:
    """The one number that decides a target, in words; '' when the row has none.

    good days: how many of the remaining days must be good; a mean: the ceiling of the rest
    of the period's mean. Which one applies follows target_progress (docs/target_progress.md).
    """
    zh = lang != "en"
    if not is_missing(row.get("good_days_needed")) and not is_missing(row.get("remaining_days")):
        needed, left = int(row["good_days_needed"]), int(row["remaining_days"])
        if needed > left:
            return (
                f"还需 {needed} 个优良天，但只剩 {left} 天"
                if zh
                else f"{needed} more good days needed but only {left} days left"
            )
        if needed <= 0:
            return "优良天数已够" if zh else "enough good days already"
        return (
            f"余下 {left} 天中至少 {needed} 天需为优良"
            if zh
            else f"at least {needed} of the remaining {left} days must be good"
        )
    if not is_missing(row.get("remaining_mean_ceiling")):
        ceiling = float(row["remaining_mean_ceiling"])
        unit = i18n.unit(str(row["indicator"]), lang)
        left = "" if is_missing(row.get("remaining_days")) else int(row["remaining_days"])
        if zh:
            days = f"余下 {left} 天" if left != "" else "余下时段"
            return f"{days}平均浓度需不高于 {ceiling:.1f} {unit}".rstrip()
        days = f"the remaining {left} days" if left != "" else "the rest of the period"
        return f"{days} must average at most {ceiling:.1f} {unit}".rstrip()
    return ""


def headline(targets: pd.DataFrame, lang: str = "zh") -> list[str]:
    """Two or three plain sentences from a region's target rows (empty list: no targets)."""
    if targets.empty:
        return []
    zh = lang != "en"
    statuses = targets["status"].astype(str)
    total = len(targets)
    fine = int(statuses.isin(FINE).sum())
    counts = statuses.value_counts()
    in_danger = [s for s in DANGER if counts.get(s, 0)]
    parts = [f"{int(counts[s])} {i18n.indicator(s, lang)}" for s in in_danger]
    unevaluable = int(counts.get("not_evaluable", 0))
    if unevaluable:
        parts.append(f"{unevaluable} {i18n.indicator('not_evaluable', lang)}")
    if zh:
        first = f"{total} 项目标中 {fine} 项已达标或进度正常"
        first += ("，" + "，".join(p.replace(" ", " 项") for p in parts)) if parts else ""
        first += "。"
    else:
        first = f"{fine} of {total} targets are met or on track"
        first += ("; " + ", ".join(parts)) if parts else ""
        first += "."
    sentences = [first]
    rank = {s: i for i, s in enumerate(DANGER)}
    danger = targets[statuses.isin(DANGER)].copy()
    if danger.empty:
        if unevaluable:  # not "on course": nothing can be said of these yet
            sentences.append(
                f"{unevaluable} 项目标缺少数据，暂无法评估，见下方卡片。"
                if zh
                else f"{unevaluable} targets lack the data to be assessed; see the cards below."
            )
        else:
            sentences.append("所有目标均按进度推进。" if zh else "Every target is on course.")
        return sentences
    danger["_rank"] = danger["status"].map(rank)
    danger = danger.sort_values(["_rank"], kind="stable")
    # targets that share their state and deciding number (good days and good-day ratio of
    # one region need the same days) are named together, in one clause
    clauses: dict[tuple[str, str], list[str]] = {}
    for row in danger.head(MAX_NAMED).to_dict("records"):
        clauses.setdefault((str(row["status"]), key_number(row, lang)), []).append(
            target_name(row, lang)
        )
    named = []
    for (status, number), names in clauses.items():
        state = i18n.indicator(status, lang)
        text = f"{'、'.join(names)}{state}" if zh else f"{' and '.join(names)} {state}"
        if number:
            text += f"：{number}" if zh else f": {number}"
        named.append(text)
    rest = len(danger) - min(len(danger), MAX_NAMED)
    if zh:
        sentence = "；".join(named) + "。"
        if rest > 0:
            sentence += f"另有 {rest} 项见下方卡片。"
    else:
        sentence = "; ".join(named) + "."
        sentence = sentence[:1].upper() + sentence[1:]
        if rest > 0:
            sentence += f" {rest} more in the cards below."
    sentences.append(sentence)
    return sentences
