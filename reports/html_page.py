"""One region's report as an HTML page: headline cards, charts and tables.

plotly.js never comes from a CDN (the page must open on an offline office PC): either the pages
of one folder share one plotly.js file written beside them (`plotly_src`, the default of
reports.build) or the page embeds it in its head (self-contained, for mailing). Every figure is
a div that calls it. Every piece of text from data (region, section and river
names, pollutant lists, quarantined raw text) is escaped; labels come from reports.i18n.
"""

from __future__ import annotations

import datetime as dt
import html
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.io as pio
from _plotly_utils.utils import convert_to_base64
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from reports import figures, i18n
from reports.colours import status_colour
from reports.data import RegionData
from reports.headline import headline
from reports.table import Table, as_float, as_int, indicator_decimals
from reports.tables import all_tables
from transforms.targets.standard_limits import BASIS_STANDARD, year_edition

CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:1.5em 2em;
color:#222;max-width:1400px}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #1f5fa8;padding-bottom:.2em;
margin-top:1.6em}.sub{color:#666}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #ddd;border-left:10px solid #999;border-radius:6px;padding:10px 14px;
min-width:210px;flex:1 1 210px;max-width:320px;background:#fafafa}
.card h3{margin:0 0 6px;font-size:1em}.card .actual{font-size:1.6em;font-weight:bold}
.card .row{font-size:.9em;color:#444}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;font-size:.85em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eef3fa}
td.t{text-align:left}
.scroll{max-height:420px;overflow:auto;display:inline-block}
.headline{background:#eef3fa;border-left:6px solid #1f5fa8;padding:.6em 1em;margin:1em 0;
font-size:1.1em;line-height:1.6}.headline p{margin:.2em 0}
@page{size:A4;margin:12mm}
@media print{
body{margin:0;max-width:none;font-size:10pt;-webkit-print-color-adjust:exact;
print-color-adjust:exact}
h1{font-size:15pt}h2{break-before:page;margin-top:0}h2:first-of-type{break-before:auto}
h2,h3{break-after:avoid}
.modebar-container,.modebar{display:none!important}
.headline{font-size:10.5pt;padding:.3em .8em;margin:.5em 0}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:5px}
.card{min-width:0;max-width:none;padding:4px 7px;font-size:8.5pt;break-inside:avoid}
.card h3{font-size:9pt;margin-bottom:2px}.card .actual{font-size:1.25em}
.card .row{font-size:1em}
.js-plotly-plot,.plotly-graph-div{width:100%!important;break-inside:avoid}
.scroll{max-height:none;overflow:visible;display:block}
table{font-size:8pt;width:100%}td,th{padding:2px 4px}td.t{white-space:nowrap}
tr{break-inside:avoid}a{color:#000;text-decoration:none}
}
"""
# no logo, and no "Share chart" button (plotly.js 4 shows one by default): it would send
# the figure to Plotly's cloud, and the pages are offline
CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False}
# plotly.js's own texts (toolbar, hover, date axes) in the reader's language
PLOTLY_LOCALES = {"zh": "zh-CN"}
LOCALE_FILES = {"zh": Path(__file__).parent / "assets" / "plotly-locale-zh-cn.js"}
# Charts follow the page width; when printing they are redrawn at the paper's width.
PRINT_JS = """(function(){function fit(){document.querySelectorAll('.js-plotly-plot')
.forEach(function(gd){Plotly.Plots.resize(gd);});}
window.addEventListener('beforeprint',fit);window.addEventListener('afterprint',fit);
if(window.matchMedia){window.matchMedia('print').addEventListener('change',fit);}})();"""


@cache
def plotly_locale_js(lang: str) -> str:
    """A script registering plotly.js's locale of `lang` ('' for English, plotly's own).

    The locale file is plotly.js-locales' CommonJS module as published, bundled with the
    reports (pages stay offline); it is wrapped here so it registers itself with Plotly.
    """
    path = LOCALE_FILES.get(lang)
    if path is None:
        return ""
    module = path.read_text(encoding="utf-8")
    return (
        "(function(){var module={exports:{}};\n"
        f"{module}\nPlotly.register(module.exports);}})();"
    )


def plotly_config(lang: str) -> dict[str, object]:
    """plotly.js config of a figure: no logo, responsive, the reader's locale."""
    locale = PLOTLY_LOCALES.get(lang)
    return {**CONFIG, "locale": locale} if locale else dict(CONFIG)


@cache
def plotly_js() -> str:
    """The plotly.js bundle shipped with the plotly package (embedded once per page)."""
    return get_plotlyjs()


def plotly_file_name() -> str:
    """Name of the shared plotly.js file beside the pages; the version is in the name, so a
    page never runs a different plotly.js than the one it was written for."""
    return f"plotly-{get_plotlyjs_version()}.min.js"


def plotly_script(plotly_src: str | None) -> str:
    """The head's plotly.js: a relative src to the shared file, or the bundle inline."""
    if plotly_src:
        return f'<script type="text/javascript" src="{esc(plotly_src)}"></script>'
    return f'<script type="text/javascript">{plotly_js()}</script>'


def esc(value: object) -> str:
    """HTML-escaped text of a value (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def fmt(value: object, decimals: int = 2) -> str:
    """A cell value as escaped display text: '—' for missing, numbers with fixed decimals."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return esc(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    if isinstance(value, dt.date | pd.Timestamp):
        return esc(pd.Timestamp(value).date().isoformat())
    return esc(value)


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on the background colour (#rrggbb)."""
    if not background.startswith("#") or len(background) != 7:
        return "#000"
    r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"


def render_table(table: Table, lang: str) -> str:
    """A Table as an HTML table; text cells left-aligned, fills as cell backgrounds."""
    head = "".join(f"<th>{esc(h)}</th>" for h in table.frame.columns)
    if table.frame.empty:
        return f"<p class=sub>{esc(i18n.text('no_data', lang))}</p>"
    body = []
    decimals_of = [table.decimals.get(h, 2) for h in table.frame.columns]
    for i, row in enumerate(table.frame.itertuples(index=False, name=None)):
        cells = []
        for j, value in enumerate(row):
            decimals = decimals_of[j]
            cls = ' class="t"' if isinstance(value, str) else ""
            fill = table.fills.get((i, j))
            style = f' style="background:{fill};color:{text_colour(fill)}"' if fill else ""
            cells.append(f"<td{cls}{style}>{fmt(value, decimals)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>'


def card(row: pd.Series, lang: str) -> str:
    """Headline card of one target: actual, target, gap, pace, rest of period, status colour."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    n = indicator_decimals(row["indicator"])
    unit = esc(i18n.unit(row["indicator"], lang))
    colour = status_colour(row["status"])
    period = "" if row["period"] == "year" else f" · {esc(i18n.period(row['period'], lang))}"
    gap = row["gap"]
    gap_text = "—"
    standard = row.get("target_basis") == BASIS_STANDARD
    if pd.notna(gap):
        words = ("gap_above_limit", "gap_below_limit") if standard else ("gap_short", "gap_ahead")
        word = t(words[0]) if gap > 0 else t(words[1])
        gap_text = f"{esc(word)} {fmt(abs(float(gap)), n)} {unit}"
    lines = [
        f"{esc(t('standard_limit' if standard else 'target'))}: {esc(row['comparator'])} "
        f"{fmt(as_float(row['target']), n)} {unit}",
        f"{esc(t('gap'))}: {gap_text}",
        f"{esc(t('pace'))}: {fmt(as_float(row['on_pace_value']), n)} {unit}"
        f" ({esc(t('elapsed_share'))} {fmt(_pct(row['elapsed_share']), 1)}%)",
    ]
    if pd.notna(row["good_days_needed"]):
        lines.append(
            f"{esc(t('good_days_needed'))}: {fmt(int(row['good_days_needed']))} · "
            f"{esc(t('non_good_allowed'))}: {fmt(as_int(row['non_good_days_allowed']))}"
        )
    if pd.notna(row["remaining_mean_ceiling"]):
        lines.append(f"{esc(t('ceiling'))}: {fmt(float(row['remaining_mean_ceiling']), 1)} {unit}")
    if pd.notna(row["probability_of_meeting"]):
        lines.append(f"{esc(t('probability'))}: {fmt(float(row['probability_of_meeting']), 2)}")
    basis = probability_basis(row, lang)
    if basis:
        lines.append(f"<small>{esc(basis)}</small>")
    if pd.notna(row.get("edition")):  # which standards judged this figure
        lines.append(f"{esc(t('edition'))}: {esc(t('edition_' + str(row['edition'])))}")
    rows = "".join(f'<div class="row">{line}</div>' for line in lines)
    return (
        f'<div class="card" style="border-left-color:{colour}">'
        f"<h3>{esc(i18n.indicator(row['indicator'], lang))}{period}</h3>"
        f'<div class="actual">{fmt(as_float(row["actual"]), n)} <small>{unit}</small></div>{rows}'
        f'<div><span class="badge" style="background:{colour};color:{text_colour(colour)}">'
        f"{esc(i18n.indicator(row['status'], lang))}</span></div></div>"
    )


def rank_block(ranks: pd.DataFrame | None, lang: str) -> str:
    """The region's own composite-index ranks (month, year to date): national, among the
    regions of its parent (province or city), and the improvement ranks; empty when the
    region is not ranked."""
    if ranks is None or ranks.empty:
        return ""
    t = lambda key: i18n.text(key, lang)  # noqa: E731

    def of(rank: object, n: object) -> str:
        r = as_int(rank)
        return "—" if r is None else esc(t("ov_rank_of").format(rank=r, n=as_int(n)))

    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in (
            t("period"),
            t("composite_index"),
            t("ov_rank_national"),
            t("ov_rank_parent"),
            t("ov_delta_index"),
            f"{t('improvement_rank')} ({t('ov_national')})",
            f"{t('improvement_rank')} ({t('ov_in_parent')})",
        )
    )
    body = "".join(
        f'<tr><td class="t">{esc(r["period"])}</td><td>{fmt(as_float(r["composite_index"]), 2)}'
        f"</td><td>{of(r['index_rank'], r['index_ranked'])}</td>"
        f"<td>{of(r['index_rank_parent'], r['index_ranked_parent'])}</td>"
        f"<td>{fmt(as_float(r['composite_index_yoy_pct']), 1)}</td>"
        f"<td>{of(r['improvement_rank'], r['improvement_ranked'])}</td>"
        f"<td>{of(r['improvement_rank_parent'], r['improvement_ranked_parent'])}</td></tr>"
        for _, r in ranks.iterrows()
    )
    return (
        f'<h3>{esc(t("ov_ranks_title"))}</h3><div class="scroll" id="region-ranks"><table>'
        f"<tr>{head}</tr>{body}</table></div>"
    )


def stamp(moment: dt.datetime) -> str:
    """Date and minute of a time, with its zone's name when it has one (Asia/Shanghai)."""
    zone = getattr(moment.tzinfo, "key", None) or (moment.tzname() or "")
    return f"{moment:%Y-%m-%d %H:%M} {zone}".rstrip()


def probability_basis(row: pd.Series, lang: str) -> str:
    """One line on how P(meet) was made (earlier years, futures), or why there is none."""
    futures = row.get("projection_futures")
    if pd.notna(row.get("probability_of_meeting")) and pd.notna(futures):
        span = row.get("history_span") or ""
        return i18n.text("p_basis", lang).format(
            years=int(row["history_years"]), span=span, futures=int(futures)
        )
    if row.get("projection_method") == "none":
        return i18n.text("p_pace_only", lang)
    return ""


def standard_note(d: RegionData, lang: str) -> str:
    """A line saying that the cards compare with standard limits, when no target is set."""
    basis = d.targets.get("target_basis")
    if basis is None or not (basis == BASIS_STANDARD).any():
        return ""
    edition = year_edition(d.scope.year)
    note = i18n.text("standard_limits_note", lang).format(edition=edition)
    return f'<p class="note">{esc(note)}</p>'


def _pct(value: object) -> float | None:
    f = as_float(value)
    return None if f is None else 100 * f


def figure_div(fig: figures.Figure, div_id: str, lang: str = "zh") -> str:
    """A figure as a div (plotly.js itself is in the page head).

    Arrays go to plotly.js as typed base64 arrays, as go.Figure.to_dict would send them (only
    traces hold arrays; the layout's template is left alone); the figure is not validated:
    reports.figures builds it in plotly's own shape.
    """
    convert_to_base64(fig["data"])
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config=plotly_config(lang),
        validate=False,
    )


def rectification_section(d: RegionData, by_key: dict[str, Table], lang: str) -> list[str]:
    """督察整改: figures per source, units by colour and the red list (none without a ledger)."""
    if d.rectification.empty:
        return []
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    snapshot = fmt(d.rectification["snapshot_date"].iloc[0])
    red = by_key["sheet_rect_red"]
    return [
        f"<h2>{esc(t('sec_rectification'))}</h2>",
        f"<p class=sub>{esc(t('rect_snapshot'))} {snapshot}</p>",
        render_table(by_key["sheet_rect_summary"], lang),
        f"<h3>{esc(t('sec_rect_units'))}</h3>",
        render_table(by_key["sheet_rect_units"], lang),
        f"<h3>{esc(t('sec_rect_red'))}</h3>",
        render_table(red, lang) if len(red.frame) else f"<p>{esc(t('rect_none_red'))}</p>",
    ]


def region_page(
    d: RegionData,
    lang: str,
    docs_href: str,
    generated: dt.datetime,
    tables: list[Table] | None = None,
    plotly_src: str | None = None,
    ranks: pd.DataFrame | None = None,
) -> str:
    """The whole page of one region's report (tables: all_tables(d, lang) when not given).

    plotly_src: relative path of the shared plotly.js (None: embed it). ranks: the region's
    composite-index ranks of the month and the year to date (reports.overview.region_ranks).
    """
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    s = d.scope
    title = (
        f"{esc(d.name)} ({esc(s.region)}) · {esc(t('title'))} · {s.year} · "
        f"{esc(t('as_of'))} {s.as_of.isoformat()}"
    )
    div = lambda fig, div_id: figure_div(fig, div_id, lang)  # noqa: E731
    by_key = {tb.key: tb for tb in (tables or all_tables(d, lang))}
    cards = "".join(card(r, lang) for _, r in d.targets.iterrows())
    air = not d.running_means.empty or not d.good_days.empty
    # the headline speaks of targets: standard-limit rows have the note above the cards
    targets = d.targets
    if "target_basis" in targets.columns:
        targets = targets[targets["target_basis"] != BASIS_STANDARD]
    lead = "".join(f"<p>{esc(sentence)}</p>" for sentence in headline(targets, lang))
    parts = [
        f'<div class="headline">{lead}</div>' if lead else "",
        f'<h2>{esc(t("sec_cards"))}</h2>{standard_note(d, lang)}<div class="cards">{cards}</div>',
        f"<p class=sub>{esc(t('p_method'))}</p>",
    ]
    if air:
        parts += [
            f"<h2>{esc(t('sec_good_days'))}</h2>",
            div(figures.good_days_figure(d.good_days, d.targets, s, lang), "fig-good"),
            f"<h2>{esc(t('sec_pm'))}</h2>",
            div(figures.pm_figure(d.running_means, d.targets, s, "pm25", lang), "fig-pm25"),
            div(figures.pm_figure(d.running_means, d.targets, s, "pm10", lang), "fig-pm10"),
            f"<h2>{esc(t('sec_calendar'))}</h2>",
            div(figures.calendar_figure(d.aqi_calendar, s, lang), "fig-calendar"),
            f"<h2>{esc(t('sec_drivers'))}</h2>",
            div(figures.drivers_figure(d.primary_pollutants, s, lang), "fig-drivers"),
        ]
    parts += [
        f"<h2>{esc(t('sec_ranking'))}</h2>",
        rank_block(ranks, lang),
        render_table(by_key["sheet_ranking"], lang),
        f"<h2>{esc(t('sec_water'))}</h2>",
        render_table(by_key["sheet_water"], lang),
        f"<h3>{esc(t('sec_water_matrix'))}</h3>",
        render_table(by_key["sheet_water_matrix"], lang),
        *rectification_section(d, by_key, lang),
        f"<h2>{esc(t('sec_quality'))}</h2>",
        render_table(by_key["sheet_completeness"], lang),
        f"<h3>{esc(t('quarantine'))}</h3>",
        render_table(by_key["sheet_quarantine"], lang)
        if not d.quarantined.empty
        else f"<p>{esc(t('nothing_quarantined'))}</p>",
        f"<h3>{esc(t('validation'))}</h3>",
        render_table(by_key["sheet_validation"], lang)
        if not d.failed_expectations.empty
        else f"<p>{esc(t('all_passed'))}</p>",
        f'<p><a href="{esc(docs_href)}">{esc(t("data_docs"))}</a></p>',
    ]
    return (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        f'<meta charset="utf-8"><title>{title}</title><style>{CSS}</style>'
        f"{plotly_script(plotly_src)}"
        f'<script type="text/javascript">{plotly_locale_js(lang)}</script></head><body>'
        f"<h1>{title}</h1><p class=sub>{esc(t('generated'))} "
        f"{esc(stamp(generated))}</p>{''.join(parts)}"
        f'<script type="text/javascript">{PRINT_JS}</script></body></html>'
    )
