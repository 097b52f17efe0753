"""Correctness gate: envq's class of each automatic sample vs the published 水质类别.

The national automatic surface-water site prints beside each 4-hourly reading a single-sample
class computed from pH, DO, CODMn, NH3-N and TP (docs/standards.md §7.2). envq classifies the same
five values with transforms.water.classify (GB 3838-2002 Table 1) and counts agreement over
every sample that carries a published class. The exports do not say whether a section is a
river or a lake/reservoir; a section is taken as a lake when its chlorophyll-a or algae density
is measured (transforms.water.sections.guess_water_type), as ingest does for unknown sections.

Each disagreement gets one kind, checked in this order:
- no_items: none of the five items carries a value (the publisher had values it did not print);
- missing_items: some of the five are missing ('--') and the rest give another class;
- section_type: all five present and the other type's TP limits give the published class;
- display_rounding: the export rounds values (pH, DO, CODMn to 0.01, NH3-N, TP to 0.001) and a
  value within half a unit of a class limit explains the published class (the JSON snapshots
  carry the unrounded '原始值', where this kind does not occur);
- previous_reading: the class of the section's previous reading (4 h earlier) equals the
  published one; on the 2021-04 exports this is mostly the 00:00 reading, whose printed class
  often belongs to the 20:00 reading of the day before (the site's day rollover);
- other: none of the above.

Usage: python -m transforms.conformance.water_class_agreement <folder> [<folder> ...]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from transforms.ingest.cell_values import read_cells
from transforms.ingest.engine import ParsedFile
from transforms.ingest.formats.water_auto import (
    AUTO_FORMAT,
    _joined,
    header_map,
    parse_auto_rows,
    parse_snapshot_json,
)
from transforms.water import classify
from transforms.water.year import year_context

ITEMS = ("ph", "do", "codmn", "nh3n", "tp")
# half a display unit of the CSV export (values printed with 2 or 3 decimals)
HALF_UNIT = {"ph": 0.005, "do": 0.005, "codmn": 0.005, "nh3n": 0.0005, "tp": 0.0005}
KINDS = ("no_items", "missing_items", "section_type", "display_rounding", "previous_reading",
         "other")


@dataclass
class Agreement:
    """Counts of samples with a published class, agreeing, and disagreements by kind."""

    samples: int = 0
    agree: int = 0
    by_type: dict[str, tuple[int, int]] = field(default_factory=dict)  # type -> (n, agree)
    kinds: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> kind -> n
    complete: tuple[int, int] = (0, 0)  # samples with all five items: (n, agree)
    sections: dict[str, int] = field(default_factory=dict)  # type -> sections

    @property
    def share(self) -> float:
        return self.agree / self.samples if self.samples else float("nan")

    def type_share(self, water_type: str) -> float:
        n, a = self.by_type.get(water_type, (0, 0))
        return a / n if n else float("nan")

    def lines(self) -> list[str]:
        out = [f"samples with a published class: {self.samples}; "
               f"agree: {self.agree} ({self.share:.2%})"]
        n, a = self.complete
        if n:
            out.append(f"  with all five items: {n}; agree {a} ({a / n:.2%})")
        for wt, (n, a) in self.by_type.items():
            out.append(f"  {wt}: {self.sections.get(wt, 0)} sections, {n} samples, "
                       f"agree {a} ({a / n:.2%})" if n else f"  {wt}: none")
            for kind in KINDS:
                k = self.kinds.get(wt, {}).get(kind, 0)
                if k:
                    out.append(f"    {kind}: {k}")
        return out


def _read_csv_batch(files: list[Path]) -> list[ParsedFile]:
    """Parse many exports of one header at once (one call per year context; fast)."""
    groups: dict[tuple, list[pd.DataFrame]] = {}
    labels_of: dict[tuple, list[str]] = {}
    for f in files:
        cells, _ = read_cells(f)
        if cells.empty:
            continue
        labels = [str(c) for c in cells.iloc[0]]
        body = cells.iloc[1:]
        body = body[(body != "").any(axis=1)]
        fields = header_map(labels)
        ctx = year_context(f)
        key = (ctx, tuple(sorted(fields.items())))
        groups.setdefault(key, []).append(body.reindex(columns=range(len(labels)),
                                                       fill_value=""))
        labels_of[key] = labels
    parsed = []
    for key, bodies in groups.items():
        body = pd.concat(bodies, ignore_index=True)
        parsed.append(parse_auto_rows(AUTO_FORMAT, labels_of[key], body,
                                      np.arange(len(body)) + 2, lambda m, b=body: _joined(b[m]),
                                      key[0]))
    return parsed


def sample_frame(parsed: list[ParsedFile]) -> pd.DataFrame:
    """One row per sample with a published class: the five items and the section type."""
    frames = []
    for p in parsed:
        s = p.tables["water_section_samples"].to_pandas()
        pub = p.tables["water_sample_published_class"].to_pandas()
        sec = p.tables["water_sections"].to_pandas()
        wide = s[s["parameter"].isin(ITEMS)].pivot_table(
            index=["section_code", "sampled_at"], columns="parameter", values="value"
        ).reset_index()
        m = pub.dropna(subset=["published_class"]).merge(
            wide, on=["section_code", "sampled_at"], how="left")
        frames.append(m.merge(sec[["section_code", "water_type"]], on="section_code"))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for item in ITEMS:
        if item not in out.columns:
            out[item] = np.nan
    # a section measured as a lake in any file is a lake everywhere
    lake = out.groupby("section_code")["water_type"].transform(lambda s: (s == "lake").any())
    out["water_type"] = np.where(lake, "lake", "river")
    return out.drop_duplicates(["section_code", "sampled_at"])


def _bounded_class(m: pd.DataFrame, wt: np.ndarray, sign: float) -> np.ndarray:
    """Class with every value moved half a display unit toward worse (+1) or better (-1)."""
    moved = m[list(ITEMS)].copy()
    for item in ITEMS:
        step = HALF_UNIT[item] * (-1 if item == "do" else 1)
        if item != "ph":
            moved[item] = moved[item] + sign * step
    if sign > 0:  # pH: toward the nearer edge of 6-9
        moved["ph"] = np.where(moved["ph"] >= 7.5, moved["ph"] + HALF_UNIT["ph"],
                               moved["ph"] - HALF_UNIT["ph"])
    else:
        moved["ph"] = np.where(moved["ph"] >= 7.5, moved["ph"] - HALF_UNIT["ph"],
                               moved["ph"] + HALF_UNIT["ph"])
    return classify(moved, wt)["water_class"].to_numpy(dtype="float64", na_value=np.nan)


def measure(m: pd.DataFrame) -> Agreement:
    """Agreement and disagreement kinds of a sample frame (see sample_frame)."""
    wt = m["water_type"].to_numpy(dtype=object)
    other = np.where(wt == "lake", "river", "lake")
    pub = m["published_class"].to_numpy(dtype="float64")
    typed = classify(m[list(ITEMS)], wt)["water_class"].to_numpy(dtype="float64", na_value=np.nan)
    swapped = classify(m[list(ITEMS)], other)["water_class"].to_numpy(
        dtype="float64", na_value=np.nan)
    n_items = m[list(ITEMS)].notna().sum(axis=1).to_numpy()
    worse = _bounded_class(m, wt, +1)
    better = _bounded_class(m, wt, -1)
    order = m.sort_values(["section_code", "sampled_at"]).index
    previous = m.loc[order].groupby("section_code")[list(ITEMS)].shift(1).reindex(m.index)
    prev_class = classify(previous, wt)["water_class"].to_numpy(dtype="float64", na_value=np.nan)
    agree = typed == pub
    kind = np.select(
        [agree, n_items == 0, n_items < len(ITEMS), swapped == pub,
         (pub >= better) & (pub <= worse), prev_class == pub],
        ["agree", "no_items", "missing_items", "section_type", "display_rounding",
         "previous_reading"],
        default="other",
    )
    result = Agreement(samples=len(m), agree=int(agree.sum()))
    complete = n_items == len(ITEMS)
    result.complete = (int(complete.sum()), int((agree & complete).sum()))
    for t in ("river", "lake"):
        rows = wt == t
        result.by_type[t] = (int(rows.sum()), int((agree & rows).sum()))
        result.kinds[t] = pd.Series(kind[rows & ~agree]).value_counts().to_dict()
        result.sections[t] = int(m.loc[rows, "section_code"].nunique())
    return result


def measure_paths(paths: list[Path]) -> Agreement:
    """Agreement over every export (.csv) and JSON snapshot (.json) below the paths."""
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*"))
                   if f.is_file())
    csv = [f for f in files if f.suffix.lower() == ".csv"]
    js = [f for f in files if f.suffix.lower() == ".json"]
    parsed = _read_csv_batch(csv) + [parse_snapshot_json(f) for f in js]
    return measure(sample_frame(parsed))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m transforms.conformance.water_class_agreement <folder> ...")
        return 2
    result = measure_paths([Path(a) for a in args])
    print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
