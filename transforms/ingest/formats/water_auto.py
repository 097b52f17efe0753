"""Surface-water automatic-station data: the per-station CSV export and the site's JSON snapshots.

Both come from the national automatic surface-water monitoring real-time system (docs/standards.md
§7.2) with the columns 省份, 流域, 断面名称, 监测时间, 水质类别, 水温, pH, 溶解氧, 电导率, 浊度,
高锰酸盐指数, 氨氮, 总磷, 总氮, 叶绿素α, 藻密度, 站点情况:

- values go to `water_section_samples` (method 'auto'); '--' and '*' are missing, not faults;
  the JSON cells are HTML and the unrounded value is taken from the title '原始值：…';
- the published 水质类别 (Ⅰ..Ⅴ, 劣Ⅴ -> 1..6) and 站点情况 go to `water_sample_published_class`;
- 监测时间 "MM-DD HH:MM" has no year: see transforms/water/year.py; a row without a time
  ('*', '--', null) is quarantined (missing_timestamp), an impossible one as bad_timestamp;
- duplicates: a value repeated for the same section, time and parameter is loaded once; two
  different values for one key are quarantined (duplicate_conflict, every line involved), the
  other parameters of the same rows still load;
- sections are named, not coded: the registry resolves names (transforms/water/sections.py),
  unknown sections get placeholder rows so nothing is dropped.
Manual (laboratory) results are parsed by transforms/ingest/formats/water_manual.py.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.ingest.cell_values import (
    MISSING_TOKENS,
    first_line,
    quarantine_frame,
    quarantine_table,
    read_cells,
    split_conflicts,
)
from transforms.ingest.engine import FormatSpec, ParsedFile, register_format
from transforms.ingest.raw_files import RawFileError, decode_text, logical_name, read_bytes
from transforms.ingest.water_cells import (
    PARAMETERS,
    PLAUSIBLE,
    SAMPLE_SCHEMA,
    TAG,
    header_map,
    header_stem,
    is_auto_header,
    prepare,
)
from transforms.plausibility import implausible
from transforms.water.sections import (
    ROMAN_CLASSES,
    SECTION_SCHEMA,
    guess_water_type,
    load_section_config,
    placeholder_codes,
)
from transforms.water.year import YearContext, resolve_timestamps, stale_count, year_context

__all__ = ["load_section_config", "parse_auto_csv", "parse_snapshot_json"]

AUTO_FORMAT = "water_auto_csv"
JSON_FORMAT = "water_auto_json"
PUBLISHED_SCHEMA = pa.schema(
    [
        ("section_code", pa.string()),
        ("sampled_at", pa.timestamp("us")),
        ("published_class", pa.int32()),
        ("station_status", pa.string()),
    ]
)
def detect_csv(path: Path, head: bytes) -> bool:
    if not logical_name(path).lower().endswith((".csv", ".txt")):
        return False
    return is_auto_header(first_line(head).split(","))


def detect_json(path: Path, head: bytes) -> bool:
    if not logical_name(path).lower().endswith(".json"):
        return False
    text = head.decode("utf-8", errors="ignore")
    return '"thead"' in text and '"tbody"' in text and "断面名称" in text


def parse_auto_csv(path: Path, year: int | None = None) -> ParsedFile:
    """Parse one automatic-station CSV export (year: override of the timestamps' year)."""
    cells, _ = read_cells(path)
    labels = [str(c) for c in cells.iloc[0].tolist()] if len(cells) else []
    if not is_auto_header(labels):
        raise RawFileError(path, "not an automatic-station water export", "header not recognised")
    body = cells.iloc[1:]
    body = body[(body != "").any(axis=1)]
    return parse_auto_rows(
        AUTO_FORMAT,
        labels,
        body.reset_index(drop=True),
        line_no=body.index.to_numpy() + 1,
        raw_line=lambda mask: _joined(body[mask]),
        ctx=year_context(path, year),
    )


def _joined(body: pd.DataFrame) -> np.ndarray:
    """The cells of each row joined by commas again (the raw line, for row-level quarantine)."""
    if body.empty:
        return np.array([], dtype=object)
    cols = [body[c].astype(str) for c in body.columns]
    line = cols[0]
    for c in cols[1:]:
        line = line + "," + c
    return line.str.rstrip(",").to_numpy(dtype=object)


def _json_cell_values(col: pd.Series) -> pd.Series:
    """Cell text: the unrounded 原始值 of the title when there is one, else the visible text."""
    text = col.astype(object).where(col.notna(), "").astype(str)
    raw = text.str.extract(r"原始值[：:]\s*([^'\"<]*)", expand=False)
    visible = text.str.replace(TAG, "", regex=True).map(html.unescape).str.strip()
    return raw.str.strip().fillna(visible)


def parse_snapshot_json(path: Path, year: int | None = None) -> ParsedFile:
    """Parse one JSON snapshot of the site ({"thead": [...], "tbody": [[17 cells], ...]})."""
    text, _ = decode_text(read_bytes(path), path)
    try:
        doc = json.loads(text)
        labels = [str(x) for x in doc["thead"]]
        rows = doc["tbody"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RawFileError(path, "unreadable JSON snapshot", str(exc)[:120]) from exc
    if not is_auto_header(labels):
        raise RawFileError(path, "not an automatic-station water snapshot", "thead not recognised")
    labels = [TAG.sub("", html.unescape(label)).strip() for label in labels]  # 'pH(无量纲)'
    width = len(labels)
    frame = pd.DataFrame([list(r)[:width] + [None] * (width - len(r)) for r in rows],
                         columns=range(width))
    fields = header_map(labels)
    river = pd.Series(None, index=frame.index, dtype=object)
    locality = pd.Series(None, index=frame.index, dtype=object)
    if "name" in fields:
        name_col = frame[fields["name"]].astype(object).where(frame[fields["name"]].notna(), "")
        titles = name_col.astype(str).map(html.unescape)
        river = titles.str.extract(r"所属河流[:：]\s*([^'\"\n&]*)", expand=False)
        locality = titles.str.extract(r"所在地市[:：]\s*([^'\"\n&]*)", expand=False)
    cells = frame.apply(_json_cell_values)
    return parse_auto_rows(
        JSON_FORMAT,
        labels,
        cells,
        line_no=np.arange(1, len(rows) + 1),  # JSON: position in tbody (the file is one line)
        raw_line=lambda mask: np.array(
            [json.dumps(r, ensure_ascii=False) for r, m in zip(rows, mask, strict=True) if m],
            dtype=object,
        ),
        ctx=year_context(path, year),
        river=river.str.strip().replace("", None),
        locality=locality.str.strip().replace("", None),
    )


def parse_auto_rows(
    fmt: str,
    labels: list[str],
    cells: pd.DataFrame,
    line_no: np.ndarray,
    raw_line: Callable[[np.ndarray], np.ndarray],
    ctx: YearContext,
    river: pd.Series | None = None,
    locality: pd.Series | None = None,
) -> ParsedFile:
    """The shared body of both automatic formats: string cells -> tables and quarantine."""
    fields = header_map(labels)
    n = len(cells)

    def col(key: str) -> pd.Series:
        if key not in fields:
            return pd.Series([""] * n, dtype=object)
        return cells[fields[key]].astype(str).str.strip().reset_index(drop=True)

    q: list[pd.DataFrame] = []
    name, province, basin, time = col("name"), col("province"), col("basin"), col("time")
    no_name = name.isin(MISSING_TOKENS).to_numpy()
    if no_name.any():
        q.append(quarantine_frame(line_no[no_name], labels[fields["name"]], "missing_section",
                                  raw_line(no_name)))
    no_time = time.isin(MISSING_TOKENS).to_numpy() & ~no_name
    if no_time.any():
        q.append(quarantine_frame(line_no[no_time], labels[fields["time"]], "missing_timestamp",
                                  raw_line(no_time)))
    stamps, bad = resolve_timestamps(time, ctx)
    bad_time = bad & ~no_time & ~no_name
    if bad_time.any():
        q.append(quarantine_frame(line_no[bad_time], labels[fields["time"]], "bad_timestamp",
                                  time.to_numpy()[bad_time]))
    keep = ~(no_name | no_time | bad_time)
    codes = placeholder_codes(province, name)
    rows = pd.DataFrame(
        {"section_code": codes, "sampled_at": stamps.to_numpy(), "line_no": line_no}
    )[keep]

    samples, sq = _samples(rows, cells.reset_index(drop=True)[keep], fields, labels)
    published, pq = _published(rows, col("class")[keep], col("status")[keep], fields, labels)
    q.extend(sq + pq)
    lake_params = _measured_lake_parameters(samples)
    sections = pd.DataFrame(
        {
            "section_code": codes,
            "section_name": name,
            "province": province.replace("", None),
            "river": river.reset_index(drop=True) if river is not None else None,
            "basin": basin.replace("", None),
            "region_code": None,
            "locality": locality.reset_index(drop=True) if locality is not None else None,
        }
    )[~no_name].drop_duplicates("section_code")
    sections["water_type"] = guess_water_type(sections["section_code"].isin(lake_params)).to_numpy()
    sections["registered"] = False
    notes = []
    stale = stale_count(pd.Series(samples["sampled_at"]), ctx)
    if stale:
        notes.append(f"{stale} sample values older than 31 days before {ctx.end} (stale readings)")
    return ParsedFile(
        format=fmt,
        tables={
            "water_section_samples": pa.Table.from_pandas(
                samples, schema=SAMPLE_SCHEMA, preserve_index=False
            ),
            "water_sample_published_class": pa.Table.from_pandas(
                published, schema=PUBLISHED_SCHEMA, preserve_index=False
            ),
            "water_sections": pa.Table.from_pandas(
                sections.reset_index(drop=True), schema=SECTION_SCHEMA, preserve_index=False
            ),
        },
        quarantine=quarantine_table(q),
        notes=notes,
    )


def _samples(
    rows: pd.DataFrame, cells: pd.DataFrame, fields: dict[str, int], labels: list[str]
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Long sample values with their checks; exact repeats once, conflicting repeats out."""
    params = [(param, unit, fields[param]) for stem, (param, unit) in PARAMETERS.items()
              if param in fields and header_stem(labels[fields[param]]) == stem]
    n, p = len(rows), len(params)
    text = cells[[pos for _, _, pos in params]].to_numpy(dtype=object).astype(str).ravel()
    text = np.char.strip(text.astype("U")) if len(text) else text.astype("U")
    r = np.repeat(np.arange(n), p)
    j = np.tile(np.arange(p), n)
    present = ~np.isin(text, list(MISSING_TOKENS))
    value = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy(dtype="float64")
    low = np.array([PLAUSIBLE[x][0] for x, _, _ in params])[j]
    high = np.array([PLAUSIBLE[x][1] for x, _, _ in params])[j]
    non_numeric = present & ~np.isfinite(value)
    negative, impossible = implausible(value, low, high)
    negative, impossible = present & negative, present & impossible
    line = rows["line_no"].to_numpy()[r]
    column = np.array([labels[pos] for _, _, pos in params], dtype=object)[j]
    q = [
        quarantine_frame(line[mask], "", reason, text[mask]).assign(column_name=column[mask])
        for mask, reason in ((non_numeric, "non_numeric"), (negative, "negative"),
                             (impossible, "impossible_value"))
        if mask.any()
    ]
    ok = present & ~(non_numeric | negative | impossible)
    long = pd.DataFrame(
        {
            "section_code": rows["section_code"].to_numpy()[r][ok],
            "sampled_at": rows["sampled_at"].to_numpy()[r][ok],
            "parameter": np.array([x for x, _, _ in params], dtype=object)[j][ok],
            "value": value[ok],
            "unit": np.array([u for _, u, _ in params], dtype=object)[j][ok],
            "method": "auto",
            "line_no": line[ok],
            "column": column[ok],
            "raw": text[ok],
        }
    )
    kept, conflicts = split_conflicts(long, ["section_code", "sampled_at", "parameter"], "value")
    if len(conflicts):
        q.append(quarantine_frame(conflicts["line_no"], "", "duplicate_conflict",
                                  conflicts["raw"]).assign(column_name=conflicts["column"]
                                                           .to_numpy()))
    kept = kept.rename(columns={"column": "column_name"})
    cols = ["section_code", "sampled_at", "parameter", "value", "unit", "method", "line_no",
            "column_name"]
    return kept[cols].reset_index(drop=True), q


def _published(
    rows: pd.DataFrame,
    cls: pd.Series,
    status: pd.Series,
    fields: dict[str, int],
    labels: list[str],
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The published class and station status per section and time (for comparison only)."""
    q: list[pd.DataFrame] = []
    key = ["section_code", "sampled_at"]
    cls_text = cls.to_numpy(dtype=object).astype(str)
    frame = rows[key].reset_index(drop=True).assign(
        published_class=cls.map(ROMAN_CLASSES).to_numpy(dtype="float64"),
        station_status=status.replace("", None).to_numpy(dtype=object),
        line_no=rows["line_no"].to_numpy(),
        class_raw=cls_text,
    )
    unknown = ~np.isin(cls_text, list(MISSING_TOKENS)) & frame["published_class"].isna().to_numpy()
    if unknown.any():
        q.append(quarantine_frame(frame["line_no"][unknown], labels[fields["class"]],
                                  "bad_class", cls_text[unknown]))
    status_label = labels[fields["status"]] if "status" in fields else "站点情况"
    for field, raw, label in (("published_class", "class_raw", labels[fields["class"]]),
                              ("station_status", "station_status", status_label)):
        part = frame[list(dict.fromkeys([*key, field, "line_no", raw]))].dropna(subset=[field])
        _, conflicts = split_conflicts(part, key, field)
        if len(conflicts):
            q.append(quarantine_frame(conflicts["line_no"], label, "duplicate_conflict",
                                      conflicts[raw].astype(str)))
            frame.loc[conflicts.index, field] = None
    result = frame[[*key, "published_class", "station_status"]]
    if frame.duplicated(key).any():
        result = result.groupby(key, sort=False, as_index=False).first()
    result = result.dropna(subset=["published_class", "station_status"], how="all")
    result["published_class"] = result["published_class"].astype("Int32")
    return result, q


def _measured_lake_parameters(samples: pd.DataFrame) -> set[str]:
    """Sections whose chlorophyll-a or algae density carry values (lake/reservoir sites)."""
    measured = samples[samples["parameter"].isin(["chla", "algae"])]
    return set(measured["section_code"])


register_format(FormatSpec(name=AUTO_FORMAT, detect=detect_csv, parse=parse_auto_csv,
                           prepare=prepare))
register_format(FormatSpec(name=JSON_FORMAT, detect=detect_json, parse=parse_snapshot_json,
                           prepare=prepare))
