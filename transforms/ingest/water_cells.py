"""What the automatic and the manual water formats share: the column names of the national
automatic-station exports, plausibility bounds, the long sample schema
and the step that resolves section names to codes inside the load transaction."""

from __future__ import annotations

import html
import re

import duckdb
import pyarrow as pa

from transforms.ingest.engine import ParsedFile
from transforms.water.sections import resolve_sections

# header stem -> field; the measured columns -> (parameter code, unit)
FIELDS = {"省份": "province", "流域": "basin", "断面名称": "name", "监测时间": "time",
          "水质类别": "class", "站点情况": "status"}
PARAMETERS: dict[str, tuple[str, str]] = {
    "水温": ("temp", "℃"),
    "ph": ("ph", "dimensionless"),
    "溶解氧": ("do", "mg/L"),
    "电导率": ("cond", "µS/cm"),
    "浊度": ("turb", "NTU"),
    "高锰酸盐指数": ("codmn", "mg/L"),
    "氨氮": ("nh3n", "mg/L"),
    "总磷": ("tp", "mg/L"),
    "总氮": ("tn", "mg/L"),
    "叶绿素α": ("chla", "mg/L"),
    "叶绿素a": ("chla", "mg/L"),
    "藻密度": ("algae", "cells/L"),
}
# Physical plausibility (engineering bounds, not a standard): outside -> impossible_value.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "temp": (-2.0, 50.0), "ph": (0.0, 14.0), "do": (0.0, 50.0), "cond": (0.0, 200000.0),
    "turb": (0.0, 100000.0), "codmn": (0.0, 1000.0), "nh3n": (0.0, 1000.0),
    "tp": (0.0, 100.0), "tn": (0.0, 1000.0), "chla": (0.0, 100.0), "algae": (0.0, 1e13),
}
SAMPLE_SCHEMA = pa.schema(
    [
        ("section_code", pa.string()),
        ("sampled_at", pa.timestamp("us")),
        ("parameter", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("method", pa.string()),
        # provenance (transforms.ingest.engine.PROVENANCE_COLUMNS): the raw cell of the value;
        # dropped at the merge
        ("line_no", pa.int64()),
        ("column_name", pa.string()),
    ]
)
TAG = re.compile(r"<[^>]*>")


def header_stem(label: str) -> str:
    """'总磷(mg/L)' / '总磷<br/><span class=\\'unit\\'>(mg/L)</span>' -> '总磷'; 'pH…' -> 'ph'."""
    text = TAG.sub("", html.unescape(str(label)))
    stem = re.split(r"[(（]", text, maxsplit=1)[0].strip().replace("\ufeff", "")
    return "ph" if stem.lower() == "ph" else stem


def header_map(labels: list[str]) -> dict[str, int]:
    """Field or parameter name -> column position, for the labels this format knows."""
    out: dict[str, int] = {}
    for pos, label in enumerate(labels):
        stem = header_stem(label)
        key = FIELDS.get(stem) or (PARAMETERS[stem][0] if stem in PARAMETERS else None)
        if key and key not in out:
            out[key] = pos
    return out


def is_auto_header(labels: list[str]) -> bool:
    fields = header_map(labels)
    return {"name", "time", "class"} <= set(fields) and any(
        p in fields for p, _ in PARAMETERS.values()
    )



def prepare(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> None:
    """Inside the load transaction: section names -> registered codes (placeholders for others)."""
    parsed.notes.extend(resolve_sections(con, parsed.tables))
