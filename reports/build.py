"""Target-gap reports: one self-contained HTML page (Plotly embedded, no network) and one
Excel workbook per region, plus an index page. Chinese by default, English with lang='en'.

Every label comes from transforms.indicators (one translation table). Text from data files is
escaped in HTML; spreadsheet text that starts with = + - @ is written as text, not a formula.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from transforms.indicators import label

STATUS_COLOURS = {
    "met": "#2e7d32",
    "on_track": "#66bb6a",
    "at_risk": "#f9a825",
    "off_track": "#ef6c00",
    "cannot_be_met": "#c62828",
    "not_met": "#c62828",
    "not_evaluable": "#9e9e9e",
}
TEXT = {
    "zh": {
        "title": "目标差距报告",
        "as_of": "截至",
        "cum_good": "累计优良天数",
        "target_line": "目标进度线",
        "index": "各地区目标差距报告",
        "region": "地区",
        "indicator": "指标",
        "target": "目标",
        "actual": "现状",
        "gap": "差距",
        "status": "状态",
        "projected": "预测",
        "probability": "达标概率",
        "day": "日期",
        "last_year": "去年同期",
        "this_year": "今年",
    },
    "en": {
        "title": "Target-gap report",
        "as_of": "as of",
        "cum_good": "Cumulative good days",
        "target_line": "Target pace",
        "index": "Target-gap reports by region",
        "region": "Region",
        "indicator": "Indicator",
        "target": "Target",
        "actual": "Actual",
        "gap": "Gap",
        "status": "Status",
        "projected": "Projected",
        "probability": "P(meet)",
        "day": "Date",
        "last_year": "Last year",
        "this_year": "This year",
    },
}
FORMULA_PREFIXES = ("=", "+", "-", "@")


def safe_cell(value: object) -> object:
    """A spreadsheet cell value that can never be read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_reports(
    warehouse: Path | str,
    out_dir: Path | str,
    as_of: dt.date | None = None,
    lang: str = "zh",
    formats: tuple[str, ...] = ("html", "xlsx"),
    region: str | None = None,
    year: int | None = None,
) -> list[Path]:
    """Write every region's report (or one region's) from the published warehouse."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        progress = _progress(con, as_of, region, year)
        if progress.empty:
            raise ValueError(f"{warehouse}: target_progress holds no rows for this selection")
        names = dict(con.execute("select region_code, name from regions").fetchall())
        written: list[Path] = []
        index_rows = []
        for code, rows in progress.groupby("region_code", sort=True):
            as_of_day = rows["as_of"].max()
            stem = f"envq_{code}_{pd.Timestamp(as_of_day):%Y%m%d}_{lang}"
            name = names.get(code, code)
            if "html" in formats:
                path = out / f"{stem}.html"
                daily = _daily(con, code, int(rows["year"].max()))
                path.write_text(_region_html(name, code, rows, daily, lang), encoding="utf-8")
                written.append(path)
                index_rows.append((code, name, path.name, rows["status"].tolist()))
            if "xlsx" in formats:
                path = out / f"{stem}.xlsx"
                _region_xlsx(rows, lang, path)
                written.append(path)
        if "html" in formats and region is None:
            index = out / f"index_{lang}.html"
            index.write_text(_index_html(index_rows, lang), encoding="utf-8")
            written.append(index)
        return written
    finally:
        con.close()


def _progress(con, as_of, region, year) -> pd.DataFrame:
    as_of = as_of or con.execute("select max(as_of) from target_progress").fetchall()[0][0]
    df = con.execute(
        "select * from target_progress where as_of = $as_of "
        "and ($region is null or region_code = $region) and ($year is null or year = $year) "
        "order by region_code, indicator, period",
        {"as_of": as_of, "region": region, "year": year},
    ).df()
    return df


def _daily(con, code: str, year: int) -> pd.DataFrame:
    return con.execute(
        "select date, is_good from air_city_daily where region_code = $code "
        "and year(date) in ($year, $year - 1) order by date",
        {"code": code, "year": year},
    ).df()


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return html.escape(str(value))


def _region_html(name: str, code: str, rows: pd.DataFrame, daily: pd.DataFrame, lang: str) -> str:
    t = TEXT[lang]
    as_of = pd.Timestamp(rows["as_of"].max()).date()
    cards = []
    for r in rows.itertuples():
        colour = STATUS_COLOURS.get(r.status, "#9e9e9e")
        cards.append(
            f"<tr><td>{html.escape(label(r.indicator, lang))}</td><td>{_fmt(r.period)}</td>"
            f"<td>{html.escape(str(r.comparator))} {_fmt(r.target)}</td><td>{_fmt(r.actual)}</td>"
            f"<td>{_fmt(r.gap)}</td><td>{_fmt(r.projected)}</td>"
            f"<td>{_fmt(r.probability_of_meeting)}</td>"
            f'<td style="background:{colour};color:#fff">{html.escape(label(r.status, lang))}'
            "</td></tr>"
        )
    chart = _good_days_chart(daily, rows, as_of, lang)
    head = "".join(
        f"<th>{t[k]}</th>"
        for k in (
            "indicator",
            "region",
            "target",
            "actual",
            "gap",
            "projected",
            "probability",
            "status",
        )
    )
    title = f"{html.escape(name)} ({html.escape(code)}) · {t['title']} · {t['as_of']} {as_of}"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body>"
        f"<h1>{title}</h1><table><tr>{head}</tr>{''.join(cards)}</table>{chart}</body></html>"
    )


def _good_days_chart(daily: pd.DataFrame, rows: pd.DataFrame, as_of: dt.date, lang: str) -> str:
    t = TEXT[lang]
    fig = go.Figure()
    if not daily.empty:
        daily = daily.assign(date=pd.to_datetime(daily["date"]))
        for yr, name in ((as_of.year, t["this_year"]), (as_of.year - 1, t["last_year"])):
            d = daily[daily["date"].dt.year == yr]
            d = d[d["date"].dt.date <= as_of] if yr == as_of.year else d
            if d.empty:
                continue
            doy = d["date"].dt.dayofyear
            fig.add_trace(go.Scatter(x=doy, y=d["is_good"].fillna(False).cumsum(), name=name))
    target = rows[(rows["indicator"] == "good_days") & (rows["period"] == "year")]
    if not target.empty:
        goal = float(target["target"].iloc[0])
        days = 366 if pd.Timestamp(as_of).is_leap_year else 365
        fig.add_trace(
            go.Scatter(
                x=[1, days], y=[goal / days, goal], name=t["target_line"], line={"dash": "dash"}
            )
        )
    fig.update_layout(title=t["cum_good"], xaxis_title=t["day"], height=420)
    return fig.to_html(full_html=False, include_plotlyjs=True)


def _region_xlsx(rows: pd.DataFrame, lang: str, path: Path) -> None:
    t = TEXT[lang]
    table = pd.DataFrame(
        {
            t["indicator"]: [safe_cell(label(i, lang)) for i in rows["indicator"]],
            "period": [safe_cell(p) for p in rows["period"]],
            t["target"]: rows["target"].astype(float),
            t["actual"]: rows["actual"].astype(float),
            t["gap"]: rows["gap"].astype(float),
            t["projected"]: rows["projected"].astype(float),
            t["probability"]: rows["probability_of_meeting"].astype(float),
            t["status"]: [safe_cell(label(s, lang)) for s in rows["status"]],
        }
    )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="target_progress", index=False)


def _index_html(index_rows, lang: str) -> str:
    t = TEXT[lang]
    items = []
    for code, name, file, statuses in index_rows:
        dots = "".join(
            f'<span title="{html.escape(label(s, lang))}" style="display:inline-block;'
            f'width:12px;height:12px;margin:1px;background:{STATUS_COLOURS.get(s, "#9e9e9e")}">'
            "</span>"
            for s in statuses
        )
        items.append(
            f'<li><a href="{html.escape(file)}">{html.escape(name)} ({html.escape(code)})</a> '
            f"{dots}</li>"
        )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{t["index"]}'
        f"</title></head><body><h1>{t['index']}</h1><ul>{''.join(items)}</ul></body></html>"
    )
