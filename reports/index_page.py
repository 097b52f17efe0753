"""The index page: every region's latest report, with one colour chip per target status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports import i18n
from reports.colours import status_colour
from reports.html_page import esc


@dataclass(frozen=True)
class IndexEntry:
    """One region's line on the index: its report file and its targets' statuses."""

    region_code: str
    name: str
    as_of: dt.date
    href: str
    statuses: tuple[tuple[str, str], ...]  # (indicator, status)


def chip(indicator: str, status: str, lang: str) -> str:
    """A coloured square whose tooltip names the indicator and the status."""
    tip = f"{i18n.indicator(indicator, lang)}: {i18n.indicator(status, lang)}"
    return (
        f'<span title="{esc(tip)}" style="display:inline-block;width:14px;height:14px;'
        f'margin:1px;border-radius:3px;background:{status_colour(status)}"></span>'
    )


def index_page(entries: list[IndexEntry], lang: str) -> str:
    """The whole index page, one table row per region."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    rows = "".join(
        f'<tr><td>{esc(e.region_code)}</td><td><a href="{esc(e.href)}">{esc(e.name)}</a></td>'
        f"<td>{e.as_of.isoformat()}</td>"
        f"<td>{''.join(chip(i, s, lang) for i, s in e.statuses)}</td></tr>"
        for e in entries
    )
    head = "".join(f"<th>{esc(t(k))}</th>" for k in ("region_code", "region", "as_of", "status"))
    return (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        f'<meta charset="utf-8"><title>{esc(t("index"))}</title><style>'
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}</style></head><body>"
        f"<h1>{esc(t('index'))}</h1><table><tr>{head}</tr>{rows}</table></body></html>"
    )
