"""How a rectification ledger (督察整改台账) is read: header synonyms, status words, deadline words
and the three-colour supervision rule, as data (transforms/rules/rectification.yaml plus the
bureau's <config>/rectification.yaml).

No national standard fixes a ledger's layout or wording; the vocabulary is that of the bureaus'
ledgers and reports (docs/rectification.md). Deadlines are read as the last day they allow:
"2021年底前" -> 2021-12-31, "2021年6月" -> 2021-06-30, "2021年三季度" -> 2021-09-30; "长期坚持"
is an ongoing obligation (never overdue); "立行立改" is due on the feedback date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from transforms.rules import RULES_DIR
from transforms.targets.day_series import month_end

RULES_FILE = RULES_DIR / "rectification.yaml"
BUREAU_FILE = "rectification.yaml"
STATUSES = ("closed", "completed", "on_schedule", "in_progress", "lagging", "not_completed",
            "not_started")


@dataclass(frozen=True)
class LedgerRules:
    """The merged vocabulary: header name -> field, status word -> status, deadline words."""

    headers: dict[str, str]
    required: tuple[str, ...]
    statuses: dict[str, str]
    completed_statuses: frozenset[str]
    closed_statuses: frozenset[str]
    ongoing: frozenset[str]
    immediate: frozenset[str]
    lookback_words: tuple[str, ...]
    due_soon_days: int
    red_when_reopened: bool
    yellow_when_lagging: bool


def header_key(text: Any) -> str:
    """A header cell reduced for matching: no spaces, no bracketed notes, no line breaks."""
    s = re.sub(r"[（(][^）)]*[）)]", "", str(text or ""))
    return re.sub(r"\s+", "", s).replace("\ufeff", "").lower()


def word_key(text: Any) -> str:
    """A status or deadline word reduced for matching: no spaces or punctuation at the ends."""
    return re.sub(r"\s+", "", str(text or "")).strip("。.;；,，")


def _merge(defaults: dict[str, Any], bureau: dict[str, Any]) -> dict[str, Any]:
    """Lists of the bureau's file are added to the defaults; scalars and colours replace them."""
    out = dict(defaults)
    for key, value in bureau.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            merged = dict(out[key])
            for k, v in value.items():
                old = merged.get(k)
                merged[k] = [*old, *v] if isinstance(old, list) and isinstance(v, list) else v
            out[key] = merged
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = [*out[key], *value]
        else:
            out[key] = value
    return out


def config_dir() -> Path:
    """The bureau's configuration folder (as flows.settings resolves it)."""
    return Path(os.environ.get("ENVQ_CONFIG_DIR", "data/config"))


def load_rules(bureau_dir: Path | None = None) -> LedgerRules:
    """The default vocabulary, extended by <bureau_dir>/rectification.yaml when it exists."""
    doc = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    bureau = (bureau_dir or config_dir()) / BUREAU_FILE
    if bureau.is_file():
        doc = _merge(doc, yaml.safe_load(bureau.read_text(encoding="utf-8")) or {})
    headers: dict[str, str] = {}
    for field_name, names in doc["headers"].items():
        for name in names:
            headers.setdefault(header_key(name), field_name)
    statuses: dict[str, str] = {}
    for status, words in doc["statuses"].items():
        if status not in STATUSES:
            raise ValueError(f"{bureau}: unknown status {status!r}; known: {', '.join(STATUSES)}")
        for word in words:
            statuses.setdefault(word_key(word), status)
    colours = doc["colours"]
    return LedgerRules(
        headers=headers,
        required=tuple(doc["required"]),
        statuses=statuses,
        completed_statuses=frozenset(doc["completed_statuses"]),
        closed_statuses=frozenset(doc["closed_statuses"]),
        ongoing=frozenset(word_key(w) for w in doc["ongoing_deadlines"]),
        immediate=frozenset(word_key(w) for w in doc["immediate_deadlines"]),
        lookback_words=tuple(doc["lookback_words"]),
        due_soon_days=int(colours["due_soon_days"]),
        red_when_reopened=bool(colours["red_when_reopened"]),
        yellow_when_lagging=bool(colours["yellow_when_lagging"]),
    )


@cache
def cached_rules(bureau_dir: str | None = None) -> LedgerRules:
    return load_rules(Path(bureau_dir) if bureau_dir else None)


def current_rules() -> LedgerRules:
    """The vocabulary of the bureau whose configuration folder is in force (cached)."""
    return cached_rules(str(config_dir()))


_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?![\d日])")
_QUARTER = re.compile(r"(\d{4})\s*年?\s*(?:第)?([一二三四1-4])\s*季度")
_HALF = re.compile(r"(\d{4})\s*年?\s*(上|下)半年")
_YEAR = re.compile(r"(\d{4})\s*年")


def parse_date(value: Any) -> dt.date | None:
    """A date cell: a datetime (xlsx), 'YYYY-MM-DD', 'YYYY/M/D', 'YYYY年M月D日' or 'YYYYMMDD';
    None when blank. Raises ValueError when the text is no date."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text or text.lower() in {"nan", "nat", "none", "-", "/", "—"}:
        return None
    m = _FULL_DATE.fullmatch(text.rstrip("前之"))
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", text):
        return dt.date.fromisoformat(text[:10])
    raise ValueError(f"not a date: {text!r}")


def parse_deadline(
    value: Any, feedback: dt.date | None, rules: LedgerRules
) -> tuple[dt.date | None, bool]:
    """(last day allowed, ongoing) of a deadline cell; raises ValueError when unreadable.

    A text naming several dates ("2021年6月底前初步完成，2022年底前全部完成") is due on the latest.
    """
    if isinstance(value, dt.date | dt.datetime):
        return parse_date(value), False
    text = word_key(value)
    if not text:
        raise ValueError("no deadline")
    if text in rules.ongoing or any(w in text for w in rules.ongoing if len(w) >= 4):
        return None, True
    if text in rules.immediate:
        if feedback is None:
            raise ValueError(f"{text!r} needs a feedback date")
        return feedback, False
    found: list[dt.date] = []
    rest = text
    for m in _FULL_DATE.finditer(rest):
        found.append(dt.date(int(m[1]), int(m[2]), int(m[3])))
    rest = _FULL_DATE.sub(" ", rest)
    for m in _QUARTER.finditer(rest):
        found.append(month_end(int(m[1]), 3 * _CN_NUM[m[2]]))
    rest = _QUARTER.sub(" ", rest)
    for m in _HALF.finditer(rest):
        found.append(month_end(int(m[1]), 6 if m[2] == "上" else 12))
    rest = _HALF.sub(" ", rest)
    for m in _MONTH.finditer(rest):
        if 1 <= int(m[2]) <= 12:
            found.append(month_end(int(m[1]), int(m[2])))
    rest = _MONTH.sub(" ", rest)
    for m in _YEAR.finditer(rest):
        found.append(dt.date(int(m[1]), 12, 31))
    if not found and re.fullmatch(r"\d{8}", text):
        found.append(parse_date(text))  # type: ignore[arg-type]
    if not found:
        raise ValueError(f"unreadable deadline {text!r}")
    return max(found), False


def normalise_status(value: Any, rules: LedgerRules) -> str:
    """The normalised status of a status cell; raises ValueError for an unknown word."""
    key = word_key(value)
    if key in rules.statuses:
        return rules.statuses[key]
    raise ValueError(f"unknown status word {key!r}")
