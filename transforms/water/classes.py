"""Surface-water classes: GB 3838-2002 Table 1, assessed per 环办〔2011〕22号
(docs/standards.md §5-§6).

The limits are data (transforms/rules/gb3838_2002.yaml, each number citing its Table 1 row);
this module is the one place that applies them:

- an item's class is the best class whose limit it meets (a limit shared by two classes gives
  the better class), DO is a lower bound, pH a range (outside 6-9 -> 劣V), lakes and reservoirs
  use their own TP limits; failing class V gives 劣V = class 6;
- the section class is the worst class of the assessed items: the 21 Table-1 items without
  水温, 总氮 and 粪大肠菌群 (环办〔2011〕22号 §2), for rivers and lakes alike; lake TN is
  classified on its own (`tn_class`);
- main pollutants (up to three items worse than class III) and exceedance multiples
  (C - C_III) / C_III against class III (环办〔2011〕22号 §3.3);
- period values (item means, then classify; 环办〔2011〕22号 §3.1) and summaries of rivers,
  basins and regions (< 5 sections: item means; >= 5: shares of I-III and 劣V; §6.5).

Everything is vectorised over pandas frames whose columns are item codes (ph, do, codmn, cod,
bod5, nh3n, tp, tn, cu, zn, fluoride, se, as, hg, cd, cr6, pb, cn, phenol, oil, las, sulfide,
fecal_coliform; mg/L, pH unitless, fecal coliform per L). NaN = not assessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from transforms import indicators

RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "gb3838_2002.yaml"
WORST_CLASS = 6  # 劣V
CLASS_LABELS = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}
# 《地表水环境质量监测数据统计技术规定（试行）》(2020, docs/standards.md §6.2): automatic-station
# data are preferred for these items when present.
AUTO_PREFERRED_ITEMS = ("ph", "do", "codmn", "nh3n", "tp", "tn")
WATER_TYPES = ("river", "lake")


class WaterRulesError(ValueError):
    """The GB 3838 rule file is missing or breaks the shape this module relies on."""


@cache
def rules() -> dict[str, Any]:
    """The parsed, checked GB 3838-2002 rule file (shared; do not mutate)."""
    try:
        data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WaterRulesError(f"cannot read {RULES_FILE}: {exc}") from exc
    _check_rules(data)
    return data


def _check_rules(data: Any) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise WaterRulesError("gb3838_2002.yaml: needs an 'items' mapping")
    for code, item in data["items"].items():
        kind = item.get("kind")
        if kind == "range":
            if not item["low"] < item["high"]:
                raise WaterRulesError(f"{code}: range needs low < high")
            continue
        if kind == "none":
            continue
        for key in ("limits", "lake_limits"):
            lim = item.get(key)
            if lim is None and key == "lake_limits":
                continue
            if not isinstance(lim, list) or len(lim) != 5 or any(v <= 0 for v in lim):
                raise WaterRulesError(f"{code}: {key} must list 5 positive limits (I..V)")
            order = np.diff(lim)
            if (kind == "upper" and (order < 0).any()) or (kind == "lower" and (order > 0).any()):
                raise WaterRulesError(f"{code}: {key} not monotone for a {kind} bound")
        if kind not in ("upper", "lower"):
            raise WaterRulesError(f"{code}: unknown kind {kind!r}")
    for key in ("excluded_from_class", "priority_pollutants", "no_exceedance_multiple"):
        unknown = set(data.get(key, [])) - set(data["items"])
        if unknown:
            raise WaterRulesError(f"{key}: unknown items {sorted(unknown)}")


def items() -> tuple[str, ...]:
    """All Table-1 item codes in table order (temp .. fecal_coliform)."""
    return tuple(rules()["items"])


def assessed_items() -> tuple[str, ...]:
    """The 21 items of the section class (环办〔2011〕22号: without temp, TN, fecal coliform)."""
    excluded = set(rules()["excluded_from_class"])
    return tuple(i for i in items() if i not in excluded)


def item_name_zh(item: str) -> str:
    return rules()["items"][item]["name_zh"]


def limits(item: str, water_type: str = "river") -> tuple[float, ...]:
    """The class I..V limits of an item (lake TP limits when water_type is 'lake')."""
    spec = rules()["items"][item]
    if water_type == "lake" and "lake_limits" in spec:
        return tuple(spec["lake_limits"])
    return tuple(spec["limits"])


def _clean(values: Any) -> np.ndarray:
    # round off binary noise of means (0.1+0.2) so a value equal to a limit meets it
    return np.round(np.asarray(values, dtype="float64"), 9)


def _is_lake(water_type: str | Sequence[str] | pd.Series, n: int) -> np.ndarray:
    if isinstance(water_type, str):
        if water_type not in WATER_TYPES:
            raise ValueError(f"water_type must be one of {WATER_TYPES}, not {water_type!r}")
        return np.full(n, water_type == "lake")
    arr = np.asarray(water_type, dtype=object)
    if len(arr) != n:
        raise ValueError("water_type sequence must have one entry per row")
    return arr == "lake"


def item_class(
    values: Any, item: str, water_type: str | Sequence[str] | pd.Series = "river"
) -> np.ndarray:
    """Class 1..6 of each value of one item (float array, NaN where the value is NaN).

    GB 3838-2002 Table 1: the best class whose limit is met (searchsorted with side='left'
    puts a value equal to a shared limit in the better class); DO is '≥'; pH 6-9 or 劣V.
    """
    v = _clean(values)
    spec = rules()["items"][item]
    kind = spec["kind"]
    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    if kind == "none":
        return out
    if kind == "range":
        out[ok] = np.where((v[ok] >= spec["low"]) & (v[ok] <= spec["high"]), 1.0, WORST_CLASS)
        return out
    lake = _is_lake(water_type, len(v))
    for is_lake in (False, True):
        rows = ok & (lake == is_lake)
        if not rows.any():
            continue
        lim = np.asarray(limits(item, "lake" if is_lake else "river"), dtype="float64")
        if kind == "upper":
            out[rows] = np.searchsorted(lim, v[rows], side="left") + 1
        else:  # lower bound: v >= lim[k]  <=>  -v <= -lim[k]
            out[rows] = np.searchsorted(-lim, -v[rows], side="left") + 1
    return out


def exceedance_multiple(
    values: Any, item: str, water_type: str | Sequence[str] | pd.Series = "river"
) -> np.ndarray:
    """(C - C_III) / C_III where C exceeds the class III limit, else NaN.

    环办〔2011〕22号 §3.3 (docs/standards.md §6.4): always against class III; never for temperature,
    pH or DO (NaN).
    """
    v = _clean(values)
    if item in rules()["no_exceedance_multiple"] or rules()["items"][item]["kind"] != "upper":
        return np.full(v.shape, np.nan)
    lake = _is_lake(water_type, len(v))
    c3 = np.where(lake, limits(item, "lake")[2], limits(item, "river")[2])
    return np.asarray(indicators.exceedance_multiple(v, c3), dtype="float64")


def _present(frame: pd.DataFrame, candidates: Sequence[str]) -> list[str]:
    return [c for c in candidates if c in frame.columns]


def classify(
    frame: pd.DataFrame,
    water_type: str | Sequence[str] | pd.Series = "river",
    keep_item_classes: bool = False,
) -> pd.DataFrame:
    """A copy of frame with `water_class` (1-6, 6 = 劣V; <NA> when nothing was assessed),
    `worst_items` (comma-joined codes of the items at that class; empty for class I) and,
    when a `tn` column is present, `tn_class` (lakes only; GB 3838 Table 1 row 9).

    water_type: 'river', 'lake', or one value per row. Absent or NaN items are not assessed.
    keep_item_classes adds one `class_<item>` column per item present.
    """
    out = frame.copy()
    is_lake = _is_lake(water_type, len(frame))
    wt = np.where(is_lake, "lake", "river")
    present = _present(frame, assessed_items())
    classes = {i: item_class(frame[i].to_numpy(dtype="float64"), i, wt) for i in present}
    if present:
        mat = np.column_stack([classes[i] for i in present])
        has_any = ~np.isnan(mat).all(axis=1)
        worst = np.where(has_any, np.nanmax(np.where(np.isnan(mat), -1, mat), axis=1), np.nan)
    else:
        mat = np.empty((len(frame), 0))
        worst = np.full(len(frame), np.nan)
    out["water_class"] = pd.array(worst, dtype="Int64") if len(frame) else pd.array([], "Int64")
    names = np.full(len(frame), "", dtype=object)
    for j, item in enumerate(present):
        hit = (mat[:, j] == worst) & (worst > 1)
        names = np.where(hit, names + item + ",", names)
    out["worst_items"] = pd.Series(names, index=frame.index, dtype=object).str.rstrip(",")
    if "tn" in frame.columns:
        tn = item_class(frame["tn"].to_numpy(dtype="float64"), "tn", wt)
        out["tn_class"] = pd.array(np.where(is_lake, tn, np.nan), dtype="Int64")
    if keep_item_classes:
        for item in _present(frame, items()):
            cls = classes.get(item)
            if cls is None:
                cls = item_class(frame[item].to_numpy(dtype="float64"), item, wt)
            out[f"class_{item}"] = pd.array(cls, dtype="Int64")
    return out


def _long_item_classes(
    frame: pd.DataFrame, water_type: str | Sequence[str] | pd.Series
) -> pd.DataFrame:
    """One row per (frame row, assessed item present): row, item, class, multiple, order."""
    wt = np.where(_is_lake(water_type, len(frame)), "lake", "river")
    parts = []
    order = {item: k for k, item in enumerate(items())}
    priority = set(rules()["priority_pollutants"])
    for item in _present(frame, assessed_items()):
        v = frame[item].to_numpy(dtype="float64")
        parts.append(
            pd.DataFrame(
                {
                    "row": np.arange(len(frame)),
                    "item": item,
                    "item_class": item_class(v, item, wt),
                    "multiple": exceedance_multiple(v, item, wt),
                    "priority": item in priority,
                    "order": order[item],
                }
            )
        )
    if not parts:
        return pd.DataFrame({"row": pd.Series(dtype="int64"), "item": pd.Series(dtype=object),
                             "item_class": pd.Series(dtype="float64"),
                             "multiple": pd.Series(dtype="float64"),
                             "priority": pd.Series(dtype=bool),
                             "order": pd.Series(dtype="int64")})
    return pd.concat(parts, ignore_index=True).dropna(subset=["item_class"])


def format_multiple(m: float) -> str:
    """An exceedance multiple as printed in reports: two decimals, trailing zeros dropped
    (0.6, 1.25); below 0.01 two significant digits (0.0041) so that no exceedance reads 0."""
    m = float(m)
    return f"{m:.2g}" if 0 < abs(m) < 0.01 else f"{round(m, 2):g}"


def main_pollutants(
    frame: pd.DataFrame,
    water_type: str | Sequence[str] | pd.Series = "river",
    max_items: int = 3,
) -> pd.DataFrame:
    """Per row: `main_pollutants` (codes), `main_pollutants_zh` and `exceedance` ('总磷(0.6)').

    环办〔2011〕22号 §3.3 (docs/standards.md §6.4): only rows whose class is worse than III; up to
    three items worse than III, worst class first, ties by the larger exceedance multiple vs
    class III; exceeding cyanide or heavy metals come first. Items without a multiple (DO, pH)
    rank after items of the same class that have one; then Table-1 order (envq choice).
    """
    long = _long_item_classes(frame, water_type)
    long = long[long["item_class"] > 3]
    ranked = long.assign(m=long["multiple"].fillna(-np.inf)).sort_values(
        ["row", "priority", "item_class", "m", "order"],
        ascending=[True, False, False, False, True],
    )
    top = ranked.groupby("row", sort=False).head(max_items)
    top = top.assign(
        zh=top["item"].map(item_name_zh),
        exc=np.where(
            top["multiple"].notna(),
            top["item"].map(item_name_zh)
            + "("
            + top["multiple"].map(lambda m: "" if pd.isna(m) else format_multiple(m))
            + ")",
            "",
        ),
    )
    grouped = top.groupby("row", sort=False)
    result = pd.DataFrame(
        {
            "main_pollutants": grouped["item"].agg(",".join),
            "main_pollutants_zh": grouped["zh"].agg("、".join),
            "exceedance": grouped["exc"].agg(lambda s: "、".join(x for x in s if x)),
        }
    )
    result = result.reindex(np.arange(len(frame))).fillna("")
    result.index = frame.index
    return result


def items_worse_than(
    frame: pd.DataFrame,
    target_class: Any,
    water_type: str | Sequence[str] | pd.Series = "river",
) -> pd.Series:
    """Per row, comma-joined codes of assessed items whose class is worse than target_class.

    环办〔2011〕22号 / docs/standards.md §6.6: a section meets its target when its class is equal to
    or better than the target; these are the items that make it miss.
    """
    target = pd.Series(target_class, index=frame.index, dtype="float64").to_numpy()
    long = _long_item_classes(frame, water_type)
    miss = long[long["item_class"] > target[long["row"].to_numpy()]]
    joined = miss.sort_values(["row", "order"]).groupby("row")["item"].agg(",".join)
    out = joined.reindex(np.arange(len(frame))).fillna("")
    out.index = frame.index
    return out


def meets_target(water_class: Any, target_class: Any) -> pd.Series:
    """True when the class is equal to or better than the target (<NA> when either is missing)."""
    wc = pd.Series(water_class, dtype="Int64")
    tc = pd.Series(target_class, index=wc.index, dtype="Int64")
    return (wc <= tc).astype("boolean")


def share_meeting_target(water_class: Any, target_class: Any) -> np.ndarray:
    """水质达标断面比例: percent of the sections with both a class and a target class whose class
    is equal to or better than their target (GB 3838 §5, 环办〔2011〕22号: a section is judged
    against its own target class), along the last axis; NaN when no section qualifies.

    A section without a target class is left out, not taken as class III: nothing says what it
    should meet (envq's rule; water_region_summary's n_with_target / n_meeting_target count the
    same sections, target progress calls this for its draws).
    """
    wc = np.asarray(water_class, dtype="float64")
    tc = np.broadcast_to(np.asarray(target_class, dtype="float64"), wc.shape)
    judged = ~np.isnan(wc) & ~np.isnan(tc)
    n = judged.sum(axis=-1)
    hits = (judged & (wc <= tc)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, 100.0 * hits / np.maximum(n, 1), np.nan)


def status_word(water_class: Any) -> pd.Series:
    """优 / 良好 / 轻度污染 / 中度污染 / 重度污染 for classes 1-6 (环办〔2011〕22号, §6.3)."""
    table = {row["class"]: row["status"] for row in rules()["class_status"]}
    return pd.Series(pd.Series(water_class, dtype="Int64").map(table), dtype=object)


def proportion_status(share_class_1_3: Any, share_class_6: Any) -> pd.Series:
    """Status word of a river/basin/region of >= 5 sections from its shares (percent, §6.5)."""
    g = np.asarray(share_class_1_3, dtype="float64")
    d = np.asarray(share_class_6, dtype="float64")
    conds, words = [], []
    for row in rules()["proportion_status"]:
        c = np.ones(g.shape, dtype=bool)
        if "share_1_3_min" in row:
            c &= g >= row["share_1_3_min"]
        if "share_1_3_below" in row:
            c &= g < row["share_1_3_below"]
        if "share_6_min" in row:
            c &= d >= row["share_6_min"]
        conds.append(c)
        words.append(row["status"])
    out = np.select(conds, words, default=None).astype(object)
    out[np.isnan(g)] = None
    return pd.Series(out, dtype=object)


def ph_mean(values: Any, how: str = "arithmetic") -> float:
    """Mean of pH values: 'arithmetic' (envq default) or 'hplus' = -log10(mean(10^-pH)).

    环办〔2011〕22号 §3.1 says arithmetic mean of each item; the H+ mean comes from one
    implementation of the 2020 statistics rule and is UNCONFIRMED (docs/standards.md §6.2).
    """
    v = np.asarray(values, dtype="float64")
    v = v[~np.isnan(v)]
    if not len(v):
        return float("nan")
    if how == "hplus":
        return float(-np.log10(np.mean(10.0 ** (-v))))
    if how != "arithmetic":
        raise ValueError("how must be 'arithmetic' or 'hplus'")
    return float(np.mean(v))


def period_values(
    samples: pd.DataFrame, by: Sequence[str], ph: str = "arithmetic"
) -> pd.DataFrame:
    """Item means per group (one row per group): the period value of each item.

    环办〔2011〕22号 §3.1 (docs/standards.md §6.2): with several samples in a period, take each
    item's arithmetic mean, then classify. pH: see ph_mean.
    """
    cols = _present(samples, items())
    grouped = samples.groupby(list(by), sort=True, dropna=False)
    out = grouped[cols].mean()
    if ph == "hplus" and "ph" in cols:
        out["ph"] = grouped["ph"].agg(lambda s: ph_mean(s, "hplus"))
    out["n_samples"] = grouped.size()
    return out.reset_index()


def summarise_sections(
    section_values: pd.DataFrame,
    by: Sequence[str],
    water_type_col: str = "water_type",
) -> pd.DataFrame:
    """Summary per group of sections (river, basin or region) for one period.

    section_values: one row per section with item period values, `water_class` and
    `water_type`. 环办〔2011〕22号 (docs/standards.md §6.5): fewer than 5 sections -> mean of each
    item across sections, then classify like one section (lake TP limits only when every section of
    the group is a lake or reservoir); 5 or more -> shares (percent) of sections at I-III and at
    劣V, status word from the shares. Returns by-columns plus method, n_sections, class,
    share_class_1_3, share_class_6, status.
    """
    by = list(by)
    v = section_values[section_values["water_class"].notna()]
    cls = v["water_class"].astype("float64")
    g = v.assign(_g13=(cls <= 3) * 100.0, _g6=(cls == 6) * 100.0, _lake=v[water_type_col] == "lake")
    grouped = g.groupby(by, sort=True, dropna=False)
    cols = _present(v, assessed_items())
    out = grouped[cols].mean()
    out["n_sections"] = grouped.size()
    out["share_class_1_3"] = grouped["_g13"].mean()
    out["share_class_6"] = grouped["_g6"].mean()
    all_lake = grouped["_lake"].all()
    out = out.reset_index()
    few = out["n_sections"] < rules()["proportion_min_sections"]
    mean_class = classify(
        out[cols], np.where(all_lake.to_numpy(), "lake", "river")
    )["water_class"]
    out["method"] = np.where(few, "mean", "proportion")
    out["class"] = mean_class.where(few, pd.NA).astype("Int64")
    words_mean = status_word(out["class"])
    words_prop = proportion_status(out["share_class_1_3"], out["share_class_6"])
    out["status"] = np.where(few, words_mean, words_prop)
    return out[[*by, "method", "n_sections", "class", "share_class_1_3", "share_class_6",
                "status", *cols]]
