"""A synthetic rectification ledger (督察整改台账) in the layout bureaus keep: two snapshots of the
same ledger, an .xlsx four months before the sample's end and a GBK .csv at its end.

Two inspections as the bureaus' reports describe them (a central inspection with a look-back,
a provincial one), tens of problems spread over the configured cities' counties and
departments; by the last snapshot most are completed or closed, some are under way, some
overdue, a few due within 30 days, one lagging and one reopened (completed at the first
snapshot, under way at the second). The CSV carries planted bad rows (an unreadable deadline,
an unknown status word, a repeated number with another description, a completion before the
feedback), listed in PLANTED.json like the other planted problems.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from transforms.sample.config import SampleConfig

HEADER = ["问题编号", "问题来源", "反馈时间", "问题描述", "责任单位", "牵头单位", "整改措施",
          "整改时限", "整改状态", "完成时间", "销号时间", "备注"]
# (number prefix, source, feedback this many days before the sample's end, problems)
SOURCES = (
    ("ZY", "中央第三生态环境保护督察组反馈问题", 2000, 20),
    ("ZH", "中央生态环境保护督察“回头看”反馈问题", 1290, 6),
    ("SW", "省委第二生态环境保护督察组反馈问题", 1170, 28),
)
TOPICS = (
    "黑臭水体整治不到位",
    "城镇污水处理厂超标排放",
    "建筑工地扬尘管控不力",
    "尾矿库环境风险隐患",
    "垃圾填埋场渗滤液处理不规范",
    "饮用水水源地保护区内违规建设",
    "工业园区污水管网不完善",
    "秸秆露天焚烧监管不到位",
    "河道非法采砂",
    "畜禽养殖污染治理滞后",
    "自然保护区违规开发",
    "燃煤锅炉淘汰不彻底",
)
DEPARTMENTS = ("生态环境局", "住房和城乡建设局", "自然资源局", "水利局", "农业农村局")
TITLE = "生态环境保护督察反馈问题整改台账（合成数据）"


@dataclass(frozen=True)
class Problem:
    number: str
    source: str
    feedback: date
    description: str
    units: str
    lead: str
    deadline_text: str
    status: str
    completed: date | None
    closed: date | None

    def row(self) -> list[str]:
        return [self.number, self.source, self.feedback.isoformat(), self.description,
                self.units, self.lead, "制定方案、落实责任、限期整改", self.deadline_text,
                self.status, _iso(self.completed), _iso(self.closed), ""]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def snapshot_dates(end: date) -> tuple[date, date]:
    """The two snapshots: the month end four months before `end`'s month, and `end`."""
    month = end.month - 4
    year = end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return _month_end(date(year, month, 1)), end


def problems(config: SampleConfig, end: date, rng: np.random.Generator) -> tuple[
        list[Problem], list[Problem]]:
    """(first snapshot, last snapshot) of every problem; proportions as described above."""
    first_day, last_day = snapshot_dates(end)
    cities = [r for r in config.regions.values() if r["level"] == "city"]
    counties = [r for r in config.regions.values() if r["level"] == "county"]
    last: list[Problem] = []
    first: list[Problem] = []
    k = 0
    for prefix, source, days_before, count in SOURCES:
        feedback = end - timedelta(days=days_before)
        for i in range(1, count + 1):
            k += 1
            county = counties[int(rng.integers(len(counties)))]
            city = next(c for c in cities if c["region_code"] == county["parent_code"])
            dept = f"{city['name']}{DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))]}"
            units = f"{county['name']}人民政府、{dept}" if rng.random() < 0.5 else \
                f"{county['name']}人民政府"
            description = f"{county['name']}{TOPICS[(k * 7) % len(TOPICS)]}"
            share = i / count
            completed = closed = None
            if share <= 0.6:  # completed and closed long ago
                due = _month_end(feedback + timedelta(days=300))
                completed = feedback + timedelta(days=200 + int(rng.integers(60)))
                closed = completed + timedelta(days=45)
                status, text = "已销号", f"{due.year}年{due.month}月底前"
            elif share <= 0.75:  # completed, not yet closed
                due = _month_end(last_day - timedelta(days=60))
                completed = last_day - timedelta(days=int(rng.integers(5, 60)))
                status, text = "已完成", f"{due.year}年底前"
            elif share <= 0.82:  # an ongoing obligation
                status, text = "序时推进", "长期坚持"
            elif share <= 0.90:  # overdue
                due = _month_end(last_day - timedelta(days=90 + int(rng.integers(200))))
                status, text = "整改中", f"{due.year}年{due.month}月"
            else:  # due within the year, some within 30 days
                due = last_day + timedelta(days=int(rng.integers(5, 120)))
                status, text = "整改中", due.isoformat()
            p = Problem(f"{prefix}-{i:02d}", source, feedback, description, units,
                        units.split("、")[-1], text, status, completed, closed)
            last.append(p)
            if p.completed is not None and p.completed > first_day:
                first.append(replace(p, status="整改中", completed=None, closed=None))
            else:
                first.append(p)
    # one lagging problem, and one reopened: completed at the first snapshot, not at the last
    lag = next(i for i, p in enumerate(last) if p.status == "整改中")
    last[lag] = replace(last[lag], status="进度滞后")
    reopen = next(i for i, p in enumerate(last) if p.status == "已完成")
    first[reopen] = replace(last[reopen], completed=first_day - timedelta(days=10))
    last[reopen] = replace(last[reopen], status="整改中", completed=None,
                           deadline_text=f"{last_day.year}年底前")
    return first, last


def _planted_rows(last: list[Problem]) -> list[tuple[list[str], str, str]]:
    """(row, column, kind) of the bad rows planted in the last snapshot."""
    base = last[-1]
    return [
        (replace(base, number="SW-90", deadline_text="尽快").row(), "整改时限",
         "unparseable_deadline"),
        (replace(base, number="SW-91", status="差不多完成").row(), "整改状态", "unknown_status"),
        (replace(last[0], description="另一项问题描述").row(), "问题编号", "duplicate_problem_no"),
        (replace(base, number="SW-92", status="已完成",
                 completed=base.feedback - timedelta(days=30)).row(), "完成时间",
         "completion_before_feedback"),
    ]


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode("gb18030")


def _xlsx(path: Path, rows: list[list[str]], stamp: datetime) -> None:
    """A workbook with a merged title row above the header (as ledgers are laid out), with
    fixed timestamps so that the same arguments give the same bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.properties.created = wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps the save time into docProps/core.xml and each zip entry: fix both
    modified = f"<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{stamp:%Y-%m-%dT%H:%M:%SZ}"
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb'<dcterms:modified xsi:type="dcterms:W3CDTF">[^<]*',
                                 modified.encode(), content)
            out.writestr(fixed, content)


def write_ledger(out_dir: Path, config: SampleConfig, end: date,
                 rng: np.random.Generator) -> tuple[int, int, list[dict]]:
    """Write ledger/整改台账_<date>.xlsx and .csv; return (files, rows, planted records)."""
    folder = out_dir / "ledger"
    folder.mkdir(parents=True, exist_ok=True)
    first, last = problems(config, end, rng)
    first_day, last_day = snapshot_dates(end)
    _xlsx(folder / f"整改台账_{first_day:%Y%m%d}.xlsx", [p.row() for p in first],
          datetime(first_day.year, first_day.month, first_day.day))
    rows = [p.row() for p in last]
    planted = []
    for row, column, kind in _planted_rows(last):
        rows.append(row)
        planted.append({"file": f"ledger/整改台账_{last_day:%Y%m%d}.csv", "line": len(rows) + 2,
                        "column": column, "kind": kind, "value": row[HEADER.index(column)],
                        "hour": None, "type": None, "note": ""})
    (folder / f"整改台账_{last_day:%Y%m%d}.csv").write_bytes(_csv_bytes(rows))
    return 2, len(first) + len(rows), planted
