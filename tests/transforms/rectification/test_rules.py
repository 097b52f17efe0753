"""Reading a ledger's words: deadlines, status words and headers
(transforms.rectification.rules)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from transforms.rectification.rules import (
    header_key,
    load_rules,
    normalise_status,
    parse_date,
    parse_deadline,
)

RULES = load_rules(Path("/nonexistent"))
FEEDBACK = dt.date(2021, 5, 10)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2021年底前", dt.date(2021, 12, 31)),          # year end
        ("2021年6月", dt.date(2021, 6, 30)),            # month end (30 days in June)
        ("2022年2月底前", dt.date(2022, 2, 28)),        # February 2022: 28 days
        ("2024年2月", dt.date(2024, 2, 29)),            # leap year
        ("2021-06-15", dt.date(2021, 6, 15)),
        ("2021/6/5", dt.date(2021, 6, 5)),
        ("2021年6月15日前", dt.date(2021, 6, 15)),
        ("2023年三季度", dt.date(2023, 9, 30)),
        ("2023年上半年", dt.date(2023, 6, 30)),
        ("2021年6月底前初步完成，2022年底前全部完成", dt.date(2022, 12, 31)),  # the latest
        ("立行立改", FEEDBACK),
        (dt.datetime(2021, 7, 1), dt.date(2021, 7, 1)),  # an xlsx date cell
    ],
)
def test_deadlines_are_the_last_day_they_allow(text, due):
    assert parse_deadline(text, FEEDBACK, RULES) == (due, False)


def test_ongoing_obligations_have_no_due_date():
    assert parse_deadline("长期坚持", FEEDBACK, RULES) == (None, True)
    assert parse_deadline(" 持续推进 ", FEEDBACK, RULES) == (None, True)


@pytest.mark.parametrize("text", ["尽快", "", None, "明年", "2021年13月"])
def test_unreadable_deadlines_raise(text):
    with pytest.raises(ValueError):
        parse_deadline(text, FEEDBACK, RULES)


def test_immediate_needs_a_feedback_date():
    with pytest.raises(ValueError):
        parse_deadline("立行立改", None, RULES)


@pytest.mark.parametrize(
    ("word", "status"),
    [("已完成", "completed"), ("已销号", "closed"), ("整改中", "in_progress"),
     ("序时推进", "on_schedule"), ("未完成", "not_completed"), ("未启动", "not_started"),
     ("进度滞后", "lagging"), (" 已 完成 ", "completed")],
)
def test_status_words(word, status):
    assert normalise_status(word, RULES) == status


def test_unknown_status_word_raises():
    with pytest.raises(ValueError):
        normalise_status("差不多完成", RULES)


def test_dates():
    assert parse_date("2021-05-10") == dt.date(2021, 5, 10)
    assert parse_date("2021年5月10日") == dt.date(2021, 5, 10)
    assert parse_date("20210510") == dt.date(2021, 5, 10)
    assert parse_date("") is None and parse_date(None) is None
    with pytest.raises(ValueError):
        parse_date("五月十日")


def test_a_bureau_adds_its_own_words(tmp_path):
    (tmp_path / "rectification.yaml").write_text(
        "headers:\n  deadline: [办结时限]\nstatuses:\n  completed: [已整改销账]\n"
        "colours:\n  due_soon_days: 15\n", encoding="utf-8")
    rules = load_rules(tmp_path)
    assert rules.headers[header_key("办结时限")] == "deadline"
    assert rules.headers[header_key("整改时限")] == "deadline"  # the defaults stay
    assert normalise_status("已整改销账", rules) == "completed"
    assert rules.due_soon_days == 15 and rules.red_when_reopened


def test_header_key_ignores_notes_and_spaces():
    assert header_key(" 整改时限（年月） ") == header_key("整改时限")
