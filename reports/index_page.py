"""The overview page (index_<lang>.html): one row per region, the most urgent first.

Each row: the count of targets in each status, the most urgent target in words, the composite
index with its national and provincial rank, the good-day ratio and PM2.5 with their change on
last year, and the link to the region's page; below, the rankings as the ministry publishes
them (best and worst by composite index, most and least improved), for the month and the year
to date, nationally or within a province. The rows travel as JSON in the page and a small
plain script (reports/assets/index_page.js) draws, sorts and filters them: no library, no
network, a few milliseconds for thousands of rows. No map: official maps of China need
approved boundaries.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from reports import i18n
from reports.colours import status_colour
from reports.headline import key_number, target_name
from reports.html_page import esc, stamp, text_colour
from reports.overview import Overview
from reports.table import indicator_decimals
from transforms.indicators import INDICATORS

# Columns of status counts, the most urgent first (the urgency order of overview_targets.sql).
STATUS_ORDER = (
    "cannot_be_met",
    "not_met",
    "off_track",
    "at_risk",
    "on_track",
    "insufficient_data",
    "not_evaluable",
    "met",
)
TOP = 20  # the length of the published best / worst lists
STEP = 500  # rows drawn at a time (every city of the country fits in the first)
LEVEL_ORDER = {"province": 0, "city": 1, "county": 2}

CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:1.2em 1.5em;
color:#222}
h1{font-size:1.5em;margin-bottom:.2em}.sub{color:#666}h2{border-bottom:2px solid #1f5fa8}
.filters{margin:.8em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center}
table{border-collapse:collapse;font-size:.85em}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}
th{background:#eef3fa;cursor:pointer;position:sticky;top:0}td.t{text-align:left}
td.w{white-space:normal;min-width:18em;max-width:30em}
th.asc:after{content:" \\25B2"}th.desc:after{content:" \\25BC"}
.n{display:inline-block;min-width:1.6em;border-radius:8px;text-align:center;font-weight:bold}
.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px}
.legend span.chip{display:inline-block;padding:1px 8px;border-radius:8px;margin:2px 6px 2px 0}
.ranks{display:flex;flex-wrap:wrap;gap:1.2em}.rank h3{font-size:1em;margin:.6em 0 .2em}
.rank th{cursor:default;position:static}
"""


@dataclass(frozen=True)
class RegionPage:
    """A region's written page: its display name and the file the overview links to."""

    name: str
    href: str


@cache
def script() -> str:
    """The page's script (reports/assets/index_page.js)."""
    return resources.files("reports.assets").joinpath("index_page.js").read_text("utf-8")


def _num(value: object) -> float | None:
    """A finite float or None (NaN and missing values become JSON null)."""
    if value is None:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _int(value: object) -> int | None:
    f = _num(value)
    return None if f is None else int(f)


def _shown(value: object, decimals: int) -> str:
    f = _num(value)
    return "—" if f is None else f"{f:,.{decimals}f}"


def urgent_phrase(row: Mapping[str, Any], lang: str) -> str:
    """The most urgent target in words: "优良天数: 余下 61 天中至少 54 天需为优良".

    While the period is open, the number that decides the target: the headline's (good days
    needed, the rest-of-period mean ceiling; reports.headline.key_number, so that the page,
    the alerts and the overview say the same), else the heavy days or the days above the
    target still allowed; once the target is lost for good or its period over, the value
    against the target. "all N targets met" when the most urgent one is already met.
    """
    t = lambda key, **kw: i18n.text(key, lang).format(**kw)  # noqa: E731
    status = row.get("urgent_status")
    if not isinstance(status, str):
        return t("ov_no_targets")
    if status == "met":
        return t("ov_all_met", n=int(row["n_targets"]))
    code = str(row["urgent_indicator"])
    period = row.get("urgent_period")
    name = target_name(
        {"indicator": code, "period": period if isinstance(period, str) else None}, lang
    )
    section = row.get("urgent_section")
    if isinstance(section, str):
        name += f" {section}"
    if status in ("not_evaluable", "insufficient_data"):
        return f"{name}: {i18n.indicator(status, lang)}"
    indicator = INDICATORS.get(code)
    base = INDICATORS.get(indicator.base) if indicator and indicator.base else indicator
    base_code = base.code if base else code
    rest = _int(row.get("urgent_remaining_days"))
    ceiling = _num(row.get("urgent_mean_ceiling"))
    heavy = _int(row.get("urgent_heavy_days_allowed"))
    over = _int(row.get("urgent_days_over_allowed"))
    words = ""
    if rest is not None and rest > 0 and status != "not_met":
        words = key_number(
            {
                "indicator": base_code,  # the unit of a change target's ceiling is its base's
                "remaining_days": rest,
                "good_days_needed": _int(row.get("urgent_good_days_needed"))
                if base_code in ("good_days", "good_rate")
                else None,
                "remaining_mean_ceiling": ceiling if ceiling is not None and ceiling > 0 else None,
            },
            lang,
        )
        if not words and heavy is not None and heavy >= 0:
            words = t("ov_heavy", rest=rest, allowed=heavy)
        elif not words and over is not None and over >= 0 and base_code == code:
            words = t(
                "ov_days_over",
                rest=rest,
                allowed=over,
                value=_shown(row.get("urgent_target"), indicator_decimals(code)),
                unit=i18n.unit(code, lang),
            )
    if not words:
        n = indicator_decimals(code)
        unit = i18n.unit(code, lang)
        if code == "section_class":
            actual = i18n.water_class(row.get("urgent_actual"), lang) or "—"
            target = i18n.water_class(row.get("urgent_target"), lang) or "—"
        else:
            actual = f"{_shown(row.get('urgent_actual'), n)} {unit}".strip()
            target = f"{_shown(row.get('urgent_target'), n)} {unit}".strip()
        words = t("ov_value", actual=actual, comparator=row["urgent_comparator"], target=target)
    return f"{name}: {words}"


def _period_figures(air: Mapping[str, Any]) -> dict[str, object]:
    """One region's air figures and ranks of one period, as the script reads them."""
    scope = air["parent_scope"]
    return {
        "ci": _num(air["composite_index"]),
        "cy": _num(air["composite_index_yoy_pct"]),
        "r": _int(air["index_rank"]),
        "rn": _int(air["index_ranked"]),
        "ps": scope if isinstance(scope, str) else None,
        "rp": _int(air["index_rank_parent"]),
        "rpn": _int(air["index_ranked_parent"]),
        "ir": _int(air["improvement_rank"]),
        "irn": _int(air["improvement_ranked"]),
        "irp": _int(air["improvement_rank_parent"]),
        "irpn": _int(air["improvement_ranked_parent"]),
        "gr": _num(air["good_rate"]),
        "gry": _num(air["good_rate_yoy"]),
        "pm": _num(air["pm25"]),
        "pmy": _num(air["pm25_yoy_pct"]),
    }


def _records(frame: pd.DataFrame, *keys: str) -> dict[Any, dict[str, Any]]:
    """Rows of a frame as plain dicts by key (pandas row access costs ~100 µs a row)."""
    if frame.empty:
        return {}
    columns = {c: frame[c].tolist() for c in frame.columns}
    rows = [
        dict(zip(columns, values, strict=True))
        for values in zip(*columns.values(), strict=True)
    ]
    if len(keys) == 1:
        return {r[keys[0]]: r for r in rows}
    return {tuple(r[k] for k in keys): r for r in rows}


def urgency_order(
    targets: Mapping[str, Mapping[str, Any]], codes: list[str], levels: Mapping[str, str]
) -> list[str]:
    """Region codes, the most urgent first: the worst status of any target (lost, off track,
    at risk, on track, not evaluable, met; no target last), then the lower probability of
    meeting among the targets in that status, then more targets in it, then the larger
    shortfall relative to the target, then by level and code.
    """

    def key(code: str) -> tuple:
        level = LEVEL_ORDER.get(levels.get(code, ""), 3)
        row = targets.get(code)
        if row is None:
            return (9, 2.0, 0, 0.0, level, code)
        p = _num(row["worst_probability"])
        shortfall = _num(row["worst_shortfall"])
        return (
            int(row["worst_severity"]),
            2.0 if p is None else p,
            -int(row["n_worst"]),
            -(shortfall if shortfall is not None else -math.inf),
            level,
            code,
        )

    return sorted(codes, key=key)


def overview_rows(
    overview: Overview, pages: dict[str, RegionPage], lang: str
) -> list[dict[str, object]]:
    """The page's rows (one per written region page), in the default (urgency) order."""
    regions = _records(overview.regions, "region_code")
    levels = {code: str(r["level"]) for code, r in regions.items()}
    targets = _records(overview.targets, "region_code")
    air = _records(overview.air, "region_code", "period_type")
    rows = []
    for u, code in enumerate(urgency_order(targets, list(pages), levels)):
        page = pages[code]
        place = regions.get(code, {})
        province_name = place.get("province_name_en") if lang == "en" else None
        if not isinstance(province_name, str) or not province_name:
            province_name = place.get("province_name")
        row: dict[str, object] = {
            "c": code,
            "n": page.name,
            "h": page.href,
            "l": levels.get(code),
            "pc": place.get("province_code"),
            "p": province_name if isinstance(province_name, str) else None,
            "u": u,
            "k": None,
            "w": i18n.text("ov_no_targets", lang),
            "ws": None,
            "pr": None,
        }
        t = targets.get(code)
        if t is not None:
            row["k"] = [int(t[f"n_{s}"]) for s in STATUS_ORDER]
            row["w"] = urgent_phrase(t, lang)
            row["ws"] = t["urgent_status"]
            row["pr"] = _num(t["urgent_probability"])
        for period, key in (("ytd", "y"), ("month", "m")):
            if (code, period) in air:
                row[key] = _period_figures(air[(code, period)])
        rows.append(row)
    return rows


def _page_text(lang: str) -> dict[str, object]:
    """The labels the script shows."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    return {
        "region": t("region"),
        "region_code": t("region_code"),
        "province": t("ov_province"),
        "level": t("ov_level"),
        "levels": {"city": t("ov_city"), "county": t("ov_county"), "province": t("ov_province")},
        "most_urgent": t("ov_most_urgent"),
        "probability": t("probability"),
        "composite_index": t("composite_index"),
        "rank_national": t("ov_rank_national"),
        "rank_parent": t("ov_rank_parent"),
        "good_rate": t("good_rate"),
        "change_pp": t("change_pp"),
        "pm25": t("pm25"),
        "change_pct": t("change_pct"),
        "rank": t("rank"),
        "rank_of": t("ov_rank_of"),
        "regions_shown": t("ov_regions_shown"),
        "show_more": t("ov_show_more"),
        "best": t("ov_best"),
        "worst": t("ov_worst"),
        "most_improved": t("ov_most_improved"),
        "least_improved": t("ov_least_improved"),
        "delta_index": t("ov_delta_index"),
        "no_data": t("no_data"),
        "no_last_year": t("ov_no_last_year"),
    }


def _rank_scopes(
    overview: Overview, rows: list[dict[str, object]], lang: str
) -> list[tuple[str, str]]:
    """The rankings' scopes besides the national one: each province (its cities) and each
    city (its counties) that ranks a region of the page, named "陕西省 · 地级市"."""
    regions = _records(overview.regions, "region_code")
    found: dict[str, str] = {}
    for row in rows:
        for key in ("m", "y"):
            figures = row.get(key)
            if isinstance(figures, dict) and figures.get("ps"):
                found[str(figures["ps"])] = str(row["l"])
    out = []
    for code, member_level in found.items():
        region = regions.get(code, {})
        name = region.get("name_en") if lang == "en" else None
        if not isinstance(name, str) or not name:
            name = region.get("name") or code
        level = i18n.text("ov_county" if member_level == "county" else "ov_city", lang)
        out.append((code, f"{name} · {level}"))
    return sorted(out, key=lambda pair: (pair[1].endswith(i18n.text("ov_county", lang)), pair[0]))


def script_json(value: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can close or open markup."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _options(pairs: list[tuple[str, str]], first: tuple[str, str] | None = None) -> str:
    items = ([first] if first else []) + pairs
    return "".join(f'<option value="{esc(v)}">{esc(label)}</option>' for v, label in items)


def index_page(
    overview: Overview,
    pages: dict[str, RegionPage],
    lang: str,
    as_of: dt.date,
    generated: dt.datetime,
) -> str:
    """The whole overview page for the written region pages."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    rows = overview_rows(overview, pages, lang)
    statuses = [
        {
            "code": s,
            "label": i18n.indicator(s, lang),
            "colour": status_colour(s),
            "text": text_colour(status_colour(s)),
        }
        for s in STATUS_ORDER
    ]
    data = {
        "rows": rows,
        "statuses": statuses,
        "text": _page_text(lang),
        "top": TOP,
        "step": STEP,
    }
    provinces = sorted({(str(r["pc"]), str(r["p"] or r["pc"])) for r in rows if r["pc"]})
    levels = sorted({str(r["l"]) for r in rows if r["l"]}, key=lambda v: LEVEL_ORDER.get(v, 3))
    level_names = {"city": t("ov_city"), "county": t("ov_county"), "province": t("ov_province")}
    scopes = _rank_scopes(overview, rows, lang)
    periods = []
    if overview.month:
        periods.append(("m", f"{overview.month} ({t('ov_month')})"))
    if overview.ytd:
        ytd_day = overview.ytd_as_of.isoformat() if overview.ytd_as_of else ""
        periods.append(("y", f"{t('ov_ytd')} ({t('as_of')} {ytd_day})"))
    legend = "".join(
        f'<span class="chip" style="background:{s["colour"]};color:{s["text"]}">'
        f"{esc(s['label'])}</span>"
        for s in statuses
    )
    title = f"{t('ov_title')} · {t('as_of')} {as_of.isoformat()}"
    return (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        f'<meta charset="utf-8"><title>{esc(title)}</title><style>{CSS}</style></head><body>'
        f"<h1>{esc(title)}</h1><p class=sub>{esc(t('generated'))} {esc(stamp(generated))}"
        f"</p><noscript><p>{esc(t('ov_no_script'))}</p></noscript>"
        '<div class="filters">'
        f'<label>{esc(t("ov_province"))} <select id="f-province">'
        f"{_options(provinces, ('', t('ov_all')))}</select></label>"
        f'<label>{esc(t("ov_level"))} <select id="f-level">'
        f"{_options([(v, level_names.get(v, v)) for v in levels], ('', t('ov_all')))}"
        "</select></label>"
        f'<input id="f-search" type="search" placeholder="{esc(t("ov_search"))}" size="24">'
        '<span id="shown" class="sub"></span></div>'
        '<table id="regions"><thead><tr></tr></thead><tbody></tbody></table>'
        '<p><button id="more" type="button" hidden></button></p>'
        f'<h2>{esc(t("ov_legend"))}</h2><div class="legend"><p>{legend}</p>'
        f"<p>{esc(t('ov_legend_order'))}</p><p>{esc(t('ov_legend_index'))}</p>"
        f"<p>{esc(t('ov_rank_parent_note'))}</p></div>"
        f'<h2>{esc(t("ov_rankings"))}</h2><div class="filters">'
        f'<select id="r-period">{_options(periods)}</select>'
        f'<select id="r-scope">{_options(scopes, ("", t("ov_national_cities")))}</select>'
        '</div><div id="rank-lists" class="ranks"></div>'
        f'<script type="application/json" id="envq-data">{script_json(data)}</script>'
        f"<script>{script()}</script></body></html>"
    )
