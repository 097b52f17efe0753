"""Water targets: section class and region shares so far, last year, and projected.

A section's period value is the mean of each assessed item over the period's samples, then
the worst item class (GB 3838-2002, 环办〔2011〕22号 §3.1-3.2, via transforms.water). Region
indicators are shares of its sections (§6.5): at class I-III, at 劣V, meeting their own target
class, and drinking-water sources meeting theirs. The projection resamples whole calendar
months (the part of the current month still to come, then each later month) from earlier
years, the same month of one randomly drawn year for every section of the target in a draw,
so sections hit by the same wet or dry month move together (docs/target_progress.md).
Writes tp_water_progress and returns the projection rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from transforms.targets.config import ProgressConfig
from transforms.targets.day_series import month_end
from transforms.targets.projection import (
    as_target_unit,
    block_choices,
    summarise_draws,
    target_seed,
)
from transforms.warehouse import run_sql
from transforms.water import (
    AUTO_PREFERRED_ITEMS,
    assessed_items,
    classify,
    share_meeting_target,
)

PROGRESS_COLUMNS = (
    "target_id bigint, actual double, target_abs double, base_actual double, "
    "last_year_actual double, base_last_full double, final_low double, final_high double, "
    "reason varchar"
)
NO_SAMPLE = "no sample in the draws: no projection"


class SampleCube:
    """Per section, day, item and preference (0 preferred, 1 other kind of result): sums and
    counts of samples, on a dense calendar."""

    def __init__(self, frame: pd.DataFrame, sections: list[str], first: dt.date, days: int):
        self.first = first
        self.items = list(assessed_items())
        self.section_index = {s: i for i, s in enumerate(sections)}
        shape = (len(sections), days, len(self.items), 2)
        self.sums = np.zeros(shape)
        self.counts = np.zeros(shape)
        if frame.empty:
            return
        sec = frame["section_code"].map(self.section_index).to_numpy()
        day = (pd.to_datetime(frame["day"]) - pd.Timestamp(first)).dt.days.to_numpy()
        item = frame["parameter"].map({k: i for i, k in enumerate(self.items)}).to_numpy()
        pref = frame["preference"].to_numpy()
        ok = (day >= 0) & (day < days)
        at = (sec[ok], day[ok], item[ok], pref[ok])
        np.add.at(self.sums, at, frame["value_sum"].to_numpy()[ok])
        np.add.at(self.counts, at, frame["value_n"].to_numpy()[ok])

    def stretch(self, rows: np.ndarray, d0: dt.date, d1: dt.date) -> tuple[np.ndarray, ...]:
        """Sums and counts (sections x items x preference) of the sections `rows`, d0..d1."""
        a = max((d0 - self.first).days, 0)
        b = min((d1 - self.first).days + 1, self.sums.shape[1])
        if b <= a:
            zero = np.zeros((len(rows), len(self.items), 2))
            return zero, zero.copy()
        return self.sums[rows, a:b].sum(axis=1), self.counts[rows, a:b].sum(axis=1)


def water_progress(con: Any, cfg: ProgressConfig) -> list[dict[str, Any]]:
    """Fill tp_water_progress for the water targets of tp_targets; return their projections."""
    con.execute(f"create or replace temp table tp_water_progress ({PROGRESS_COLUMNS})")
    targets = con.execute(
        "select *, region_code || '|' || year || '|' || period as key "
        "from tp_targets where domain = 'water' order by target_id"
    ).df()
    if targets.empty:
        return []
    for col in (
        "period_start",
        "period_end",
        "so_far_end",
        "base_start",
        "base_end",
        "base_so_far_end",
    ):
        targets[col] = pd.to_datetime(targets[col]).dt.date
    earliest = [shift_year(d, cfg.max_history_years) for d in targets["period_start"]]
    first = min(targets["base_start"].min(), *earliest)
    last = targets["period_end"].max()
    run_sql(con, "targets/target_progress_water_members")
    run_sql(
        con,
        "targets/target_progress_water_samples",
        {
            "first_date": first,
            "last_date": last,
            "items": list(assessed_items()),
            "auto_items": list(AUTO_PREFERRED_ITEMS),
        },
    )
    members = con.execute("select * from tp_water_members").df()
    samples = con.execute("select * from tp_water_samples").df()
    sections = sorted(members["section_code"].unique().tolist())
    cube = SampleCube(samples, sections, first, (last - first).days + 1)
    rows, projections = [], []
    for spec in targets.to_dict("records"):
        mine = members[members["target_id"] == spec["target_id"]]
        row, projection = one_target(spec, mine, cube, cfg)
        rows.append(row)
        projections.append(projection)
    con.register("tp_water_rows", pd.DataFrame(rows))
    con.execute("insert into tp_water_progress by name select * from tp_water_rows")
    con.unregister("tp_water_rows")
    return projections


def one_target(
    spec: dict[str, Any], members: pd.DataFrame, cube: SampleCube, cfg: ProgressConfig
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Closed-form row and projection of one water target."""
    row: dict[str, Any] = {"target_id": spec["target_id"]}
    projection: dict[str, Any] = {"target_id": spec["target_id"], "history_years": 0}
    rows = np.array([cube.section_index[s] for s in members["section_code"]], dtype=int)
    info = members.reset_index(drop=True)
    elapsed = int(spec["elapsed_days"])

    def value(d0: dt.date, d1: dt.date) -> float | None:
        return indicator_value(spec["base"], cube, rows, info, d0, d1)

    base_actual = value(spec["period_start"], spec["so_far_end"]) if elapsed else None
    last_so_far = value(spec["base_start"], spec["base_so_far_end"]) if elapsed else None
    last_full = value(spec["base_start"], spec["base_end"])
    row["base_actual"] = base_actual
    row["last_year_actual"] = last_so_far
    row["base_last_full"] = last_full
    row["target_abs"] = absolute_target(spec, last_full)
    row["actual"] = as_change(spec, base_actual, last_so_far)
    row["reason"] = water_reason(spec, info, base_actual, last_full, row["actual"])
    if spec["remaining_days"] == 0 and base_actual is not None:
        row["final_low"] = row["final_high"] = base_actual
    if row["reason"] is None and row["target_abs"] is not None:
        projection.update(project(spec, cube, rows, info, row["target_abs"], last_full, cfg))
    return row, projection


def indicator_value(
    base: str, cube: SampleCube, rows: np.ndarray, info: pd.DataFrame, d0: dt.date, d1: dt.date
) -> float | None:
    """The indicator over days d0..d1 (None when no section has a sample)."""
    sums, counts = cube.stretch(rows, d0, d1)
    values = indicator_from_sums(base, sums[None], counts[None], info, cube.items)[0]
    return None if np.isnan(values) else float(values)


def indicator_from_sums(
    base: str, sums: np.ndarray, counts: np.ndarray, info: pd.DataFrame, items: list[str]
) -> np.ndarray:
    """Per draw (first axis) the indicator from item sums and counts (draws x sections x
    items x preference): the preferred results when there are any, else the others."""
    draws, n_sections = sums.shape[:2]
    if n_sections == 0:
        return np.full(draws, np.nan)
    use = np.where(counts[..., 0] > 0, 0, 1)[..., None]
    sums = np.take_along_axis(sums, use, axis=-1)[..., 0]
    counts = np.take_along_axis(counts, use, axis=-1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    frame = pd.DataFrame(means.reshape(draws * n_sections, len(items)), columns=items)
    water_type = np.tile(info["water_type"].fillna("river").to_numpy(dtype=object), draws)
    cls = classify(frame, water_type)["water_class"].to_numpy(dtype="float64", na_value=np.nan)
    cls = cls.reshape(draws, n_sections)
    has = ~np.isnan(cls)
    n = has.sum(axis=1)
    if base == "section_class":
        return cls[:, 0]
    if base == "share_class_1_3":
        hit = has & (cls <= 3)
    elif base == "share_class_6":
        hit = has & (cls == 6)
    elif base == "drinking_sources_met":  # class III or better, as water_region_summary
        hit = has & (cls <= 3)
    else:  # share_meeting_target: sections without a target class are left out
        target = info["target_class"].to_numpy(dtype="float64", na_value=np.nan)
        return share_meeting_target(cls, target[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, 100.0 * hit.sum(axis=1) / np.maximum(n, 1), np.nan)


def absolute_target(spec: dict[str, Any], last_full: float | None) -> float | None:
    """The target on the base indicator (a change target becomes last year's value + change)."""
    if spec["kind"] != "change":
        return float(spec["target"])
    if last_full is None:
        return None
    if spec["change_mode"] == "pct":
        return last_full * (1 + spec["target"] / 100) if last_full > 0 else None
    return last_full + float(spec["target"])


def as_change(spec: dict[str, Any], now: float | None, last: float | None) -> float | None:
    if spec["kind"] != "change":
        return now
    if now is None or last is None or (spec["change_mode"] == "pct" and not last > 0):
        return None
    return float(as_target_unit(np.array([now]), {**spec, "base_last_full": last})[0])


def water_reason(
    spec: dict[str, Any],
    info: pd.DataFrame,
    actual: float | None,
    last_full: float | None,
    change: float | None,
) -> str | None:
    """Why the data cannot evaluate this water target, or None."""
    code = spec["region_code"]
    if not spec["is_known"]:
        return f"unknown region or section code {code}"
    if spec["base"] == "section_class" and not spec["is_section"]:
        return "section_class needs a section code, not a region code"
    if spec["base"] != "section_class" and spec["is_section"]:
        return f"{spec['base']} needs a region code, not a section code"
    if info.empty:
        what = (
            "drinking-water source sections"
            if spec["base"] == "drinking_sources_met"
            else ("water sections")
        )
        return f"no {what} registered for {code}"
    if spec["kind"] == "change" and last_full is None:
        return f"no {spec['base']} for the baseline year {spec['baseline_year']}"
    if spec["elapsed_days"] > 0 and actual is None:
        return f"no water samples for {code} in the period so far"
    if spec["elapsed_days"] > 0 and change is None:
        return f"no {spec['base']} over the same days of {spec['baseline_year']}"
    return None


def month_blocks(d0: dt.date, d1: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar months from d0 to d1 (the first and last possibly partial)."""
    blocks, start = [], d0
    while start <= d1:
        end = min(month_end(start.year, start.month), d1)
        blocks.append((start, end))
        start = end + dt.timedelta(days=1)
    return blocks


def project(
    spec: dict[str, Any],
    cube: SampleCube,
    rows: np.ndarray,
    info: pd.DataFrame,
    target_abs: float,
    last_full: float | None,
    cfg: ProgressConfig,
) -> dict[str, Any]:
    """Month-block bootstrap of the period's final value from earlier years' samples."""
    spec = {**spec, "target_abs": target_abs, "base_last_full": last_full}
    elapsed, remaining = int(spec["elapsed_days"]), int(spec["remaining_days"])
    empty = np.zeros((len(rows), len(cube.items), 2))
    so_far = (
        cube.stretch(rows, spec["period_start"], spec["so_far_end"])
        if elapsed
        else (empty, empty.copy())
    )
    if remaining == 0:
        final = indicator_from_sums(
            spec["base"], so_far[0][None], so_far[1][None], info, cube.items
        )
        return summarise_draws(spec, final, "final", [], NO_SAMPLE)
    rest_start = spec["period_start"] + dt.timedelta(days=elapsed)
    blocks = month_blocks(rest_start, spec["period_end"])
    years, sums, counts = [], [], []
    for back in range(1, cfg.max_history_years + 1):
        shifted = [(shift_year(a, back), shift_year(b, back)) for a, b in blocks]
        parts = [cube.stretch(rows, a, b) for a, b in shifted]
        covered = np.mean([(c.sum(axis=(1, 2)) > 0).mean() for _, c in parts])
        if covered >= cfg.min_history_coverage and covered > 0:
            years.append(spec["year"] - back)
            sums.append(np.stack([s for s, _ in parts]))
            counts.append(np.stack([c for _, c in parts]))
    if len(years) < cfg.min_history_years:
        return {
            "history_years": len(years),
            "projection_method": "none",
            "projection_reason": f"{len(years)} earlier year(s) with samples for the months "
            f"left (need {cfg.min_history_years}): no projection",
        }
    hist_sums, hist_counts = np.stack(sums), np.stack(counts)  # years x blocks x sec x items
    rng = target_seed(cfg, spec["key"])
    pick = block_choices(rng, len(years), len(blocks), cfg.simulations)
    total_sums = np.broadcast_to(so_far[0], (len(pick), *so_far[0].shape)).copy()
    total_counts = np.broadcast_to(so_far[1], total_sums.shape).copy()
    for b in range(len(blocks)):  # one block at a time keeps memory at draws x sections x items
        total_sums += hist_sums[pick[:, b], b]
        total_counts += hist_counts[pick[:, b], b]
    final = indicator_from_sums(spec["base"], total_sums, total_counts, info, cube.items)
    out = summarise_draws(spec, final, "month_block_bootstrap", years, NO_SAMPLE)
    out["history_years"] = len(years)
    return out


def shift_year(d: dt.date, back: int) -> dt.date:
    """The same calendar day `back` years earlier (29 February -> 28 February)."""
    try:
        return d.replace(year=d.year - back)
    except ValueError:
        return d.replace(year=d.year - back, day=28)
